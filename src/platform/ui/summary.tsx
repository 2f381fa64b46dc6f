/**
 * Key facts as a definition list (`dl.summary-list`): each row a term and its text, escaped.
 * Rows without a value (null, undefined, or an empty text with `hideEmpty`) are left out.
 */
export function SummaryList(props: {
  rows: readonly (readonly [term: string, value: string | null | undefined])[];
  hideEmpty?: boolean;
}): JSX.Element {
  const shown = props.rows.filter(([, value]) => value != null && (value !== '' || !props.hideEmpty));
  return (
    <dl class="summary-list">
      {shown.map(([term, value]) => (
        <>
          <dt safe>{term}</dt>
          <dd safe>{value}</dd>
        </>
      ))}
    </dl>
  );
}

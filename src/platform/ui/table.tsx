/** A column heading: its text, and `numeric` for right-aligned figures (class `num`). */
export type Column = string | { label: string; numeric?: boolean };

/**
 * A data table that scrolls sideways on a phone rather than widening the page: a caption
 * (visible, or for screen readers only), column headings with `scope="col"`, then the rows.
 */
export function Table({
  children: safeRows,
  ...props
}: {
  caption: string;
  captionHidden?: boolean;
  className?: string;
  columns: readonly Column[];
  /** The rows (`tr`), already rendered. */
  children: JSX.Element | JSX.Element[];
}): JSX.Element {
  return (
    <div class="table-wrap">
      <table class={props.className}>
        <caption class={props.captionHidden ? 'visually-hidden' : undefined} safe>
          {props.caption}
        </caption>
        <thead>
          <tr>
            {props.columns.map((c) =>
              typeof c === 'string' ? (
                <th scope="col" safe>
                  {c}
                </th>
              ) : (
                <th scope="col" class={c.numeric ? 'num' : undefined} safe>
                  {c.label}
                </th>
              ),
            )}
          </tr>
        </thead>
        <tbody>{safeRows}</tbody>
      </table>
    </div>
  );
}

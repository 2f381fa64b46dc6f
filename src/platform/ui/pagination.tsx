import { safeNumber } from './components.tsx';

/**
 * Previous and next links around « Page 2 sur 5 », for a list longer than a page; nothing
 * when everything fits on one. `more`: the total is capped, so a next page may exist past
 * the last one counted (« Page 5 sur 5 (ou plus) »).
 */
export function Pagination(props: {
  page: number;
  pages: number;
  href: (page: number) => string;
  /** The name of the navigation landmark, for screen readers. */
  label?: string;
  more?: boolean;
}): JSX.Element {
  const { page, pages } = props;
  if (pages <= 1) return '';
  return (
    <nav class="pagination" aria-label={props.label ?? 'Pages'}>
      {page > 1 ? <a href={props.href(page - 1)}>Page précédente</a> : ''}
      <span>
        Page {safeNumber(page)} sur {safeNumber(pages)}
        {props.more ? ' (ou plus)' : ''}
      </span>
      {page < pages || props.more ? <a href={props.href(page + 1)}>Page suivante</a> : ''}
    </nav>
  );
}

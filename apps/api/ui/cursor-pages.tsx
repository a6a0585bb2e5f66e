// Server-side pages for the lists the API pages by keyset (alerts, logs): the cursors seen so far are kept so the
// operator can step back; a change of filters starts again at the first page.
import { useEffect, useState } from 'preact/hooks';

export const useCursorPages = (query: string) => {
  const [cursors, setCursors] = useState<readonly string[]>([]);
  useEffect(() => setCursors([]), [query]);
  const cursor = cursors[cursors.length - 1];
  return {
    /** The query with the current page's cursor. */
    query: cursor === undefined ? query : `${query}${query ? '&' : ''}cursor=${encodeURIComponent(cursor)}`,
    page: cursors.length + 1,
    next: (c: string) => setCursors((cs) => [...cs, c]),
    previous: () => setCursors((cs) => cs.slice(0, -1)),
  };
};

export const CursorPager = ({
  name,
  page,
  nextCursor,
  onNext,
  onPrevious,
}: {
  name: string;
  page: number;
  nextCursor: string | null;
  onNext: (c: string) => void;
  onPrevious: () => void;
}) => (
  <span class="pager" data-pager={name}>
    <button disabled={page === 1} onClick={onPrevious} data-page="previous">
      ‹ Newer
    </button>
    <span data-page-number={page}>page {page}</span>
    <button disabled={nextCursor === null} onClick={() => nextCursor !== null && onNext(nextCursor)} data-page="next">
      Older ›
    </button>
  </span>
);

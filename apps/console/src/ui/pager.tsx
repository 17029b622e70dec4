import { useState } from 'react';

/**
 * The cursors of a paged list (the API's `nextCursor`): the current page's, and the way back.
 * A new `list` (another project, another filter) starts again at its first page.
 */
export const useCursors = (list: string) => {
  const [state, setState] = useState<{ list: string; cursors: Array<string | undefined> }>({
    list,
    cursors: [undefined],
  });
  // Derived, not reset in an effect: no render asks the new list with the old list's cursor.
  const cursors = state.list === list ? state.cursors : [undefined];
  return {
    cursor: cursors[cursors.length - 1],
    first: cursors.length === 1,
    next: (cursor: string) => setState({ list, cursors: [...cursors, cursor] }),
    previous: () => setState({ list, cursors: cursors.length > 1 ? cursors.slice(0, -1) : cursors }),
    restart: () => setState({ list, cursors: [undefined] }),
  };
};

/** Previous and next page buttons for a list paged by `useCursors`. */
export function Pager({
  label,
  pages,
  nextCursor,
}: {
  label: string;
  pages: ReturnType<typeof useCursors>;
  nextCursor: string | null | undefined;
}) {
  return (
    <nav className="pager" aria-label={label}>
      <button type="button" disabled={pages.first} onClick={pages.previous}>
        Previous page
      </button>
      <button type="button" disabled={!nextCursor} onClick={() => nextCursor && pages.next(nextCursor)}>
        Next page
      </button>
    </nav>
  );
}

import { useInView } from "react-intersection-observer";

/** The part of an infinite query (TanStack Query's useInfiniteQuery) that loads further pages. */
export interface MorePages {
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  /** A failed next page stops the automatic loading; the button still tries again. */
  isFetchNextPageError: boolean;
  fetchNextPage: () => Promise<unknown>;
}

/** Loads the next page when the sentinel scrolls into view, with a button for keyboard users. */
export function LoadMore({ list, label = "Load more" }: { list: MorePages; label?: string }) {
  const { hasNextPage, isFetchingNextPage, isFetchNextPageError, fetchNextPage } = list;
  const idle = hasNextPage && !isFetchingNextPage && !isFetchNextPageError;
  // Observe only while idle: a fresh observer reports the sentinel's visibility straight away, so when a page
  // has arrived and the sentinel is still on screen, the next page loads without the user scrolling.
  // Browsers without IntersectionObserver (and jsdom) get the button alone.
  const { ref } = useInView({
    rootMargin: "200px",
    skip: !idle,
    fallbackInView: false,
    onChange: (inView) => {
      if (inView) void fetchNextPage();
    },
  });

  if (!hasNextPage) return null;
  return (
    <div className="load-more" ref={ref}>
      <button type="button" onClick={() => void fetchNextPage()} disabled={isFetchingNextPage}>
        {isFetchingNextPage ? "Loading…" : label}
      </button>
    </div>
  );
}

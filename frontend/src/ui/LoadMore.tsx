import { useEffect, useRef } from "react";

interface LoadMoreProps {
  hasMore: boolean;
  loading: boolean;
  onLoadMore: () => void;
  label?: string;
}

/** Loads the next page when the sentinel scrolls into view, with a button for keyboard users. */
export function LoadMore({ hasMore, loading, onLoadMore, label = "Load more" }: LoadMoreProps) {
  const sentinel = useRef<HTMLDivElement>(null);
  const callback = useRef(onLoadMore);
  callback.current = onLoadMore;

  // Observe only while idle: a fresh observer reports the sentinel's visibility straight away, so when a page
  // finishes loading and the sentinel is still on screen, the next page loads without the user scrolling.
  useEffect(() => {
    const el = sentinel.current;
    if (!el || !hasMore || loading || typeof IntersectionObserver === "undefined") return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) callback.current();
      },
      { rootMargin: "200px" },
    );
    observer.observe(el);
    return () => observer.disconnect();
  }, [hasMore, loading]);

  if (!hasMore) return null;
  return (
    <div className="load-more" ref={sentinel}>
      <button type="button" onClick={onLoadMore} disabled={loading}>
        {loading ? "Loading…" : label}
      </button>
    </div>
  );
}

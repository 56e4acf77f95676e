// Where to scroll a view so that a span (the cursor's cell) shows, moving as little as it can.

/**
 * The scroll offset that shows the span [at, at + length) in a view `visible` long, moving as
 * little as it can from `current`; the start when the span fits there (a row's start, a screen's
 * top: where a person looks first).
 */
export function scrollToShow(current: number, visible: number, at: number, length: number): number {
  if (at + length <= visible) return 0;
  if (at < current) return at;
  if (at + length > current + visible) return at + length - visible;
  return current;
}

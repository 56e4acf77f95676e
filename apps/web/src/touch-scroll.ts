// Swipes scroll the scrollback on touch screens (xterm.js 6.0.0 lost its own touch scrolling, xterm.js#5489).

/** The part of xterm's Terminal a swipe drives. */
export interface Scrollable {
  readonly rows: number;
  readonly buffer: { readonly active: { readonly type: "normal" | "alternate" } };
  scrollLines(amount: number): void;
}

/**
 * Turns one finger's vertical travel into whole lines, carrying the remainder: a finger moving
 * down shows older output, as a touch list does.
 */
export class SwipeLines {
  #lastY: number | null = null;
  #carry = 0;

  /** A finger touched down at `y`. */
  start(y: number): void {
    this.#lastY = y;
    this.#carry = 0;
  }

  /** Lines to scroll for the finger now at `y` (negative: back into the scrollback). */
  move(y: number, lineHeight: number): number {
    if (this.#lastY === null || lineHeight <= 0) return 0;
    this.#carry += this.#lastY - y;
    this.#lastY = y;
    // (+ 0 turns -0 into 0)
    const lines = Math.trunc(this.#carry / lineHeight) + 0;
    this.#carry -= lines * lineHeight;
    return lines;
  }

  /** The finger lifted (or a second one came): moves scroll nothing until the next start. */
  end(): void {
    this.#lastY = null;
  }
}

/**
 * Scrolls `terminal`'s scrollback as one finger swipes over `element`. Full-screen programs (the
 * alternate screen) have no scrollback: their swipes are left alone. Returns the remover.
 */
export function enableTouchScroll(element: HTMLElement, terminal: Scrollable): () => void {
  const swipe = new SwipeLines();
  const onStart = (event: TouchEvent) => {
    const touch = event.touches.length === 1 ? event.touches[0] : undefined;
    if (touch) swipe.start(touch.clientY);
    else swipe.end();
  };
  const onMove = (event: TouchEvent) => {
    const touch = event.touches.length === 1 ? event.touches[0] : undefined;
    if (!touch || terminal.buffer.active.type !== "normal") return;
    const lines = swipe.move(touch.clientY, element.clientHeight / terminal.rows);
    if (lines !== 0) terminal.scrollLines(lines);
    // The page itself must not scroll or bounce instead.
    if (event.cancelable) event.preventDefault();
  };
  const onEnd = () => swipe.end();
  element.addEventListener("touchstart", onStart, { passive: true });
  element.addEventListener("touchmove", onMove, { passive: false });
  element.addEventListener("touchend", onEnd);
  element.addEventListener("touchcancel", onEnd);
  return () => {
    element.removeEventListener("touchstart", onStart);
    element.removeEventListener("touchmove", onMove);
    element.removeEventListener("touchend", onEnd);
    element.removeEventListener("touchcancel", onEnd);
  };
}

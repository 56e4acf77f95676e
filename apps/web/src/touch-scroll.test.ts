// Unit tests of turning a finger's travel into scrolled lines.
import { describe, expect, it } from "vitest";
import { SwipeLines } from "./touch-scroll.js";

describe("SwipeLines", () => {
  it("scrolls back as the finger moves down, a line per line height, carrying the rest", () => {
    const swipe = new SwipeLines();
    swipe.start(100);
    expect(swipe.move(110, 16)).toBe(0);
    expect(swipe.move(125, 16)).toBe(-1); // 25 px down: one line, 9 px carried
    expect(swipe.move(132, 16)).toBe(-1); // 9 + 7 = 16
    expect(swipe.move(100, 16)).toBe(2); // back up 32 px: two lines forward
  });

  it("does nothing before a touch starts or after it ends", () => {
    const swipe = new SwipeLines();
    expect(swipe.move(50, 16)).toBe(0);
    swipe.start(0);
    swipe.end();
    expect(swipe.move(100, 16)).toBe(0);
  });
});

// Unit tests of scrolling a view just enough to show the cursor's cell.
import { describe, expect, it } from "vitest";
import { scrollToShow } from "./scroll-to-show.js";

describe("scrollToShow", () => {
  it("goes back to the start whenever the span fits there", () => {
    expect(scrollToShow(34, 300, 33.7, 8)).toBe(0);
    expect(scrollToShow(0, 300, 292, 8)).toBe(0);
  });

  it("moves as little as it can to show a span past the first view", () => {
    expect(scrollToShow(0, 300, 400, 10)).toBe(110);
    expect(scrollToShow(500, 300, 400, 10)).toBe(400);
    expect(scrollToShow(200, 300, 400, 10)).toBe(200);
  });
});

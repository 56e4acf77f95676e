// Refusal logging: the first at once, the rest summed once per interval, a burst never left untold.
import { afterEach, describe, expect, it, vi } from "vitest";
import { LogThrottle, REFUSAL_LOG_INTERVAL_MS, REFUSAL_LOG_MAX_SOURCES } from "./log-throttle.js";

afterEach(() => {
  vi.useRealTimers();
});

/** A throttle on fake timers, and the lines it wrote as [count, sources]. */
function recorded() {
  vi.useFakeTimers();
  const lines: [number, string[]][] = [];
  const throttle = new LogThrottle(
    (count, sources) => lines.push([count, sources]),
    REFUSAL_LOG_INTERVAL_MS,
    () => Date.now(),
  );
  return { lines, throttle };
}

describe("LogThrottle", () => {
  it("logs the first event at once and sums the rest when the interval is up", () => {
    const { lines, throttle } = recorded();
    throttle.note("10.0.0.1");
    expect(lines).toEqual([[1, ["10.0.0.1"]]]);
    throttle.note("10.0.0.2");
    throttle.note("10.0.0.2");
    vi.advanceTimersByTime(REFUSAL_LOG_INTERVAL_MS - 1);
    expect(lines).toHaveLength(1);
    // Nothing more came, yet the two are told when the interval is up.
    vi.advanceTimersByTime(1);
    expect(lines).toEqual([
      [1, ["10.0.0.1"]],
      [2, ["10.0.0.2"]],
    ]);
    // A later event, after a quiet interval, is logged at once again.
    vi.advanceTimersByTime(REFUSAL_LOG_INTERVAL_MS);
    throttle.note("10.0.0.3");
    expect(lines.at(-1)).toEqual([1, ["10.0.0.3"]]);
    // At shutdown the refusals since the last line are written at once, not dropped.
    throttle.note("10.0.0.4");
    expect(lines).toHaveLength(3);
    throttle.flush();
    expect(lines.at(-1)).toEqual([1, ["10.0.0.4"]]);
    throttle.flush();
    expect(lines).toHaveLength(4);
  });

  it(`counts every event but names at most ${REFUSAL_LOG_MAX_SOURCES} sources a line`, () => {
    const { lines, throttle } = recorded();
    throttle.note("first");
    for (let i = 0; i < 1000; i++) throttle.note(`10.0.${Math.floor(i / 250)}.${i % 250}`);
    vi.advanceTimersByTime(REFUSAL_LOG_INTERVAL_MS);
    const [count, sources] = lines.at(-1)!;
    expect(count).toBe(1000);
    expect(sources).toHaveLength(REFUSAL_LOG_MAX_SOURCES);
    throttle.flush();
  });
});

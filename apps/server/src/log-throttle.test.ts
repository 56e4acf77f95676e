import { describe, expect, it } from "vitest";
import { LogThrottle, REFUSAL_LOG_INTERVAL_MS } from "./log-throttle.js";

describe("LogThrottle", () => {
  it("logs the first event at once, then one line per interval that counts the quiet ones", () => {
    let now = 1000;
    const throttle = new LogThrottle(REFUSAL_LOG_INTERVAL_MS, () => now);
    expect(throttle.note()).toBe(1);
    now += 1;
    expect(throttle.note()).toBeNull();
    now += REFUSAL_LOG_INTERVAL_MS - 2; // one millisecond short of the interval
    expect(throttle.note()).toBeNull();
    now += 1; // exactly the interval after the last line
    expect(throttle.note()).toBe(3);
    now += REFUSAL_LOG_INTERVAL_MS * 5;
    expect(throttle.note()).toBe(1);
  });
});

// The input-rate token bucket, at its edges and across floating-point clock readings.
import { afterEach, describe, expect, it, vi } from "vitest";
import { RateLimiter } from "./rate-limit.js";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("RateLimiter", () => {
  it("allows exactly perSecond calls at once, and perSecond again a second later", () => {
    // A clock reading whose sum with 1000 is not exact in floating point.
    let now = 12345.678901;
    vi.spyOn(performance, "now").mockImplementation(() => now);
    const limiter = new RateLimiter(500);
    const burst = () => Array.from({ length: 501 }, () => limiter.take()).filter(Boolean).length;
    expect(burst()).toBe(500);
    now += 1000;
    expect(burst()).toBe(500);
    now += 1.9;
    expect(limiter.take()).toBe(false);
    now += 0.1;
    expect(limiter.take()).toBe(true);
  });
});

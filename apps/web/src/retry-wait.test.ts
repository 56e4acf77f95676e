// Unit tests of the reconnect wait that "Retry now" cuts short.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { RetryWait, RetryWaitCancelled } from "./retry-wait.js";

describe("RetryWait", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  /** Resolves to "done", or "pending" when `promise` has not settled after the microtasks ran. */
  async function settled(promise: Promise<void>): Promise<string> {
    return Promise.race([
      promise.then(() => "done"),
      new Promise<string>((resolve) =>
        queueMicrotask(() => queueMicrotask(() => resolve("pending"))),
      ),
    ]);
  }

  it("waits out the delay when nothing cuts it short", async () => {
    const wait = new RetryWait();
    const done = wait.wait(4000);
    expect(wait.waiting).toBe(true);
    vi.advanceTimersByTime(3999);
    expect(await settled(done)).toBe("pending");
    vi.advanceTimersByTime(1);
    expect(await settled(done)).toBe("done");
    expect(wait.waiting).toBe(false);
  });

  it("ends the wait at once on skip, and says when there was none to skip", async () => {
    const wait = new RetryWait();
    expect(wait.skip()).toBe(false);
    const done = wait.wait(10_000);
    expect(wait.skip()).toBe(true);
    expect(await settled(done)).toBe("done");
    expect(wait.waiting).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
    expect(wait.skip()).toBe(false);
  });

  it("does not wait for no delay", async () => {
    const wait = new RetryWait();
    expect(await settled(wait.wait(0))).toBe("done");
    expect(wait.waiting).toBe(false);
  });

  it("rejects the wait under way and every later one once cancelled", async () => {
    const wait = new RetryWait();
    const done = wait.wait(5000);
    wait.cancel();
    await expect(done).rejects.toBeInstanceOf(RetryWaitCancelled);
    await expect(wait.wait(0)).rejects.toBeInstanceOf(RetryWaitCancelled);
    expect(wait.skip()).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });
});

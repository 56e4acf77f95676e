import { describe, expect, it, vi } from "vitest";
import { afterMs, ChangeSignal, firstChange, isAborted, type OnChange } from "./change-signal.js";

describe("ChangeSignal", () => {
  it("wakes each waiter once per notify, and a cancelled one not at all", () => {
    const signal = new ChangeSignal();
    const woken: string[] = [];
    signal.once(() => woken.push("a"));
    const cancel = signal.once(() => woken.push("b"));
    cancel();
    signal.notify();
    signal.notify();
    expect(woken).toEqual(["a"]);
    expect(signal.waiting).toBe(0);
  });

  it("changed() resolves at the next notify and leaves nothing behind when aborted", async () => {
    const signal = new ChangeSignal();
    const next = signal.changed();
    signal.notify();
    await next;
    const abort = new AbortController();
    const given = signal.changed(abort.signal);
    expect(signal.waiting).toBe(1);
    abort.abort();
    await given;
    expect(signal.waiting).toBe(0);
  });
});

describe("firstChange", () => {
  it("resolves at the first source's change and cancels the others", async () => {
    const a = new ChangeSignal();
    const b = new ChangeSignal();
    const wait = firstChange([a.once, b.once]);
    expect([a.waiting, b.waiting]).toEqual([1, 1]);
    b.notify();
    await wait;
    expect([a.waiting, b.waiting]).toEqual([0, 0]);
  });

  it("resolves when the signal aborts, cancelling every source", async () => {
    const a = new ChangeSignal();
    const abort = new AbortController();
    const wait = firstChange([a.once], abort.signal);
    abort.abort();
    await wait;
    expect(a.waiting).toBe(0);
    expect(isAborted(abort.signal)).toBe(true);
  });

  it("listens to a signal once for all its waits, however many there are", async () => {
    const a = new ChangeSignal();
    const abort = new AbortController();
    const add = vi.spyOn(abort.signal, "addEventListener");
    const remove = vi.spyOn(abort.signal, "removeEventListener");
    for (let i = 0; i < 100; i++) {
      const wait = firstChange([a.once], abort.signal);
      a.notify();
      await wait;
    }
    expect(add).toHaveBeenCalledTimes(1);
    expect(remove).not.toHaveBeenCalled();
    // And the hundred finished waits left nothing to wake when it aborts.
    const last = firstChange([a.once], abort.signal);
    abort.abort();
    await last;
    expect(a.waiting).toBe(0);
  });

  it("registers nothing when the signal has already aborted", async () => {
    const a = new ChangeSignal();
    const abort = new AbortController();
    abort.abort();
    await firstChange([a.once], abort.signal);
    expect(a.waiting).toBe(0);
  });

  it("handles a source that wakes while it is registered: the rest are cancelled at once", async () => {
    const a = new ChangeSignal();
    const b = new ChangeSignal();
    const immediate: OnChange = (wake) => {
      wake();
      return () => undefined;
    };
    await firstChange([a.once, immediate, b.once], new AbortController().signal);
    expect([a.waiting, b.waiting]).toEqual([0, 0]);
  });
});

describe("afterMs", () => {
  it("wakes after its delay, and never once cancelled", () => {
    vi.useFakeTimers();
    try {
      const woken: string[] = [];
      afterMs(10)(() => woken.push("kept"));
      const cancel = afterMs(10)(() => woken.push("cancelled"));
      cancel();
      vi.advanceTimersByTime(9);
      expect(woken).toEqual([]);
      vi.advanceTimersByTime(1);
      expect(woken).toEqual(["kept"]);
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});

// Input order: calls applied in seq order, exactly once, whatever order they arrive in.
import { afterEach, describe, expect, it, vi } from "vitest";
import { InputSequencer } from "./input-sequencer.js";
import { MAX_HELD_INPUT_BYTES_PER_SESSION, MAX_HELD_INPUTS } from "./limits.js";

afterEach(() => {
  vi.useRealTimers();
});

/** A sequencer and a record of what it applied, in order. */
function setup(gapMs = 1000) {
  const applied: string[] = [];
  const sequencer = new InputSequencer(gapMs);
  const send = (seq: number, data: string, client = "c", bytes = 0) =>
    sequencer.submit(
      "s",
      client,
      seq,
      () => {
        applied.push(data);
        return Promise.resolve();
      },
      bytes,
    );
  return { sequencer, applied, send };
}

describe("InputSequencer", () => {
  it("applies in seq order whatever order calls arrive in", async () => {
    const { applied, send } = setup();
    const results = await Promise.all([send(2, "c"), send(0, "a"), send(3, "d"), send(1, "b")]);
    expect(applied).toEqual(["a", "b", "c", "d"]);
    expect(results.every((r) => r.status === "applied" && r.skipped === 0)).toBe(true);
  });

  it("finishes each call before starting the next, however long each takes", async () => {
    const applied: string[] = [];
    const sequencer = new InputSequencer();
    const slow = (data: string, ms: number) => () =>
      new Promise<void>((resolve) =>
        setTimeout(() => {
          applied.push(data);
          resolve();
        }, ms),
      );
    await Promise.all([
      sequencer.submit("s", "c", 0, slow("first", 30)),
      sequencer.submit("s", "c", 1, slow("second", 0)),
    ]);
    expect(applied).toEqual(["first", "second"]);
  });

  it("ignores a resend of a seq already applied", async () => {
    const { applied, send } = setup();
    await send(0, "a");
    expect(await send(0, "a")).toEqual({ status: "duplicate", skipped: 0 });
    expect(applied).toEqual(["a"]);
  });

  it("ignores a resend of a seq that is still held", async () => {
    const { applied, send } = setup();
    const held = send(1, "b");
    expect(await send(1, "b")).toEqual({ status: "duplicate", skipped: 0 });
    await send(0, "a");
    await held;
    expect(applied).toEqual(["a", "b"]);
  });

  it("keeps clients apart: each has its own seq stream", async () => {
    const { applied, send } = setup();
    await send(0, "a1", "one");
    await send(0, "b1", "two");
    expect(applied).toEqual(["a1", "b1"]);
  });

  it("skips a gap that stays open and says how many seqs were lost", async () => {
    vi.useFakeTimers();
    const { applied, send } = setup(1000);
    await send(0, "a");
    const later = send(3, "d");
    await vi.advanceTimersByTimeAsync(999);
    expect(applied).toEqual(["a"]);
    await vi.advanceTimersByTimeAsync(1);
    expect(await later).toEqual({ status: "applied", skipped: 2 });
    expect(applied).toEqual(["a", "d"]);
    expect(await send(1, "b")).toEqual({ status: "duplicate", skipped: 0 });
  });

  it(`holds at most ${MAX_HELD_INPUTS} calls out of order`, async () => {
    const { send } = setup();
    const held = Array.from({ length: MAX_HELD_INPUTS }, (_, i) => send(i + 1, "x"));
    await expect(send(MAX_HELD_INPUTS + 1, "x")).rejects.toMatchObject({ code: "LIMIT" });
    await send(0, "go");
    await Promise.all(held);
  });

  it("holds at most MAX_HELD_INPUT_BYTES_PER_SESSION bytes out of order over all clients", async () => {
    const { sequencer, send, applied } = setup();
    const quarter = MAX_HELD_INPUT_BYTES_PER_SESSION / 4;
    // Four clients each hold a quarter, waiting for their seq 0: the session's bound, exactly.
    const held = ["a", "b", "c", "d"].map((client) => send(1, client, client, quarter));
    expect(sequencer.heldBytes("s")).toBe(MAX_HELD_INPUT_BYTES_PER_SESSION);
    // One byte more is refused, from a fifth client as from one that holds already.
    await expect(send(1, "e", "e", 1)).rejects.toMatchObject({ code: "LIMIT" });
    await expect(send(2, "a2", "a", 1)).rejects.toMatchObject({ code: "LIMIT" });
    // Calls in order never wait, so they pass; a refused seq was not taken and may come again.
    await send(0, "a0", "a", quarter);
    await held[0];
    expect(sequencer.heldBytes("s")).toBe(MAX_HELD_INPUT_BYTES_PER_SESSION - quarter);
    await send(2, "a2", "a", 1);
    expect(applied).toEqual(["a0", "a", "a2"]);
    sequencer.forget("s");
    await Promise.allSettled(held);
  });

  it("gives back the bytes of held calls when their gap is skipped", async () => {
    vi.useFakeTimers();
    const { sequencer, send, applied } = setup(1000);
    const held = [send(1, "b", "c", 300), send(2, "c", "c", 200)];
    expect(sequencer.heldBytes("s")).toBe(500);
    await vi.advanceTimersByTimeAsync(1000);
    expect(await Promise.all(held)).toEqual([
      { status: "applied", skipped: 1 },
      { status: "applied", skipped: 0 },
    ]);
    expect(applied).toEqual(["b", "c"]);
    expect(sequencer.heldBytes("s")).toBe(0);
  });

  it("fails held calls when the session is forgotten", async () => {
    const { sequencer, send } = setup();
    const held = send(5, "x");
    sequencer.forget("s");
    await expect(held).rejects.toMatchObject({ code: "SESSION_ENDED" });
  });
});

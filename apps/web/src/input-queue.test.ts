// Unit tests of seq numbering, resends with the same seq, merging, paste splitting and in-flight bounds.
import { MAX_INPUT_BYTES } from "@porthole/protocol";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  classifyFailure,
  frameBytes,
  InputQueue,
  splitInput,
  utf8Length,
  type SequencedCall,
} from "./input-queue.js";

/** What tRPC's client rejects with when the socket closed under a call. */
function connectionLost(): Error {
  const cause = new Error("WebSocket closed");
  cause.name = "TRPCWebSocketClosedError";
  return Object.assign(new Error("WebSocket closed", { cause }), { name: "TRPCClientError" });
}

/** A server error carrying our code, as tRPC delivers it. */
function serverError(code: string, message = code): Error {
  return Object.assign(new Error(message), { name: "TRPCClientError", data: { porthole: code } });
}

interface Deferred {
  call: SequencedCall;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** A send function whose calls the test settles by hand. */
function manualSend() {
  const calls: Deferred[] = [];
  const send = (call: SequencedCall) =>
    new Promise<unknown>((resolve, reject) => {
      calls.push({ call, resolve: () => resolve({ status: "applied" }), reject });
    });
  return { calls, send };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

afterEach(() => {
  vi.useRealTimers();
});

describe("splitInput", () => {
  it("keeps short input whole", () => {
    expect(splitInput("ls -la\r")).toEqual(["ls -la\r"]);
  });

  it("splits a big paste within the byte limit, never inside a character", () => {
    const text = "€😀a".repeat(40_000);
    const pieces = splitInput(text);
    expect(pieces.join("")).toBe(text);
    for (const piece of pieces) {
      expect(utf8Length(piece)).toBeLessThanOrEqual(MAX_INPUT_BYTES);
      expect(new TextEncoder().encode(piece).byteLength).toBe(utf8Length(piece));
      // No lone surrogate at either end.
      expect(/[\uD800-\uDBFF]$|^[\uDC00-\uDFFF]/.test(piece)).toBe(false);
    }
    expect(pieces.length).toBeGreaterThan(1);
  });

  it("counts JSON escapes against the frame budget", () => {
    const controls = "\x1b".repeat(1000);
    expect(frameBytes(controls)).toBe(6000);
    const pieces = splitInput(controls, MAX_INPUT_BYTES, 600);
    expect(pieces.every((piece) => frameBytes(piece) <= 600)).toBe(true);
    expect(pieces.join("")).toBe(controls);
    expect(frameBytes('a"\\\n\r\t\b\f')).toBe(1 + 2 * 7);
  });
});

describe("classifyFailure", () => {
  it("resends after a lost socket, waits after a rate limit, stops when the session is gone", () => {
    expect(classifyFailure(connectionLost())).toBe("resend");
    expect(classifyFailure(serverError("LIMIT"))).toBe("resend-later");
    expect(classifyFailure(serverError("NOT_FOUND"))).toBe("fatal");
    expect(classifyFailure(serverError("UNAUTHORIZED"))).toBe("fatal");
    expect(classifyFailure(serverError("SESSION_ENDED"))).toBe("fatal");
    expect(classifyFailure(serverError("BAD_INPUT"))).toBe("drop");
    expect(classifyFailure(new Error("odd"))).toBe("drop");
  });
});

describe("InputQueue", () => {
  it("numbers input and resizes in one sequence from 0, and sends nothing before open()", async () => {
    const { calls, send } = manualSend();
    const queue = new InputQueue({ send });
    queue.resize(100, 30);
    queue.input("a");
    await flush();
    expect(calls).toEqual([]);
    queue.open();
    expect(calls.map((entry) => entry.call)).toEqual([
      { seq: 0, type: "resize", cols: 100, rows: 30 },
      { seq: 1, type: "input", data: "a" },
    ]);
  });

  it("counts typed calls waiting or in flight, not sizes or the terminal's answers", async () => {
    const { calls, send } = manualSend();
    const queue = new InputQueue({ send, maxInflightCalls: 1 });
    queue.resize(100, 30);
    queue.input("\x1b[1;1R", true);
    expect(queue.typing).toBe(0);
    queue.input("a");
    expect(queue.typing).toBe(1);
    queue.open();
    expect(queue.typing).toBe(1);
    for (let answered = 0; answered < 3; answered++) {
      calls[answered]!.resolve();
      await flush();
    }
    expect(queue.typing).toBe(0);
  });

  it("merges typing that waits to be sent into one call, and never changes a call once sent", () => {
    const { calls, send } = manualSend();
    const queue = new InputQueue({ send, maxInflightCalls: 1 });
    queue.open();
    queue.input("e");
    queue.input("c");
    queue.input("h");
    queue.input("o");
    expect(calls.map((entry) => entry.call)).toEqual([{ seq: 0, type: "input", data: "e" }]);
    calls[0]!.resolve();
    return flush().then(() => {
      expect(calls.map((entry) => entry.call)).toEqual([
        { seq: 0, type: "input", data: "e" },
        { seq: 1, type: "input", data: "cho" },
      ]);
      expect(queue.nextSeq).toBe(2);
    });
  });

  it("never merges the terminal's answers to queries with typing, and marks them", () => {
    const { calls, send } = manualSend();
    const queue = new InputQueue({ send, maxInflightCalls: 1 });
    queue.open();
    queue.input("a");
    queue.input("b");
    queue.input("\x1b[1;1R", true);
    queue.input("\x1b[?1;2c", true);
    queue.input("c");
    const settle = async (count: number) => {
      for (let i = 0; i < count; i++) {
        calls[i]!.resolve();
        await flush();
      }
    };
    return settle(3).then(() => {
      expect(calls.map((entry) => entry.call)).toEqual([
        { seq: 0, type: "input", data: "a" },
        { seq: 1, type: "input", data: "b" },
        { seq: 2, type: "input", data: "\x1b[1;1R\x1b[?1;2c", answer: true },
        { seq: 3, type: "input", data: "c" },
      ]);
    });
  });

  it("replaces a resize still waiting rather than queueing another", () => {
    const { calls, send } = manualSend();
    const queue = new InputQueue({ send });
    queue.resize(80, 24);
    queue.resize(90, 30);
    queue.resize(100, 40);
    queue.open();
    expect(calls.map((entry) => entry.call)).toEqual([
      { seq: 0, type: "resize", cols: 100, rows: 40 },
    ]);
  });

  it("sends a call again with the same seq when its socket closed, ahead of newer calls", async () => {
    const { calls, send } = manualSend();
    const queue = new InputQueue({ send, maxInflightCalls: 2 });
    queue.open();
    queue.input("1");
    queue.input("2");
    queue.input("3");
    expect(calls.map((entry) => entry.call.seq)).toEqual([0, 1]);
    calls[0]!.reject(connectionLost());
    calls[1]!.reject(connectionLost());
    await flush();
    // Both go again with their own seqs, before seq 2.
    expect(calls.slice(2).map((entry) => entry.call)).toEqual([
      { seq: 0, type: "input", data: "1" },
      { seq: 1, type: "input", data: "2" },
    ]);
    calls[2]!.resolve();
    calls[3]!.resolve();
    await flush();
    expect(calls.slice(4).map((entry) => entry.call)).toEqual([
      { seq: 2, type: "input", data: "3" },
    ]);
  });

  it("does not merge new typing into a call waiting to be sent again", async () => {
    const { calls, send } = manualSend();
    const queue = new InputQueue({ send, maxInflightCalls: 1 });
    queue.open();
    queue.input("a");
    calls[0]!.reject(connectionLost());
    queue.input("b");
    await flush();
    expect(calls.map((entry) => entry.call)).toEqual([
      { seq: 0, type: "input", data: "a" },
      { seq: 0, type: "input", data: "a" },
    ]);
    calls[1]!.resolve();
    await flush();
    expect(calls[2]?.call).toEqual({ seq: 1, type: "input", data: "b" });
  });

  it("waits after a rate limit, then sends the same seq again", async () => {
    vi.useFakeTimers();
    const { calls, send } = manualSend();
    const queue = new InputQueue({ send, retryDelayMs: 200 });
    queue.open();
    queue.input("x");
    calls[0]!.reject(serverError("LIMIT", "Too many input calls: slow down"));
    await vi.advanceTimersByTimeAsync(100);
    queue.input("y");
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(150);
    expect(calls.slice(1).map((entry) => entry.call)).toEqual([
      { seq: 0, type: "input", data: "x" },
      { seq: 1, type: "input", data: "y" },
    ]);
  });

  it("drops a refused call and goes on; stops for good when the session is gone", async () => {
    const { calls, send } = manualSend();
    const dropped: number[] = [];
    const fatal: unknown[] = [];
    const queue = new InputQueue({
      send,
      onDropped: (call) => dropped.push(call.seq),
      onFatal: (error) => fatal.push(error),
    });
    queue.open();
    queue.input("a");
    calls[0]!.reject(serverError("BAD_INPUT"));
    await flush();
    queue.input("b");
    expect(dropped).toEqual([0]);
    expect(calls[1]?.call.seq).toBe(1);
    calls[1]!.reject(serverError("SESSION_ENDED"));
    await flush();
    expect(fatal).toHaveLength(1);
    expect(queue.closed).toBe(true);
    queue.input("c");
    await flush();
    expect(calls).toHaveLength(2);
  });

  it("keeps calls and bytes in flight bounded (one batch frame stays small)", () => {
    const { calls, send } = manualSend();
    const queue = new InputQueue({
      send,
      maxInflightCalls: 4,
      maxInflightBytes: 100_000,
      maxChunkBytes: 40_000,
    });
    queue.open();
    queue.input("p".repeat(200_000));
    const inflight = calls.reduce(
      (sum, entry) => sum + (entry.call.type === "input" ? entry.call.data.length : 0),
      0,
    );
    expect(calls.length).toBe(2);
    expect(inflight).toBeLessThanOrEqual(100_000);
    expect(queue.waiting).toBe(3);
  });

  it("applies everything exactly once, in order, whatever the socket does", async () => {
    // A server that applies calls in seq order and answers duplicates, like the real sequencer.
    const applied: string[] = [];
    let next = 0;
    const held = new Map<number, { call: SequencedCall; done: () => void }>();
    const deliver = (call: SequencedCall, done: () => void) => {
      if (call.seq < next || held.has(call.seq)) return done();
      held.set(call.seq, { call, done });
      for (let entry = held.get(next); entry; entry = held.get(next)) {
        held.delete(next);
        next++;
        if (entry.call.type === "input") applied.push(entry.call.data);
        entry.done();
      }
    };
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const send = (call: SequencedCall) =>
      new Promise<unknown>((resolve, reject) => {
        const roll = random();
        setTimeout(
          () => {
            if (roll < 0.15) return reject(connectionLost()); // lost on the way
            if (roll < 0.3) return deliver(call, () => reject(connectionLost())); // answer lost
            deliver(call, () => resolve({ status: "applied" }));
          },
          Math.floor(random() * 3),
        );
      });
    const queue = new InputQueue({ send, maxInflightCalls: 4 });
    queue.open();
    const typed: string[] = [];
    for (let i = 0; i < 300; i++) {
      const key = `k${i};`;
      typed.push(key);
      queue.input(key);
      if (i % 7 === 0) queue.resize(80 + (i % 3), 24);
      if (i % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await vi.waitFor(() => expect(queue.inflight + queue.waiting).toBe(0), { timeout: 5000 });
    expect(applied.join("")).toBe(typed.join(""));
  });
});

// The offset-addressed output log: reads at the edges, wrap-around, UTF-8 boundaries, wake-ups.
import { describe, expect, it } from "vitest";
import { OutputLog } from "./output-log.js";

/** Everything from `from` to the end, read as a client would: slice after slice. */
function readAll(log: OutputLog, from: number, max = 1 << 20): Buffer | undefined {
  const pieces: Buffer[] = [];
  for (let at = from; ;) {
    const slice = log.read(at, max);
    if (!slice) return undefined;
    if (slice.to === slice.from) return Buffer.concat(pieces);
    pieces.push(slice.bytes);
    at = slice.to;
  }
}

const text = (log: OutputLog, from: number, max = 1 << 20) =>
  readAll(log, from, max)?.toString("utf8");

describe("OutputLog", () => {
  it("reads back exactly what was appended, from any offset", () => {
    const log = new OutputLog({ capacity: 1024, blockSize: 16 });
    log.append(Buffer.from("hello "));
    log.append(Buffer.from("world, across several blocks"));
    expect(log.end).toBe(34);
    expect(text(log, 0)).toBe("hello world, across several blocks");
    expect(text(log, 6)).toBe("world, across several blocks");
    expect(text(log, 34)).toBe("");
  });

  it("stops a read at the end of its block and hands out a view, not a copy", () => {
    const log = new OutputLog({ capacity: 1024, blockSize: 16 });
    const bytes = Buffer.from("0123456789abcdefXYZ");
    log.append(bytes);
    const first = log.read(4, 100)!;
    expect([first.from, first.to, first.bytes.toString()]).toEqual([4, 16, "456789abcdef"]);
    expect(log.read(16, 100)).toMatchObject({ from: 16, to: 19 });
    // A view: the same memory as the log's block (blocks are never written twice).
    const again = log.read(4, 100)!;
    expect(again.bytes.buffer).toBe(first.bytes.buffer);
    expect(again.bytes.byteOffset).toBe(first.bytes.byteOffset);
  });

  it("reuses a dropped block only on a later turn of the loop, so views read now stay intact", async () => {
    const block = 4096; // big enough for a block of its own, not a slice of Node's buffer pool
    const log = new OutputLog({ capacity: 4 * block, blockSize: block });
    log.append(Buffer.alloc(5 * block, "a"));
    const first = log.read(0, block)!;
    const second = log.read(block, block)!;
    // This turn: the two oldest blocks are dropped and new ones filled; their views are untouched.
    log.append(Buffer.alloc(2 * block, "b"));
    expect(log.read(0, block)).toBeNull();
    expect(log.read(block, block)).toBeNull();
    expect(first.bytes.toString()).toBe("a".repeat(block));
    expect(second.bytes.toString()).toBe("a".repeat(block));
    // A later turn: new output goes into a dropped block instead of new memory.
    await new Promise((resolve) => setImmediate(resolve));
    log.append(Buffer.alloc(block, "c"));
    const newest = log.read(log.end - block, block)!;
    expect(newest.bytes.toString()).toBe("c".repeat(block));
    expect([first.bytes.buffer, second.bytes.buffer]).toContain(newest.bytes.buffer);
  });

  it("copies a character that straddles two blocks whole, with at most 3 bytes after it", () => {
    const log = new OutputLog({ capacity: 1024, blockSize: 8 });
    log.append(Buffer.from("abcdef€xyz")); // € (3 bytes) sits at 6..9, across the boundary at 8
    expect(log.read(0, 100)).toMatchObject({ from: 0, to: 6 });
    const straddling = log.read(6, 100)!;
    expect(straddling.bytes.toString().startsWith("€")).toBe(true);
    expect(straddling.to).toBeLessThanOrEqual(8 + 3);
    expect(log.read(straddling.to, 100)).toMatchObject({ from: straddling.to, to: 12 });
    expect(text(log, 0)).toBe("abcdef€xyz");
  });

  it("reads nothing past the end rather than failing", () => {
    const log = new OutputLog();
    log.append(Buffer.from("abc"));
    expect(log.read(10, 100)).toEqual({ from: 3, to: 3, bytes: Buffer.alloc(0) });
  });

  it("caps a read at maxBytes and says where it stopped", () => {
    const log = new OutputLog({ capacity: 1024, blockSize: 8 });
    log.append(Buffer.from("0123456789abcdef0123"));
    const slice = log.read(8, 10)!;
    expect([slice.from, slice.to, slice.bytes.toString()]).toEqual([8, 16, "89abcdef"]);
    const capped = log.read(9, 3)!;
    expect([capped.from, capped.to, capped.bytes.toString()]).toEqual([9, 12, "9ab"]);
  });

  it("drops the oldest blocks past capacity and keeps at least capacity bytes", () => {
    const log = new OutputLog({ capacity: 64, blockSize: 16 });
    for (let i = 0; i < 100; i++) log.append(Buffer.from(String(i % 10)));
    expect(log.end).toBe(100);
    expect(log.retainedBytes).toBeGreaterThanOrEqual(64);
    expect(log.retainedBytes).toBeLessThanOrEqual(64 + 2 * 16);
    expect(log.start % 16).toBe(0);
    expect(log.read(log.start - 1, 10)).toBeNull();
    expect(log.read(0, 10)).toBeNull();
    expect(text(log, log.start)).toBe(
      Array.from({ length: 100 - log.start }, (_, i) => String((log.start + i) % 10)).join(""),
    );
  });

  it("keeps offsets exact through many wrap-arounds", () => {
    const log = new OutputLog({ capacity: 100, blockSize: 32 });
    const all: number[] = [];
    for (let i = 0; i < 5000; i++) {
      const chunk = Buffer.alloc((i % 7) + 1, i % 128);
      log.append(chunk);
      all.push(...chunk);
    }
    expect([...readAll(log, log.start)!]).toEqual(all.slice(log.start));
  });

  it("never ends a read inside a UTF-8 character", () => {
    const log = new OutputLog({ capacity: 1024, blockSize: 4 });
    const euro = Buffer.from("€"); // e2 82 ac
    log.append(Buffer.from("a"));
    log.append(euro.subarray(0, 2));
    expect(log.read(0, 100)).toMatchObject({ from: 0, to: 1 });
    log.append(euro.subarray(2));
    expect(text(log, 0)).toBe("a€");
    // A read capped inside the character stops before it; the next one takes it whole.
    expect(log.read(0, 2)).toMatchObject({ to: 1 });
    expect(text(log, 1, 3)).toBe("€");
    const emoji = Buffer.from("😀"); // 4 bytes
    log.append(emoji.subarray(0, 3));
    expect(log.read(4, 100)).toMatchObject({ from: 4, to: 4 });
    log.append(emoji.subarray(3));
    expect(text(log, 4)).toBe("😀");
  });

  it("starts a read at a character boundary when asked from inside one", () => {
    const log = new OutputLog();
    log.append(Buffer.from("€x"));
    expect(log.read(1, 100)).toMatchObject({ from: 3, to: 4 });
  });

  it("delivers a broken character at the end once closed", () => {
    const log = new OutputLog();
    log.append(Buffer.from([0x61, 0xe2, 0x82]));
    expect(log.read(0, 100)!.to).toBe(1);
    log.close();
    expect(log.read(0, 100)!.to).toBe(3);
  });

  it("passes invalid bytes through instead of waiting on them", () => {
    const log = new OutputLog();
    log.append(Buffer.from([0x61, 0xff, 0x62]));
    expect(log.read(0, 100)!.to).toBe(3);
  });

  it("wakes a waiting reader on append and on close", async () => {
    const log = new OutputLog();
    const first = log.changed();
    log.append(Buffer.from("x"));
    await first;
    const second = log.changed();
    log.close();
    await second;
    await log.changed();
    expect(() => log.append(Buffer.from("y"))).toThrow(/after close/);
  });
});

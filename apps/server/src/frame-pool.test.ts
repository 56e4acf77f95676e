// FramePool: lends buffers for frames up to its size, takes each back once, keeps a bounded few.
import {
  createWireEncoder,
  FLOW_EVENT_BYTES,
  FLOW_MAX_EVENT_BYTES,
  wireEncoder,
} from "@porthole/protocol";
import { DEFAULT_MAX_EVENT_BYTES } from "@porthole/sandbox";
import { describe, expect, it } from "vitest";
import { FramePool } from "./frame-pool.js";
import { FRAME_POOL_BUFFER_BYTES, FRAME_POOL_MAX_FREE, FRAME_POOL_MIN_BYTES } from "./limits.js";

const FLOOD_FRAME = FRAME_POOL_MIN_BYTES;

describe("FramePool", () => {
  it("lends a frame of exactly FRAME_POOL_MIN_BYTES and not one byte less", () => {
    const pool = new FramePool();
    const fits = pool.allocate(FRAME_POOL_MIN_BYTES);
    const under = pool.allocate(FRAME_POOL_MIN_BYTES - 1);
    expect(pool.lent(fits)).toBe(true);
    expect(under.length).toBe(FRAME_POOL_MIN_BYTES - 1);
    expect(pool.lent(under)).toBe(false);
  });

  it("lends a frame of exactly FRAME_POOL_BUFFER_BYTES and not one byte more", () => {
    const pool = new FramePool();
    const fits = pool.allocate(FRAME_POOL_BUFFER_BYTES);
    const over = pool.allocate(FRAME_POOL_BUFFER_BYTES + 1);
    expect(fits.length).toBe(FRAME_POOL_BUFFER_BYTES);
    expect(pool.lent(fits)).toBe(true);
    expect(over.length).toBe(FRAME_POOL_BUFFER_BYTES + 1);
    expect(pool.lent(over)).toBe(false);
  });

  it("lends the same memory again only after it was released", () => {
    const pool = new FramePool();
    const first = pool.allocate(FLOOD_FRAME);
    const second = pool.allocate(FLOOD_FRAME);
    expect(second.buffer).not.toBe(first.buffer);
    pool.release(first);
    expect(pool.lent(first)).toBe(false);
    const third = pool.allocate(FLOOD_FRAME + 1);
    expect(third.buffer).toBe(first.buffer);
    expect(third.length).toBe(FLOOD_FRAME + 1);
  });

  it("ignores a second release and memory it never lent", () => {
    const pool = new FramePool();
    const frame = pool.allocate(FLOOD_FRAME);
    pool.release(frame);
    pool.release(frame);
    pool.release(new Uint8Array(FLOOD_FRAME));
    expect(pool.free).toBe(1);
    // Released twice, yet lent to one frame at a time.
    const a = pool.allocate(FLOOD_FRAME);
    const b = pool.allocate(FLOOD_FRAME);
    expect(a.buffer).not.toBe(b.buffer);
  });

  it("keeps at most FRAME_POOL_MAX_FREE buffers for reuse", () => {
    const pool = new FramePool();
    const frames = Array.from({ length: FRAME_POOL_MAX_FREE + 1 }, () =>
      pool.allocate(FLOOD_FRAME),
    );
    for (const frame of frames.slice(0, -1)) pool.release(frame);
    expect(pool.free).toBe(FRAME_POOL_MAX_FREE);
    pool.release(frames.at(-1)!);
    expect(pool.free).toBe(FRAME_POOL_MAX_FREE);
  });

  it("fits the frame of the largest output event an attachment yields", () => {
    const largest = Math.max(FLOW_MAX_EVENT_BYTES, DEFAULT_MAX_EVENT_BYTES);
    // A subscription event as tRPC's adapter sends it, with long ids (a client that picks a
    // longer request id gets frames with memory of their own).
    const id = String(Number.MAX_SAFE_INTEGER);
    const message = {
      id: "a".repeat(64),
      result: {
        type: "data",
        id,
        data: { id, data: { type: "output", data: new Uint8Array(largest), replay: true } },
      },
    };
    const frameBytes = (wireEncoder.encode(message) as Uint8Array).length;
    expect(frameBytes).toBeGreaterThan(largest);
    expect(frameBytes).toBeLessThanOrEqual(FRAME_POOL_BUFFER_BYTES);
  });

  it("pools the frames of a flood, from the smallest event an acking client gets", () => {
    const pool = new FramePool();
    const message = {
      id: 1,
      result: { type: "data", id: "1", data: { id: "1", data: { type: "output" } } },
    };
    const encoder = createWireEncoder(pool.allocate);
    const event = message.result.data.data as { data?: Uint8Array };
    event.data = new Uint8Array(FLOW_EVENT_BYTES);
    expect(pool.lent(encoder.encode(message) as Uint8Array)).toBe(true);
  });
});

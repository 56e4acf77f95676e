// frameReleasingSocket over real sockets on 127.0.0.1: frames arrive intact while their memory is reused.
import type { AddressInfo } from "node:net";
import { setImmediate as nextTurn } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import { FramePool } from "./frame-pool.js";
import { frameReleasingSocket } from "./frame-releasing-socket.js";

const FRAME_BYTES = 64 * 1024;

/** A frame of `FRAME_BYTES` whose every byte says which frame it is. */
function fillFrame(frame: Uint8Array, index: number): void {
  frame.fill(index % 251);
  new DataView(frame.buffer, frame.byteOffset).setUint32(0, index);
}

function frameIndex(frame: Buffer): number | null {
  const index = frame.readUInt32BE(0);
  for (let i = 4; i < frame.length; i++) if (frame[i] !== index % 251) return null;
  return frame.length === FRAME_BYTES ? index : null;
}

let cleanup: (() => Promise<void>) | null = null;
afterEach(async () => {
  await cleanup?.();
  cleanup = null;
});

/** A ws server whose sockets give pooled frames back; resolves with its first connection. */
async function connected(pool: FramePool) {
  const wss = new WebSocketServer({
    port: 0,
    host: "127.0.0.1",
    WebSocket: frameReleasingSocket(pool),
  });
  await new Promise<void>((resolve) => wss.once("listening", resolve));
  const serverSide = new Promise<WebSocket>((resolve) => wss.once("connection", resolve));
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
  await new Promise<void>((resolve, reject) => {
    client.once("open", resolve);
    client.once("error", reject);
  });
  cleanup = async () => {
    client.terminate();
    await new Promise((resolve) => wss.close(resolve));
  };
  return { server: await serverSide, client };
}

describe("frameReleasingSocket", () => {
  it("delivers every frame intact while the pool lends written frames' memory again", async () => {
    const pool = new FramePool(FRAME_BYTES, 4, 1);
    const { server, client } = await connected(pool);
    const received: number[] = [];
    const corrupt: number[] = [];
    client.on("message", (data: Buffer) => {
      const index = frameIndex(data);
      if (index === null) corrupt.push(received.length);
      received.push(index ?? -1);
    });
    // The client stops reading, so frames queue in the server's socket while it sends more.
    const raw = (client as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    raw.pause();
    const count = 300;
    let reusedWhileQueued = 0;
    const seen = new Set<ArrayBufferLike>();
    for (let index = 0; index < count; index++) {
      const frame = pool.allocate(FRAME_BYTES);
      if (seen.has(frame.buffer) && server.bufferedAmount > 0) reusedWhileQueued++;
      seen.add(frame.buffer);
      fillFrame(frame, index);
      server.send(frame);
      if (index % 10 === 9) await nextTurn();
      if (index === count / 2) raw.resume();
    }
    await expect.poll(() => received.length, { timeout: 10_000 }).toBe(count);
    expect(corrupt).toEqual([]);
    expect(received).toEqual(Array.from({ length: count }, (_, index) => index));
    // Memory went round while other frames still waited to be written: the case to get right.
    expect(reusedWhileQueued).toBeGreaterThan(0);
    await expect.poll(() => pool.free).toBe(4);
  });

  it("takes a frame back when the socket closed before it could be sent", async () => {
    const pool = new FramePool(FRAME_BYTES, 4, 1);
    const { server, client } = await connected(pool);
    const closed = new Promise((resolve) => server.once("close", resolve));
    client.close();
    await closed;
    const frame = pool.allocate(100);
    const error = await new Promise<Error | undefined>((resolve) => server.send(frame, resolve));
    expect(error).toBeInstanceOf(Error);
    expect(pool.lent(frame)).toBe(false);
    expect(pool.free).toBe(1);
  });

  it("sends anything else unchanged, with its callback and options", async () => {
    const pool = new FramePool(FRAME_BYTES, 4, 1);
    const { server, client } = await connected(pool);
    const messages: { data: string; binary: boolean }[] = [];
    client.on("message", (data: Buffer, binary: boolean) =>
      messages.push({ data: data.toString(), binary }),
    );
    await new Promise<void>((resolve, reject) =>
      server.send("text", (error) => (error ? reject(error) : resolve())),
    );
    server.send(Buffer.from("bytes"), { binary: true });
    await expect.poll(() => messages.length).toBe(2);
    expect(messages).toEqual([
      { data: "text", binary: false },
      { data: "bytes", binary: true },
    ]);
    expect(pool.free).toBe(0);
  });
});

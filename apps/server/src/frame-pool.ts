// Reused memory for binary output frames: a flood need not allocate, zero and collect one per event.
import type { FrameAllocator } from "@porthole/protocol";
import { FRAME_POOL_BUFFER_BYTES, FRAME_POOL_MAX_FREE, FRAME_POOL_MIN_BYTES } from "./limits.js";

/**
 * Lends fixed-size buffers for the frames of a flood's output (between FRAME_POOL_MIN_BYTES and
 * the buffer size) and takes them back once they were written.
 *
 * Each output event used to get a new 64 KiB array. V8 counts such memory as external, and its
 * pressure started a mark-compact every ~10 MB of a flood (`--trace-gc`, 50 MB of ANSI output:
 * four to seven per transfer; with reused frames, at most one). Server CPU per MB of a flood fell
 * 13% (printable) to 23% (ANSI) in interleaved runs.
 */
export class FramePool {
  readonly #minBytes: number;
  readonly #bufferBytes: number;
  readonly #maxFree: number;
  readonly #free: ArrayBuffer[] = [];
  /** Buffers inside a frame on its way out. Weak: a frame dropped unsent is simply collected. */
  readonly #lent = new WeakSet<ArrayBuffer>();

  constructor(
    bufferBytes = FRAME_POOL_BUFFER_BYTES,
    maxFree = FRAME_POOL_MAX_FREE,
    minBytes = FRAME_POOL_MIN_BYTES,
  ) {
    this.#minBytes = minBytes;
    this.#bufferBytes = bufferBytes;
    this.#maxFree = maxFree;
  }

  /** Memory for a frame of `bytes`: a lent buffer when the pool is for its size, else its own. */
  readonly allocate: FrameAllocator = (bytes) => {
    if (bytes < this.#minBytes || bytes > this.#bufferBytes) return new Uint8Array(bytes);
    const buffer = this.#free.pop() ?? new ArrayBuffer(this.#bufferBytes);
    this.#lent.add(buffer);
    return new Uint8Array(buffer, 0, bytes);
  };

  /** Whether `frame` lies in a buffer this pool lent and has not been given back. */
  lent(frame: Uint8Array): boolean {
    return frame.buffer instanceof ArrayBuffer && this.#lent.has(frame.buffer);
  }

  /**
   * Takes back the buffer under `frame`, which nothing may read any more (the socket wrote it).
   * Anything else, or a second release, is ignored.
   */
  release(frame: Uint8Array): void {
    const buffer = frame.buffer;
    if (!(buffer instanceof ArrayBuffer) || !this.#lent.delete(buffer)) return;
    if (this.#free.length < this.#maxFree) this.#free.push(buffer);
  }

  /** Buffers ready to be lent again. */
  get free(): number {
    return this.#free.length;
  }
}

// A session's output as one stream of bytes addressed by offset, keeping the most recent bytes.
import { ChangeSignal, type OnChange } from "./change-signal.js";
import { utf8SafeEnd, utf8SafeStart } from "./utf8.js";

/** Default bytes of recent output a session keeps for replay. */
export const DEFAULT_LOG_CAPACITY = 4 * 1024 * 1024;

/** Bytes per storage block: appends fill blocks; whole blocks are dropped when over capacity. */
const DEFAULT_BLOCK_SIZE = 64 * 1024;

/**
 * A range of the log, ready to send: `bytes` holds exactly the bytes from `from` to `to`. It is a
 * view of the log's memory, valid until control returns to the event loop: send or copy it
 * before awaiting anything that waits on I/O or timers.
 */
export interface LogSlice {
  from: number;
  to: number;
  bytes: Buffer;
}

/** Options for an OutputLog. */
export interface OutputLogOptions {
  /** Bytes of history kept at least (once that much was written). */
  capacity?: number;
  blockSize?: number;
}

/**
 * Append-only byte log addressed by absolute offset (bytes since the session began). Memory stays
 * between `capacity` and `capacity + 3 * blockSize` however much is written; `start` says where
 * the retained history begins.
 */
export class OutputLog {
  readonly capacity: number;
  readonly #blockSize: number;
  readonly #maxBlocks: number;
  /** blocks[i] holds offsets [(firstBlock + i) * blockSize, (firstBlock + i + 1) * blockSize). */
  readonly #blocks: Buffer[] = [];
  #firstBlock = 0;
  #end = 0;
  #closed = false;
  /**
   * A dropped block, reused for the next one, so a flood allocates no memory: fresh 64 KiB blocks
   * outlived young-generation collections and kept V8 running full collections on another core.
   * A dropped block becomes spare only on the loop's next turn, so views read this turn stay valid.
   */
  #spare: Buffer | null = null;
  readonly #changes = new ChangeSignal();

  constructor(options: OutputLogOptions = {}) {
    this.capacity = Math.max(1, options.capacity ?? DEFAULT_LOG_CAPACITY);
    this.#blockSize = Math.max(
      1,
      Math.min(options.blockSize ?? DEFAULT_BLOCK_SIZE, Math.ceil(this.capacity / 4)),
    );
    this.#maxBlocks = Math.ceil(this.capacity / this.#blockSize) + 1;
  }

  /** Offset of the oldest byte still kept. */
  get start(): number {
    return this.#firstBlock * this.#blockSize;
  }

  /** Offset just past the newest byte: the total bytes ever appended. */
  get end(): number {
    return this.#end;
  }

  /** True once `close()` was called: no more bytes will come. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Bytes held in memory right now. */
  get retainedBytes(): number {
    return this.#end - this.start;
  }

  /** Adds bytes at the end, dropping the oldest blocks beyond capacity. */
  append(bytes: Uint8Array): void {
    if (this.#closed) throw new Error("append after close");
    let done = 0;
    while (done < bytes.length) {
      const within = this.#end % this.#blockSize;
      if (within === 0) this.#addBlock();
      const block = this.#blocks[this.#blocks.length - 1]!;
      const count = Math.min(this.#blockSize - within, bytes.length - done);
      block.set(bytes.subarray(done, done + count), within);
      done += count;
      this.#end += count;
    }
    if (bytes.length > 0) this.#changes.notify();
  }

  /**
   * Reads up to `maxBytes` from `from` without splitting a UTF-8 character, unless `final` (the
   * log is closed and a broken character at the very end must still be delivered).
   * Returns null when `from` is no longer retained. `from` past the end reads nothing.
   *
   * A slice stops at the end of its storage block, so it is a view of the log's memory rather
   * than a copy (valid until control returns to the event loop, see LogSlice): a copy per read
   * made enough garbage during a flood to keep the garbage collector busy on another core. Only
   * a character straddling two blocks is copied.
   */
  read(from: number, maxBytes: number): LogSlice | null {
    if (from < this.start) return null;
    const at = (offset: number) => this.#byteAt(offset);
    const begin = Math.min(utf8SafeStart(at, from, this.#end), this.#end);
    const limit = Math.min(this.#end, begin + maxBytes);
    const blockEnd = (Math.floor(begin / this.#blockSize) + 1) * this.#blockSize;
    let to = this.#characterEnd(begin, Math.min(limit, blockEnd));
    // Nothing fits before the block's end: a character straddles it. Take just that character.
    if (to === begin && limit > blockEnd)
      to = this.#characterEnd(begin, Math.min(limit, blockEnd + 3));
    return { from: begin, to, bytes: this.#copy(begin, to) };
  }

  /** A copy of the bytes from `from` up to `to` or the end of `from`'s block, as stored; null when `from` is gone. */
  readRaw(from: number, to: number): Buffer | null {
    if (from < this.start) return null;
    const blockEnd = (Math.floor(from / this.#blockSize) + 1) * this.#blockSize;
    return Buffer.from(this.#copy(from, Math.min(to, this.#end, blockEnd)));
  }

  /** Resolves once bytes are appended or the log closes (or `signal` aborts). */
  changed(signal?: AbortSignal): Promise<void> {
    return this.#closed ? Promise.resolve() : this.#changes.changed(signal);
  }

  /**
   * Calls `wake` once, when bytes are appended or the log closes (at once if it is closed); the
   * returned function cancels that. The callback form of `changed()`.
   */
  readonly onChange: OnChange = (wake) => {
    if (!this.#closed) return this.#changes.once(wake);
    wake();
    return () => undefined;
  };

  /** Waits pending on new bytes (for tests). */
  get waiting(): number {
    return this.#changes.waiting;
  }

  /** Marks the end of output. Waiting readers wake up. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#changes.notify();
  }

  #addBlock(): void {
    this.#blocks.push(this.#spare ?? Buffer.allocUnsafe(this.#blockSize));
    this.#spare = null;
    if (this.#blocks.length > this.#maxBlocks) {
      const dropped = this.#blocks.shift()!;
      this.#firstBlock++;
      setImmediate(() => (this.#spare = dropped));
    }
  }

  /** `to`, or earlier so that [begin, to) does not end inside a character more bytes could complete. */
  #characterEnd(begin: number, to: number): number {
    if (this.#closed && to === this.#end) return to;
    return utf8SafeEnd((offset) => this.#byteAt(offset), begin, to);
  }

  #byteAt(offset: number): number {
    const index = Math.floor(offset / this.#blockSize) - this.#firstBlock;
    return this.#blocks[index]![offset % this.#blockSize]!;
  }

  /** The bytes [from, to): a view when they sit in one block, else a copy. */
  #copy(from: number, to: number): Buffer {
    if (from >= to) return Buffer.alloc(0);
    const first = Math.floor(from / this.#blockSize);
    const last = Math.floor((to - 1) / this.#blockSize);
    const piece = (block: number) => {
      const buffer = this.#blocks[block - this.#firstBlock]!;
      const base = block * this.#blockSize;
      return buffer.subarray(
        Math.max(from, base) - base,
        Math.min(to, base + this.#blockSize) - base,
      );
    };
    if (first === last) return piece(first);
    const pieces: Buffer[] = [];
    for (let block = first; block <= last; block++) pieces.push(piece(block));
    return Buffer.concat(pieces, to - from);
  }
}

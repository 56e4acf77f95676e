// Local PTYs owned by a worker thread, so reading them never waits for the server's event loop.
import type * as Fs from "node:fs";
import { fstatSync, writeSync } from "node:fs";
import { createRequire } from "node:module";
import type * as WorkerThreads from "node:worker_threads";
import { Worker } from "node:worker_threads";
import type * as NodePty from "node-pty";
import { drainBeforeDestroy } from "./pty-drain.js";

/**
 * Why a thread: a PTY holds only ~20 KiB between the program and its reader. On the main thread a
 * single long task (sending a 64 KiB frame, a GC pause) fills that and the program stops writing.
 * This thread does nothing but PTY I/O, so it reads as soon as the kernel has bytes, and the main
 * thread takes them in batches.
 */

/** What the thread is asked to do; `id` names one PTY. */
type Command =
  | {
      op: "spawn";
      id: number;
      file: string;
      args: string[];
      options: SpawnOptions;
      /** The PTY's slots (see SLOT), shared with the main thread. */
      slots: SharedArrayBuffer;
    }
  /** `data`: input, or the bytes a short write from the main thread left. */
  | { op: "write"; id: number; data: string | Uint8Array }
  | { op: "resize"; id: number; cols: number; rows: number }
  | { op: "pause" | "resume"; id: number };

/** What the thread reports. */
type Report =
  | { type: "spawned"; id: number; pid: number; identity: MasterIdentity | null }
  | { type: "spawn-failed"; id: number; message: string }
  | { type: "data"; batch: { id: number; bytes: ArrayBuffer }[] }
  | { type: "staged"; batch: { id: number; start: number; length: number }[] }
  | { type: "exit"; id: number; exitCode: number; signal: number; bytes: ArrayBuffer | null };

/** What the thread starts with. */
interface ThreadData {
  /** Where node-pty is (the thread has no module resolution of ours). */
  nodePty: string;
  /** An Int32 the main thread increments for every data batch it took. */
  batchesTaken: SharedArrayBuffer;
  maxPending: number;
  readBytes: number;
  burstBytes: number;
  /** Where batches that fit are copied for the main thread (see PTY_THREAD_STAGE_BYTES). */
  stage: SharedArrayBuffer;
  /** Which Int32 of a PTY's slots is which (SLOT). */
  slot: typeof SLOT;
}

/**
 * The Int32 slots (their indices) each PTY shares with the main thread, so that the main thread
 * can write input to the master itself and a keystroke crosses one thread less. (Measured against
 * input through the thread, in the same runs: echo p50 back to back fell from ~0.55 to ~0.40 ms,
 * at a typing pace from ~1.95 to ~1.72 ms.) The thread reads and closes the master; the slots
 * make writing from the main thread safe:
 * - `master`: the master's descriptor, or -1 once the thread is about to close it (or to end,
 *   which closes every master);
 * - `writing`: 1 while the main thread writes, so the thread waits before closing;
 * - `queued`: writes and resizes posted to the thread and not yet settled; the main thread
 *   writes itself only when there are none, so input never overtakes earlier input or a resize;
 * - `inputBytes`: bytes of input posted to the thread and not yet written to the PTY (a program
 *   that does not read its input lets them grow: the server refuses more past a bound).
 */
export const SLOT = { master: 0, writing: 1, queued: 2, inputBytes: 3 } as const;
const SLOT_COUNT = Object.keys(SLOT).length;

/**
 * What fstat says of a master, checked again before each write from the main thread. It tells a
 * master from a socket or a file, not one master from another: should the thread end without
 * revoking its masters (killed, not failing), their numbers could meanwhile name a socket or file
 * of this process.
 */
export interface MasterIdentity {
  dev: number;
  ino: number;
  rdev: number;
}

/** Bytes a PTY may have read but not yet handed over before the thread stops reading it. */
export const PTY_THREAD_MAX_PENDING = 1024 * 1024;

/**
 * Shared memory each batch is copied into when it fits, so handing bytes to the main thread
 * allocates nothing there: a transferred buffer per batch is new external memory that the main
 * isolate's garbage collector must track and free. (Measured with interleaved floods: server CPU
 * per MB fell by 0-9%.) The main thread copies each batch out into plain memory of the same size
 * at once and frees the stage. A larger batch (many PTYs at their backlog bound) travels in its
 * own buffers, as do the bytes that come with a PTY's exit.
 */
export const PTY_THREAD_STAGE_BYTES = 2 * PTY_THREAD_MAX_PENDING;

/**
 * Bytes asked of each read the thread makes itself. A Linux PTY hands over at most ~4 KiB a read
 * (the kernel's line buffer); the rest of the room is for kernels that give more.
 */
export const PTY_THREAD_READ_BYTES = 16 * 1024;

/**
 * After its stream delivered a chunk of 1 KiB or more, the thread reads a PTY on until this many
 * of its bytes wait for the main thread; beyond it, one stream chunk per turn. Reading further
 * ahead saved no more CPU and made a Ctrl-C in Chromium wait for the output already read: 64 KiB
 * measured 72-106 ms, 128 KiB 167-183 ms, 256 KiB a burst 319-394 ms (before bursts: 61-72 ms).
 */
export const PTY_THREAD_BURST_BYTES = 64 * 1024;

/** node-pty's spawn options, as far as Porthole uses them. */
export interface SpawnOptions {
  name: string;
  cols: number;
  rows: number;
  cwd: string;
  env: Record<string, string | undefined>;
}

/** Callbacks for one PTY; `onExit` comes after the last `onData`. */
export interface ThreadPtyHandlers {
  /** `bytes` may be a view of memory reused for the next batch once this returns: copy what you keep. */
  onData(bytes: Uint8Array): void;
  onExit(exitCode: number, signal: number): void;
  /** The thread died, taking the PTY with it (its master closed, so the shell got SIGHUP). */
  onLost(error: Error): void;
}

/**
 * The worker's whole program, run from its source text: it may use nothing from this module (and
 * code coverage instrumentation, which inserts calls to module-level counters, would break it).
 * It gets `drainBeforeDestroy` as its argument, likewise from source text.
 * The reads of one I/O turn, from every PTY, leave as one message once the main thread has taken
 * every earlier one (`batchesTaken` in shared memory counts them); until then they gather. A
 * batch is copied into the shared `stage` when it fits, which is free again once taken. So a
 * keystroke's echo costs one hop, and a flood or many busy sessions leave in as few messages as
 * the main thread can take. The keystroke itself usually costs none: the main thread writes
 * input to the master (see SLOT). A PTY whose untaken bytes reach `maxPending` stops being read
 * until they leave.
 * A flood is read with plain reads of the master into the PTY's pending buffer, not through
 * node-pty's stream: a stream read allocates a buffer and runs several JS callbacks per ~4 KiB
 * chunk, and the garbage collector's work on those buffers kept other cores busy too. The stream
 * still reads when the PTY is quiet, so a keystroke's echo costs no extra read, and it still sees
 * the hang-up.
 */
function threadMain(drain: typeof drainBeforeDestroy): void {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const threads = require("node:worker_threads") as typeof WorkerThreads;
  const fs = require("node:fs") as typeof Fs;
  const { nodePty, batchesTaken, maxPending, readBytes, burstBytes, stage, slot } =
    threads.workerData as ThreadData;
  const pty = require(nodePty) as typeof NodePty;
  /* eslint-enable @typescript-eslint/no-require-imports */
  const port = threads.parentPort!;
  const EMPTY = Buffer.alloc(0);
  const taken = new Int32Array(batchesTaken);
  const staging = new Uint8Array(stage);
  interface Entry {
    id: number;
    child: NodePty.IPty;
    /**
     * The PTY's master, which the thread writes input to itself when the main thread could not
     * (node-pty's writes take a thread-pool round trip). The number is only ours until node-pty
     * closes it, when reading hits EIO: that can be well before the exit, and the number may then
     * belong to another PTY or socket.
     */
    fd: number | null;
    /** node-pty's read stream on the master, destroyed (synchronously) before it closes the fd. */
    stream: StreamState | null;
    /** Bytes read, not yet handed over: the first `bytes` of `pending`, which grows as needed. */
    pending: Buffer;
    bytes: number;
    /** Input the PTY had no room for yet, in order. */
    input: Buffer[];
    /** The slots shared with the main thread (see SLOT). */
    slots: Int32Array;
    retry: NodeJS.Timeout | null;
    pausedByMain: boolean;
    pausedByBacklog: boolean;
  }
  /** What the thread reads of node-pty's stream on the master. */
  interface StreamState {
    destroy?: (error?: Error) => unknown;
    destroyed?: boolean;
    readableLength?: number;
    readableFlowing?: boolean | null;
  }
  const entries = new Map<number, Entry>();
  /**
   * A stream chunk this long (a PTY read gives at most ~4 KiB) suggests more is waiting: a burst
   * follows. A shorter one (an echo, a prompt) costs no extra read; a burst that finds nothing
   * costs one failed read.
   */
  const BURST_AFTER_BYTES = 1024;
  /**
   * A pending buffer this large or smaller is kept for the PTY's next bytes (a burst grows it to
   * 128 KiB); a larger one, grown while the main thread was behind, is given back once emptied.
   */
  const KEEP_PENDING_BYTES = 2 * burstBytes;
  /**
   * Each PTY's bytes start this aligned in the stage. V8 copies to or from shared memory a word
   * at a time only when both sides share their alignment, else a byte at a time (2.7 against
   * 22 GB/s measured here); a pending buffer starts aligned, and so does the main thread's copy.
   */
  const STAGE_ALIGN = 8;
  let posted = 0;
  let waiting = false;
  let scheduled = false;

  /** Copies the entry's gathered bytes to `out` at `at` and forgets them; returns where they end. */
  const copyOut = (entry: Entry, out: Uint8Array, at: number): number => {
    out.set(entry.pending.subarray(0, entry.bytes), at);
    if (entry.pending.length > KEEP_PENDING_BYTES) entry.pending = EMPTY;
    at += entry.bytes;
    entry.bytes = 0;
    return at;
  };

  /** Makes room for `more` bytes after the pending ones, doubling up to the backlog bound. */
  const reserve = (entry: Entry, more: number) => {
    const needed = entry.bytes + more;
    if (needed <= entry.pending.length) return;
    const doubled = Math.min(2 * entry.pending.length, maxPending + readBytes);
    const grown = Buffer.allocUnsafeSlow(Math.max(needed, doubled, readBytes));
    grown.set(entry.pending.subarray(0, entry.bytes));
    entry.pending = grown;
  };

  const join = (entry: Entry): ArrayBuffer => {
    // Its own ArrayBuffer (transferable), not zero-filled: every byte is set.
    const out = Buffer.allocUnsafeSlow(entry.bytes);
    copyOut(entry, out, 0);
    return out.buffer;
  };

  const setPaused = (entry: Entry) => {
    if (entry.pausedByMain || entry.pausedByBacklog) entry.child.pause();
    else entry.child.resume();
  };

  /**
   * False once node-pty closed the master: no write or ioctl may touch its number after. (Without
   * the stream in view, node-pty's own resize is trusted as it would be on the main thread.)
   */
  const masterOpen = (entry: Entry) => entry.stream?.destroyed !== true;

  /** Posts every PTY's gathered bytes as one batch, or waits until the main thread took the last. */
  const flush = () => {
    scheduled = false;
    const seen = Atomics.load(taken, 0);
    if (posted !== seen) {
      if (waiting) return;
      waiting = true;
      const wait = (Atomics as unknown as AtomicsWaitAsync).waitAsync(taken, 0, seen);
      const retry = () => {
        waiting = false;
        flush();
      };
      if (wait.async) void wait.value.then(retry);
      else retry();
      return;
    }
    const ready = [...entries.values()].filter((entry) => entry.bytes > 0);
    if (ready.length === 0) return;
    const total = ready.reduce((sum, entry) => sum + entry.bytes, 0);
    posted = (posted + 1) | 0;
    if (total + ready.length * (STAGE_ALIGN - 1) <= staging.length) {
      let at = 0;
      const batch = ready.map((entry) => {
        const start = at;
        const end = copyOut(entry, staging, at);
        at = Math.ceil(end / STAGE_ALIGN) * STAGE_ALIGN;
        return { id: entry.id, start, length: end - start };
      });
      port.postMessage({ type: "staged", batch });
    } else {
      const batch = ready.map((entry) => ({ id: entry.id, bytes: join(entry) }));
      port.postMessage(
        { type: "data", batch },
        batch.map((item) => item.bytes),
      );
    }
    for (const entry of ready) {
      if (entry.pausedByBacklog) {
        entry.pausedByBacklog = false;
        setPaused(entry);
      }
    }
  };

  /** Counts `count` queued writes or resizes as settled: applied, or dropped with the PTY. */
  const settled = (entry: Entry, count = 1) => {
    Atomics.sub(entry.slots, slot.queued, count);
  };

  /** Counts `bytes` of posted input as written to the PTY, or dropped with it. */
  const unqueue = (entry: Entry, bytes: number) => {
    Atomics.sub(entry.slots, slot.inputBytes, bytes);
  };

  /** Forgets queued input: the PTY is closing or gone (node-pty drops input from there on too). */
  const dropInput = (entry: Entry) => {
    settled(entry, entry.input.length);
    unqueue(
      entry,
      entry.input.reduce((sum, piece) => sum + piece.length, 0),
    );
    entry.input = [];
  };

  /** Writes queued input until the PTY is full; what is left is retried shortly. */
  const writeInput = (entry: Entry) => {
    entry.retry = null;
    while (entry.input.length > 0) {
      if (entry.fd === null || !masterOpen(entry)) {
        dropInput(entry);
        return;
      }
      const head = entry.input[0]!;
      let written = 0;
      try {
        written = fs.writeSync(entry.fd, head);
        unqueue(entry, written);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EAGAIN") {
          dropInput(entry); // the PTY is gone; its exit follows
          return;
        }
      }
      if (written < head.length) {
        entry.input[0] = head.subarray(written);
        entry.retry = setTimeout(() => writeInput(entry), 1);
        return;
      }
      entry.input.shift();
      settled(entry);
    }
  };

  /** Takes a master away from the main thread, waiting out a write it has under way. */
  const revoke = (slots: Int32Array) => {
    Atomics.store(slots, slot.master, -1);
    // Sleeps while `writing` is 1, waking every millisecond to look again.
    while (Atomics.load(slots, slot.writing) !== 0) Atomics.wait(slots, slot.writing, 1, 1);
  };

  /**
   * Revokes the master before node-pty closes it: while the thread lives, every close goes
   * through the stream's destroy.
   */
  const revokeBeforeDestroy = (stream: StreamState, slots: Int32Array): boolean => {
    const destroy = stream.destroy?.bind(stream);
    if (!destroy) return false;
    stream.destroy = (error?: Error) => {
      revoke(slots);
      return destroy(error);
    };
    return true;
  };

  // A thread that ends (an uncaught error, say) closes every master without destroying streams.
  process.on("exit", () => {
    for (const entry of entries.values()) revoke(entry.slots);
  });

  /**
   * Lets the main thread write to the master (see SLOT), once the thread can take it back before
   * closing it. Returns what the main thread checks the descriptor against, or null (not shared).
   */
  const shareMaster = (fd: number, stream: StreamState, slots: Int32Array) => {
    let identity: MasterIdentity;
    try {
      const { dev, ino, rdev } = fs.fstatSync(fd);
      identity = { dev, ino, rdev };
    } catch {
      return null;
    }
    if (!revokeBeforeDestroy(stream, slots)) return null;
    Atomics.store(slots, slot.master, fd);
    return identity;
  };

  port.on("message", (command: Command) => {
    // One PTY's failure (an ioctl on a terminal that just closed, say) must not end the thread.
    try {
      onCommand(command);
    } catch {
      // The PTY's exit, which follows, tells the session.
    }
  });

  const onCommand = (command: Command) => {
    if (command.op === "spawn") {
      let child: NodePty.IPty;
      try {
        child = pty.spawn(command.file, command.args, { ...command.options, encoding: null });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        port.postMessage({ type: "spawn-failed", id: command.id, message });
        return;
      }
      const internals = child as unknown as { fd?: unknown; _socket?: StreamState };
      const stream = typeof internals._socket === "object" ? internals._socket : null;
      const entry: Entry = {
        id: command.id,
        child,
        // Without the stream there is no telling when the fd stops being ours: use node-pty's write.
        fd: typeof internals.fd === "number" && stream ? internals.fd : null,
        stream,
        pending: EMPTY, // allocated on the first bytes: an idle PTY holds none
        bytes: 0,
        input: [],
        slots: new Int32Array(command.slots),
        retry: null,
        pausedByMain: false,
        pausedByBacklog: false,
      };
      entries.set(command.id, entry);
      /** Counts bytes added to `pending`; stops reading at the backlog bound; plans a flush. */
      const gathered = (count: number) => {
        entry.bytes += count;
        if (entry.bytes >= maxPending && !entry.pausedByBacklog) {
          entry.pausedByBacklog = true;
          setPaused(entry);
        }
        // After this I/O turn: every PTY read in it leaves in the same message.
        if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      };
      const take = (chunk: Uint8Array) => {
        reserve(entry, chunk.length);
        entry.pending.set(chunk, entry.bytes);
        gathered(chunk.length);
      };
      /** Reads what else the kernel holds straight into the pending buffer, up to a burst. */
      const readBurst = (fd: number) => {
        while (entry.bytes < burstBytes) {
          if (entry.pausedByMain || entry.pausedByBacklog || !masterOpen(entry)) return;
          // Bytes the stream still holds are older than the kernel's and must come first.
          // node-pty's stream (high-water mark 0) holds at most the one chunk it read while
          // paused, and hands it over before this runs; the check keeps that so if it changes.
          const stream = entry.stream;
          if (!stream || stream.readableLength !== 0 || stream.readableFlowing !== true) return;
          reserve(entry, readBytes);
          let count = 0;
          try {
            count = fs.readSync(fd, entry.pending, entry.bytes, readBytes, null);
          } catch {
            return; // EAGAIN: nothing more for now; EIO: hung up, which the stream reports itself
          }
          if (count <= 0) return;
          gathered(count);
        }
      };
      child.onData((data: string | Uint8Array) => {
        const chunk = typeof data === "string" ? Buffer.from(data) : data;
        take(chunk);
        // A short chunk was all the kernel had (an echo, a prompt); a longer one suggests a flood.
        if (entry.fd !== null && chunk.length >= BURST_AFTER_BYTES) readBurst(entry.fd);
      });
      drain(child, fs.readSync, take);
      const identity =
        entry.fd !== null && stream ? shareMaster(entry.fd, stream, entry.slots) : null;
      child.onExit(({ exitCode, signal }) => {
        // The exit follows this PTY's last bytes, which may still wait for the main thread.
        const bytes = entry.bytes > 0 ? join(entry) : null;
        if (entry.retry) clearTimeout(entry.retry);
        dropInput(entry);
        entries.delete(command.id);
        port.postMessage(
          { type: "exit", id: command.id, exitCode, signal: signal ?? 0, bytes },
          bytes ? [bytes] : [],
        );
      });
      port.postMessage({ type: "spawned", id: command.id, pid: child.pid, identity });
      return;
    }
    const entry = entries.get(command.id);
    if (!entry) return;
    if (command.op === "write") {
      if (entry.fd === null) {
        const data = command.data;
        entry.child.write(typeof data === "string" ? data : Buffer.from(data));
        unqueue(entry, typeof data === "string" ? Buffer.byteLength(data) : data.length);
        settled(entry);
        return;
      }
      entry.input.push(Buffer.from(command.data));
      if (entry.input.length === 1) writeInput(entry);
    } else if (command.op === "resize") {
      try {
        if (masterOpen(entry)) entry.child.resize(command.cols, command.rows);
      } finally {
        settled(entry);
      }
    } else {
      entry.pausedByMain = command.op === "pause";
      setPaused(entry);
    }
  };
}

/** Atomics.waitAsync (Node 16+), which TypeScript's ES2022 library does not declare. */
interface AtomicsWaitAsync {
  waitAsync(
    array: Int32Array,
    index: number,
    value: number,
  ): { async: false; value: string } | { async: true; value: Promise<string> };
}

/**
 * Writes input to a PTY's master from the calling thread, when that is safe (see SLOT): the
 * thread has no earlier input or resize to apply and has not revoked the master. Returns what
 * is left for the thread to write: all of it when writing here is not safe or the PTY is full,
 * the rest after a short write, nothing once all is written. (Exported for its tests.)
 */
export function writeToMaster(
  slots: Int32Array,
  identity: MasterIdentity,
  data: string,
): string | Uint8Array | null {
  if (Atomics.load(slots, SLOT.queued) !== 0) return data;
  // Announced before the master is read: the thread revokes it first, then waits for us.
  Atomics.store(slots, SLOT.writing, 1);
  try {
    const fd = Atomics.load(slots, SLOT.master);
    if (fd < 0 || !isMaster(fd, identity)) return data;
    const bytes = Buffer.from(data);
    let written = 0;
    try {
      written = writeSync(fd, bytes);
    } catch {
      // EAGAIN (full), EIO (hung up) or EBADF (closed): the thread retries, or drops it with
      // the PTY.
      return data;
    }
    // A copy: a view of a short string's bytes would post the whole pooled buffer they share.
    return written < bytes.length ? new Uint8Array(bytes.subarray(written)) : null;
  } finally {
    Atomics.store(slots, SLOT.writing, 0);
    Atomics.notify(slots, SLOT.writing);
  }
}

/** Whether `fd` still is what fstat described (see MasterIdentity). */
function isMaster(fd: number, identity: MasterIdentity): boolean {
  try {
    const { dev, ino, rdev } = fstatSync(fd);
    return dev === identity.dev && ino === identity.ino && rdev === identity.rdev;
  } catch {
    return false;
  }
}

/** One PTY running in the thread. */
export interface ThreadPty {
  readonly pid: number;
  write(data: string): void;
  resize(cols: number, rows: number): void;
  pause(): void;
  resume(): void;
  /**
   * Bytes of input taken and not yet written to the PTY; absent on the main thread, where
   * node-pty queues what the PTY has no room for and does not say how much.
   */
  pendingInputBytes?(): number;
}

interface Pending {
  handlers: ThreadPtyHandlers;
  slots: Int32Array;
  resolve: (pty: ThreadPty) => void;
  reject: (error: Error) => void;
}

/** A worker thread running node-pty for many PTYs; started on first use. */
export class PtyThread {
  #worker: Worker | null = null;
  #batchesTaken = new Int32Array(new SharedArrayBuffer(4));
  #stage = new Uint8Array(new SharedArrayBuffer(0));
  /** Where staged batches are copied for their handlers: plain memory the size of the stage. */
  #plain = new Uint8Array(0);
  readonly #stageBytes: number;
  #nextId = 1;
  readonly #starting = new Map<number, Pending>();
  readonly #running = new Map<number, ThreadPtyHandlers>();

  /** `stageBytes`: the shared batch memory (tests make it small to send batches the other way). */
  constructor(stageBytes = PTY_THREAD_STAGE_BYTES) {
    this.#stageBytes = stageBytes;
  }

  /** Starts `file` in a new PTY; rejects with node-pty's message when it cannot. */
  spawn(
    file: string,
    args: string[],
    options: SpawnOptions,
    handlers: ThreadPtyHandlers,
  ): Promise<ThreadPty> {
    const id = this.#nextId++;
    const slots = new Int32Array(new SharedArrayBuffer(SLOT_COUNT * 4));
    Atomics.store(slots, SLOT.master, -1);
    return new Promise((resolve, reject) => {
      this.#starting.set(id, { handlers, slots, resolve, reject });
      try {
        this.#send({ op: "spawn", id, file, args, options, slots: slots.buffer });
      } catch (error) {
        // No thread to ask (node-pty is not installed): nothing may wait for its answer.
        this.#starting.delete(id);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  #send(command: Command): void {
    this.#thread().postMessage(command);
    this.#updateRef();
  }

  #thread(): Worker {
    if (this.#worker) return this.#worker;
    this.#batchesTaken = new Int32Array(new SharedArrayBuffer(4));
    const stage = new SharedArrayBuffer(this.#stageBytes);
    this.#stage = new Uint8Array(stage);
    this.#plain = new Uint8Array(this.#stageBytes);
    const workerData: ThreadData = {
      nodePty: createRequire(import.meta.url).resolve("node-pty"),
      batchesTaken: this.#batchesTaken.buffer,
      maxPending: PTY_THREAD_MAX_PENDING,
      readBytes: PTY_THREAD_READ_BYTES,
      burstBytes: PTY_THREAD_BURST_BYTES,
      slot: SLOT,
      stage,
    };
    const source = `(${threadMain.toString()})(${drainBeforeDestroy.toString()})`;
    const worker = new Worker(source, {
      eval: true,
      workerData,
      name: "porthole-pty",
    });
    // A dead thread's last messages may arrive after its successor started: they are not its.
    worker.on("message", (report: Report) => {
      if (this.#worker === worker) this.#onReport(report);
    });
    worker.on("error", (error) => this.#onThreadEnd(worker, error));
    worker.on("exit", () => this.#onThreadEnd(worker, new Error("The PTY thread stopped")));
    this.#worker = worker;
    return worker;
  }

  #onReport(report: Report): void {
    if (report.type === "staged") {
      const bytes = this.#fromStage(report.batch);
      for (const { id, start, length } of report.batch)
        this.#running.get(id)?.onData(bytes.subarray(start, start + length));
    } else if (report.type === "data") {
      this.#taken();
      for (const { id, bytes } of report.batch)
        this.#running.get(id)?.onData(new Uint8Array(bytes));
    } else if (report.type === "exit") {
      const handlers = this.#running.get(report.id);
      if (report.bytes) handlers?.onData(new Uint8Array(report.bytes));
      this.#running.delete(report.id);
      this.#updateRef();
      handlers?.onExit(report.exitCode, report.signal);
    } else if (report.type === "spawned") {
      const pending = this.#starting.get(report.id);
      if (!pending) return;
      this.#starting.delete(report.id);
      this.#running.set(report.id, pending.handlers);
      pending.resolve(this.#handle(report.id, report.pid, pending.slots, report.identity));
    } else {
      const pending = this.#starting.get(report.id);
      this.#starting.delete(report.id);
      this.#updateRef();
      pending?.reject(new Error(report.message));
    }
  }

  /**
   * Copies a staged batch out of shared memory in one piece, to the same offsets of a reused plain
   * buffer (so every PTY's part keeps its alignment and the copy runs a word at a time), and hands
   * the stage back to the thread at once. Handlers then copy from plain memory, at any alignment.
   */
  #fromStage(batch: { start: number; length: number }[]): Uint8Array {
    const last = batch.at(-1);
    const end = last ? last.start + last.length : 0;
    this.#plain.set(this.#stage.subarray(0, end));
    this.#taken();
    return this.#plain;
  }

  /** Tells the thread a batch was taken, so it may post (and reuse the stage for) the next. */
  #taken(): void {
    Atomics.add(this.#batchesTaken, 0, 1);
    Atomics.notify(this.#batchesTaken, 0);
  }

  #handle(id: number, pid: number, slots: Int32Array, identity: MasterIdentity | null): ThreadPty {
    // Commands for a PTY that has ended go nowhere (and never start a new thread).
    const send = (command: Command) => {
      if (this.#running.has(id)) this.#send(command);
    };
    /** Input and resizes apply in the order they were asked for (see SLOT.queued). */
    const sendInOrder = (command: Command) => {
      if (!this.#running.has(id)) return;
      Atomics.add(slots, SLOT.queued, 1);
      this.#send(command);
    };
    return {
      pid,
      write: (data) => {
        if (!this.#running.has(id)) return;
        const rest = identity ? writeToMaster(slots, identity, data) : data;
        if (rest === null) return;
        const bytes = typeof rest === "string" ? Buffer.byteLength(rest) : rest.length;
        Atomics.add(slots, SLOT.inputBytes, bytes);
        sendInOrder({ op: "write", id, data: rest });
      },
      pendingInputBytes: () => Atomics.load(slots, SLOT.inputBytes),
      resize: (cols, rows) => sendInOrder({ op: "resize", id, cols, rows }),
      pause: () => send({ op: "pause", id }),
      resume: () => send({ op: "resume", id }),
    };
  }

  /** The thread keeps the process alive only while it runs PTYs, as node-pty's own handles would. */
  #updateRef(): void {
    if (!this.#worker) return;
    if (this.#starting.size + this.#running.size > 0) this.#worker.ref();
    else this.#worker.unref();
  }

  /** A thread that died took its PTYs with it (their masters closed, so the shells got SIGHUP). */
  #onThreadEnd(worker: Worker, error: Error): void {
    if (this.#worker !== worker) return;
    this.#worker = null;
    for (const pending of this.#starting.values()) pending.reject(error);
    this.#starting.clear();
    const running = [...this.#running.values()];
    this.#running.clear();
    for (const handlers of running) handlers.onLost(error);
  }
}

// Spaces a page's redraws while terminal output floods, so parsing gets the CPU instead.

/**
 * Least time between redraws while output floods: at most 20 a second, still a moving screen.
 * Drawn on every vsync, a flood's frames took over a quarter of the page's thread (each xterm.js
 * frame was ~5.5 ms of layout and paint there, plus raster and compositing on other threads),
 * and the longer output took to parse, the more frames it drew.
 */
export const FLOOD_FRAME_MS = 50;

/**
 * Output handed to terminals between two redraws that makes it a flood: 16 KiB a frame is ~1 MB/s
 * at 60 Hz. Typing, prompts and full-screen programs stay far below it and draw at once.
 */
export const FLOOD_BYTES_PER_FRAME = 16 * 1024;

/** The frame scheduling a page offers (`window`), which xterm.js calls for every redraw. */
export interface AnimationFrames {
  requestAnimationFrame: (callback: (time: number) => void) => number;
  cancelAnimationFrame: (handle: number) => void;
}

/** Time and timers, replaceable in tests. */
export interface PacerClock {
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(timer: unknown): void;
}

const realClock: PacerClock = {
  now: () => performance.now(),
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (timer) => clearTimeout(timer as ReturnType<typeof setTimeout>),
};

/** A frame request held back until FLOOD_FRAME_MS after the last frame. */
interface Deferred {
  timer: unknown;
  /** The real request once the wait is over. */
  frame: number | null;
}

/**
 * Wraps a page's requestAnimationFrame: while output floods (see `flooding`), a request waits until
 * FLOOD_FRAME_MS after the last frame; otherwise it passes straight through, so an echo or a
 * prompt is drawn on the next vsync. Every request is still answered: the last screen of a flood
 * is drawn at most FLOOD_FRAME_MS late, and the frame after a flood is no longer held back.
 */
export class FramePacer {
  readonly #frames: AnimationFrames;
  /** The page's own functions, bound, whether or not the pacer is installed. */
  readonly #native: AnimationFrames;
  readonly #clock: PacerClock;
  #bytesSinceFrame = 0;
  /** Whether FLOOD_BYTES_PER_FRAME arrived between the last two frames. */
  #floodedLastFrame = false;
  #lastFrameAt = Number.NEGATIVE_INFINITY;
  /** The last frame's timestamp: every callback of one frame gets the same. */
  #lastFrameTime = Number.NaN;
  /** Held-back requests by their handle: negative, so they never clash with the page's own. */
  readonly #deferred = new Map<number, Deferred>();
  #nextHandle = -1;

  /** `frames` is the page (`window`); `clock` is replaced only by tests. */
  constructor(frames: AnimationFrames, clock: PacerClock = realClock) {
    this.#frames = frames;
    this.#native = {
      requestAnimationFrame: frames.requestAnimationFrame.bind(frames),
      cancelAnimationFrame: frames.cancelAnimationFrame.bind(frames),
    };
    this.#clock = clock;
  }

  /** Counts output handed to a terminal (call for every write; a string's length will do). */
  noteOutput(bytes: number): void {
    this.#bytesSinceFrame += bytes;
  }

  /**
   * Whether output floods: FLOOD_BYTES_PER_FRAME arrived since the last frame or before it. The
   * frame before counts too because a terminal asks for its next frame as soon as output follows
   * a frame, when little of what will arrive before the next vsync is there yet.
   */
  get flooding(): boolean {
    return this.#floodedLastFrame || this.#bytesSinceFrame >= FLOOD_BYTES_PER_FRAME;
  }

  /** Paced requestAnimationFrame. */
  request(callback: (time: number) => void): number {
    const native = this.#native;
    const run = (time: number) => {
      this.#frameStarts(time);
      callback(time);
    };
    const wait = this.#lastFrameAt + FLOOD_FRAME_MS - this.#clock.now();
    if (!this.flooding || wait <= 0) return native.requestAnimationFrame(run);
    const handle = this.#nextHandle--;
    const deferred: Deferred = { timer: null, frame: null };
    deferred.timer = this.#clock.setTimeout(() => {
      deferred.timer = null;
      deferred.frame = native.requestAnimationFrame((time) => {
        this.#deferred.delete(handle);
        run(time);
      });
    }, wait);
    this.#deferred.set(handle, deferred);
    return handle;
  }

  /** Called by each frame callback: the first of a frame closes the last frame's count. */
  #frameStarts(time: number): void {
    if (time === this.#lastFrameTime) return;
    this.#lastFrameTime = time;
    this.#lastFrameAt = this.#clock.now();
    this.#floodedLastFrame = this.#bytesSinceFrame >= FLOOD_BYTES_PER_FRAME;
    this.#bytesSinceFrame = 0;
  }

  /** Paced cancelAnimationFrame: cancels a held-back request as well as a real one. */
  cancel(handle: number): void {
    const native = this.#native;
    const deferred = this.#deferred.get(handle);
    if (!deferred) {
      native.cancelAnimationFrame(handle);
      return;
    }
    this.#deferred.delete(handle);
    if (deferred.timer !== null) this.#clock.clearTimeout(deferred.timer);
    if (deferred.frame !== null) native.cancelAnimationFrame(deferred.frame);
  }

  /**
   * Replaces the page's requestAnimationFrame and cancelAnimationFrame with paced ones (xterm.js
   * looks them up on `window` for every redraw and offers no other hook). Returns the undo.
   */
  install(): () => void {
    const frames = this.#frames;
    const { requestAnimationFrame, cancelAnimationFrame } = frames;
    frames.requestAnimationFrame = (callback) => this.request(callback);
    frames.cancelAnimationFrame = (handle) => this.cancel(handle);
    return () => {
      frames.requestAnimationFrame = requestAnimationFrame;
      frames.cancelAnimationFrame = cancelAnimationFrame;
    };
  }
}

// One terminal session: a sandbox's PTY, its output log and screen, and the clients attached to it.
import type {
  ErrorCode,
  ExitInfo,
  Isolation,
  OutputStreamEvent,
  ProviderName,
  SessionInfo,
  SessionKind,
  SessionState,
  StatusEvent,
  StatusPhase,
} from "@porthole/protocol";
import { Attachment, MIN_EVENT_BYTES, type AttachOptions } from "./attachment.js";
import { ChangeSignal, type OnChange } from "./change-signal.js";
import { checkInput, checkOffset, checkSize, checkWholeNumber } from "./checks.js";
import { SandboxError, toSandboxError } from "./errors.js";
import { OutputLog } from "./output-log.js";
import type { PtyHandlers, SandboxProvider, SandboxPty } from "./provider.js";
import { ScreenMirror } from "./screen.js";

/** How long a session with nobody attached lives on (a client may come back). */
export const DEFAULT_DETACH_GRACE_MS = 15 * 60 * 1000;

/** How long a session lives with no input and no output. */
export const DEFAULT_IDLE_TIMEOUT_MS = 3600 * 1000;

/** How long an exited session stays around so clients can read its last output and exit code. */
export const DEFAULT_EXITED_LINGER_MS = 5 * 60 * 1000;

/** How long a sandbox and its shell may take to start before the session fails. */
export const DEFAULT_START_TIMEOUT_MS = 90_000;

/**
 * How long a client that dropped off keeps its place: while every client is either behind or
 * reconnecting, a pausable PTY waits, so a short network drop loses nothing even mid-flood.
 */
export const RECONNECT_HOLD_MS = 5000;

/** How long to wait for the shell's first output before typing a start command anyway. */
const PROMPT_WAIT_MS = 2000;

/** The abort reason for a start cut short: one shared error, not a stack captured per session. */
const ENDED = new SandboxError("SESSION_ENDED", "The session ended");

/** What a session is asked to run, and where. */
export interface SessionSpec {
  id: string;
  /** Who may see the session: an opaque credential id. */
  owner: string;
  title: string;
  kind: SessionKind;
  /** Typed into the shell once it is ready. */
  command?: string | undefined;
  /** Cloned into the working directory before the command runs. */
  repo?: string | undefined;
  cols: number;
  rows: number;
  /** Extra environment for the shell. */
  env: Record<string, string>;
  /** A sandbox where this session's shell already runs (found after a restart): attach, don't create. */
  reattachTo?: string | undefined;
  /** When the session was first created (ms since the epoch), if before this Session: a reattach. */
  createdAt?: number | undefined;
}

/** Tunables shared by every session of a manager. */
export interface SessionTimings {
  logCapacity: number;
  detachGraceMs: number;
  idleTimeoutMs: number;
  exitedLingerMs: number;
  startTimeoutMs: number;
}

/** Why a session ended, for logs and for the clients still attached. */
export type EndReason = "closed" | "detached" | "idle" | "exited" | "failed" | "shutdown";

/** An event with the output offset it happened at (tRPC's tracked id). */
export interface SessionEvent {
  offset: number;
  event: OutputStreamEvent;
}

/**
 * A terminal session. It outlives its clients: they attach and detach while the shell runs.
 * It ends by exit, close, detach grace, idle timeout or shutdown, and releases its sandbox once.
 */
export class Session {
  readonly id: string;
  readonly owner: string;
  readonly kind: SessionKind;
  readonly provider: ProviderName;
  readonly isolation: Isolation;
  readonly createdAt: number;
  readonly log: OutputLog;
  readonly screen: ScreenMirror;
  title: string;
  cols: number;
  rows: number;
  /**
   * The output offset from which the program has drawn at today's size: bytes before it were
   * drawn at another, and replayed into a terminal of today's size they would land askew.
   */
  sizedAt = 0;
  /** Times the client that set the size went away (attachments report each as a `free` resize). */
  sizeFreed = 0;
  state: SessionState = "starting";
  exit: ExitInfo | null = null;
  failure: { code: ErrorCode; message: string } | null = null;
  endReason: EndReason | null = null;
  /** Status events while starting, replayed to clients that attach late. */
  readonly statuses: StatusEvent[] = [];

  readonly #spec: SessionSpec;
  readonly #sandbox: SandboxProvider;
  readonly #timings: SessionTimings;
  readonly #attachments = new Set<Attachment>();
  /** Clients that detached recently, by client id, with the timer that forgets them. */
  readonly #reconnecting = new Map<string, NodeJS.Timeout>();
  /** The client that set the size last (see `resize`), while it is attached or reconnecting. */
  #sizeOwner: string | null = null;
  readonly #changes = new ChangeSignal();
  readonly #startAbort = new AbortController();
  readonly #onEnd: (session: Session) => void;
  #pty: SandboxPty | null = null;
  #paused = false;
  #released: Promise<void> | null = null;
  #finished = false;
  #graceTimer: NodeJS.Timeout | null = null;
  #idleTimer: NodeJS.Timeout | null = null;
  #lingerTimer: NodeJS.Timeout | null = null;
  readonly #onStop: (session: Session) => void;
  /** The start under way or done (see startSettled). */
  #started: Promise<void> = Promise.resolve();
  #lastActivity = Date.now();
  #firstOutput: () => void = () => {};
  #ran = false;
  /** Settles once the start commands were typed (or there were none); client input waits for it. */
  #startTyped: Promise<void> = Promise.resolve();

  constructor(
    spec: SessionSpec,
    sandbox: SandboxProvider,
    timings: SessionTimings,
    onEnd: (session: Session) => void,
    onStop: (session: Session) => void = () => {},
  ) {
    this.#onStop = onStop;
    this.#spec = spec;
    this.#sandbox = sandbox;
    this.#timings = timings;
    this.#onEnd = onEnd;
    this.id = spec.id;
    this.owner = spec.owner;
    this.kind = spec.kind;
    this.title = spec.title;
    this.createdAt = spec.createdAt ?? Date.now();
    this.cols = spec.cols;
    this.rows = spec.rows;
    this.provider = sandbox.name;
    this.isolation = sandbox.isolation;
    this.log = new OutputLog({ capacity: timings.logCapacity });
    this.screen = new ScreenMirror(this.log, spec.cols, spec.rows);
    this.#startGraceTimer();
    this.#armIdleTimer();
  }

  /** True once the session is over and forgotten: its sandbox released, its screen gone. */
  get ended(): boolean {
    return this.#finished;
  }

  /** Input taken and not yet written to the terminal (see SandboxPty.pendingInputBytes). */
  get pendingInputBytes(): number {
    return this.#pty?.pendingInputBytes?.() ?? 0;
  }

  /** The sandbox this session runs in, once started. */
  get sandboxId(): string | null {
    return this.#pty?.ref.sandboxId ?? null;
  }

  /** Clients attached right now. */
  get attached(): number {
    return this.#attachments.size;
  }

  /** Whether the client `clientId` is attached right now. */
  hasClient(clientId: string): boolean {
    for (const attachment of this.#attachments) if (attachment.clientId === clientId) return true;
    return false;
  }

  /** Whether the PTY is paused because every attached client is behind. */
  get paused(): boolean {
    return this.#paused;
  }

  /** Whether the shell ever ran: a session closed or failed while starting never did. */
  get ran(): boolean {
    return this.#ran;
  }

  /** Starts the sandbox and shell; failures end the session with an `error` event. */
  start(): Promise<void> {
    this.#started = this.#start();
    return this.#started;
  }

  async #start(): Promise<void> {
    const started = performance.now();
    const onStatus = (phase: StatusPhase, message: string) => {
      if (this.state !== "starting") return;
      this.statuses.push({
        type: "status",
        phase,
        message,
        elapsedMs: Math.round(performance.now() - started),
      });
      this.#changed();
    };
    const firstOutput = new Promise<void>((resolve) => (this.#firstOutput = resolve));
    let timer: NodeJS.Timeout | undefined;
    let gaveUp = false;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        gaveUp = true;
        this.#startAbort.abort();
        reject(
          new SandboxError(
            "SANDBOX_UNREACHABLE",
            `The sandbox did not start within ${Math.round(this.#timings.startTimeoutMs / 1000)} s`,
          ),
        );
      }, this.#timings.startTimeoutMs);
    });
    try {
      const handlers: PtyHandlers = {
        onData: (bytes) => this.#onData(bytes),
        onExit: (exit) => this.#onExit(exit),
        onLost: (error) => this.#onLost(error),
      };
      const reattachTo = this.#spec.reattachTo;
      let starting: Promise<SandboxPty>;
      if (reattachTo && this.#sandbox.reattach) {
        onStatus("starting-shell", "Reattaching to the session's sandbox after a server restart");
        starting = this.#sandbox.reattach(
          { sandboxId: reattachTo, sessionId: this.id, cols: this.cols, rows: this.rows },
          handlers,
        );
      } else {
        starting = this.#sandbox.start(
          {
            sessionId: this.id,
            owner: this.owner,
            kind: this.kind,
            title: this.title,
            createdAt: this.createdAt,
            cols: this.cols,
            rows: this.rows,
            env: this.#spec.env,
            onStatus,
            signal: this.#startAbort.signal,
          },
          handlers,
        );
      }
      // A start that finishes after we gave up still hands over a PTY: release it.
      starting.then(
        (late) => {
          if (gaveUp) void late.close();
        },
        () => {},
      );
      const pty = await Promise.race([starting, timedOut]);
      clearTimeout(timer);
      if (this.state !== "starting") {
        // Closed (or exited) while starting: the new PTY has nobody to serve.
        this.#pty = pty;
        await this.#release();
        return;
      }
      this.#pty = pty;
      onStatus("ready", "Ready");
      // Set before "running" wakes the input that waited for it: that input follows the start
      // command, or its first key would be typed in front of it.
      const typed = reattachTo ? Promise.resolve() : this.#typeStartCommands(pty, firstOutput);
      this.#startTyped = typed.catch(() => undefined);
      this.#ran = true;
      this.state = "running";
      this.#changed();
      await typed;
    } catch (error) {
      clearTimeout(timer);
      if (this.state !== "starting") return;
      this.#stop("failed", toSandboxError(error, "SANDBOX_FAILED"));
    }
  }

  /**
   * Sends keystrokes to the shell; typed while the session starts, they wait until it runs and
   * its start command (a clone, Claude Code, a given command) has been typed.
   */
  async write(data: string): Promise<void> {
    checkInput(data);
    await this.#runningPty();
    await this.#startTyped;
    const pty = await this.#runningPty();
    this.#touch();
    await pty.write(data);
  }

  /**
   * Changes the terminal size; attached clients see a `resize` event. `by` names the client
   * asking: once it is gone, clients see the size as `free` (see `sizeFreed`).
   */
  async resize(cols: number, rows: number, by?: string): Promise<void> {
    checkSize(cols, rows);
    const pty = await this.#runningPty();
    if (by !== undefined) this.#sizeOwner = by;
    if (cols === this.cols && rows === this.rows) return;
    this.cols = cols;
    this.rows = rows;
    this.sizedAt = this.log.end;
    this.screen.resize(cols, rows);
    this.#changed();
    await pty.resize(cols, rows);
  }

  /**
   * Attaches a client. `from` is the offset it has seen up to (tRPC's lastEventId), or null for a
   * fresh attach that gets all retained output, or the screen when some is gone.
   */
  attach(options: AttachOptions): Attachment {
    if (options.from !== null) checkOffset(options.from);
    if (options.maxEventBytes !== undefined)
      checkWholeNumber("maxEventBytes", options.maxEventBytes, MIN_EVENT_BYTES);
    const attachment = new Attachment(this, options, {
      detach: () => this.#detach(attachment),
      flowChanged: () => this.#updateFlow(),
    });
    this.#attachments.add(attachment);
    if (options.clientId) this.#forgetReconnecting(options.clientId);
    this.#cancelGraceTimer();
    this.#updateFlow();
    return attachment;
  }

  /** Waits pending on this session's changes (for tests: abandoned waits must not pile up). */
  get waiting(): number {
    return this.#changes.waiting;
  }

  /** Resolves on the next state, size or status change. */
  changed(signal?: AbortSignal): Promise<void> {
    return this.#changes.changed(signal);
  }

  /**
   * Calls `wake` once, on the next state, size or status change; the returned function cancels
   * that. The callback form of `changed()`, for a caller that waits very often.
   */
  readonly onChange: OnChange = (wake) => this.#changes.once(wake);

  /** The session as clients see it. */
  info(): SessionInfo {
    return {
      id: this.id,
      title: this.title,
      kind: this.kind,
      provider: this.provider,
      isolation: this.isolation,
      state: this.state,
      cols: this.cols,
      rows: this.rows,
      createdAt: this.createdAt,
      outputBytes: this.log.end,
      attached: this.#attachments.size,
      exit: this.exit,
    };
  }

  /** Ends the session and releases its sandbox. Safe to call more than once. */
  /**
   * Ends the session and resolves once its sandbox is released. A start still under way releases
   * what it delivers itself, later (see `startSettled`).
   */
  async close(reason: EndReason = "closed"): Promise<void> {
    if (!this.#finished) {
      if (this.state !== "failed") this.state = "closed";
      this.#end(reason);
    }
    await this.#release();
  }

  /**
   * Settles when start() is over (within the start timeout): by then a session closed while
   * starting has released the sandbox the start delivered.
   */
  get startSettled(): Promise<void> {
    return this.#started;
  }

  /** The PTY once the session runs (waiting while it starts); SESSION_ENDED when it never will. */
  async #runningPty(): Promise<SandboxPty> {
    while (this.state === "starting") await this.changed();
    if (this.state !== "running" || !this.#pty) {
      throw new SandboxError("SESSION_ENDED", "The session has ended");
    }
    return this.#pty;
  }

  #onData(bytes: Uint8Array): void {
    if (this.log.closed) return;
    this.log.append(bytes);
    // A client falling far behind holds the PTY back (Attachment.holdsBack).
    let lagChanged = false;
    for (const attachment of this.#attachments) lagChanged = attachment.updateLag() || lagChanged;
    if (lagChanged) this.#updateFlow();
    this.screen.poke();
    this.#touch();
    this.#firstOutput();
  }

  #onExit(exit: ExitInfo): void {
    if (this.exit || this.#finished || this.state === "failed") return;
    this.exit = exit;
    this.#stop("exited");
  }

  /** The sandbox went away under a running session: clients see why, and the session ends. */
  #onLost(error: SandboxError): void {
    this.#stop("failed", error);
  }

  /**
   * The shell is gone (it exited, or the sandbox failed): release the sandbox at once, but keep the
   * session listed for exitedLingerMs so clients can read its last output and why it ended.
   */
  #stop(state: "exited" | "failed", failure?: SandboxError): void {
    if (this.#finished || this.state === "exited" || this.state === "failed") return;
    if (failure) this.failure = { code: failure.code, message: failure.message };
    this.state = state;
    this.log.close();
    this.#changed();
    this.#onStop(this);
    void this.#release();
    // From here only the linger ends the session: it ends as what it is (exited or failed).
    this.#clearTimer("idle");
    this.#clearTimer("grace");
    this.#lingerTimer = setTimeout(() => void this.close(state), this.#timings.exitedLingerMs);
    this.#lingerTimer.unref();
  }

  /**
   * Types the repository clone and start command into the shell once it has drawn a prompt. Input
   * from clients waits for this (see write): the prompt is the shell's first output, which an
   * early key's echo would otherwise stand in for.
   */
  async #typeStartCommands(pty: SandboxPty, firstOutput: Promise<void>): Promise<void> {
    const steps: string[] = [];
    if (this.#spec.repo) steps.push(`git clone --progress ${this.#spec.repo} .`);
    if (this.kind === "claude") steps.push(this.#sandbox.commandFor?.("claude") ?? "claude");
    if (this.#spec.command) steps.push(this.#spec.command);
    if (steps.length === 0) return;
    await Promise.race([
      firstOutput,
      new Promise((resolve) => setTimeout(resolve, PROMPT_WAIT_MS).unref()),
    ]);
    if (this.state !== "running") return;
    this.#touch();
    await pty.write(`${steps.join(" && ")}\r`);
  }

  #detach(attachment: Attachment): void {
    if (!this.#attachments.delete(attachment)) return;
    const clientId = attachment.clientId;
    const back = [...this.#attachments].some((other) => other.clientId === clientId);
    if (clientId && !this.#finished && !back) {
      this.#forgetReconnecting(clientId);
      const timer = setTimeout(() => {
        this.#reconnecting.delete(clientId);
        this.#updateFlow();
        if (clientId === this.#sizeOwner) this.#freeSize();
      }, RECONNECT_HOLD_MS);
      timer.unref();
      this.#reconnecting.set(clientId, timer);
    }
    this.#updateFlow();
    // An ended (or lingering) session needs no grace timer: it would keep it alive for nothing.
    if (this.#attachments.size === 0 && (this.state === "starting" || this.state === "running")) {
      this.#startGraceTimer();
    }
  }

  /** The client that set the size is gone: clients hear that they may take it. */
  #freeSize(): void {
    this.#sizeOwner = null;
    this.sizeFreed++;
    this.#changed();
  }

  #forgetReconnecting(clientId: string): void {
    const timer = this.#reconnecting.get(clientId);
    if (timer) clearTimeout(timer);
    this.#reconnecting.delete(clientId);
  }

  /**
   * Pauses the PTY while every client is behind (or reconnecting); one slow client never slows
   * the rest, and with nobody attached or expected back the program runs freely.
   */
  #updateFlow(): void {
    let allBlocked = this.#attachments.size + this.#reconnecting.size > 0;
    for (const attachment of this.#attachments) allBlocked &&= attachment.holdsBack;
    const pty = this.#pty;
    if (!pty?.pause || !pty.resume || allBlocked === this.#paused || !this.#sandbox.canPause)
      return;
    this.#paused = allBlocked;
    if (allBlocked) pty.pause();
    else pty.resume();
  }

  #touch(): void {
    this.#lastActivity = Date.now();
  }

  #armIdleTimer(): void {
    const remaining = this.#lastActivity + this.#timings.idleTimeoutMs - Date.now();
    this.#idleTimer = setTimeout(
      () => {
        if (this.state !== "running" && this.state !== "starting") return;
        if (Date.now() - this.#lastActivity >= this.#timings.idleTimeoutMs) void this.close("idle");
        else this.#armIdleTimer();
      },
      Math.max(0, remaining),
    );
    this.#idleTimer.unref();
  }

  #startGraceTimer(): void {
    this.#cancelGraceTimer();
    this.#graceTimer = setTimeout(() => {
      if (this.#attachments.size === 0) void this.close("detached");
    }, this.#timings.detachGraceMs);
    this.#graceTimer.unref();
  }

  #cancelGraceTimer(): void {
    this.#clearTimer("grace");
  }

  #clearTimer(which: "grace" | "idle" | "linger"): void {
    const timer =
      which === "grace" ? this.#graceTimer : which === "idle" ? this.#idleTimer : this.#lingerTimer;
    if (timer) clearTimeout(timer);
    if (which === "grace") this.#graceTimer = null;
    else if (which === "idle") this.#idleTimer = null;
    else this.#lingerTimer = null;
  }

  /** Marks the end for clients and the manager; the sandbox is released separately. */
  #end(reason: EndReason): void {
    this.#finished = true;
    this.endReason = reason;
    this.#startAbort.abort(ENDED);
    this.#clearTimer("grace");
    this.#clearTimer("idle");
    this.#clearTimer("linger");
    for (const clientId of [...this.#reconnecting.keys()]) this.#forgetReconnecting(clientId);
    this.log.close();
    this.screen.dispose();
    this.#changed();
    this.#onEnd(this);
  }

  /** Closes the PTY and its sandbox exactly once, whichever path gets here first. */
  #release(): Promise<void> {
    if (!this.#pty) {
      // Nothing started yet; if start() delivers a PTY later it releases it itself.
      return Promise.resolve();
    }
    this.#released ??= this.#pty.close();
    return this.#released;
  }

  #changed(): void {
    this.#changes.notify();
  }
}

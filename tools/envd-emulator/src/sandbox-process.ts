// A process in an emulated sandbox (a real PTY via node-pty, or plain pipes) fanning its output out to streams.
import { spawn as spawnChild, type ChildProcess } from "node:child_process";
import * as nodePty from "node-pty";
import { exitStatus, type ExitStatus } from "./exit-status.js";
import { killTree } from "./process-tree.js";
import { Subscription, type ProcessOutput, type SubscriptionOwner } from "./subscription.js";

/** The process as the client described it (sandbox paths), reported back by `List`. */
export interface ProcessConfigView {
  readonly cmd: string;
  readonly args: readonly string[];
  readonly envs: Readonly<Record<string, string>>;
  readonly cwd?: string;
}

/** Everything needed to start a process on the host. */
export interface ProcessSpec {
  readonly config: ProcessConfigView;
  /** Full environment (envd does not inherit its own). */
  readonly env: Readonly<Record<string, string>>;
  /** Host working directory; must exist. */
  readonly cwd: string;
  /** Run on a PTY of this size, else on pipes. */
  readonly pty?: { readonly cols: number; readonly rows: number };
  /** Give a pipe process a stdin pipe (otherwise /dev/null). */
  readonly stdin: boolean;
  readonly tag?: string;
}

/** An input or resize request that does not fit the process (envd answers these with an error). */
export class ProcessInputError extends Error {
  override readonly name = "ProcessInputError";
}

// Like envd: run the command through sh so a missing command exits 127 instead of failing the call.
const WRAPPER = ["-c", 'exec "$@"', "--"];
// A stream more than this many chunks behind pauses the process's output (envd blocks on slow readers).
const HIGH_WATER = 64;
const LOW_WATER = 16;

interface Backend {
  readonly pid: number;
  pause(): void;
  resume(): void;
  signal(signal: NodeJS.Signals): void;
  writePty(data: Uint8Array): void;
  writeStdin(data: Uint8Array): void;
  closeStdin(): void;
  resize(cols: number, rows: number): void;
}

interface Hooks {
  output(output: ProcessOutput): void;
  exit(status: ExitStatus): void;
}

function toBytes(data: string | Uint8Array): Uint8Array {
  return typeof data === "string" ? Buffer.from(data, "utf8") : data;
}

function ptyBackend(
  spec: ProcessSpec,
  size: { cols: number; rows: number },
  hooks: Hooks,
): Backend {
  const term = nodePty.spawn("/bin/sh", [...WRAPPER, spec.config.cmd, ...spec.config.args], {
    name: spec.env.TERM ?? "xterm",
    cols: Math.max(1, size.cols),
    rows: Math.max(1, size.rows),
    cwd: spec.cwd,
    env: { ...spec.env },
    encoding: null, // raw bytes: a UTF-8 character may be split across chunks, as with envd
  });
  term.onData((data: string | Uint8Array) => hooks.output({ case: "pty", value: toBytes(data) }));
  term.onExit(({ exitCode, signal }) =>
    hooks.exit(exitStatus(exitCode, signal !== undefined && signal > 0 ? signal : null)),
  );
  return {
    pid: term.pid,
    pause: () => term.pause(),
    resume: () => term.resume(),
    signal: (signal) => term.kill(signal),
    writePty: (data) => term.write(Buffer.from(data)),
    writeStdin: () => {
      throw new ProcessInputError(
        "tty assigned to process — input should be written to the pty, not the stdin",
      );
    },
    closeStdin: () => {
      throw new ProcessInputError(
        "cannot close stdin for PTY process — send Ctrl+D (0x04) instead",
      );
    },
    resize: (cols, rows) => term.resize(Math.max(1, cols), Math.max(1, rows)),
  };
}

// How long to keep reading pipes after the process itself exited (a grandchild may hold them open).
const PIPE_DRAIN_MS = 100;

function pipeBackend(spec: ProcessSpec, hooks: Hooks): Backend {
  const child: ChildProcess = spawnChild(
    "/bin/sh",
    [...WRAPPER, spec.config.cmd, ...spec.config.args],
    {
      cwd: spec.cwd,
      env: { ...spec.env },
      stdio: [spec.stdin ? "pipe" : "ignore", "pipe", "pipe"],
      detached: true, // own session, no controlling terminal, like a daemon's child
    },
  );
  if (child.pid === undefined) throw new Error(`error starting process '${spec.config.cmd}'`);
  const { stdout, stderr } = child;
  let stdin = child.stdin;
  stdin?.on("error", () => undefined);
  stdout?.on("data", (chunk: Buffer) => hooks.output({ case: "stdout", value: chunk }));
  stderr?.on("data", (chunk: Buffer) => hooks.output({ case: "stderr", value: chunk }));
  let ended: ExitStatus | undefined;
  child.on("exit", (code, signal) => {
    ended = exitStatus(code, signal);
    setTimeout(() => {
      stdout?.destroy();
      stderr?.destroy();
    }, PIPE_DRAIN_MS).unref();
  });
  child.on("close", (code, signal) => hooks.exit(ended ?? exitStatus(code, signal)));
  return {
    pid: child.pid,
    pause: () => {
      stdout?.pause();
      stderr?.pause();
    },
    resume: () => {
      stdout?.resume();
      stderr?.resume();
    },
    signal: (signal) => {
      child.kill(signal);
    },
    writePty: () => {
      throw new ProcessInputError(
        "tty not assigned to process — input should be written to the stdin, not the tty",
      );
    },
    writeStdin: (data) => {
      if (stdin === null || stdin.destroyed || stdin.writableEnded)
        throw new ProcessInputError("stdin not enabled or closed");
      stdin.write(data);
    },
    closeStdin: () => {
      stdin?.end();
      stdin = null;
    },
    resize: () => {
      throw new ProcessInputError("tty not assigned to process");
    },
  };
}

/**
 * A running process with envd's semantics: output goes to the streams subscribed at that
 * moment and is dropped while there are none; a reader that falls far behind pauses the
 * process; the end event follows all output.
 */
export class SandboxProcess implements SubscriptionOwner {
  /** Host pid (also the pid clients see). */
  readonly pid: number;
  readonly config: ProcessConfigView;
  readonly tag: string | undefined;
  readonly isPty: boolean;
  /** Resolves with the exit status once the process has ended and its streams got `end`. */
  readonly exited: Promise<ExitStatus>;

  private readonly backend: Backend;
  private readonly subscriptions = new Set<Subscription>();
  private outputOpen = true;
  private paused = false;
  private dropped = 0;
  private status: ExitStatus | undefined;
  private deadline: NodeJS.Timeout | undefined;
  private resolveExited: (status: ExitStatus) => void = () => undefined;

  /**
   * Starts a process.
   * @throws when the host refuses to start it
   */
  constructor(spec: ProcessSpec) {
    this.config = spec.config;
    this.tag = spec.tag;
    this.isPty = spec.pty !== undefined;
    this.exited = new Promise((resolve) => (this.resolveExited = resolve));
    const hooks: Hooks = {
      output: (output) => this.emit(output),
      exit: (status) => this.finish(status),
    };
    this.backend =
      spec.pty === undefined ? pipeBackend(spec, hooks) : ptyBackend(spec, spec.pty, hooks);
    this.pid = this.backend.pid;
  }

  /** Streams currently subscribed to the output. */
  get subscriberCount(): number {
    return this.subscriptions.size;
  }

  /** Output bytes thrown away because no stream was subscribed. */
  get droppedBytes(): number {
    return this.dropped;
  }

  /** True until the process has ended. */
  get running(): boolean {
    return this.status === undefined;
  }

  /** Subscribes a stream to output from now on (nothing earlier is replayed). */
  subscribe(): Subscription {
    const subscription = new Subscription(this);
    if (this.status !== undefined) subscription.push({ type: "end", exit: this.status });
    else this.subscriptions.add(subscription);
    return subscription;
  }

  /** Kills the process (SIGKILL) after `ms`, as envd does for a Start call's deadline. */
  setDeadline(ms: number): void {
    clearTimeout(this.deadline);
    this.deadline = setTimeout(() => this.signal("SIGKILL"), ms);
  }

  /** Sends a signal; SIGKILL and SIGTERM also stop forwarding output, as in envd. */
  signal(signal: NodeJS.Signals): void {
    if (signal === "SIGKILL" || signal === "SIGTERM") this.outputOpen = false;
    try {
      this.backend.signal(signal);
    } catch {
      // already gone
    }
  }

  /** Kills the process and all its descendants (the sandbox is going away). */
  destroy(): void {
    this.outputOpen = false;
    if (this.status === undefined) killTree(this.pid);
  }

  /** Writes to the PTY. @throws ProcessInputError for a pipe process */
  writePty(data: Uint8Array): void {
    this.backend.writePty(data);
  }

  /** Writes to stdin. @throws ProcessInputError for a PTY or a closed/absent stdin */
  writeStdin(data: Uint8Array): void {
    this.backend.writeStdin(data);
  }

  /** Closes stdin (EOF). @throws ProcessInputError for a PTY */
  closeStdin(): void {
    this.backend.closeStdin();
  }

  /** Resizes the PTY. @throws ProcessInputError for a pipe process */
  resize(cols: number, rows: number): void {
    this.backend.resize(cols, rows);
  }

  /** @internal a subscription took an item */
  consumed(): void {
    if (!this.paused) return;
    for (const subscription of this.subscriptions) if (subscription.backlog > LOW_WATER) return;
    this.paused = false;
    this.backend.resume();
  }

  /** @internal a subscription went away */
  released(subscription: Subscription): void {
    this.subscriptions.delete(subscription);
    this.consumed();
  }

  private emit(output: ProcessOutput): void {
    if (!this.outputOpen) return;
    if (this.subscriptions.size === 0) this.dropped += output.value.byteLength;
    let behind = false;
    for (const subscription of this.subscriptions) {
      subscription.push({ type: "data", output });
      if (subscription.backlog > HIGH_WATER) behind = true;
    }
    if (behind && !this.paused) {
      this.paused = true;
      this.backend.pause();
    }
  }

  private finish(status: ExitStatus): void {
    if (this.status !== undefined) return;
    this.status = status;
    clearTimeout(this.deadline);
    for (const subscription of this.subscriptions) subscription.push({ type: "end", exit: status });
    this.subscriptions.clear();
    this.resolveExited(status);
  }
}

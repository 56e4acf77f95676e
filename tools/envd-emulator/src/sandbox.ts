// One emulated sandbox: its directory, metadata, lifetime, processes and open envd streams.
import { rm } from "node:fs/promises";
import type { Socket } from "node:net";
import { SandboxPaths } from "./paths.js";
import { killSessions, sessionAlive } from "./process-tree.js";
import { SandboxProcess, type ProcessSpec } from "./sandbox-process.js";

/** What a sandbox is created with. */
export interface SandboxInit {
  readonly id: string;
  readonly templateId: string;
  readonly metadata: Readonly<Record<string, string>>;
  /** Sandbox-wide environment variables (the `envs` of `Sandbox.create`). */
  readonly envVars: Readonly<Record<string, string>>;
  /** Token every envd call must carry in `X-Access-Token`. */
  readonly accessToken: string;
  /** Real host directory standing for the sandbox's `/`. */
  readonly root: string;
  readonly startedAt: Date;
  readonly endAt: Date;
}

// How long destroy() waits for killed processes to be reaped before deleting the directory anyway.
const EXIT_WAIT_MS = 5000;

/** Selects a process the way envd's `ProcessSelector` does. */
export type ProcessSelector = { readonly pid: number } | { readonly tag: string };

interface OpenStream {
  readonly socket: Socket;
  readonly pid: number;
}

/** A sandbox and everything running in it. */
export class Sandbox {
  readonly id: string;
  readonly templateId: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly envVars: Readonly<Record<string, string>>;
  readonly accessToken: string;
  readonly startedAt: Date;
  readonly paths: SandboxPaths;
  /** When the sandbox expires unless its timeout is refreshed. */
  endAt: Date;

  private alive = true;
  private readonly processes = new Map<number, SandboxProcess>();
  private readonly streams = new Set<OpenStream>();
  // Every process starts its own session (setsid); a session is kept while any member lives.
  private readonly sessions = new Set<number>();

  constructor(init: SandboxInit) {
    this.id = init.id;
    this.templateId = init.templateId;
    this.metadata = init.metadata;
    this.envVars = init.envVars;
    this.accessToken = init.accessToken;
    this.startedAt = init.startedAt;
    this.endAt = init.endAt;
    this.paths = new SandboxPaths(init.root);
  }

  /** False once the sandbox was killed or expired. */
  get isAlive(): boolean {
    return this.alive;
  }

  /**
   * The environment envd gives a process: its own PATH, the user's HOME/USER/LOGNAME,
   * the sandbox-wide variables, then the request's (nothing else of the host leaks in).
   */
  processEnv(user: string, extra: Readonly<Record<string, string>>): Record<string, string> {
    return {
      PATH: process.env.PATH ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      HOME: this.paths.home,
      USER: user,
      LOGNAME: user,
      E2B_SANDBOX: "true",
      E2B_SANDBOX_ID: this.id,
      ...this.envVars,
      ...extra,
    };
  }

  /** Starts a process and tracks it until it ends. @throws when the sandbox is gone or the host cannot start it */
  startProcess(spec: ProcessSpec): SandboxProcess {
    if (!this.alive) throw new Error("sandbox is not running");
    const proc = new SandboxProcess(spec);
    this.processes.set(proc.pid, proc);
    this.sessions.add(proc.pid);
    void proc.exited.then(() => {
      if (this.processes.get(proc.pid) === proc) this.processes.delete(proc.pid);
      if (!sessionAlive(proc.pid)) this.sessions.delete(proc.pid);
    });
    return proc;
  }

  /** The running process a selector names, if any. */
  findProcess(selector: ProcessSelector): SandboxProcess | undefined {
    if ("pid" in selector) return this.processes.get(selector.pid);
    for (const proc of this.processes.values()) if (proc.tag === selector.tag) return proc;
    return undefined;
  }

  /** Running processes. */
  listProcesses(): SandboxProcess[] {
    return [...this.processes.values()];
  }

  /**
   * Records an open Start/Connect stream so that it can be cut like a dropped connection.
   * @returns a function to call when the stream ends
   */
  trackStream(socket: Socket, pid: number): () => void {
    const stream = { socket, pid };
    this.streams.add(stream);
    return () => this.streams.delete(stream);
  }

  /**
   * Cuts open streams by destroying their sockets (no end-of-stream message), optionally only those of one pid.
   * @returns how many streams were cut
   */
  breakStreams(pid?: number): number {
    let count = 0;
    for (const stream of this.streams) {
      if (pid !== undefined && stream.pid !== pid) continue;
      this.streams.delete(stream);
      stream.socket.destroy();
      count++;
    }
    return count;
  }

  /**
   * Kills the sandbox as the cloud does: streams drop without an end, every process
   * tree is killed, and the sandbox's files are deleted.
   */
  async destroy(): Promise<void> {
    if (!this.alive) return;
    this.alive = false;
    this.breakStreams();
    const procs = [...this.processes.values()];
    for (const proc of procs) proc.destroy();
    killSessions(this.sessions);
    // SIGKILL cannot be refused, but never let one stuck process wedge a shutdown.
    let timer: NodeJS.Timeout | undefined;
    const giveUp = new Promise<void>((resolve) => (timer = setTimeout(resolve, EXIT_WAIT_MS)));
    await Promise.race([Promise.all(procs.map((proc) => proc.exited)), giveUp]);
    clearTimeout(timer);
    await rm(this.paths.root, { recursive: true, force: true, maxRetries: 3 });
  }
}

// Creates, finds, lists and closes sessions, enforcing the session limits.
import {
  DEFAULT_MAX_SESSIONS,
  DEFAULT_MAX_SESSIONS_PER_CREDENTIAL,
  defaultSessionTitle,
  type SessionKind,
} from "@porthole/protocol";
import { checkKind, checkRepo, checkSize, checkTimeout, checkWholeNumber } from "./checks.js";
import { SandboxError } from "./errors.js";
import { DEFAULT_LOG_CAPACITY } from "./output-log.js";
import type { OrphanSandbox, SandboxProvider } from "./provider.js";
import {
  DEFAULT_DETACH_GRACE_MS,
  DEFAULT_EXITED_LINGER_MS,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_START_TIMEOUT_MS,
  Session,
  type EndReason,
  type SessionSpec,
  type SessionTimings,
} from "./session.js";
import { newSessionId } from "./session-id.js";

/** Settings of a SessionManager; everything but the provider has a default. */
export interface SessionManagerOptions {
  provider: SandboxProvider;
  /** Live sessions allowed across all owners. */
  maxSessions?: number;
  /** Live sessions allowed per owner. */
  maxSessionsPerOwner?: number;
  /** Bytes of output each session keeps for replay. */
  logCapacity?: number;
  detachGraceMs?: number;
  idleTimeoutMs?: number;
  exitedLingerMs?: number;
  /** How long a sandbox may take to start. */
  startTimeoutMs?: number;
  /** Environment given to every session's shell (e.g. ANTHROPIC_API_KEY for E2B sandboxes). */
  env?: Record<string, string>;
  /**
   * Told when a session's shell exits or its sandbox fails (`session.exit`, `session.failure`):
   * the session stays listed for exitedLingerMs after, so clients can read how it ended.
   */
  onSessionStop?: (session: Session) => void;
  /** Told when a session ends (is closed and forgotten), with why. */
  onSessionEnd?: (session: Session, reason: EndReason | null) => void;
}

/** What a caller asks for when creating a session. */
export interface CreateSessionRequest {
  owner: string;
  cols: number;
  rows: number;
  kind?: SessionKind;
  command?: string | undefined;
  repo?: string | undefined;
  title?: string | undefined;
}

/**
 * The sessions of one server. `create` returns at once with the session starting; its progress
 * and failures arrive through `session.attach()`.
 */
export class SessionManager {
  readonly provider: SandboxProvider;
  readonly maxSessions: number;
  readonly maxSessionsPerOwner: number;
  readonly #sessions = new Map<string, Session>();
  readonly #timings: SessionTimings;
  readonly #env: Record<string, string>;
  readonly #onSessionEnd: SessionManagerOptions["onSessionEnd"];
  readonly #onSessionStop: SessionManagerOptions["onSessionStop"];
  #accepting = true;

  constructor(options: SessionManagerOptions) {
    this.provider = options.provider;
    this.maxSessions = options.maxSessions ?? DEFAULT_MAX_SESSIONS;
    this.maxSessionsPerOwner = options.maxSessionsPerOwner ?? DEFAULT_MAX_SESSIONS_PER_CREDENTIAL;
    this.#timings = {
      logCapacity: options.logCapacity ?? DEFAULT_LOG_CAPACITY,
      detachGraceMs: options.detachGraceMs ?? DEFAULT_DETACH_GRACE_MS,
      idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
      exitedLingerMs: options.exitedLingerMs ?? DEFAULT_EXITED_LINGER_MS,
      startTimeoutMs: options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS,
    };
    this.#env = { ...options.env };
    this.#onSessionEnd = options.onSessionEnd;
    this.#onSessionStop = options.onSessionStop;
    checkWholeNumber("maxSessions", this.maxSessions);
    checkWholeNumber("maxSessionsPerOwner", this.maxSessionsPerOwner);
    checkWholeNumber("logCapacity", this.#timings.logCapacity);
    for (const name of [
      "detachGraceMs",
      "idleTimeoutMs",
      "exitedLingerMs",
      "startTimeoutMs",
    ] as const)
      checkTimeout(name, this.#timings[name]);
  }

  /** Live sessions (starting, running or exited but not yet closed). */
  get size(): number {
    return this.#sessions.size;
  }

  /** Starts a session; throws BAD_INPUT, LIMIT or SHUTTING_DOWN before creating anything. */
  create(request: CreateSessionRequest): Session {
    checkSize(request.cols, request.rows);
    if (request.kind !== undefined) checkKind(request.kind);
    if (request.repo !== undefined) checkRepo(request.repo);
    if (!this.#accepting) {
      throw new SandboxError(
        "SHUTTING_DOWN",
        "The server is shutting down and starts no new sessions",
      );
    }
    if (this.live().length >= this.maxSessions) {
      throw new SandboxError(
        "LIMIT",
        `The server already runs its limit of ${sessionsCount(this.maxSessions)}`,
      );
    }
    if (this.live(request.owner).length >= this.maxSessionsPerOwner) {
      throw new SandboxError(
        "LIMIT",
        `You already have the limit of ${sessionsCount(this.maxSessionsPerOwner)}; close one first`,
      );
    }
    const kind = request.kind ?? "shell";
    const session = this.#newSession({
      id: newSessionId(),
      owner: request.owner,
      cols: request.cols,
      rows: request.rows,
      kind,
      title: request.title ?? defaultSessionTitle(kind),
      command: request.command,
      repo: request.repo,
    });
    return session;
  }

  /** Registers and starts a session. */
  #newSession(
    spec: Omit<SessionSpec, "env" | "title" | "kind"> &
      Partial<Pick<SessionSpec, "title" | "kind">>,
  ): Session {
    const id = spec.id;
    const session = new Session(
      { kind: "shell", title: "Shell", ...spec, env: this.#env },
      this.provider,
      this.#timings,
      (ended) => this.#forget(ended),
      (stopped) => this.#onSessionStop?.(stopped),
    );
    this.#sessions.set(id, session);
    void session.start();
    return session;
  }

  /** The session with this id if `owner` may see it; another owner's session looks absent. */
  get(id: string, owner?: string): Session | undefined {
    const session = this.#sessions.get(id);
    if (!session || (owner !== undefined && session.owner !== owner)) return undefined;
    return session;
  }

  /** Like `get`, but throws NOT_FOUND (the same error for absent and not-yours). */
  require(id: string, owner?: string): Session {
    const session = this.get(id, owner);
    if (!session) throw new SandboxError("NOT_FOUND", "No such session");
    return session;
  }

  /** Sessions of one owner, or all. */
  list(owner?: string): Session[] {
    const all = [...this.#sessions.values()];
    return owner === undefined ? all : all.filter((session) => session.owner === owner);
  }

  /** Sandbox ids of live sessions, to tell orphans apart. */
  ownedSandboxIds(): Set<string> {
    return new Set(
      this.list().flatMap((session) => (session.sandboxId ? [session.sandboxId] : [])),
    );
  }

  /** Closes one session; NOT_FOUND when absent or not `owner`'s. */
  async close(id: string, owner?: string): Promise<void> {
    await this.require(id, owner).close("closed");
  }

  /** Refuses new sessions and closes every session (for shutdown). */
  async closeAll(reason: EndReason = "shutdown"): Promise<void> {
    this.#accepting = false;
    const sessions = this.list();
    await Promise.allSettled(sessions.map((session) => session.close(reason)));
    // A sandbox still being created is released when it arrives: wait for that too, or a caller
    // that exits next would leave it running.
    await Promise.allSettled(sessions.map((session) => session.startSettled));
  }

  /**
   * Takes back sandboxes an earlier run of this server left (after a crash or a restart): each
   * becomes a session again, with its old id and owner, attached to its still-running shell.
   * Output written while no server listened is gone. Sandboxes that cannot be taken back are
   * killed. Returns the ids of the sessions taken back.
   */
  async adoptOrphans(cols = 80, rows = 24): Promise<string[]> {
    if (!this.provider.listOrphans || !this.provider.reattach) return [];
    const adopted: string[] = [];
    for (const orphan of await this.#orphans()) {
      if (!orphan.owner || !orphan.sessionId) {
        await this.provider.killSandbox?.(orphan.sandboxId).catch(() => undefined);
        continue;
      }
      const session = this.#newSession({
        id: orphan.sessionId,
        owner: orphan.owner,
        cols,
        rows,
        reattachTo: orphan.sandboxId,
        ...(orphan.kind && { kind: orphan.kind }),
        title: orphan.title || defaultSessionTitle(orphan.kind ?? "shell"),
        ...(orphan.createdAt != null && { createdAt: orphan.createdAt }),
      });
      adopted.push(session.id);
    }
    return adopted;
  }

  /** Kills sandboxes of ours that no live session owns (after a crash); returns their ids. */
  async killOrphans(): Promise<string[]> {
    if (!this.provider.killSandbox) return [];
    const kill = this.provider.killSandbox.bind(this.provider);
    const orphans = await this.#orphans();
    await Promise.allSettled(orphans.map((orphan) => kill(orphan.sandboxId)));
    return orphans.map((orphan) => orphan.sandboxId);
  }

  /** Ids of sandboxes of ours that no live session owns (left by a crash), touching none of them. */
  async findOrphans(): Promise<string[]> {
    return (await this.#orphans()).map((orphan) => orphan.sandboxId);
  }

  /**
   * Sandboxes of ours that no session of this manager owns. A session still starting has no
   * sandbox id yet, so it is recognised by the session id the sandbox carries.
   */
  async #orphans(): Promise<OrphanSandbox[]> {
    if (!this.provider.listOrphans) return [];
    const orphans = await this.provider.listOrphans(this.ownedSandboxIds());
    return orphans.filter((orphan) => !this.#sessions.has(orphan.sessionId));
  }

  /**
   * Sessions holding a sandbox (starting or running): the ones that count toward the limits.
   * Exited and failed sessions stay listed a while to say how they ended, but their sandbox is
   * already gone.
   */
  live(owner?: string): Session[] {
    return this.list(owner).filter(
      (session) => session.state === "starting" || session.state === "running",
    );
  }

  #forget(session: Session): void {
    if (this.#sessions.get(session.id) !== session) return;
    this.#sessions.delete(session.id);
    this.#onSessionEnd?.(session, session.endReason);
  }
}

/** "1 session", "3 sessions". */
function sessionsCount(count: number): string {
  return count === 1 ? "1 session" : `${count} sessions`;
}

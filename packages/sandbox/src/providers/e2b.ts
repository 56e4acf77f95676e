// The production provider: one E2B sandbox per session, its shell a PTY served by envd.
import { MAX_TITLE_LENGTH, sessionKindSchema, type ExitInfo } from "@porthole/protocol";
import type { CommandHandle, Sandbox, SandboxOpts } from "e2b";
import { SandboxError } from "../errors.js";
import type {
  OrphanSandbox,
  PtyHandlers,
  PtyRef,
  ReattachRequest,
  SandboxProvider,
  SandboxPty,
  StartRequest,
} from "../provider.js";
import { fromE2BError } from "./e2b-errors.js";
import { SerialQueue } from "./serial-queue.js";

let sandboxClass: Promise<typeof Sandbox> | null = null;

/** The e2b SDK, loaded on first use: it is a third of a server's heap, wasted when sessions are local. */
function loadSdk(): Promise<{ Sandbox: typeof Sandbox }> {
  sandboxClass ??= import("e2b").then((sdk) => sdk.Sandbox);
  return sandboxClass.then((loaded) => ({ Sandbox: loaded }));
}

/**
 * A sandbox's own lifetime while its session lives: short, and refreshed, so a server that dies
 * without cleaning up leaks a sandbox for minutes, not hours.
 */
export const DEFAULT_SANDBOX_BACKSTOP_MS = 5 * 60 * 1000;

/** Working directory of shells in Porthole's template. */
export const E2B_WORKSPACE = "/workspace";

/** The variable in a shell's environment that names its Porthole session. */
const SESSION_ENV = "PORTHOLE_SESSION_ID";

/** Metadata key and value that mark a sandbox as Porthole's. */
export const E2B_APP_METADATA = { app: "porthole" } as const;

/**
 * The kind, title and creation time a sandbox's metadata recorded for its session, each null when
 * absent or malformed (metadata is anyone's with the API key to write: never trusted as it is).
 */
function recordedSession(
  metadata: Record<string, string>,
): Pick<OrphanSandbox, "kind" | "title" | "createdAt"> {
  const kind = sessionKindSchema.safeParse(metadata.kind);
  const title = metadata.title;
  const createdAt = /^\d{1,15}$/.test(metadata.createdAt ?? "") ? Number(metadata.createdAt) : null;
  return {
    kind: kind.success ? kind.data : null,
    title: title && title.length <= MAX_TITLE_LENGTH ? title : null,
    createdAt,
  };
}

/** Settings of the E2B provider. */
export interface E2BProviderOptions {
  apiKey: string;
  /** Template name or id (Porthole's is built from template/e2b.Dockerfile). */
  template: string;
  /** Where the SDK connects; defaults are E2B's cloud. The envd emulator prints local ones. */
  domain?: string | undefined;
  apiUrl?: string | undefined;
  sandboxUrl?: string | undefined;
  /** Sandbox lifetime backstop, refreshed every `backstopMs / 3` while the session lives. */
  backstopMs?: number;
  /** Tells this server's sandboxes from another Porthole's on the same E2B account. */
  instance?: string;
  /** Bound on each control-plane and envd request. */
  requestTimeoutMs?: number;
  cwd?: string;
}

/** Runs each session in its own E2B sandbox. */
export class E2BProvider implements SandboxProvider {
  readonly name = "e2b" as const;
  readonly isolation = "e2b" as const;
  /** envd cannot pause a PTY: clients that fall behind resync from a snapshot instead. */
  readonly canPause = false;
  readonly #options: Required<
    Pick<E2BProviderOptions, "backstopMs" | "instance" | "requestTimeoutMs" | "cwd">
  > &
    E2BProviderOptions;

  constructor(options: E2BProviderOptions) {
    this.#options = {
      backstopMs: DEFAULT_SANDBOX_BACKSTOP_MS,
      instance: "default",
      requestTimeoutMs: 30_000,
      cwd: E2B_WORKSPACE,
      ...options,
    };
  }

  /** The SDK options every call shares. */
  get connection(): Pick<
    SandboxOpts,
    "apiKey" | "domain" | "apiUrl" | "sandboxUrl" | "requestTimeoutMs"
  > {
    const { apiKey, domain, apiUrl, sandboxUrl, requestTimeoutMs } = this.#options;
    return {
      apiKey,
      requestTimeoutMs,
      ...(domain && { domain }),
      ...(apiUrl && { apiUrl }),
      ...(sandboxUrl && { sandboxUrl }),
    };
  }

  async start(request: StartRequest, handlers: PtyHandlers): Promise<SandboxPty> {
    const template = this.#options.template;
    request.onStatus("creating-sandbox", `Creating an E2B sandbox from template ${template}`);
    let sandbox: Sandbox;
    try {
      const { Sandbox } = await loadSdk();
      sandbox = await Sandbox.create(template, {
        ...this.connection,
        timeoutMs: this.#options.backstopMs,
        metadata: {
          ...E2B_APP_METADATA,
          instance: this.#options.instance,
          sessionId: request.sessionId,
          owner: request.owner,
          kind: request.kind,
          title: request.title,
          createdAt: String(request.createdAt),
        },
      });
    } catch (error) {
      throw fromE2BError(error, template);
    }
    // From here on a failure must not leave the sandbox running.
    try {
      if (request.signal.aborted)
        throw new SandboxError("SESSION_ENDED", "The session was closed while starting");
      request.onStatus("starting-shell", "Starting a shell in the sandbox");
      const pty = new E2BPty(sandbox, this.#options.backstopMs, handlers, template);
      await pty.open((onData) =>
        sandbox.pty.create({
          cols: request.cols,
          rows: request.rows,
          onData,
          // The SDK's default (60 s) is the PTY's whole life: envd would kill the shell.
          timeoutMs: 0,
          // The session id in the shell's environment finds this PTY again after a restart.
          envs: { ...request.env, [SESSION_ENV]: request.sessionId },
          cwd: this.#options.cwd,
        }),
      );
      return pty;
    } catch (error) {
      await sandbox.kill().catch(() => false);
      throw fromE2BError(error, template);
    }
  }

  async reattach(request: ReattachRequest, handlers: PtyHandlers): Promise<SandboxPty> {
    const template = this.#options.template;
    try {
      const { Sandbox } = await loadSdk();
      const sandbox = await Sandbox.connect(request.sandboxId, {
        ...this.connection,
        timeoutMs: this.#options.backstopMs,
      });
      const processes = await sandbox.commands.list();
      const shell = processes.find((process) => process.envs[SESSION_ENV] === request.sessionId);
      if (!shell) {
        await sandbox.kill().catch(() => false);
        throw new SandboxError(
          "SANDBOX_FAILED",
          "The session's shell no longer runs in its sandbox",
        );
      }
      const pty = new E2BPty(sandbox, this.#options.backstopMs, handlers, template);
      try {
        await pty.open((onData) => sandbox.pty.connect(shell.pid, { onData, timeoutMs: 0 }));
        await pty.resize(request.cols, request.rows);
      } catch (error) {
        // Half taken back is worse than not at all: nothing would ever end this sandbox.
        await pty.close();
        throw error;
      }
      return pty;
    } catch (error) {
      throw fromE2BError(error, template);
    }
  }

  async listOrphans(ownedSandboxIds: ReadonlySet<string>): Promise<OrphanSandbox[]> {
    try {
      const { Sandbox } = await loadSdk();
      const paginator = Sandbox.list({
        ...this.connection,
        query: {
          metadata: { ...E2B_APP_METADATA, instance: this.#options.instance },
          state: ["running", "paused"],
        },
      });
      const orphans: OrphanSandbox[] = [];
      while (paginator.hasNext) {
        for (const info of await paginator.nextItems()) {
          if (ownedSandboxIds.has(info.sandboxId)) continue;
          orphans.push({
            sandboxId: info.sandboxId,
            sessionId: info.metadata.sessionId ?? "",
            owner: info.metadata.owner ?? null,
            startedAt: info.startedAt ?? null,
            ...recordedSession(info.metadata),
          });
        }
      }
      return orphans;
    } catch (error) {
      throw fromE2BError(error, this.#options.template);
    }
  }

  async killSandbox(sandboxId: string): Promise<void> {
    try {
      const { Sandbox } = await loadSdk();
      await Sandbox.kill(sandboxId, this.connection);
    } catch (error) {
      throw fromE2BError(error, this.#options.template);
    }
  }
}

/** One E2B PTY: input in order, the backstop refreshed, the sandbox killed on close. */
class E2BPty implements SandboxPty {
  ref: PtyRef;
  readonly #sandbox: Sandbox;
  readonly #handlers: PtyHandlers;
  readonly #template: string;
  readonly #queue = new SerialQueue();
  readonly #encoder = new TextEncoder();
  readonly #refresh: NodeJS.Timeout;
  #closed: Promise<void> | null = null;
  #done = false;

  constructor(sandbox: Sandbox, backstopMs: number, handlers: PtyHandlers, template: string) {
    this.#sandbox = sandbox;
    this.#handlers = handlers;
    this.#template = template;
    this.ref = { sandboxId: sandbox.sandboxId, pid: 0 };
    this.#refresh = setInterval(
      () => {
        sandbox.setTimeout(backstopMs).catch(() => {
          // A missed refresh is retried next time; a dead sandbox shows as a broken stream.
        });
      },
      Math.max(1000, Math.floor(backstopMs / 3)),
    );
    this.#refresh.unref();
  }

  /** Starts (or reconnects) the PTY with `connect` and follows it until it ends. */
  async open(
    connect: (onData: (bytes: Uint8Array) => void) => Promise<CommandHandle>,
  ): Promise<void> {
    try {
      const handle = await connect((bytes) => {
        if (!this.#done) this.#handlers.onData(bytes);
      });
      this.ref = { sandboxId: this.#sandbox.sandboxId, pid: handle.pid };
      handle.wait().then(
        (result) => this.#ended({ code: result.exitCode, signal: null }),
        (error: unknown) => this.#failed(error),
      );
    } catch (error) {
      clearInterval(this.#refresh);
      throw error;
    }
  }

  write(data: string): Promise<void> {
    const bytes = this.#encoder.encode(data);
    return this.#queue.run(() =>
      this.#sandbox.pty
        .sendInput(this.ref.pid, bytes)
        .catch((error: unknown) => this.#rethrow(error)),
    );
  }

  resize(cols: number, rows: number): Promise<void> {
    return this.#queue.run(() =>
      this.#sandbox.pty
        .resize(this.ref.pid, { cols, rows })
        .catch((error: unknown) => this.#rethrow(error)),
    );
  }

  close(): Promise<void> {
    this.#closed ??= (async () => {
      this.#done = true;
      clearInterval(this.#refresh);
      await this.#sandbox.kill().catch(() => false);
    })();
    return this.#closed;
  }

  #ended(exit: ExitInfo): void {
    if (this.#done) return;
    this.#done = true;
    clearInterval(this.#refresh);
    this.#handlers.onExit(exit);
  }

  /** The stream ended with an error: a non-zero exit or signal, or a broken connection. */
  #failed(error: unknown): void {
    const exit = exitFromError(error);
    if (exit) return this.#ended(exit);
    if (this.#done) return;
    this.#done = true;
    clearInterval(this.#refresh);
    const lost = fromE2BError(error, this.#template);
    const reason = new SandboxError(
      lost.code === "SANDBOX_FAILED" ? "SANDBOX_UNREACHABLE" : lost.code,
      `Lost the connection to the sandbox: ${lost.message}`,
      { cause: error },
    );
    if (this.#handlers.onLost) this.#handlers.onLost(reason);
    else this.#handlers.onExit({ code: null, signal: null });
  }

  #rethrow(error: unknown): never {
    throw fromE2BError(error, this.#template);
  }
}

/**
 * envd reports a finished process as `exitCode` plus an `error` text such as "signal: killed";
 * the SDK rejects `wait()` with a CommandExitError carrying both. Anything else is not an exit.
 */
export function exitFromError(error: unknown): ExitInfo | null {
  if (!(error instanceof Error) || error.constructor.name !== "CommandExitError") return null;
  const { exitCode, error: detail } = error as Error & { exitCode?: number; error?: string };
  const signal = /signal: (\w+)/.exec(detail ?? "")?.[1];
  if (signal) return { code: null, signal: SIGNALS[signal] ?? `SIG${signal.toUpperCase()}` };
  return { code: typeof exitCode === "number" ? exitCode : null, signal: null };
}

/** Go's signal names, as envd prints them, to POSIX names. */
const SIGNALS: Record<string, string> = {
  killed: "SIGKILL",
  terminated: "SIGTERM",
  interrupt: "SIGINT",
  hangup: "SIGHUP",
  quit: "SIGQUIT",
  aborted: "SIGABRT",
};

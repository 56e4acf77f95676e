// The embedded provider: shells on this machine through node-pty, optionally inside bubblewrap.
import { mkdirSync, readSync, statSync } from "node:fs";
import { availableParallelism, constants as osConstants, tmpdir } from "node:os";
import { basename, delimiter, dirname, join } from "node:path";
import { ID_PATTERN, type ExitInfo } from "@porthole/protocol";
import type * as NodePty from "node-pty";
import { SandboxError, toSandboxError } from "../errors.js";
import type {
  OrphanSandbox,
  PtyHandlers,
  SandboxProvider,
  SandboxPty,
  StartRequest,
} from "../provider.js";
import { bubblewrapArgs, SANDBOX_WORKSPACE } from "./bubblewrap.js";
import { findProgram } from "./find-program.js";
import {
  claimWorkspace,
  orphanedSessions,
  reapSession,
  removeWorkspace,
  SERVER_VARIABLE,
  serverIdentity,
  SESSION_VARIABLE,
} from "./local-orphans.js";
import {
  PtyThread,
  type SpawnOptions,
  type ThreadPty,
  type ThreadPtyHandlers,
} from "./pty-thread.js";
import { drainBeforeDestroy } from "./pty-drain.js";
import {
  checkProgram,
  importsFunctions,
  linkPrograms,
  programDirectories,
  pathKeeper,
  programFunctions,
  programsDir,
  pruneProgramDirs,
} from "./program-links.js";
import { signalSession } from "./process-session.js";
import { shellQuote } from "./shell-quote.js";
import { buildShellEnv } from "./shell-env.js";

/** How long a closing shell gets after SIGHUP before its whole process group is SIGKILLed. */
export const LOCAL_KILL_GRACE_MS = 500;

/** How `listOrphans` names a local session left by a server that died: `local-orphan:<session id>`. */
export const LOCAL_ORPHAN_PREFIX = "local-orphan:";

/** Settings of the local provider. */
export interface LocalProviderOptions {
  /**
   * Where per-session working directories go; default `<tmpdir>/porthole-sessions-<uid>`. It must
   * belong to this user and be writable by nobody else, or another user could swap a session's
   * directory: one that is not is refused.
   */
  workspaceRoot?: string;
  /** Shell to run; default `$SHELL`, else /bin/bash. */
  shell?: string;
  /** Arguments for the shell; default `["-l"]` (a login shell, reading the user's profile). */
  shellArgs?: string[];
  /** Run shells under bubblewrap (the `bwrap` binary must be installed). */
  isolation?: "none" | "bubblewrap";
  /** The environment the shell's allowlisted variables come from; default `process.env`. */
  baseEnv?: NodeJS.ProcessEnv;
  /** Directories prepended to the shell's PATH (e.g. where `claude` is installed). */
  extraPath?: string[];
  /**
   * Programs a session may run by name, each the absolute path of its executable (e.g.
   * `{ claude: "/opt/claude/claude" }`), or of a symlink to it, which is followed each time the
   * name runs: an updater that repoints it (Claude Code's native installer) is followed. The
   * provider puts an entry per name in a directory of its own under `workspaceRoot`
   * (`.programs-<hash>`, holding only these names: anything else found there is removed before
   * each session), first on the shell's PATH and shown read-only under bubblewrap with each
   * program's directory and, read at each session's start, the directories its symlinks lead to.
   * An entry is a symlink to the program; for a launcher script (`#!`) it is a two-line script
   * that execs it by its own path, so that what runs the name without the shell's help (`env
   * claude`, `nohup claude`, `sh -c claude`) runs a launcher that finds what lies beside it,
   * except where the workspace root's filesystem is mounted noexec (/tmp may be): there it is a
   * symlink too, and such a launcher fails when run by that name. Directories left by other sets
   * of programs are removed at construction once every program they link is gone.
   *
   * Each name is also exported as a bash function running the program by its path, so it still
   * works after a login profile sets PATH anew (Debian's /etc/profile does), and a PROMPT_COMMAND
   * puts the directory back on PATH before each prompt (unless the profile sets its own). With bash,
   * `commandFor(name)` is then the name itself, and the user can type it again later; with other
   * shells, and with bash options under which it imports no functions (`--posix`, `-o posix`,
   * `-p`, `-r`), it stays the program's path. A login profile that execs another shell (`exec
   * zsh`) drops the functions: the name then runs only while PATH keeps the links' directory, so
   * give that shell as `shell` instead. Only these names are shadowed: everything else is looked
   * up on the user's PATH. A name must be a plain file name (letters, digits, `_ . + -`) and no
   * shell builtin or keyword, a path absolute, and `workspaceRoot` free of `:` (which would split
   * PATH), or the constructor throws a `BAD_INPUT` SandboxError. Under bubblewrap only those
   * directories are shown: a launcher that runs something elsewhere needs the file itself given.
   */
  programs?: Record<string, string>;
  /** Delete a session's working directory when it closes (default true). */
  removeWorkspaceOnClose?: boolean;
  /**
   * Run PTYs on the PTY thread (default: when this process may use more than one CPU, see
   * `ptyThreadByDefault`). Off, they run on the main thread: a little less CPU per byte for many
   * slow sessions (one thread hop fewer per read), but every long task on the event loop stalls
   * a program that writes fast.
   */
  ptyThread?: boolean;
}

/**
 * Whether LocalProvider runs PTYs on their own thread unless told: only with a second CPU for
 * that thread. On one CPU the hand-over between the threads cost ~15% of the throughput and a
 * quarter of the p95 keystroke echo, and bought nothing (bench/README.md).
 */
export function ptyThreadByDefault(cpus: number = availableParallelism()): boolean {
  return cpus > 1;
}

/** Directories bubblewrap already shows read-only. */
const SYSTEM_DIR = /^\/(usr|bin|sbin|lib|lib32|lib64|libx32|etc|opt)(\/|$)/;

/** Signal names by number, for exit reports. */
const SIGNAL_NAMES = new Map(
  Object.entries(osConstants.signals).map(([name, number]) => [number, name]),
);

/** Runs each session's shell in its own working directory on this machine. */
export class LocalProvider implements SandboxProvider {
  readonly name = "local" as const;
  readonly isolation: "none" | "bubblewrap";
  readonly canPause = true;
  readonly workspaceRoot: string;
  readonly #shell: string;
  readonly #shellArgs: string[];
  readonly #baseEnv: NodeJS.ProcessEnv;
  readonly #removeWorkspace: boolean;
  readonly #path: string;
  readonly #extraPath: string[];
  readonly #programs: Map<string, string>;
  /** Where the programs' links are (see `programs`); null without programs. */
  readonly #programsDir: string | null;
  /** Whether the shell takes the programs' exported functions, so their names always run them. */
  readonly #byName: boolean;
  readonly #bwrap: string | null;
  readonly #ptyThread: boolean;

  constructor(options: LocalProviderOptions = {}) {
    this.#baseEnv = options.baseEnv ?? process.env;
    this.isolation = options.isolation ?? "none";
    if (this.isolation !== "none" && this.isolation !== "bubblewrap") {
      throw new SandboxError(
        "BAD_INPUT",
        `isolation must be "none" or "bubblewrap", not ${JSON.stringify(this.isolation)}`,
      );
    }
    this.workspaceRoot = options.workspaceRoot ?? defaultWorkspaceRoot();
    this.#removeWorkspace = options.removeWorkspaceOnClose ?? true;
    this.#ptyThread = options.ptyThread ?? ptyThreadByDefault();
    this.#extraPath = options.extraPath ?? [];
    this.#programs = new Map(Object.entries(options.programs ?? {}));
    for (const [name, path] of this.#programs) checkProgram(name, path);
    // The links' directory goes on PATH, where a `:` would split it in two, one part a relative
    // entry that resolves in the shell's working directory: its writable workspace.
    if (this.#programs.size > 0 && this.workspaceRoot.includes(delimiter)) {
      throw new SandboxError(
        "BAD_INPUT",
        `The workspace root ${JSON.stringify(this.workspaceRoot)} holds "${delimiter}", which would split the PATH its programs' links are put on: use another`,
      );
    }
    this.#programsDir =
      this.#programs.size > 0 ? programsDir(this.workspaceRoot, this.#programs) : null;
    this.#path = [...this.#extraPath, this.#baseEnv.PATH ?? "/usr/local/bin:/usr/bin:/bin"].join(
      ":",
    );
    this.#shell = options.shell ?? this.#baseEnv.SHELL ?? "/bin/bash";
    this.#shellArgs = options.shellArgs ?? ["-l"];
    // Only bash imports exported functions, and not with every option; run by another name (sh)
    // it may be in POSIX mode, which imports fewer of them.
    this.#byName = basename(this.#shell) === "bash" && importsFunctions(this.#shellArgs);
    this.#bwrap = this.isolation === "bubblewrap" ? findProgram("bwrap", this.#path) : null;
    // Checked now: a missing shell would otherwise start every session as "ready", then exit 1.
    if (!findProgram(this.#shell, this.#path)) {
      throw new SandboxError(
        "BAD_INPUT",
        `The shell ${JSON.stringify(this.#shell)} does not exist or is not executable`,
      );
    }
    ensureWorkspaceRoot(this.workspaceRoot);
    if (this.#programsDir) linkPrograms(this.#programsDir, this.#programs);
    // Each set of programs ever given left a directory (a bundled Claude Code's path changes with
    // its version): those whose programs are all gone go now.
    pruneProgramDirs(this.workspaceRoot, this.#programsDir);
    if (this.isolation === "bubblewrap" && !this.#bwrap) {
      throw new SandboxError(
        "SANDBOX_FAILED",
        "Isolation with bubblewrap was asked for, but `bwrap` is not installed (apt-get install bubblewrap)",
      );
    }
  }

  hasProgram(program: string): Promise<boolean> {
    const path = this.#programs.get(program);
    if (path !== undefined) return Promise.resolve(findProgram(path, undefined) !== null);
    return Promise.resolve(findProgram(program, this.#path) !== null);
  }

  commandFor(program: string): string {
    const given = this.#programs.get(program);
    if (given !== undefined) return shellQuote(this.#byName ? program : given);
    const added = findProgram(program, this.#extraPath.join(delimiter));
    return added ? shellQuote(added) : program;
  }

  /**
   * Sessions a local server left when it died without closing them (a crash, SIGKILL): processes
   * still marked with a server that no longer runs, and workspaces it made. Never a session of a
   * server that runs, this one or another sharing the workspace root.
   */
  listOrphans(): Promise<OrphanSandbox[]> {
    const orphans = orphanedSessions(this.workspaceRoot).map((sessionId) => ({
      sandboxId: `${LOCAL_ORPHAN_PREFIX}${sessionId}`,
      sessionId,
      owner: null,
      startedAt: null,
    }));
    return Promise.resolve(orphans);
  }

  /** Kills an orphan's processes and removes its workspace (ids from `listOrphans`). */
  killSandbox(sandboxId: string): Promise<void> {
    const sessionId = sandboxId.slice(LOCAL_ORPHAN_PREFIX.length);
    if (!sandboxId.startsWith(LOCAL_ORPHAN_PREFIX) || !ID_PATTERN.test(sessionId)) {
      return Promise.reject(new SandboxError("BAD_INPUT", `Not a local orphan: ${sandboxId}`));
    }
    reapSession(this.workspaceRoot, sessionId);
    return Promise.resolve();
  }

  start(request: StartRequest, handlers: PtyHandlers): Promise<SandboxPty> {
    if (request.signal.aborted)
      return Promise.reject(
        new SandboxError("SESSION_ENDED", "The session was closed while starting"),
      );
    request.onStatus(
      "starting-shell",
      this.isolation === "bubblewrap" ? "Starting a shell in bubblewrap" : "Starting a shell",
    );
    const workspace = join(this.workspaceRoot, request.sessionId);
    try {
      // The root may have been cleaned away since start-up (it lives in /tmp by default).
      ensureWorkspaceRoot(this.workspaceRoot);
      if (this.#programsDir) linkPrograms(this.#programsDir, this.#programs);
      mkdirSync(workspace, { mode: 0o700 });
      // A workspace that goes with its session is reaped if this server dies without closing it.
      if (this.#removeWorkspace) claimWorkspace(workspace);
    } catch (error) {
      return Promise.reject(toSandboxError(error, "SANDBOX_FAILED"));
    }
    // The programs' links first: a name given in `programs` means that program.
    const path = this.#programsDir ? `${this.#programsDir}:${this.#path}` : this.#path;
    const env = buildShellEnv({ ...this.#baseEnv, PATH: path }, request.env);
    // Not for a shell that would not take them: bash in POSIX mode complains of each name it
    // refuses, every time it starts.
    if (this.#programsDir && this.#byName) {
      Object.assign(env, programFunctions(this.#programs), pathKeeper(this.#programsDir));
    }
    // Every process of the session inherits these: closing kills what carries the first, and a
    // server after a crash reaps what carries the second for a server that is gone.
    env[SESSION_VARIABLE] = request.sessionId;
    env[SERVER_VARIABLE] = serverIdentity();
    let file = this.#shell;
    let args = this.#shellArgs;
    let cwd = workspace;
    if (this.#bwrap) {
      // Only the shell's and explicitly added directories join the system ones: not the whole PATH,
      // which may point into the server's home.
      // Each program's directory, and where its symlinks lead now (the link may have changed since
      // the last session: an update repoints it).
      const programDirs = [...this.#programs.values()].flatMap(programDirectories);
      if (this.#programsDir) programDirs.push(this.#programsDir);
      const visible = [dirname(this.#shell), ...this.#extraPath, ...programDirs].filter(
        (dir) => !SYSTEM_DIR.test(dir),
      );
      args = bubblewrapArgs({
        workspace,
        command: [this.#shell, ...this.#shellArgs],
        extraReadOnly: [...new Set(visible)],
      });
      file = this.#bwrap;
      env.HOME = SANDBOX_WORKSPACE;
      cwd = workspace;
    }
    const marker = `${SESSION_VARIABLE}=${request.sessionId}`;
    const local = new LocalPty(workspace, this.#removeWorkspace, marker, handlers);
    const options = { name: "xterm-256color", cols: request.cols, rows: request.rows, cwd, env };
    const spawn = this.#ptyThread ? spawnOnThread : spawnHere;
    return spawn(file, args, options, local.events).then(
      (child) => local.started(child),
      (error: unknown) => {
        removeWorkspace(workspace);
        throw new SandboxError("SANDBOX_FAILED", startFailureMessage(file, error), {
          cause: error,
        });
      },
    );
  }
}

/**
 * What the user is told when a PTY did not start. node-pty that cannot be loaded is named as the
 * cause (its loader's messages name `pty.node` or `node-pty`), not the shell, which never ran.
 */
export function startFailureMessage(file: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/pty\.node|node-pty/.test(message)) {
    return `node-pty could not be loaded, so no local shell can start (${message}). Its native module is built at install: run \`npm rebuild node-pty\` (with pnpm, allow its build in onlyBuiltDependencies, then \`pnpm rebuild node-pty\`)`;
  }
  return `Could not start ${file}: ${message}`;
}

/** One thread runs every local PTY of this process, started with the first. */
let thread: PtyThread | null = null;

function spawnOnThread(
  file: string,
  args: string[],
  options: SpawnOptions,
  handlers: ThreadPtyHandlers,
): Promise<ThreadPty> {
  thread ??= new PtyThread();
  return thread.spawn(file, args, options, handlers);
}

/** node-pty, loaded with the first PTY on this thread. */
let nodePty: Promise<typeof NodePty> | null = null;

/**
 * Loads node-pty on first use rather than with this module: a process that only uses E2B never
 * needs its native module, which must be compiled at install (no Linux prebuilds).
 */
function loadNodePty(): Promise<typeof NodePty> {
  nodePty ??= import("node-pty").then(
    (module: typeof NodePty & { default?: typeof NodePty }) => module.default ?? module,
    (error: unknown) => {
      // Tried again with the next PTY: it may have been built meanwhile.
      nodePty = null;
      throw error;
    },
  );
  return nodePty;
}

/** The same PTY on this thread (`ptyThread: false`). */
async function spawnHere(
  file: string,
  args: string[],
  options: SpawnOptions,
  handlers: ThreadPtyHandlers,
): Promise<ThreadPty> {
  const pty = await loadNodePty();
  const child = pty.spawn(file, args, { ...options, encoding: null });
  // With encoding null node-pty hands over Buffers; its typings say string.
  child.onData((data: string | Buffer) =>
    handlers.onData(typeof data === "string" ? Buffer.from(data) : data),
  );
  child.onExit(({ exitCode, signal }) => handlers.onExit(exitCode, signal ?? 0));
  drainBeforeDestroy(child, readSync, (bytes) => handlers.onData(bytes));
  return {
    pid: child.pid,
    write: (data) => child.write(data),
    resize: (cols, rows) => child.resize(cols, rows),
    pause: () => child.pause(),
    resume: () => child.resume(),
  };
}

/** A shell in a PTY (on the PTY thread or this one), as a SandboxPty. */
class LocalPty implements SandboxPty {
  ref: { sandboxId: string; pid: number } = { sandboxId: "local-0", pid: 0 };
  #child: ThreadPty | null = null;
  readonly #workspace: string;
  readonly #removeWorkspace: boolean;
  /** The `PORTHOLE_SESSION_ID=…` entry every process of the session inherits. */
  readonly #marker: string;
  readonly #exited: Promise<void>;
  #markExited: () => void = () => undefined;
  #closed: Promise<void> | null = null;
  #alive = true;
  /** What the PTY reports, passed on to the session. */
  readonly events: ThreadPtyHandlers;

  constructor(workspace: string, removeWorkspace: boolean, marker: string, handlers: PtyHandlers) {
    this.#workspace = workspace;
    this.#removeWorkspace = removeWorkspace;
    this.#marker = marker;
    this.#exited = new Promise((resolve) => (this.#markExited = resolve));
    this.events = {
      onData: (bytes) => handlers.onData(bytes),
      onExit: (exitCode, signal) => {
        this.#alive = false;
        const exit: ExitInfo = signal
          ? { code: null, signal: SIGNAL_NAMES.get(signal) ?? `SIG${signal}` }
          : { code: exitCode, signal: null };
        handlers.onExit(exit);
        this.#markExited();
      },
      onLost: (error) => {
        this.#alive = false;
        const lost = new SandboxError("SANDBOX_FAILED", `The shell was lost: ${error.message}`, {
          cause: error,
        });
        if (handlers.onLost) handlers.onLost(lost);
        else handlers.onExit({ code: null, signal: "SIGHUP" });
        this.#markExited();
      },
    };
  }

  /** Takes the spawned PTY: its pid names the sandbox. */
  started(child: ThreadPty): this {
    this.#child = child;
    this.ref = { sandboxId: `local-${child.pid}`, pid: child.pid };
    return this;
  }

  pendingInputBytes(): number {
    return this.#child?.pendingInputBytes?.() ?? 0;
  }

  write(data: string): Promise<void> {
    if (this.#alive) this.#child?.write(data);
    return Promise.resolve();
  }

  resize(cols: number, rows: number): Promise<void> {
    if (this.#alive) this.#child?.resize(cols, rows);
    return Promise.resolve();
  }

  pause(): void {
    this.#child?.pause();
  }

  resume(): void {
    this.#child?.resume();
  }

  /** SIGHUP to the shell, SIGKILL to every process left in its terminal session after a grace period. */
  close(): Promise<void> {
    this.#closed ??= this.#kill();
    return this.#closed;
  }

  async #kill(): Promise<void> {
    const sid = this.ref.pid;
    if (this.#alive) {
      this.#child?.resume();
      signalSession(sid, "SIGHUP");
      const timer = setTimeout(() => signalSession(sid, "SIGKILL"), LOCAL_KILL_GRACE_MS);
      await this.#exited;
      clearTimeout(timer);
    }
    // Background jobs outlive the shell unless told, even those that left its terminal session
    // (setsid, daemons): they go too, found by the session id in their environment.
    signalSession(sid, "SIGKILL", this.#marker);
    if (this.#removeWorkspace) removeWorkspace(this.#workspace);
  }
}

/** `<tmpdir>/porthole-sessions-<uid>`: one per user, since /tmp is shared by all of them. */
function defaultWorkspaceRoot(): string {
  const uid = process.getuid?.();
  return join(tmpdir(), uid === undefined ? "porthole-sessions" : `porthole-sessions-${uid}`);
}

/**
 * Makes the workspace root if it is missing, and refuses one that another user owns or may write
 * to: they could rename a session's directory away and put their own in its place.
 */
function ensureWorkspaceRoot(path: string): void {
  ensureDirectory(path);
  const uid = process.getuid?.();
  if (uid === undefined) return;
  const { uid: owner, mode } = statSync(path);
  if (owner !== uid) {
    throw new SandboxError(
      "SANDBOX_FAILED",
      `The workspace root ${path} belongs to another user (uid ${owner}): use a directory of your own`,
    );
  }
  if ((mode & 0o022) !== 0) {
    throw new SandboxError(
      "SANDBOX_FAILED",
      `The workspace root ${path} is writable by other users (mode ${(mode & 0o777).toString(8)}): chmod 700 it, or use another`,
    );
  }
}

/**
 * Makes `path` a directory, one level at a time. Node's recursive mkdir loops forever on some
 * paths (under /proc, say); this fails with a clear error instead.
 */
function ensureDirectory(path: string): void {
  try {
    if (statSync(path).isDirectory()) return;
    throw new SandboxError("SANDBOX_FAILED", `The workspace root ${path} is not a directory`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT")
      throw toSandboxError(error, "SANDBOX_FAILED");
  }
  const parent = dirname(path);
  if (parent !== path) ensureDirectory(parent);
  try {
    mkdirSync(path, { mode: 0o700 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return;
    throw new SandboxError(
      "SANDBOX_FAILED",
      `Cannot create the workspace root ${path}: ${code ?? String(error)}`,
      { cause: error },
    );
  }
}

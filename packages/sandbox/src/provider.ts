// The seam between sessions and where their shells run: one interface, a provider per backend.
import type {
  ExitInfo,
  Isolation,
  ProviderName,
  SessionKind,
  StatusPhase,
} from "@porthole/protocol";
import type { SandboxError } from "./errors.js";

/** What a provider needs to start one session's sandbox and shell. */
export interface StartRequest {
  /** The Porthole session id, recorded on the sandbox so it can be found again. */
  sessionId: string;
  /** Who owns the session (an opaque credential id), recorded so a restarted server can reattach. */
  owner: string;
  /** What the session runs, its title and when it was created: recorded to be restored with it. */
  kind: SessionKind;
  title: string;
  createdAt: number;
  cols: number;
  rows: number;
  /** Extra environment for the shell (e.g. ANTHROPIC_API_KEY); never written to a file. */
  env: Record<string, string>;
  /** Progress while the sandbox starts, shown to the person waiting. */
  onStatus: (phase: StatusPhase, message: string) => void;
  /** Aborted when the session is closed before it finished starting. */
  signal: AbortSignal;
}

/** Callbacks a provider calls for the life of one PTY. */
export interface PtyHandlers {
  /**
   * Raw bytes the PTY wrote, in order. A UTF-8 character may be split across calls. `bytes` is
   * valid only until this returns (the local provider reuses the memory): copy what you keep.
   */
  onData: (bytes: Uint8Array) => void;
  /** The shell ended; called at most once, and never after `onLost`. */
  onExit: (exit: ExitInfo) => void;
  /** The connection to the shell broke for good (the sandbox is gone or unreachable). */
  onLost?: (error: SandboxError) => void;
}

/** Where a running PTY lives, enough to find it again after a restart. */
export interface PtyRef {
  sandboxId: string;
  pid: number;
}

/** One running shell in one sandbox. */
export interface SandboxPty {
  readonly ref: PtyRef;
  /** Sends keystrokes; calls are delivered in the order they were made. */
  write(data: string): Promise<void>;
  /**
   * Bytes of input taken and not yet written to the terminal: they grow while the program does not
   * read its input. Absent, or 0, where a backend cannot tell.
   */
  pendingInputBytes?(): number;
  resize(cols: number, rows: number): Promise<void>;
  /** Stops reading output so the program blocks on its writes; only where the backend allows. */
  pause?(): void;
  resume?(): void;
  /** Kills the shell and releases the sandbox. Safe to call more than once. */
  close(): Promise<void>;
}

/** A sandbox of ours found at start-up that no live session owns. */
export interface OrphanSandbox {
  sandboxId: string;
  /** The Porthole session id it was created for. */
  sessionId: string;
  /** The credential id that owned the session, when recorded. */
  owner: string | null;
  startedAt: Date | null;
  /** The session's kind, title and creation time (ms), when recorded and well-formed. */
  kind?: SessionKind | null;
  title?: string | null;
  createdAt?: number | null;
}

/** What a provider needs to reattach a session's shell in a sandbox found after a restart. */
export interface ReattachRequest {
  sandboxId: string;
  sessionId: string;
  cols: number;
  rows: number;
}

/** A backend that runs shells: E2B in production, node-pty on this machine by default. */
export interface SandboxProvider {
  readonly name: ProviderName;
  /** How shells from this provider are kept apart from the machine and each other. */
  readonly isolation: Isolation;
  /** True when `SandboxPty.pause` really stops the program (flow control can rely on it). */
  readonly canPause: boolean;
  /**
   * Creates a sandbox and starts a login shell in it. Rejects with a SandboxError; a failed or
   * aborted start leaves nothing running.
   */
  start(request: StartRequest, handlers: PtyHandlers): Promise<SandboxPty>;
  /** Checks that a program can run in this provider's sandboxes (e.g. `claude`). */
  hasProgram?(program: string): Promise<boolean>;
  /**
   * What to type in a shell to run `program`: the bare name where it surely runs (LocalProvider
   * with bash, see its `programs`), else its full path when the provider put it in reach itself,
   * since a login shell's profile may set PATH anew (Debian's /etc/profile does). Without this
   * method, or for other programs, the bare name.
   */
  commandFor?(program: string): string;
  /** Sandboxes carrying our metadata that this process does not own. */
  listOrphans?(ownedSandboxIds: ReadonlySet<string>): Promise<OrphanSandbox[]>;
  /** Kills a sandbox found by `listOrphans`. */
  killSandbox?(sandboxId: string): Promise<void>;
  /** Attaches to a session's shell in an existing sandbox (output written meanwhile is gone). */
  reattach?(request: ReattachRequest, handlers: PtyHandlers): Promise<SandboxPty>;
}

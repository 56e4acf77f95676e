// Public API of @porthole/sandbox: terminal sessions over E2B or local PTYs, with replay and snapshots.
export {
  SessionManager,
  type CreateSessionRequest,
  type SessionManagerOptions,
} from "./session-manager.js";
export {
  Session,
  DEFAULT_DETACH_GRACE_MS,
  DEFAULT_EXITED_LINGER_MS,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_START_TIMEOUT_MS,
  RECONNECT_HOLD_MS,
  type EndReason,
  type SessionEvent,
  type SessionSpec,
  type SessionTimings,
} from "./session.js";
export {
  Attachment,
  DEFAULT_MAX_EVENT_BYTES,
  LAG_HOLD_DIVISOR,
  MIN_EVENT_BYTES,
  type AttachOptions,
} from "./attachment.js";
export {
  OutputLog,
  DEFAULT_LOG_CAPACITY,
  type LogSlice,
  type OutputLogOptions,
} from "./output-log.js";
export { ScreenMirror, DEFAULT_SNAPSHOT_SCROLLBACK, type ScreenSnapshot } from "./screen.js";
export type { OnChange } from "./change-signal.js";
export { SandboxError, isSandboxError, toSandboxError } from "./errors.js";
export type {
  OrphanSandbox,
  PtyHandlers,
  PtyRef,
  SandboxProvider,
  SandboxPty,
  StartRequest,
} from "./provider.js";
export {
  LOCAL_ORPHAN_PREFIX,
  LocalProvider,
  LOCAL_KILL_GRACE_MS,
  ptyThreadByDefault,
  type LocalProviderOptions,
} from "./providers/local.js";
export {
  PTY_THREAD_BURST_BYTES,
  PTY_THREAD_MAX_PENDING,
  PTY_THREAD_STAGE_BYTES,
} from "./providers/pty-thread.js";
export { buildShellEnv, INHERITED_ENV_VARS } from "./providers/shell-env.js";
export { findProgram } from "./providers/find-program.js";
export { newSessionId } from "./session-id.js";
export {
  E2BProvider,
  DEFAULT_SANDBOX_BACKSTOP_MS,
  E2B_APP_METADATA,
  E2B_WORKSPACE,
  exitFromError,
  type E2BProviderOptions,
} from "./providers/e2b.js";
export { fromE2BError } from "./providers/e2b-errors.js";
export { MAX_TIMEOUT_MS } from "./checks.js";
// The contracts this API speaks in, so a user of this package can name them.
export type {
  ErrorCode,
  ExitInfo,
  OutputStreamEvent,
  SessionInfo,
  SessionKind,
  SessionState,
} from "@porthole/protocol";

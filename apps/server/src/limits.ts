// Per-connection limits of the server, as named constants (each has a test at its edge).

/**
 * Largest WebSocket frame accepted, not ws's 100 MiB. An input call of MAX_INPUT_BYTES of control
 * characters is ~6x that in JSON (each becomes \u00XX), and a batch holds several calls.
 */
export const MAX_FRAME_BYTES = 1024 * 1024;

/** Subscriptions one connection may hold at once. */
export const MAX_SUBSCRIPTIONS_PER_CONNECTION = 32;

/** Calls in one tRPC batch. */
export const MAX_BATCH_SIZE = 64;

/** Input and resize calls a connection may make per second (burst and sustained). */
export const INPUT_CALLS_PER_SECOND = 500;

/** Bytes of output queued in one socket before its subscriptions wait for it to drain. */
export const MAX_SOCKET_BUFFERED_BYTES = 1024 * 1024;

/**
 * Output coalescing: after an output event of at least COALESCE_AFTER_BYTES (a flood, not an
 * echo), the next one waits up to COALESCE_MS for COALESCE_BYTES to gather. Keystroke echoes
 * still leave at once; floods leave as ~64 KiB frames instead of one frame per 4 KiB PTY read.
 */
export const COALESCE_AFTER_BYTES = 2048;
export const COALESCE_BYTES = 64 * 1024;
export const COALESCE_MS = 2;

/**
 * Output frames are written into reused buffers of this size (see FramePool): the largest output
 * event (64 KiB) and its JSON header fit. A larger frame gets memory of its own.
 */
export const FRAME_POOL_BUFFER_BYTES = 68 * 1024;

/**
 * Frames smaller than this get memory of their own: an echo would hold a whole pool buffer while
 * it is written, and a slow socket's queue would take up to FRAME_POOL_BUFFER_BYTES per frame.
 * A flood's frames are 32-64 KiB (FLOW_EVENT_BYTES to the largest event), so they are pooled.
 */
export const FRAME_POOL_MIN_BYTES = 32 * 1024;

/**
 * Buffers the frame pool keeps for reuse (1 MiB): enough for the frames a flood has in flight to a
 * client that keeps up. More at once are left to the collector when they come back.
 */
export const FRAME_POOL_MAX_FREE = 16;

/** Out-of-order input held per client while an earlier seq is missing. */
export const MAX_HELD_INPUTS = 256;

/**
 * Input bytes held per session, over all its clients, while earlier seqs are missing: without it
 * each of MAX_SEQUENCED_CLIENTS_PER_SESSION clients could hold MAX_HELD_INPUTS calls of 64 KiB.
 */
export const MAX_HELD_INPUT_BYTES_PER_SESSION = 4 * 1024 * 1024;

/** How long held input waits for a missing seq before the gap is skipped and reported. */
export const INPUT_GAP_TIMEOUT_MS = 2000;

/** Clients whose input order a session remembers (the oldest is forgotten past this). */
export const MAX_SEQUENCED_CLIENTS_PER_SESSION = 64;

/** Time allowed to send connection params (the token) after connecting. */
export const AUTH_TIMEOUT_MS = 10_000;

/**
 * WebSockets that opened and have not authenticated yet (each is cut off after AUTH_TIMEOUT_MS),
 * from one address and in all: beyond these, upgrades are refused with 503, so nobody without a
 * token can hold the server's file descriptors, and one address cannot lock everyone out.
 */
export const MAX_UNAUTHENTICATED_PER_ADDRESS = 16;
export const MAX_UNAUTHENTICATED_CONNECTIONS = 256;

/** Open connections per credential by default (MAX_CONNECTIONS_PER_TOKEN; a browser window holds one). */
export const MAX_CONNECTIONS_PER_CREDENTIAL = 64;

/**
 * Input a local session's PTY thread may hold that its program has not read: past it, input calls
 * are refused with LIMIT before they take a seq, and the client sends them again later. (The web
 * app keeps at most ~96 KiB in flight, so only a client that ignores its answers gets here. PTYs
 * on the main thread and E2B do not report what they hold.)
 */
export const MAX_PENDING_INPUT_BYTES = 1024 * 1024;

/**
 * A shell that exits this soon after its session was created most likely could not run as set up
 * (LOCAL_SHELL_ARGS="-c", a template without the shell): the operator is warned, not just the user.
 */
export const QUICK_EXIT_MS = 2000;

// Every bound the server enforces on what clients send, in one place, so both sides agree.

/** Largest `data` one `terminal.input` call may carry, in UTF-8 bytes (a big paste is split). */
export const MAX_INPUT_BYTES = 64 * 1024;

/** Terminal width bounds in columns; 0, negatives and fractions are refused too. */
export const MIN_COLS = 1;
export const MAX_COLS = 1000;

/** Terminal height bounds in rows. */
export const MIN_ROWS = 1;
export const MAX_ROWS = 500;

/** Longest session id accepted anywhere; real ids are far shorter (see SESSION_ID_PATTERN). */
export const MAX_SESSION_ID_LENGTH = 64;

/** Longest client id: a client names itself once per page load to sequence its input. */
export const MAX_CLIENT_ID_LENGTH = 64;

/** Longest start command typed into a new session's shell. */
export const MAX_COMMAND_LENGTH = 4096;

/** Longest git repository URL a session may clone before it starts. */
export const MAX_REPO_URL_LENGTH = 2048;

/** Longest session title a client may set. */
export const MAX_TITLE_LENGTH = 100;

/** Highest input sequence number; a client that gets here must pick a new client id. */
export const MAX_SEQ = 2 ** 31 - 1;

/** Output offsets are byte counts since a session started; they stay exact integers. */
export const MAX_OFFSET = Number.MAX_SAFE_INTEGER;

/** Default cap on live sessions across the whole server (config may lower or raise it). */
export const DEFAULT_MAX_SESSIONS = 128;

/** Default cap on live sessions one credential may hold. */
export const DEFAULT_MAX_SESSIONS_PER_CREDENTIAL = 32;

/** Characters allowed in ids: URL-safe, no separators that tracked() ids forbid. */
export const ID_PATTERN = /^[A-Za-z0-9_-]+$/;

/**
 * Flow control for clients that acknowledge output (browser terminals): the server stops sending
 * to a client holding more than its window of unacknowledged bytes and starts again at half of
 * it, so drawing overlaps the round trip of the acks. The window is FLOW_WINDOW_MS of the rate at
 * which the client has been acknowledging, between FLOW_MIN_WINDOW and FLOW_MAX_WINDOW: the
 * prompt after Ctrl-C is never much more than FLOW_WINDOW_MS of drawing behind, whether the flood
 * is long lines (~35 MB/s in xterm.js, a big window) or `yes` (~4 MB/s, a small one). A fixed
 * window in bytes is either too small for the first (xterm.js reads no messages while it parses
 * a 12 ms slice and draws, so 128 KiB caps a flood at ~8 MB/s) or too large for the second.
 */
export const FLOW_MIN_WINDOW = 128 * 1024;
export const FLOW_WINDOW_MS = 50;
export const FLOW_MAX_WINDOW = 2 * 1024 * 1024;

/** The acknowledgement rate is measured over at least this long (acks come in bursts). */
export const FLOW_RATE_INTERVAL_MS = 25;

/**
 * Largest output event for a client that acknowledges: several fit in one flow-control window.
 * It grows with the window (an eighth of it) up to FLOW_MAX_EVENT_BYTES: each event costs the
 * browser a message and an ack however large it is.
 */
export const FLOW_EVENT_BYTES = 32 * 1024;
export const FLOW_MAX_EVENT_BYTES = 64 * 1024;

/** A client acknowledges once it has rendered at least this many bytes since its last ack. */
export const FLOW_ACK_BYTES = 5_000;

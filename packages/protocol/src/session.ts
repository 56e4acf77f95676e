// Session contracts: what a client sends to create, find and close sessions, and what it gets back.
import { z } from "zod";
import {
  ID_PATTERN,
  MAX_CLIENT_ID_LENGTH,
  MAX_COLS,
  MAX_COMMAND_LENGTH,
  MAX_REPO_URL_LENGTH,
  MAX_ROWS,
  MAX_SESSION_ID_LENGTH,
  MAX_TITLE_LENGTH,
  MIN_COLS,
  MIN_ROWS,
} from "./limits.js";

/** Terminal width in columns. */
export const colsSchema = z
  .number({ error: "cols must be a number" })
  .int({ error: "cols must be a whole number" })
  .min(MIN_COLS, { error: `cols must be at least ${MIN_COLS}` })
  .max(MAX_COLS, { error: `cols must be at most ${MAX_COLS}` });

/** Terminal height in rows. */
export const rowsSchema = z
  .number({ error: "rows must be a number" })
  .int({ error: "rows must be a whole number" })
  .min(MIN_ROWS, { error: `rows must be at least ${MIN_ROWS}` })
  .max(MAX_ROWS, { error: `rows must be at most ${MAX_ROWS}` });

/** A session id as clients send it back to us. */
export const sessionIdSchema = z
  .string({ error: "sessionId must be a string" })
  .min(1, { error: "sessionId must not be empty" })
  .max(MAX_SESSION_ID_LENGTH, {
    error: `sessionId must be at most ${MAX_SESSION_ID_LENGTH} characters`,
  })
  .regex(ID_PATTERN, { error: "sessionId may hold only letters, digits, '_' and '-'" });

/** Where a session's shell runs. */
export const providerNameSchema = z.enum(["local", "e2b"]);
export type ProviderName = z.infer<typeof providerNameSchema>;

/** What a new session starts: a plain shell, or Claude Code inside a shell. */
export const sessionKindSchema = z.enum(["shell", "claude"]);
export type SessionKind = z.infer<typeof sessionKindSchema>;

/** A session's title when it is given none: what it runs. */
export function defaultSessionTitle(kind: SessionKind): string {
  return kind === "claude" ? "Claude Code" : "Shell";
}

/** How a session's shell is isolated from the machine it runs on. */
export const isolationSchema = z.enum(["none", "bubblewrap", "e2b"]);
export type Isolation = z.infer<typeof isolationSchema>;

/** A session's place in its life. */
export const sessionStateSchema = z.enum(["starting", "running", "exited", "closed", "failed"]);
export type SessionState = z.infer<typeof sessionStateSchema>;

/** A git URL to clone into the working directory before the session starts. */
export const repoUrlSchema = z
  .string()
  .max(MAX_REPO_URL_LENGTH, { error: `repo must be at most ${MAX_REPO_URL_LENGTH} characters` })
  .regex(/^(https:\/\/|git@)[^\s'"`$;&|<>\\]+$/, {
    error: "repo must be an https:// or git@ URL without spaces or shell characters",
  });

/** Input of `session.create`. */
export const createSessionInputSchema = z.strictObject({
  cols: colsSchema,
  rows: rowsSchema,
  kind: sessionKindSchema.default("shell"),
  /** A command typed into the shell once it is ready (after Claude Code, for kind "claude"). */
  command: z
    .string()
    .max(MAX_COMMAND_LENGTH, { error: `command must be at most ${MAX_COMMAND_LENGTH} characters` })
    .optional(),
  repo: repoUrlSchema.optional(),
  /** Provider for this session; only honoured when the server allows a choice. */
  provider: providerNameSchema.optional(),
  title: z
    .string()
    .max(MAX_TITLE_LENGTH, { error: `title must be at most ${MAX_TITLE_LENGTH} characters` })
    .optional(),
  /**
   * The client's name for this request. A create resent after a dropped connection with the same
   * id returns the session the first one made instead of making another.
   */
  requestId: z
    .string()
    .max(MAX_CLIENT_ID_LENGTH, {
      error: `requestId must be at most ${MAX_CLIENT_ID_LENGTH} characters`,
    })
    .regex(ID_PATTERN, { error: "requestId may hold only letters, digits, '_' and '-'" })
    .optional(),
});
export type CreateSessionInput = z.input<typeof createSessionInputSchema>;

/** Input of `session.get` and `session.close`. */
export const sessionRefInputSchema = z.strictObject({ sessionId: sessionIdSchema });
export type SessionRefInput = z.infer<typeof sessionRefInputSchema>;

/** Input of `session.rename`. */
export const renameSessionInputSchema = z.strictObject({
  sessionId: sessionIdSchema,
  title: z
    .string()
    .max(MAX_TITLE_LENGTH, { error: `title must be at most ${MAX_TITLE_LENGTH} characters` }),
});

/** How a session's process ended. */
export const exitInfoSchema = z.object({
  /** Exit code, or null when a signal ended it. */
  code: z.number().int().nullable(),
  /** Signal name such as "SIGKILL", or null. */
  signal: z.string().nullable(),
});
export type ExitInfo = z.infer<typeof exitInfoSchema>;

/** What `session.create`, `session.get` and `session.list` return about a session. */
export const sessionInfoSchema = z.object({
  id: sessionIdSchema,
  title: z.string(),
  kind: sessionKindSchema,
  provider: providerNameSchema,
  isolation: isolationSchema,
  state: sessionStateSchema,
  cols: colsSchema,
  rows: rowsSchema,
  /** Milliseconds since the epoch. */
  createdAt: z.number(),
  /** Bytes of output the session has produced so far. */
  outputBytes: z.number().int().nonnegative(),
  /** Clients currently subscribed to its output. */
  attached: z.number().int().nonnegative(),
  exit: exitInfoSchema.nullable(),
});
export type SessionInfo = z.infer<typeof sessionInfoSchema>;

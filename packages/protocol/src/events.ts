// Events on the `terminal.output` subscription, a discriminated union on `type`.
import { z } from "zod";
import { errorCodeSchema } from "./errors.js";
import { sessionInfoSchema } from "./session.js";
import { offsetSchema } from "./terminal.js";

/** Progress while a sandbox starts: shown to the person waiting. */
export const statusEventSchema = z.object({
  type: z.literal("status"),
  phase: z.enum(["creating-sandbox", "starting-shell", "cloning", "starting-program", "ready"]),
  message: z.string(),
  /** Milliseconds since the session was asked for. */
  elapsedMs: z.number().nonnegative(),
});

/** The shell is running; output follows. */
export const readyEventSchema = z.object({
  type: z.literal("ready"),
  session: sessionInfoSchema,
});

/**
 * Bytes the PTY wrote, never split inside a UTF-8 character: write them to a terminal as they are
 * (xterm.js takes a Uint8Array), or decode them with a TextDecoder. On the wire they travel raw,
 * in a binary frame (see wire.ts).
 */
export const outputEventSchema = z.object({
  type: z.literal("output"),
  data: z.custom<Uint8Array>((value) => value instanceof Uint8Array, {
    error: "output data must be a Uint8Array",
  }),
  /** True for bytes written before this subscription began: a terminal must not answer queries in them. */
  replay: z.boolean().optional(),
});

/**
 * The client skipped ahead: the bytes it missed are gone. `data` redraws the screen and recent
 * scrollback on a reset terminal; live output continues from `offset`.
 */
export const snapshotEventSchema = z.object({
  type: z.literal("snapshot"),
  data: z.string(),
  cols: z.number().int(),
  rows: z.number().int(),
  offset: offsetSchema,
  /** Bytes of output the client never received. */
  skipped: z.number().int().nonnegative(),
});

/** The session's process ended. */
export const exitEventSchema = z.object({
  type: z.literal("exit"),
  code: z.number().int().nullable(),
  signal: z.string().nullable(),
});

/** The session failed or was closed for a reason the client should show. */
export const errorEventSchema = z.object({
  type: z.literal("error"),
  code: errorCodeSchema,
  message: z.string(),
});

/** The terminal was resized (by this or another client). */
export const resizeEventSchema = z.object({
  type: z.literal("resize"),
  cols: z.number().int(),
  rows: z.number().int(),
  /**
   * The client that set this size is gone (detached and not back within the reconnect hold):
   * a window drawing at it instead of its own size may take the size back.
   */
  free: z.boolean().optional(),
});

/** Everything `terminal.output` yields. */
export const outputStreamEventSchema = z.discriminatedUnion("type", [
  statusEventSchema,
  readyEventSchema,
  outputEventSchema,
  snapshotEventSchema,
  exitEventSchema,
  errorEventSchema,
  resizeEventSchema,
]);
export type OutputStreamEvent = z.infer<typeof outputStreamEventSchema>;
export type StatusEvent = z.infer<typeof statusEventSchema>;
export type ReadyEvent = z.infer<typeof readyEventSchema>;
export type OutputEvent = z.infer<typeof outputEventSchema>;
export type SnapshotEvent = z.infer<typeof snapshotEventSchema>;
export type ExitEvent = z.infer<typeof exitEventSchema>;
export type ErrorEvent = z.infer<typeof errorEventSchema>;
export type ResizeEvent = z.infer<typeof resizeEventSchema>;
export type StatusPhase = StatusEvent["phase"];

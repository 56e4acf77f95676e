// Terminal contracts: input, resize, output subscription and flow-control acknowledgements.
import { z } from "zod";
import {
  ID_PATTERN,
  MAX_CLIENT_ID_LENGTH,
  MAX_INPUT_BYTES,
  MAX_OFFSET,
  MAX_SEQ,
} from "./limits.js";
import { colsSchema, rowsSchema, sessionIdSchema } from "./session.js";

/** A client's name for itself, chosen at random once per page load. */
export const clientIdSchema = z
  .string({ error: "clientId must be a string" })
  .min(1, { error: "clientId must not be empty" })
  .max(MAX_CLIENT_ID_LENGTH, {
    error: `clientId must be at most ${MAX_CLIENT_ID_LENGTH} characters`,
  })
  .regex(ID_PATTERN, { error: "clientId may hold only letters, digits, '_' and '-'" });

/** Position of a call in its client's stream: 0, 1, 2, ... per (session, client). */
export const seqSchema = z
  .number({ error: "seq must be a number" })
  .int({ error: "seq must be a whole number" })
  .min(0, { error: "seq must not be negative" })
  .max(MAX_SEQ, { error: `seq must be at most ${MAX_SEQ}` });

/** A byte offset in a session's output. */
export const offsetSchema = z
  .number({ error: "offset must be a number" })
  .int({ error: "offset must be a whole number" })
  .min(0, { error: "offset must not be negative" })
  .max(MAX_OFFSET, { error: `offset must be at most ${MAX_OFFSET}` });

const encoder = new TextEncoder();

/** UTF-8 length without allocating for short strings that cannot be over the limit. */
function utf8Length(text: string): number {
  // A UTF-16 code unit encodes to at most 3 UTF-8 bytes.
  if (text.length * 3 <= MAX_INPUT_BYTES) return text.length;
  return encoder.encode(text).byteLength;
}

/** Keystrokes or pasted text for the PTY. */
export const inputDataSchema = z
  .string({ error: "data must be a string" })
  .refine((text) => utf8Length(text) <= MAX_INPUT_BYTES, {
    error: `data must be at most ${MAX_INPUT_BYTES} bytes of UTF-8`,
  });

/** Input of `terminal.input`: applied in `seq` order, exactly once per (session, client, seq). */
export const terminalInputSchema = z.strictObject({
  sessionId: sessionIdSchema,
  clientId: clientIdSchema,
  seq: seqSchema,
  data: inputDataSchema,
  /**
   * True when the terminal wrote `data` itself, answering a query in the output (cursor position,
   * device attributes, colours), not the person. Every window on a session would answer: the
   * server passes answers on only from the window typed in last.
   */
  answer: z.boolean({ error: "answer must be true or false" }).optional(),
});
export type TerminalInput = z.infer<typeof terminalInputSchema>;

/** Input of `terminal.resize`: shares the client's `seq` stream so it lands in order with typing. */
export const terminalResizeSchema = z.strictObject({
  sessionId: sessionIdSchema,
  clientId: clientIdSchema,
  seq: seqSchema,
  cols: colsSchema,
  rows: rowsSchema,
});
export type TerminalResize = z.infer<typeof terminalResizeSchema>;

/** What `terminal.input` and `terminal.resize` answer. */
export const sequencedResultSchema = z.object({
  /** "applied" ran now; "duplicate" had run before (a resend) and was ignored. */
  status: z.enum(["applied", "duplicate"]),
  /** How many earlier seqs never arrived and were given up on before this one ran. */
  skipped: z.number().int().nonnegative(),
});
export type SequencedResult = z.infer<typeof sequencedResultSchema>;

/** tracked() event ids are decimal output offsets. */
export const eventIdSchema = z
  .string()
  .max(20, { error: "lastEventId must be at most 20 characters" })
  .regex(/^\d+$/, { error: "lastEventId must be a decimal output offset" });

/** Input of the `terminal.output` subscription. */
export const terminalOutputInputSchema = z.strictObject({
  sessionId: sessionIdSchema,
  clientId: clientIdSchema.optional(),
  /**
   * Set by tRPC's ws link on resume: the offset after the last event received. Without it the
   * client attaches fresh and gets the whole retained output, or the screen if some is gone.
   */
  lastEventId: eventIdSchema.nullish(),
  /** True when the client acknowledges output with `terminal.ack` (browser terminals do). */
  acks: z.boolean().optional(),
});
export type TerminalOutputInput = z.infer<typeof terminalOutputInputSchema>;

/** Input of `terminal.ack`: the client has rendered every byte before `offset`. */
export const terminalAckSchema = z.strictObject({
  sessionId: sessionIdSchema,
  clientId: clientIdSchema,
  offset: offsetSchema,
});
export type TerminalAck = z.infer<typeof terminalAckSchema>;

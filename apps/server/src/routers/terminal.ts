// terminal.*: input and resize in order exactly once, flow-control acks, and the output stream.
import {
  terminalAckSchema,
  terminalInputSchema,
  terminalOutputInputSchema,
  terminalResizeSchema,
  type SequencedResult,
} from "@porthole/protocol";
import { SandboxError } from "@porthole/sandbox";
import { MAX_PENDING_INPUT_BYTES, MAX_SUBSCRIPTIONS_PER_CONNECTION } from "../limits.js";
import { outputStream } from "../output-stream.js";
import { procedure, router, toTRPCError, type Context } from "../trpc.js";

/** Refuses a call over the connection's input rate. */
function checkInputRate(ctx: Context): void {
  if (!ctx.connection.inputRate.take()) {
    throw new SandboxError("LIMIT", "Too many input calls: slow down");
  }
}

export const terminalRouter = router({
  /**
   * Keystrokes: applied in `seq` order per client, a resent seq is ignored. A terminal's answer to
   * a query goes to the program only from the window typed in last (see Typists).
   */
  input: procedure
    .input(terminalInputSchema)
    .mutation(({ input, ctx }): Promise<SequencedResult> => {
      checkInputRate(ctx);
      const session = ctx.sessions.require(input.sessionId, ctx.credential);
      // Refused before it takes a seq, so its resend is new; never while the client holds later
      // calls waiting for an earlier one, which a refusal could keep out until the gap is skipped.
      if (
        session.state === "running" &&
        session.pendingInputBytes > MAX_PENDING_INPUT_BYTES &&
        !ctx.sequencer.holds(session.id, input.clientId)
      ) {
        throw new SandboxError(
          "LIMIT",
          "The program is not reading its input: wait before sending more",
        );
      }
      return ctx.sequencer.submit(
        session.id,
        input.clientId,
        input.seq,
        async () => {
          if (!input.answer) ctx.typists.typed(session.id, input.clientId);
          else if (
            !ctx.typists.mayAnswer(session.id, input.clientId, (id) => session.hasClient(id))
          )
            return;
          await session.write(input.data);
        },
        Buffer.byteLength(input.data),
      );
    }),

  /** A new terminal size, in the same `seq` stream as input so they stay in order. */
  resize: procedure
    .input(terminalResizeSchema)
    .mutation(({ input, ctx }): Promise<SequencedResult> => {
      checkInputRate(ctx);
      const session = ctx.sessions.require(input.sessionId, ctx.credential);
      return ctx.sequencer.submit(session.id, input.clientId, input.seq, () =>
        session.resize(input.cols, input.rows, input.clientId),
      );
    }),

  /** The client rendered everything before `offset` (flow control). */
  ack: procedure.input(terminalAckSchema).mutation(({ input, ctx }): { ok: true } => {
    ctx.sessions.require(input.sessionId, ctx.credential);
    ctx.connection.attachment(input.sessionId, input.clientId)?.ack(input.offset);
    return { ok: true };
  }),

  /**
   * The session's events. Ids are output offsets: after a reconnect tRPC resends the last one as
   * `lastEventId` and the stream continues exactly after it (or with a snapshot when it is gone).
   */
  output: procedure.input(terminalOutputInputSchema).subscription(async function* ({
    input,
    ctx,
    signal,
  }) {
    // What a generator throws bypasses the procedure middleware: typed here, or tRPC would report
    // NOT_FOUND and LIMIT as INTERNAL_SERVER_ERROR (and we would log each as a server failure).
    let session;
    try {
      session = ctx.sessions.require(input.sessionId, ctx.credential);
    } catch (error) {
      throw toTRPCError(error);
    }
    if (!ctx.connection.openSubscription()) {
      throw toTRPCError(
        new SandboxError(
          "LIMIT",
          `A connection may hold at most ${MAX_SUBSCRIPTIONS_PER_CONNECTION} subscriptions`,
        ),
      );
    }
    const from = input.lastEventId ? Number(input.lastEventId) : null;
    const clientId = input.clientId;
    // Views of the log: outputStream yields each event and tRPC encodes it before anything else runs.
    const attachment = session.attach({ from, acks: input.acks ?? false, clientId, views: true });
    if (clientId) ctx.connection.trackAttachment(session.id, clientId, attachment);
    ctx.logger.debug({ sessionId: session.id, connection: ctx.connection.id, from }, "attached");
    try {
      yield* outputStream(attachment, ctx.socket, signal ?? new AbortController().signal);
    } finally {
      if (clientId) ctx.connection.untrackAttachment(session.id, clientId, attachment);
      ctx.connection.closeSubscription();
      ctx.logger.debug({ sessionId: session.id, connection: ctx.connection.id }, "detached");
    }
  }),
});

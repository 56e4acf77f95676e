// session.*: create, list, get, rename and close sessions; each belongs to the credential that made it.
import {
  createSessionInputSchema,
  renameSessionInputSchema,
  sessionRefInputSchema,
  type SessionInfo,
} from "@porthole/protocol";
import { isSandboxError, SandboxError } from "@porthole/sandbox";
import { procedure, router } from "../trpc.js";

export const sessionRouter = router({
  /** Starts a session; progress arrives as `status` events on terminal.output. */
  create: procedure
    .input(createSessionInputSchema)
    .mutation(async ({ input, ctx }): Promise<SessionInfo> => {
      const provider = ctx.sessions.provider;
      if (input.provider && input.provider !== provider.name) {
        throw new SandboxError("BAD_INPUT", `This server runs ${provider.name} sessions only`);
      }
      if (
        input.kind === "claude" &&
        provider.hasProgram &&
        !(await provider.hasProgram("claude"))
      ) {
        throw new SandboxError(
          "PROGRAM_MISSING",
          "Claude Code is not installed where sessions run: install @anthropic-ai/claude-code or set CLAUDE_PATH",
        );
      }
      if (input.requestId) {
        const earlier = ctx.recentCreates.get(ctx.credential, input.requestId);
        const session = earlier ? ctx.sessions.get(earlier, ctx.credential) : undefined;
        if (session) return session.info();
      }
      let session;
      try {
        session = ctx.sessions.create({
          owner: ctx.credential,
          cols: input.cols,
          rows: input.rows,
          kind: input.kind,
          command: input.command,
          repo: input.repo,
          title: input.title,
        });
      } catch (error) {
        // A full server is the operator's to know about, not only the user's.
        if (isSandboxError(error) && error.code === "LIMIT") {
          ctx.logger.warn(
            { credential: ctx.credential, reason: error.message },
            "refused a session: limit reached",
          );
        }
        throw error;
      }
      if (input.requestId) ctx.recentCreates.remember(ctx.credential, input.requestId, session.id);
      // A session that starts proves the provider works again (see ProviderHealth).
      const started = session;
      void started.startSettled.then(() => {
        if (started.ran) ctx.providerHealth.worked();
      });
      ctx.logger.info(
        { sessionId: session.id, credential: ctx.credential, kind: session.kind },
        "session created",
      );
      return session.info();
    }),

  list: procedure.query(({ ctx }): SessionInfo[] =>
    ctx.sessions.list(ctx.credential).map((session) => session.info()),
  ),

  get: procedure
    .input(sessionRefInputSchema)
    .query(({ input, ctx }): SessionInfo =>
      ctx.sessions.require(input.sessionId, ctx.credential).info(),
    ),

  rename: procedure.input(renameSessionInputSchema).mutation(({ input, ctx }): SessionInfo => {
    const session = ctx.sessions.require(input.sessionId, ctx.credential);
    session.title = input.title;
    return session.info();
  }),

  close: procedure
    .input(sessionRefInputSchema)
    .mutation(async ({ input, ctx }): Promise<{ closed: true }> => {
      // Said before closing (an unknown or foreign session is refused first), so the log reads
      // cause then effect: this, then "session ended".
      ctx.sessions.require(input.sessionId, ctx.credential);
      ctx.logger.info(
        { sessionId: input.sessionId, credential: ctx.credential },
        "session close asked by client",
      );
      await ctx.sessions.close(input.sessionId, ctx.credential);
      return { closed: true };
    }),
});

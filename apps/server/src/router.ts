// The whole API: clients import the AppRouter type from here for end-to-end types.
import { sessionRouter } from "./routers/session.js";
import { terminalRouter } from "./routers/terminal.js";
import { router } from "./trpc.js";

export const appRouter = router({
  session: sessionRouter,
  terminal: terminalRouter,
});

/** The type web and Node clients give to createTRPCClient. */
export type AppRouter = typeof appRouter;

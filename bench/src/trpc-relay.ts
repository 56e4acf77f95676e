// The least a tRPC web terminal does: keystrokes in by mutation, a PTY's output out by subscription.
import { initTRPC } from "@trpc/server";
import type pty from "node-pty";

/** What each connection of the relay holds: its shell, and the output not yet sent. */
export interface TrpcRelayContext {
  shell: pty.IPty;
  /** Output gathered since the shell started (its prompt may come before the subscription). */
  pending: string[];
  /** Wakes the subscription waiting for output. */
  wake: (() => void) | null;
}

/** A connection's context: output is gathered from the shell's first byte on. */
export function trpcRelayContext(shell: pty.IPty): TrpcRelayContext {
  const context: TrpcRelayContext = { shell, pending: [], wake: null };
  shell.onData((data) => {
    context.pending.push(data);
    context.wake?.();
  });
  return context;
}

/** The input mutation's one field; tRPC takes a parse function as its validator. */
function parseInput(value: unknown): { data: string } {
  const data = (value as { data?: unknown } | null)?.data;
  if (typeof data !== "string") throw new Error("input: data must be a string");
  return { data };
}

const t = initTRPC.context<TrpcRelayContext>().create();

/**
 * No sessions, ids, sequencing, flow control, replay, binary frames or PTY thread: JSON text
 * frames both ways, node-pty on the main thread. The echo baseline it gives is what tRPC itself
 * costs on this machine, so Porthole's figures can be split into tRPC's share and its own.
 */
export const trpcRelayRouter = t.router({
  input: t.procedure.input(parseInput).mutation(({ input, ctx }) => {
    ctx.shell.write(input.data);
    return { ok: true };
  }),
  output: t.procedure.subscription(async function* ({ ctx, signal }) {
    const stop = () => ctx.wake?.();
    signal?.addEventListener("abort", stop);
    try {
      while (!signal?.aborted) {
        if (ctx.pending.length === 0) await new Promise<void>((resolve) => (ctx.wake = resolve));
        ctx.wake = null;
        if (ctx.pending.length > 0) yield ctx.pending.splice(0).join("");
      }
    } finally {
      signal?.removeEventListener("abort", stop);
    }
  }),
});

export type TrpcRelayRouter = typeof trpcRelayRouter;

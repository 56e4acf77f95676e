// Waiting for a WebSocket's outgoing buffer to drain: the backpressure tRPC's adapter lacks.
import type { Duplex } from "node:stream";
import type { WebSocket } from "ws";

/** The raw TCP socket under each WebSocket, recorded at upgrade time (ws keeps it private). */
const rawSockets = new WeakMap<WebSocket, Duplex>();

/** Records the TCP socket a WebSocket runs on (call from the upgrade handler). */
export function rememberRawSocket(ws: WebSocket, raw: Duplex): void {
  rawSockets.set(ws, raw);
}

/** The TCP socket under `ws`, when it was recorded. */
export function rawSocket(ws: WebSocket): Duplex | undefined {
  return rawSockets.get(ws);
}

/**
 * Resolves once fewer than `bound` bytes are queued for `ws`, or it closes, or `signal` aborts.
 * Returns at once when already below.
 */
export function belowBound(ws: WebSocket, bound: number, signal: AbortSignal): Promise<void> {
  if (ws.bufferedAmount < bound || ws.readyState !== ws.OPEN || signal.aborted)
    return Promise.resolve();
  const raw = rawSockets.get(ws);
  return new Promise<void>((resolve) => {
    let timer: NodeJS.Timeout | null = null;
    const check = () => {
      if (ws.bufferedAmount < bound || ws.readyState !== ws.OPEN || signal.aborted) done();
    };
    const done = () => {
      raw?.off("drain", check);
      ws.off("close", done);
      signal.removeEventListener("abort", done);
      if (timer) clearInterval(timer);
      resolve();
    };
    raw?.on("drain", check);
    ws.once("close", done);
    signal.addEventListener("abort", done, { once: true });
    // 'drain' fires only when the kernel took everything; poll too, to resume below the bound.
    timer = setInterval(check, 5);
  });
}

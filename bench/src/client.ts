// A real tRPC v11 client over a real ws WebSocket, with a handle on the socket to pause reading.
import type { Socket } from "node:net";
import { wireEncoder, wireTransformer } from "@porthole/protocol";
import type { AppRouter } from "@porthole/server";
import { createTRPCClient, createWSClient, wsLink, type TRPCClient } from "@trpc/client";
import { WebSocket } from "ws";
import { BENCH_TOKEN, type ServerProcess } from "./server.js";

/** A connected client. */
export interface PortholeClient {
  trpc: TRPCClient<AppRouter>;
  /** The ws socket under the client, once it opened. */
  socket(): WebSocket | null;
  /** Stops reading from the TCP socket: the server's sends back up (real backpressure). */
  pauseReading(): void;
  resumeReading(): void;
  close(): void;
}

/** Connects to `server` with the bench token. */
export function connect(server: ServerProcess): PortholeClient {
  let current: WebSocket | null = null;
  const capture = (socket: WebSocket) => {
    current = socket;
  };
  class CapturingWebSocket extends WebSocket {
    constructor(address: string | URL, protocols?: string | string[]) {
      super(address, protocols, { perMessageDeflate: false });
      capture(this);
    }
  }
  const wsClient = createWSClient({
    url: server.wsUrl,
    connectionParams: () => ({ token: BENCH_TOKEN }),
    WebSocket: CapturingWebSocket as unknown as typeof globalThis.WebSocket,
    retryDelayMs: () => 200,
    experimental_encoder: wireEncoder,
  });
  const trpc = createTRPCClient<AppRouter>({
    links: [wsLink({ client: wsClient, transformer: wireTransformer })],
  });
  const raw = (): Socket | null =>
    current ? ((current as unknown as { _socket: Socket | null })._socket ?? null) : null;
  return {
    trpc,
    socket: () => current,
    pauseReading: () => raw()?.pause(),
    resumeReading: () => raw()?.resume(),
    close: () => void wsClient.close(),
  };
}

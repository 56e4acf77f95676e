// The WebSocket to the server: a typed tRPC client, reconnects with backoff, and the connection state for the UI.
import {
  TOO_MANY_CONNECTIONS_CLOSE_CODE,
  UNAUTHORIZED_CLOSE_CODE,
  wireEncoder,
  wireTransformer,
} from "@porthole/protocol";
import type { AppRouter } from "@porthole/server";
import { createTRPCClient, createWSClient, wsLink, type TRPCClient } from "@trpc/client";
import { RetryWait } from "./retry-wait.js";
import { Store } from "./store.js";

/** The server's API, typed from its router (type-only import: no server code in the bundle). */
export type Api = TRPCClient<AppRouter>;

/** The connection as the status bar shows it. */
export type ConnectionStatus =
  /** Opening a socket; `attempt` 0 is the first connection, then counts retries since the last open. */
  | { kind: "connecting"; attempt: number; retryAt: number | null }
  | { kind: "open"; since: number }
  /** The server refused the token: nothing more is tried. */
  | { kind: "unauthorized" }
  /** The token already holds as many connections as the server allows: nothing more is tried. */
  | { kind: "too-many-connections" }
  | { kind: "closed" };

/** Keepalive: a ping after this much silence... */
export const KEEPALIVE_INTERVAL_MS = 10_000;
/**
 * ...and the socket is given up only after this long without the pong. Generous on purpose: the
 * pong waits behind up to 1 MiB of output the server has queued, which takes seconds on a slow link.
 */
export const KEEPALIVE_PONG_TIMEOUT_MS = 20_000;

/**
 * Wait before reconnect attempt `attemptIndex` (0 = at once after a drop): 0.5 s, 1 s, 2 s...
 * capped at 10 s, with ±20 % jitter so many clients do not return in step.
 */
export function reconnectDelayMs(attemptIndex: number, random: () => number = Math.random): number {
  if (attemptIndex <= 0) return 0;
  const base = Math.min(10_000, 500 * 2 ** (attemptIndex - 1));
  return Math.round(base * (0.8 + 0.4 * random()));
}

/**
 * True for the message the server sends before closing a connection whose token it refused
 * (`{"id":null,"error":{... "data":{"code":"UNAUTHORIZED"}}}`). tRPC's client ignores it and
 * would retry forever, so the app watches for it.
 */
export function isUnauthorizedMessage(data: unknown): boolean {
  if (typeof data !== "string" || !data.startsWith('{"id":null')) return false;
  try {
    const message = JSON.parse(data) as { error?: { data?: { code?: unknown } } };
    return message.error?.data?.code === "UNAUTHORIZED";
  } catch {
    return false;
  }
}

/** Close code the server uses for a missing or refused token. */
const CLOSE_UNAUTHORIZED: number = UNAUTHORIZED_CLOSE_CODE;

/** The open connection: the typed API and its state. */
export interface Connection {
  api: Api;
  status: Store<ConnectionStatus>;
  /**
   * Starts the next reconnect attempt now instead of at the end of its backoff wait; false when
   * no wait is under way (connected, or an attempt is already running).
   */
  retryNow(): boolean;
  /** Closes the socket and stops reconnecting. */
  close(): Promise<void>;
}

/** Settings of `connect`. */
export interface ConnectOptions {
  /** ws(s)://host/trpc */
  url: string;
  token: string;
  /** The WebSocket class to use (the browser's by default). */
  WebSocketImpl?: typeof WebSocket;
  now?: () => number;
}

/** The `/trpc` URL on the page's own host. */
export function defaultTrpcUrl(location: Pick<Location, "protocol" | "host">): string {
  return `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/trpc`;
}

/** Opens the connection (and keeps reopening it until closed or refused). */
export function connect(options: ConnectOptions): Connection {
  const now = options.now ?? Date.now;
  const status = new Store<ConnectionStatus>({ kind: "connecting", attempt: 0, retryAt: null });
  let attempt = 0;
  let retryAt: number | null = null;
  let refused = false;
  let closing = false;
  // tRPC sleeps out a retry delay where nothing can end it early, so it is told there is none
  // (retryDelayMs returns 0) and the backoff is waited out here, before the socket's URL is given.
  const backoff = new RetryWait();
  let nextDelay = 0;

  const BaseWebSocket = options.WebSocketImpl ?? WebSocket;
  const refuse = (kind: "unauthorized" | "too-many-connections" = "unauthorized") => {
    if (refused) return;
    refused = true;
    backoff.cancel();
    status.set({ kind });
    void client.close();
  };
  /** The browser's WebSocket, watched for the server's refusal of the token. */
  class WatchedWebSocket extends BaseWebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      this.addEventListener("message", (event: MessageEvent) => {
        if (isUnauthorizedMessage(event.data)) refuse();
      });
      this.addEventListener("close", (event: CloseEvent) => {
        if (event.code === CLOSE_UNAUTHORIZED) refuse();
        // Retrying would only be refused again until another window with this link closes.
        if (event.code === TOO_MANY_CONNECTIONS_CLOSE_CODE) refuse("too-many-connections");
      });
    }
  }

  const client = createWSClient({
    url: async () => {
      const delay = nextDelay;
      nextDelay = 0;
      // Rejects once closed: the attempt fails without a socket, and tRPC stops retrying.
      await backoff.wait(delay);
      return options.url;
    },
    WebSocket: WatchedWebSocket,
    connectionParams: () => ({ token: options.token }),
    // Output arrives as raw bytes in binary frames; everything else is JSON.
    experimental_encoder: wireEncoder,
    retryDelayMs: (attemptIndex) => {
      const delay = reconnectDelayMs(attemptIndex);
      // Closed or refused, `url` fails at once: tRPC's own sleep must then pace any attempt it
      // still makes (a call after close() reopens), or it would retry in a tight loop.
      if (refused || closing) return delay;
      attempt = attemptIndex + 1;
      retryAt = now() + delay;
      status.set({ kind: "connecting", attempt, retryAt });
      nextDelay = delay;
      return 0;
    },
    keepAlive: {
      enabled: true,
      intervalMs: KEEPALIVE_INTERVAL_MS,
      pongTimeoutMs: KEEPALIVE_PONG_TIMEOUT_MS,
    },
  });

  client.connectionState.subscribe({
    next: (state) => {
      if (refused) return;
      if (state.state === "pending") {
        attempt = 0;
        retryAt = null;
        status.set({ kind: "open", since: now() });
      } else if (state.state === "connecting") {
        if (!closing) status.set({ kind: "connecting", attempt, retryAt });
      } else if (closing) {
        status.set({ kind: "closed" });
      }
    },
  });

  const api = createTRPCClient<AppRouter>({
    links: [wsLink({ client, transformer: wireTransformer })],
  });
  return {
    api,
    status,
    retryNow: () => {
      if (!backoff.skip()) return false;
      retryAt = null;
      if (!refused && !closing) status.set({ kind: "connecting", attempt, retryAt });
      return true;
    },
    close: async () => {
      closing = true;
      backoff.cancel();
      await client.close();
      if (!refused) status.set({ kind: "closed" });
    },
  };
}

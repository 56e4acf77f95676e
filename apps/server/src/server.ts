// Wires the pieces into one server: HTTP, WebSocket upgrades on /trpc, tRPC, sessions, shutdown.
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import {
  createWireEncoder,
  TOO_MANY_CONNECTIONS_CLOSE_CODE,
  UNAUTHORIZED_CLOSE_CODE,
  type Health,
} from "@porthole/protocol";
import { SessionManager, type SandboxProvider } from "@porthole/sandbox";
import { TRPCError } from "@trpc/server";
import { applyWSSHandler } from "@trpc/server/adapters/ws";
import { WebSocketServer, type WebSocket } from "ws";
import { Credentials, originAllowed } from "./auth.js";
import { hostAllowed } from "./host-check.js";
import type { Config } from "./config.js";
import { ConnectionState } from "./connection-state.js";
import { FramePool } from "./frame-pool.js";
import { frameReleasingSocket } from "./frame-releasing-socket.js";
import { httpHandler } from "./http.js";
import { InputSequencer } from "./input-sequencer.js";
import { Typists } from "./typists.js";
import { Keepalive } from "./keepalive.js";
import {
  AUTH_TIMEOUT_MS,
  MAX_BATCH_SIZE,
  MAX_FRAME_BYTES,
  MAX_UNAUTHENTICATED_CONNECTIONS,
  MAX_UNAUTHENTICATED_PER_ADDRESS,
  QUICK_EXIT_MS,
} from "./limits.js";
import type { Logger } from "./logger.js";
import { appRouter } from "./router.js";
import { ProviderHealth } from "./provider-health.js";
import { RecentCreates } from "./recent-creates.js";
import { createRefusalLog } from "./refusal-log.js";
import { rawSocket, rememberRawSocket } from "./socket-drain.js";
import type { Context } from "./trpc.js";

/** tRPC's messages for connection params it cannot read (not JSON, not an object of strings). */
const CONNECTION_PARAMS_ERRORS = new Set([
  "Malformed TRPCConnectionParamsMessage",
  "Invalid connection params shape",
]);

/** A running Porthole server. */
export interface PortholeServer {
  /** http://host:port of the server. */
  url: string;
  port: number;
  sessions: SessionManager;
  /** The provider's trouble that concerns every session (also in /health). */
  providerHealth: ProviderHealth;
  /** The WebSocket connections open right now. */
  connections(): WebSocket[];
  /** Refuses new work, ends every session, tells clients, closes sockets; bounded by config. */
  close(): Promise<void>;
}

/** Starts the server on config.host:config.port (0 picks a free port). */
export async function startServer(
  config: Config,
  provider: SandboxProvider,
  logger: Logger,
): Promise<PortholeServer> {
  const startedAt = performance.now();
  const credentials = new Credentials(config.tokens);
  const sequencer = new InputSequencer();
  const typists = new Typists();
  const recentCreates = new RecentCreates();
  const providerHealth = new ProviderHealth();
  const sessions = new SessionManager({
    provider,
    maxSessions: config.maxSessions,
    maxSessionsPerOwner: config.maxSessionsPerToken,
    logCapacity: config.logBufferBytes,
    detachGraceMs: config.detachGraceMs,
    idleTimeoutMs: config.sandboxTimeoutMs,
    startTimeoutMs: config.startTimeoutMs,
    env: provider.name === "local" && !config.local.passCredentials ? {} : config.claudeEnv,
    onSessionStop: (session) => {
      const fields = { sessionId: session.id, exit: session.exit, failure: session.failure };
      if (session.failure) logger.warn(fields, "session failed");
      else logger.info(fields, "session exited");
      if (session.exit && Date.now() - session.createdAt < QUICK_EXIT_MS) {
        logger.warn(
          { sessionId: session.id, exit: session.exit, afterMs: Date.now() - session.createdAt },
          provider.name === "local"
            ? "a session's shell exited as it started: check LOCAL_SHELL and LOCAL_SHELL_ARGS"
            : "a session's shell exited as it started: check the sandbox template's shell",
        );
      }
      if (session.failure && providerHealth.failed(session.failure)) {
        logger.warn(
          { provider: provider.name, problem: providerHealth.problem },
          "the sandbox provider fails: new sessions will too until this is fixed",
        );
      }
    },
    onSessionEnd: (session, reason) => {
      sequencer.forget(session.id);
      typists.forget(session.id);
      logger.info(
        { sessionId: session.id, reason, exit: session.exit, failure: session.failure?.code },
        "session ended",
      );
    },
  });
  let shuttingDown = false;

  const health = (): Health => {
    const listed = sessions.list();
    return {
      status: shuttingDown ? "shutting-down" : "ok",
      timestamp: new Date().toISOString(),
      uptime: (performance.now() - startedAt) / 1000,
      ready: !shuttingDown,
      provider: provider.name,
      providerProblem: providerHealth.problem,
      sessions: {
        live: sessions.live().length,
        attached: listed.reduce((sum, s) => sum + s.attached, 0),
        max: sessions.maxSessions,
      },
    };
  };

  const refusals = createRefusalLog(logger, config.maxConnectionsPerToken);
  /** Whether a request's Host is one this server answers to; logs it when not. */
  const knownHost = (req: IncomingMessage): boolean => {
    if (hostAllowed(req.headers.host, config.hostPolicy)) return true;
    refusals.unknownHost(req.headers.host ?? "");
    return false;
  };
  const http = createServer(httpHandler({ health, webDist: config.webDist ?? null, knownHost }));
  // Output frames are written into reused memory, taken back once each socket has written them.
  const framePool = new FramePool();
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_FRAME_BYTES,
    perMessageDeflate: false,
    WebSocket: frameReleasingSocket(framePool),
  });
  const authenticated = new WeakSet<WebSocket>();
  /** Open and not authenticated yet, with their remote address (see MAX_UNAUTHENTICATED_*). */
  const unauthenticated = new Map<WebSocket, string>();
  const unauthenticatedFrom = (address: string) => {
    let count = 0;
    for (const from of unauthenticated.values()) if (from === address) count++;
    return count;
  };
  /** Open connections per credential. */
  const connectionsOf = new Map<string, number>();
  /** The WebSocket of each upgrade request: tRPC reports a connection's errors by its request. */
  const socketOf = new WeakMap<IncomingMessage, WebSocket>();
  /** Sockets already refused (a bad token or params): their auth timeout is no news. */
  const refusedSockets = new WeakSet<WebSocket>();
  const keepalive = new Keepalive(
    config.keepaliveIntervalMs,
    // Bytes the kernel took: bytesWritten also counts what still waits in our buffer.
    (ws) => {
      const socket = rawSocket(ws) as { bytesWritten?: number; writableLength: number } | undefined;
      return socket ? (socket.bytesWritten ?? 0) - socket.writableLength : 0;
    },
    () => logger.info("dropped a connection that stopped answering"),
  );

  http.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node drops its own error listener when it hands over an upgrading socket: without one, a
    // client resetting the connection would throw ECONNRESET and end the process.
    socket.on("error", () => socket.destroy());
    const refuse = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (path !== "/trpc") return refuse(404, "Not Found");
    if (!knownHost(req)) return refuse(403, "Forbidden");
    if (!originAllowed(req.headers.origin, req.headers.host, config.frontendOrigins)) {
      refusals.foreignOrigin(req.headers.origin ?? "");
      return refuse(403, "Forbidden");
    }
    if (shuttingDown) return refuse(503, "Service Unavailable");
    const address = req.socket.remoteAddress ?? "";
    if (
      unauthenticated.size >= MAX_UNAUTHENTICATED_CONNECTIONS ||
      unauthenticatedFrom(address) >= MAX_UNAUTHENTICATED_PER_ADDRESS
    ) {
      refusals.tooManyUnauthenticated(address, unauthenticated.size);
      return refuse(503, "Service Unavailable");
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      rememberRawSocket(ws, socket);
      socketOf.set(req, ws);
      keepalive.watch(ws);
      unauthenticated.set(ws, address);
      const timer = setTimeout(() => {
        if (authenticated.has(ws)) return;
        if (!refusedSockets.has(ws)) refusals.noTokenInTime(address);
        ws.close(UNAUTHORIZED_CLOSE_CODE, "Unauthorized");
        // Counted until its socket is gone: a client that never answers the close waits no longer.
        setTimeout(() => ws.terminate(), 1000).unref();
      }, AUTH_TIMEOUT_MS);
      ws.once("close", () => {
        clearTimeout(timer);
        unauthenticated.delete(ws);
      });
      wss.emit("connection", ws, req);
    });
  });

  applyWSSHandler({
    wss,
    router: appRouter,
    maxBatchSize: MAX_BATCH_SIZE,
    // JSON text frames, except output bytes, which leave raw in binary frames.
    experimental_encoder: createWireEncoder(framePool.allocate),
    createContext: ({ req, res, info }): Context => {
      const credential = credentials.identify(info.connectionParams?.token);
      if (!credential) {
        refusedSockets.add(res);
        refusals.badToken(req.socket.remoteAddress ?? "");
        // One answer for a missing and a wrong token. The close code says it too: tRPC's client
        // ignores the error message and would otherwise retry forever.
        setImmediate(() => res.close(UNAUTHORIZED_CLOSE_CODE, "Unauthorized"));
        throw new TRPCError({ code: "UNAUTHORIZED", message: "A valid access token is required" });
      }
      const open = connectionsOf.get(credential) ?? 0;
      if (open >= config.maxConnectionsPerToken) {
        refusedSockets.add(res);
        refusals.tooManyForToken(credential, req.socket.remoteAddress ?? "");
        setImmediate(() => res.close(TOO_MANY_CONNECTIONS_CLOSE_CODE, "Too many connections"));
        throw new TRPCError({
          code: "TOO_MANY_REQUESTS",
          message: `An access token may hold at most ${config.maxConnectionsPerToken} connections`,
        });
      }
      connectionsOf.set(credential, open + 1);
      res.once("close", () => {
        const left = (connectionsOf.get(credential) ?? 1) - 1;
        if (left > 0) connectionsOf.set(credential, left);
        else connectionsOf.delete(credential);
      });
      authenticated.add(res);
      unauthenticated.delete(res);
      return {
        credential,
        socket: res,
        connection: new ConnectionState(randomBytes(6).toString("hex")),
        sessions,
        sequencer,
        typists,
        recentCreates,
        providerHealth,
        logger,
      };
    },
    onError: ({ error, path, type, req }) => {
      // Connection params that are not JSON or not an object: tRPC closes without a code, which
      // clients take for a network fault and retry. Unauthorized says what is wrong.
      const ws = socketOf.get(req);
      if (ws && !authenticated.has(ws) && CONNECTION_PARAMS_ERRORS.has(error.message)) {
        refusedSockets.add(ws);
        refusals.malformedParams(req.socket.remoteAddress ?? "");
        // After tRPC's error answer has left, and before its own close (also an immediate).
        setImmediate(() =>
          ws.close(UNAUTHORIZED_CLOSE_CODE, "Unauthorized: malformed connection params"),
        );
        return;
      }
      // A frame ws refused (invalid UTF-8, over maxPayload): the client's fault, and ws closes it.
      const wsCode = (error.cause as { code?: unknown } | undefined)?.code;
      if (typeof wsCode === "string" && wsCode.startsWith("WS_ERR_")) {
        logger.info({ code: wsCode }, "closed a connection that sent an invalid frame");
        return;
      }
      if (error.code === "INTERNAL_SERVER_ERROR")
        logger.error({ path, type, err: error.cause ?? error }, "procedure failed");
    },
  });

  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(config.port, config.host, () => resolve());
  });
  const address = http.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const url = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`;

  let closing: Promise<void> | null = null;
  const close = () => {
    closing ??= (async () => {
      shuttingDown = true;
      keepalive.stop();
      refusals.flush();
      const deadline = new Promise<void>((resolve) =>
        setTimeout(resolve, config.shutdownTimeoutMs).unref(),
      );
      const closedAll = await Promise.race([
        sessions.closeAll("shutdown").then(() => true),
        deadline.then(() => false),
      ]);
      if (!closedAll) {
        // Their sandboxes are left to their own timeouts (E2B's 5-minute backstop).
        logger.warn(
          { timeoutMs: config.shutdownTimeoutMs },
          "shutdown timed out before every sandbox was released: some may run until their own timeout",
        );
      }
      // Give the final events a moment to leave, then close every socket.
      await new Promise((resolve) => setTimeout(resolve, 50));
      for (const ws of wss.clients) ws.close(1001, "Server shutting down");
      await Promise.race([new Promise<void>((resolve) => wss.close(() => resolve())), deadline]);
      for (const ws of wss.clients) ws.terminate();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    })();
    return closing;
  };

  return { url, port, sessions, providerHealth, connections: () => [...wss.clients], close };
}

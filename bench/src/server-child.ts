// Child-process entry: runs the server under test (or a bare ws or tRPC baseline) and prints its port.
import { createLogger, createProvider, generateToken, loadConfig } from "@porthole/server";
import { startServer } from "@porthole/server";
import { buildShellEnv } from "@porthole/sandbox";
import { applyWSSHandler } from "@trpc/server/adapters/ws";
import pty from "node-pty";
import { WebSocketServer, type RawData } from "ws";
import type { ServerMode } from "./server.js";
import { COLS, ROWS } from "./shell.js";
import { trpcRelayContext, trpcRelayRouter } from "./trpc-relay.js";

function announce(port: number): void {
  process.stdout.write(`${JSON.stringify({ port, pid: process.pid })}\n`);
}

function onStop(stop: () => Promise<void> | void): void {
  const handler = () => {
    Promise.resolve(stop()).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGTERM", handler);
  process.on("SIGINT", handler);
}

async function porthole(): Promise<void> {
  const config = loadConfig(process.env, generateToken);
  const logger = createLogger(config.logLevel);
  const server = await startServer(config, createProvider(config), logger);
  announce(server.port);
  onStop(() => server.close());
}

function toText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  return Buffer.from(data as ArrayBuffer).toString("utf8");
}

/** The login shell the relays run, as Porthole's local provider runs it. */
function spawnShell(encoding: null | "utf8"): pty.IPty {
  return pty.spawn(process.env.LOCAL_SHELL ?? "/bin/bash", ["-l"], {
    name: "xterm-256color",
    cols: COLS,
    rows: ROWS,
    cwd: process.env.HOME ?? "/",
    env: buildShellEnv(process.env, {}),
    encoding,
  });
}

async function bareWs(mode: Exclude<ServerMode, "porthole">): Promise<void> {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false });
  await new Promise<void>((resolve) => wss.once("listening", () => resolve()));
  if (mode === "trpc-pty") {
    // tRPC's ws adapter with a shell per connection, killed when the connection closes.
    applyWSSHandler({
      wss,
      router: trpcRelayRouter,
      createContext: ({ res }) => {
        const shell = spawnShell("utf8");
        res.once("close", () => shell.kill("SIGKILL"));
        return trpcRelayContext(shell);
      },
    });
  } else
    wss.on("connection", (socket) => {
      if (mode === "ws-echo") {
        socket.on("message", (data, binary) => socket.send(data, { binary }));
        return;
      }
      // ws-pty: the least a web terminal can do, one login shell relayed both ways.
      const child = spawnShell(null);
      child.onData((data: string | Buffer) => socket.send(data));
      socket.on("message", (data) => child.write(toText(data)));
      socket.on("close", () => child.kill("SIGKILL"));
    });
  const address = wss.address();
  announce(typeof address === "object" && address ? address.port : 0);
  onStop(() => new Promise<void>((resolve) => wss.close(() => resolve())));
}

// BENCH_MEMORY_TRACE=ms prints process.memoryUsage() to stderr that often (for diagnosis).
const traceMs = Number(process.env.BENCH_MEMORY_TRACE ?? 0);
if (traceMs > 0) {
  const started = performance.now();
  setInterval(() => {
    const m = process.memoryUsage();
    const mb = (n: number) => (n / 1048576).toFixed(1);
    process.stderr.write(
      `mem t=${((performance.now() - started) / 1000).toFixed(1)}s rss=${mb(m.rss)} heapTotal=${mb(m.heapTotal)} heapUsed=${mb(m.heapUsed)} external=${mb(m.external)} arrayBuffers=${mb(m.arrayBuffers)}\n`,
    );
  }, traceMs).unref();
}

// With an IPC channel (and --expose-gc) the parent can ask for the memory that survives a full GC.
process.on("message", (message: unknown) => {
  if (message !== "gc-memory") return;
  const collect = (globalThis as { gc?: () => void }).gc;
  collect?.();
  collect?.();
  process.send?.({ type: "gc-memory", collected: collect !== undefined, ...process.memoryUsage() });
});

const mode = (process.env.BENCH_SERVER_MODE ?? "porthole") as ServerMode;
if (mode === "porthole") await porthole();
else await bareWs(mode);

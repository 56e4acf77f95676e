// Starts the server under test as a child process, so its CPU and memory are its own.
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { cpuMs, rssBytes } from "./proc.js";
import { benchEnv } from "./shell.js";

/** The token every benchmark client presents. */
export const BENCH_TOKEN = "bench-token-0123456789abcdef";

/** A server running in a child process. */
export interface ServerProcess {
  pid: number;
  port: number;
  /** ws://127.0.0.1:port/trpc */
  wsUrl: string;
  /** Resident memory of the server process (not its shells), bytes. */
  rss(): number;
  /** CPU time the server process has used, ms. */
  cpu(): number;
  /** Memory after a full GC (heap, external, array buffers); the child runs with --expose-gc. */
  gcMemory(): Promise<GcMemory>;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/** process.memoryUsage() of the server child right after a full garbage collection. */
export interface GcMemory {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

/**
 * What a server child runs: Porthole itself, a bare ws echo server, ws relaying one PTY per
 * connection, or tRPC relaying one PTY per connection (`src/trpc-relay.ts`).
 */
export type ServerMode = "porthole" | "ws-echo" | "ws-pty" | "trpc-pty";

/** Options for a server child. */
export interface ServerOptions {
  mode?: ServerMode;
  /** Extra environment, e.g. MAX_SESSIONS. */
  env?: Record<string, string>;
  /** Write a V8 CPU profile of the server into this directory. */
  cpuProfDir?: string;
}

const entry = fileURLToPath(new URL("./server-child.js", import.meta.url));
const live = new Set<ChildProcess>();

/** Starts a server child and waits until it listens. */
export async function startServerProcess(options: ServerOptions = {}): Promise<ServerProcess> {
  const args = ["--expose-gc"];
  if (options.cpuProfDir) args.push("--cpu-prof", `--cpu-prof-dir=${options.cpuProfDir}`);
  // BENCH_SERVER_NODE_ARGS="--trace-gc ..." passes V8/Node flags to the server (for diagnosis).
  args.push(...(process.env.BENCH_SERVER_NODE_ARGS?.split(" ").filter(Boolean) ?? []));
  const child = spawn(process.execPath, [...args, entry], {
    env: {
      ...benchEnv(),
      BENCH_SERVER_MODE: options.mode ?? "porthole",
      PORT: "0",
      HOST: "127.0.0.1",
      PORTHOLE_TOKEN: BENCH_TOKEN,
      LOG_LEVEL: "warn",
      ...options.env,
    },
    stdio: ["ignore", "pipe", "inherit", "ipc"],
  });
  live.add(child);
  child.once("exit", () => live.delete(child));
  const lines = createInterface({ input: child.stdout! });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("server child did not start in 15 s")), 15_000);
    child.once("exit", (code) => reject(new Error(`server child exited with ${code}`)));
    lines.on("line", (line) => {
      if (!line.startsWith("{")) {
        // Not the announcement: diagnostics (e.g. --trace-gc) the child printed to stdout.
        process.stderr.write(`${line}\n`);
        return;
      }
      const parsed = JSON.parse(line) as { port?: number };
      if (typeof parsed.port === "number") {
        clearTimeout(timer);
        resolve(parsed.port);
      }
    });
  });
  const pid = child.pid!;
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
  return {
    pid,
    port,
    wsUrl: `ws://127.0.0.1:${port}/trpc`,
    rss: () => rssBytes(pid),
    cpu: () => cpuMs(pid),
    gcMemory: () =>
      new Promise<GcMemory>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("no gc-memory answer in 10 s")), 10_000);
        const onMessage = (message: unknown) => {
          if (typeof message !== "object" || message === null) return;
          if ((message as { type?: string }).type !== "gc-memory") return;
          clearTimeout(timer);
          child.off("message", onMessage);
          resolve(message as GcMemory);
        };
        child.on("message", onMessage);
        child.send("gc-memory");
      }),
    stop: async (graceMs = 15_000) => {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Kills every server child still running (on exit or failure). */
export function killAllServers(): void {
  for (const child of live) child.kill("SIGKILL");
}

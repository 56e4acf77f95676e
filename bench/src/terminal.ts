// One interface over the ways a scenario talks to a shell: node-pty, bare ws, socat, tRPC, Porthole.
import { spawn } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { createConnection, createServer, type Socket } from "node:net";
import { join } from "node:path";
import type { OutputStreamEvent } from "@porthole/protocol";
import type { AppRouter } from "@porthole/server";
import type pty from "node-pty";
import { WebSocket } from "ws";
import { createTRPCClient, createWSClient, wsLink } from "@trpc/client";
import { connect, type PortholeClient } from "./client.js";
import { now, withTimeout } from "./measure.js";
import type { ServerProcess } from "./server.js";
import { buildShellEnv, findProgram } from "@porthole/sandbox";
import { BENCH_ROOT, benchEnv, COLS, PROMPT, ROWS, spawnDirectShell } from "./shell.js";
import type { TrpcRelayRouter } from "./trpc-relay.js";

interface Waiter {
  pattern: Buffer;
  /** The last pattern.length - 1 bytes seen, for a match split across chunks. */
  tail: Buffer;
  resolve: (at: number) => void;
}

/**
 * Counts a terminal's output and resolves waiters when text appears in it. It searches bytes and
 * never decodes them: the client under test should cost what a consumer of raw bytes costs (the
 * web app hands bytes to xterm.js), the same for Porthole and for every baseline.
 */
export class OutputWatcher {
  /** Bytes received. */
  bytes = 0;
  /** When the last chunk arrived (performance.now()). */
  lastChunkAt = 0;
  /** Chunks received. */
  chunks = 0;
  #waiters: Waiter[] = [];

  /** Feeds a chunk of output (a snapshot's text counts as its UTF-8 bytes). */
  push(chunk: Uint8Array | string): void {
    const at = now();
    const bytes = typeof chunk === "string" ? Buffer.from(chunk) : toBuffer(chunk);
    this.bytes += bytes.length;
    this.chunks++;
    this.lastChunkAt = at;
    if (this.#waiters.length === 0) return;
    this.#waiters = this.#waiters.filter((waiter) => {
      if (contains(waiter, bytes)) {
        waiter.resolve(at);
        return false;
      }
      const keep = waiter.pattern.length - 1;
      // (subarray(-0) would keep everything)
      if (keep > 0)
        waiter.tail = Buffer.concat([waiter.tail, bytes.subarray(-keep)]).subarray(-keep);
      return true;
    });
  }

  /** Resolves with the arrival time of the first chunk, from now on, that completes `pattern`. */
  waitFor(pattern: string, timeoutMs = 30_000): Promise<number> {
    const seen = new Promise<number>((resolve) =>
      this.#waiters.push({ pattern: Buffer.from(pattern), tail: Buffer.alloc(0), resolve }),
    );
    return withTimeout(seen, timeoutMs, `waiting for ${JSON.stringify(pattern)}`);
  }

  /** Resolves once no output has arrived for `quietMs`; returns when the last chunk came. */
  async quiet(quietMs: number, timeoutMs = 30_000): Promise<number> {
    const deadline = now() + timeoutMs;
    for (;;) {
      const since = now() - this.lastChunkAt;
      if (since >= quietMs) return this.lastChunkAt;
      if (now() > deadline) throw new Error(`output did not stop within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, Math.max(1, quietMs - since)));
    }
  }
}

/** A Buffer over the same memory (no copy). */
function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}

/** Whether `chunk`, after what the waiter saw before, completes its pattern. */
function contains(waiter: Waiter, chunk: Buffer): boolean {
  if (chunk.includes(waiter.pattern)) return true;
  if (waiter.tail.length === 0) return false;
  const seam = Buffer.concat([waiter.tail, chunk.subarray(0, waiter.pattern.length - 1)]);
  return seam.includes(waiter.pattern);
}

/** A shell a scenario can type into and read from. */
export interface Term {
  readonly out: OutputWatcher;
  /** Sends keystrokes (fire and forget; order is kept). */
  write(data: string): void;
  close(): Promise<void>;
}

/** Baseline: a login shell read straight from node-pty in this process. */
export async function directTerm(): Promise<Term> {
  const child: pty.IPty = spawnDirectShell();
  const out = new OutputWatcher();
  const prompt = out.waitFor(PROMPT, 10_000);
  child.onData((data: string | Buffer) => out.push(data));
  const exited = new Promise<void>((resolve) => child.onExit(() => resolve()));
  await prompt;
  return {
    out,
    write: (data) => child.write(data),
    close: async () => {
      child.kill("SIGKILL");
      await withTimeout(exited, 5000, "direct shell exit").catch(() => undefined);
    },
  };
}

/** A TCP port nobody listens on right now (a child is about to take it). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== "object" || address === null) throw new Error("no free port");
  return address.port;
}

/** Connects to 127.0.0.1:`port`, retrying while its listener starts, unless that `ended`. */
async function connectWhenListening(
  port: number,
  ended: () => boolean,
  timeoutMs: number,
): Promise<Socket> {
  const deadline = now() + timeoutMs;
  for (;;) {
    const socket = createConnection(port, "127.0.0.1");
    const error = await new Promise<Error | null>((resolve) => {
      socket.once("connect", () => resolve(null));
      socket.once("error", resolve);
    });
    if (!error) return socket;
    socket.destroy();
    if (ended() || now() > deadline) throw new Error(`socat did not listen: ${error.message}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Baseline: socat, a relay written in C, between a login shell's PTY and TCP: what relaying a
 * terminal costs on this machine without JavaScript (a C web terminal such as ttyd also frames
 * WebSocket messages). Its PTY processes output as node-pty's do (the kernel's defaults). Null
 * when socat is not installed.
 */
export async function socatTerm(): Promise<Term | null> {
  const socat = findProgram("socat", process.env.PATH);
  if (!socat) return null;
  const cwd = join(BENCH_ROOT, "sessions", `socat-${process.pid}-${Date.now()}`);
  mkdirSync(cwd, { recursive: true });
  // TCP on loopback, as every other path here. Should another process take the port first, socat
  // exits and the connection attempts stop at once.
  const port = await freePort();
  const relay = spawn(
    socat,
    [`TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr`, `EXEC:/bin/bash -l,pty,setsid,ctty,stderr`],
    { cwd, env: buildShellEnv(benchEnv(), {}), stdio: "ignore" },
  );
  let ended = false;
  const exited = new Promise<void>((resolve) => {
    const end = () => {
      ended = true;
      resolve();
    };
    relay.once("exit", end);
    relay.once("error", end);
  });
  let socket: Socket | null = null;
  const close = async () => {
    socket?.destroy();
    relay.kill("SIGKILL");
    await withTimeout(exited, 5000, "socat exit").catch(() => undefined);
  };
  try {
    socket = await connectWhenListening(port, () => ended, 5000);
    const out = new OutputWatcher();
    const prompt = out.waitFor(PROMPT, 10_000);
    socket.on("data", (data: Buffer) => out.push(data));
    socket.on("error", () => undefined);
    await prompt;
    const connected = socket;
    return { out, write: (data) => connected.write(data), close };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * Baseline: a bare ws server in a child process; with `waitPrompt` (a ws-pty child) it relays a
 * shell, without (a ws-echo child) it sends every message straight back.
 */
export async function wsTerm(server: ServerProcess, waitPrompt = true): Promise<Term> {
  const socket = new WebSocket(`ws://127.0.0.1:${server.port}/`, { perMessageDeflate: false });
  const out = new OutputWatcher();
  const prompt = waitPrompt ? out.waitFor(PROMPT, 10_000) : Promise.resolve(0);
  socket.on("message", (data: Buffer) => out.push(data));
  await new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", reject);
  });
  await prompt;
  return {
    out,
    write: (data) => socket.send(data),
    close: async () => {
      const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
      socket.close();
      await withTimeout(closed, 5000, "ws close").catch(() => socket.terminate());
    },
  };
}

/**
 * A shell behind the least a tRPC terminal does (`trpc-pty` server child): the real tRPC client,
 * each keystroke an `input` mutation, output from an `output` subscription.
 */
export async function trpcTerm(server: ServerProcess): Promise<Term> {
  const wsClient = createWSClient({
    url: `ws://127.0.0.1:${server.port}/`,
    // ws's class stands in for the browser's (Node 20 has none); tRPC types it as the DOM's.
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
  });
  const trpc = createTRPCClient<TrpcRelayRouter>({ links: [wsLink({ client: wsClient })] });
  const out = new OutputWatcher();
  const prompt = out.waitFor(PROMPT, 10_000);
  const errors: unknown[] = [];
  const subscription = trpc.output.subscribe(undefined, {
    onData: (data) => out.push(data),
    onError: (error) => errors.push(error),
  });
  try {
    await prompt;
  } catch (error) {
    // A client left open would retry for ever and keep the bench from exiting.
    subscription.unsubscribe();
    await wsClient.close();
    throw new Error(`tRPC relay: ${String(error)} (client errors: ${errors.join("; ")})`);
  }
  return {
    out,
    write: (data) => {
      trpc.input.mutate({ data }).catch((error: unknown) => errors.push(error));
    },
    close: async () => {
      subscription.unsubscribe();
      await wsClient.close();
    },
  };
}

/** A Porthole session seen through the real tRPC client. */
export interface PortholeTerm extends Term {
  readonly sessionId: string;
  readonly client: PortholeClient;
  /** Every non-output event, in order (status, ready, snapshot, error...). */
  readonly events: OutputStreamEvent[];
  /** Subscription errors (a failed stream). */
  readonly errors: unknown[];
  /** Stops the subscription and closes the session; `keepClient` leaves the connection open. */
  close(keepClient?: boolean): Promise<void>;
}

/** Options for `portholeTerm`. */
export interface PortholeTermOptions {
  /** Reuse a connection instead of opening one. */
  client?: PortholeClient;
  /** Wait for the prompt before returning (default true). */
  waitPrompt?: boolean;
  /** Called with the session id right before the subscription starts. */
  onCreated?: (sessionId: string) => void;
}

/** Creates a session on `server`, subscribes to its output and (by default) waits for the prompt. */
export async function portholeTerm(
  server: ServerProcess,
  options: PortholeTermOptions = {},
): Promise<PortholeTerm> {
  const client = options.client ?? connect(server);
  const info = await client.trpc.session.create.mutate({ cols: COLS, rows: ROWS });
  options.onCreated?.(info.id);
  return attachTerm(client, info.id, options.waitPrompt ?? true, !options.client);
}

/** Subscribes to an existing session's output through `client`. */
export async function attachTerm(
  client: PortholeClient,
  sessionId: string,
  waitPrompt: boolean,
  ownsClient = false,
): Promise<PortholeTerm> {
  const out = new OutputWatcher();
  const events: OutputStreamEvent[] = [];
  const errors: unknown[] = [];
  const prompt = waitPrompt ? out.waitFor(PROMPT, 15_000) : Promise.resolve(0);
  const clientId = `bench-${Math.random().toString(36).slice(2, 10)}`;
  let seq = 0;
  const subscription = client.trpc.terminal.output.subscribe(
    { sessionId, clientId },
    {
      onData: ({ data }) => {
        if (data.type === "output") out.push(data.data);
        else {
          events.push(data);
          if (data.type === "snapshot") out.push(data.data);
        }
      },
      onError: (error) => errors.push(error),
    },
  );
  await prompt;
  return {
    out,
    events,
    errors,
    sessionId,
    client,
    write: (data) => {
      client.trpc.terminal.input
        .mutate({ sessionId, clientId, seq: seq++, data })
        .catch((error: unknown) => errors.push(error));
    },
    close: async (keepClient = false) => {
      subscription.unsubscribe();
      await withTimeout(
        client.trpc.session.close.mutate({ sessionId }),
        10_000,
        "session.close",
      ).catch(() => undefined);
      if (ownsClient && !keepClient) client.close();
    },
  };
}

/** Removes the working directories direct shells left behind. */
export function cleanDirectWorkspaces(root: string): void {
  rmSync(root, { recursive: true, force: true });
}

export type { AppRouter };

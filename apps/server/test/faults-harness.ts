// Helpers for the fuzz, security and fault suites: raw tRPC-over-ws clients, fake providers, server processes.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import {
  createConnection,
  createServer as createNetServer,
  type AddressInfo,
  type Server,
  type Socket,
} from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { wireEncoder, wireTransformer, type ExitInfo } from "@porthole/protocol";
import {
  LocalProvider,
  SandboxError,
  type PtyHandlers,
  type SandboxProvider,
  type SandboxPty,
  type StartRequest,
} from "@porthole/sandbox";
import { createTRPCClient, createWSClient, wsLink, type TRPCClient } from "@trpc/client";
import { WebSocket, type RawData } from "ws";
import { loadConfig, type Config } from "../src/config.js";
import { createLogger } from "../src/logger.js";
import type { AppRouter } from "../src/router.js";
import { startServer, type PortholeServer } from "../src/server.js";
import { TOKEN_A, TOKEN_B } from "./harness.js";

// The same two credentials as the other suites' harness.
export { TOKEN_A, TOKEN_B };

/** The built server entry point that process-level tests spawn. */
export const DIST_MAIN = fileURLToPath(new URL("../dist/main.js", import.meta.url));

// ---------------------------------------------------------------------------------------------
// Waiting

/** Polls `check` until it returns something truthy; fails naming `what` after `timeoutMs`. */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  timeoutMs: number,
  what: string,
  intervalMs = 20,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() >= deadline)
      throw new Error(`gave up after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Resolves with `promise`, or rejects naming `what` after `timeoutMs`. */
export async function within<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`gave up after ${timeoutMs} ms waiting for ${what}`)),
          timeoutMs,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------------
// Shells that start fast and the same way on every machine

let scratch: string | null = null;

/**
 * A private temporary directory for this test process (HOME of shells, workspaces, WEB_DIST):
 * <tmp>/porthole-faults/<pid>. Directories of test processes that are gone are removed first, in
 * case one was killed before its exit handler ran.
 */
export function scratchDir(): string {
  if (!scratch) {
    const parent = join(tmpdir(), "porthole-faults");
    mkdirSync(parent, { recursive: true });
    for (const name of readdirSync(parent)) {
      if (/^\d+$/.test(name) && !alive(Number(name)))
        rmSync(join(parent, name), { recursive: true, force: true });
    }
    scratch = join(parent, String(process.pid));
    mkdirSync(scratch, { recursive: true });
    const dir = scratch;
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  }
  return scratch;
}

/**
 * An empty HOME for shells: a login shell then reads only /etc/profile, not the dotfiles of
 * whoever runs the tests (which may be slow or print things).
 */
export function quietHome(): string {
  const home = join(scratchDir(), "home");
  mkdirSync(home, { recursive: true });
  return home;
}

/** The local provider with /bin/bash, an empty HOME and a private workspace root. */
export function quietLocalProvider(): LocalProvider {
  return new LocalProvider({
    shell: "/bin/bash",
    baseEnv: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: quietHome(), LANG: "C.UTF-8" },
    workspaceRoot: join(scratchDir(), "workspaces"),
  });
}

// ---------------------------------------------------------------------------------------------
// In-process servers whose logs the test can read

/** A server for one test, with its config and the log lines it wrote. */
export interface CapturedServer extends PortholeServer {
  config: Config;
  wsUrl: string;
  /** Parsed JSON log lines. */
  logs: { level: number; msg: string; [key: string]: unknown }[];
}

const servers: CapturedServer[] = [];
const clientHandles: { close(): void }[] = [];

/** Starts a server on a free port (tokens A and B), logging at `LOG_LEVEL` (default warn) into `logs`. */
export async function startCapturedServer(
  env: Record<string, string> = {},
  provider: SandboxProvider = quietLocalProvider(),
): Promise<CapturedServer> {
  const config = loadConfig(
    { PORT: "0", PORTHOLE_TOKEN: `${TOKEN_A},${TOKEN_B}`, LOG_LEVEL: "warn", ...env },
    () => "unused",
  );
  const logs: CapturedServer["logs"] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString("utf8").split("\n")) {
        if (line.trim()) logs.push(JSON.parse(line) as CapturedServer["logs"][number]);
      }
      done();
    },
  });
  const server = await startServer(config, provider, createLogger(config.logLevel, sink));
  const captured = { ...server, config, logs, wsUrl: `${server.url.replace("http", "ws")}/trpc` };
  servers.push(captured);
  return captured;
}

/** A tRPC client over a real WebSocket to `wsUrl`. */
export function connectTo(wsUrl: string, token = TOKEN_A, retryDelayMs = 50) {
  const ws = createWSClient({
    url: wsUrl,
    connectionParams: () => ({ token }),
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    experimental_encoder: wireEncoder,
    retryDelayMs: () => retryDelayMs,
  });
  const client: TRPCClient<AppRouter> = createTRPCClient<AppRouter>({
    links: [wsLink({ client: ws, transformer: wireTransformer })],
  });
  const handle = { client, ws, close: () => void ws.close() };
  clientHandles.push(handle);
  return handle;
}

/** Closes a client from connectTo now (and forgets it). */
export function disconnect(handle: { close(): void }): void {
  const index = clientHandles.indexOf(handle);
  if (index >= 0) clientHandles.splice(index, 1);
  handle.close();
}

/** Closes every proxy, client, raw socket, server and child process the test started. */
export async function cleanupAll(): Promise<void> {
  // Proxies first: a server closing a socket behind a blackhole would wait for its close handshake.
  await Promise.all(proxies.splice(0).map((proxy) => proxy.close()));
  for (const handle of clientHandles.splice(0)) handle.close();
  for (const raw of rawClients.splice(0)) raw.terminate();
  await Promise.all(servers.splice(0).map((server) => server.close()));
  await Promise.all(children.splice(0).map((child) => child.kill()));
}

// ---------------------------------------------------------------------------------------------
// A raw client speaking tRPC's WebSocket protocol, for messages no real client would send

/** A message the server sent, as parsed JSON (or the raw text when it was not JSON). */
export interface ServerMessage {
  id?: string | number | null;
  result?: { type: string; id?: string; data?: unknown };
  error?: {
    message: string;
    code: number;
    data?: { code?: string; httpStatus?: number; porthole?: string };
  };
  method?: string;
}

const rawClients: RawClient[] = [];

/** One WebSocket to the server; records everything it receives and how it closed. */
export class RawClient {
  readonly ws: WebSocket;
  readonly messages: ServerMessage[] = [];
  /** The messages that came in binary frames. */
  readonly binary = new WeakSet<ServerMessage>();
  readonly #byId = new Map<string, ServerMessage[]>();
  readonly #waiters = new Set<() => void>();
  closeInfo: { code: number; reason: string } | null = null;
  readonly closed: Promise<{ code: number; reason: string }>;
  #nextId = 1;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on("message", (data: RawData, isBinary: boolean) => {
      const bytes = Buffer.isBuffer(data)
        ? data
        : Array.isArray(data)
          ? Buffer.concat(data)
          : Buffer.from(data);
      const text = bytes.toString("utf8");
      let message: ServerMessage;
      try {
        // Output events come in binary frames (the wire format); everything else is JSON text.
        message = (isBinary ? wireEncoder.decode(bytes) : JSON.parse(text)) as ServerMessage;
      } catch {
        message = { method: `unparsed:${text}` };
      }
      this.messages.push(message);
      if (isBinary) this.binary.add(message);
      const key = String(message.id);
      const list = this.#byId.get(key) ?? [];
      list.push(message);
      this.#byId.set(key, list);
      this.#wake();
    });
    this.closed = new Promise((resolve) => {
      ws.on("close", (code, reason) => {
        this.closeInfo = { code, reason: reason.toString("utf8") };
        this.#wake();
        resolve(this.closeInfo);
      });
    });
    ws.on("error", () => {});
  }

  /**
   * Opens a socket to `wsUrl` announcing connection params (`?connectionParams=1`) and sends
   * `{ method: "connectionParams", data: { token } }` first, as the real client does. `first`
   * replaces that message with any frame, `silent` sends nothing, and `announce: false` connects
   * without announcing params at all (the server then authenticates with none).
   */
  static async open(
    wsUrl: string,
    options: {
      token?: string;
      first?: string;
      silent?: boolean;
      announce?: boolean;
      origin?: string;
    } = {},
  ): Promise<RawClient> {
    const announce = options.announce ?? true;
    const ws = new WebSocket(
      announce ? `${wsUrl}?connectionParams=1` : wsUrl,
      options.origin ? { origin: options.origin } : {},
    );
    const client = new RawClient(ws);
    rawClients.push(client);
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    if (announce && !options.silent) {
      ws.send(
        options.first ??
          JSON.stringify({ method: "connectionParams", data: { token: options.token ?? TOKEN_A } }),
      );
    }
    return client;
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** A fresh request id. */
  id(): number {
    return this.#nextId++;
  }

  /** Sends text (or bytes as a text frame with `binary: false`, or a binary frame). */
  send(data: string | Buffer, options: { binary?: boolean } = {}): void {
    this.ws.send(data, { binary: options.binary ?? false });
  }

  /** Sends one tRPC call and returns its id. */
  call(
    method: "query" | "mutation" | "subscription",
    path: string,
    input?: unknown,
    extra: { id?: string | number; lastEventId?: string } = {},
  ): string | number {
    const id = extra.id ?? this.id();
    const params: Record<string, unknown> = { path, input };
    if (extra.lastEventId !== undefined) params.lastEventId = extra.lastEventId;
    this.send(JSON.stringify({ id, method, params }));
    return id;
  }

  /** Stops a subscription. */
  stop(id: string | number): void {
    this.send(JSON.stringify({ id, method: "subscription.stop" }));
  }

  /** Everything received for `id` so far. */
  received(id: string | number | null): ServerMessage[] {
    return this.#byId.get(String(id)) ?? [];
  }

  /** Waits for the first message for `id` matching `match` (default: any). */
  async next(
    id: string | number | null,
    timeoutMs = 5000,
    match: (message: ServerMessage) => boolean = () => true,
  ): Promise<ServerMessage> {
    return this.until(() => this.received(id).find(match), timeoutMs, `a message for id ${id}`);
  }

  /** Waits for the answer (data or error) to a query or mutation. */
  answer(id: string | number, timeoutMs = 5000): Promise<ServerMessage> {
    return this.next(id, timeoutMs, (m) => m.error !== undefined || m.result?.type === "data");
  }

  /** Waits until `check` returns something, failing after `timeoutMs`; wakes on every message. */
  async until<T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = check();
      if (value !== undefined && value !== false && value !== null) return value;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `gave up after ${timeoutMs} ms waiting for ${what}; socket ${this.closeInfo ? `closed ${this.closeInfo.code}` : "open"}; last messages ${JSON.stringify(this.messages.slice(-3))}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 100));
        this.#waiters.add(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.ws.close();
  }

  terminate(): void {
    this.ws.terminate();
  }

  #wake(): void {
    for (const wake of this.#waiters) wake();
    this.#waiters.clear();
  }
}

// ---------------------------------------------------------------------------------------------
// A network that can fail silently

const proxies: BlackholeProxy[] = [];

/**
 * A TCP proxy between client and server that can stop forwarding in both directions while keeping
 * both connections open: no FIN, no RST, exactly what a peer that lost power or network looks like.
 */
export class BlackholeProxy {
  readonly #server: Server;
  readonly #pairs: { client: Socket; upstream: Socket }[] = [];
  #blackholed = false;
  /** Bytes per second passed from server to client; null for as fast as they come. */
  #downRate: number | null = null;
  /** Bytes passed from server to client so far. */
  delivered = 0;

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(targetPort: number, downRate: number | null = null): Promise<BlackholeProxy> {
    const server = createNetServer();
    const proxy = new BlackholeProxy(server);
    proxy.#downRate = downRate;
    server.on("connection", (client) => proxy.#forward(client, targetPort));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    proxies.push(proxy);
    return proxy;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  /** From now on nothing passes either way, and nothing is closed. */
  blackhole(): void {
    this.#blackholed = true;
    for (const { client, upstream } of this.#pairs) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
    }
  }

  /** Forwards again (unthrottled), as a client whose network came back. */
  resume(): void {
    this.#blackholed = false;
    this.#downRate = null;
    for (const { client, upstream } of this.#pairs) {
      client.pipe(upstream, { end: false });
      upstream.pipe(client, { end: false });
      client.resume();
      upstream.resume();
    }
  }

  async close(): Promise<void> {
    for (const { client, upstream } of this.#pairs) {
      client.destroy();
      upstream.destroy();
    }
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #forward(client: Socket, targetPort: number): void {
    const upstream = createConnection({ port: targetPort, host: "127.0.0.1" });
    this.#pairs.push({ client, upstream });
    // Errors after the blackhole (the server resetting its side) must not close the other side.
    client.on("error", () => {});
    upstream.on("error", () => {});
    if (this.#blackholed) return;
    client.pipe(upstream, { end: false });
    const rate = this.#downRate;
    if (rate === null) {
      upstream.on("data", (chunk: Buffer) => (this.delivered += chunk.length));
      upstream.pipe(client, { end: false });
      return;
    }
    // A slow link: each chunk holds the next one back for as long as it takes at `rate`.
    upstream.on("data", (chunk: Buffer) => {
      if (this.#blackholed) return;
      upstream.pause();
      client.write(chunk);
      this.delivered += chunk.length;
      setTimeout(() => this.#blackholed || upstream.resume(), (chunk.length / rate) * 1000);
    });
  }
}

// ---------------------------------------------------------------------------------------------
// A provider whose start can succeed, fail or hang on demand

/** How FakeProvider.start behaves. */
export type FakeStart =
  /** Resolves at once with a PTY that echoes what is written. */
  | { kind: "echo" }
  /** Rejects after `afterMs` with `error`. */
  | { kind: "reject"; afterMs: number; error: Error }
  /** Never settles, but rejects when the start is aborted (a well-behaved slow provider). */
  | { kind: "hang" }
  /** Never settles, whatever happens (a provider stuck in a network call without a timeout). */
  | { kind: "hang-forever" }
  /** Resolves after `afterMs` even if the start was aborted meanwhile. */
  | { kind: "late"; afterMs: number };

/** A PTY that lives in memory: it echoes input and counts as running until closed. */
export class FakePty implements SandboxPty {
  readonly ref: { sandboxId: string; pid: number };
  readonly #handlers: PtyHandlers;
  readonly #provider: FakeProvider;
  closed = false;

  constructor(provider: FakeProvider, handlers: PtyHandlers, serial: number) {
    this.#provider = provider;
    this.#handlers = handlers;
    this.ref = { sandboxId: `fake-${serial}`, pid: 100_000 + serial };
    provider.running.add(this);
    queueMicrotask(() => handlers.onData(Buffer.from("$ ")));
  }

  write(data: string): Promise<void> {
    if (!this.closed) this.#handlers.onData(Buffer.from(data.replace(/\r/g, "\r\n")));
    return Promise.resolve();
  }

  resize(): Promise<void> {
    return Promise.resolve();
  }

  /** Output from the "shell", as if a program printed it. */
  emit(text: string): void {
    if (!this.closed) this.#handlers.onData(Buffer.from(text));
  }

  /** Ends the "shell" as if it exited. */
  exit(exit: ExitInfo): void {
    this.#handlers.onExit(exit);
  }

  close(): Promise<void> {
    // A sandbox whose kill never answers (a cloud that hangs).
    if (this.#provider.closeHangs) return new Promise(() => {});
    if (!this.closed) {
      this.closed = true;
      this.#provider.running.delete(this);
    }
    return Promise.resolve();
  }
}

/** A SandboxProvider for fault tests; `running` holds every PTY not yet closed. */
export class FakeProvider implements SandboxProvider {
  readonly name = "local" as const;
  readonly isolation = "none" as const;
  readonly canPause = false;
  readonly running = new Set<FakePty>();
  /** Starts asked for, and how many of them saw their signal abort. */
  starts = 0;
  aborts = 0;
  /** Starts still pending (neither resolved nor rejected). */
  pending = 0;
  behaviour: FakeStart;
  /** Closing a PTY never settles. */
  closeHangs = false;
  #serial = 0;

  constructor(behaviour: FakeStart = { kind: "echo" }) {
    this.behaviour = behaviour;
  }

  start(request: StartRequest, handlers: PtyHandlers): Promise<SandboxPty> {
    this.starts++;
    request.onStatus("creating-sandbox", "Creating a fake sandbox");
    request.signal.addEventListener("abort", () => this.aborts++, { once: true });
    const behaviour = this.behaviour;
    const make = () => new FakePty(this, handlers, ++this.#serial);
    let result: Promise<SandboxPty>;
    switch (behaviour.kind) {
      case "echo":
        return Promise.resolve(make());
      case "reject":
        result = new Promise((_, reject) =>
          setTimeout(() => reject(behaviour.error), behaviour.afterMs),
        );
        break;
      case "hang":
        result = new Promise((_, reject) =>
          request.signal.addEventListener(
            "abort",
            () => reject(new SandboxError("SESSION_ENDED", "aborted while starting")),
            { once: true },
          ),
        );
        break;
      case "hang-forever":
        result = new Promise(() => {});
        break;
      case "late":
        result = new Promise((resolve) => setTimeout(() => resolve(make()), behaviour.afterMs));
        break;
    }
    this.pending++;
    return result.finally(() => this.pending--);
  }
}

// ---------------------------------------------------------------------------------------------
// The real server as a child process

/** A free TCP port on 127.0.0.1 (closed again before it is returned). */
export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Fails loudly when the server was not built. */
export function requireDist(): void {
  if (!existsSync(DIST_MAIN)) {
    throw new Error(
      `${DIST_MAIN} is missing: build the server first (pnpm --filter @porthole/server... build)`,
    );
  }
}

/** A `node dist/main.js` process with its output captured. */
export class ServerProcess {
  readonly child: ChildProcess;
  readonly port: number;
  readonly url: string;
  readonly wsUrl: string;
  stdout = "";
  stderr = "";
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  exitInfo: { code: number | null; signal: NodeJS.Signals | null } | null = null;

  constructor(child: ChildProcess, port: number) {
    this.child = child;
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
    this.wsUrl = `ws://127.0.0.1:${port}/trpc`;
    child.stdout?.on("data", (chunk: Buffer) => (this.stdout += chunk.toString("utf8")));
    child.stderr?.on("data", (chunk: Buffer) => (this.stderr += chunk.toString("utf8")));
    this.exited = new Promise((resolve) =>
      child.once("exit", (code, signal) => {
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
      }),
    );
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** JSON log lines from stdout (the banner and other text lines are skipped). */
  logLines(): Record<string, unknown>[] {
    return this.stdout
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  /** Kills the process (and what it left behind) if it still runs. */
  async kill(): Promise<void> {
    const leftovers = descendants(this.pid);
    if (!this.exitInfo) {
      this.child.kill("SIGKILL");
      await this.exited;
    }
    for (const pid of leftovers) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // gone
      }
    }
  }
}

const children: ServerProcess[] = [];

/**
 * Starts `node dist/main.js` with a minimal environment plus `env` (local provider, a free port,
 * LOG_LEVEL info, an empty HOME) and waits until /health answers.
 */
export async function startServerProcess(
  env: Record<string, string> = {},
  options: { nodeArgs?: string[]; waitReady?: boolean } = {},
): Promise<ServerProcess> {
  requireDist();
  const port = await freePort();
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), DIST_MAIN], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: quietHome(),
      LANG: "C.UTF-8",
      SANDBOX_PROVIDER: "local",
      LOCAL_SHELL: "/bin/bash",
      LOCAL_WORKSPACE_ROOT: join(scratchDir(), "workspaces"),
      PORT: String(port),
      PORTHOLE_TOKEN: TOKEN_A,
      LOG_LEVEL: "info",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const server = new ServerProcess(child, port);
  children.push(server);
  if (options.waitReady ?? true) {
    await waitFor(
      async () => {
        if (server.exitInfo)
          throw new Error(
            `server exited early (${JSON.stringify(server.exitInfo)}): ${server.stderr}${server.stdout}`,
          );
        try {
          return (await fetch(`${server.url}/health`)).ok;
        } catch {
          return false;
        }
      },
      15_000,
      "the server process to answer /health",
      50,
    );
  }
  return server;
}

/** Runs `node dist/main.js` with exactly `env` and returns how it ended (for config errors). */
export function runServerOnce(
  env: Record<string, string>,
  timeoutMs = 10_000,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  requireDist();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DIST_MAIN], {
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: quietHome(), ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the server did not exit within ${timeoutMs} ms: ${stderr}${stdout}`));
    }, timeoutMs);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Processes and file descriptors (Linux /proc)

/** Fields of /proc/<pid>/stat after the command name. */
function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return null;
  }
}

/** True while `pid` exists and is not a zombie. */
export function alive(pid: number): boolean {
  const fields = statFields(pid);
  return fields !== null && fields[0] !== "Z" && fields[0] !== "X";
}

/** Every live process below `pid` (children, grandchildren...). */
export function descendants(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const fields = statFields(Number(name));
    if (!fields || fields[0] === "Z") continue;
    const ppid = Number(fields[1]);
    const list = parents.get(ppid) ?? [];
    list.push(Number(name));
    parents.set(ppid, list);
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of parents.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** Live processes whose terminal session (setsid) is `sid`: a shell and everything it started. */
export function terminalSessionMembers(sid: number): number[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => {
      const fields = statFields(pid);
      return fields !== null && fields[0] !== "Z" && Number(fields[3]) === sid;
    });
}

/** Open file descriptors of `pid`. */
export function fdCount(pid: number = process.pid): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** Resident and peak resident memory of `pid` in bytes. */
export function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: kb("VmRSS") * 1024, peak: kb("VmHWM") * 1024 };
}

/** CPU time `pid` has used (user + system), in seconds. */
export function cpuSeconds(pid: number): number {
  const fields = statFields(pid);
  if (!fields) return 0;
  // utime and stime are fields 14 and 15 of /proc/<pid>/stat, in clock ticks (100 per second).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The command line of `pid`, or "" when it is gone. */
export function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ").trim();
  } catch {
    return "";
  }
}

// Test harness: a real server on 127.0.0.1 with a real tRPC client over a real WebSocket.
import {
  wireEncoder,
  wireTransformer,
  type OutputStreamEvent,
  type SequencedResult,
} from "@porthole/protocol";
import { LocalProvider, type SandboxProvider } from "@porthole/sandbox";
import { createTRPCClient, createWSClient, wsLink, type TRPCClient } from "@trpc/client";
import { WebSocket } from "ws";
import { loadConfig, type Config } from "../src/config.js";
import { createLogger } from "../src/logger.js";
import type { AppRouter } from "../src/router.js";
import { startServer, type PortholeServer } from "../src/server.js";

const utf8 = new TextDecoder();

/** An output event's bytes as text (the server never splits a UTF-8 character between events). */
export const textOf = (bytes: Uint8Array): string => utf8.decode(bytes);

/**
 * Test shells skip the login profile: it is not ours to test, it can be slow, and a profile that
 * takes locks (pyenv's rehash does) can wedge later shells if a test kills one mid-start.
 */
export const TEST_SHELL = { shell: "/bin/bash", shellArgs: ["--noprofile", "--norc"] };

export const TOKEN_A = "token-a-0123456789abcdef";
export const TOKEN_B = "token-b-0123456789abcdef";

/** A server for one test, with its config. */
export interface TestServer extends PortholeServer {
  config: Config;
  wsUrl: string;
}

const running: TestServer[] = [];
const clients: { close(): void }[] = [];

/** Starts a server on a free port with the local provider and two tokens (A and B). */
export async function startTestServer(
  env: Record<string, string> = {},
  provider?: SandboxProvider,
): Promise<TestServer> {
  const config = loadConfig(
    { PORT: "0", PORTHOLE_TOKEN: `${TOKEN_A},${TOKEN_B}`, LOG_LEVEL: "silent", ...env },
    () => "unused",
  );
  const logger = createLogger(config.logLevel);
  const chosen = provider ?? new LocalProvider(TEST_SHELL);
  const server = await startServer(config, chosen, logger);
  const test = { ...server, config, wsUrl: `${server.url.replace("http", "ws")}/trpc` };
  running.push(test);
  return test;
}

/** A connected tRPC client; `ws` exposes the socket client for reconnect tests. */
export function connect(
  server: TestServer,
  token = TOKEN_A,
  options: { retryDelayMs?: number } = {},
) {
  const ws = createWSClient({
    url: server.wsUrl,
    connectionParams: () => ({ token }),
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    experimental_encoder: wireEncoder,
    retryDelayMs: () => options.retryDelayMs ?? 20,
  });
  const client: TRPCClient<AppRouter> = createTRPCClient<AppRouter>({
    links: [wsLink({ client: ws, transformer: wireTransformer })],
  });
  const handle = { client, ws, close: () => void ws.close() };
  clients.push(handle);
  return handle;
}

/** Stops every client and server the test started. */
export async function cleanup(): Promise<void> {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(running.splice(0).map((server) => server.close()));
}

/** Collects a session's output stream through the client, as the web app would. */
export class OutputCollector {
  readonly events: { id: string; event: OutputStreamEvent }[] = [];
  text = "";
  errors: unknown[] = [];
  stopped = false;
  readonly #unsubscribe: () => void;
  readonly #waiters = new Set<() => void>();
  /** Types into the session: this collector's own input stream (its clientId, seq 0, 1, ...). */
  readonly type: (data: string) => Promise<SequencedResult>;

  constructor(
    client: TRPCClient<AppRouter>,
    sessionId: string,
    options: { clientId?: string; acks?: boolean } = {},
  ) {
    const subscription = client.terminal.output.subscribe(
      { sessionId, ...options },
      {
        onData: ({ id, data }) => {
          this.events.push({ id, event: data });
          if (data.type === "output") this.text += textOf(data.data);
          if (data.type === "snapshot") this.text += data.data;
          this.#wake();
        },
        onError: (error) => {
          this.errors.push(error);
          this.#wake();
        },
        onStopped: () => {
          this.stopped = true;
          this.#wake();
        },
        onComplete: () => {
          this.stopped = true;
          this.#wake();
        },
      },
    );
    this.#unsubscribe = () => subscription.unsubscribe();
    const clientId = options.clientId ?? "c";
    let seq = 0;
    this.type = (data) => client.terminal.input.mutate({ sessionId, clientId, seq: seq++, data });
  }

  /** Waits until `check()` holds, failing with what arrived after `timeoutMs`. */
  async until(check: () => boolean, timeoutMs = 10_000, what = "condition"): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (this.errors.length > 0) throw new Error(`subscription failed: ${String(this.errors[0])}`);
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `${what}: gave up after ${timeoutMs} ms; text ends ${JSON.stringify(this.text.slice(-300))}; events ${this.events.map((e) => e.event.type).join(",")}`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 200));
        this.#waiters.add(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  untilText(pattern: RegExp, timeoutMs?: number): Promise<void> {
    return this.until(() => pattern.test(this.text), timeoutMs, `text ${pattern}`);
  }

  untilEvent(type: OutputStreamEvent["type"], timeoutMs?: number): Promise<void> {
    return this.until(
      () => this.events.some((e) => e.event.type === type),
      timeoutMs,
      `event ${type}`,
    );
  }

  stop(): void {
    this.#unsubscribe();
  }

  #wake(): void {
    for (const wake of this.#waiters) wake();
    this.#waiters.clear();
  }
}

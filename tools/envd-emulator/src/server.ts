// Starts the emulator: the control-plane server and the sandbox (envd) server, and stops both cleanly.
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createControlPlane } from "./control-plane.js";
import { createEnvdRouter } from "./envd-router.js";
import { createFaults, FaultTable, type Faults } from "./faults.js";
import { HangingRequests } from "./http-util.js";
import { SandboxRegistry } from "./sandbox-registry.js";

/** Templates an emulator knows unless told otherwise: E2B's own `base`, and Porthole's. */
export const DEFAULT_TEMPLATES: readonly string[] = ["base", "porthole", "porthole-claude"];

/** How to start the emulator. Every field is optional. */
export interface EmulatorOptions {
  /** The only API key the control plane accepts (default: a random `e2b_…` key). */
  readonly apiKey?: string;
  /** Interface to listen on (default `127.0.0.1`). */
  readonly host?: string;
  /** Control-plane port (default 0: an ephemeral port). */
  readonly apiPort?: number;
  /** Sandbox (envd) port (default 0: an ephemeral port). */
  readonly sandboxPort?: number;
  /**
   * Templates the control plane knows; creating from any other answers 404, as E2B does (default
   * DEFAULT_TEMPLATES).
   */
  readonly templates?: readonly string[];
  /** envd version reported to the SDK, which gates SDK features (default `0.5.20`). */
  readonly envdVersion?: string;
  /** Plan limit on a sandbox's lifetime: longer timeouts get 400 (default 1, E2B Hobby; Pro is 24). */
  readonly maxSandboxHours?: number;
  /** Parent directory of sandbox directories (default: the OS temp dir). */
  readonly baseDir?: string;
  /** Receives one line per notable event (sandbox ended); silent by default. */
  readonly log?: (line: string) => void;
}

/** A running process as {@link SandboxInspector.processes} reports it. */
export interface ProcessSummary {
  readonly pid: number;
  readonly cmd: string;
  readonly args: readonly string[];
  readonly pty: boolean;
  readonly tag?: string;
  /** Start/Connect streams currently receiving its output. */
  readonly subscribers: number;
  /** Output bytes dropped so far because no stream was subscribed. */
  readonly droppedBytes: number;
}

/** Read-mostly view of the emulator's sandboxes, for assertions in tests. */
export interface SandboxInspector {
  /** Ids of live sandboxes. */
  ids(): string[];
  /** Whether a sandbox is live (false once killed or expired). */
  isAlive(id: string): boolean;
  /** Running processes of a sandbox (empty when it is not live). */
  processes(id: string): ProcessSummary[];
  /** Host directory standing for the sandbox's `/` (its `/home/user` is `<dir>/home/user`). */
  dir(id: string): string | undefined;
  /** When the sandbox will expire unless refreshed. */
  endAt(id: string): Date | undefined;
  /** Kills a sandbox out of band, as if it had timed out. @returns false when it was not live */
  kill(id: string): Promise<boolean>;
}

/** A running emulator. */
export interface Emulator {
  /** Control-plane base URL: the SDK's `apiUrl` (`E2B_API_URL`). */
  readonly apiUrl: string;
  /** envd base URL for every sandbox: the SDK's `sandboxUrl` (`E2B_SANDBOX_URL`). */
  readonly sandboxUrl: string;
  /** The API key the control plane accepts. */
  readonly apiKey: string;
  /** Environment that points the SDK (and Porthole's E2B provider) here: E2B_API_KEY, E2B_API_URL, E2B_SANDBOX_URL, E2B_DEBUG=false. */
  readonly env: Readonly<Record<string, string>>;
  /** Options for `new E2B(...)` or `Sandbox.create(...)`: `{ apiKey, apiUrl, sandboxUrl, debug: false }`. */
  readonly sdkOptions: {
    readonly apiKey: string;
    readonly apiUrl: string;
    readonly sandboxUrl: string;
    readonly debug: false;
  };
  readonly sandboxes: SandboxInspector;
  readonly faults: Faults;
  /** Kills every sandbox and process, releases hung requests and closes both servers. Idempotent. */
  close(): Promise<void>;
}

async function listen(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  host: string,
  port: number,
): Promise<Server> {
  const server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return server;
}

function baseUrl(server: Server, host: string): string {
  const { port } = server.address() as AddressInfo;
  return `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
}

async function stop(server: Server): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * Starts the control plane and the sandbox server on `host` (ephemeral ports by default).
 * Point the real `e2b` SDK at it with {@link Emulator.sdkOptions} (or {@link Emulator.env}).
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const host = options.host ?? "127.0.0.1";
  const apiKey = options.apiKey ?? `e2b_${randomBytes(20).toString("hex")}`;
  const envdVersion = options.envdVersion ?? "0.5.20";
  const registry = new SandboxRegistry({
    maxSandboxHours: options.maxSandboxHours ?? 1,
    ...(options.baseDir === undefined ? {} : { baseDir: options.baseDir }),
    ...(options.log === undefined ? {} : { log: options.log }),
  });
  const table = new FaultTable();
  const hanging = new HangingRequests();
  const shutdown = new AbortController();

  const apiServer = await listen(
    createControlPlane({
      registry,
      faults: table,
      hanging,
      apiKey,
      envdVersion,
      templates: new Set(options.templates ?? DEFAULT_TEMPLATES),
    }),
    host,
    options.apiPort ?? 0,
  );
  const sandboxServer = await listen(
    createEnvdRouter({ registry, faults: table, hanging, shutdownSignal: shutdown.signal }),
    host,
    options.sandboxPort ?? 0,
  ).catch(async (err: unknown) => {
    await stop(apiServer);
    throw err;
  });
  const apiUrl = baseUrl(apiServer, host);
  const sandboxUrl = baseUrl(sandboxServer, host);

  const faults = createFaults(table, ({ sandboxId, pid }) =>
    registry
      .all()
      .filter((sandbox) => sandboxId === undefined || sandbox.id === sandboxId)
      .reduce((count, sandbox) => count + sandbox.breakStreams(pid), 0),
  );

  const sandboxes: SandboxInspector = {
    ids: () => registry.all().map((sandbox) => sandbox.id),
    isAlive: (id) => registry.get(id)?.isAlive ?? false,
    processes: (id) =>
      (registry.get(id)?.listProcesses() ?? []).map((proc) => ({
        pid: proc.pid,
        cmd: proc.config.cmd,
        args: proc.config.args,
        pty: proc.isPty,
        subscribers: proc.subscriberCount,
        droppedBytes: proc.droppedBytes,
        ...(proc.tag === undefined ? {} : { tag: proc.tag }),
      })),
    dir: (id) => registry.get(id)?.paths.root,
    endAt: (id) => registry.get(id)?.endAt,
    kill: (id) => registry.kill(id),
  };

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      shutdown.abort();
      hanging.releaseAll();
      await registry.closeAll();
      await Promise.all([stop(apiServer), stop(sandboxServer)]);
    })();
    return closing;
  };

  return {
    apiUrl,
    sandboxUrl,
    apiKey,
    env: {
      E2B_API_KEY: apiKey,
      E2B_API_URL: apiUrl,
      E2B_SANDBOX_URL: sandboxUrl,
      E2B_DEBUG: "false",
    },
    sdkOptions: { apiKey, apiUrl, sandboxUrl, debug: false },
    sandboxes,
    faults,
    close,
  };
}

// Fault injection for tests: make control-plane routes or envd calls fail or hang, or cut envd streams.
import { Code } from "@connectrpc/connect";

/** Control-plane operations, named after the SDK calls that reach them. */
export type ApiRoute = "create" | "connect" | "list" | "getInfo" | "setTimeout" | "kill";

/** envd RPCs, as `<service>/<method>`. */
export type RpcMethod =
  | "process.Process/Start"
  | "process.Process/Connect"
  | "process.Process/List"
  | "process.Process/SendInput"
  | "process.Process/Update"
  | "process.Process/SendSignal"
  | "process.Process/CloseStdin"
  | "filesystem.Filesystem/Stat"
  | "filesystem.Filesystem/ListDir"
  | "filesystem.Filesystem/MakeDir"
  | "filesystem.Filesystem/Move"
  | "filesystem.Filesystem/Remove";

/** envd's plain HTTP endpoints. */
export type HttpCall = "GET /files" | "POST /files" | "GET /health";

/** How many times a fault fires; omit for "until cleared". */
export interface FaultTimes {
  readonly times?: number;
}

/** What an armed fault does to a request. */
export type FaultAction =
  | {
      readonly kind: "status";
      readonly status: number;
      readonly message: string;
      readonly retryAfterSeconds?: number;
    }
  | { readonly kind: "code"; readonly code: Code; readonly message: string }
  | { readonly kind: "hang" };

interface Armed {
  readonly action: FaultAction;
  remaining: number;
}

/** A stream filter for {@link Faults.breakStreams}. */
export interface StreamFilter {
  readonly sandboxId?: string;
  readonly pid?: number;
}

/** Test controls; every fault stays armed until it has fired `times` times or {@link Faults.clear} is called. */
export interface Faults {
  /**
   * Makes a control-plane route answer with an HTTP error (E2B's `{ code, message }` body).
   * 401 → SDK `AuthenticationError`, 429 → `RateLimitError` (retried first when `retryAfterSeconds`
   * is set), 503 → `ServiceBusyError`, others → `SandboxError` with `statusCode`.
   */
  apiError(
    route: ApiRoute,
    status: number,
    opts?: FaultTimes & { readonly message?: string; readonly retryAfterSeconds?: number },
  ): void;
  /** Makes a control-plane route never answer (the request stays open until the client gives up or the emulator closes). */
  apiHang(route: ApiRoute, opts?: FaultTimes): void;
  /** Makes an envd RPC fail with a Connect error code. */
  envdError(call: RpcMethod, code: Code, opts?: FaultTimes & { readonly message?: string }): void;
  /** Makes an envd HTTP endpoint answer with an HTTP error status. */
  httpError(
    call: HttpCall,
    status: number,
    opts?: FaultTimes & { readonly message?: string },
  ): void;
  /** Makes an envd RPC or HTTP endpoint never answer. */
  envdHang(call: RpcMethod | HttpCall, opts?: FaultTimes): void;
  /**
   * Cuts open Start/Connect streams by closing their sockets, like a dropped connection.
   * @returns how many streams were cut
   */
  breakStreams(filter?: StreamFilter): number;
  /** Disarms every fault. */
  clear(): void;
}

/** Fault state shared by the servers; `take` consumes one firing. */
export class FaultTable {
  private readonly armed = new Map<string, Armed[]>();

  /** Arms a fault for a key (`api:create`, `rpc:process.Process/Start`, `http:GET /files`). */
  arm(key: string, action: FaultAction, times: number | undefined): void {
    const list = this.armed.get(key) ?? [];
    list.push({ action, remaining: times ?? Number.POSITIVE_INFINITY });
    this.armed.set(key, list);
  }

  /** The action to apply to this request, if a fault is armed for its key. */
  take(key: string): FaultAction | undefined {
    const list = this.armed.get(key);
    const first = list?.[0];
    if (list === undefined || first === undefined) return undefined;
    first.remaining--;
    if (first.remaining <= 0) list.shift();
    return first.action;
  }

  /** Disarms every fault. */
  clear(): void {
    this.armed.clear();
  }
}

/** Builds the public {@link Faults} API over a table and a stream cutter. */
export function createFaults(
  table: FaultTable,
  breakStreams: (filter: StreamFilter) => number,
): Faults {
  return {
    apiError: (route, status, opts) =>
      table.arm(
        `api:${route}`,
        {
          kind: "status",
          status,
          message: opts?.message ?? `emulated ${status} for ${route}`,
          ...(opts?.retryAfterSeconds === undefined
            ? {}
            : { retryAfterSeconds: opts.retryAfterSeconds }),
        },
        opts?.times,
      ),
    apiHang: (route, opts) => table.arm(`api:${route}`, { kind: "hang" }, opts?.times),
    envdError: (call, code, opts) =>
      table.arm(
        `rpc:${call}`,
        { kind: "code", code, message: opts?.message ?? `emulated ${Code[code]} for ${call}` },
        opts?.times,
      ),
    httpError: (call, status, opts) =>
      table.arm(
        `http:${call}`,
        { kind: "status", status, message: opts?.message ?? `emulated ${status} for ${call}` },
        opts?.times,
      ),
    envdHang: (call, opts) =>
      table.arm(call.includes(" ") ? `http:${call}` : `rpc:${call}`, { kind: "hang" }, opts?.times),
    breakStreams: (filter) => breakStreams(filter ?? {}),
    clear: () => table.clear(),
  };
}

// The sandbox URL: routes by E2b-Sandbox-Id like E2B's edge, checks envd's access token, serves RPC and /files.
import type { IncomingMessage, ServerResponse } from "node:http";
import { Code, ConnectError, createContextValues, type Interceptor } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { Filesystem } from "./gen/filesystem/filesystem_pb.js";
import { Process } from "./gen/process/process_pb.js";
import { basicUser, KNOWN_USERS, kNodeRequest, kSandbox } from "./envd-context.js";
import type { FaultTable, HttpCall } from "./faults.js";
import { handleFiles } from "./files-http.js";
import { filesystemService } from "./filesystem-service.js";
import { sendError, sendJson, type HangingRequests } from "./http-util.js";
import { processService } from "./process-service.js";
import type { Sandbox } from "./sandbox.js";
import type { SandboxRegistry } from "./sandbox-registry.js";

/** The port envd listens on inside a sandbox (the SDK sends it as `E2b-Sandbox-Port`). */
export const ENVD_PORT = 49983;

/** What the envd side needs from the emulator. */
export interface EnvdDeps {
  readonly registry: SandboxRegistry;
  readonly faults: FaultTable;
  readonly hanging: HangingRequests;
  /** Aborted when the emulator stops: ends every RPC. */
  readonly shutdownSignal: AbortSignal;
}

function faultInterceptor(faults: FaultTable): Interceptor {
  return (next) => async (req) => {
    const fault = faults.take(`rpc:${req.service.typeName}/${req.method.name}`);
    if (fault?.kind === "code") throw new ConnectError(fault.message, fault.code);
    if (fault?.kind === "hang") {
      await new Promise((_resolve, reject) => {
        const abort = (): void => reject(new ConnectError("hung call released", Code.Canceled));
        if (req.signal.aborted) abort();
        else req.signal.addEventListener("abort", abort, { once: true });
      });
    }
    return next(req);
  };
}

/** Answers as E2B's edge does for a sandbox that is not running (SDK: TimeoutError / SandboxNotFoundError). */
function sandboxNotFound(res: ServerResponse, sandboxId: string): void {
  sendJson(res, 502, { sandboxId, message: "The sandbox was not found", code: 502 });
}

/** Applies an armed HTTP fault; true when the request was taken over. */
function httpFault(deps: EnvdDeps, call: HttpCall, res: ServerResponse): boolean {
  const fault = deps.faults.take(`http:${call}`);
  if (fault === undefined) return false;
  if (fault.kind === "hang") deps.hanging.hold(res);
  else sendError(res, fault.kind === "status" ? fault.status : 500, fault.message);
  return true;
}

/** Creates the request handler for the sandbox URL (envd of every sandbox, told apart by `E2b-Sandbox-Id`). */
export function createEnvdRouter(
  deps: EnvdDeps,
): (req: IncomingMessage, res: ServerResponse) => void {
  const routed = new WeakMap<
    object,
    { readonly sandbox: Sandbox; readonly req: IncomingMessage }
  >();
  const rpc = connectNodeAdapter({
    routes: (router) => {
      router.service(Process, processService());
      router.service(Filesystem, filesystemService());
    },
    grpc: false,
    grpcWeb: false,
    shutdownSignal: deps.shutdownSignal,
    interceptors: [faultInterceptor(deps.faults)],
    contextValues: (req) => {
      const route = routed.get(req);
      return createContextValues().set(kSandbox, route?.sandbox).set(kNodeRequest, route?.req);
    },
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://envd");
    const sandboxId = req.headers["e2b-sandbox-id"];
    if (typeof sandboxId !== "string" || sandboxId === "") {
      sendError(res, 400, "missing E2b-Sandbox-Id header");
      return;
    }
    const sandbox = deps.registry.get(sandboxId);
    if (sandbox === undefined || !sandbox.isAlive) {
      sandboxNotFound(res, sandboxId);
      return;
    }
    const port = req.headers["e2b-sandbox-port"];
    if (port !== undefined && port !== String(ENVD_PORT)) {
      sendJson(res, 502, {
        sandboxId,
        port: Number(port),
        message: "The sandbox is running but port is not open",
        code: 502,
      });
      return;
    }
    const call = `${req.method ?? ""} ${url.pathname}`;
    if (call === "GET /health") {
      if (!httpFault(deps, call, res)) res.writeHead(204).end();
      return;
    }
    if (call === "GET /files" || call === "POST /files") {
      if (!httpFault(deps, call, res)) await handleFiles(sandbox, req, res, url.searchParams);
      return;
    }
    if (req.headers["x-access-token"] !== sandbox.accessToken) {
      sendError(
        res,
        401,
        "unauthorized access, please provide a valid access token or method signing if supported",
      );
      return;
    }
    const user = basicUser(req.headers.authorization);
    if (user !== undefined && !KNOWN_USERS.has(user)) {
      sendJson(res, 401, { code: "unauthenticated", message: `invalid username: '${user}'` });
      return;
    }
    routed.set(req, { sandbox, req });
    rpc(req, res);
  }

  return (req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) res.destroy();
      else sendError(res, 500, err instanceof Error ? err.message : String(err));
    });
  };
}

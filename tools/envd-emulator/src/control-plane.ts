// E2B's control-plane REST API (the part the SDK's Sandbox class calls): create, connect, list, info, timeout, kill.
import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import type { ApiRoute, FaultTable } from "./faults.js";
import { sendError, sendJson, readJson, type HangingRequests } from "./http-util.js";
import type { Sandbox } from "./sandbox.js";
import type { SandboxRegistry } from "./sandbox-registry.js";

/** What the control plane needs from the emulator. */
export interface ControlPlaneDeps {
  readonly registry: SandboxRegistry;
  readonly faults: FaultTable;
  readonly hanging: HangingRequests;
  readonly apiKey: string;
  readonly envdVersion: string;
  /** Template ids (or aliases) sandboxes may be created from; any other is refused, as E2B does. */
  readonly templates: ReadonlySet<string>;
}

// E2B's default lifetime when create/connect omit `timeout` (seconds).
const DEFAULT_TIMEOUT_SECONDS = 300;
const MAX_PAGE = 100;
// Deprecated in the API but still required in responses.
const CLIENT_ID = "6532622b";

const Seconds = z.number().int().min(0);
const NewSandbox = z.object({
  templateID: z.string().min(1),
  timeout: Seconds.optional(),
  metadata: z.record(z.string(), z.string()).optional(),
  envVars: z.record(z.string(), z.string()).optional(),
  autoPause: z.boolean().optional(),
});
const ConnectBody = z
  .object({ timeout: Seconds.optional(), memory: z.boolean().optional() })
  .optional();
const TimeoutBody = z.object({ timeout: Seconds });

interface Route {
  readonly method: string;
  readonly pattern: RegExp;
  readonly name: ApiRoute;
}

const ROUTES: readonly Route[] = [
  { method: "POST", pattern: /^\/v2\/sandboxes$/, name: "create" },
  { method: "GET", pattern: /^\/v2\/sandboxes$/, name: "list" },
  { method: "POST", pattern: /^\/v2\/sandboxes\/([^/]+)\/connect$/, name: "connect" },
  { method: "GET", pattern: /^\/sandboxes\/([^/]+)$/, name: "getInfo" },
  { method: "DELETE", pattern: /^\/sandboxes\/([^/]+)$/, name: "kill" },
  { method: "POST", pattern: /^\/sandboxes\/([^/]+)\/timeout$/, name: "setTimeout" },
];

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success)
    throw new HttpError(400, `Error when parsing request: ${z.prettifyError(result.error)}`);
  return result.data;
}

async function body(req: IncomingMessage): Promise<unknown> {
  try {
    return await readJson(req);
  } catch {
    throw new HttpError(400, "Error when parsing request: invalid JSON");
  }
}

function sandboxBody(sandbox: Sandbox, envdVersion: string): Record<string, unknown> {
  return {
    alias: sandbox.templateId,
    clientID: CLIENT_ID,
    domain: null,
    envdAccessToken: sandbox.accessToken,
    envdVersion,
    sandboxID: sandbox.id,
    templateID: sandbox.templateId,
    trafficAccessToken: null,
  };
}

function listedBody(sandbox: Sandbox, envdVersion: string): Record<string, unknown> {
  return {
    alias: sandbox.templateId,
    clientID: CLIENT_ID,
    cpuCount: 2,
    diskSizeMB: 10240,
    endAt: sandbox.endAt.toISOString(),
    envdVersion,
    memoryMB: 512,
    metadata: sandbox.metadata,
    sandboxID: sandbox.id,
    startedAt: sandbox.startedAt.toISOString(),
    state: "running",
    templateID: sandbox.templateId,
    volumeMounts: [],
  };
}

/** Parses the list endpoint's `metadata` filter: a query string whose keys and values are URL-encoded once more. */
function metadataFilter(raw: string | null): Map<string, string> {
  const filter = new Map<string, string>();
  if (raw === null || raw === "") return filter;
  try {
    for (const [key, value] of new URLSearchParams(raw))
      filter.set(decodeURIComponent(key), decodeURIComponent(value));
  } catch {
    throw new HttpError(400, "Invalid metadata query");
  }
  return filter;
}

interface Cursor {
  readonly time: number;
  readonly id: string;
}

function encodeCursor(sandbox: Sandbox): string {
  return Buffer.from(`${sandbox.startedAt.getTime()}_${sandbox.id}`).toString("base64url");
}

function decodeCursor(token: string): Cursor {
  const match = /^(\d+)_([a-z0-9]+)$/.exec(Buffer.from(token, "base64url").toString("utf8"));
  if (match?.[1] === undefined || match[2] === undefined)
    throw new HttpError(400, "Invalid next token");
  return { time: Number(match[1]), id: match[2] };
}

function list(
  registry: SandboxRegistry,
  query: URLSearchParams,
  envdVersion: string,
  res: ServerResponse,
): void {
  const limitRaw = query.get("limit");
  const limit = limitRaw === null ? MAX_PAGE : Number(limitRaw);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE)
    throw new HttpError(400, `limit must be between 1 and ${MAX_PAGE}`);
  const states = query.get("state")?.split(",").filter(Boolean) ?? [];
  if (states.some((state) => state !== "running" && state !== "paused"))
    throw new HttpError(400, "Invalid state");
  const order = query.get("order") ?? "desc";
  if (order !== "asc" && order !== "desc") throw new HttpError(400, "order must be asc or desc");
  const startedAfterRaw = query.get("startedAfter");
  const startedAfter = startedAfterRaw === null ? undefined : Date.parse(startedAfterRaw);
  if (Number.isNaN(startedAfter)) throw new HttpError(400, "Invalid startedAfter");
  const metadata = metadataFilter(query.get("metadata"));
  const template = query.get("template");
  const tokenRaw = query.get("nextToken");
  const cursor = tokenRaw === null || tokenRaw === "" ? undefined : decodeCursor(tokenRaw);

  const sign = order === "asc" ? 1 : -1;
  const compare = (a: Cursor, b: Cursor): number =>
    sign * (a.time - b.time || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const key = (sandbox: Sandbox): Cursor => ({ time: sandbox.startedAt.getTime(), id: sandbox.id });
  const includeRunning = states.length === 0 || states.includes("running");
  const matching = (includeRunning ? registry.all() : [])
    .filter((sandbox) => template === null || template === "" || sandbox.templateId === template)
    .filter((sandbox) => startedAfter === undefined || sandbox.startedAt.getTime() >= startedAfter)
    .filter((sandbox) => [...metadata].every(([k, v]) => sandbox.metadata[k] === v))
    .sort((a, b) => compare(key(a), key(b)));
  const rest =
    cursor === undefined
      ? matching
      : matching.filter((sandbox) => compare(key(sandbox), cursor) > 0);
  const page = rest.slice(0, limit);
  const last = page.at(-1);
  const headers: Record<string, string> = { "X-Total-Running": String(matching.length) };
  if (rest.length > limit && last !== undefined) headers["X-Next-Token"] = encodeCursor(last);
  sendJson(
    res,
    200,
    page.map((sandbox) => listedBody(sandbox, envdVersion)),
    headers,
  );
}

function timeoutSeconds(registry: SandboxRegistry, seconds: number | undefined): number {
  const value = seconds ?? DEFAULT_TIMEOUT_SECONDS;
  if (value > registry.maxTimeoutSeconds) {
    throw new HttpError(
      400,
      `Timeout cannot be greater than ${registry.maxTimeoutSeconds / 3600} hours`,
    );
  }
  return value;
}

function found(registry: SandboxRegistry, id: string): Sandbox {
  const sandbox = registry.get(id);
  if (sandbox === undefined) throw new HttpError(404, `sandbox "${id}" not found`);
  return sandbox;
}

async function dispatch(
  deps: ControlPlaneDeps,
  route: ApiRoute,
  id: string,
  req: IncomingMessage,
  url: URL,
  res: ServerResponse,
): Promise<void> {
  const { registry, envdVersion } = deps;
  switch (route) {
    case "create": {
      const input = parse(NewSandbox, await body(req));
      if (!deps.templates.has(input.templateID))
        throw new HttpError(404, `template '${input.templateID}' not found`);
      if (input.autoPause === true)
        throw new HttpError(501, "emulator: pausing sandboxes is not emulated");
      const sandbox = await registry.create({
        templateId: input.templateID,
        timeoutSeconds: timeoutSeconds(registry, input.timeout),
        metadata: input.metadata ?? {},
        envVars: input.envVars ?? {},
      });
      sendJson(res, 201, sandboxBody(sandbox, envdVersion));
      return;
    }
    case "list":
      list(registry, url.searchParams, envdVersion, res);
      return;
    case "connect": {
      const input = parse(ConnectBody, await body(req));
      const seconds = timeoutSeconds(registry, input?.timeout);
      const sandbox = found(registry, id);
      registry.extendTimeout(sandbox, seconds);
      sendJson(res, 200, sandboxBody(sandbox, envdVersion));
      return;
    }
    case "getInfo": {
      const sandbox = found(registry, id);
      sendJson(res, 200, {
        ...listedBody(sandbox, envdVersion),
        domain: null,
        envdAccessToken: sandbox.accessToken,
      });
      return;
    }
    case "setTimeout": {
      const input = parse(TimeoutBody, await body(req));
      const seconds = timeoutSeconds(registry, input.timeout);
      registry.setTimeout(found(registry, id), seconds);
      res.writeHead(204).end();
      return;
    }
    case "kill":
      if (!(await registry.kill(id))) throw new HttpError(404, `sandbox "${id}" not found`);
      res.writeHead(204).end();
      return;
  }
}

/** Creates the control plane's request handler. Requests need `X-API-Key`, or get 401. */
export function createControlPlane(
  deps: ControlPlaneDeps,
): (req: IncomingMessage, res: ServerResponse) => void {
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://control-plane");
    if (req.method === "GET" && url.pathname === "/health") {
      res.writeHead(200, { "Content-Type": "text/plain" }).end("Health check successful");
      return;
    }
    const route = ROUTES.find((r) => r.method === req.method && r.pattern.test(url.pathname));
    if (route === undefined) {
      const known = /^\/(v\d\/)?sandboxes(\/|$)/.test(url.pathname);
      sendError(
        res,
        known ? 501 : 404,
        known ? `emulator: ${req.method} ${url.pathname} is not emulated` : "Not found",
      );
      return;
    }
    const fault = deps.faults.take(`api:${route.name}`);
    if (fault?.kind === "hang") {
      deps.hanging.hold(res);
      return;
    }
    if (fault?.kind === "status") {
      const headers: Record<string, string> =
        fault.retryAfterSeconds === undefined
          ? {}
          : { "Retry-After": String(fault.retryAfterSeconds) };
      sendError(res, fault.status, fault.message, headers);
      return;
    }
    if (req.headers["x-api-key"] !== deps.apiKey) {
      sendError(res, 401, "Invalid API key, please check that your E2B API key is valid");
      return;
    }
    const id = decodeURIComponent(route.pattern.exec(url.pathname)?.[1] ?? "");
    await dispatch(deps, route.name, id, req, url, res);
  }

  return (req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (err instanceof HttpError) sendError(res, err.status, err.message);
      else sendError(res, 500, err instanceof Error ? err.message : String(err));
    });
  };
}

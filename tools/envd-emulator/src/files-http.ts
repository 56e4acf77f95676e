// envd's plain HTTP file endpoints: GET /files (download) and POST /files (multipart or octet-stream upload).
import { createHash, timingSafeEqual } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, realpath, stat, writeFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip, createGzip } from "node:zlib";
import { KNOWN_USERS } from "./envd-context.js";
import { readBody, sendError, sendJson } from "./http-util.js";
import type { Sandbox } from "./sandbox.js";

class FilesError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * envd's rule for /files: a matching `X-Access-Token` header, or else a valid
 * `signature` (v1_ + base64 sha256 of `path:operation:user:token[:expiration]`).
 */
function authorize(
  sandbox: Sandbox,
  req: IncomingMessage,
  query: URLSearchParams,
  operation: "read" | "write",
): void {
  const header = req.headers["x-access-token"];
  if (typeof header === "string" && header !== "") {
    if (!equal(header, sandbox.accessToken))
      throw new FilesError(401, "access token present in header but does not match");
    return;
  }
  const signature = query.get("signature");
  if (signature === null) throw new FilesError(401, "missing signature query parameter");
  const expiration = query.get("signature_expiration");
  const fields = [
    query.get("path") ?? "",
    operation,
    query.get("username") ?? "",
    sandbox.accessToken,
  ];
  if (expiration !== null) fields.push(expiration);
  const expected = `v1_${createHash("sha256").update(fields.join(":")).digest("base64").replace(/=+$/, "")}`;
  if (!equal(signature, expected)) throw new FilesError(401, "invalid signature");
  if (expiration !== null && Number(expiration) < Date.now() / 1000)
    throw new FilesError(401, "signature is already expired");
}

function checkUser(query: URLSearchParams): void {
  const username = query.get("username");
  if (username !== null && !KNOWN_USERS.has(username))
    throw new FilesError(401, `error looking up user '${username}'`);
}

async function resolved(sandbox: Sandbox, sandboxPath: string): Promise<string> {
  const host = sandbox.paths.toHost(sandboxPath);
  return realpath(host).catch(() => host);
}

async function download(
  sandbox: Sandbox,
  req: IncomingMessage,
  res: ServerResponse,
  query: URLSearchParams,
): Promise<void> {
  const file = await resolved(sandbox, query.get("path") ?? "");
  const shown = sandbox.paths.toSandbox(file);
  const st = await stat(file).catch(() => undefined);
  if (st === undefined) throw new FilesError(404, `path '${shown}' does not exist`);
  if (st.isDirectory()) throw new FilesError(400, `path '${shown}' is a directory`);
  const gzip = /\bgzip\b/.test(req.headers["accept-encoding"] ?? "");
  res.writeHead(200, {
    "Content-Type": "application/octet-stream",
    "Last-Modified": st.mtime.toUTCString(),
    Vary: "Accept-Encoding",
    ...(gzip ? { "Content-Encoding": "gzip" } : { "Content-Length": String(st.size) }),
  });
  const source = createReadStream(file);
  await (gzip ? pipeline(source, createGzip(), res) : pipeline(source, res));
}

interface Written {
  readonly name: string;
  readonly type: "file";
  readonly path: string;
}

async function prepare(sandbox: Sandbox, sandboxPath: string): Promise<string> {
  const file = await resolved(sandbox, sandboxPath);
  await mkdir(path.dirname(file), { recursive: true });
  const existing = await stat(file).catch(() => undefined);
  if (existing?.isDirectory())
    throw new FilesError(400, `path is a directory: ${sandbox.paths.toSandbox(file)}`);
  return file;
}

function written(sandbox: Sandbox, file: string): Written {
  return { name: path.basename(file), type: "file", path: sandbox.paths.toSandbox(file) };
}

async function upload(
  sandbox: Sandbox,
  req: IncomingMessage,
  res: ServerResponse,
  query: URLSearchParams,
): Promise<void> {
  const body: Readable =
    req.headers["content-encoding"] === "gzip" ? req.pipe(createGunzip()) : req;
  const contentType = req.headers["content-type"] ?? "";
  const mediaType = contentType.split(";")[0]?.trim().toLowerCase() ?? "";
  const queryPath = query.get("path");
  if (mediaType === "application/octet-stream") {
    if (queryPath === null)
      throw new FilesError(400, "path query parameter is required for raw body upload");
    const file = await prepare(sandbox, queryPath);
    await pipeline(body, createWriteStream(file));
    sendJson(res, 200, [written(sandbox, file)]);
    return;
  }
  if (!mediaType.startsWith("multipart/")) {
    throw new FilesError(
      400,
      `unsupported content type: ${contentType}, expected multipart/form-data or application/octet-stream`,
    );
  }
  const form = await new Request("http://envd/files", {
    method: "POST",
    headers: { "content-type": contentType },
    body: await readBody(body),
  })
    .formData()
    .catch((err: unknown) => {
      throw new FilesError(500, `error parsing multipart form: ${String(err)}`);
    });
  const results: Written[] = [];
  for (const [field, value] of form.entries()) {
    if (field !== "file" || typeof value === "string") continue;
    const file = await prepare(sandbox, queryPath ?? value.name);
    const entry = written(sandbox, file);
    if (results.some((r) => r.path === entry.path)) {
      throw new FilesError(
        400,
        `you cannot upload multiple files to the same path '${entry.path}' in one upload request`,
      );
    }
    await writeFile(file, Buffer.from(await value.arrayBuffer()));
    results.push(entry);
  }
  sendJson(res, 200, results);
}

/** Serves `GET /files` and `POST /files` for one sandbox. */
export async function handleFiles(
  sandbox: Sandbox,
  req: IncomingMessage,
  res: ServerResponse,
  query: URLSearchParams,
): Promise<void> {
  try {
    const operation = req.method === "POST" ? "write" : "read";
    authorize(sandbox, req, query, operation);
    checkUser(query);
    if (operation === "read") await download(sandbox, req, res, query);
    else await upload(sandbox, req, res, query);
  } catch (err) {
    if (res.headersSent) res.destroy();
    else if (err instanceof FilesError) sendError(res, err.status, err.message);
    else sendError(res, 500, err instanceof Error ? err.message : String(err));
  }
}

// Small helpers for the plain HTTP parts: JSON answers, request bodies, hanging requests.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Readable } from "node:stream";

/** Sends a JSON body with the given status. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** Sends E2B's error body `{ code, message }`. */
export function sendError(
  res: ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, { code: status, message }, headers);
}

/** Reads a whole request body (or any byte stream). */
export async function readBody(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body)
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks);
}

/** Parses a JSON request body; an empty body is `undefined`. @throws SyntaxError on bad JSON */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const body = await readBody(req);
  return body.length === 0 ? undefined : (JSON.parse(body.toString("utf8")) as unknown);
}

/** Requests deliberately left unanswered; released (connection destroyed) on close. */
export class HangingRequests {
  private readonly open = new Set<ServerResponse>();

  /** Never answers `res`. */
  hold(res: ServerResponse): void {
    this.open.add(res);
    res.on("close", () => this.open.delete(res));
  }

  /** Drops every held request's connection. */
  releaseAll(): void {
    for (const res of this.open) res.destroy();
    this.open.clear();
  }
}

// Plain HTTP: /health, and the built web app with a strict Content-Security-Policy.
import { createReadStream, existsSync, statSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, normalize, resolve, sep } from "node:path";
import type { Health } from "@porthole/protocol";

/** The page may load only its own scripts and styles and talk only to its own server. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  // xterm.js adds <style> elements for its theme and cell sizes.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const SECURITY_HEADERS = {
  "Content-Security-Policy": CONTENT_SECURITY_POLICY,
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "Cross-Origin-Opener-Policy": "same-origin",
};

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".woff2": "font/woff2",
  ".map": "application/json",
};

/** Builds the request handler for everything but WebSocket upgrades. */
export function httpHandler(options: {
  health: () => Health;
  webDist: string | null;
  /** Whether the request names a host this server answers to (see host-check.ts). */
  knownHost?: (req: IncomingMessage) => boolean;
}) {
  const root = options.webDist ? resolve(options.webDist) : null;
  return (req: IncomingMessage, res: ServerResponse): void => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    // Health probes come by IP address or a name the operator listed: both are answered.
    if (options.knownHost && !options.knownHost(req)) {
      res.writeHead(403, { "Content-Type": "text/plain; charset=utf-8", ...SECURITY_HEADERS });
      res.end(
        "This server does not answer to that host name. Its operator can add it to ALLOWED_HOSTS.\n",
      );
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { Allow: "GET, HEAD" }).end();
      return;
    }
    if (path === "/trpc") {
      // The API is a WebSocket: a plain request gets the app's page no more than any other.
      res.writeHead(426, {
        "Content-Type": "text/plain; charset=utf-8",
        Upgrade: "websocket",
        ...SECURITY_HEADERS,
      });
      res.end("/trpc is Porthole's WebSocket endpoint: connect with a WebSocket (tRPC) client.\n");
      return;
    }
    if (path === "/health") {
      const health = options.health();
      res.writeHead(health.status === "ok" ? 200 : 503, {
        "Content-Type": "application/json",
        "Cache-Control": "no-store",
      });
      res.end(JSON.stringify(health));
      return;
    }
    if (!root) {
      res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8", ...SECURITY_HEADERS });
      res.end("The web app is not built: run `pnpm build` (or start it with `pnpm dev`).\n");
      return;
    }
    serveFile(root, path, req, res);
  };
}

function serveFile(root: string, path: string, req: IncomingMessage, res: ServerResponse): void {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    res
      .writeHead(400, { "Content-Type": "text/plain; charset=utf-8", ...SECURITY_HEADERS })
      .end("Bad path\n");
    return;
  }
  const wanted = normalize(join(root, decoded));
  let file =
    wanted.startsWith(root + sep) && existsSync(wanted) && statSync(wanted).isFile()
      ? wanted
      : null;
  // Unknown paths get the app (it has one page); files outside the root never.
  if (!file && !extname(path)) file = join(root, "index.html");
  if (!file || !existsSync(file)) {
    res
      .writeHead(404, { "Content-Type": "text/plain; charset=utf-8", ...SECURITY_HEADERS })
      .end("Not found\n");
    return;
  }
  const immutable = file.includes(`${sep}assets${sep}`);
  res.writeHead(200, {
    "Content-Type": TYPES[extname(file)] ?? "application/octet-stream",
    "Cache-Control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
    ...SECURITY_HEADERS,
  });
  if (req.method === "HEAD") {
    res.end();
    return;
  }
  createReadStream(file).pipe(res);
}

// Proves the page is served with a strict Content-Security-Policy and other hardening headers, and static serving never leaves WEB_DIST.
import { mkdirSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  cleanupAll,
  scratchDir,
  startCapturedServer,
  waitFor,
  type CapturedServer,
} from "./faults-harness.js";

afterEach(cleanupAll);

/** A tiny built web app in a temp dir, so the test does not depend on apps/web/dist. */
function webDist(): string {
  const dir = join(scratchDir(), "web-dist");
  mkdirSync(join(dir, "assets"), { recursive: true });
  writeFileSync(
    join(dir, "index.html"),
    "<!doctype html><title>Porthole</title><script type=module src=/assets/app.js></script>",
  );
  writeFileSync(join(dir, "assets", "app.js"), "console.log('porthole');");
  writeFileSync(join(scratchDir(), "outside.txt"), "OUTSIDE-WEB-DIST");
  return dir;
}

/** A raw GET with the path exactly as given (fetch would normalise `..`). */
function get(server: CapturedServer, path: string, headers: Record<string, string> = {}) {
  return new Promise<{
    status: number;
    headers: Record<string, string | string[] | undefined>;
    body: string;
  }>((resolve, reject) => {
    const options = { host: "127.0.0.1", port: server.port, path, method: "GET", headers };
    const req = request(options, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** The policy as directive -> sources. */
function parsePolicy(header: string): Map<string, string[]> {
  return new Map(
    header
      .split(";")
      .map((part) => part.trim().split(/\s+/))
      .filter((tokens) => tokens[0])
      .map((tokens) => [tokens[0]!, tokens.slice(1)]),
  );
}

describe("the page", () => {
  it("is served with a strict Content-Security-Policy", async () => {
    const server = await startCapturedServer({ WEB_DIST: webDist() });
    const page = await get(server, "/");
    expect(page.status).toBe(200);
    expect(page.body).toContain("<title>Porthole</title>");
    const policy = parsePolicy(String(page.headers["content-security-policy"]));
    expect(policy.get("default-src")).toEqual(["'self'"]);
    // Scripts: our own files only; no inline script, no eval, no other host.
    expect(policy.get("script-src")).toEqual(["'self'"]);
    expect(policy.get("object-src")).toEqual(["'none'"]);
    expect(policy.get("base-uri")).toEqual(["'none'"]);
    expect(policy.get("form-action")).toEqual(["'none'"]);
    expect(policy.get("frame-ancestors")).toEqual(["'none'"]);
    // The page talks to its own server only (same-origin ws: is 'self' in CSP 3).
    expect(policy.get("connect-src")).toEqual(["'self'"]);
    for (const [directive, sources] of policy) {
      expect(sources, directive).not.toContain("'unsafe-eval'");
      expect(sources, directive).not.toContain("*");
      expect(
        sources.filter(
          (s) =>
            /^(https?:|wss?:|data:|blob:)$/.test(s) &&
            directive !== "img-src" &&
            directive !== "font-src",
        ),
        directive,
      ).toEqual([]);
    }
    // The one relaxation: xterm.js injects <style> elements.
    expect(policy.get("style-src")).toEqual(["'self'", "'unsafe-inline'"]);
    expect(page.headers).toMatchObject({
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
      "cross-origin-opener-policy": "same-origin",
    });
  });

  it("sends the same headers with scripts, app routes and not-found answers", async () => {
    const server = await startCapturedServer({ WEB_DIST: webDist() });
    const csp = String((await get(server, "/")).headers["content-security-policy"]);
    for (const path of ["/assets/app.js", "/sessions/abc", "/missing.png"]) {
      const response = await get(server, path);
      expect(response.headers["content-security-policy"], path).toBe(csp);
      expect(response.headers["x-content-type-options"], path).toBe("nosniff");
    }
    expect((await get(server, "/missing.png")).status).toBe(404);
  });

  it("answers no page, and no health, to a host name it does not know (DNS rebinding)", async () => {
    const server = await startCapturedServer({ WEB_DIST: webDist() });
    for (const path of ["/", "/health", "/assets/app.js"]) {
      const refused = await get(server, path, { Host: `evil.example:${server.port}` });
      expect(refused.status, path).toBe(403);
      expect(refused.body).toContain("ALLOWED_HOSTS");
      expect(refused.headers["x-content-type-options"]).toBe("nosniff");
      expect((await get(server, path, { Host: `localhost:${server.port}` })).status, path).toBe(
        200,
      );
    }
    // The log says so, naming the host.
    await waitFor(
      () => server.logs.some((line) => line.msg.includes("ALLOWED_HOSTS")),
      2000,
      "the refusal to be logged",
    );
  });

  it("never serves a file outside WEB_DIST", async () => {
    const server = await startCapturedServer({ WEB_DIST: webDist() });
    for (const path of [
      "/../outside.txt",
      "/%2e%2e/outside.txt",
      "/..%2foutside.txt",
      "/assets/..%2f..%2foutside.txt",
      "/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
      "/..%5coutside.txt",
      "/%00",
      "/%E0%A4%A",
      "//etc/passwd",
    ]) {
      const response = await get(server, path);
      expect(response.body, path).not.toContain("OUTSIDE-WEB-DIST");
      expect(response.body, path).not.toMatch(/root:.*:0:0:/);
      expect([200, 400, 404], path).toContain(response.status);
    }
  });

  it("answers only GET and HEAD, and a plain request to /trpc with 426 Upgrade Required", async () => {
    const server = await startCapturedServer();
    const posted = await fetch(`${server.url}/health`, { method: "POST" });
    expect(posted.status).toBe(405);
    expect(posted.headers.get("allow")).toBe("GET, HEAD");
    const plain = await fetch(`${server.url}/trpc`);
    expect(plain.status).toBe(426);
    expect(await plain.text()).toContain("WebSocket endpoint");
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });

  it("says the app is not built, with the same headers, when there is no WEB_DIST", async () => {
    const server = await startCapturedServer();
    const response = await get(server, "/");
    expect(response.status).toBe(404);
    expect(response.headers["content-security-policy"]).toBeTruthy();
  });
});

describe("upgrade requests that are refused", () => {
  it("survive a client that resets the connection right after asking", async () => {
    const { connect: tcp } = await import("node:net");
    const server = await startCapturedServer();
    for (const path of ["/elsewhere", "/trpc"]) {
      await new Promise<void>((resolve) => {
        const socket = tcp(server.port, "127.0.0.1", () => {
          socket.write(
            `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: https://evil.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${"a".repeat(22)}==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
          );
          socket.resetAndDestroy();
          resolve();
        });
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await fetch(`${server.url}/health`)).ok).toBe(true);
  });
});

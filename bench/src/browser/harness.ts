// Serves the bench page (with xterm.js and the tRPC client from node_modules) and drives Chromium.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { Readable, Writable } from "node:stream";
import { FLOW_ACK_BYTES } from "@porthole/protocol";
import { CpuPlacement } from "../cpu-placement.js";
import { BENCH_TOKEN, startServerProcess, type ServerProcess } from "../server.js";
import { COLS, MARKER, PROMPT, ROWS } from "../shell.js";
import type { PageSettings } from "./page.js";

/** Where Chromium is (PORTHOLE_CHROMIUM overrides). */
export const CHROMIUM = process.env.PORTHOLE_CHROMIUM ?? "/usr/bin/chromium";

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--window-size=1280,900",
];

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));

/** A package's directory: resolvable from here, or found in pnpm's store (xterm is the web app's). */
function packageDir(name: string): string {
  try {
    return dirname(require.resolve(`${name}/package.json`));
  } catch {
    let dir = here;
    while (dir !== dirname(dir)) {
      const store = join(dir, "node_modules", ".pnpm");
      if (existsSync(store)) {
        const prefix = `${name.replace("/", "+")}@`;
        const entry = readdirSync(store).find((e) => e.startsWith(prefix));
        if (entry) return join(store, entry, "node_modules", name);
      }
      dir = dirname(dir);
    }
    throw new Error(`cannot find ${name}`);
  }
}

/** URL prefix -> directory for everything the page loads. */
function mounts(): Map<string, string> {
  return new Map([
    ["/page/", here],
    ["/m/@trpc/client/", packageDir("@trpc/client")],
    ["/m/@trpc/server/", packageDir("@trpc/server")],
    ["/m/@xterm/xterm/", packageDir("@xterm/xterm")],
    ["/m/@porthole/protocol/", packageDir("@porthole/protocol")],
  ]);
}

/** The import map: each package export's ESM entry, so the page's bare imports resolve. */
function importMap(): Record<string, string> {
  const map: Record<string, string> = {
    "@xterm/xterm": "/m/@xterm/xterm/lib/xterm.mjs",
    "@porthole/protocol/wire": "/m/@porthole/protocol/dist/wire.js",
    "@porthole/protocol/frame-pacer": "/m/@porthole/protocol/dist/frame-pacer.js",
  };
  for (const name of ["@trpc/client", "@trpc/server"]) {
    const manifest = JSON.parse(readFileSync(join(packageDir(name), "package.json"), "utf8")) as {
      exports: Record<string, { import?: { default?: string } } | string>;
    };
    for (const [key, value] of Object.entries(manifest.exports)) {
      const target = typeof value === "string" ? null : value.import?.default;
      if (!target) continue;
      map[key === "." ? name : `${name}/${key.slice(2)}`] = `/m/${name}/${target.slice(2)}`;
    }
  }
  return map;
}

function pageHtml(): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>bench</title>
<link rel="stylesheet" href="/m/@xterm/xterm/css/xterm.css">
<script type="importmap">${JSON.stringify({ imports: importMap() })}</script>
<script type="module" src="/page/page.js"></script></head><body></body></html>`;
}

const TYPES: Record<string, string> = {
  ".js": "text/javascript",
  ".mjs": "text/javascript",
  ".css": "text/css",
  ".map": "application/json",
};

async function servePage(): Promise<{ server: Server; origin: string }> {
  const table = mounts();
  const html = pageHtml();
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (path === "/") {
      res.writeHead(200, { "Content-Type": "text/html" }).end(html);
      return;
    }
    for (const [prefix, dir] of table) {
      if (!path.startsWith(prefix)) continue;
      const file = normalize(join(dir, path.slice(prefix.length)));
      if (!file.startsWith(resolve(dir) + sep) || !existsSync(file)) break;
      res.writeHead(200, { "Content-Type": TYPES[extname(file)] ?? "application/octet-stream" });
      res.end(readFileSync(file));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", () => ok()));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return { server, origin: `http://127.0.0.1:${port}` };
}

/** The part of a page the scenarios use: Playwright's `evaluate(fn, arg)`. */
export interface BenchPageHandle {
  evaluate<R, A = undefined>(fn: (arg: A) => R | Promise<R>, arg?: A): Promise<R>;
}

/** A Chromium page connected to a Porthole server, with `window.bench` ready. */
export interface BenchBrowser {
  page: BenchPageHandle;
  /** Chromium's main process (its renderers and helpers are its descendants). */
  pid: number;
  close(): Promise<void>;
}

/** What `withBenchPage` hands its scenario: the page, and where browser and server run. */
export interface BenchSetup extends BenchBrowser {
  /** Starts separated (see CpuPlacement); add any other server the scenario starts. */
  cpus: CpuPlacement;
}

interface CdpMessage {
  id?: number;
  method?: string;
  params?: { exceptionDetails?: { exception?: { description?: string }; text?: string } };
  result?: unknown;
  error?: { message: string };
}

/**
 * The DevTools protocol over Chromium's --remote-debugging-pipe (NUL-separated JSON), with only
 * Runtime and Target in use. Not Playwright: it enables the Network domain on every page, and
 * Chromium then copies each WebSocket frame to the driver, which on a 2-core machine costs the
 * Porthole side of `render` ~0.15-0.2x of its ratio (the baseline sends no frames).
 */
class CdpPipe {
  readonly #out: Writable;
  readonly #pending = new Map<number, { resolve(r: unknown): void; reject(e: Error): void }>();
  #nextId = 1;
  #buffer = "";
  /** Uncaught page exceptions (for a page that does not load). */
  readonly errors: string[] = [];

  constructor(out: Writable, input: Readable) {
    this.#out = out;
    // When Chromium goes away, calls still waiting fail instead of hanging the run.
    input.on("close", () => {
      for (const call of this.#pending.values()) call.reject(new Error("Chromium exited"));
      this.#pending.clear();
    });
    out.on("error", () => {});
    input.setEncoding("utf8");
    input.on("data", (chunk: string) => {
      this.#buffer += chunk;
      for (let end = this.#buffer.indexOf("\0"); end >= 0; end = this.#buffer.indexOf("\0")) {
        this.#receive(JSON.parse(this.#buffer.slice(0, end)) as CdpMessage);
        this.#buffer = this.#buffer.slice(end + 1);
      }
    });
  }

  #receive(message: CdpMessage): void {
    if (message.method === "Runtime.exceptionThrown") {
      const details = message.params?.exceptionDetails;
      this.errors.push(details?.exception?.description ?? details?.text ?? "unknown error");
    }
    const call = message.id === undefined ? undefined : this.#pending.get(message.id);
    if (!call || message.id === undefined) return;
    this.#pending.delete(message.id);
    if (message.error) call.reject(new Error(message.error.message));
    else call.resolve(message.result);
  }

  send<T>(method: string, params: object = {}, sessionId?: string): Promise<T> {
    const id = this.#nextId++;
    this.#out.write(`${JSON.stringify({ id, method, params, sessionId })}\0`);
    return new Promise<T>((resolve, reject) =>
      this.#pending.set(id, { resolve: (r) => resolve(r as T), reject }),
    );
  }
}

/** Evaluates `expression` in the page, awaiting a promise; its value must be JSON. */
async function evaluateIn<R>(cdp: CdpPipe, sessionId: string, expression: string): Promise<R> {
  const { result, exceptionDetails } = await cdp.send<{
    result: { value?: R };
    exceptionDetails?: { exception?: { description?: string }; text: string };
  }>("Runtime.evaluate", { expression, awaitPromise: true, returnByValue: true }, sessionId);
  if (exceptionDetails) {
    throw new Error(exceptionDetails.exception?.description ?? exceptionDetails.text);
  }
  return result.value as R;
}

/** The origin the page is served from must be allowed by the server: pass it as FRONTEND_URL. */
export async function startPageServer(): Promise<{ origin: string; close(): Promise<void> }> {
  const { server, origin } = await servePage();
  return {
    origin,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

/** Launches Chromium (fresh profile) on the bench page, connected to `server`. */
export async function openBenchPage(origin: string, server: ServerProcess): Promise<BenchBrowser> {
  const profile = mkdtempSync(join(tmpdir(), "porthole-bench-chromium-"));
  const chromium: ChildProcess = spawn(
    CHROMIUM,
    [...CHROMIUM_ARGS, "--remote-debugging-pipe", `--user-data-dir=${profile}`, `${origin}/`],
    { stdio: ["ignore", "ignore", "ignore", "pipe", "pipe"] },
  );
  const exited = new Promise<void>((ok) => chromium.once("exit", () => ok()));
  const cdp = new CdpPipe(chromium.stdio[3] as Writable, chromium.stdio[4] as Readable);
  const close = async () => {
    // Browser.close lets Chromium's helpers finish writing the profile before it is removed.
    await Promise.race([cdp.send("Browser.close"), exited]);
    const killer = setTimeout(() => chromium.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(killer);
    rmSync(profile, { recursive: true, force: true, maxRetries: 5 });
  };
  try {
    const deadline = Date.now() + 20_000;
    const pause = () => new Promise((ok) => setTimeout(ok, 50));
    let target: { targetId: string; type: string } | undefined;
    while (!target) {
      if (Date.now() > deadline) throw new Error("Chromium opened no page");
      const { targetInfos } = await cdp.send<{
        targetInfos: { targetId: string; type: string }[];
      }>("Target.getTargets");
      target = targetInfos.find((t) => t.type === "page");
      if (!target) await pause();
    }
    const { sessionId } = await cdp.send<{ sessionId: string }>("Target.attachToTarget", {
      targetId: target.targetId,
      flatten: true,
    });
    await cdp.send("Runtime.enable", {}, sessionId);
    const evaluate = <R>(expression: string) => evaluateIn<R>(cdp, sessionId, expression);
    while ((await evaluate<string>("document.title")) !== "bench page ready") {
      if (Date.now() > deadline) {
        throw new Error(`bench page did not load: ${cdp.errors.join("; ") || "no error reported"}`);
      }
      await pause();
    }
    const settings: PageSettings = {
      wsUrl: server.wsUrl,
      token: BENCH_TOKEN,
      cols: COLS,
      rows: ROWS,
      prompt: PROMPT,
      marker: MARKER,
      ackBytes: FLOW_ACK_BYTES,
    };
    await evaluate(`window.bench.init(${JSON.stringify(settings)})`);
    return {
      // Like Playwright's page.evaluate: the function's source, called with its JSON argument.
      page: {
        evaluate: (fn, arg) => evaluate(`(${fn.toString()})(${JSON.stringify(arg) ?? ""})`),
      },
      pid: chromium.pid!,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** True when Chromium is installed. */
export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM);
}

/**
 * Runs `use` with the bench page open in Chromium against a fresh Porthole server child, and
 * stops page, browser and server afterwards, however `use` ends. Browser and server start on
 * separate CPUs, as on separate machines in use: sharing a 2-CPU machine, the page's thread
 * waits for a core while the server works, which says nothing about either.
 */
export async function withBenchPage<T>(
  cpuProfDir: string | undefined,
  use: (setup: BenchSetup) => Promise<T>,
): Promise<T> {
  const pages = await startPageServer();
  const server = await startServerProcess({ cpuProfDir, env: { FRONTEND_URL: pages.origin } });
  let browser: BenchBrowser | null = null;
  try {
    browser = await openBenchPage(pages.origin, server);
    const cpus = new CpuPlacement();
    cpus.addBrowser(browser.pid);
    cpus.addServer(server.pid);
    cpus.separate();
    return await use({ ...browser, cpus });
  } finally {
    await browser?.close();
    await server.stop();
    await pages.close();
  }
}

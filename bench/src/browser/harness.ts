// Serves the bench page (with xterm.js and the tRPC client from node_modules) and drives Chromium.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { FLOW_ACK_BYTES } from "@porthole/protocol";
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
  ]);
}

/** The import map: each package export's ESM entry, so the page's bare imports resolve. */
function importMap(): Record<string, string> {
  const map: Record<string, string> = { "@xterm/xterm": "/m/@xterm/xterm/lib/xterm.mjs" };
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

/** A Chromium page connected to a Porthole server, with `window.bench` ready. */
export interface BenchBrowser {
  page: Page;
  close(): Promise<void>;
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
  let context: BrowserContext | null = null;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 900 },
    });
    const page = context.pages()[0] ?? (await context.newPage());
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(`${origin}/`);
    await page
      .waitForFunction(() => document.title === "bench page ready", undefined, { timeout: 20_000 })
      .catch(() => {
        throw new Error(`bench page did not load: ${errors.join("; ") || "no error reported"}`);
      });
    const settings: PageSettings = {
      wsUrl: server.wsUrl,
      token: BENCH_TOKEN,
      cols: COLS,
      rows: ROWS,
      prompt: PROMPT,
      marker: MARKER,
      ackBytes: FLOW_ACK_BYTES,
    };
    await page.evaluate(
      (s) =>
        (window as unknown as { bench: { init(s: PageSettings): Promise<void> } }).bench.init(s),
      settings,
    );
    const opened = context;
    return {
      page,
      close: async () => {
        await opened.close();
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await context?.close();
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
}

/** True when Chromium is installed. */
export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM);
}

/**
 * Runs `use` with the bench page open in Chromium against a fresh Porthole server child, and
 * stops page, browser and server afterwards, however `use` ends.
 */
export async function withBenchPage<T>(
  cpuProfDir: string | undefined,
  use: (browser: BenchBrowser) => Promise<T>,
): Promise<T> {
  const pages = await startPageServer();
  const server = await startServerProcess({ cpuProfDir, env: { FRONTEND_URL: pages.origin } });
  let browser: BenchBrowser | null = null;
  try {
    browser = await openBenchPage(pages.origin, server);
    return await use(browser);
  } finally {
    await browser?.close();
    await server.stop();
    await pages.close();
  }
}

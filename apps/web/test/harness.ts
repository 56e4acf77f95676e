// End-to-end harness: a real Porthole server (local provider, a plain bash) and Chromium driven by playwright-core.
import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, Socket, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  createLogger,
  createProvider,
  generateToken,
  loadConfig,
  startServer,
  type PortholeServer,
} from "@porthole/server";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach } from "vitest";
import type { PortholeTestHook } from "../src/test-hook.js";

/** The web package's directory. */
export const WEB_ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));
/** The built page the server serves (the test script builds it first). */
export const WEB_DIST = join(WEB_ROOT, "dist");
/** Screenshots for reviewers (gitignored). */
export const RESULTS_DIR = join(WEB_ROOT, "test-results");
/** Claude Code, installed as a devDependency of this package. */
export const CLAUDE_BIN = join(WEB_ROOT, "node_modules", ".bin", "claude");

/** The Chromium the tests drive; never downloaded. */
export const CHROMIUM_PATH = process.env.PORTHOLE_CHROMIUM ?? "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** The prompt of the test shell: easy to find on screen. */
export const PROMPT = "ph$ ";

const chromiumFound = existsSync(CHROMIUM_PATH);
/**
 * Whether the browser suites should be skipped: only when Chromium is missing outside CI (in CI
 * a missing Chromium fails them, see requireChromium). Says so loudly.
 */
export const skipBrowserTests = !chromiumFound && !process.env.CI;
if (skipBrowserTests) {
  console.warn(
    `\n${"!".repeat(78)}\n!! Chromium not found at ${CHROMIUM_PATH}: SKIPPING the browser tests of @porthole/web.\n` +
      `!! Install it (apt-get install chromium) or set PORTHOLE_CHROMIUM to its path.\n${"!".repeat(78)}\n`,
  );
}

const claudeFound = existsSync(CLAUDE_BIN);
/** Whether the Claude Code suites should be skipped: only when it is missing outside CI. */
export const skipClaudeTests = skipBrowserTests || (!claudeFound && !process.env.CI);
if (!skipBrowserTests && skipClaudeTests) {
  console.warn(
    `\n!! Claude Code not found at ${CLAUDE_BIN}: SKIPPING the Claude Code browser tests (run pnpm install).\n`,
  );
}

/** Throws (failing the suite) when Claude Code is not installed. */
export function requireClaude(): void {
  if (!claudeFound) {
    throw new Error(
      `Claude Code is missing: nothing at ${CLAUDE_BIN}. Run \`pnpm install\` (it is a devDependency of @porthole/web).`,
    );
  }
}

/** Throws (failing the suite) when Chromium or the built page is missing. */
export function requireChromium(): void {
  if (!chromiumFound) {
    throw new Error(
      `Chromium is missing: nothing at ${CHROMIUM_PATH}. Install it (apt-get install chromium) or set PORTHOLE_CHROMIUM.`,
    );
  }
  if (!existsSync(join(WEB_DIST, "index.html"))) {
    throw new Error(
      `The web app is not built (${WEB_DIST}): run \`pnpm --filter @porthole/web test\`, which builds it first.`,
    );
  }
}

/** A running server for one suite. */
export interface TestServer {
  /** http://127.0.0.1:port */
  url: string;
  port: number;
  /** Tokens the server accepts; each is its own credential (tests use one each). */
  tokens: string[];
  server: PortholeServer;
  /** HOME of the shells it starts. */
  home: string;
  close(): Promise<void>;
}

/** Options of startTestServer. */
export interface TestServerOptions {
  /** How many credentials to make (default 8). */
  tokens?: number;
  /** Lines added to the shell wrapper before bash starts (e.g. exports). */
  shellSetup?: string[];
  /** Files to put in HOME before starting, by path relative to HOME; `{home}` is replaced by its path. */
  homeFiles?: Record<string, string>;
  /** Extra server environment (e.g. LOG_BUFFER_BYTES). */
  env?: Record<string, string>;
}

/** Starts the real server (local provider) serving the built page, with a plain bash and a fixed prompt. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const root = await mkdtemp(join(tmpdir(), "porthole-web-e2e-"));
  const home = join(root, "home");
  const workspaces = join(root, "workspaces");
  await mkdir(home, { recursive: true });
  await mkdir(workspaces, { recursive: true });
  for (const [path, content] of Object.entries(options.homeFiles ?? {})) {
    await mkdir(join(home, path, ".."), { recursive: true });
    await writeFile(join(home, path), content.replaceAll("{home}", home));
  }
  const shell = join(root, "shell.sh");
  await writeFile(
    shell,
    [
      "#!/bin/sh",
      "# The test shell: no profile or rc files, a fixed prompt, its own HOME.",
      `export HOME='${home}'`,
      `export PS1='${PROMPT}'`,
      "export HISTFILE=/dev/null",
      "export LANG=C.UTF-8",
      "unset PROMPT_COMMAND",
      ...(options.shellSetup ?? []),
      "exec /bin/bash --noprofile --norc -i",
      "",
    ].join("\n"),
  );
  await chmod(shell, 0o755);
  const tokens = Array.from({ length: options.tokens ?? 8 }, () => generateToken());
  const config = loadConfig(
    {
      PORT: "0",
      HOST: "127.0.0.1",
      PORTHOLE_TOKEN: tokens.join(","),
      SANDBOX_PROVIDER: "local",
      LOCAL_SHELL: shell,
      LOCAL_WORKSPACE_ROOT: workspaces,
      CLAUDE_PATH: CLAUDE_BIN,
      WEB_DIST,
      LOG_LEVEL: process.env.PORTHOLE_TEST_LOG_LEVEL ?? "warn",
      ...options.env,
    },
    generateToken,
  );
  let server: PortholeServer;
  try {
    server = await startServer(config, createProvider(config), createLogger(config.logLevel));
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
  return {
    url: server.url,
    port: server.port,
    tokens,
    server,
    home,
    close: async () => {
      try {
        await server.close();
      } finally {
        await rm(root, { recursive: true, force: true });
      }
    },
  };
}

/**
 * Hands each test of a suite its own token (credential), so its tabs and sessions are its own.
 * `server` is read at each call: suites start theirs in beforeAll.
 */
export function tokenDealer(server: () => TestServer): () => string {
  let next = 0;
  return () => {
    const token = server().tokens[next++];
    if (!token) throw new Error("out of test tokens: raise the count given to startTestServer");
    return token;
  };
}

/** A made-up key: it only gets Claude Code past its login screen; nothing is reachable offline. */
export const FAKE_API_KEY = "sk-ant-porthole-offline-test-not-a-real-key";

/**
 * Starts a test server whose shells find Claude Code set up: onboarding done, FAKE_API_KEY
 * approved, HOME trusted, no auto-updater, and the shell in HOME. `options.shellSetup` runs after
 * that; other options are passed on.
 */
export function startClaudeTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  return startTestServer({
    ...options,
    homeFiles: {
      ".claude.json": JSON.stringify({
        hasCompletedOnboarding: true,
        theme: "dark",
        numStartups: 3,
        customApiKeyResponses: { approved: [FAKE_API_KEY.slice(-20)], rejected: [] },
        projects: {
          "{home}": { hasTrustDialogAccepted: true, hasCompletedProjectOnboarding: true },
        },
      }),
      ...options.homeFiles,
    },
    shellSetup: [
      `export ANTHROPIC_API_KEY='${FAKE_API_KEY}'`,
      "export DISABLE_AUTOUPDATER=1",
      'cd "$HOME"',
      ...(options.shellSetup ?? []),
    ],
  });
}

/**
 * How long an expect.poll waits for what the page shows after a browser action (a command typed,
 * a rename): vitest's default of 1 s is too short on a loaded 2-core machine.
 */
export const POLL = { timeout: 10_000 } as const;

/** A Chromium with its own fresh profile directory. */
export interface TestBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Launches Chromium (headless, fresh temporary profile). */
export async function launchBrowser(): Promise<TestBrowser> {
  requireChromium();
  const profile = await mkdtemp(join(tmpdir(), "porthole-chromium-"));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      args: CHROMIUM_ARGS,
      headless: true,
      viewport: { width: 1000, height: 640 },
    });
  } catch (error) {
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
  return {
    context,
    close: async () => {
      try {
        await context.close();
      } finally {
        await rm(profile, { recursive: true, force: true });
      }
    },
  };
}

/**
 * The suite's Chromium: launched before its tests and closed after them. When Chromium is
 * missing (and the suite runs because CI is set), every test fails saying so.
 */
export function useBrowser(): { readonly context: BrowserContext } {
  let browser: TestBrowser | null = null;
  beforeAll(async () => {
    if (chromiumFound) browser = await launchBrowser();
  });
  beforeEach(() => requireChromium());
  afterAll(async () => {
    await browser?.close();
    browser = null;
  });
  return {
    get context(): BrowserContext {
      if (!browser) throw new Error("Chromium did not start");
      return browser.context;
    },
  };
}

/**
 * A TCP proxy in front of the server, so a test can cut the network under a live page: `drop()`
 * destroys every connection at once, `refuse` keeps new ones from reaching the server.
 */
export interface DropProxy {
  url: string;
  port: number;
  /** While true, new connections are closed at once (the server looks unreachable). */
  refuse: boolean;
  /** Connections through the proxy so far. */
  readonly connections: number;
  /** Cuts every open connection (both directions, like a network failure). */
  drop(): void;
  close(): Promise<void>;
}

/** Starts a proxy to `target` on a free port. */
export async function startDropProxy(targetPort: number): Promise<DropProxy> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const proxy: DropProxy & { server: Server | null } = {
    url: "",
    port: 0,
    refuse: false,
    get connections() {
      return connections;
    },
    server: null,
    drop() {
      for (const socket of sockets) socket.destroy();
      sockets.clear();
    },
    async close() {
      this.drop();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
  const server = createServer((client) => {
    if (proxy.refuse) {
      client.destroy();
      return;
    }
    connections++;
    const upstream = new Socket();
    sockets.add(client);
    sockets.add(upstream);
    const forget = () => {
      sockets.delete(client);
      sockets.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    client.on("error", forget).on("close", forget);
    upstream.on("error", forget).on("close", forget);
    upstream.connect(targetPort, "127.0.0.1", () => {
      client.pipe(upstream);
      upstream.pipe(client);
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", () => done()));
  const address = server.address();
  proxy.port = typeof address === "object" && address ? address.port : 0;
  proxy.url = `http://127.0.0.1:${proxy.port}`;
  proxy.server = server;
  return proxy;
}

/** The page's test hook, typed for page.evaluate callbacks. */
export type Hook = PortholeTestHook;

declare global {
  interface Window {
    __porthole?: PortholeTestHook;
  }
}

/**
 * Opens the app at `baseUrl` with `token` in the fragment (in a window of `viewport`, when given)
 * and waits until its shell is connected.
 */
export async function openApp(
  context: BrowserContext,
  baseUrl: string,
  token: string,
  query = "",
  viewport?: { width: number; height: number },
): Promise<Page> {
  const page = await context.newPage();
  if (viewport) await page.setViewportSize(viewport);
  page.on("pageerror", (error) => console.error(`[page exception] ${error.message}`));
  page.on("console", (message) => {
    // Chromium's software WebGL warns about slow pixel reads when screenshots are taken, and the
    // network tests cut connections on purpose.
    if (/GL Driver Message|WebSocket connection to .* failed/.test(message.text())) return;
    if (message.type() === "error" || message.type() === "warning") {
      console.warn(`[page console.${message.type()}] ${message.text()}`);
    }
  });
  await page.goto(`${baseUrl}/${query}#token=${encodeURIComponent(token)}`);
  await waitForStatus(page, "connected");
  await waitForPrompt(page);
  return page;
}

/** Runs a wait; on failure the error also shows the screen and status, to see what went wrong. */
async function explained<T>(page: Page, what: string, wait: () => Promise<T>): Promise<T> {
  try {
    return await wait();
  } catch (error) {
    const state = await page
      .evaluate(() => ({
        status: window.__porthole?.status(),
        connection: window.__porthole?.connection(),
        screen: window.__porthole?.screenText(),
      }))
      .catch(() => null);
    throw new Error(
      `${what}: ${(error as Error).message.split("\n")[0]}\nstatus: ${JSON.stringify(state?.status)} connection: ${state?.connection}\nscreen:\n${state?.screen ?? "(no page)"}`,
      { cause: error },
    );
  }
}

/** Waits until the status bar says `state` (e.g. "connected", "reconnecting", "exited"). */
export async function waitForStatus(page: Page, state: string, timeout = 20_000): Promise<void> {
  await explained(page, `waiting for status ${state}`, () =>
    page.waitForFunction((wanted) => window.__porthole?.status().state === wanted, state, {
      timeout,
    }),
  );
}

/** Waits until the screen text matches `pattern`. */
export async function waitForScreen(
  page: Page,
  pattern: RegExp,
  timeout = 20_000,
): Promise<string> {
  const handle = await explained(page, `waiting for ${String(pattern)} on screen`, () =>
    page.waitForFunction(
      ([source, flags]) => {
        const text = window.__porthole?.screenText() ?? "";
        return new RegExp(source, flags).test(text) ? text : null;
      },
      [pattern.source, pattern.flags] as const,
      { timeout, polling: 50 },
    ),
  );
  return (await handle.jsonValue()) ?? "";
}

/** Waits until the last non-empty screen line is the bare prompt (the shell is idle). */
export async function waitForPrompt(page: Page, timeout = 20_000): Promise<void> {
  await waitForLastLine(page, PROMPT, timeout);
}

/** Waits until the last non-empty screen line is `text` (trailing spaces ignored). */
export async function waitForLastLine(page: Page, text: string, timeout = 20_000): Promise<void> {
  await explained(page, `waiting for the last line to be ${JSON.stringify(text)}`, () =>
    page.waitForFunction(
      (wanted) => {
        const lines = window.__porthole?.screenLines() ?? [];
        const last = [...lines].reverse().find((line) => line.trim() !== "");
        return last?.trimEnd() === wanted.trimEnd();
      },
      text,
      { timeout, polling: 50 },
    ),
  );
}

/** Types a command and Enter into the front terminal. */
export async function run(page: Page, command: string): Promise<void> {
  await page.keyboard.type(command);
  await page.keyboard.press("Enter");
}

/** The front terminal's screen lines. */
export function screenLines(page: Page): Promise<string[]> {
  return page.evaluate(() => window.__porthole?.screenLines() ?? []);
}

/** Saves a screenshot for reviewers under test-results/. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(RESULTS_DIR, { recursive: true });
  await page.screenshot({ path: join(RESULTS_DIR, `${name}.png`) });
}

// Browser tests over a proxy that cuts the network: exact resume after a drop, and no junk input from replays.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  RESTART_HINT,
  RESTART_LATER_HINT,
  RESTART_PENDING_HINT,
  TYPING_KEPT,
} from "../src/status-bar.js";
import {
  openApp,
  run,
  screenshot,
  skipBrowserTests,
  startDropProxy,
  startTestServer,
  tokenDealer,
  useBrowser,
  waitForLastLine,
  waitForPrompt,
  waitForScreen,
  waitForStatus,
  type DropProxy,
  type TestServer,
} from "./harness.js";

/** Lines of the big output: numbered, 67 columns, in 16 bursts 0.1 s apart. */
const FLOOD_LINES = 8000;
const FLOOD =
  `awk 'BEGIN { pad = sprintf("%60s", ""); gsub(/ /, "x", pad); ` +
  `for (i = 1; i <= ${FLOOD_LINES}; i++) { printf "%06d %s\\n", i, pad; ` +
  `if (i % 500 == 0) { fflush(); system("sleep 0.1") } } }'; echo flood-done`;

function bufferLines(page: Page): Promise<string[]> {
  return page.evaluate(() => window.__porthole?.bufferLines() ?? []);
}

/** The numbered lines in the buffer must be exactly 1..FLOOD_LINES, once each, in order. */
function expectCompleteFlood(lines: string[]): void {
  const numbered = lines
    .filter((line) => /^\d{6} x{60}$/.test(line))
    .map((line) => Number(line.slice(0, 6)));
  expect(numbered.length).toBe(FLOOD_LINES);
  expect(numbered.every((value, index) => value === index + 1)).toBe(true);
}

describe.skipIf(skipBrowserTests)("a shell over a network that drops", () => {
  const browser = useBrowser();
  let server: TestServer;
  let proxy: DropProxy;
  const token = tokenDealer(() => server);

  beforeAll(async () => {
    server = await startTestServer();
    proxy = await startDropProxy(server.port);
  });

  beforeEach(() => {
    proxy.refuse = false;
  });

  afterAll(async () => {
    await proxy?.close();
    await server?.close();
  });

  it("resumes exactly after a drop in the middle of a large output", async () => {
    const page = await openApp(browser.context, proxy.url, token());
    await run(page, FLOOD);
    // Cut the network in the middle of the output (it takes at least 1.6 s), and keep it down for
    // a retry or two.
    const atDrop = await waitForScreen(page, /^00[1-6]\d{3} x+$/m, 30_000);
    const connectionsBefore = proxy.connections;
    proxy.refuse = true;
    proxy.drop();
    expect(atDrop).not.toMatch(/flood-done/);
    await waitForStatus(page, "reconnecting");
    await page.waitForFunction(() => /attempt [1-9]/.test(window.__porthole?.status().text ?? ""));
    await screenshot(page, "04-reconnecting");
    proxy.refuse = false;
    await waitForScreen(page, /^flood-done$/m, 60_000);
    await waitForPrompt(page);
    await waitForStatus(page, "connected");
    expect(proxy.connections).toBeGreaterThan(connectionsBefore);
    const interrupted = await bufferLines(page);
    expectCompleteFlood(interrupted);
    await screenshot(page, "04-after-drop");

    // The same output in a session that was never interrupted ends with the same buffer.
    await page.click('button[data-new="shell"]');
    await waitForStatus(page, "connected");
    await waitForPrompt(page);
    await run(page, FLOOD);
    await waitForScreen(page, /^flood-done$/m, 60_000);
    await waitForPrompt(page);
    const uninterrupted = await bufferLines(page);
    expectCompleteFlood(uninterrupted);
    expect(interrupted).toEqual(uninterrupted);
    await page.close();
  });

  it("leaves the program's size with the window typed in last when another one reconnects", async () => {
    const key = token();
    const wide = await openApp(browser.context, proxy.url, key, "", { width: 1100, height: 600 });
    const narrow = await openApp(browser.context, proxy.url, key, "", { width: 640, height: 600 });
    const small = (await narrow.evaluate(() => window.__porthole?.fitSize()))!;
    await run(narrow, "echo typed-$((6*7))");
    await waitForScreen(narrow, /^typed-42$/m);
    await wide.waitForFunction(
      (cols) =>
        window.__porthole?.serverSize()?.cols === cols && window.__porthole.size()?.cols === cols,
      small.cols,
    );
    // Both windows' connections drop, and both subscriptions resume with a fresh "ready".
    proxy.refuse = true;
    proxy.drop();
    await waitForStatus(wide, "reconnecting");
    proxy.refuse = false;
    for (const page of [wide, narrow]) await waitForStatus(page, "connected");
    // Time for a resize the wide window should not send to reach the narrow one.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await narrow.evaluate(() => window.__porthole?.serverSize())).toEqual(small);
    // The wide window still draws at the narrow size: reconnecting is not choosing it.
    expect(await wide.evaluate(() => window.__porthole?.size())).toEqual(small);
    expect(await wide.locator(".status-size").textContent()).toContain("(another window's size)");
    await run(wide, "stty size");
    await waitForScreen(wide, /^\d+ \d+$/m);
    expect(await narrow.evaluate(() => window.__porthole?.size())).not.toEqual(small);
    await wide.close();
    await narrow.close();
  });

  /**
   * A program asks the terminal for its attributes, cursor position and background colour, reads
   * the live answers, then collects anything else that arrives until it reads a Z. Replayed
   * queries must not be answered again.
   */
  const PROBE =
    `printf '\\033]11;?\\033\\\\\\033[c\\033[6n'; IFS= read -rs -t 5 -d R live; echo live-answered; ` +
    `IFS= read -rs -d Z junk; printf 'got:[%q]\\n' "$junk"`;

  it("reconnects at once on Retry now; Enter pressed while the server is away restarts the tab once it answers", async () => {
    const page = await openApp(browser.context, proxy.url, token());
    const first = await page.evaluate(() => window.__porthole?.activeSessionId());
    await run(page, "exit");
    await waitForStatus(page, "exited");
    proxy.refuse = true;
    proxy.drop();
    await page.waitForFunction(() => window.__porthole?.connection() === "connecting");

    // Enter cannot restart while the server is unreachable: a key typed brings up the hint that
    // it restarts once the server is back.
    await waitForLastLine(page, `Exited with code 0 · ${RESTART_HINT}`);
    await page.keyboard.type("x");
    await page.waitForFunction(
      (hint) => window.__porthole?.status().hint === hint,
      RESTART_LATER_HINT,
    );
    // Enter is taken at its word: the tab restarts once the server is back.
    await page.keyboard.press("Enter");
    await page.waitForFunction(
      (hint) => window.__porthole?.status().hint === hint,
      RESTART_PENDING_HINT,
    );
    expect(await page.evaluate(() => window.__porthole?.activeSessionId())).toBe(first);

    // Attempt 5 waits 3.2 to 4.8 s; Retry now must not wait for it.
    await page.waitForFunction(
      () => /next try in [4-9] s/.test(window.__porthole?.status().text ?? ""),
      undefined,
      { timeout: 20_000, polling: 50 },
    );
    expect(await page.evaluate(() => window.__porthole?.status().actions)).toEqual([
      "retry",
      "close",
    ]);
    await screenshot(page, "05-retry-now");
    proxy.refuse = false;
    const connectionsBefore = proxy.connections;
    await page.click('.status-bar button[data-action="retry"]');
    await page.waitForFunction(() => window.__porthole?.connection() === "open", undefined, {
      timeout: 2_500,
    });
    expect(proxy.connections).toBeGreaterThan(connectionsBefore);
    await waitForStatus(page, "connected");
    await waitForPrompt(page);
    expect(await page.evaluate(() => window.__porthole?.activeSessionId())).not.toBe(first);
    expect(await page.evaluate(() => window.__porthole?.sessionIds().length)).toBe(1);
    expect(await page.evaluate(() => window.__porthole?.status().hint)).toBeNull();
    // The button gave the keyboard back to the terminal: typing goes to the new shell.
    await run(page, "echo back-$((6*7))");
    await waitForScreen(page, /^back-42$/m);
    await page.close();
  });

  it("sends no junk input after a reload: replayed terminal queries are not answered", async () => {
    const page = await openApp(browser.context, proxy.url, token());
    await run(page, PROBE);
    await waitForScreen(page, /^live-answered$/m);
    await page.reload();
    await waitForStatus(page, "connected");
    await waitForScreen(page, /^live-answered$/m);
    // xterm did answer the replayed queries, and the answers were dropped.
    expect(
      await page.evaluate(() => window.__porthole?.droppedReplayAnswers()),
    ).toBeGreaterThanOrEqual(2);
    await page.keyboard.type("Z");
    await waitForScreen(page, /^got:\[.*\]$/m);
    await waitForPrompt(page);
    expect(await page.evaluate(() => window.__porthole?.screenText())).toMatch(/^got:\[''\]$/m);
    await screenshot(page, "05-no-junk-after-reload");
    await page.close();
  });

  it("sends no junk input after a network drop", async () => {
    const page = await openApp(browser.context, proxy.url, token());
    await run(page, PROBE);
    await waitForScreen(page, /^live-answered$/m);
    const connectionsBefore = proxy.connections;
    proxy.drop();
    // The page reconnects at once; it is back once its subscription delivered again.
    await expect
      .poll(() => proxy.connections, { timeout: 10_000 })
      .toBeGreaterThan(connectionsBefore);
    await waitForStatus(page, "connected");
    // Typed input goes to the same shell after the reconnect.
    await page.keyboard.type("Z");
    await waitForScreen(page, /^got:\[.*\]$/m);
    await waitForPrompt(page);
    expect(await page.evaluate(() => window.__porthole?.screenText())).toMatch(/^got:\[''\]$/m);
    await page.close();
  });

  it("delivers typing done while disconnected once, in order, after the reconnect", async () => {
    const page = await openApp(browser.context, proxy.url, token());
    proxy.refuse = true;
    proxy.drop();
    await waitForStatus(page, "reconnecting");
    await run(page, "echo typed-while-offline-1");
    await run(page, "echo typed-while-offline-2");
    // The status bar says the typing is not lost.
    await page.waitForFunction(
      (kept) => document.querySelector(".status-text")?.textContent?.endsWith(kept),
      TYPING_KEPT,
    );
    proxy.refuse = false;
    await waitForScreen(page, /^typed-while-offline-2$/m);
    await waitForPrompt(page);
    const lines = await page.evaluate(() => window.__porthole?.screenLines() ?? []);
    expect(lines.filter((line) => /^typed-while-offline-\d$/.test(line))).toEqual([
      "typed-while-offline-1",
      "typed-while-offline-2",
    ]);
    await page.close();
  });
});

describe.skipIf(skipBrowserTests)("a session whose early output the server no longer keeps", () => {
  const browser = useBrowser();
  let server: TestServer;
  let proxy: DropProxy;

  beforeAll(async () => {
    // The smallest output log the server allows: 64 KiB.
    server = await startTestServer({ tokens: 2, env: { LOG_BUFFER_BYTES: String(64 * 1024) } });
    proxy = await startDropProxy(server.port);
  });

  afterAll(async () => {
    await proxy?.close();
    await server?.close();
  });

  it("redraws from a snapshot after a reload, and after a drop longer than the buffer", async () => {
    const page = await openApp(browser.context, proxy.url, server.tokens[0]!);
    await run(page, "seq 1 30000; echo first-marker");
    await waitForScreen(page, /^first-marker$/m);
    await waitForPrompt(page);
    const before = await page.evaluate(() => window.__porthole?.screenLines() ?? []);

    await page.reload();
    await waitForStatus(page, "connected");
    await waitForPrompt(page);
    expect(await page.evaluate(() => window.__porthole?.snapshots())).toBe(1);
    expect(await page.evaluate(() => window.__porthole?.screenLines() ?? [])).toEqual(before);
    // A fresh page skipped nothing it had seen: no notice.
    const statusText = () => page.locator(".status-text").textContent();
    expect(await statusText()).not.toContain("skipped");

    // Offline while the shell writes about five times what the server keeps.
    const outputBytes = () => server.server.sessions.list()[0]?.info().outputBytes ?? 0;
    await run(page, "sleep 0.5; seq 1 50000 | sed 's/^/n/'; echo second-marker");
    await waitForScreen(page, /second-marker'?$/m);
    const offlineFrom = outputBytes();
    proxy.refuse = true;
    proxy.drop();
    await waitForStatus(page, "reconnecting");
    await expect.poll(outputBytes, { timeout: 20_000 }).toBeGreaterThan(offlineFrom + 300_000);
    proxy.refuse = false;
    await waitForScreen(page, /^second-marker$/m);
    await waitForPrompt(page);
    expect(await page.evaluate(() => window.__porthole?.snapshots())).toBe(2);
    // The user is told that output went by unseen, and how much.
    expect(await statusText()).toMatch(/^Connected · caught up: [\d.]+ (KB|MB) of output skipped/);
    const lines = await page.evaluate(() => window.__porthole?.screenLines() ?? []);
    const rows = lines.length;
    // The screen shows the end of the output, in order, as a session that never dropped would.
    const numbers = lines
      .filter((line) => /^n\d+$/.test(line))
      .map((line) => Number(line.slice(1)));
    expect(numbers.length).toBe(rows - 2);
    expect(numbers.at(-1)).toBe(50000);
    expect(numbers.every((value, index) => index === 0 || value === numbers[index - 1]! + 1)).toBe(
      true,
    );
    await screenshot(page, "04-snapshot-after-long-drop");
    await page.close();
  });
});

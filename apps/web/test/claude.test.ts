// Browser tests of Claude Code sessions, offline: its screens draw, align, and come back after a reload.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  openApp,
  screenLines,
  screenshot,
  requireClaude,
  skipClaudeTests,
  startClaudeTestServer,
  startTestServer,
  useBrowser,
  waitForPrompt,
  waitForScreen,
  waitForStatus,
  type TestServer,
} from "./harness.js";

/** Opens a Claude Code tab from the tab bar and waits for the server to start it. */
async function openClaudeTab(page: Page): Promise<void> {
  await page.click('button[data-new="claude"]');
  await page.waitForFunction(
    () =>
      document.querySelector('.tab[aria-selected="true"]')?.getAttribute("data-kind") === "claude",
  );
  await waitForStatus(page, "connected");
}

/** Every row's cells as "width:chars", to compare layouts exactly. */
function layout(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const hook = window.__porthole;
    const rows = hook?.size()?.rows ?? 0;
    return Array.from({ length: rows }, (_, row) =>
      (hook?.cells(row) ?? []).map((cell) => `${cell.width}:${cell.chars}`).join(" "),
    );
  });
}

describe.skipIf(skipClaudeTests)("Claude Code in the browser (offline)", () => {
  const browser = useBrowser();
  beforeEach(() => requireClaude());

  describe("first run (empty HOME)", () => {
    let server: TestServer;

    beforeAll(async () => {
      server = await startTestServer({ tokens: 2 });
    });

    afterAll(async () => {
      await server?.close();
    });

    it("draws its welcome screen, fails to connect, and the same screen comes back after a reload", async () => {
      const page = await openApp(browser.context, server.url, server.tokens[0]!);
      await openClaudeTab(page);
      await waitForScreen(page, /Welcome to Claude Code v\d+\.\d+\.\d+/, 30_000);
      // Offline it cannot reach the API and exits; the shell it ran in stays.
      await waitForScreen(page, /Unable to connect to Anthropic services/, 30_000);
      await waitForPrompt(page, 30_000);
      await screenshot(page, "07-claude-welcome-offline");
      const before = await screenLines(page);
      const beforeLayout = await layout(page);
      // The welcome art is drawn with block characters, one cell each.
      expect(beforeLayout.join(" ")).toMatch(/1:█/);
      expect(beforeLayout.join(" ")).not.toMatch(/2:[█▓░]/);

      await page.reload();
      await waitForStatus(page, "connected");
      await waitForPrompt(page);
      expect(await screenLines(page)).toEqual(before);
      expect(await layout(page)).toEqual(beforeLayout);
      // Claude Code asked the terminal questions at start; replaying them asked again, unanswered.
      expect(await page.evaluate(() => window.__porthole?.droppedReplayAnswers())).toBeGreaterThan(
        0,
      );
      await screenshot(page, "07-claude-welcome-after-reload");
      await page.close();
    });
  });

  describe("set up (onboarding done, an API key configured)", () => {
    let server: TestServer;

    beforeAll(async () => {
      server = await startClaudeTestServer({
        tokens: 2,
        shellSetup: [
          // More output than the server keeps (64 KiB below) before Claude Code starts: a fresh
          // attach then gets a snapshot of the screen instead of a replay.
          "seq 1 20000",
        ],
        env: { LOG_BUFFER_BYTES: String(64 * 1024) },
      });
    });

    afterAll(async () => {
      await server?.close();
    });

    it(
      "draws its full interface with aligned rules; a reload brings it back from a snapshot",
      { timeout: 120_000 },
      async () => {
        const page = await openApp(browser.context, server.url, server.tokens[0]!);
        await openClaudeTab(page);
        // Offline it waits on the network for ~17 s before drawing (measured on this machine).
        await waitForScreen(page, /\? for shortcuts/, 60_000);
        const cols = (await page.evaluate(() => window.__porthole?.size()?.cols)) ?? 0;
        const check = async () => {
          const lines = await screenLines(page);
          // The input box: a rule the full width of the terminal above and below the ❯ line.
          const prompt = lines.findIndex((line) => line.startsWith("❯"));
          expect(prompt).toBeGreaterThan(0);
          expect(lines[prompt - 1]).toBe("─".repeat(cols));
          expect(lines[prompt + 1]).toBe("─".repeat(cols));
          expect(lines.join("\n")).toMatch(/Claude Code v\d+\.\d+\.\d+/);
          return lines;
        };
        const before = await check();
        const beforeLayout = await layout(page);
        await screenshot(page, "07-claude-ui-offline");

        await page.reload();
        await waitForStatus(page, "connected");
        await waitForScreen(page, /\? for shortcuts/);
        expect(await page.evaluate(() => window.__porthole?.snapshots())).toBe(1);
        expect(await check()).toEqual(before);
        expect(await layout(page)).toEqual(beforeLayout);
        await screenshot(page, "07-claude-ui-after-reload");
        await page.close();
      },
    );
  });
});

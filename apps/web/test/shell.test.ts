// Browser tests of a plain shell: typing, resizing, reloads, full-screen programs, wide characters, floods.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import type { Page } from "playwright-core";
import { FLOOD_FRAME_MS } from "@porthole/protocol";
import { RESTART_AFTER_LIMIT_HINT } from "../src/ended-input.js";
import { RESTART_HINT } from "../src/status-bar.js";
import { CLOSE_CONFIRM_MS } from "../src/tabs.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  openApp,
  POLL,
  PROMPT,
  run,
  screenLines,
  screenshot,
  skipBrowserTests,
  waitForLastLine,
  startTestServer,
  tokenDealer,
  useBrowser,
  waitForPrompt,
  waitForScreen,
  waitForStatus,
  type TestServer,
} from "./harness.js";

/** The first number printed after `label=` on the screen. */
async function numberAfter(page: Page, label: string): Promise<number> {
  const text = await waitForScreen(page, new RegExp(`^${label}=\\d+$`, "m"));
  const match = new RegExp(`^${label}=(\\d+)$`, "m").exec(text);
  return Number(match?.[1]);
}

/** Column of the `n`th `|` in screen row `row`, counted in cells. */
/** Resizes the page and waits until the terminal refitted and the server took its new size. */
async function resizeViewport(page: Page, viewport: { width: number; height: number }) {
  const before = await page.evaluate(() => window.__porthole?.size());
  await page.setViewportSize(viewport);
  await page.waitForFunction(
    (old) => {
      const size = window.__porthole?.size();
      const server = window.__porthole?.serverSize();
      return (
        size !== null &&
        size !== undefined &&
        (size.cols !== old?.cols || size.rows !== old?.rows) &&
        server?.cols === size.cols &&
        server.rows === size.rows
      );
    },
    before,
    { timeout: 10_000 },
  );
}

async function barColumns(page: Page, row: number): Promise<number[]> {
  const cells = await page.evaluate((r) => window.__porthole?.cells(r) ?? [], row);
  return cells.flatMap((cell, x) => (cell.chars === "|" ? [x] : []));
}

describe.skipIf(skipBrowserTests)("a shell in the browser", () => {
  const browser = useBrowser();
  let server: TestServer;
  /**
   * A window of the one browser: the tab list is in its storage, so windows opened with the same
   * token show the same session.
   */
  const windowOf = (key: string, width: number, height: number) =>
    openApp(browser.context, server.url, key, "", { width, height });
  /** Each test is its own credential, so its tabs and sessions are its own. */
  const token = tokenDealer(() => server);

  beforeAll(async () => {
    server = await startTestServer({ tokens: 32 });
  });

  afterAll(async () => {
    await server?.close();
  });

  it("runs what is typed: echo hello prints hello (WebGL renderer)", async () => {
    // Forced: on this machine's software WebGL the app would pick the DOM renderer by itself.
    const page = await openApp(browser.context, server.url, token(), "?renderer=webgl");
    // The token left the address bar as soon as the page read it.
    expect(page.url()).not.toContain("token");
    await run(page, "echo hello");
    await waitForScreen(page, /^hello$/m);
    await waitForPrompt(page);
    expect(await page.evaluate(() => window.__porthole?.renderer())).toBe("webgl");
    // No black strip below the last row: the viewport has the terminal's background.
    expect(
      await page.evaluate(
        () => getComputedStyle(document.querySelector(".xterm-viewport")!).backgroundColor,
      ),
    ).toBe("rgb(20, 22, 27)");
    // Round-trip latency shows while connected.
    await page.waitForFunction(() => /^\d+ ms$/.test(window.__porthole?.status().latency ?? ""));
    await screenshot(page, "01-echo-hello");
    await page.close();
  });

  it("follows the window size: stty size matches the terminal", async () => {
    const page = await openApp(browser.context, server.url, token());
    for (const viewport of [
      { width: 720, height: 420 },
      { width: 1100, height: 700 },
    ]) {
      await resizeViewport(page, viewport);
      const size = await page.evaluate(() => window.__porthole?.size());
      await run(page, "clear; stty size");
      await waitForScreen(page, new RegExp(`^${size?.rows} ${size?.cols}$`, "m"));
      await waitForPrompt(page);
    }
    await screenshot(page, "02-resized");
    await page.close();
  });

  it("comes back after a reload: same screen, same shell", async () => {
    const page = await openApp(browser.context, server.url, token());
    await run(page, "echo pid=$$");
    const pid = await numberAfter(page, "pid");
    await waitForPrompt(page);
    const before = await screenLines(page);
    const sessionId = await page.evaluate(() => window.__porthole?.activeSessionId());

    await page.reload();
    await waitForStatus(page, "connected");
    await waitForPrompt(page);
    expect(await page.evaluate(() => window.__porthole?.activeSessionId())).toBe(sessionId);
    expect(await screenLines(page)).toEqual(before);

    await run(page, "echo again=$$");
    expect(await numberAfter(page, "again")).toBe(pid);
    await waitForPrompt(page);
    await screenshot(page, "03-after-reload");
    await page.close();
  });

  it("comes back after a reload as it was, though it was resized after drawing", async () => {
    const page = await openApp(browser.context, server.url, token());
    await resizeViewport(page, { width: 1100, height: 700 });
    // Placed by a cursor move past the narrower width: replayed at that width, it lands elsewhere.
    await run(
      page,
      "clear; tput cup 5 0; printf 'A%.0s' $(seq 90); tput cup 5 100; echo far-right-$((6*7))",
    );
    await waitForScreen(page, /far-right-42/);
    await resizeViewport(page, { width: 720, height: 420 });
    await run(page, "echo after-resize-$((6*7))");
    await waitForScreen(page, /^after-resize-42$/m);
    await waitForPrompt(page);
    const before = await screenLines(page);

    await page.reload();
    await waitForStatus(page, "connected");
    await waitForPrompt(page);
    expect(await screenLines(page)).toEqual(before);
    await page.close();
  });

  it("parses output at the size it was drawn at in a window of another size, then fits", async () => {
    const key = token();
    const pageOf = (width: number) => windowOf(key, width, 420);
    const page = await pageOf(720);
    const narrow = (await page.evaluate(() => window.__porthole?.size()))!;
    // A line wrapped at this width, and text a cursor move put after its wrap.
    const width = narrow.cols + 18;
    await run(page, `clear; printf 'B%.0s' $(seq ${width}); tput cup 1 40; echo X`);
    await waitForScreen(page, /^B{18} {22}X$/m);
    await waitForPrompt(page);

    // The same tab in a wider window: its output replayed, drawn at the narrow width.
    const wide = await pageOf(1100);
    expect(await wide.evaluate(() => window.__porthole?.snapshots())).toBe(0);
    await wide.waitForFunction(
      (cols) => {
        const size = window.__porthole?.size();
        const server = window.__porthole?.serverSize();
        return (
          size !== undefined && size !== null && size.cols > cols && server?.cols === size.cols
        );
      },
      narrow.cols,
      { timeout: 10_000 },
    );
    // Parsed at the narrow width, then reflowed: the wrapped line joins, X stays after it.
    await waitForScreen(wide, new RegExp(`^B{${width}} {22}X$`, "m"));
    await wide.close();
    await page.close();
  });

  /** In the page: whether the front view shows the cursor's cell (it may scroll, following). */
  const cursorInSight = () => {
    const view = document.querySelector<HTMLElement>(".terminal-view:not([hidden])")!;
    const screen = view.querySelector<HTMLElement>(".xterm-screen")!;
    const size = window.__porthole!.size()!;
    const cursor = window.__porthole!.cursor();
    const top = (cursor.y * screen.offsetHeight) / size.rows;
    const left = (cursor.x * screen.offsetWidth) / size.cols;
    // Scroll offsets are whole pixels: a cell may start up to one pixel before one.
    return (
      top >= view.scrollTop - 1 &&
      top + screen.offsetHeight / size.rows <= view.scrollTop + view.clientHeight + 1 &&
      left >= view.scrollLeft - 1 &&
      left <= view.scrollLeft + view.clientWidth
    );
  };

  it("gives the program the size of the window typed in last; the others draw at it", async () => {
    const key = token();
    const first = await windowOf(key, 1100, 600);
    const own = (await first.evaluate(() => window.__porthole?.size()))!;
    // A second, smaller window of the same session takes its own size for the program.
    const second = await windowOf(key, 640, 420);
    const other = (await second.evaluate(() => window.__porthole?.size()))!;
    expect(other.cols).toBeLessThan(own.cols);
    // The first draws at it, as the program draws for it, and says so.
    await first.waitForFunction((size) => {
      const hook = window.__porthole;
      return hook?.serverSize()?.cols === size.cols && hook.size()?.cols === size.cols;
    }, other);
    expect(await first.evaluate(() => window.__porthole?.size())).toEqual(other);
    expect(await first.evaluate(() => window.__porthole?.fitSize())).toEqual(own);
    expect(await first.locator(".status-size").textContent()).toContain("(another window's size)");
    // Typing in the first window gives the program its size back before the keys arrive.
    await run(first, "stty size");
    await waitForScreen(first, new RegExp(`^${own.rows} ${own.cols}$`, "m"));
    expect(await first.evaluate(() => window.__porthole?.size())).toEqual(own);
    expect(await first.locator(".status-size").textContent()).not.toContain("another window");
    // Now the narrow window draws at the wide size (scrolling), so a full-screen drawing made
    // for that size shows row for row as in the wide window, where its own width would wrap it.
    await second.waitForFunction((cols) => window.__porthole?.size()?.cols === cols, own.cols);
    expect(await second.evaluate(() => window.__porthole?.fitSize())).toEqual(other);
    expect(await second.locator(".status-size").textContent()).toContain("(another window's size)");
    await run(
      first,
      `clear; printf 'W%.0s' $(seq ${own.cols}); tput cup 6 ${own.cols - 12}; echo edge-$((6*7))`,
    );
    for (const page of [first, second]) {
      await waitForScreen(page, /edge-42$/m);
      await waitForPrompt(page);
    }
    expect(await screenLines(second)).toEqual(await screenLines(first));
    expect((await screenLines(second))[0]).toBe("W".repeat(own.cols));
    await screenshot(second, "06-another-windows-size");
    // The narrow window scrolls to keep the cursor (the prompt, row 7 or so) in sight, once drawn.
    await second.waitForFunction(cursorInSight, undefined, { timeout: 5000 });
    await run(first, "clear");
    await waitForPrompt(second);
    await second.waitForFunction(cursorInSight, undefined, { timeout: 5000 });
    // Typed in, the narrow window takes the size back and draws at its own again, unscrolled.
    await run(second, "stty size");
    await waitForScreen(second, new RegExp(`^${other.rows} ${other.cols}$`, "m"));
    expect(await second.evaluate(() => window.__porthole?.size())).toEqual(other);
    expect(
      await second.evaluate(() => {
        const view = document.querySelector<HTMLElement>(".terminal-view:not([hidden])")!;
        return [view.scrollTop, view.scrollLeft, view.classList.contains("following")];
      }),
    ).toEqual([0, 0, false]);
    await second.close();
    await first.close();
  });

  it("gives a window drawing at another's size its own back once that window is gone", async () => {
    const key = token();
    const first = await windowOf(key, 1100, 600);
    const own = (await first.evaluate(() => window.__porthole?.size()))!;
    const second = await windowOf(key, 640, 420);
    await first.waitForFunction(
      (cols) => window.__porthole?.size()?.cols === cols,
      (await second.evaluate(() => window.__porthole?.size()))!.cols,
    );
    // Closed, the second window is gone for good once the server's reconnect hold (5 s) ends.
    await second.close();
    await first.waitForFunction(
      (size) =>
        window.__porthole?.size()?.cols === size.cols &&
        window.__porthole.serverSize()?.cols === size.cols,
      own,
      { timeout: 15_000 },
    );
    expect(await first.locator(".status-size").textContent()).not.toContain("another window");
    await first.close();
  });

  it("keeps the state readable in a phone-narrow window drawing at another's size", async () => {
    const key = token();
    const wide = await windowOf(key, 1100, 600);
    const narrow = await windowOf(key, 330, 500);
    await run(wide, "echo wide-typed");
    await narrow.waitForFunction(() =>
      document.querySelector(".status-size")?.textContent?.includes("another window"),
    );
    // The figures on the right give up their room first: "Connected" stays whole.
    expect(
      await narrow.evaluate(() => {
        const text = document.querySelector<HTMLElement>(".status-text")!;
        return [text.textContent, text.scrollWidth <= text.clientWidth];
      }),
    ).toEqual(["Connected", true]);
    await narrow.close();
    await wide.close();
  });

  it("answers a program's query once, from the window typed in, though two windows show it", async () => {
    const key = token();
    const first = await windowOf(key, 1100, 600);
    const second = await windowOf(key, 640, 600);
    // The first window was typed in before; then the second is.
    await run(first, "echo typed-first");
    await waitForScreen(second, /^typed-first$/m);
    const own = (await second.evaluate(() => window.__porthole?.fitSize()))!;
    await run(
      second,
      "clear; stty -icanon -echo; printf '\\e[6n'; timeout 2 cat -v; stty sane; echo; echo query-$((6*7))",
    );
    await waitForScreen(second, /^query-42$/m);
    const replies = (await screenLines(second)).join("\n").match(/\^\[\[\d+;\d+R/g) ?? [];
    expect(replies, (await screenLines(second)).join("\n")).toHaveLength(1);
    // The first window answered too, but answering is not typing: the program kept this size.
    expect(await second.evaluate(() => window.__porthole?.serverSize())).toEqual(own);
    await second.close();
    await first.close();
  });

  it("draws full-screen programs: less, and vim when installed", async () => {
    const page = await openApp(browser.context, server.url, token());
    await run(page, "seq 1 300 | sed 's/^/line /' > lines.txt && less lines.txt");
    await page.waitForFunction(() => window.__porthole?.alternateScreen() === true);
    const rows = (await page.evaluate(() => window.__porthole?.size()?.rows)) ?? 0;
    let lines = await waitForScreen(page, /^line 1$/m);
    expect(lines.split("\n")[0]).toBe("line 1");
    expect(lines.split("\n")[rows - 2]).toBe(`line ${rows - 1}`);
    await page.keyboard.press("Shift+G");
    lines = await waitForScreen(page, /\(END\)/);
    expect(lines.split("\n")[rows - 2]).toBe("line 300");
    await screenshot(page, "06-less");
    await page.keyboard.press("q");
    await page.waitForFunction(() => window.__porthole?.alternateScreen() === false);
    await waitForPrompt(page);

    if (existsSync("/usr/bin/vim")) {
      await run(page, "vim -u NONE -N lines.txt");
      await waitForScreen(page, /"lines\.txt" 300L/);
      lines = (await screenLines(page)).join("\n");
      expect(lines.split("\n")[0]).toBe("line 1");
      await page.keyboard.type(":$\n");
      await waitForScreen(page, /^line 300$/m);
      await screenshot(page, "06-vim");
      await page.keyboard.type(":q\n");
      await page.waitForFunction(() => window.__porthole?.alternateScreen() === false);
      await waitForPrompt(page);
    }
    await page.close();
  });

  it("lines up wide characters: CJK and emoji take two cells, here and after a reload", async () => {
    const page = await openApp(browser.context, server.url, token());
    await run(page, "clear; printf '|中文|\\n|abcd|\\n|😀|\\n|ab|\\n|é中😀x|\\n|a12345|\\n'");
    await waitForScreen(page, /^\|a12345\|$/m);
    await waitForPrompt(page);
    const check = async () => {
      const lines = await screenLines(page);
      const row = (text: string) => lines.indexOf(text);
      expect(await barColumns(page, row("|中文|"))).toEqual([0, 5]);
      expect(await barColumns(page, row("|abcd|"))).toEqual([0, 5]);
      expect(await barColumns(page, row("|😀|"))).toEqual([0, 3]);
      expect(await barColumns(page, row("|ab|"))).toEqual([0, 3]);
      // é is one cell, 中 and 😀 two each: the closing bar lines up with that of |a12345|.
      expect(await barColumns(page, row("|é中😀x|"))).toEqual([0, 7]);
      expect(await barColumns(page, row("|a12345|"))).toEqual([0, 7]);
      const wide = await page.evaluate((r) => window.__porthole?.cells(r) ?? [], row("|中文|"));
      expect(wide.slice(0, 6).map((cell) => cell.width)).toEqual([1, 2, 0, 2, 0, 1]);
    };
    await check();
    await screenshot(page, "06-wide-characters");
    await page.reload();
    await waitForStatus(page, "connected");
    await waitForScreen(page, /^\|a12345\|$/m);
    await waitForPrompt(page);
    await check();
    await page.close();
  });

  it("shows underscores with the DOM renderer, though the font draws them below the cell", async () => {
    const page = await openApp(browser.context, server.url, token(), "?renderer=dom");
    expect(await page.evaluate(() => window.__porthole?.renderer())).toBe("dom");
    await run(page, "clear; printf '%s\\n\\n' ________________________________");
    await waitForScreen(page, /^_{32}$/m);
    await waitForPrompt(page);
    // The rows are drawn on the next frame: wait until they hold the underscores.
    await page.waitForFunction(() =>
      [...document.querySelectorAll(".xterm-rows > div")].some((row) =>
        /_{32}/.test(row.textContent ?? ""),
      ),
    );
    const lines = await screenLines(page);
    const underscores = lines.indexOf("_".repeat(32));
    const blank = lines.findIndex(
      (line, i) => i > underscores + 2 && line === "" && lines[i + 1] === "",
    );
    expect(blank).toBeGreaterThan(underscores);
    // Pixels, not text: a row of underscores (and the blank row below it, which they reach into)
    // must not look like two empty rows.
    const rows = async (index: number) => {
      const box = await page.locator(".xterm-rows > div").nth(index).boundingBox();
      if (!box) throw new Error(`row ${index} is not on screen`);
      return page.screenshot({ clip: { ...box, height: 2 * box.height } });
    };
    expect((await rows(underscores)).equals(await rows(blank))).toBe(false);
    await page.close();
  });

  it("stops a flood promptly: yes, then Ctrl-C brings the prompt back", async () => {
    const page = await openApp(browser.context, server.url, token());
    await run(page, "yes porthole-flood");
    await waitForScreen(page, /porthole-flood\nporthole-flood/);
    // Let it run for about a second of output.
    await page.waitForTimeout(1000);
    const started = Date.now();
    await page.keyboard.press("Control+c");
    await waitForPrompt(page, 15_000);
    const elapsed = Date.now() - started;
    console.log(`flow control: prompt back ${elapsed} ms after Ctrl-C during \`yes\``);
    expect(elapsed).toBeLessThan(5000);
    await run(page, "echo after-flood");
    await waitForScreen(page, /^after-flood$/m);
    await waitForPrompt(page);
    await screenshot(page, "08-flood-stopped");
    await page.close();
  });

  it("spaces redraws while output floods: at most one per FLOOD_FRAME_MS", async () => {
    const page = await openApp(browser.context, server.url, token());
    // Long lines: xterm.js parses them several times faster than short ones, so even a slow
    // machine's page takes far more than FLOOD_BYTES_PER_FRAME between two frames.
    await run(page, `yes ${"porthole-flood-".repeat(6)}`);
    await waitForScreen(page, /porthole-flood-porthole-flood/);
    const renders = () => page.evaluate(() => window.__porthole?.renders() ?? 0);
    const before = await renders();
    const windowMs = 2000;
    await page.waitForTimeout(windowMs);
    const during = (await renders()) - before;
    console.log(`frame pacing: ${during} redraws in ${windowMs} ms of \`yes\``);
    // Unpaced, xterm.js redraws on every vsync (~60 a second here); paced, at most one per
    // FLOOD_FRAME_MS, give or take the frames on the window's edges.
    expect(during).toBeGreaterThan(0);
    expect(during).toBeLessThanOrEqual(windowMs / FLOOD_FRAME_MS + 2);
    await page.keyboard.press("Control+c");
    await waitForPrompt(page, 15_000);
    await page.close();
  });

  it("shows a tab opened in another window of the same browser, and does not bring back one closed here", async () => {
    const key = token();
    const first = await windowOf(key, 900, 500);
    const second = await windowOf(key, 640, 420);
    const shared = (await second.evaluate(() => window.__porthole?.sessionIds()))![0]!;
    await first.click('button[data-new="shell"]');
    await waitForPrompt(first);
    const opened = (await first.evaluate(() => window.__porthole?.activeSessionId()))!;
    const own = (await first.evaluate(() => window.__porthole?.fitSize()))!;
    // The second window gets a tab for it in the background; its front tab stays.
    await second.waitForFunction(
      (id) => window.__porthole?.sessionIds().includes(id) === true,
      opened,
    );
    expect(await second.evaluate(() => window.__porthole?.activeSessionId())).toBe(shared);
    // Attached out of sight, that tab leaves the program the size of the window it is used in.
    await expect.poll(() => server.server.sessions.get(opened)?.attached, POLL).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const session = server.server.sessions.get(opened)!;
    expect({ cols: session.cols, rows: session.rows }).toEqual(own);
    expect(await first.evaluate(() => window.__porthole?.size())).toEqual(own);
    expect(await first.locator(".status-size").textContent()).not.toContain("another window");
    // Renamed in the first window, it is renamed in the second too, though not in front there.
    await first.dblclick(`.tab[data-session-id="${opened}"]`);
    await first.fill(".tab-rename", "renamed-elsewhere");
    await first.keyboard.press("Enter");
    await second.waitForSelector(
      `.tab[data-session-id="${opened}"] .tab-title:text-is("renamed-elsewhere")`,
    );
    // A window that saves its list before it hears of a rename does not undo it: here the second
    // writes the list as it was before the rename.
    await second.evaluate((id) => {
      const key = Object.keys(localStorage).find((name) => name.startsWith("porthole.tabs."))!;
      const list = JSON.parse(localStorage.getItem(key)!) as {
        tabs: { sessionId: string; title: string; titledAt?: number }[];
      };
      for (const tab of list.tabs) {
        if (tab.sessionId !== id) continue;
        tab.title = "stale title";
        delete tab.titledAt;
      }
      localStorage.setItem(key, JSON.stringify(list));
    }, opened);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await first.locator(`.tab[data-session-id="${opened}"] .tab-title`).textContent()).toBe(
      "renamed-elsewhere",
    );
    // Brought to the front in the second window, the tab takes that window's size there.
    await second.click(`.tab[data-session-id="${opened}"]`);
    const narrow = (await second.evaluate(() => window.__porthole?.fitSize()))!;
    expect(narrow.cols).toBeLessThan(own.cols);
    await expect
      .poll(() => {
        const session = server.server.sessions.get(opened)!;
        return { cols: session.cols, rows: session.rows };
      }, POLL)
      .toEqual(narrow);
    // Closed in the second window, the session is not brought back to it when the first saves.
    const close = second.locator(`.tab[data-session-id="${opened}"] .tab-close`);
    await close.click();
    await close.click();
    await expect.poll(() => server.server.sessions.get(opened), POLL).toBeUndefined();
    await first.click(".tab >> nth=0");
    await first.waitForFunction((id) => window.__porthole?.activeSessionId() === id, shared);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await second.evaluate(() => window.__porthole?.sessionIds())).toEqual([shared]);
    await second.close();
    await first.close();
  });

  it("restarts an ended tab in every window: same tab, same place, same name, no tab added", async () => {
    const key = token();
    const first = await windowOf(key, 900, 500);
    const second = await windowOf(key, 640, 420);
    await first.click('button[data-new="shell"]');
    await waitForPrompt(first);
    await second.waitForFunction(() => window.__porthole?.sessionIds().length === 2);
    const titles = (page: Page) => page.locator(".tab .tab-title").allTextContents();
    const ids = (page: Page) => page.evaluate(() => window.__porthole?.sessionIds() ?? []);
    // Each window in turn ends the first tab's shell and restarts it with Enter; the other
    // follows into the new session in that tab (the second time under a name a person gave it).
    for (const [here, there, name] of [
      [first, second, "Shell"],
      [second, first, "work"],
    ] as const) {
      await here.click(".tab >> nth=0");
      if (name !== "Shell") {
        await here.dblclick(".tab >> nth=0");
        await here.fill(".tab-rename", name);
        await here.keyboard.press("Enter");
        await expect.poll(() => titles(there), POLL).toEqual([name, "Shell 2"]);
      }
      const [ended, other] = await ids(here);
      await waitForPrompt(here);
      await run(here, "exit");
      await waitForStatus(here, "exited");
      await expect
        .poll(() => there.evaluate(() => window.__porthole?.viewStates()), POLL)
        .toEqual(["exited", "running"]);
      await here.keyboard.press("Enter");
      await waitForStatus(here, "connected");
      await waitForPrompt(here);
      const restarted = (await here.evaluate(() => window.__porthole?.activeSessionId()))!;
      expect(restarted).not.toBe(ended);
      expect(await ids(here)).toEqual([restarted, other]);
      await expect.poll(() => ids(there), POLL).toEqual([restarted, other]);
      await expect.poll(() => titles(there), POLL).toEqual([name, "Shell 2"]);
      expect(await titles(here)).toEqual([name, "Shell 2"]);
      // Live there too: what is typed there runs in the new shell.
      await there.click(".tab >> nth=0");
      await waitForStatus(there, "connected");
      await run(there, `echo follows-${name}`);
      await waitForScreen(here, new RegExp(`^follows-${name}$`, "m"));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await ids(there)).toEqual([restarted, other]);
    }
    // A window opened now finds the same two tabs.
    const third = await windowOf(key, 640, 420);
    expect(await ids(third)).toEqual(await ids(first));
    expect(await titles(third)).toEqual(["work", "Shell 2"]);
    await third.close();
    await second.close();
    await first.close();
  });

  it("gives an ended tab one session when two windows press Enter in it at once", async () => {
    const key = token();
    const first = await windowOf(key, 900, 500);
    const second = await windowOf(key, 640, 420);
    await waitForPrompt(first);
    const ids = (page: Page) => page.evaluate(() => window.__porthole?.sessionIds() ?? []);
    const [ended] = await ids(first);
    await run(first, "exit");
    await waitForStatus(first, "exited");
    await expect
      .poll(() => second.evaluate(() => window.__porthole?.viewStates()), POLL)
      .toEqual(["exited"]);
    // Both Enters go out before either window hears of the other's restart.
    await Promise.all([first.keyboard.press("Enter"), second.keyboard.press("Enter")]);
    await waitForPrompt(first);
    const [restarted] = await ids(first);
    expect(restarted).not.toBe(ended);
    await expect.poll(() => ids(second), POLL).toEqual([restarted]);
    await run(second, "echo one-session");
    await waitForScreen(first, /^one-session$/m);
    // No second session was left running, and a window opened now finds the one tab.
    const third = await windowOf(key, 640, 420);
    expect(await ids(third)).toEqual([restarted]);
    await third.close();
    await second.close();
    await first.close();
  });

  it("keeps tabs: new, switch, rename, close; the list survives a reload; lost sessions drop out", async () => {
    const key = token();
    const page = await openApp(browser.context, server.url, key);
    await run(page, "echo first-tab");
    await waitForScreen(page, /^first-tab$/m);
    await page.click('button[data-new="shell"]');
    await waitForStatus(page, "connected");
    await waitForPrompt(page);
    await run(page, "echo second-tab");
    await waitForScreen(page, /^second-tab$/m);
    const ids = await page.evaluate(() => window.__porthole?.sessionIds() ?? []);
    expect(ids).toHaveLength(2);

    // Switch back: the first tab's screen is there, and the window's title says which tab.
    await page.click(".tab >> nth=0");
    await waitForScreen(page, /^first-tab$/m);
    expect(await page.evaluate(() => window.__porthole?.activeSessionId())).toBe(ids[0]);
    await expect.poll(() => page.title(), POLL).toBe("Shell · Porthole");

    // Rename by double-click, with a command half typed at the prompt; the server keeps the title.
    await page.keyboard.type("echo half-");
    await page.dblclick(".tab >> nth=0");
    await page.fill(".tab-rename", "build");
    await page.keyboard.press("Enter");
    await page.waitForSelector(`.tab[data-session-id="${ids[0]}"] .tab-title:text-is("build")`);
    await expect.poll(() => server.server.sessions.get(ids[0]!)?.title, POLL).toBe("build");
    expect(await page.title()).toBe("build · Porthole");
    // Enter gave the keyboard back to the terminal, and only that: the half-typed command goes
    // on from where it was (Enter's keypress reaching the terminal would have run "echo half-").
    await run(page, "after-rename");
    await waitForScreen(page, /^half-after-rename$/m);
    expect(await screenLines(page)).not.toContain("half-");
    await screenshot(page, "tabs-two");

    // A third tab, then its session disappears on the server while the page is away.
    await page.click('button[data-new="shell"]');
    await waitForStatus(page, "connected");
    const third = await page.evaluate(() => window.__porthole?.activeSessionId());
    await page.click(".tab >> nth=1");
    await waitForScreen(page, /^second-tab$/m);
    await page.close();
    await server.server.sessions.close(third!);

    const again = await browser.context.newPage();
    // sessionStorage is per tab: a new tab needs the link again.
    await again.goto(`${server.url}/#token=${encodeURIComponent(key)}`);
    await waitForStatus(again, "connected");
    expect(await again.evaluate(() => window.__porthole?.sessionIds())).toEqual(ids);
    // The tab in front before is in front again.
    expect(await again.evaluate(() => window.__porthole?.activeSessionId())).toBe(ids[1]);
    await waitForScreen(again, /^second-tab$/m);
    // The second shell was numbered: a tab called "Shell" was open then.
    expect(await again.locator(".tab-title").allTextContents()).toEqual(["build", "Shell 2"]);

    // Closing a tab ends its session: a running one on a second click, so one slip ends nothing.
    const closeButton = again.locator(`.tab[data-session-id="${ids[1]}"] .tab-close`);
    await closeButton.click();
    expect(await closeButton.textContent()).toBe("End?");
    // Unconfirmed, the × comes back after CLOSE_CONFIRM_MS and the session lives on.
    await expect
      .poll(() => closeButton.textContent(), { timeout: CLOSE_CONFIRM_MS + 2000 })
      .toBe("×");
    expect(server.server.sessions.get(ids[1]!)).toBeDefined();
    await closeButton.click();
    await closeButton.click();
    await expect.poll(() => server.server.sessions.get(ids[1]!), POLL).toBeUndefined();
    expect(await again.evaluate(() => window.__porthole?.sessionIds())).toEqual([ids[0]]);
    await waitForScreen(again, /^first-tab$/m);
    await again.close();
  });

  it("scrolls a new tab into view in a bar too narrow for every tab", async () => {
    const page = await openApp(browser.context, server.url, token(), "", {
      width: 520,
      height: 500,
    });
    for (let count = 2; count <= 8; count++) {
      await page.click('button[data-new="shell"]');
      await page.waitForFunction((n) => window.__porthole?.sessionIds().length === n, count);
    }
    const bar = (await page.locator(".tabs").boundingBox())!;
    const active = (await page.locator('.tab[aria-selected="true"]').boundingBox())!;
    expect(active.x).toBeGreaterThanOrEqual(bar.x - 1);
    expect(active.x + active.width).toBeLessThanOrEqual(bar.x + bar.width + 1);
    await page.close();
  });

  it("shows an exit and restarts a new session in the same tab", async () => {
    const page = await openApp(browser.context, server.url, token());
    const first = await page.evaluate(() => window.__porthole?.activeSessionId());
    await run(page, "exit 3");
    await waitForStatus(page, "exited");
    expect(await page.evaluate(() => window.__porthole?.status().text)).toBe("Exited with code 3");
    await screenshot(page, "exited");
    await page.click('.status-bar button[data-action="restart"]');
    await waitForStatus(page, "connected");
    await waitForPrompt(page);
    const second = await page.evaluate(() => window.__porthole?.activeSessionId());
    expect(second).not.toBe(first);
    expect(await page.evaluate(() => window.__porthole?.sessionIds())).toEqual([second]);
    expect(
      (await screenLines(page)).map((line) => line.trimEnd()).filter((line) => line !== ""),
    ).toEqual([PROMPT.trimEnd()]);
    // The ended session is closed, so a reload does not bring it back as a second tab.
    await expect.poll(() => server.server.sessions.get(first!), POLL).toBeUndefined();
    // The terminal kept the keyboard: what is typed next goes to the new shell.
    await page.keyboard.type("echo typed-after-$((6*7))");
    await page.keyboard.press("Enter");
    await waitForScreen(page, /^typed-after-42$/m);
    await page.reload();
    await waitForStatus(page, "connected");
    expect(await page.evaluate(() => window.__porthole?.sessionIds())).toEqual([second]);
    await page.close();
  });

  it("says in the terminal that Enter starts a new session after an exit, and does so on Enter", async () => {
    const page = await openApp(browser.context, server.url, token());
    const first = await page.evaluate(() => window.__porthole?.activeSessionId());
    // Focus reporting stays on after the shell: focusing the terminal then sends ESC [ I.
    await page.keyboard.type("printf '\\033[?1004h'; exit\r");
    await waitForStatus(page, "exited");
    await waitForLastLine(page, `Exited with code 0 · ${RESTART_HINT}`);
    expect(await page.evaluate(() => window.__porthole?.status().hint)).toBeNull();
    await screenshot(page, "exited-hint");

    // The terminal's focus report is no keystroke: no restart, no hint.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.focus(".xterm-helper-textarea");
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => window.__porthole?.status())).toMatchObject({
      state: "exited",
      hint: null,
    });

    // Another key does not vanish: the status bar says what Enter does.
    await page.keyboard.type("x");
    await page.waitForFunction((hint) => window.__porthole?.status().hint === hint, RESTART_HINT);
    expect(await page.evaluate(() => window.__porthole?.activeSessionId())).toBe(first);
    expect(await page.evaluate(() => window.__porthole?.status().state)).toBe("exited");

    await page.keyboard.press("Enter");
    await waitForStatus(page, "connected");
    await waitForPrompt(page);
    const second = await page.evaluate(() => window.__porthole?.activeSessionId());
    expect(second).not.toBe(first);
    expect(await page.evaluate(() => window.__porthole?.sessionIds())).toEqual([second]);
    expect(await page.evaluate(() => window.__porthole?.status().hint)).toBeNull();
    expect(
      (await screenLines(page)).map((line) => line.trimEnd()).filter((line) => line !== ""),
    ).toEqual([PROMPT.trimEnd()]);
    await expect.poll(() => server.server.sessions.get(first!), POLL).toBeUndefined();
    await run(page, "echo restarted-$((6*7))");
    await waitForScreen(page, /^restarted-42$/m);
    await page.close();
  });

  it("searches the scrollback with Ctrl+Shift+F", async () => {
    const page = await openApp(browser.context, server.url, token());
    await run(page, "seq 1 500 | sed 's/^/row-/'; echo needle-in-haystack");
    await waitForScreen(page, /^needle-in-haystack$/m);
    await page.keyboard.press("Control+Shift+F");
    await page.waitForSelector(".search-box:not([hidden]) input:focus");
    await page.keyboard.type("row-12");
    // row-12, row-120..129: 11 matches.
    await page.waitForFunction(() =>
      document.querySelector(".search-count")?.textContent?.endsWith("of 11"),
    );
    await screenshot(page, "search");
    // The active match is outlined (the selection hides its background with the DOM renderer).
    const outlines = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>(".xterm-find-result-decoration")]
        .map((element) => element.style.outlineColor)
        .filter((outline) => outline !== ""),
    );
    expect(outlines).toEqual(["rgb(255, 216, 102)"]);
    // A phone-wide window keeps the whole box in view, its input narrower.
    await page.setViewportSize({ width: 390, height: 700 });
    await expect
      .poll(
        () =>
          page.evaluate(() => {
            const box = document.querySelector(".search-box")!.getBoundingClientRect();
            const input = document.querySelector(".search-box input")!.getBoundingClientRect();
            return box.left >= 0 && box.right <= window.innerWidth && input.left >= box.left;
          }),
        POLL,
      )
      .toBe(true);
    await page.keyboard.press("Escape");
    await page.waitForSelector(".search-box", { state: "hidden" });
    await page.close();
  });

  it("lists the keyboard shortcuts behind ? in the tab bar, and gives the keyboard back", async () => {
    const page = await openApp(browser.context, server.url, token());
    await page.click(".tab-actions .help");
    const panel = page.locator(".keys-help");
    await panel.waitFor({ state: "visible" });
    const text = (await panel.textContent()) ?? "";
    for (const keys of [
      "Ctrl+Shift+C",
      "Ctrl+Shift+V",
      "Ctrl+Shift+F",
      "Shift+drag",
      "F2",
      "middle-click",
    ]) {
      expect(text).toContain(keys);
    }
    await screenshot(page, "keys-help");
    await page.keyboard.press("Escape");
    await panel.waitFor({ state: "hidden" });
    // The keys go to the terminal again.
    await page.keyboard.type("echo keys-back-$((6*7))\n");
    await waitForScreen(page, /^keys-back-42$/m);
    // "?" again closes it, and a click in the terminal does too.
    await page.click(".tab-actions .help");
    await panel.waitFor({ state: "visible" });
    await page.click(".tab-actions .help");
    await panel.waitFor({ state: "hidden" });
    await page.click(".tab-actions .help");
    await panel.waitFor({ state: "visible" });
    await page.click(".terminal-view:not([hidden])", { position: { x: 20, y: 200 } });
    await panel.waitFor({ state: "hidden" });
    await page.close();
  });

  it("copies with Ctrl+Shift+C and pastes with Ctrl+Shift+V", async () => {
    const page = await openApp(browser.context, server.url, token());
    await browser.context.grantPermissions(["clipboard-read", "clipboard-write"], {
      origin: server.url,
    });
    await run(page, "echo copy-me-please");
    await waitForScreen(page, /^copy-me-please$/m);
    await waitForPrompt(page);
    // Double-click the word on screen to select it.
    const lines = await screenLines(page);
    const row = lines.indexOf("copy-me-please");
    const box = await page.locator(".terminal-view:not([hidden]) .xterm-screen").boundingBox();
    const size = await page.evaluate(() => window.__porthole?.size());
    if (!box || !size) throw new Error("no terminal on screen");
    const cell = { width: box.width / size.cols, height: box.height / size.rows };
    await page.mouse.dblclick(box.x + cell.width * 3.5, box.y + cell.height * (row + 0.5));
    await page.keyboard.press("Control+Shift+C");
    await expect
      .poll(() => page.evaluate(() => navigator.clipboard.readText()), POLL)
      .toBe("copy-me-please");
    // Ctrl+Shift+C did not reach the shell as ^C: the line is still empty.
    await waitForPrompt(page);

    await page.evaluate(() => navigator.clipboard.writeText("pasted-from-clipboard"));
    await page.keyboard.type("echo ");
    await page.keyboard.press("Control+Shift+V");
    await waitForLastLine(page, `${PROMPT}echo pasted-from-clipboard`);
    await page.keyboard.press("Enter");
    await waitForScreen(page, /^pasted-from-clipboard$/m);
    await page.close();
  });

  it("pastes a large text exactly: split into calls, in order, nothing lost", async () => {
    const page = await openApp(browser.context, server.url, token());
    await browser.context.grantPermissions(["clipboard-read", "clipboard-write"], {
      origin: server.url,
    });
    // 300 000 bytes in 3000 lines (a terminal line discipline holds at most 4095 bytes a line).
    const text = Array.from(
      { length: 3000 },
      (_, i) => `${String(i).padStart(5, "0")} ${"p".repeat(93)}\n`,
    ).join("");
    const digest = createHash("md5").update(text).digest("hex");
    await page.evaluate((value) => navigator.clipboard.writeText(value), text);
    await run(page, "stty -echo; echo reading-paste; cat > pasted.txt; stty echo");
    // Wait until the command runs: at the prompt, bash has bracketed paste on and would get the
    // paste wrapped in ESC [200~ ... ESC [201~.
    await waitForScreen(page, /^reading-paste$/m);
    const seqBefore = await page.evaluate(() => window.__porthole?.nextInputSeq() ?? 0);
    await page.keyboard.press("Control+Shift+V");
    // The paste left in at least 7 calls (48 KiB each at most); once none is waiting or in
    // flight, all of it reached cat. Then end the file.
    await page.waitForFunction((before) => {
      const hook = window.__porthole;
      return hook !== undefined && hook.nextInputSeq() >= before + 7 && hook.pendingInput() === 0;
    }, seqBefore);
    await page.keyboard.press("Control+d");
    await waitForPrompt(page);
    await run(page, "clear; wc -c < pasted.txt; md5sum < pasted.txt");
    await waitForScreen(page, new RegExp(`^${digest} {2}-$`, "m"));
    expect(await screenLines(page)).toContain("300000");
    await page.close();
  });

  it("scrolls back through output with a swipe on a touch screen", async () => {
    const phone = await browser.context.browser()!.newContext({
      hasTouch: true,
      isMobile: true,
      viewport: { width: 390, height: 700 },
    });
    try {
      const page = await openApp(phone, server.url, token());
      await run(page, "seq 1 300");
      await waitForLastLine(page, PROMPT);
      const topRow = () =>
        page.evaluate(() => document.querySelector(".xterm-rows > div")?.textContent?.trim());
      // The rows are drawn on the next frame: wait until the top one shows a number of seq's.
      await page.waitForFunction(() =>
        /^\d+$/.test(document.querySelector(".xterm-rows > div")?.textContent?.trim() ?? ""),
      );
      const before = await topRow();
      // One finger down the terminal, in steps, as a real swipe sends touchmove events.
      const cdp = await phone.newCDPSession(page);
      const box = (await page.locator(".terminal-view:not([hidden]) .xterm-screen").boundingBox())!;
      const x = box.x + box.width / 2;
      const touch = (type: "touchStart" | "touchMove" | "touchEnd", y: number) =>
        cdp.send("Input.dispatchTouchEvent", {
          type,
          touchPoints: type === "touchEnd" ? [] : [{ x, y }],
        });
      await touch("touchStart", box.y + 20);
      for (let y = box.y + 20; y <= box.y + box.height - 20; y += 20) await touch("touchMove", y);
      await touch("touchEnd", box.y + box.height - 20);
      await page.waitForFunction(
        (old) => document.querySelector(".xterm-rows > div")?.textContent?.trim() !== old,
        before,
      );
      // Older output came into view: the top row now shows a smaller number.
      expect(Number(await topRow())).toBeLessThan(Number(before));
      await page.close();
    } finally {
      await phone.close();
    }
  });

  it("offers a key bar on small touch screens: sticky Ctrl, arrows", async () => {
    const page = await openApp(browser.context, server.url, token());
    await page.setViewportSize({ width: 420, height: 640 });
    await page.waitForSelector(".key-bar", { state: "visible" });
    await run(page, "echo from-history");
    await waitForScreen(page, /^from-history$/m);
    await waitForPrompt(page);
    // Up arrow from the bar recalls the command.
    await page.click('.key-bar button[data-key="↑"]');
    await waitForLastLine(page, `${PROMPT}echo from-history`);
    await page.keyboard.press("Enter");
    await page.waitForFunction(
      () =>
        (window.__porthole?.screenLines() ?? []).filter((line) => line === "from-history")
          .length === 2,
    );
    // Sticky Ctrl, then "c", interrupts a running program.
    await run(page, "echo sleeping; sleep 30");
    await waitForScreen(page, /^sleeping$/m);
    await page.click('.key-bar button[data-key="Ctrl"]');
    expect(await page.getAttribute('.key-bar button[data-key="Ctrl"]', "aria-pressed")).toBe(
      "true",
    );
    await page.keyboard.type("c");
    await waitForPrompt(page, 5000);
    expect(await page.getAttribute('.key-bar button[data-key="Ctrl"]', "aria-pressed")).toBe(
      "false",
    );
    await screenshot(page, "key-bar");
    await page.close();
  });

  it("shows only a held modifier as held on a touch screen: a tapped key looks as before", async () => {
    const phone = await browser.context.browser()!.newContext({
      hasTouch: true,
      isMobile: true,
      viewport: { width: 390, height: 844 },
    });
    try {
      const page = await openApp(phone, server.url, token());
      expect(await page.evaluate(() => matchMedia("(hover: none)").matches)).toBe(true);
      const key = (label: string) => page.locator(`.key-bar button[data-key="${label}"]`);
      const look = (label: string) =>
        key(label).evaluate((button) => {
          const style = getComputedStyle(button);
          return [style.borderColor, style.backgroundColor, style.color, style.outlineStyle];
        });
      const plain = await look("Esc");
      await key("Ctrl").tap();
      expect(await key("Ctrl").getAttribute("aria-pressed")).toBe("true");
      expect(await look("Ctrl")).not.toEqual(plain);
      await key("Ctrl").tap();
      expect(await key("Ctrl").getAttribute("aria-pressed")).toBe("false");
      await key("^C").tap();
      await page.waitForTimeout(200);
      expect(await look("Ctrl")).toEqual(plain);
      expect(await look("^C")).toEqual(plain);
      await screenshot(page, "key-bar-touch");
      await page.close();
    } finally {
      await phone.close();
    }
  });

  it("explains a missing or refused access token", async () => {
    const page = await browser.context.newPage();
    await page.goto(server.url);
    await page.waitForSelector('main[data-notice="missing-token"]');
    expect(await page.textContent("h1")).toContain("needs its access link");
    // The example link is this server's, whatever port it runs on.
    expect(await page.textContent("main pre")).toContain(`${server.url}/#token=`);
    await screenshot(page, "token-missing");
    // Pasting a link into the same tab only changes the fragment: the page picks it up.
    await page.goto(`${server.url}/#token=not-a-token-this-server-knows`);
    await page.waitForSelector('main[data-notice="refused-token"]');
    expect(page.url()).not.toContain("token");
    await screenshot(page, "token-refused");
    // The refused token was forgotten: a reload asks for the link again.
    await page.reload();
    await page.waitForSelector('main[data-notice="missing-token"]');
    expect(await page.locator("main code").allTextContents()).toContain(".start-token");
    // The link can be pasted into the page rather than the address bar; text without a token
    // is refused there and then.
    await page.fill(".token-form input", "see the server's log");
    await page.click(".token-form button");
    await page.waitForSelector(".token-problem:not([hidden])");
    await page.fill(".token-form input", `${server.url}/#token=${encodeURIComponent(token())}`);
    await page.click(".token-form button");
    await waitForStatus(page, "connected");
    expect(page.url()).not.toContain("token");
    await page.close();
  });

  it("clears a failed start's banner when Enter then starts a session", async () => {
    const small = await startTestServer({ tokens: 1, env: { MAX_SESSIONS_PER_TOKEN: "1" } });
    try {
      const page = await openApp(browser.context, small.url, small.tokens[0]!);
      const first = await page.evaluate(() => window.__porthole?.activeSessionId());
      // A second tab is refused (one session per token): it has no session, only the banner.
      await page.click('button[data-new="shell"]');
      await waitForStatus(page, "error");
      // The banner is longer than a row here: read the rows joined as they wrap. Enter alone
      // would be refused again: it says another session must close first.
      await page.waitForFunction(
        (hint) => window.__porthole?.bufferLines().some((line) => line.endsWith(hint)),
        RESTART_AFTER_LIMIT_HINT,
      );
      await small.server.sessions.close(first!);
      await page.keyboard.press("Enter");
      await waitForStatus(page, "connected");
      await waitForPrompt(page);
      expect(
        (await screenLines(page)).map((line) => line.trimEnd()).filter((line) => line !== ""),
      ).toEqual([PROMPT.trimEnd()]);
      await page.close();
    } finally {
      await small.close();
    }
  });

  it("says so when a token holds as many connections as it may, and stops retrying", async () => {
    const small = await startTestServer({ tokens: 1, env: { MAX_CONNECTIONS_PER_TOKEN: "1" } });
    try {
      const [key] = small.tokens;
      const first = await openApp(browser.context, small.url, key!);
      const second = await browser.context.newPage();
      await second.goto(`${small.url}/#token=${encodeURIComponent(key!)}`);
      await second.waitForSelector('main[data-notice="too-many-connections"]');
      // The first window goes on working.
      await run(first, "echo still-$((6*7))");
      await waitForScreen(first, /^still-42$/m);
      await second.close();
      await first.close();
    } finally {
      await small.close();
    }
  });
});

// Browser tests of the tab bar: the titles programs set (OSC 0/2) against renames, and a phone-narrow window.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  openApp,
  POLL,
  requireClaude,
  run,
  screenshot,
  skipBrowserTests,
  skipClaudeTests,
  startClaudeTestServer,
  startTestServer,
  tokenDealer,
  useBrowser,
  waitForPrompt,
  waitForScreen,
  waitForStatus,
  type TestServer,
} from "./harness.js";

/** Makes the shell print OSC 0 with `title` (bash's printf turns \033 and \007 into the bytes). */
function setTitle(page: Page, title: string): Promise<void> {
  return run(page, `printf '\\033]0;${title}\\007'`);
}

/** The label of the tab showing session `id`. */
function tabTitle(page: Page, id: string): Promise<string | null> {
  return page.locator(`.tab[data-session-id="${id}"] .tab-title`).textContent();
}

/** Renames the tab of session `id` as a person does: double-click, type, Enter. */
async function rename(page: Page, id: string, title: string): Promise<void> {
  await page.dblclick(`.tab[data-session-id="${id}"]`);
  await page.fill(".tab-rename", title);
  await page.keyboard.press("Enter");
}

/** The credential's tab list as this browser stores it (shared by its windows). */
function storedTabs(page: Page): Promise<string> {
  return page.evaluate(() =>
    Object.keys(localStorage)
      .filter((key) => key.startsWith("porthole.tabs."))
      .map((key) => localStorage.getItem(key) ?? "")
      .join("\n"),
  );
}

/** The front tab, the tab list's scroll box and the viewport, as laid out. */
function layout(page: Page) {
  return page.evaluate(() => {
    const box = (element: Element | null) => {
      const rect = element?.getBoundingClientRect();
      return rect ? { left: rect.left, right: rect.right, width: rect.width } : null;
    };
    const list = document.querySelector(".tabs")!;
    const active = document.querySelector('.tab[aria-selected="true"]');
    return {
      viewport: window.innerWidth,
      list: box(list),
      scrolls: list.scrollWidth > list.clientWidth,
      active: box(active),
      activeClose: box(active?.querySelector(".tab-close") ?? null),
      tabs: [...document.querySelectorAll(".tab")].map((tab) => tab.getBoundingClientRect().width),
      buttons: [...document.querySelectorAll<HTMLElement>(".tab-actions > button")].map(
        (button) => ({
          text: button.innerText.replace(/\s+/g, " ").trim(),
          label: button.getAttribute("aria-label"),
          ...box(button)!,
        }),
      ),
    };
  });
}

describe.skipIf(skipBrowserTests)("the tab bar", () => {
  const browser = useBrowser();
  let server: TestServer;
  const token = tokenDealer(() => server);

  beforeAll(async () => {
    server = await startTestServer({ tokens: 6 });
  });

  afterAll(async () => {
    await server?.close();
  });

  it("shows the title a program sets, a person's name over it, and the default name for an empty one", async () => {
    const key = token();
    const page = await openApp(browser.context, server.url, key);
    const id = (await page.evaluate(() => window.__porthole?.activeSessionId()))!;
    expect(await tabTitle(page, id)).toBe("Shell");
    const tab = await page.$(`.tab[data-session-id="${id}"]`);

    // A program sets a title: the tab and the window show it, trimmed.
    await setTitle(page, "  make   all ");
    await expect.poll(() => tabTitle(page, id), POLL).toBe("make all");
    expect(await page.title()).toBe("make all · Porthole");
    expect(await page.getAttribute(`.tab[data-session-id="${id}"]`, "title")).toBe(
      "make all\nShell session",
    );
    // It is this window's own: the list the browser's windows share keeps the name.
    expect(await storedTabs(page)).not.toContain("make all");
    expect(server.server.sessions.get(id)?.title).toBe("Shell");
    // Another window parses the same output for itself.
    const other = await openApp(browser.context, server.url, key, "", { width: 700, height: 400 });
    await expect.poll(() => tabTitle(other, id), POLL).toBe("make all");

    // A person's name wins, here and in the other window, and stays when the program sets another.
    await rename(page, id, "build");
    await expect.poll(() => tabTitle(page, id), POLL).toBe("build");
    await expect.poll(() => server.server.sessions.get(id)?.title, POLL).toBe("build");
    await expect.poll(() => tabTitle(other, id), POLL).toBe("build");
    await setTitle(page, "vim main.c");
    await expect
      .poll(() => page.getAttribute(`.tab[data-session-id="${id}"]`, "title"), POLL)
      .toBe("build\nvim main.c\nShell session");
    expect(await tabTitle(page, id)).toBe("build");
    expect(await page.title()).toBe("build · Porthole");
    await expect
      .poll(() => other.getAttribute(`.tab[data-session-id="${id}"]`, "title"), POLL)
      .toContain("vim main.c");
    expect(await tabTitle(other, id)).toBe("build");
    await screenshot(page, "tab-title-renamed");

    // Renamed to nothing, the tab has its default name again, and shows the program's title.
    await rename(page, id, "");
    await expect.poll(() => tabTitle(page, id), POLL).toBe("vim main.c");
    await expect.poll(() => server.server.sessions.get(id)?.title, POLL).toBe("Shell");
    await expect.poll(() => tabTitle(other, id), POLL).toBe("vim main.c");
    expect(await page.title()).toBe("vim main.c · Porthole");

    // An empty title brings the default name back.
    await setTitle(page, "");
    await expect.poll(() => tabTitle(page, id), POLL).toBe("Shell");
    expect(await page.title()).toBe("Shell · Porthole");
    await expect.poll(() => tabTitle(other, id), POLL).toBe("Shell");

    // Titles changing keep the tab's element: a click or double-click across a change counts.
    for (const title of ["one", "two", "three"]) {
      await setTitle(page, title);
      await expect.poll(() => tabTitle(page, id), POLL).toBe(title);
    }
    expect(await tab?.evaluate((element) => element.isConnected)).toBe(true);
    await other.close();

    // A new session in the tab starts without the old program's title.
    await run(page, "exit");
    await waitForStatus(page, "exited");
    expect(await tabTitle(page, id)).toBe("three");
    await page.keyboard.press("Enter");
    await waitForStatus(page, "connected");
    await waitForPrompt(page);
    const restarted = (await page.evaluate(() => window.__porthole?.activeSessionId()))!;
    await expect.poll(() => tabTitle(page, restarted), POLL).toBe("Shell");
    await page.close();
  });

  it("takes the title a Debian prompt sets (user@host: dir) after a program's", async () => {
    const page = await openApp(browser.context, server.url, token());
    const id = (await page.evaluate(() => window.__porthole?.activeSessionId()))!;
    // What /etc/skel/.bashrc adds to PS1 for xterm terminals.
    await run(page, "cd ~; PS1='\\[\\e]0;\\u@\\h: \\w\\a\\]ph$ '");
    await expect.poll(() => tabTitle(page, id), POLL).toMatch(/^\S+@\S+: ~$/);
    const promptTitle = (await tabTitle(page, id))!;
    // A program's title shows while it runs; the prompt's is back once it quits.
    await run(page, "printf '\\033]0;vim notes\\007'; read -r _");
    await expect.poll(() => tabTitle(page, id), POLL).toBe("vim notes");
    await page.keyboard.press("Enter");
    await expect.poll(() => tabTitle(page, id), POLL).toBe(promptTitle);
    await page.close();
  });

  for (const width of [200, 320]) {
    it(`stays usable in a ${width} px wide window: tabs shrink and scroll, buttons stay in reach`, async () => {
      const page = await openApp(browser.context, server.url, token(), "", { width, height: 480 });
      for (let count = 2; count <= 4; count++) {
        await page.click('button[data-new="shell"]');
        await page.waitForFunction((n) => window.__porthole?.sessionIds().length === n, count);
        await waitForStatus(page, "connected");
      }
      const ids = (await page.evaluate(() => window.__porthole?.sessionIds()))!;
      let seen = await layout(page);
      // The new-session buttons and "?" are whole and inside the window, with short labels.
      expect(seen.buttons.map((button) => button.text)).toEqual(["+", "+ Claude", "?"]);
      expect(seen.buttons.map((button) => button.label)).toEqual([
        "Open a new shell",
        "Open a new Claude Code session",
        "Keyboard shortcuts",
      ]);
      for (const button of seen.buttons) {
        expect(button.left).toBeGreaterThanOrEqual(0);
        expect(button.right).toBeLessThanOrEqual(seen.viewport);
      }
      // The tabs shrank to a minimum and scroll; the newest, in front, is in view with its ×.
      expect(seen.scrolls).toBe(true);
      for (const tabWidth of seen.tabs) expect(tabWidth).toBeGreaterThanOrEqual(59);
      const inView = (found: Awaited<ReturnType<typeof layout>>) => {
        expect(found.active!.left).toBeGreaterThanOrEqual(found.list!.left - 1);
        expect(found.active!.right).toBeLessThanOrEqual(found.list!.right + 1);
        expect(found.activeClose!.width).toBeGreaterThan(10);
        expect(found.activeClose!.right).toBeLessThanOrEqual(found.list!.right + 1);
      };
      inView(seen);
      await screenshot(page, `tabs-narrow-${width}`);

      // The first tab, scrolled out of sight, comes into view when brought to the front.
      await page.evaluate(() => {
        const list = document.querySelector(".tabs")!;
        list.scrollLeft = list.scrollWidth;
      });
      await page.click(`.tab[data-session-id="${ids[0]}"]`);
      await page.waitForFunction((id) => window.__porthole?.activeSessionId() === id, ids[0]);
      seen = await layout(page);
      inView(seen);
      // A long name is cut with an ellipsis.
      await rename(page, ids[0]!, "a rather long name for a tab");
      await expect.poll(() => tabTitle(page, ids[0]!), POLL).toBe("a rather long name for a tab");
      expect(
        await page
          .locator(`.tab[data-session-id="${ids[0]}"] .tab-title`)
          .evaluate((label) => label.scrollWidth > label.clientWidth),
      ).toBe(true);

      // Its × can be clicked (twice: the session runs), and the next tab comes to the front, in view.
      const close = page.locator('.tab[aria-selected="true"] .tab-close');
      await close.click();
      await page.locator('.tab[aria-selected="true"] .tab-close[data-armed]').click();
      await page.waitForFunction((n) => window.__porthole?.sessionIds().length === n, 3);
      expect(await page.evaluate(() => window.__porthole?.activeSessionId())).toBe(ids[1]);
      inView(await layout(page));

      // The short buttons work: "+ Claude" opens a Claude Code tab in front, in view.
      await page.click('button[data-new="claude"]');
      await page.waitForFunction(
        () =>
          document.querySelector('.tab[aria-selected="true"]')?.getAttribute("data-kind") ===
          "claude",
      );
      inView(await layout(page));
      await page.close();
    });
  }
});

describe.skipIf(skipClaudeTests)("a Claude Code tab's title", () => {
  const browser = useBrowser();
  let server: TestServer;
  beforeEach(() => requireClaude());

  beforeAll(async () => {
    server = await startClaudeTestServer({
      tokens: 1,
      shellSetup: [
        // The prompt Debian's and Ubuntu's /etc/skel/.bashrc give xterm terminals: it sets the
        // title to user@host: dir.
        "export PS1='\\[\\e]0;\\u@\\h: \\w\\a\\]ph$ '",
      ],
    });
  });

  afterAll(async () => {
    await server?.close();
  });

  it(
    "shows Claude Code's own title while it runs and the prompt's once it quits",
    { timeout: 120_000 },
    async () => {
      const page = await openApp(browser.context, server.url, server.tokens[0]!);
      const shell = (await page.evaluate(() => window.__porthole?.activeSessionId()))!;
      const promptTitle = /^\S+@\S+: ~$/;
      await expect.poll(() => tabTitle(page, shell), POLL).toMatch(promptTitle);
      await page.click('button[data-new="claude"]');
      await page.waitForFunction(
        () =>
          document.querySelector('.tab[aria-selected="true"]')?.getAttribute("data-kind") ===
          "claude",
      );
      await waitForStatus(page, "connected");
      const id = (await page.evaluate(() => window.__porthole?.activeSessionId()))!;
      expect(server.server.sessions.get(id)?.title).toBe("Claude Code");
      // Claude Code names itself (with a mark that turns while it works).
      await expect.poll(() => tabTitle(page, id), { timeout: 60_000 }).toMatch(/^\S+ Claude Code$/);
      await expect.poll(() => page.title(), POLL).toMatch(/^\S+ Claude Code · Porthole$/);
      // Quit once it is ready (offline, it waits on the network first): Ctrl-C twice. It clears
      // its title, and the shell's prompt sets its own.
      await waitForScreen(page, /\? for shortcuts/, 60_000);
      await screenshot(page, "tab-title-claude");
      await page.keyboard.press("Control+C");
      await page.waitForTimeout(200);
      await page.keyboard.press("Control+C");
      await expect.poll(() => tabTitle(page, id), { timeout: 20_000 }).toMatch(promptTitle);
      await waitForPrompt(page);
      expect(await page.title()).toMatch(/^\S+@\S+: ~ · Porthole$/);
      await page.close();
    },
  );
});

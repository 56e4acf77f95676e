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
import { NAMED_MARK } from "../src/tab-title.js";

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

/** Opens shells from the tab bar until the window has `count` tabs. */
async function openShells(page: Page, count: number): Promise<void> {
  for (let n = (await page.locator(".tab").count()) + 1; n <= count; n++) {
    await page.click('button[data-new="shell"]');
    await page.waitForFunction((wanted) => window.__porthole?.sessionIds().length === wanted, n);
    await waitForStatus(page, "connected");
  }
}

/** Each tab's label: its text, the width it has, and the width its text needs (in the tab's font). */
function labels(page: Page) {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>(".tab .tab-title")].map((label) => ({
      text: label.textContent ?? "",
      width: label.getBoundingClientRect().width,
      cut: label.scrollWidth > label.clientWidth,
    })),
  );
}

/** How wide `text` is in a tab's font. */
function textWidth(page: Page, text: string): Promise<number> {
  return page.evaluate((value) => {
    const probe = document.createElement("span");
    probe.style.cssText = "position: absolute; visibility: hidden; white-space: nowrap";
    probe.textContent = value;
    document.querySelector(".tab")!.append(probe);
    const width = probe.getBoundingClientRect().width;
    probe.remove();
    return width;
  }, text);
}

/** The session of the focused element, when it is a tab. */
function focusedTab(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const focused = document.activeElement;
    return focused instanceof HTMLElement && focused.getAttribute("role") === "tab"
      ? (focused.dataset.sessionId ?? null)
      : null;
  });
}

/** The front tab and its × are inside the tab list's box. */
function inView(found: Awaited<ReturnType<typeof layout>>): void {
  expect(found.active!.left).toBeGreaterThanOrEqual(found.list!.left - 1);
  expect(found.active!.right).toBeLessThanOrEqual(found.list!.right + 1);
  expect(found.activeClose!.width).toBeGreaterThan(10);
  expect(found.activeClose!.right).toBeLessThanOrEqual(found.list!.right + 1);
}

describe.skipIf(skipBrowserTests)("the tab bar", () => {
  const browser = useBrowser();
  let server: TestServer;
  const token = tokenDealer(() => server);

  beforeAll(async () => {
    server = await startTestServer({ tokens: 16 });
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

  for (const width of [1000, 640]) {
    it(`keeps a short name whole in each tab at ${width} px: the bar scrolls sooner`, async () => {
      const page = await openApp(browser.context, server.url, token(), "", { width, height: 480 });
      await openShells(page, 7);
      const seen = await layout(page);
      expect(seen.scrolls).toBe(true);
      const least = await textWidth(page, "Shell 12");
      for (const label of await labels(page)) {
        expect(label.width, label.text).toBeGreaterThanOrEqual(least);
        // "Shell", "Shell 2"... "Shell 7" show whole.
        expect(label.cut, label.text).toBe(false);
      }
      // A Claude Code tab's name shows its first word and more.
      await page.evaluate(() => {
        const label = document.querySelector<HTMLElement>(".tab .tab-title")!;
        label.dataset.saved = label.textContent ?? "";
        label.textContent = "Claude Code 12";
      });
      const claude = (await labels(page))[0]!;
      expect(claude.width).toBeGreaterThanOrEqual(await textWidth(page, "Claude C…"));
      await page.evaluate(() => {
        const label = document.querySelector<HTMLElement>(".tab .tab-title")!;
        label.textContent = label.dataset.saved ?? "";
      });
      inView(await layout(page));
      await screenshot(page, `tabs-${width}`);
      await page.close();
    });
  }

  it("scrolls the tabs sideways with a mouse wheel when they overflow, and only then", async () => {
    const page = await openApp(browser.context, server.url, token(), "", {
      width: 640,
      height: 480,
    });
    const list = page.locator(".tabs");
    const wheel = (deltaY: number) =>
      list.evaluate((element, delta) => {
        const event = new WheelEvent("wheel", { deltaY: delta, bubbles: true, cancelable: true });
        element.dispatchEvent(event);
        return { prevented: event.defaultPrevented, left: element.scrollLeft };
      }, deltaY);
    // One tab: nothing to scroll, the wheel is left to the page.
    expect(await wheel(100)).toEqual({ prevented: false, left: 0 });
    await openShells(page, 7);
    // The newest tab is in front, scrolled into view at the end: the wheel up goes left.
    const end = await list.evaluate((element) => element.scrollWidth - element.clientWidth);
    expect(end).toBeGreaterThan(0);
    await expect.poll(() => list.evaluate((element) => element.scrollLeft), POLL).toBe(end);
    // A real wheel over the bar (Chromium's, in pixels).
    const box = (await list.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, -120);
    await expect
      .poll(() => list.evaluate((element) => element.scrollLeft), POLL)
      .toBeLessThan(end - 50);
    // At the start, a wheel further up is not taken: it is the page's (nothing scrolls there).
    expect((await wheel(-100_000)).prevented).toBe(true);
    expect(await wheel(-100)).toEqual({ prevented: false, left: 0 });
    // Down again, sideways to the right, up to the end.
    expect(await wheel(100)).toEqual({ prevented: true, left: 100 });
    expect((await wheel(100_000)).left).toBe(end);
    // A touchpad's sideways swipe and Ctrl+wheel (zoom) are the browser's.
    const sideways = await list.evaluate((element) => {
      const event = new WheelEvent("wheel", { deltaX: -40, deltaY: 10, cancelable: true });
      element.dispatchEvent(event);
      return event.defaultPrevented;
    });
    expect(sideways).toBe(false);
    await page.close();
  });

  it("moves the focus along the tabs with the arrow keys, Home and End; Enter or Space brings one to the front", async () => {
    const page = await openApp(browser.context, server.url, token());
    await openShells(page, 3);
    const ids = (await page.evaluate(() => window.__porthole?.sessionIds()))!;
    expect(await page.locator('[role="tablist"] > [role="tab"]').count()).toBe(3);
    // Tab order reaches only the front tab (a roving tabindex): the keys move within the bar.
    expect(
      await page.evaluate(() =>
        [...document.querySelectorAll<HTMLElement>(".tab")].map((tab) => tab.tabIndex),
      ),
    ).toEqual([-1, -1, 0]);
    await page.focus(".tab[aria-selected='true']");
    expect(await focusedTab(page)).toBe(ids[2]);
    await page.keyboard.press("ArrowRight");
    expect(await focusedTab(page)).toBe(ids[0]); // round the end
    await page.keyboard.press("ArrowRight");
    expect(await focusedTab(page)).toBe(ids[1]);
    await page.keyboard.press("ArrowLeft");
    expect(await focusedTab(page)).toBe(ids[0]);
    await page.keyboard.press("ArrowLeft");
    expect(await focusedTab(page)).toBe(ids[2]);
    await page.keyboard.press("Home");
    expect(await focusedTab(page)).toBe(ids[0]);
    await page.keyboard.press("End");
    expect(await focusedTab(page)).toBe(ids[2]);
    // Moving the focus does not switch tabs (the terminal would take the keyboard).
    expect(await page.evaluate(() => window.__porthole?.activeSessionId())).toBe(ids[2]);
    await page.keyboard.press("Home");
    await page.keyboard.press("Enter");
    await page.waitForFunction((id) => window.__porthole?.activeSessionId() === id, ids[0]);
    // The keyboard went to that tab's terminal, without the Enter.
    await page.keyboard.type("echo first-$((2+3))");
    await page.keyboard.press("Enter");
    await waitForScreen(page, /^first-5$/m);
    await page.focus(".tab[aria-selected='true']");
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press(" ");
    await page.waitForFunction((id) => window.__porthole?.activeSessionId() === id, ids[1]);
    // F2 on a focused tab renames it.
    await page.focus(".tab[aria-selected='true']");
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("F2");
    await page.waitForSelector(`.tab[data-session-id="${ids[2]}"] .tab-rename`);
    await page.keyboard.type("third");
    await page.keyboard.press("Enter");
    await expect.poll(() => tabTitle(page, ids[2]!), POLL).toBe("third");
    await page.close();
  });

  it("keeps a program's title as a tab's name on Enter, and a name that reads as the app's", async () => {
    const key = token();
    const page = await openApp(browser.context, server.url, key);
    const id = (await page.evaluate(() => window.__porthole?.activeSessionId()))!;
    const tab = `.tab[data-session-id="${id}"]`;
    // A program sets a title with a status mark before it (as Claude Code does with its own).
    await setTitle(page, "✳ Shell");
    await expect.poll(() => tabTitle(page, id), POLL).toBe("✳ Shell");

    // A double-click and a click elsewhere rename nothing: the program's title still follows.
    await page.dblclick(tab);
    expect(await page.inputValue(".tab-rename")).toBe("Shell");
    await page.click(".terminal-view:not([hidden])", { position: { x: 20, y: 100 } });
    await page.waitForSelector(".tab-rename", { state: "detached" });
    expect(server.server.sessions.get(id)?.title).toBe("Shell");
    await setTitle(page, "⠂ Shell");
    await expect.poll(() => tabTitle(page, id), POLL).toBe("⠂ Shell");

    // Enter keeps what the field offers, the title without its mark, as the tab's name, though
    // unchanged, and though it is the tab's default name: it is saved marked as a person's.
    await page.dblclick(tab);
    expect(await page.inputValue(".tab-rename")).toBe("Shell");
    await page.keyboard.press("Enter");
    await expect.poll(() => server.server.sessions.get(id)?.title, POLL).toBe(`Shell${NAMED_MARK}`);
    await expect.poll(() => tabTitle(page, id), POLL).toBe("Shell");
    await setTitle(page, "✳ Shell");
    await expect.poll(() => page.getAttribute(tab, "title"), POLL).toContain("✳ Shell");
    expect(await tabTitle(page, id)).toBe("Shell");

    // "Shell 7" reads as a name the app gives, yet it is a person's: it stays over the program's.
    await rename(page, id, "Shell 7");
    await expect.poll(() => tabTitle(page, id), POLL).toBe("Shell 7");
    await expect
      .poll(() => server.server.sessions.get(id)?.title, POLL)
      .toBe(`Shell 7${NAMED_MARK}`);
    await setTitle(page, "vim main.c");
    await expect.poll(() => page.getAttribute(tab, "title"), POLL).toContain("vim main.c");
    expect(await tabTitle(page, id)).toBe("Shell 7");
    expect(await page.title()).toBe("Shell 7 · Porthole");
    // Another window, and this one reloaded, tell it from the app's name too.
    const other = await openApp(browser.context, server.url, key, "", { width: 700, height: 400 });
    await expect.poll(() => other.getAttribute(tab, "title"), POLL).toContain("vim main.c");
    expect(await tabTitle(other, id)).toBe("Shell 7");
    await other.close();
    await page.reload();
    await waitForStatus(page, "connected");
    await expect.poll(() => page.getAttribute(tab, "title"), POLL).toContain("vim main.c");
    expect(await tabTitle(page, id)).toBe("Shell 7");
    // A new tab is not given the number that shows already.
    await page.click('button[data-new="shell"]');
    await page.waitForFunction(() => window.__porthole?.sessionIds().length === 2);
    expect(await page.locator(".tab-title").allTextContents()).toEqual(["Shell 7", "Shell"]);

    // Renamed to nothing, the tab shows the program's title again.
    await page.click(tab);
    await rename(page, id, "");
    await expect.poll(() => tabTitle(page, id), POLL).toBe("vim main.c");
    await page.close();
  });

  for (const viewport of [
    { width: 320, height: 480 },
    { width: 390, height: 844 },
    { width: 480, height: 480 },
    { width: 1000, height: 640 },
  ]) {
    it(`shows the keys panel whole in a ${viewport.width}x${viewport.height} window`, async () => {
      const page = await openApp(browser.context, server.url, token(), "", viewport);
      await page.click(".tab-actions .help");
      const panel = page.locator(".keys-help");
      await panel.waitFor({ state: "visible" });
      const seen = await panel.evaluate((element) => {
        const box = element.getBoundingClientRect();
        return {
          panel: { left: box.left, right: box.right },
          sideways: element.scrollWidth > element.clientWidth,
          parts: [...element.querySelectorAll("dt, dd")].map((part) => {
            const rect = part.getBoundingClientRect();
            return { text: part.textContent ?? "", left: rect.left, right: rect.right };
          }),
        };
      });
      expect(seen.panel.left).toBeGreaterThanOrEqual(0);
      expect(seen.panel.right).toBeLessThanOrEqual(viewport.width);
      expect(seen.sideways).toBe(false);
      for (const part of seen.parts) {
        expect(part.left, part.text).toBeGreaterThanOrEqual(seen.panel.left);
        expect(part.right, part.text).toBeLessThanOrEqual(seen.panel.right);
        // Stacked in a narrow window: each as wide as the panel.
        if (viewport.width <= 520) {
          expect(part.right - part.left, part.text).toBeGreaterThan(viewport.width / 2);
        }
      }
      await screenshot(page, `keys-help-${viewport.width}x${viewport.height}`);
      await page.close();
    });
  }

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

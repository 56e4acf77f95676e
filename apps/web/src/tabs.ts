// The tab bar: one tab per session, new shell / new Claude Code buttons, switch, rename (double-click) and close.
import { MAX_TITLE_LENGTH, type SessionKind } from "@porthole/protocol";
import type { Tone } from "./status-bar.js";

/** One tab as the bar draws it. */
export interface TabItem {
  /** Stable for the tab's life (the session behind it changes on restart). */
  key: string;
  sessionId: string | null;
  title: string;
  tooltip: string;
  kind: SessionKind;
  tone: Tone;
  active: boolean;
  /** Its session still runs: closing ends it, so × asks to be clicked again. */
  running: boolean;
}

/** How long a × clicked once waits for the second click that ends a running session. */
export const CLOSE_CONFIRM_MS = 3000;

/** What the tab bar asks the app to do. */
export interface TabBarHandlers {
  select(key: string): void;
  close(key: string): void;
  rename(key: string, title: string): void;
  /** Editing a title ended by Enter or Escape: the keyboard goes back where it was. */
  renameDone(): void;
  create(kind: SessionKind): void;
  /** "?" was clicked: show or hide the keyboard shortcuts. */
  help(): void;
}

/** The bar at the top of the page. */
export class TabBar {
  /** The header element. */
  readonly element: HTMLElement;
  readonly #list: HTMLElement;
  readonly #handlers: TabBarHandlers;
  #items: TabItem[] = [];
  #editing: string | null = null;
  /** The tab whose × was clicked once, and the timer that forgets it. */
  #armed: { key: string; timer: ReturnType<typeof setTimeout> } | null = null;

  constructor(handlers: TabBarHandlers) {
    this.#handlers = handlers;
    this.element = document.createElement("header");
    this.element.className = "tab-bar";
    this.#list = document.createElement("div");
    this.#list.className = "tabs";
    this.#list.setAttribute("role", "tablist");
    const actions = document.createElement("div");
    actions.className = "tab-actions";
    actions.append(
      this.#newButton("shell", "+ Shell", "Open a new shell"),
      this.#newButton("claude", "+ Claude Code", "Open a new Claude Code session"),
      this.#helpButton(),
    );
    this.element.append(this.#list, actions);
  }

  /** The front tab's key when it was last scrolled into view. */
  #shownActive: string | null = null;
  /** What the tabs were last drawn from, so a redraw that changes nothing is skipped. */
  #drawn = "";

  /** Draws the tabs (deferred while a title is being edited). */
  render(items: TabItem[]): void {
    this.#items = items;
    if (this.#editing !== null) return;
    // Redrawing replaces every button: a click pressed before and released after would be lost
    // (the page redraws often, e.g. for the latency figure).
    const drawn = JSON.stringify([items, this.#armed?.key ?? null]);
    if (drawn === this.#drawn) return;
    this.#drawn = drawn;
    const tabs = items.map((item) => this.#tab(item));
    this.#list.replaceChildren(...tabs);
    // A tab that just came to the front is shown, though the bar scrolled elsewhere (a new tab
    // lands at the end of a long bar).
    const active = items.findIndex((item) => item.active);
    const key = items[active]?.key ?? null;
    if (key !== this.#shownActive) {
      this.#shownActive = key;
      tabs[active]?.scrollIntoView({ block: "nearest", inline: "nearest" });
    }
  }

  /** Starts editing a tab's title. */
  startRename(key: string): void {
    const item = this.#items.find((candidate) => candidate.key === key);
    const tab = [...this.#list.children].find(
      (element): element is HTMLElement =>
        element instanceof HTMLElement && element.dataset.key === key,
    );
    const label = tab?.querySelector(".tab-title");
    if (!item || !tab || !label) return;
    this.#editing = key;
    const input = document.createElement("input");
    input.className = "tab-rename";
    input.value = item.title;
    input.maxLength = MAX_TITLE_LENGTH;
    input.setAttribute("aria-label", "Tab title");
    let done = false;
    const finish = (save: boolean) => {
      if (done) return;
      done = true;
      this.#editing = null;
      const title = input.value.trim();
      if (save && title !== "" && title !== item.title) this.#handlers.rename(key, title);
      // The input replaced the tab's title in place: draw afresh.
      this.#drawn = "";
      this.render(this.#items);
    };
    input.addEventListener("keydown", (event) => {
      event.stopPropagation();
      if (event.key !== "Enter" && event.key !== "Escape") return;
      // The keyboard goes to the terminal below: Enter's keypress, still to come, would follow
      // it there and run what was half typed at the prompt.
      event.preventDefault();
      finish(event.key === "Enter");
      // The input is gone with the redraw, and the keyboard with it, unless it is handed back.
      this.#handlers.renameDone();
    });
    input.addEventListener("blur", () => finish(true));
    input.addEventListener("click", (event) => event.stopPropagation());
    label.replaceWith(input);
    input.focus();
    input.select();
  }

  /**
   * Closes a tab whose session is over at once; a running one on the second click within
   * CLOSE_CONFIRM_MS, since closing ends the shell and whatever runs in it (Claude Code).
   */
  #closeClicked(item: TabItem): void {
    const confirmed = this.#armed?.key === item.key;
    this.#disarm();
    if (!item.running || confirmed) {
      this.#handlers.close(item.key);
      return;
    }
    this.#armed = { key: item.key, timer: setTimeout(() => this.#disarm(true), CLOSE_CONFIRM_MS) };
    this.render(this.#items);
  }

  #disarm(redraw = false): void {
    if (!this.#armed) return;
    clearTimeout(this.#armed.timer);
    this.#armed = null;
    if (redraw) this.render(this.#items);
  }

  #newButton(kind: SessionKind, label: string, title: string): HTMLButtonElement {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "new-tab";
    button.dataset.new = kind;
    button.textContent = label;
    button.title = title;
    button.addEventListener("click", () => this.#handlers.create(kind));
    return button;
  }

  #helpButton(): HTMLButtonElement {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "help";
    button.textContent = "?";
    button.title = "Keyboard shortcuts";
    button.setAttribute("aria-label", "Keyboard shortcuts");
    // Pressed while the panel is open, the press would first close it (focus leaves the panel).
    button.addEventListener("mousedown", (event) => event.preventDefault());
    button.addEventListener("click", () => this.#handlers.help());
    return button;
  }

  #tab(item: TabItem): HTMLElement {
    const tab = document.createElement("div");
    tab.className = "tab";
    tab.dataset.key = item.key;
    tab.dataset.kind = item.kind;
    if (item.sessionId) tab.dataset.sessionId = item.sessionId;
    tab.setAttribute("role", "tab");
    tab.setAttribute("aria-selected", String(item.active));
    tab.tabIndex = item.active ? 0 : -1;
    tab.title = item.tooltip;
    const dot = document.createElement("span");
    dot.className = "tab-dot";
    dot.dataset.tone = item.tone;
    const label = document.createElement("span");
    label.className = "tab-title";
    label.textContent = item.title;
    const close = document.createElement("button");
    close.type = "button";
    close.className = "tab-close";
    const armed = this.#armed?.key === item.key && item.running;
    close.textContent = armed ? "End?" : "×";
    close.title = armed
      ? "Click again to end the session and everything running in it"
      : "Close (ends the session)";
    if (armed) close.dataset.armed = "true";
    close.setAttribute("aria-label", armed ? `End ${item.title}` : `Close ${item.title}`);
    close.addEventListener("click", (event) => {
      event.stopPropagation();
      this.#closeClicked(item);
    });
    tab.append(dot, label, close);
    tab.addEventListener("click", () => this.#handlers.select(item.key));
    tab.addEventListener("auxclick", (event) => {
      if (event.button === 1) this.#closeClicked(item);
    });
    tab.addEventListener("dblclick", () => this.startRename(item.key));
    tab.addEventListener("keydown", (event) => {
      if (event.key === "F2") this.startRename(item.key);
    });
    return tab;
  }
}

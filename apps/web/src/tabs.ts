// The tab bar: one tab per session, new shell / new Claude Code buttons, switch, rename (double-click) and close.
import { MAX_TITLE_LENGTH, type SessionKind } from "@porthole/protocol";
import type { Tone } from "./status-bar.js";
import { withoutStatusGlyph } from "./tab-title.js";

/** One tab as the bar draws it. */
export interface TabItem {
  /** Stable for the tab's life (the session behind it changes on restart). */
  key: string;
  sessionId: string | null;
  /** The label: a name a person gave, or the title the program set (see shownTitle). */
  title: string;
  /** The session's own name as shown (see nameOf): a person's, or the app's ("Shell 2"). */
  name: string;
  /** Whether `name` is one a person gave (else the app's default, see isDefaultTitle). */
  named: boolean;
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
  /** A title was typed for the tab; "" gives it back its default name and the program's title. */
  rename(key: string, title: string): void;
  /** Editing a title ended by Enter or Escape: the keyboard goes back where it was. */
  renameDone(): void;
  create(kind: SessionKind): void;
  /** "?" was clicked: show or hide the keyboard shortcuts. */
  help(): void;
}

/** A tab's elements, kept across redraws. */
interface TabElements {
  tab: HTMLElement;
  dot: HTMLElement;
  label: HTMLElement;
  close: HTMLButtonElement;
}

/** The bar at the top of the page. */
export class TabBar {
  /** The header element. */
  readonly element: HTMLElement;
  readonly #list: HTMLElement;
  readonly #handlers: TabBarHandlers;
  #items: TabItem[] = [];
  /** Each drawn tab's elements, by key. */
  readonly #drawnTabs = new Map<string, TabElements>();
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
      this.#newButton("shell", "Shell", "Open a new shell"),
      this.#newButton("claude", "Claude Code", "Open a new Claude Code session", "Claude"),
      this.#helpButton(),
    );
    this.element.append(this.#list, actions);
    this.#list.addEventListener("wheel", (event) => this.#wheel(event), { passive: false });
    this.#list.addEventListener("keydown", (event) => this.#moveFocus(event));
    // A window made narrower (a phone turned, a split view) can leave the front tab out of sight.
    new ResizeObserver(() => this.#showActive()).observe(this.#list);
  }

  /** The front tab's key when it was last scrolled into view. */
  #shownActive: string | null = null;
  /** What the tabs were last drawn from, so a redraw that changes nothing is skipped. */
  #drawn = "";

  /** Draws the tabs (deferred while a title is being edited). */
  render(items: TabItem[]): void {
    this.#items = items;
    if (this.#editing !== null) return;
    const drawn = JSON.stringify([items, this.#armed?.key ?? null]);
    if (drawn === this.#drawn) return;
    this.#drawn = drawn;
    // Tabs are updated in place, not replaced: a program animating its title (Claude Code's
    // spinner, once a second) would otherwise swallow clicks pressed before a redraw and released
    // after it, and split double-clicks.
    const tabs = items.map((item) => {
      let elements = this.#drawnTabs.get(item.key);
      if (!elements) {
        elements = this.#tabElements(item.key);
        this.#drawnTabs.set(item.key, elements);
      }
      this.#update(elements, item);
      return elements.tab;
    });
    for (const key of [...this.#drawnTabs.keys()]) {
      if (!items.some((item) => item.key === key)) this.#drawnTabs.delete(key);
    }
    const children = [...this.#list.children];
    if (children.length !== tabs.length || tabs.some((tab, index) => children[index] !== tab)) {
      this.#list.replaceChildren(...tabs);
    }
    // A tab that just came to the front is shown, though the bar scrolled elsewhere (a new tab
    // lands at the end of a long bar; a narrow window shows one tab or two).
    const key = items.find((item) => item.active)?.key ?? null;
    if (key !== this.#shownActive) {
      this.#shownActive = key;
      this.#showActive();
    }
  }

  /** Scrolls the bar so that the front tab shows. */
  #showActive(): void {
    const key = this.#items.find((item) => item.active)?.key;
    const tab = key === undefined ? undefined : this.#drawnTabs.get(key)?.tab;
    tab?.scrollIntoView({ block: "nearest", inline: "nearest" });
  }

  /**
   * A mouse's vertical wheel over a bar with more tabs than fit scrolls it sideways (a touchpad's
   * sideways swipe already does). When everything fits, or the bar is at that end already, the
   * wheel is left alone.
   */
  #wheel(event: WheelEvent): void {
    const list = this.#list;
    if (event.ctrlKey || event.deltaX !== 0 || event.deltaY === 0) return;
    const room = list.scrollWidth - list.clientWidth;
    if (room <= 0) return;
    // Lines (Firefox's mouse wheels) and pages are turned into pixels.
    const unit =
      event.deltaMode === WheelEvent.DOM_DELTA_LINE
        ? 20
        : event.deltaMode === WheelEvent.DOM_DELTA_PAGE
          ? list.clientWidth
          : 1;
    const delta = event.deltaY * unit;
    const to = Math.min(room, Math.max(0, list.scrollLeft + delta));
    if (Math.abs(to - list.scrollLeft) < 0.5) return;
    event.preventDefault();
    list.scrollLeft = to;
  }

  /**
   * The keys of a tablist (WAI-ARIA's tabs pattern, activated by hand): ArrowLeft and ArrowRight
   * move the focus to the previous and next tab (round the ends), Home and End to the first and
   * last; Enter or Space brings the focused tab to the front, F2 renames it.
   */
  #moveFocus(event: KeyboardEvent): void {
    const tab = event.target;
    if (!(tab instanceof HTMLElement) || tab.getAttribute("role") !== "tab") return;
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    const tabs = [...this.#list.children].filter(
      (element): element is HTMLElement => element instanceof HTMLElement,
    );
    const index = tabs.indexOf(tab);
    if (index === -1) return;
    let next: HTMLElement | undefined;
    if (event.key === "ArrowLeft") next = tabs[(index - 1 + tabs.length) % tabs.length];
    else if (event.key === "ArrowRight") next = tabs[(index + 1) % tabs.length];
    else if (event.key === "Home") next = tabs[0];
    else if (event.key === "End") next = tabs[tabs.length - 1];
    if (!next) return;
    event.preventDefault();
    next.focus();
    next.scrollIntoView({ block: "nearest", inline: "nearest" });
  }

  /** Starts editing a tab's title. */
  startRename(key: string): void {
    const item = this.#items.find((candidate) => candidate.key === key);
    const tab = [...this.#list.children].find(
      (element): element is HTMLElement =>
        element instanceof HTMLElement && element.dataset.key === key,
    );
    const label = tab?.querySelector(".tab-title");
    if (!item || !tab || !label || this.#editing !== null) return;
    this.#editing = key;
    const input = document.createElement("input");
    input.className = "tab-rename";
    // What the tab shows; a program's title without its status mark (a spinner would stand still).
    const draft = item.named ? item.name : withoutStatusGlyph(item.title);
    input.value = draft;
    input.maxLength = MAX_TITLE_LENGTH;
    input.setAttribute("aria-label", "Tab title");
    let done = false;
    /**
     * Enter names the tab what the field holds, even unchanged: a tab showing its program's title
     * keeps it as its name. A click elsewhere saves only a change, so a stray double-click on a
     * tab renames nothing.
     */
    const finish = (how: "enter" | "escape" | "blur") => {
      if (done) return;
      done = true;
      this.#editing = null;
      const title = input.value.trim();
      const save =
        how === "enter" ? !(item.named && title === item.name) : how === "blur" && title !== draft;
      if (save) this.#handlers.rename(key, title);
      input.replaceWith(label);
      this.#drawn = "";
      this.render(this.#items);
    };
    input.addEventListener("keydown", (event) => {
      event.stopPropagation();
      if (event.key !== "Enter" && event.key !== "Escape") return;
      // The keyboard goes to the terminal below: Enter's keypress, still to come, would follow
      // it there and run what was half typed at the prompt.
      event.preventDefault();
      finish(event.key === "Enter" ? "enter" : "escape");
      // The input is gone with the redraw, and the keyboard with it, unless it is handed back.
      this.#handlers.renameDone();
    });
    input.addEventListener("blur", () => finish("blur"));
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

  /**
   * "+ name", which a narrow window's stylesheet shortens to "+ short" (or "+" alone): `title`
   * is the tooltip and the accessible name, whichever label shows.
   */
  #newButton(kind: SessionKind, name: string, title: string, short = ""): HTMLButtonElement {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "new-tab";
    button.dataset.new = kind;
    const plus = document.createElement("span");
    plus.textContent = "+";
    plus.setAttribute("aria-hidden", "true");
    const full = document.createElement("span");
    full.className = "new-tab-name";
    full.textContent = ` ${name}`;
    button.append(plus, full);
    if (short !== "") {
      const shorter = document.createElement("span");
      shorter.className = "new-tab-short";
      shorter.textContent = ` ${short}`;
      shorter.setAttribute("aria-hidden", "true");
      button.append(shorter);
    }
    button.title = title;
    button.setAttribute("aria-label", title);
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

  /** A tab's elements; what they show is set by #update. */
  #tabElements(key: string): TabElements {
    const tab = document.createElement("div");
    tab.className = "tab";
    tab.dataset.key = key;
    tab.setAttribute("role", "tab");
    const dot = document.createElement("span");
    dot.className = "tab-dot";
    const label = document.createElement("span");
    label.className = "tab-title";
    const close = document.createElement("button");
    close.type = "button";
    close.className = "tab-close";
    // The item as last drawn: the handlers outlive any one redraw.
    const current = () => this.#items.find((item) => item.key === key);
    close.addEventListener("click", (event) => {
      event.stopPropagation();
      const item = current();
      if (item) this.#closeClicked(item);
    });
    tab.append(dot, label, close);
    tab.addEventListener("click", () => this.#handlers.select(key));
    tab.addEventListener("auxclick", (event) => {
      const item = current();
      if (event.button === 1 && item) this.#closeClicked(item);
    });
    tab.addEventListener("dblclick", () => this.startRename(key));
    tab.addEventListener("keydown", (event) => {
      // Only the tab's own keys: not those of its rename field or its ×.
      if (event.target !== tab) return;
      if (event.key === "F2") {
        event.preventDefault();
        this.startRename(key);
      } else if (event.key === "Enter" || event.key === " ") {
        // Not also a keypress for the terminal that gets the keyboard next, nor a page scroll.
        event.preventDefault();
        this.#handlers.select(key);
      }
    });
    return { tab, dot, label, close };
  }

  #update({ tab, dot, label, close }: TabElements, item: TabItem): void {
    tab.dataset.kind = item.kind;
    if (item.sessionId) tab.dataset.sessionId = item.sessionId;
    else delete tab.dataset.sessionId;
    tab.setAttribute("aria-selected", String(item.active));
    tab.tabIndex = item.active ? 0 : -1;
    tab.title = item.tooltip;
    dot.dataset.tone = item.tone;
    label.textContent = item.title;
    const armed = this.#armed?.key === item.key && item.running;
    close.textContent = armed ? "End?" : "×";
    close.title = armed
      ? "Click again to end the session and everything running in it"
      : "Close (ends the session)";
    if (armed) close.dataset.armed = "true";
    else delete close.dataset.armed;
    close.setAttribute("aria-label", armed ? `End ${item.title}` : `Close ${item.title}`);
  }
}

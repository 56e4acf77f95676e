// The keys panel ("?" in the tab bar): what the page adds to the terminal's own keys and mouse.

/** One shortcut: the keys (or gesture) and what it does. */
export interface Shortcut {
  keys: string;
  does: string;
}

/** Every shortcut the page handles itself, as the panel lists them. */
export const SHORTCUTS: readonly Shortcut[] = [
  { keys: "Ctrl+Shift+C", does: "Copy the selection" },
  { keys: "Ctrl+Shift+V", does: "Paste (bracketed when the program asks for it)" },
  {
    keys: "Ctrl+Shift+F",
    does: "Find in the scrollback: Enter for the next match, Shift+Enter for the previous, Escape to close",
  },
  {
    keys: "Shift+drag",
    does: "Select text while the program uses the mouse (Option+drag on a Mac)",
  },
  {
    keys: "Double-click a tab (or F2 on a focused tab)",
    does: "Rename it: Enter saves, Escape cancels. Until you rename a tab it shows the title its program sets; an empty name goes back to that",
  },
  {
    keys: "← → Home End on a focused tab",
    does: "Move between the tabs; Enter or Space brings the focused one to the front",
  },
  { keys: "Mouse wheel over the tabs", does: "Scroll them sideways when more than fit" },
  {
    keys: "× on a tab, or middle-click",
    does: "Close it; a session still running asks for a second click (End?), as closing ends it",
  },
  { keys: "Enter in an ended tab", does: "Start a new session in it" },
  {
    keys: "Type in a window",
    does: "With the same session open in two windows, the program draws for the one typed in (or focused) last; the other shows that size and scrolls",
  },
  { keys: "Ctrl+V", does: "Sent to the program, as in any terminal (paste is Ctrl+Shift+V)" },
];

/** A panel over the terminal listing SHORTCUTS; Escape, a click outside or "?" again close it. */
export class KeysHelp {
  /** The panel's element, placed over the terminal area. */
  readonly element: HTMLElement;
  readonly #onClose: () => void;

  /** `onClose` gives the keyboard back (to the terminal). */
  constructor(onClose: () => void) {
    this.#onClose = onClose;
    this.element = document.createElement("section");
    this.element.className = "keys-help";
    this.element.hidden = true;
    this.element.tabIndex = -1;
    this.element.setAttribute("aria-label", "Keyboard shortcuts");
    const heading = document.createElement("h2");
    heading.textContent = "Keys";
    const list = document.createElement("dl");
    for (const shortcut of SHORTCUTS) {
      const keys = document.createElement("dt");
      keys.textContent = shortcut.keys;
      const does = document.createElement("dd");
      does.textContent = shortcut.does;
      list.append(keys, does);
    }
    this.element.append(heading, list);
    this.element.addEventListener("keydown", (event) => {
      if (event.key !== "Escape") return;
      event.preventDefault();
      this.close();
    });
    // Leaving the panel closes it. Focus that went to nothing (a click on the status bar) comes
    // back to the terminal; focus taken by something else (the terminal, the search box) stays.
    this.element.addEventListener("focusout", (event) => {
      const to = event.relatedTarget as Node | null;
      if (!this.element.contains(to)) this.close(to === null);
    });
  }

  /** Whether the panel is shown. */
  get isOpen(): boolean {
    return !this.element.hidden;
  }

  /** Shows the panel, or hides it when shown. */
  toggle(): void {
    if (this.isOpen) {
      this.close();
      return;
    }
    this.element.hidden = false;
    this.element.focus();
  }

  /** Hides the panel; `giveFocusBack` returns the keyboard to the terminal. */
  close(giveFocusBack = true): void {
    if (!this.isOpen) return;
    this.element.hidden = true;
    if (giveFocusBack) this.#onClose();
  }
}

// The search box (Ctrl+Shift+F): finds text in the front terminal's screen and scrollback.
import type { ISearchOptions, SearchAddon } from "@xterm/addon-search";
import type { IDisposable } from "@xterm/xterm";

/** The outline around the active match, and its mark beside the scroll bar. */
const ACTIVE_MATCH_BORDER = "#ffd866";

const SEARCH_OPTIONS: ISearchOptions = {
  caseSensitive: false,
  decorations: {
    matchBackground: "#3e4451",
    matchOverviewRuler: "#888888",
    // The addon also selects the active match, and the DOM renderer paints the selection over
    // the match's background: only an outline (drawn above both) shows which match it is.
    activeMatchBackground: "#b58900",
    activeMatchBorder: ACTIVE_MATCH_BORDER,
    activeMatchColorOverviewRuler: ACTIVE_MATCH_BORDER,
  },
};

/** What the search box searches in. */
export interface SearchTarget {
  search: SearchAddon;
  focus(): void;
}

/** A small box floating over the terminal: a field, previous / next, the match count and close. */
export class SearchBox {
  /** The box's element, placed over the terminal area. */
  readonly element: HTMLElement;
  readonly #input: HTMLInputElement;
  readonly #count: HTMLElement;
  readonly #target: () => SearchTarget | null;
  #bound: { target: SearchTarget; listener: IDisposable } | null = null;

  constructor(target: () => SearchTarget | null) {
    this.#target = target;
    this.element = document.createElement("div");
    this.element.className = "search-box";
    this.element.hidden = true;
    this.element.setAttribute("role", "search");
    this.#input = document.createElement("input");
    this.#input.type = "search";
    this.#input.placeholder = "Find";
    this.#input.setAttribute("aria-label", "Find in terminal");
    this.#count = document.createElement("span");
    this.#count.className = "search-count";
    const previous = this.#button("↑", "Previous match (Shift+Enter)", () => this.find(false));
    const next = this.#button("↓", "Next match (Enter)", () => this.find(true));
    const close = this.#button("×", "Close (Escape)", () => this.close());
    this.element.append(this.#input, this.#count, previous, next, close);
    this.#input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        this.find(!event.shiftKey);
      } else if (event.key === "Escape") {
        event.preventDefault();
        this.close();
      }
    });
    this.#input.addEventListener("input", () => this.find(true, true));
  }

  /** Whether the box is shown. */
  get isOpen(): boolean {
    return !this.element.hidden;
  }

  /** Shows the box and puts the cursor in its field. */
  open(): void {
    this.element.hidden = false;
    this.#input.focus();
    this.#input.select();
    if (this.#input.value) this.find(true, true);
  }

  /** Hides the box, clears the highlights and gives the focus back to the terminal. */
  close(): void {
    this.element.hidden = true;
    this.#count.textContent = "";
    const bound = this.#bound;
    this.#unbind();
    bound?.target.search.clearDecorations();
    this.#target()?.focus();
  }

  /** Moves to the next (or previous) match of the field's text. */
  find(forward: boolean, incremental = false): void {
    const target = this.#target();
    if (!target) return;
    this.#bind(target);
    const term = this.#input.value;
    if (term === "") {
      target.search.clearDecorations();
      this.#count.textContent = "";
      return;
    }
    const options = { ...SEARCH_OPTIONS, incremental };
    const found = forward
      ? target.search.findNext(term, options)
      : target.search.findPrevious(term, options);
    if (!found) this.#count.textContent = "No matches";
  }

  #bind(target: SearchTarget): void {
    if (this.#bound?.target === target) return;
    this.#unbind();
    const listener = target.search.onDidChangeResults(({ resultIndex, resultCount }) => {
      this.#count.textContent =
        resultCount === 0
          ? "No matches"
          : `${resultIndex >= 0 ? resultIndex + 1 : "?"} of ${resultCount}`;
    });
    this.#bound = { target, listener };
  }

  #unbind(): void {
    this.#bound?.listener.dispose();
    this.#bound = null;
  }

  #button(label: string, title: string, action: () => void): HTMLButtonElement {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = label;
    button.title = title;
    button.setAttribute("aria-label", title);
    button.addEventListener("click", action);
    return button;
  }
}

// The key bar for touch screens: Esc, Tab, sticky Ctrl and Alt, arrows and Ctrl-C.

/** Modifiers armed on the key bar, applied to the next key typed. */
export interface Modifiers {
  ctrl: boolean;
  alt: boolean;
}

const CTRL_SYMBOLS: Record<string, string> = {
  "@": "\x00",
  " ": "\x00",
  "[": "\x1b",
  "\\": "\x1c",
  "]": "\x1d",
  "^": "\x1e",
  _: "\x1f",
  "?": "\x7f",
};

/**
 * What a key sends with the armed modifiers: Ctrl turns a letter into its control character
 * (c becomes ^C), Alt prefixes ESC (as xterm's "meta sends escape"). Longer input (a paste, an
 * escape sequence) passes through unchanged.
 */
export function applyModifiers(data: string, modifiers: Modifiers): string {
  let out = data;
  if (modifiers.ctrl && [...data].length === 1) {
    const code = data.charCodeAt(0);
    if ((code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a)) {
      out = String.fromCharCode(code & 0x1f);
    } else if (data in CTRL_SYMBOLS) {
      out = CTRL_SYMBOLS[data]!;
    }
  }
  if (modifiers.alt && [...data].length === 1) out = `\x1b${out}`;
  return out;
}

/** An arrow key's sequence: `ESC O A` in application cursor mode (vim, less), else `ESC [ A`. */
export function arrowSequence(
  direction: "up" | "down" | "right" | "left",
  application: boolean,
): string {
  const letter = { up: "A", down: "B", right: "C", left: "D" }[direction];
  return `\x1b${application ? "O" : "["}${letter}`;
}

/** What the key bar drives: the terminal in front. */
export interface KeyBarTarget {
  /** Sends keys as if typed (through the modifiers already applied). */
  sendKeys(data: string): void;
  /** Whether the program asked for application cursor keys. */
  applicationCursorKeys(): boolean;
  /** Gives the keyboard focus back to the terminal. */
  focus(): void;
}

interface KeySpec {
  label: string;
  title: string;
  action: (bar: KeyBar) => void;
  modifier?: keyof Modifiers;
}

const KEYS: KeySpec[] = [
  { label: "Esc", title: "Escape", action: (bar) => bar.press("\x1b") },
  { label: "Tab", title: "Tab", action: (bar) => bar.press("\t") },
  {
    label: "Ctrl",
    title: "Ctrl (applies to the next key)",
    action: (bar) => bar.toggle("ctrl"),
    modifier: "ctrl",
  },
  {
    label: "Alt",
    title: "Alt (applies to the next key)",
    action: (bar) => bar.toggle("alt"),
    modifier: "alt",
  },
  { label: "←", title: "Left", action: (bar) => bar.arrow("left") },
  { label: "↑", title: "Up", action: (bar) => bar.arrow("up") },
  { label: "↓", title: "Down", action: (bar) => bar.arrow("down") },
  { label: "→", title: "Right", action: (bar) => bar.arrow("right") },
  { label: "^C", title: "Ctrl-C (interrupt)", action: (bar) => bar.press("\x03") },
];

/**
 * The bar itself. CSS shows it only on coarse pointers or narrow screens. Buttons act on
 * pointerdown and cancel it, so the terminal keeps the focus and the on-screen keyboard stays.
 */
export class KeyBar {
  /** The toolbar element. */
  readonly element: HTMLElement;
  readonly #target: () => KeyBarTarget | null;
  readonly #modifierButtons = new Map<keyof Modifiers, HTMLButtonElement>();
  #modifiers: Modifiers = { ctrl: false, alt: false };

  constructor(target: () => KeyBarTarget | null) {
    this.#target = target;
    this.element = document.createElement("div");
    this.element.className = "key-bar";
    this.element.setAttribute("role", "toolbar");
    this.element.setAttribute("aria-label", "Extra keys");
    for (const spec of KEYS) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = spec.label;
      button.title = spec.title;
      button.dataset.key = spec.label;
      if (spec.modifier) {
        button.setAttribute("aria-pressed", "false");
        this.#modifierButtons.set(spec.modifier, button);
      }
      button.addEventListener("pointerdown", (event) => {
        event.preventDefault();
        spec.action(this);
      });
      // Keyboard activation (Enter or Space on a focused button) arrives as a click with detail 0.
      button.addEventListener("click", (event) => {
        if (event.detail === 0) spec.action(this);
      });
      this.element.append(button);
    }
  }

  /** The modifiers armed now. */
  get modifiers(): Modifiers {
    return { ...this.#modifiers };
  }

  /** Applies and disarms the armed modifiers: call with each key the terminal sends. */
  consume(data: string): string {
    if (!this.#modifiers.ctrl && !this.#modifiers.alt) return data;
    const out = applyModifiers(data, this.#modifiers);
    this.#set({ ctrl: false, alt: false });
    return out;
  }

  /** Arms or disarms a modifier. */
  toggle(modifier: keyof Modifiers): void {
    this.#set({ ...this.#modifiers, [modifier]: !this.#modifiers[modifier] });
    this.#target()?.focus();
  }

  /** Sends a key through the armed modifiers. */
  press(data: string): void {
    const target = this.#target();
    if (!target) return;
    target.sendKeys(this.consume(data));
    target.focus();
  }

  /** Sends an arrow key in the mode the program asked for (Alt applies, Ctrl is dropped). */
  arrow(direction: "up" | "down" | "right" | "left"): void {
    const target = this.#target();
    if (!target) return;
    const alt = this.#modifiers.alt;
    this.#set({ ctrl: false, alt: false });
    const sequence = arrowSequence(direction, target.applicationCursorKeys());
    target.sendKeys(alt ? `\x1b${sequence}` : sequence);
    target.focus();
  }

  #set(modifiers: Modifiers): void {
    this.#modifiers = modifiers;
    for (const [name, button] of this.#modifierButtons) {
      button.setAttribute("aria-pressed", String(modifiers[name]));
    }
  }
}

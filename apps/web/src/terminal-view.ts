// One tab's terminal: an xterm.js instance attached to a server session (replay, flow control, input, resize).
import {
  type FramePacer,
  MAX_COLS,
  MAX_ROWS,
  MIN_COLS,
  MIN_ROWS,
  type ErrorCode,
  type OutputStreamEvent,
  type SessionKind,
} from "@porthole/protocol";
import { ClipboardAddon, type IClipboardProvider } from "@xterm/addon-clipboard";
import { FitAddon } from "@xterm/addon-fit";
import { SearchAddon } from "@xterm/addon-search";
import { Unicode11Addon } from "@xterm/addon-unicode11";
import { WebLinksAddon } from "@xterm/addon-web-links";
import { WebglAddon } from "@xterm/addon-webgl";
import { Terminal, type IDisposable, type ITheme } from "@xterm/xterm";
import { endedBanner } from "./ended-input.js";
import { describeError } from "./errors.js";
import { FlowControl } from "./flow-control.js";
import { InputQueue, type SequencedCall } from "./input-queue.js";
import { ReplayGuard } from "./replay-guard.js";
import type { SkipNotice } from "./status-bar.js";
import { scrollToShow } from "./scroll-to-show.js";
import { cleanProgramTitle } from "./tab-title.js";
import { isMouseMotion, isTerminalReport } from "./terminal-reports.js";
import { enableTouchScroll } from "./touch-scroll.js";
import type { Api } from "./trpc.js";

/** Lines kept above the screen. */
export const SCROLLBACK_LINES = 10_000;

/** Quiet time after the last size change before the server hears of it. */
export const RESIZE_DEBOUNCE_MS = 150;

/** Where a tab's session is in its life, as the status bar shows it. */
export type ViewState =
  /** Asking the server for a session. */
  | { kind: "creating" }
  /** Subscribed to an existing session, waiting for its first event. */
  | { kind: "attaching" }
  /** The sandbox and shell are starting; `message` is the server's progress text. */
  | { kind: "starting"; message: string }
  | { kind: "running" }
  | { kind: "exited"; code: number | null; signal: string | null }
  | { kind: "error"; code: ErrorCode | null; message: string };

/** Which renderer draws the terminal. */
/** Whether the session behind a view is starting or running (not over, not yet created). */
export function isLive(state: ViewState): boolean {
  return state.kind === "running" || state.kind === "starting" || state.kind === "attaching";
}

/** Whether the session behind a view is over (it exited, or failed or went away). */
export function isEnded(state: ViewState): boolean {
  return state.kind === "exited" || state.kind === "error";
}

export type RendererKind = "webgl" | "dom" | "none";

/** A terminal size. */
export interface Size {
  cols: number;
  rows: number;
}

/** Settings of a TerminalView. */
export interface TerminalViewOptions {
  api: Api;
  /** This page load's client id (sequences input, finds the flow-control attachment). */
  clientId: string;
  kind: SessionKind;
  title: string;
  /** Draw with WebGL when it works (default), or always with the DOM renderer. */
  renderer?: "webgl" | "dom";
  /** The page's frame pacer, told how much output each write hands to xterm.js. */
  framePacer?: FramePacer;
  /** Told whenever state, title, size or renderer change. */
  onChange: () => void;
  /** Ctrl+Shift+F was pressed in this terminal. */
  onFind: () => void;
  /** Turns typed keys into what is sent (the key bar's sticky modifiers). */
  transformInput?: (data: string) => string;
  /**
   * What the terminal sends once the session is over (typing, and any late answers to queries):
   * nothing receives it, so the app decides what it means (see endedKeyAction).
   */
  onEndedInput?: (data: string) => void;
}

const THEME: ITheme = {
  background: "#14161b",
  foreground: "#d8dee9",
  cursor: "#e5e9f0",
  cursorAccent: "#14161b",
  selectionBackground: "#3b4252",
  black: "#1d2027",
  red: "#e06c75",
  green: "#98c379",
  yellow: "#e5c07b",
  blue: "#61afef",
  magenta: "#c678dd",
  cyan: "#56b6c2",
  white: "#d8dee9",
  brightBlack: "#5c6370",
  brightRed: "#ef8891",
  brightGreen: "#b5e890",
  brightYellow: "#f0d197",
  brightBlue: "#82c1f5",
  brightMagenta: "#d79be8",
  brightCyan: "#7fd0da",
  brightWhite: "#ffffff",
};

/**
 * Sizes a view remembers having sent until the server confirms them: a few resizes in flight at
 * once (a window dragged wider), and one the server never confirms (it had that size already)
 * does not stay long.
 */
const MAX_UNCONFIRMED_SIZES = 4;

function sameSize(a: Size, b: Size): boolean {
  return a.cols === b.cols && a.rows === b.rows;
}

/** Clamps a size to what the server accepts. */
export function clampSize(size: Size): Size {
  const clamp = (value: number, min: number, max: number) =>
    Math.min(max, Math.max(min, Math.floor(value)));
  return { cols: clamp(size.cols, MIN_COLS, MAX_COLS), rows: clamp(size.rows, MIN_ROWS, MAX_ROWS) };
}

/** Only http(s) links open, in a new tab without access to this page. */
function openLink(uri: string): void {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return;
  window.open(url.href, "_blank", "noopener,noreferrer");
}

/**
 * A terminal bound to at most one session at a time. Output events are written in order; replayed
 * bytes are written so that xterm's answers to queries in them are dropped; every rendered chunk
 * is acknowledged for flow control; keystrokes and size changes go through an InputQueue.
 */
export class TerminalView {
  /** The box the terminal draws in (hidden while its tab is in the background). */
  readonly element: HTMLElement;
  /** The xterm.js terminal (read by the test hook and the search box). */
  readonly terminal: Terminal;
  /** What the tab runs; a restart starts the same kind. */
  readonly kind: SessionKind;
  /** Search in the scrollback (driven by the search box). */
  readonly search = new SearchAddon();
  /** Drops the terminal's answers to replayed queries. */
  readonly guard = new ReplayGuard();
  readonly #options: TerminalViewOptions;
  readonly #fit = new FitAddon();
  #title: string;
  #programTitle = "";
  /** Calls of attach() so far: tells a callback whether a newer attach came since. */
  #attaches = 0;
  #sessionId: string | null = null;
  #state: ViewState = { kind: "creating" };
  /** An event arrived since the connection last dropped (or the subscription began). */
  #live = false;
  /** A `ready` arrived since attach(): a later one is a subscription resumed after a drop. */
  #readySeen = false;
  #opened = false;
  #renderer: RendererKind = "none";
  #queue: InputQueue | null = null;
  #flow: FlowControl | null = null;
  #subscription: { unsubscribe(): void } | null = null;
  #serverSize: Size | null = null;
  /** The size last queued for the server. */
  #sentSize: Size | null = null;
  /**
   * Sizes this view queued for the server and has not yet seen come back as a `resize` event, in
   * order (at most MAX_UNCONFIRMED_SIZES): a `resize` event matching none of them came from
   * another window.
   */
  #unconfirmedSizes: Size[] = [];
  /**
   * While the terminal draws at the server's size rather than its own: the own size to return to,
   * once parsing reaches `until` (see #drawAtServerSize), or, while another window's size is
   * followed, never (`until` is Infinity) until this window takes the size back (see #follow).
   */
  #held: { size: Size; until: number } | null = null;
  #resizeTimer: ReturnType<typeof setTimeout> | null = null;
  #disposables: IDisposable[] = [];
  /** Bytes the server skipped with snapshots since attaching (for diagnostics). */
  skippedBytes = 0;
  /** Snapshots received since attaching (for diagnostics). */
  snapshots = 0;
  /**
   * The server's last skip ahead for this terminal, and how much. `at` is when it was first in
   * view (null until then): a skip in a hidden tab is said when the tab is looked at.
   */
  lastSkip: SkipNotice | null = null;
  /** This attach draws at the session's size at first (see attach). */
  #followSize = false;
  /** An end banner was written since the last attach (a restart must clear it). */
  #bannerWritten = false;
  /** Times xterm.js redrew this terminal (for diagnostics: the frame pacer's effect). */
  renders = 0;

  constructor(options: TerminalViewOptions) {
    this.#options = options;
    this.kind = options.kind;
    this.#title = options.title;
    this.element = document.createElement("div");
    this.element.className = "terminal-view";
    this.element.hidden = true;
    this.terminal = new Terminal({
      scrollback: SCROLLBACK_LINES,
      allowProposedApi: true,
      cursorBlink: true,
      fontFamily:
        '"DejaVu Sans Mono", "Cascadia Mono", Menlo, Consolas, "Liberation Mono", monospace',
      fontSize: 14,
      theme: THEME,
      macOptionIsMeta: true,
      // Selecting text in a program that uses the mouse: Shift+drag, and Option+drag on a Mac.
      macOptionClickForcesSelection: true,
      rightClickSelectsWord: true,
      linkHandler: { activate: (_event, uri) => openLink(uri), allowNonHttpProtocols: false },
      // Saving and restoring the title (CSI 22/23 t), off by default in xterm.js: a program that
      // saves it before setting its own (vim) gives the shell's back when it quits. They send
      // nothing back, unlike the title reports, which stay off.
      windowOptions: { pushTitle: true, popTitle: true },
    });
    const terminal = this.terminal;
    terminal.loadAddon(this.#fit);
    terminal.loadAddon(this.search);
    terminal.loadAddon(new Unicode11Addon());
    terminal.unicode.activeVersion = "11";
    terminal.loadAddon(new WebLinksAddon((_event, uri) => openLink(uri)));
    terminal.loadAddon(new ClipboardAddon(undefined, this.#clipboardProvider()));
    terminal.attachCustomKeyEventHandler((event) => this.#onKey(event));
    this.#disposables.push(
      terminal.onData((data) => this.#onData(data)),
      terminal.onResize(() => this.#scheduleResize()),
      terminal.onRender(() => {
        this.renders++;
        // Drawing at another window's larger size: the cursor stays in sight as output moves it.
        // Once per frame drawn, not per chunk parsed: it reads the layout.
        if (this.#held?.until === Infinity) this.#updateScroll();
      }),
      terminal.onTitleChange((title) => {
        const clean = cleanProgramTitle(title);
        // Programs that animate their title (Claude Code's spinner) often set the same one again.
        if (clean === this.#programTitle) return;
        this.#programTitle = clean;
        this.#options.onChange();
      }),
    );
  }

  /** The session shown, or null before one was created. */
  get sessionId(): string | null {
    return this.#sessionId;
  }

  /** The session's title (the tab's label). */
  get title(): string {
    return this.#title;
  }

  /**
   * The title the program running in the terminal set last (OSC 0/2), cleaned for showing (see
   * cleanProgramTitle); "" when none is set. This window's own: each window parses the output.
   */
  get programTitle(): string {
    return this.#programTitle;
  }

  /** Where the session is in its life. */
  get state(): ViewState {
    return this.#state;
  }

  /** Whether this view has heard from the server since the connection last dropped. */
  get live(): boolean {
    return this.#live;
  }

  /** Which renderer draws the terminal ("none" until first shown). */
  get renderer(): RendererKind {
    return this.#renderer;
  }

  /** The terminal's size in cells. */
  get size(): Size {
    return { cols: this.terminal.cols, rows: this.terminal.rows };
  }

  /** The session's size on the server, as last reported. */
  get serverSize(): Size | null {
    return this.#serverSize;
  }

  /**
   * The size that fits this view, while it draws at another window's size instead (see #follow);
   * null while the terminal has its own size.
   */
  get ownSize(): Size | null {
    return this.#held?.until === Infinity ? { ...this.#held.size } : null;
  }

  /** Output offsets: received from the server, parsed by the terminal, acknowledged. */
  get flow(): { received: number; written: number; acked: number } {
    const flow = this.#flow;
    return { received: flow?.received ?? 0, written: flow?.written ?? 0, acked: flow?.acked ?? 0 };
  }

  /** The seq the next input or resize call gets (for tests and diagnostics). */
  get nextInputSeq(): number {
    return this.#queue?.nextSeq ?? 0;
  }

  /** Input calls waiting or in flight (for tests and diagnostics). */
  get pendingInput(): number {
    return (this.#queue?.waiting ?? 0) + (this.#queue?.inflight ?? 0);
  }

  /** Calls of typed input not yet answered (what the status bar says is kept while offline). */
  get pendingTyping(): number {
    return this.#queue?.typing ?? 0;
  }

  /** Shows a new title (set by the person, or read back from the server). */
  setTitle(title: string): void {
    this.#title = title;
    this.#options.onChange();
  }

  /** Shows the view; the terminal is opened (and its renderer chosen) the first time. */
  show(): void {
    this.element.hidden = false;
    if (!this.#opened) {
      this.#opened = true;
      this.terminal.open(this.element);
      this.#loadRenderer();
      this.#disposables.push({ dispose: enableTouchScroll(this.element, this.terminal) });
      const textarea = this.terminal.textarea;
      if (textarea) {
        const onFocus = () => this.#reassertSize();
        textarea.addEventListener("focus", onFocus);
        this.#disposables.push({ dispose: () => textarea.removeEventListener("focus", onFocus) });
      }
    }
  }

  /** Hides the view (its tab went to the background); rendering pauses. */
  hide(): void {
    this.element.hidden = true;
  }

  /** Gives the keyboard focus to the terminal. */
  focus(): void {
    this.terminal.focus();
  }

  /** The size that fits the view's box, or null when it is hidden or not laid out. */
  measure(): Size | null {
    if (!this.#opened || this.element.hidden) return null;
    // Measured without scroll bars (shown while drawing at a larger size): they take room the
    // terminal has once it is back at its own size.
    const overflow = this.element.style.overflow;
    this.element.style.overflow = "hidden";
    const proposed = this.#fit.proposeDimensions();
    this.element.style.overflow = overflow;
    if (!proposed || !Number.isFinite(proposed.cols) || !Number.isFinite(proposed.rows))
      return null;
    if (proposed.cols <= 0 || proposed.rows <= 0) return null;
    return clampSize(proposed);
  }

  /** Resizes the terminal (the server hears of it after a short debounce). */
  setSize(size: Size): void {
    const { cols, rows } = clampSize(size);
    if (this.#held) {
      this.#held.size = { cols, rows };
      // Following a size that now fits this window too: nothing left to follow.
      const server = this.#serverSize;
      if (this.#held.until === Infinity && server?.cols === cols && server.rows === rows)
        this.#releaseSize();
      return;
    }
    if (cols !== this.terminal.cols || rows !== this.terminal.rows)
      this.terminal.resize(cols, rows);
  }

  /**
   * Starts following session `sessionId` from its beginning (a fresh attach replays its output).
   * `followSize`: the session was started in another window (a restart there moved this tab to
   * it), so this one draws at the size it has rather than taking it from the window typed in.
   */
  attach(sessionId: string, options: { followSize?: boolean } = {}): void {
    this.#stopSession();
    this.#followSize = options.followSize === true;
    const attaches = ++this.#attaches;
    if (this.#sessionId !== null || this.#bannerWritten) {
      // A restart in the same tab: the old session's screen goes, or the failed start's banner,
      // and the title its program set (a full reset keeps it, as in xterm), once the old output
      // is parsed and before the new session's. (Parsed at once, right after a keystroke.)
      this.guard.write(this.terminal, "\x1bc", true, () => {
        if (this.#programTitle === "" || this.#attaches !== attaches) return;
        this.#programTitle = "";
        this.#options.onChange();
      });
    }
    this.#bannerWritten = false;
    this.lastSkip = null;
    this.#sessionId = sessionId;
    this.#state = { kind: "attaching" };
    this.#live = false;
    this.#serverSize = null;
    this.#sentSize = null;
    this.#unconfirmedSizes = [];
    this.#readySeen = false;
    this.#releaseSize();
    this.skippedBytes = 0;
    this.snapshots = 0;
    const { api, clientId } = this.#options;
    const flow = new FlowControl((offset) => {
      api.terminal.ack.mutate({ sessionId, clientId, offset }).catch(() => {
        // A lost ack is covered by the next one, or by the new attachment after a reconnect.
      });
    });
    const queue = new InputQueue({
      send: (call: SequencedCall) =>
        call.type === "input"
          ? api.terminal.input.mutate({
              sessionId,
              clientId,
              seq: call.seq,
              data: call.data,
              ...(call.answer ? { answer: true } : {}),
            })
          : api.terminal.resize.mutate({
              sessionId,
              clientId,
              seq: call.seq,
              cols: call.cols,
              rows: call.rows,
            }),
      onDropped: (call, error) => {
        console.warn(
          `porthole: ${call.type} #${call.seq} refused: ${describeError(error).message}`,
        );
      },
    });
    this.#flow = flow;
    this.#queue = queue;
    this.#subscription = api.terminal.output.subscribe(
      { sessionId, clientId, acks: true },
      {
        onData: (envelope) => {
          if (this.#sessionId !== sessionId) return;
          this.#onEvent(Number(envelope.id), envelope.data);
        },
        onError: (error) => {
          if (this.#sessionId !== sessionId) return;
          const problem = describeError(error);
          this.#end({
            kind: "error",
            code: problem.code,
            message:
              problem.code === "NOT_FOUND"
                ? "This session no longer exists on the server"
                : problem.message,
          });
        },
      },
    );
    this.#options.onChange();
  }

  /** Shows a failure that happened before any session existed (e.g. session.create refused). */
  fail(code: ErrorCode | null, message: string): void {
    this.#stopSession();
    const state: ViewState = { kind: "error", code, message };
    this.#state = state;
    this.#writeBanner(state);
    this.#options.onChange();
  }

  /**
   * A new session is being made for this ended tab: the old one is no longer followed (a late
   * error from it must not end the tab again), and another Enter or click cannot start a second.
   */
  restarting(): void {
    this.#stopSession();
    this.#state = { kind: "creating" };
    this.#options.onChange();
  }

  /** The connection dropped: this view waits for its subscription to be resumed. */
  connectionLost(): void {
    if (!this.#live) return;
    this.#live = false;
    this.#options.onChange();
  }

  /** Sends keys as typed (key bar); modifiers were applied by the caller. */
  sendKeys(data: string): void {
    if (!this.#acceptsInput()) {
      this.#afterEnd(data);
      return;
    }
    this.terminal.scrollToBottom();
    this.#reassertSize();
    this.#queue?.input(data);
  }

  /** Whether the program asked for application cursor keys (arrows send ESC O A). */
  applicationCursorKeys(): boolean {
    return this.terminal.modes.applicationCursorKeysMode;
  }

  /** Copies the selection to the clipboard. */
  copySelection(): void {
    const text = this.terminal.getSelection();
    if (!text) return;
    const legacy = () => {
      // Fires a copy event at the focused terminal, whose handler puts the selection in it.
      document.execCommand("copy");
    };
    if (typeof navigator.clipboard?.writeText === "function") {
      navigator.clipboard.writeText(text).catch(legacy);
    } else {
      legacy();
    }
  }

  /** Pastes text as if typed (bracketed when the program asked for it). */
  paste(text: string): void {
    this.guard.asUser(() => this.terminal.paste(text));
  }

  /** Stops following the session and frees the terminal. */
  dispose(): void {
    this.#stopSession();
    for (const disposable of this.#disposables) disposable.dispose();
    this.#disposables = [];
    this.terminal.dispose();
    this.element.remove();
  }

  #stopSession(): void {
    this.#subscription?.unsubscribe();
    this.#subscription = null;
    this.#queue?.close();
    this.#queue = null;
    this.#flow = null;
    if (this.#resizeTimer) clearTimeout(this.#resizeTimer);
    this.#resizeTimer = null;
  }

  #onEvent(offset: number, event: OutputStreamEvent): void {
    if (!this.#live) {
      this.#live = true;
      this.#options.onChange();
    }
    switch (event.type) {
      case "status":
        if (this.#state.kind === "attaching" || this.#state.kind === "starting") {
          this.#state = { kind: "starting", message: event.message };
          this.#options.onChange();
        }
        return;
      case "ready": {
        const size = { cols: event.session.cols, rows: event.session.rows };
        const resumed = this.#readySeen;
        this.#readySeen = true;
        if (this.#state.kind === "attaching" || this.#state.kind === "starting") {
          this.#state = { kind: "running" };
        }
        if (event.session.title !== this.#title) this.#title = event.session.title;
        if (resumed) {
          // The subscription resumed after a drop: the size stays with the window typed in last.
          this.#onServerSize(size);
        } else {
          this.#serverSize = size;
          this.#sentSize = size;
          this.#drawAtServerSize(event.session.outputBytes);
          // A window opened on a session takes the size, as one typed in does; a tab attached
          // behind the front one (restored, or opened in another window) is not being looked at.
          if (this.element.hidden || this.#followSize) this.#followInBackground();
          else this.#reassertSize();
        }
        this.#queue?.open();
        this.#options.onChange();
        return;
      }
      case "output":
        this.#write(event.data, event.replay === true, offset);
        return;
      case "snapshot":
        this.snapshots++;
        this.skippedBytes += event.skipped;
        if (event.skipped > 0) {
          // The user is told (status bar): the screen is current, but output went by unseen.
          this.lastSkip = { bytes: (this.lastSkip?.bytes ?? 0) + event.skipped, at: null };
          this.#options.onChange();
        }
        this.#flow?.skipTo(event.offset);
        // ESC c (full reset) inside the write stream, so earlier writes still land before it.
        this.#write(`\x1bc${event.data}`, true, event.offset);
        return;
      case "resize":
        this.#onServerSize({ cols: event.cols, rows: event.rows });
        // The window whose size this is went away: one drawing at it takes its own size back.
        if (event.free && this.#held?.until === Infinity) this.#reassertSize();
        this.#options.onChange();
        return;
      case "exit":
        this.#end({ kind: "exited", code: event.code, signal: event.signal });
        return;
      case "error":
        this.#end({ kind: "error", code: event.code, message: event.message });
        return;
    }
  }

  #end(state: ViewState): void {
    // No more output comes: a hold waiting for some ends after what was written.
    if (this.#held) this.guard.write(this.terminal, "", true, () => this.#releaseSize());
    this.#queue?.close();
    const first = !isEnded(this.#state);
    this.#state = state;
    if (first) this.#writeBanner(state);
    this.#options.onChange();
  }

  /** Says in the terminal, after the session's last output, how it ended and what Enter does. */
  #writeBanner(state: ViewState): void {
    // Once that output is parsed, the cursor shows whether the banner needs a line of its own.
    this.guard.write(this.terminal, "", true, () => {
      // A restart since then already cleared the screen for the new session.
      if (this.#state !== state) return;
      const atLineStart = this.terminal.buffer.active.cursorX === 0;
      this.#bannerWritten = true;
      this.guard.write(this.terminal, endedBanner(state, atLineStart), true);
    });
  }

  #write(data: string | Uint8Array, replay: boolean, offset: number): void {
    const flow = this.#flow;
    flow?.onReceived(offset);
    // Only the front tab's output counts: a flood in a hidden tab must not slow this one's echoes.
    if (!this.element.hidden) this.#options.framePacer?.noteOutput(data.length);
    this.guard.write(this.terminal, data, replay, () => {
      if (this.#flow === flow) flow?.onWritten(offset);
      if (this.#held && offset >= this.#held.until) this.#releaseSize();
    });
  }

  /**
   * The output up to `until` (already on the server) was drawn at the server's size: parsed at
   * another, text placed by cursor moves would land askew. So the terminal takes the server's
   * size until it has parsed that far, then returns to its own, reflowing what it shows, and the
   * server hears of it.
   */
  #drawAtServerSize(until: number): void {
    const server = this.#serverSize;
    if (!server || this.#held || until <= (this.#flow?.received ?? 0)) return;
    const own = this.size;
    if (own.cols === server.cols && own.rows === server.rows) return;
    this.#held = { size: own, until };
    this.terminal.resize(server.cols, server.rows);
  }

  /** The program's size is now `size`: this window's own coming back, or another window's. */
  #onServerSize(size: Size): void {
    this.#serverSize = size;
    const own = this.#held?.size ?? this.size;
    if (this.#confirmsOwnSize(size)) {
      // This window's own size came back: no other window's size is left to follow.
      if (this.#held?.until === Infinity && sameSize(own, size)) this.#releaseSize();
    } else {
      // The server has another window's size now: what this one sent before is superseded.
      this.#sentSize = size;
      if (!this.#held && !sameSize(own, size)) this.#follow();
      else if (this.#held?.until === Infinity && sameSize(own, size)) this.#releaseSize();
    }
    // Output after this was drawn at the new size; while held, parse it at that size too.
    if (this.#held) this.guard.write(this.terminal, "", true, () => this.#followServerSize());
  }

  /**
   * Another window of the session set the program's size (it was typed in last, as tmux's
   * "latest"): output from here on is drawn for that size, and parsed at this window's own it
   * would wrap and land askew. So the terminal takes the program's size (a larger one scrolls in
   * the view) until this window is typed in or focused again (#reassertSize), or the program's
   * size becomes this window's own.
   */
  #follow(): void {
    this.#held = { size: this.size, until: Infinity };
  }

  /**
   * Draws at the program's size, as a window not typed in does (#follow), until the tab comes to
   * the front: its terminal takes the focus then, and with it the size (#reassertSize).
   */
  #followInBackground(): void {
    const server = this.#serverSize;
    if (this.#held) this.#held = { ...this.#held, until: Infinity };
    else if (server && !sameSize(this.size, server)) this.#follow();
    if (this.#held) this.guard.write(this.terminal, "", true, () => this.#followServerSize());
  }

  /** Whether `size` is one this view queued; forgets it and those queued before it. */
  #confirmsOwnSize(size: Size): boolean {
    const index = this.#unconfirmedSizes.findIndex((sent) => sameSize(sent, size));
    if (index < 0) return false;
    this.#unconfirmedSizes.splice(0, index + 1);
    return true;
  }

  /** While held, takes the server's (new) size, in order with the output around it. */
  #followServerSize(): void {
    const server = this.#serverSize;
    if (!this.#held || !server) return;
    if (server.cols !== this.terminal.cols || server.rows !== this.terminal.rows)
      this.terminal.resize(server.cols, server.rows);
    this.#updateScroll();
  }

  /**
   * While following another window's size, the view scrolls (the size may be larger than the
   * window) and keeps the cursor, where the program expects eyes, in sight; otherwise the view
   * does not scroll at all, so no scroll position outlives a follow.
   */
  #updateScroll(): void {
    const following = this.#held?.until === Infinity;
    this.element.classList.toggle("following", following);
    if (!following) {
      this.element.scrollTop = 0;
      this.element.scrollLeft = 0;
      return;
    }
    const screen = this.element.querySelector<HTMLElement>(".xterm-screen");
    if (!screen) return;
    const cellHeight = screen.offsetHeight / this.terminal.rows;
    const cellWidth = screen.offsetWidth / this.terminal.cols;
    const buffer = this.terminal.buffer.active;
    const top = buffer.cursorY * cellHeight;
    const left = buffer.cursorX * cellWidth;
    const view = this.element;
    view.scrollTop = scrollToShow(view.scrollTop, view.clientHeight, top, cellHeight);
    view.scrollLeft = scrollToShow(view.scrollLeft, view.clientWidth, left, cellWidth);
  }

  /** Returns to the terminal's own size after a hold (see #drawAtServerSize or #follow). */
  #releaseSize(): void {
    const held = this.#held;
    if (!held) return;
    this.#held = null;
    this.#updateScroll();
    this.setSize(held.size);
    this.#reassertSize();
  }

  #onData(data: string): void {
    if (this.guard.shouldDrop()) return;
    if (!this.#acceptsInput()) {
      this.#afterEnd(data);
      return;
    }
    // The terminal answering a query in the output, not the person: no key or paste is being
    // handled, and the data is nothing but reports (an IME's text also arrives from a timer).
    const answer = !this.guard.userInput() && isTerminalReport(data);
    if (answer) {
      // Sent as it is (a sticky modifier is for the person's next key), and not typing: every
      // window answers, and each would take the program's size back.
      this.#queue?.input(data, true);
      return;
    }
    // The window typed in sets the size, as tmux's "latest" does: another viewer's size,
    // taken since, would draw the program for a screen this one does not have. The pointer
    // merely moving over a window (a program tracking all motion) is not choosing it.
    if (!isMouseMotion(data)) this.#reassertSize();
    const transform = this.#options.transformInput;
    this.#queue?.input(transform ? transform(data) : data);
  }

  /** Input typed before the session runs waits for it; after the end it goes to #afterEnd. */
  #acceptsInput(): boolean {
    return isLive(this.#state);
  }

  /** Input after the end reaches no program; before a session exists it is dropped as ever. */
  #afterEnd(data: string): void {
    if (isEnded(this.#state)) this.#options.onEndedInput?.(data);
  }

  #onKey(event: KeyboardEvent): boolean {
    if (!event.ctrlKey || !event.shiftKey || event.altKey || event.metaKey) return true;
    switch (event.code) {
      case "KeyC":
        if (event.type === "keydown") {
          event.preventDefault();
          this.copySelection();
        }
        return false;
      case "KeyV":
        // The browser pastes into xterm's textarea by itself (Ctrl+Shift+V is "paste" there);
        // xterm handles that paste event. Only keep xterm from sending ^V.
        return false;
      case "KeyF":
        if (event.type === "keydown") {
          event.preventDefault();
          this.#options.onFind();
        }
        return false;
      default:
        return true;
    }
  }

  #scheduleResize(): void {
    this.#options.onChange();
    if (this.#resizeTimer) clearTimeout(this.#resizeTimer);
    this.#resizeTimer = setTimeout(() => {
      this.#resizeTimer = null;
      this.#sendSize();
    }, RESIZE_DEBOUNCE_MS);
  }

  /** Tells the server our size if it differs from what it has (another viewer may have changed it). */
  #reassertSize(): void {
    // Typed in or focused while following another window's size: this window takes it back.
    if (this.#held?.until === Infinity) {
      this.#releaseSize();
      return;
    }
    const server = this.#serverSize;
    if (server && (server.cols !== this.terminal.cols || server.rows !== this.terminal.rows)) {
      this.#sentSize = null;
      this.#sendSize();
    }
  }

  #sendSize(): void {
    // Held at the server's size: that is not this window's to send.
    if (this.#held) return;
    const size = this.size;
    const sent = this.#sentSize;
    if (sent && sameSize(sent, size)) return;
    this.#sentSize = size;
    if (!this.#queue) return;
    this.#unconfirmedSizes.push(size);
    this.#unconfirmedSizes.splice(0, this.#unconfirmedSizes.length - MAX_UNCONFIRMED_SIZES);
    this.#queue.resize(size.cols, size.rows);
  }

  #loadRenderer(): void {
    if (this.#options.renderer === "dom") {
      this.#renderer = "dom";
      return;
    }
    try {
      const webgl = new WebglAddon();
      webgl.onContextLoss(() => {
        // The GPU context went away (too many tabs, driver reset): the DOM renderer takes over.
        webgl.dispose();
        this.#renderer = "dom";
        this.#options.onChange();
      });
      this.terminal.loadAddon(webgl);
      this.#renderer = "webgl";
    } catch {
      this.#renderer = "dom";
    }
  }

  /** OSC 52: programs may set the clipboard (not from replayed output) but never read it. */
  #clipboardProvider(): IClipboardProvider {
    return {
      readText: () => "",
      writeText: (selection, text) => {
        // Only the system clipboard ("c"); the selection type is a const enum of the addon.
        if (this.guard.replaying || String(selection) !== "c") return;
        navigator.clipboard?.writeText(text).catch(() => {});
      },
    };
  }
}

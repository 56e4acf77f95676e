// The status bar: the front tab's session state, the connection, latency, size and what can be done next.
import type { ConnectionStatus } from "./trpc.js";
import type { RendererKind, Size, ViewState } from "./terminal-view.js";

/** Colour of the state dot. */
export type Tone = "ok" | "busy" | "warn" | "bad" | "off";

/** Buttons the status bar may offer. */
export type StatusAction = "retry" | "restart" | "close";

/** What Enter does in an ended tab: written into its terminal, and shown when other keys are typed. */
export const RESTART_HINT = "Press Enter to start a new session";

/**
 * The hint while Enter cannot restart yet (the server does not answer). Written into the terminal
 * too, where it stays once the server is back: it holds then as well, since an Enter pressed while
 * the server was away restarts the tab as soon as it is back (see RESTART_PENDING_HINT).
 */
export const RESTART_LATER_HINT = "Enter restarts once the server is back";

/** The hint once Enter was pressed while the server did not answer: the restart waits for it. */
export const RESTART_PENDING_HINT = "A new session starts once the server is back";

/** What the status bar shows. */
export interface StatusModel {
  /** Machine-readable state, also the `data-state` of the bar (tests read it). */
  state:
    | "none"
    | "creating"
    | "connecting"
    | "starting"
    | "connected"
    | "reconnecting"
    | "exited"
    | "error";
  tone: Tone;
  text: string;
  /** Round-trip time, when connected and measured. */
  latency: string | null;
  actions: StatusAction[];
  /** What typing does now, once keys were typed into an ended tab. */
  hint: string | null;
}

/** Output the server skipped to catch a terminal up (it sent the screen instead). */
export interface SkipNotice {
  bytes: number;
  /** When the notice was first in view (Date.now()), or null while it has not been. */
  at: number | null;
}

/** How long the status bar says that output was skipped. */
export const SKIP_NOTICE_MS = 8000;

/** "12.3 MB", "640 KB", "900 bytes": how much output went by unseen. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${Math.round(bytes / 1e3)} KB`;
  return `${bytes} bytes`;
}

/** What the status depends on. */
export interface StatusInput {
  connection: ConnectionStatus;
  view: { state: ViewState; live: boolean } | null;
  latencyMs: number | null;
  now: number;
  /** Keys were typed into the front tab after its session ended. */
  typedAfterEnd?: boolean;
  /** Enter was pressed in the front tab while it could not restart: it restarts once it can. */
  restartPending?: boolean;
  /** The front tab's last skip ahead, said for SKIP_NOTICE_MS. */
  skip?: SkipNotice | null;
  /** Calls of typed input in the front tab not yet answered by the server. */
  pendingTyping?: number;
}

/** What a reconnecting tab adds once something was typed into it: nothing typed is lost. */
export const TYPING_KEPT = "typing kept, sent once back";

/** "attempt N, next try in S s", or null before the first retry. */
function attempts(connection: ConnectionStatus, now: number): string | null {
  if (connection.kind !== "connecting" || connection.attempt === 0) return null;
  const wait = connection.retryAt === null ? 0 : Math.ceil((connection.retryAt - now) / 1000);
  return wait > 0
    ? `attempt ${connection.attempt}, next try in ${wait} s`
    : `attempt ${connection.attempt}`;
}

function reconnecting(connection: ConnectionStatus, now: number): string {
  const tries = attempts(connection, now);
  return tries ? `Reconnecting… ${tries}` : "Reconnecting… resuming the session";
}

function connecting(connection: ConnectionStatus, now: number): string {
  const tries = attempts(connection, now);
  return tries ? `Connecting… ${tries}` : "Connecting…";
}

/**
 * What an ended tab adds while the server cannot be reached (it stopped or restarted): the
 * retries go on, and Restart waits for them.
 */
function offline(connection: ConnectionStatus, now: number): string {
  const tries = attempts(connection, now);
  return tries ? `Server unreachable, retrying: ${tries}` : "Server unreachable, retrying…";
}

/** How an ended process is described. */
export function exitText(code: number | null, signal: string | null): string {
  if (signal) return `Exited: killed by ${signal}`;
  return `Exited with code ${code ?? "unknown"}`;
}

/** Whether a reconnect attempt is waiting out its backoff (so "Retry now" can start it early). */
function waitingToRetry(connection: ConnectionStatus, now: number): boolean {
  return (
    connection.kind === "connecting" &&
    connection.attempt > 0 &&
    connection.retryAt !== null &&
    connection.retryAt > now
  );
}

/** Whether the status bar still says that output was skipped. */
export function skipShown(skip: SkipNotice | null | undefined, now: number): boolean {
  return skip != null && skip.at !== null && now - skip.at < SKIP_NOTICE_MS;
}

/**
 * The status bar's content for the front tab: "Retry now" while a reconnect waits out its
 * backoff, and once keys were typed into an ended tab, what Enter does there.
 */
export function describeStatus(input: StatusInput): StatusModel {
  const model = describeState(input);
  const ended = model.state === "exited" || model.state === "error";
  const hint =
    ended && input.typedAfterEnd === true
      ? model.actions.includes("restart")
        ? RESTART_HINT
        : input.restartPending === true
          ? RESTART_PENDING_HINT
          : RESTART_LATER_HINT
      : null;
  const actions: StatusAction[] = waitingToRetry(input.connection, input.now)
    ? ["retry", ...model.actions]
    : model.actions;
  if (model.state === "reconnecting" && (input.pendingTyping ?? 0) > 0) {
    return { ...model, text: `${model.text} · ${TYPING_KEPT}`, actions, hint };
  }
  if (model.state === "connected" && skipShown(input.skip, input.now)) {
    const bytes = formatBytes(input.skip!.bytes);
    const text = `Connected · caught up: ${bytes} of output skipped, screen redrawn`;
    return { ...model, tone: "warn", text, actions, hint };
  }
  return { ...model, actions, hint };
}

/** The state, text and session actions, before the connection's action and the hint. */
function describeState(input: StatusInput): Omit<StatusModel, "hint"> {
  const { connection, view, now } = input;
  const open = connection.kind === "open";
  const latency =
    input.latencyMs === null ? null : `${Math.max(0, Math.round(input.latencyMs))} ms`;
  if (!view) {
    // The round trip was measured for a tab now closed: it says nothing any more.
    if (open)
      return { state: "none", tone: "off", text: "No session open", latency: null, actions: [] };
    return {
      state: "connecting",
      tone: "busy",
      text: connecting(connection, now),
      latency: null,
      actions: [],
    };
  }
  const state = view.state;
  // An ended tab can be restarted once the server answers again.
  const ended = (text: string) =>
    open || connection.kind !== "connecting"
      ? { text, actions: ["restart", "close"] satisfies StatusAction[] }
      : {
          text: `${text} · ${offline(connection, now)}`,
          actions: ["close"] satisfies StatusAction[],
        };
  switch (state.kind) {
    case "exited":
      return {
        state: "exited",
        tone: "off",
        latency: null,
        ...ended(exitText(state.code, state.signal)),
      };
    case "error":
      return { state: "error", tone: "bad", latency: null, ...ended(state.message) };
    case "creating":
      return {
        state: "creating",
        tone: "busy",
        text: open ? "Creating a session…" : "Connecting…",
        latency: null,
        actions: [],
      };
    default:
      break;
  }
  if (!open || !view.live) {
    if (state.kind === "running" || (open && state.kind === "starting")) {
      return {
        state: "reconnecting",
        tone: "warn",
        text: reconnecting(connection, now),
        latency: null,
        actions: [],
      };
    }
    if (connection.kind === "connecting" && connection.attempt > 0) {
      return {
        state: "reconnecting",
        tone: "warn",
        text: reconnecting(connection, now),
        latency: null,
        actions: [],
      };
    }
    return {
      state: "connecting",
      tone: "busy",
      text: connecting(connection, now),
      latency: null,
      actions: [],
    };
  }
  if (state.kind === "starting") {
    return {
      state: "starting",
      tone: "busy",
      text: `Starting: ${state.message}`,
      latency,
      actions: [],
    };
  }
  if (state.kind === "attaching") {
    return { state: "connecting", tone: "busy", text: "Connecting…", latency, actions: [] };
  }
  return { state: "connected", tone: "ok", text: "Connected", latency, actions: [] };
}

/** The buttons' labels and tooltips. */
const BUTTONS: Record<StatusAction, { label: string; title: string }> = {
  retry: { label: "Retry now", title: "Try to reach the server now instead of waiting" },
  restart: { label: "Restart", title: "Start a new session of the same kind in this tab" },
  close: { label: "Close tab", title: "Close this tab" },
};

function setText(element: HTMLElement, text: string): void {
  if (element.textContent !== text) element.textContent = text;
}

/** The bar at the bottom of the page. */
export class StatusBar {
  /** The footer element. */
  readonly element: HTMLElement;
  readonly #dot: HTMLElement;
  readonly #text: HTMLElement;
  readonly #latency: HTMLElement;
  readonly #size: HTMLElement;
  readonly #actions: HTMLElement;
  readonly #hint: HTMLElement;
  readonly #onAction: (action: StatusAction) => void;
  #lastActions = "";

  constructor(onAction: (action: StatusAction) => void) {
    this.#onAction = onAction;
    this.element = document.createElement("footer");
    this.element.className = "status-bar";
    this.element.setAttribute("role", "status");
    this.#dot = document.createElement("span");
    this.#dot.className = "status-dot";
    this.#text = document.createElement("span");
    this.#text.className = "status-text";
    this.#actions = document.createElement("span");
    this.#actions.className = "status-actions";
    this.#hint = document.createElement("span");
    this.#hint.className = "status-hint";
    this.#hint.hidden = true;
    const spacer = document.createElement("span");
    spacer.className = "status-spacer";
    this.#latency = document.createElement("span");
    this.#latency.className = "status-latency";
    this.#latency.title = "Round trip to the server";
    this.#size = document.createElement("span");
    this.#size.className = "status-size";
    this.element.append(
      this.#dot,
      this.#text,
      this.#actions,
      this.#hint,
      spacer,
      this.#latency,
      this.#size,
    );
  }

  /**
   * Shows `model`, plus the front terminal's size and renderer, and says so when the terminal
   * draws at the size another viewer of the session set (`ownSize`: the size that fits this
   * window); typing here takes it back.
   */
  render(
    model: StatusModel,
    size: Size | null,
    renderer: RendererKind | null,
    ownSize: Size | null = null,
  ): void {
    this.element.dataset.state = model.state;
    this.element.dataset.tone = model.tone;
    // Only real changes touch the DOM (screen readers announce the status region's changes).
    setText(this.#text, model.text);
    setText(this.#latency, model.latency ?? "");
    this.#latency.hidden = model.latency === null;
    const other = size && ownSize ? " (another window's size)" : "";
    const drawnWith = renderer && renderer !== "none" ? ` · ${renderer}` : "";
    setText(this.#size, size ? `${size.cols}×${size.rows}${other}${drawnWith}` : "");
    this.#size.title =
      size && ownSize
        ? `Another window of this session set the program's size, so this one draws at it (this window fits ${ownSize.cols}×${ownSize.rows}); typing here takes it back`
        : "";
    setText(this.#hint, model.hint ?? "");
    this.#hint.hidden = model.hint === null;
    const actions = model.actions.join(",");
    if (actions === this.#lastActions) return;
    this.#lastActions = actions;
    this.#actions.replaceChildren(
      ...model.actions.map((action) => {
        const button = document.createElement("button");
        button.type = "button";
        button.dataset.action = action;
        button.textContent = BUTTONS[action].label;
        button.title = BUTTONS[action].title;
        button.addEventListener("click", () => this.#onAction(action));
        return button;
      }),
    );
  }

  /** Draws the eye to the hint again: another key was typed that does nothing. */
  nudgeHint(): void {
    if (this.#hint.hidden || typeof this.#hint.animate !== "function") return;
    this.#hint.animate([{ opacity: 0.35 }, { opacity: 1 }], { duration: 400, easing: "ease-out" });
  }
}

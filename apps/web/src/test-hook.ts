// A read-only window.__porthole for end-to-end tests and debugging: screen text, state and sizes, no secrets.
import type { App } from "./app.js";
import type { StatusModel } from "./status-bar.js";
import type { RendererKind, Size, ViewState } from "./terminal-view.js";

/** One cell of a terminal row. */
export interface CellInfo {
  /** The character(s) in the cell; "" for the second half of a wide character. */
  chars: string;
  /** 1 for normal, 2 for the first cell of a wide character, 0 for the cell after it. */
  width: number;
}

/** What `window.__porthole` offers. */
export interface PortholeTestHook {
  /** Status bar state of the front tab ("connected", "reconnecting", "exited"...). */
  status(): StatusModel;
  viewState(): ViewState | null;
  connection(): string;
  activeSessionId(): string | null;
  sessionIds(): (string | null)[];
  /** Every tab's session state ("running", "exited"...), in tab order. */
  viewStates(): string[];
  /** The front terminal's screen (not scrollback): one string per row, right-trimmed. */
  screenLines(): string[];
  /** screenLines() joined with newlines. */
  screenText(): string;
  /** Scrollback and screen, one string per row, right-trimmed; wrapped rows are joined. */
  bufferLines(): string[];
  /** The cells of screen row `row` (0 = top of the screen). */
  cells(row: number): CellInfo[];
  cursor(): { x: number; y: number };
  size(): Size | null;
  /** The size that fits the front view: its own, also while it draws at another window's. */
  fitSize(): Size | null;
  serverSize(): Size | null;
  renderer(): RendererKind | null;
  /** Terminal answers to replayed queries dropped so far in the front tab. */
  droppedReplayAnswers(): number;
  /** Screen snapshots the front tab received since it attached (the server skipped it ahead). */
  snapshots(): number;
  /** Whether the front terminal shows its alternate screen (full-screen programs). */
  alternateScreen(): boolean;
  /** Input calls of the front tab waiting or in flight. */
  pendingInput(): number;
  /** The seq the front tab's next input or resize call gets. */
  nextInputSeq(): number;
  /** Output offsets of the front tab: received, parsed by the terminal, acknowledged. */
  flow(): { received: number; written: number; acked: number } | null;
  /** Times the front terminal was redrawn since it opened. */
  renders(): number;
}

declare global {
  interface Window {
    __porthole?: PortholeTestHook;
  }
}

/** Installs the hook for `app`. */
export function installTestHook(app: App): void {
  const terminal = () => app.activeView?.terminal ?? null;
  const screenLines = (): string[] => {
    const term = terminal();
    if (!term) return [];
    const buffer = term.buffer.active;
    const lines: string[] = [];
    for (let y = 0; y < term.rows; y++) {
      lines.push(buffer.getLine(buffer.baseY + y)?.translateToString(true) ?? "");
    }
    return lines;
  };
  window.__porthole = {
    status: () => app.status,
    viewState: () => app.activeView?.state ?? null,
    connection: () => app.connectionStatus.kind,
    activeSessionId: () => app.activeView?.sessionId ?? null,
    sessionIds: () => app.views.map((view) => view.sessionId),
    viewStates: () => app.views.map((view) => view.state.kind),
    screenLines,
    screenText: () => screenLines().join("\n"),
    bufferLines: () => {
      const term = terminal();
      if (!term) return [];
      const buffer = term.buffer.active;
      const lines: string[] = [];
      for (let y = 0; y < buffer.length; y++) {
        const line = buffer.getLine(y);
        if (!line) continue;
        const text = line.translateToString(true);
        if (line.isWrapped && lines.length > 0) lines[lines.length - 1] += text;
        else lines.push(text);
      }
      return lines;
    },
    cells: (row) => {
      const term = terminal();
      if (!term) return [];
      const buffer = term.buffer.active;
      const line = buffer.getLine(buffer.baseY + row);
      if (!line) return [];
      const cells: CellInfo[] = [];
      for (let x = 0; x < term.cols; x++) {
        const cell = line.getCell(x);
        cells.push({ chars: cell?.getChars() ?? "", width: cell?.getWidth() ?? 1 });
      }
      return cells;
    },
    cursor: () => {
      const buffer = terminal()?.buffer.active;
      return { x: buffer?.cursorX ?? 0, y: buffer?.cursorY ?? 0 };
    },
    size: () => app.activeView?.size ?? null,
    fitSize: () => {
      const view = app.activeView;
      return view ? (view.ownSize ?? view.size) : null;
    },
    serverSize: () => app.activeView?.serverSize ?? null,
    renderer: () => app.activeView?.renderer ?? null,
    droppedReplayAnswers: () => app.activeView?.guard.dropped ?? 0,
    snapshots: () => app.activeView?.snapshots ?? 0,
    alternateScreen: () => terminal()?.buffer.active.type === "alternate",
    pendingInput: () => app.activeView?.pendingInput ?? 0,
    nextInputSeq: () => app.activeView?.nextInputSeq ?? 0,
    flow: () => app.activeView?.flow ?? null,
    renders: () => app.activeView?.renders ?? 0,
  };
}

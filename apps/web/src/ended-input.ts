// What typing does in a tab whose session ended: Enter starts a new one, other keys get a hint.
import { exitText, RESTART_HINT, RESTART_LATER_HINT } from "./status-bar.js";

/** The hint when the session could not start for a limit: Enter alone would meet it again. */
export const RESTART_AFTER_LIMIT_HINT = "Close another session, then press Enter to try again";
import { isTerminalReport } from "./terminal-reports.js";
import type { ViewState } from "./terminal-view.js";

/** What a key typed into an ended tab does. */
export type EndedKeyAction = "restart" | "hint" | "ignore";

/**
 * Decides what `data` from the terminal of an ended tab does: Enter restarts the tab when a
 * restart is offered, other typing shows the hint, and the terminal's answers to queries (which
 * it may still send after the end, and on focus) are nobody's keystrokes.
 */
export function endedKeyAction(data: string, canRestart: boolean): EndedKeyAction {
  if (data === "" || isTerminalReport(data)) return "ignore";
  // xterm.js sends CR for Enter (and numpad Enter); Alt+Enter or a pasted line are not Enter.
  if (data === "\r" && canRestart) return "restart";
  return "hint";
}

/** What ended the session, for the line written into the terminal. */
function endText(state: ViewState): string | null {
  if (state.kind === "exited") return exitText(state.code, state.signal);
  if (state.kind === "error") return state.message;
  return null;
}

/**
 * The dimmed line written into the terminal once its session ends, on a line of its own (a
 * program's last line may not end in a newline), with attributes reset so the program's last
 * colours do not leak into it. Empty when `state` is not an end.
 */
export function endedBanner(state: ViewState, atLineStart: boolean): string {
  const text = endText(state);
  if (text === null) return "";
  // The server going away ended it: Enter can do nothing until it is back (the status bar agrees);
  // a full server or credential would refuse the next one too until another is closed.
  const code = state.kind === "error" ? state.code : null;
  const hint =
    code === "SHUTTING_DOWN"
      ? RESTART_LATER_HINT
      : code === "LIMIT"
        ? RESTART_AFTER_LIMIT_HINT
        : RESTART_HINT;
  return `${atLineStart ? "" : "\r\n"}\x1b[0;2m${text} · ${hint}\x1b[0m`;
}

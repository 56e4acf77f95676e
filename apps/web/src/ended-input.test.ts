// Unit tests of what typing does in an ended tab, and of the line written when a session ends.
import { describe, expect, it } from "vitest";
import { RESTART_AFTER_LIMIT_HINT, endedBanner, endedKeyAction } from "./ended-input.js";
import { RESTART_HINT, RESTART_LATER_HINT } from "./status-bar.js";

describe("endedKeyAction", () => {
  it("restarts on Enter when a restart is offered", () => {
    expect(endedKeyAction("\r", true)).toBe("restart");
  });

  it("only hints on Enter while a restart is not offered (server unreachable)", () => {
    expect(endedKeyAction("\r", false)).toBe("hint");
  });

  it("hints on any other typing", () => {
    for (const data of ["a", " ", "\x03", "\x1b[A", "\x1b\r", "\n", "ls\r", "\x1b[200~x\x1b[201~"])
      expect(endedKeyAction(data, true)).toBe("hint");
  });

  it("never restarts or hints on the terminal's answers to queries", () => {
    for (const data of [
      "\x1b[12;1R",
      "\x1b[?62;22c",
      "\x1b[I",
      "\x1b[O",
      "\x1b]11;rgb:1414/1616/1b1b\x07",
      "",
    ])
      expect(endedKeyAction(data, true)).toBe("ignore");
  });
});

describe("endedBanner", () => {
  it("says how the process ended and what Enter does, dimmed", () => {
    expect(endedBanner({ kind: "exited", code: 3, signal: null }, true)).toBe(
      `\x1b[0;2mExited with code 3 · ${RESTART_HINT}\x1b[0m`,
    );
  });

  it("starts a line of its own when the cursor is not at the start of one", () => {
    expect(endedBanner({ kind: "error", code: "NOT_FOUND", message: "gone" }, false)).toBe(
      `\r\n\x1b[0;2mgone · ${RESTART_HINT}\x1b[0m`,
    );
  });

  it("says Enter waits for the server when the server's shutdown ended the session", () => {
    const state = {
      kind: "error",
      code: "SHUTTING_DOWN",
      message: "The session ended: the server shut down",
    } as const;
    expect(endedBanner(state, true)).toBe(
      `\x1b[0;2mThe session ended: the server shut down · ${RESTART_LATER_HINT}\x1b[0m`,
    );
  });

  it("says another session must close first when a limit refused this one", () => {
    const state = {
      kind: "error",
      code: "LIMIT",
      message: "You already have the limit of 1 session; close one first",
    } as const;
    expect(endedBanner(state, true)).toBe(
      `\x1b[0;2m${state.message} · ${RESTART_AFTER_LIMIT_HINT}\x1b[0m`,
    );
  });

  it("is empty while the session is not over", () => {
    expect(endedBanner({ kind: "running" }, true)).toBe("");
  });
});

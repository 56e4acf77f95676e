// Unit tests of what the status bar says in each state.
import { describe, expect, it } from "vitest";
import {
  describeStatus,
  exitText,
  formatBytes,
  RESTART_HINT,
  RESTART_LATER_HINT,
  RESTART_PENDING_HINT,
  SKIP_NOTICE_MS,
  TYPING_KEPT,
} from "./status-bar.js";

const open = { kind: "open", since: 0 } as const;
const running = { state: { kind: "running" }, live: true } as const;

describe("describeStatus", () => {
  it("says connected, with the round trip", () => {
    expect(
      describeStatus({ connection: open, view: running, latencyMs: 12.4, now: 0 }),
    ).toMatchObject({
      state: "connected",
      tone: "ok",
      latency: "12 ms",
    });
  });

  it("shows no round trip once no tab is open: it was measured for a closed one", () => {
    expect(describeStatus({ connection: open, view: null, latencyMs: 5, now: 0 })).toMatchObject({
      state: "none",
      text: "No session open",
      latency: null,
    });
  });

  it("says typing is kept while reconnecting with input waiting, and only then", () => {
    const connection = { kind: "connecting", attempt: 0, retryAt: null } as const;
    const waiting = describeStatus({
      connection,
      view: running,
      latencyMs: null,
      now: 0,
      pendingTyping: 2,
    });
    expect(waiting).toMatchObject({ state: "reconnecting" });
    expect(waiting.text).toMatch(new RegExp(` · ${TYPING_KEPT}$`));
    const idle = describeStatus({ connection, view: running, latencyMs: null, now: 0 });
    expect(idle.text).not.toContain(TYPING_KEPT);
    const connected = describeStatus({
      connection: open,
      view: running,
      latencyMs: null,
      now: 0,
      pendingTyping: 2,
    });
    expect(connected.text).toBe("Connected");
  });

  it("shows the server's progress while starting", () => {
    const status = describeStatus({
      connection: open,
      view: { state: { kind: "starting", message: "Starting a shell" }, live: true },
      latencyMs: null,
      now: 0,
    });
    expect(status).toMatchObject({ state: "starting", text: "Starting: Starting a shell" });
  });

  it("counts reconnect attempts down", () => {
    const status = describeStatus({
      connection: { kind: "connecting", attempt: 3, retryAt: 4200 },
      view: running,
      latencyMs: 5,
      now: 1000,
    });
    expect(status).toMatchObject({ state: "reconnecting", tone: "warn", latency: null });
    expect(status.text).toBe("Reconnecting… attempt 3, next try in 4 s");
  });

  it("is still reconnecting while the session resumes on a new socket", () => {
    const status = describeStatus({
      connection: open,
      view: { state: { kind: "running" }, live: false },
      latencyMs: null,
      now: 0,
    });
    expect(status.state).toBe("reconnecting");
  });

  it("offers a restart after an exit or an error", () => {
    expect(
      describeStatus({
        connection: open,
        view: { state: { kind: "exited", code: 0, signal: null }, live: true },
        latencyMs: null,
        now: 0,
      }),
    ).toMatchObject({ state: "exited", text: "Exited with code 0", actions: ["restart", "close"] });
    expect(
      describeStatus({
        connection: open,
        view: { state: { kind: "error", code: "NOT_FOUND", message: "gone" }, live: true },
        latencyMs: null,
        now: 0,
      }),
    ).toMatchObject({ state: "error", tone: "bad", text: "gone", actions: ["restart", "close"] });
  });

  it("says an ended tab's server cannot be reached, and offers Restart only once it can", () => {
    const ended = {
      state: { kind: "error", code: "SESSION_ENDED", message: "The session ended" },
      live: false,
    } as const;
    const down = describeStatus({
      connection: { kind: "connecting", attempt: 2, retryAt: 3000 },
      view: ended,
      latencyMs: null,
      now: 1000,
    });
    expect(down.text).toBe(
      "The session ended · Server unreachable, retrying: attempt 2, next try in 2 s",
    );
    expect(down.actions).toEqual(["retry", "close"]);
    const back = describeStatus({ connection: open, view: ended, latencyMs: null, now: 1000 });
    expect(back).toMatchObject({ text: "The session ended", actions: ["restart", "close"] });
  });

  it("offers Retry now while a reconnect waits out its backoff, and only then", () => {
    const waiting = { kind: "connecting", attempt: 3, retryAt: 4200 } as const;
    expect(
      describeStatus({ connection: waiting, view: running, latencyMs: null, now: 1000 }).actions,
    ).toEqual(["retry"]);
    expect(
      describeStatus({ connection: waiting, view: null, latencyMs: null, now: 1000 }).actions,
    ).toEqual(["retry"]);
    const ended = { state: { kind: "exited", code: 0, signal: null }, live: false } as const;
    expect(
      describeStatus({ connection: waiting, view: ended, latencyMs: null, now: 1000 }).actions,
    ).toEqual(["retry", "close"]);
    // The wait is over (the attempt runs), there was none yet, or the connection is up.
    for (const connection of [
      { kind: "connecting", attempt: 3, retryAt: 900 },
      { kind: "connecting", attempt: 3, retryAt: null },
      { kind: "connecting", attempt: 0, retryAt: null },
      open,
    ] as const) {
      expect(
        describeStatus({ connection, view: running, latencyMs: null, now: 1000 }).actions,
      ).toEqual([]);
    }
  });

  it("says what Enter does once keys were typed into an ended tab", () => {
    const ended = { state: { kind: "exited", code: 0, signal: null }, live: true } as const;
    expect(
      describeStatus({ connection: open, view: ended, latencyMs: null, now: 0 }).hint,
    ).toBeNull();
    expect(
      describeStatus({
        connection: open,
        view: ended,
        latencyMs: null,
        now: 0,
        typedAfterEnd: true,
      }).hint,
    ).toBe(RESTART_HINT);
    const down = { kind: "connecting", attempt: 2, retryAt: 3000 } as const;
    expect(
      describeStatus({
        connection: down,
        view: ended,
        latencyMs: null,
        now: 0,
        typedAfterEnd: true,
      }).hint,
    ).toBe(RESTART_LATER_HINT);
    // Enter was pressed meanwhile: the tab restarts once the server is back.
    expect(
      describeStatus({
        connection: down,
        view: ended,
        latencyMs: null,
        now: 0,
        typedAfterEnd: true,
        restartPending: true,
      }).hint,
    ).toBe(RESTART_PENDING_HINT);
    // Not once the tab runs again.
    expect(
      describeStatus({
        connection: open,
        view: running,
        latencyMs: null,
        now: 0,
        typedAfterEnd: true,
      }).hint,
    ).toBeNull();
  });

  it("says for SKIP_NOTICE_MS that output was skipped to catch up, then plain connected", () => {
    const skip = { bytes: 12_345_678, at: 1000 };
    const at = (now: number) =>
      describeStatus({ connection: open, view: running, latencyMs: 3, now, skip });
    expect(at(1000)).toMatchObject({
      state: "connected",
      tone: "warn",
      text: "Connected · caught up: 12.3 MB of output skipped, screen redrawn",
      latency: "3 ms",
    });
    expect(at(1000 + SKIP_NOTICE_MS - 1).tone).toBe("warn");
    expect(at(1000 + SKIP_NOTICE_MS)).toMatchObject({ tone: "ok", text: "Connected" });
    // While the session is not connected, its state says more than an old skip.
    const reconnecting = describeStatus({
      connection: { kind: "connecting", attempt: 1, retryAt: null },
      view: running,
      latencyMs: null,
      now: 1000,
      skip,
    });
    expect(reconnecting.state).toBe("reconnecting");
    expect(reconnecting.text).not.toContain("skipped");
    // A skip nobody has seen yet (its tab behind, the page hidden) waits to be said.
    const unseen = { bytes: 5000, at: null };
    expect(
      describeStatus({ connection: open, view: running, latencyMs: 3, now: 1000, skip: unseen })
        .text,
    ).toBe("Connected");
  });

  it("says connecting before the first connection", () => {
    expect(
      describeStatus({
        connection: { kind: "connecting", attempt: 0, retryAt: null },
        view: null,
        latencyMs: null,
        now: 0,
      }).state,
    ).toBe("connecting");
  });
});

describe("formatBytes", () => {
  it("rounds to what a person reads at a glance", () => {
    expect(formatBytes(999)).toBe("999 bytes");
    expect(formatBytes(1000)).toBe("1 KB");
    expect(formatBytes(640_400)).toBe("640 KB");
    expect(formatBytes(1_000_000)).toBe("1.0 MB");
    expect(formatBytes(194_000_000)).toBe("194.0 MB");
  });
});

describe("exitText", () => {
  it("names the signal when there is one", () => {
    expect(exitText(null, "SIGKILL")).toBe("Exited: killed by SIGKILL");
    expect(exitText(2, null)).toBe("Exited with code 2");
  });
});

// Unit tests of what the status bar says in each state.
import { describe, expect, it } from "vitest";
import { describeStatus, exitText } from "./status-bar.js";

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
    expect(down.actions).toEqual(["close"]);
    const back = describeStatus({ connection: open, view: ended, latencyMs: null, now: 1000 });
    expect(back).toMatchObject({ text: "The session ended", actions: ["restart", "close"] });
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

describe("exitText", () => {
  it("names the signal when there is one", () => {
    expect(exitText(null, "SIGKILL")).toBe("Exited: killed by SIGKILL");
    expect(exitText(2, null)).toBe("Exited with code 2");
  });
});

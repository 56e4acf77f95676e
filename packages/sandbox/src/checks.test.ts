// What a library caller passes in is checked at the call: BAD_INPUT there, never a crash or a spin later.
import { MAX_COLS, MAX_ROWS } from "@porthole/protocol";
import { describe, expect, it } from "vitest";
import { FakeProvider } from "../test/fake-provider.js";
import { readUntilEvent, readUntilText } from "../test/helpers.js";
import { MIN_EVENT_BYTES } from "./attachment.js";
import { MAX_TIMEOUT_MS } from "./checks.js";
import { LocalProvider } from "./providers/local.js";
import { SessionManager } from "./session-manager.js";

const badInput: unknown = expect.objectContaining({ name: "SandboxError", code: "BAD_INPUT" });

function manager(): SessionManager {
  return new SessionManager({ provider: new FakeProvider() });
}

describe("library input checks", () => {
  it("refuses sizes that are not whole numbers within the limits, at create and at resize", async () => {
    const sessions = manager();
    for (const [cols, rows] of [
      [80.5, 24],
      [Number.NaN, 24],
      [80, -1],
      [0, 24],
      [MAX_COLS + 1, 24],
      [80, MAX_ROWS + 1],
    ]) {
      expect(() => sessions.create({ owner: "o", cols: cols!, rows: rows! })).toThrow(badInput);
    }
    const session = sessions.create({ owner: "o", cols: MAX_COLS, rows: MAX_ROWS });
    await expect(session.resize(80.5, 24)).rejects.toEqual(badInput);
    await expect(session.resize(80, Number.NaN)).rejects.toEqual(badInput);
    expect([session.cols, session.rows]).toEqual([MAX_COLS, MAX_ROWS]);
    await sessions.closeAll();
  });

  it("refuses a repository URL that would run more than git in the shell", () => {
    expect(() =>
      manager().create({ owner: "o", cols: 80, rows: 24, repo: "https://x.invalid/x.git; id #" }),
    ).toThrow(badInput);
  });

  it("refuses offsets and event sizes an attachment could not honour", async () => {
    const sessions = manager();
    const session = sessions.create({ owner: "o", cols: 80, rows: 24 });
    for (const from of [Number.NaN, -5, 3.5])
      expect(() => session.attach({ from })).toThrow(badInput);
    expect(() => session.attach({ from: 0, maxEventBytes: MIN_EVENT_BYTES - 1 })).toThrow(badInput);
    await expect(session.write(42 as unknown as string)).rejects.toEqual(badInput);
    await sessions.closeAll();
  });

  it("delivers the widest UTF-8 characters one per event at MIN_EVENT_BYTES", async () => {
    const provider = new FakeProvider();
    const sessions = new SessionManager({ provider });
    const session = sessions.create({ owner: "o", cols: 80, rows: 24 });
    const attachment = session.attach({ from: 0, maxEventBytes: MIN_EVENT_BYTES });
    await readUntilEvent(attachment, "ready");
    provider.ptys[0]!.emit("é😀");
    const seen = await readUntilText(attachment, /é😀/);
    expect(seen.text).toBe("é😀");
    await sessions.closeAll();
  });

  it("refuses timeouts a timer cannot keep, and takes the longest one it can", () => {
    const provider = new FakeProvider();
    for (const detachGraceMs of [Number.POSITIVE_INFINITY, MAX_TIMEOUT_MS + 1, -1, 1.5]) {
      expect(() => new SessionManager({ provider, detachGraceMs })).toThrow(badInput);
    }
    expect(() => new SessionManager({ provider, idleTimeoutMs: MAX_TIMEOUT_MS })).not.toThrow();
    expect(() => new SessionManager({ provider, maxSessions: 0 })).toThrow(badInput);
  });

  it("refuses a shell that does not exist, rather than starting sessions that exit at once", () => {
    expect(() => new LocalProvider({ shell: "/nonexistent/sh" })).toThrow(badInput);
  });

  it("refuses an isolation it does not know rather than running shells without any", () => {
    expect(() => new LocalProvider({ isolation: "bwrap" as unknown as "bubblewrap" })).toThrow(
      badInput,
    );
  });
});

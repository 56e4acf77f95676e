// Session lifecycle with a fake provider and fake timers: every end path releases the sandbox once.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { RECONNECT_HOLD_MS, SessionManager, type SessionManagerOptions } from "../src/index.js";
import { FakeProvider } from "./fake-provider.js";
import { readUntilEvent } from "./helpers.js";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function setup(options: Partial<SessionManagerOptions> = {}, provider = new FakeProvider()) {
  const ended: string[] = [];
  const stopped: string[] = [];
  const manager = new SessionManager({
    provider,
    detachGraceMs: 1000,
    idleTimeoutMs: 10_000,
    exitedLingerMs: 500,
    startTimeoutMs: 2000,
    onSessionEnd: (_session, reason) => ended.push(String(reason)),
    onSessionStop: (session) => stopped.push(session.failure?.code ?? `exit ${session.exit?.code}`),
    ...options,
  });
  return { manager, provider, ended, stopped };
}

/**
 * Gives `provider` listOrphans (owner "o", from `list`) and killSandbox; returns the ids it was
 * asked to kill.
 */
function withOrphans(
  provider: FakeProvider,
  list: (owned: ReadonlySet<string>) => { sandboxId: string; sessionId: string }[],
): string[] {
  const killed: string[] = [];
  Object.assign(provider, {
    listOrphans: (owned: ReadonlySet<string>) =>
      Promise.resolve(list(owned).map((orphan) => ({ ...orphan, owner: "o", startedAt: null }))),
    killSandbox: (id: string) => {
      killed.push(id);
      return Promise.resolve();
    },
  });
  return killed;
}

describe("session lifecycle", () => {
  it("ends after the detach grace when nobody attaches, releasing the sandbox once", async () => {
    const { manager, provider, ended } = setup();
    const session = manager.create({ owner: "o", cols: 80, rows: 24 });
    await vi.advanceTimersByTimeAsync(999);
    expect(session.state).toBe("running");
    await vi.advanceTimersByTimeAsync(1);
    expect(session.state).toBe("closed");
    expect(ended).toEqual(["detached"]);
    expect(provider.ptys[0]!.closes).toBe(1);
    expect(manager.size).toBe(0);
  });

  it("keeps the session while someone is attached and restarts the grace on detach", async () => {
    const { manager } = setup();
    const session = manager.create({ owner: "o", cols: 80, rows: 24 });
    const attachment = session.attach({ from: null });
    await vi.advanceTimersByTimeAsync(5000);
    expect(session.state).toBe("running");
    attachment.detach();
    await vi.advanceTimersByTimeAsync(1000);
    expect(session.endReason).toBe("detached");
  });

  it("ends after the idle timeout without input or output; activity postpones it", async () => {
    const { manager, provider } = setup({ detachGraceMs: 1e9 });
    const session = manager.create({ owner: "o", cols: 80, rows: 24 });
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(9000);
    provider.ptys[0]!.emit("still busy\r\n");
    await vi.advanceTimersByTimeAsync(9000);
    expect(session.state).toBe("running");
    await vi.advanceTimersByTimeAsync(1001);
    expect(session.endReason).toBe("idle");
    expect(provider.ptys[0]!.closes).toBe(1);
  });

  it("tells an attached client that the server shut down as SHUTTING_DOWN, a close as SESSION_ENDED", async () => {
    const { manager } = setup({ detachGraceMs: 1e9 });
    const closed = manager.create({ owner: "o", cols: 80, rows: 24 });
    const shut = manager.create({ owner: "o", cols: 80, rows: 24 });
    await vi.advanceTimersByTimeAsync(0);
    const onClosed = closed.attach({ from: null });
    const onShut = shut.attach({ from: null });
    await closed.close();
    await manager.closeAll();
    const ending = async (attachment: typeof onShut) =>
      (await readUntilEvent(attachment, "error")).events.find((e) => e.event.type === "error")
        ?.event;
    expect(await ending(onClosed)).toEqual({
      type: "error",
      code: "SESSION_ENDED",
      message: "The session was closed",
    });
    expect(await ending(onShut)).toEqual({
      type: "error",
      code: "SHUTTING_DOWN",
      message: "The session ended: the server shut down",
    });
  });

  it("reports an exit, lingers for late readers, then closes without releasing twice", async () => {
    const { manager, provider, ended, stopped } = setup({ detachGraceMs: 1e9 });
    const session = manager.create({ owner: "o", cols: 80, rows: 24 });
    await vi.advanceTimersByTimeAsync(0);
    provider.ptys[0]!.emit("bye\r\n");
    provider.ptys[0]!.exit({ code: 0, signal: null });
    expect(session.state).toBe("exited");
    // Told at once that the shell exited; the end comes after the linger.
    expect(stopped).toEqual(["exit 0"]);
    expect(ended).toEqual([]);
    const late = session.attach({ from: null });
    const seen = await readUntilEvent(late, "exit");
    expect(seen.text).toBe("bye\r\n");
    late.detach();
    await vi.advanceTimersByTimeAsync(500);
    expect(session.state).toBe("closed");
    expect(ended).toEqual(["exited"]);
    expect(provider.ptys[0]!.closes).toBe(1);
  });

  it("fails with a typed error when the provider cannot start a sandbox, and lingers to say so", async () => {
    const { manager, ended, stopped } = setup({}, new FakeProvider("fail"));
    const session = manager.create({ owner: "o", cols: 80, rows: 24 });
    const attachment = session.attach({ from: null });
    const seen = await readUntilEvent(attachment, "error");
    expect(seen.events.map((e) => e.event.type)).toEqual(["status", "error"]);
    expect(seen.events.at(-1)!.event).toMatchObject({
      code: "SANDBOX_FAILED",
      message: "the fake cloud said no",
    });
    expect(session.state).toBe("failed");
    expect(stopped).toEqual(["SANDBOX_FAILED"]);
    expect(await attachment.next()).toBeNull();
    // Listed a while longer, so a client that subscribes late still learns why.
    expect(manager.get(session.id)).toBe(session);
    expect(ended).toEqual([]);
    await vi.advanceTimersByTimeAsync(500);
    expect(ended).toEqual(["failed"]);
    expect(manager.get(session.id)).toBeUndefined();
  });

  it("gives up on a start that hangs, within the start timeout", async () => {
    const { manager } = setup({ detachGraceMs: 1e9 }, new FakeProvider("hang"));
    const session = manager.create({ owner: "o", cols: 80, rows: 24 });
    await vi.advanceTimersByTimeAsync(2000);
    expect(session.state).toBe("failed");
    expect(session.failure).toEqual({
      code: "SANDBOX_UNREACHABLE",
      message: "The sandbox did not start within 2 s",
    });
  });

  it("releases a sandbox that arrives after the session gave up or was closed", async () => {
    const slow = new FakeProvider({ delayMs: 3000 });
    const { manager } = setup({}, slow);
    manager.create({ owner: "o", cols: 80, rows: 24 });
    await vi.advanceTimersByTimeAsync(3000);
    expect(slow.ptys[0]!.closes).toBe(1);

    const closing = new FakeProvider({ delayMs: 100 });
    const other = setup({}, closing);
    const session = other.manager.create({ owner: "o", cols: 80, rows: 24 });
    await session.close();
    await vi.advanceTimersByTimeAsync(100);
    expect(closing.ptys[0]!.closes).toBe(1);
  });

  it("tells a client of a session closed while starting that it ended, never that it was ready", async () => {
    const provider = new FakeProvider({ delayMs: 1000 });
    const { manager } = setup({}, provider);
    const session = manager.create({ owner: "o", cols: 80, rows: 24 });
    const attachment = session.attach({ from: null });
    await session.close();
    const types: string[] = [];
    for (let event = await attachment.next(); event; event = await attachment.next())
      types.push(event.event.type);
    expect(session.ran).toBe(false);
    expect(types.filter((type) => type !== "status")).toEqual(["error"]);
  });

  it("resolves closeAll only once a sandbox still being created has arrived and been released", async () => {
    const slow = new FakeProvider({ delayMs: 500 });
    const { manager } = setup({}, slow);
    manager.create({ owner: "o", cols: 80, rows: 24 });
    await vi.advanceTimersByTimeAsync(100);
    let closed = false;
    const closing = manager.closeAll().then(() => (closed = true));
    await vi.advanceTimersByTimeAsync(300);
    expect(closed).toBe(false);
    await vi.advanceTimersByTimeAsync(100);
    await closing;
    expect(slow.ptys[0]!.closes).toBe(1);
  });

  it("holds input typed while the sandbox starts and delivers it once the shell runs", async () => {
    const slow = new FakeProvider({ delayMs: 1000 });
    const { manager } = setup({ detachGraceMs: 1e9 }, slow);
    const session = manager.create({ owner: "o", cols: 80, rows: 24 });
    const typed = session.write("early\r");
    await vi.advanceTimersByTimeAsync(1000);
    await typed;
    expect(slow.ptys[0]!.writes).toEqual(["early\r"]);
  });

  it("refuses input for a session that failed to start", async () => {
    const { manager } = setup({}, new FakeProvider("fail"));
    const session = manager.create({ owner: "o", cols: 80, rows: 24 });
    await expect(session.write("x")).rejects.toMatchObject({ code: "SESSION_ENDED" });
  });

  it("types the start command into the shell after its first output", async () => {
    const { manager, provider } = setup();
    manager.create({ owner: "o", cols: 80, rows: 24, kind: "claude", command: "echo hi" });
    await vi.advanceTimersByTimeAsync(0);
    expect(provider.ptys[0]!.writes).toEqual([]);
    provider.ptys[0]!.emit("$ ");
    await vi.advanceTimersByTimeAsync(0);
    expect(provider.ptys[0]!.writes).toEqual(["claude && echo hi\r"]);
  });
});

describe("session limits", () => {
  it("allows exactly maxSessions live sessions", () => {
    const { manager } = setup({ maxSessions: 2 });
    manager.create({ owner: "a", cols: 80, rows: 24 });
    manager.create({ owner: "b", cols: 80, rows: 24 });
    expect(() => manager.create({ owner: "c", cols: 80, rows: 24 })).toThrow(
      expect.objectContaining({
        code: "LIMIT",
        message: "The server already runs its limit of 2 sessions",
      }),
    );
  });

  it("allows exactly maxSessionsPerOwner per owner", () => {
    const { manager } = setup({ maxSessionsPerOwner: 1 });
    manager.create({ owner: "a", cols: 80, rows: 24 });
    expect(() => manager.create({ owner: "a", cols: 80, rows: 24 })).toThrow(
      expect.objectContaining({
        code: "LIMIT",
        message: "You already have the limit of 1 session; close one first",
      }),
    );
    expect(manager.create({ owner: "b", cols: 80, rows: 24 }).owner).toBe("b");
  });

  it("hides other owners' sessions and refuses new ones after closeAll", async () => {
    const { manager, provider } = setup();
    const session = manager.create({ owner: "a", cols: 80, rows: 24 });
    expect(manager.get(session.id, "b")).toBeUndefined();
    expect(() => manager.require(session.id, "b")).toThrow(
      expect.objectContaining({ code: "NOT_FOUND", message: "No such session" }),
    );
    await vi.advanceTimersByTimeAsync(0);
    await manager.closeAll();
    expect(provider.ptys[0]!.closes).toBe(1);
    expect(() => manager.create({ owner: "a", cols: 80, rows: 24 })).toThrow(
      expect.objectContaining({ code: "SHUTTING_DOWN" }),
    );
  });
});

describe("waiting", () => {
  it("leaves no waiter behind on the session for each output it waited for", async () => {
    vi.useRealTimers();
    const { manager, provider } = setup({ detachGraceMs: 1e9 });
    const session = manager.create({ owner: "o", cols: 80, rows: 24 });
    const attachment = session.attach({ from: null });
    await readUntilEvent(attachment, "ready");
    for (let i = 0; i < 200; i++) {
      const next = attachment.next();
      await new Promise((resolve) => setImmediate(resolve));
      provider.ptys[0]!.emit("x");
      await next;
    }
    expect(session.waiting).toBe(0);
    expect(session.log.waiting).toBe(0);
  });
});

describe("review fixes", () => {
  it("keeps the event loop turning when a session ends while an acknowledging client is blocked", async () => {
    vi.useRealTimers();
    const { manager, provider } = setup({ detachGraceMs: 1e9 });
    const session = manager.create({ owner: "o", cols: 80, rows: 24 });
    const attachment = session.attach({ from: null, acks: true });
    await readUntilEvent(attachment, "ready");
    provider.ptys[0]!.emit("x".repeat(300_000));
    let delivered = 0;
    while (!attachment.blocked) {
      const next = await attachment.next();
      if (next?.event.type === "output") delivered = next.offset;
    }
    provider.ptys[0]!.exit({ code: 0, signal: null });
    const pending = attachment.next();
    // A spinning next() would starve this timer forever.
    await new Promise((resolve) => setTimeout(resolve, 50));
    attachment.ack(delivered);
    const events = [await pending];
    for (let next = await attachment.next(); next; next = await attachment.next()) {
      events.push(next);
      if (next.event.type === "output") attachment.ack(next.offset);
    }
    expect(events.at(-1)?.event).toEqual({ type: "exit", code: 0, signal: null });
  });

  it("sends the screen to a client whose offset is past the end (the log restarted)", async () => {
    vi.useRealTimers();
    const { manager, provider } = setup({ detachGraceMs: 1e9 });
    const session = manager.create({ owner: "o", cols: 80, rows: 24 });
    await readUntilEvent(session.attach({ from: null }), "ready");
    provider.ptys[0]!.emit("fresh log\r\n");
    const seen = await readUntilEvent(session.attach({ from: 1_000_000 }), "snapshot");
    expect(seen.text).toContain("fresh log");
  });

  it("never takes a starting session's sandbox for an orphan", async () => {
    const provider = new FakeProvider({ delayMs: 1000 });
    const killed = withOrphans(provider, () =>
      provider.requests.map((r) => ({ sandboxId: `sb-${r.sessionId}`, sessionId: r.sessionId })),
    );
    const { manager } = setup({ detachGraceMs: 1e9 }, provider);
    manager.create({ owner: "o", cols: 80, rows: 24 });
    expect(await manager.killOrphans()).toEqual([]);
    expect(killed).toEqual([]);
  });

  it("finds orphans without touching them (findOrphans)", async () => {
    const provider = new FakeProvider();
    const killed = withOrphans(provider, (owned) =>
      ["sb-left", ...owned].map((sandboxId) => ({
        sandboxId,
        sessionId: `session-of-${sandboxId}`,
      })),
    );
    const { manager } = setup({ detachGraceMs: 1e9 }, provider);
    expect(await manager.findOrphans()).toEqual(["sb-left"]);
    expect(killed).toEqual([]);
    expect(manager.size).toBe(0);
  });
});

describe("the size's owner", () => {
  it("tells the other clients the size is free once its client is gone past the reconnect hold", async () => {
    const { manager } = setup({ detachGraceMs: 600_000, idleTimeoutMs: 600_000 });
    const session = manager.create({ owner: "o", cols: 80, rows: 24 });
    const typist = session.attach({ from: null, clientId: "a" });
    const viewer = session.attach({ from: null, clientId: "b" });
    await readUntilEvent(viewer, "ready");
    /** The viewer's next resize event (output may come between). */
    const nextResize = async () => {
      for (;;) {
        const next = await viewer.next();
        if (next?.event.type === "resize" || !next) return next?.event;
      }
    };
    await session.resize(100, 30, "a");
    expect(await nextResize()).toEqual({ type: "resize", cols: 100, rows: 30 });
    // Back within the hold (a reload, a dropped connection): nothing is said.
    typist.detach();
    await vi.advanceTimersByTimeAsync(RECONNECT_HOLD_MS - 100);
    const back = session.attach({ from: null, clientId: "a" });
    await vi.advanceTimersByTimeAsync(1000);
    expect(session.sizeFreed).toBe(0);
    // Gone for good: the viewer hears that the size is free.
    back.detach();
    await vi.advanceTimersByTimeAsync(RECONNECT_HOLD_MS);
    expect(session.sizeFreed).toBe(1);
    expect(await nextResize()).toEqual({ type: "resize", cols: 100, rows: 30, free: true });
  });

  it("says nothing when a client that did not set the size goes", async () => {
    const { manager } = setup({ detachGraceMs: 600_000, idleTimeoutMs: 600_000 });
    const session = manager.create({ owner: "o", cols: 80, rows: 24 });
    session.attach({ from: null, clientId: "a" });
    const other = session.attach({ from: null, clientId: "b" });
    await session.resize(100, 30, "a");
    other.detach();
    await vi.advanceTimersByTimeAsync(RECONNECT_HOLD_MS + 100);
    expect(session.sizeFreed).toBe(0);
  });
});

// Proves a sandbox start that never finishes ends in a SANDBOX_UNREACHABLE `error` within the start timeout, frees its slot, and releases a sandbox arriving late.
import { DEFAULT_START_TIMEOUT_MS, SessionManager, type Attachment } from "@porthole/sandbox";
import type { OutputStreamEvent } from "@porthole/protocol";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  cleanupAll,
  connectTo,
  FakeProvider,
  startCapturedServer,
  waitFor,
} from "./faults-harness.js";
import { OutputCollector } from "./harness.js";

afterEach(async () => {
  vi.restoreAllMocks();
  await cleanupAll();
});

/** Reads an attachment until an `error` event, returning the events and when it came. */
async function untilError(attachment: Attachment, timeoutMs: number) {
  const events: OutputStreamEvent[] = [];
  const signal = AbortSignal.timeout(timeoutMs);
  for (;;) {
    const next = await attachment.next(signal);
    if (!next)
      throw new Error(`no error event within ${timeoutMs} ms: got ${JSON.stringify(events)}`);
    events.push(next.event);
    if (next.event.type === "error") return events;
  }
}

describe("a start that hangs", () => {
  it("fails with SANDBOX_UNREACHABLE after startTimeoutMs, aborting the provider's start", async () => {
    const provider = new FakeProvider({ kind: "hang-forever" });
    const manager = new SessionManager({ provider, startTimeoutMs: 1000 });
    const t0 = performance.now();
    const session = manager.create({ owner: "o", cols: 80, rows: 24 });
    const events = await untilError(session.attach({ from: null }), 5000);
    const elapsed = performance.now() - t0;
    expect(events.at(-1)).toEqual({
      type: "error",
      code: "SANDBOX_UNREACHABLE",
      message: "The sandbox did not start within 1 s",
    });
    expect(elapsed).toBeGreaterThanOrEqual(990);
    expect(elapsed).toBeLessThan(1000 + 1500);
    expect(provider.aborts).toBe(1);
    // Listed as failed until the linger passes; it holds no sandbox.
    expect(manager.list().map((session) => session.state)).toEqual(["failed"]);
    expect(provider.running.size).toBe(0);
  });

  it("releases a sandbox that arrives after the timeout", async () => {
    const provider = new FakeProvider({ kind: "late", afterMs: 1200 });
    const manager = new SessionManager({ provider, startTimeoutMs: 500 });
    const session = manager.create({ owner: "o", cols: 80, rows: 24 });
    await untilError(session.attach({ from: null }), 3000);
    await waitFor(() => provider.pending === 0, 3000, "the late start to arrive");
    await waitFor(() => provider.running.size === 0, 2000, "the late sandbox to be closed");
    // Listed as failed until the linger passes; it holds no sandbox.
    expect(manager.list().map((session) => session.state)).toEqual(["failed"]);
  });

  it("reaches the browser as an `error` event through the server, bounded by SANDBOX_START_TIMEOUT", async () => {
    expect(DEFAULT_START_TIMEOUT_MS).toBe(90_000);
    const provider = new FakeProvider({ kind: "hang-forever" });
    const server = await startCapturedServer(
      { MAX_SESSIONS_PER_TOKEN: "1", SANDBOX_START_TIMEOUT: "2" },
      provider,
    );
    const { client } = connectTo(server.wsUrl);
    const t0 = performance.now();
    const info = await client.session.create.mutate({ cols: 80, rows: 24 });
    const out = new OutputCollector(client, info.id);
    await out.untilEvent("error", 5000);
    expect(performance.now() - t0).toBeLessThan(2000 + 2000);
    expect(out.events.map((e) => e.event.type)).toEqual(["status", "error"]);
    expect(out.events.at(-1)!.event).toEqual({
      type: "error",
      code: "SANDBOX_UNREACHABLE",
      message: "The sandbox did not start within 2 s",
    });
    // Listed as failed for a while (a late client learns why); its slot is free at once.
    expect((await client.session.list.query()).map((session) => session.state)).toEqual(["failed"]);
    expect(provider.aborts).toBe(1);
    // The timed-out session held the credential's only slot; it is free again.
    provider.behaviour = { kind: "echo" };
    const next = await client.session.create.mutate({ cols: 80, rows: 24 });
    await new OutputCollector(client, next.id).untilEvent("ready");
  });
});

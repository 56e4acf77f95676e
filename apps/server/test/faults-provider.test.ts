// Proves a sandbox provider that fails, hangs or answers late gives clients a clear `error` event in bounded time and leaves nothing running.
import { SandboxError } from "@porthole/sandbox";
import { afterEach, describe, expect, it } from "vitest";
import {
  cleanupAll,
  connectTo,
  FakeProvider,
  startCapturedServer,
  waitFor,
} from "./faults-harness.js";
import { OutputCollector } from "./harness.js";

afterEach(cleanupAll);

/** A server on `provider`, a client, and a session it subscribed to right after creating it. */
async function startWith(provider: FakeProvider, env: Record<string, string> = {}) {
  const server = await startCapturedServer(env, provider);
  const { client } = connectTo(server.wsUrl);
  const started = performance.now();
  const info = await client.session.create.mutate({ cols: 80, rows: 24 });
  const out = new OutputCollector(client, info.id);
  await out.untilEvent("status");
  return { server, client, info, out, started };
}

const lastEvent = (out: OutputCollector) => out.events.at(-1)!.event;

describe("sandbox creation that fails", () => {
  it("tells the client the provider's code and message, and frees the slot", async () => {
    const provider = new FakeProvider({
      kind: "reject",
      afterMs: 300,
      error: new SandboxError("SANDBOX_QUOTA", "E2B says: sandbox concurrency limit reached"),
    });
    const { server, client, out, started } = await startWith(provider);
    await out.untilEvent("error", 3000);
    const elapsed = performance.now() - started;
    expect(out.events.map((e) => e.event.type)).toEqual(["status", "error"]);
    expect(lastEvent(out)).toEqual({
      type: "error",
      code: "SANDBOX_QUOTA",
      message: "E2B says: sandbox concurrency limit reached",
    });
    expect(elapsed).toBeLessThan(300 + 1500);
    await out.until(() => out.stopped, 2000, "the stream to end");
    // Listed as failed a while longer, so a client that subscribes late learns why.
    expect((await client.session.list.query()).map((session) => session.state)).toEqual(["failed"]);
    expect(provider.running.size).toBe(0);
    expect(provider.pending).toBe(0);
    expect(server.logs.filter((line) => line.level >= 50)).toEqual([]);
    // The failure held no slot: the next create works once the provider does.
    provider.behaviour = { kind: "echo" };
    const next = await client.session.create.mutate({ cols: 80, rows: 24 });
    const again = new OutputCollector(client, next.id);
    await again.untilEvent("ready");
  });

  it("reports an unexpected provider error as SANDBOX_FAILED with its message", async () => {
    const provider = new FakeProvider({
      kind: "reject",
      afterMs: 100,
      error: new Error("getaddrinfo ENOTFOUND api.e2b.dev"),
    });
    const { out } = await startWith(provider);
    await out.untilEvent("error", 3000);
    expect(lastEvent(out)).toEqual({
      type: "error",
      code: "SANDBOX_FAILED",
      message: "getaddrinfo ENOTFOUND api.e2b.dev",
    });
    expect(provider.running.size).toBe(0);
  });

  it("logs a shell's exit when it happens, not when the session is forgotten minutes later", async () => {
    const provider = new FakeProvider();
    const { server, out } = await startWith(provider, { LOG_LEVEL: "info" });
    await out.untilEvent("ready");
    [...provider.running][0]!.exit({ code: 3, signal: null });
    await waitFor(
      () => server.logs.some((line) => line.msg === "session exited"),
      2000,
      "the exit to be logged",
    );
    expect(server.logs.find((line) => line.msg === "session exited")).toMatchObject({
      exit: { code: 3, signal: null },
    });
    expect(server.logs.some((line) => line.msg === "session ended")).toBe(false);
  });

  it("says so when shutdown runs out of time with a sandbox still closing", async () => {
    const provider = new FakeProvider();
    provider.closeHangs = true;
    const { server, out } = await startWith(provider, { SHUTDOWN_TIMEOUT: "1" });
    await out.untilEvent("ready");
    await server.close();
    expect(server.logs).toContainEqual(
      expect.objectContaining({
        msg: "shutdown timed out before every sandbox was released: some may run until their own timeout",
      }),
    );
  });
});

describe("sandbox creation that hangs", () => {
  it("is aborted when the client closes the session while it starts", async () => {
    const provider = new FakeProvider({ kind: "hang" });
    const { client, info, out } = await startWith(provider);
    expect(provider.pending).toBe(1);
    await client.session.close.mutate({ sessionId: info.id });
    await out.untilEvent("error", 2000);
    expect(lastEvent(out)).toEqual({
      type: "error",
      code: "SESSION_ENDED",
      message: "The session was closed",
    });
    expect(provider.aborts).toBe(1);
    await waitFor(() => provider.pending === 0, 2000, "the start to give up");
    expect(provider.running.size).toBe(0);
    expect(await client.session.list.query()).toEqual([]);
  });

  it("releases a sandbox that arrives after its session was closed", async () => {
    const provider = new FakeProvider({ kind: "late", afterMs: 400 });
    const { client, info, out } = await startWith(provider);
    await client.session.close.mutate({ sessionId: info.id });
    await out.untilEvent("error", 2000);
    await waitFor(() => provider.pending === 0, 3000, "the late start to arrive");
    // It arrived to nobody and was closed at once.
    await waitFor(() => provider.running.size === 0, 2000, "the late sandbox to be released");
    expect(provider.starts).toBe(1);
  });

  it("does not hold up shutdown: clients are told and the server closes within its bound", async () => {
    const provider = new FakeProvider({ kind: "hang-forever" });
    const { server, out } = await startWith(provider, { SHUTDOWN_TIMEOUT: "2" });
    const t0 = performance.now();
    await server.close();
    const tookMs = performance.now() - t0;
    expect(tookMs).toBeLessThan(2000 + 500);
    await out.until(
      () => out.events.some((e) => e.event.type === "error") || out.stopped,
      3000,
      "the client to be told",
    );
    expect(out.events.map((e) => e.event)).toContainEqual({
      type: "error",
      code: "SHUTTING_DOWN",
      message: "The session ended: the server shut down",
    });
    expect(provider.running.size).toBe(0);
  });
});

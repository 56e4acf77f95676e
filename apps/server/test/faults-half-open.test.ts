// Proves a client that vanishes without closing (half-open TCP) is noticed by the keepalive, dropped, and its session detaches and later ends.
import { afterEach, describe, expect, it } from "vitest";
import { KEEPALIVE_MISSES } from "../src/keepalive.js";
import {
  BlackholeProxy,
  cleanupAll,
  connectTo,
  startCapturedServer,
  waitFor,
  type CapturedServer,
} from "./faults-harness.js";
import { OutputCollector } from "./harness.js";

afterEach(cleanupAll);

const INTERVAL_S = 1;
const GRACE_S = 2;

/** A server with a 1 s keepalive and 2 s detach grace, a proxy in front, a session attached through it. */
async function attachedThroughProxy(command: string, downRate: number | null = null) {
  const server = await startCapturedServer({
    KEEPALIVE_INTERVAL: String(INTERVAL_S),
    DETACH_GRACE: String(GRACE_S),
  });
  const proxy = await BlackholeProxy.start(server.port, downRate);
  const { client } = connectTo(`ws://127.0.0.1:${proxy.port}/trpc`);
  const info = await client.session.create.mutate({ cols: 80, rows: 24 });
  const out = new OutputCollector(client, info.id);
  await out.untilEvent("ready");
  await client.terminal.input.mutate({ sessionId: info.id, clientId: "c", seq: 0, data: command });
  return { server, proxy, sessionId: info.id, out };
}

/** Blackholes the proxy and measures how the server notices and what becomes of the session. */
async function measure(server: CapturedServer, proxy: BlackholeProxy, sessionId: string) {
  const session = server.sessions.get(sessionId)!;
  expect(session.attached).toBe(1);
  expect(server.connections()).toHaveLength(1);
  const t0 = performance.now();
  proxy.blackhole();
  await waitFor(
    () => server.connections().length === 0,
    (KEEPALIVE_MISSES + 3) * INTERVAL_S * 1000,
    "the server to drop the half-open socket",
  );
  const detectedMs = performance.now() - t0;
  // The subscription ends with the socket: the session is detached but still there.
  await waitFor(() => session.attached === 0, 1000, "the session to detach");
  const detachedMs = performance.now() - t0;
  expect(server.sessions.get(sessionId)).toBe(session);
  expect(session.state).toBe("running");
  // ... until its detach grace runs out.
  await waitFor(
    () => server.sessions.get(sessionId) === undefined,
    (GRACE_S + 2) * 1000,
    "the detach grace to end the session",
  );
  const endedMs = performance.now() - t0;
  expect(session.endReason).toBe("detached");
  return { detectedMs, detachedMs, endedMs };
}

describe("a client that disappears without closing", () => {
  it("is dropped by the keepalive while idle; the session detaches, lingers for the grace, then ends", async () => {
    const { server, proxy, sessionId, out } = await attachedThroughProxy("echo ready-$((6*7))\r");
    await out.untilText(/ready-42/);
    const { detectedMs, detachedMs, endedMs } = await measure(server, proxy, sessionId);
    console.log(
      `half-open idle: dropped after ${detectedMs.toFixed(0)} ms, detached after ${detachedMs.toFixed(0)} ms, ended after ${endedMs.toFixed(0)} ms`,
    );
    // Not before KEEPALIVE_MISSES silent intervals, not much after one more.
    expect(detectedMs).toBeGreaterThanOrEqual((KEEPALIVE_MISSES - 1) * INTERVAL_S * 1000);
    expect(detectedMs).toBeLessThanOrEqual((KEEPALIVE_MISSES + 1) * INTERVAL_S * 1000 + 1500);
    // The grace counts from the detach.
    expect(endedMs - detachedMs).toBeGreaterThanOrEqual(GRACE_S * 1000 - 100);
    expect(endedMs - detachedMs).toBeLessThanOrEqual(GRACE_S * 1000 + 1500);
  });

  it("is dropped by the keepalive while output is streaming to it (a backlog is no sign of life)", async () => {
    const { server, proxy, sessionId, out } = await attachedThroughProxy("yes streaming\r");
    await out.untilText(/streaming\r\nstreaming\r\n/);
    const { detectedMs, endedMs } = await measure(server, proxy, sessionId);
    console.log(
      `half-open streaming: dropped after ${detectedMs.toFixed(0)} ms, ended after ${endedMs.toFixed(0)} ms`,
    );
    expect(detectedMs).toBeLessThanOrEqual((KEEPALIVE_MISSES + 1) * INTERVAL_S * 1000 + 1500);
  });

  it("keeps a slow but live client whose pongs wait behind a long backlog", async () => {
    // 1 MiB/s against `yes`: each ping waits behind the socket's backlog (1 MiB) and the kernel's
    // buffers (a few MiB on loopback), seconds longer than KEEPALIVE_MISSES intervals of 1 s; only
    // the bytes the client keeps taking show it is alive. (Linux wakes a writer only once a good
    // part of the send buffer is free, so a client must take roughly one send buffer per
    // KEEPALIVE_MISSES intervals: with the default 30 s interval, about 25 KiB/s.)
    const { server, proxy, sessionId } = await attachedThroughProxy("yes slow\r", 1024 * 1024);
    const session = server.sessions.get(sessionId)!;
    await waitFor(
      () => (server.connections()[0]?.bufferedAmount ?? 0) > 256 * 1024,
      10_000,
      "a backlog to build up in the server's socket",
    );
    const before = proxy.delivered;
    const start = performance.now();
    const watchMs = (KEEPALIVE_MISSES + 2) * INTERVAL_S * 1000;
    while (performance.now() - start < watchMs) {
      expect(server.connections()).toHaveLength(1);
      expect(session.attached).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const rate = ((proxy.delivered - before) / watchMs) * 1000;
    console.log(
      `slow client: kept for ${watchMs} ms at ${(rate / 1024).toFixed(0)} KiB/s with ${server.connections()[0]!.bufferedAmount} bytes queued`,
    );
    expect(proxy.delivered - before).toBeGreaterThan(0);
  });
});

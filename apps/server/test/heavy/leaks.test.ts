// Proves 1000 connect/create/attach/type/close cycles leave the server's processes, file descriptors and heap where they started (within stated margins).
import { afterEach, describe, expect, it } from "vitest";
import {
  cleanupAll,
  commandOf,
  connectTo,
  descendants,
  disconnect,
  fdCount,
  startCapturedServer,
  waitFor,
  type CapturedServer,
} from "../faults-harness.js";
import { OutputCollector } from "../harness.js";

afterEach(cleanupAll);

const CYCLES = 1000;
const WARMUP = 50;
/** Cycles run side by side (like a busy server's), bounded by the 2-core machine. */
const PARALLEL = 4;

/**
 * Margins, and why:
 * - processes: 0. Every shell is killed and reaped; any survivor is a leak.
 * - file descriptors: +4. A PTY holds 1-2 and a socket 1 per cycle, so a leak of one per cycle
 *   shows as +1000; the runner itself opens and closes a few (IPC, timers' epoll, DNS).
 * - heap (after full GC): +4 MiB, i.e. 4 KiB per cycle. A leaked session (headless xterm,
 *   attachments, its connection's objects) costs tens of KiB, a leaked listener a few, so either
 *   shows; V8's own caches (compiled code, inline caches, the string table) grow a little on their
 *   own during the first thousands of calls and stay well under that (+0.9 MiB measured).
 * - ArrayBuffers (output log blocks, socket buffers; outside the V8 heap): +4 MiB likewise. A
 *   leaked session keeps at least one 64 KiB log block.
 */
const MARGINS = { processes: 0, fds: 4, heapBytes: 4 * 1024 * 1024, bufferBytes: 4 * 1024 * 1024 };

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect)
    throw new Error(
      "global.gc is missing: run this suite with --expose-gc (vitest.heavy.config.ts)",
    );
  for (let i = 0; i < 4; i++) collect();
}

/** One cycle: a new connection, a session, attach, type and read the echo, close, disconnect. */
async function cycle(server: CapturedServer, i: number): Promise<void> {
  const handle = connectTo(server.wsUrl);
  const { client } = handle;
  const info = await client.session.create.mutate({ cols: 80, rows: 24 });
  const out = new OutputCollector(client, info.id, { clientId: `c${i}` });
  await out.untilEvent("ready", 20_000);
  await client.terminal.input.mutate({
    sessionId: info.id,
    clientId: `c${i}`,
    seq: 0,
    data: `echo cycle-$((${i}+1))\r`,
  });
  await out.untilText(new RegExp(`cycle-${i + 1}\\r\\n`), 20_000);
  await client.session.close.mutate({ sessionId: info.id });
  await out.until(() => out.stopped, 10_000, "the stream to end");
  out.stop();
  disconnect(handle);
}

async function run(server: CapturedServer, from: number, count: number): Promise<void> {
  for (let i = from; i < from + count; i += PARALLEL) {
    await Promise.all(
      Array.from({ length: Math.min(PARALLEL, from + count - i) }, (_, j) => cycle(server, i + j)),
    );
  }
}

/** Waits for the server to be idle, then measures. */
async function settle(server: CapturedServer) {
  await waitFor(
    () => server.sessions.size === 0 && server.connections().length === 0,
    20_000,
    "no sessions and no connections",
  );
  await waitFor(() => descendants(process.pid).length === 0, 10_000, "every shell to be reaped");
  // Let closed sockets and PTY descriptors finish closing.
  await new Promise((resolve) => setTimeout(resolve, 300));
  gc();
  return {
    processes: descendants(process.pid).length,
    fds: fdCount(),
    heap: process.memoryUsage().heapUsed,
    buffers: process.memoryUsage().arrayBuffers,
    rss: process.memoryUsage().rss,
  };
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MiB`;

describe("leaks", () => {
  it(`${CYCLES} create/attach/close cycles return processes, fds and heap to their starting level`, async () => {
    const server = await startCapturedServer({ MAX_SESSIONS_PER_TOKEN: String(PARALLEL) });
    await run(server, 0, WARMUP);
    const before = await settle(server);
    const t0 = performance.now();
    await run(server, WARMUP, CYCLES / 2);
    const middle = await settle(server);
    await run(server, WARMUP + CYCLES / 2, CYCLES / 2);
    const after = await settle(server);
    const seconds = (performance.now() - t0) / 1000;
    console.log(
      [
        `leaks: ${CYCLES} cycles in ${seconds.toFixed(1)} s (${PARALLEL} at a time, after ${WARMUP} warm-up)`,
        `  processes: ${before.processes} -> ${middle.processes} -> ${after.processes} (margin ${MARGINS.processes})`,
        `  fds:       ${before.fds} -> ${middle.fds} -> ${after.fds} (margin +${MARGINS.fds})`,
        `  heap:      ${mib(before.heap)} -> ${mib(middle.heap)} -> ${mib(after.heap)} (margin +${mib(MARGINS.heapBytes)})`,
        `  buffers:   ${mib(before.buffers)} -> ${mib(middle.buffers)} -> ${mib(after.buffers)} (margin +${mib(MARGINS.bufferBytes)})`,
        `  rss:       ${mib(before.rss)} -> ${mib(middle.rss)} -> ${mib(after.rss)} (reported, not asserted)`,
      ].join("\n"),
    );
    const left = descendants(process.pid).map((pid) => `${pid} ${commandOf(pid)}`);
    expect(left).toEqual([]);
    expect(after.processes - before.processes).toBeLessThanOrEqual(MARGINS.processes);
    expect(after.fds - before.fds).toBeLessThanOrEqual(MARGINS.fds);
    // At the time of writing this fails: every closed session stays reachable for DETACH_GRACE
    // (15 min) because packages/sandbox's Session.#detach starts the detach-grace timer after the
    // session ended; with DETACH_GRACE=1 the heap ends +0.9 MiB. See the report.
    const perCycle = (bytes: number) => `${(bytes / CYCLES) | 0} bytes per cycle`;
    expect(
      after.heap - before.heap,
      `heap grew ${perCycle(after.heap - before.heap)}: closed sessions are still reachable`,
    ).toBeLessThanOrEqual(MARGINS.heapBytes);
    expect(
      after.buffers - before.buffers,
      `ArrayBuffers grew ${perCycle(after.buffers - before.buffers)}: closed sessions' logs are still reachable`,
    ).toBeLessThanOrEqual(MARGINS.bufferBytes);
    // No trend either: the second half grew no more than the margin's share.
    expect(after.heap - middle.heap).toBeLessThanOrEqual(MARGINS.heapBytes / 2);
  }, 300_000);
});

// Proves 200 MB of output past a stalled client keeps the server's memory bounded by configuration, reaches a live client intact, and gives the stalled one a snapshot.
import { createHash } from "node:crypto";
import type { OutputStreamEvent } from "@porthole/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { MAX_SOCKET_BUFFERED_BYTES } from "../../src/limits.js";
import {
  BlackholeProxy,
  cleanupAll,
  connectTo,
  FakeProvider,
  startCapturedServer,
  waitFor,
  within,
} from "../faults-harness.js";
import { OutputCollector, textOf } from "../harness.js";

afterEach(cleanupAll);

const LINE = `${"x".repeat(99)}\n`;
const LINES = 2_000_000; // 200 MB
const MiB = 1024 * 1024;
/**
 * What may stay allocated (after a full GC) once 200 MB went by, and why:
 * - JS heap +8 MiB: the session's headless screen (1000 lines of scrollback x 120 columns, about
 *   1.5 MiB), the attachments, the sockets' state. Nothing in it depends on how much was written.
 * - ArrayBuffers +8 MiB: the output log (LOG_BUFFER_BYTES, 4 MiB, plus up to two 64 KiB blocks),
 *   at most MAX_SOCKET_BUFFERED_BYTES (1 MiB) queued for each of the two subscribers, and the
 *   frame pool's free buffers (FRAME_POOL_MAX_FREE of them, ~1 MiB): +6.4 to 6.6 MiB measured.
 * A server that buffered for the stalled client, or kept anything per event, would be far over.
 */
const BOUNDS = { heap: 8 * MiB, buffers: 8 * MiB };
/**
 * Echoes for the many-small-outputs test, and what may stay allocated after them: 4 MiB is about
 * 40 bytes an echo, less than any object kept per echo would cost (a promise alone is 48), while
 * V8's own caches and the session's screen stay well under it (+1.1 to 1.3 MiB measured).
 */
const ECHOES = 100_000;
const ECHO_BOUND = 4 * MiB;
/**
 * Echoes between collections while measuring. tRPC's ws adapter races each subscription step
 * through a WeakMap of promises (Unpromise); its table grows to the most entries alive between
 * two collections and never shrinks, so without them the measure swings with GC timing (a table
 * of 2 or 4 MiB) rather than with what each echo keeps, which a collection cannot free.
 */
const ECHOES_PER_COLLECTION = 10_000;

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect)
    throw new Error(
      "global.gc is missing: run this suite with --expose-gc (vitest.heavy.config.ts)",
    );
  for (let i = 0; i < 4; i++) collect();
}

/** Hashes a stream's text between "BEGIN-1\r\n" and "END-2" without holding it. */
class MarkedHash {
  state: "before" | "in" | "done" = "before";
  bytes = 0;
  readonly #hash = createHash("sha256");
  #carry = "";

  push(data: string): void {
    if (this.state === "done") return;
    let text = this.#carry + data;
    if (this.state === "before") {
      const begin = text.indexOf("BEGIN-1\r\n");
      if (begin < 0) {
        this.#carry = text.slice(-16);
        return;
      }
      text = text.slice(begin + "BEGIN-1\r\n".length);
      this.state = "in";
    }
    const end = text.indexOf("END-2");
    if (end >= 0) {
      this.#update(text.slice(0, end));
      this.#carry = "";
      this.state = "done";
      return;
    }
    // "END-2" may straddle two events: hold back its length.
    const keep = Math.min(text.length, 8);
    this.#update(text.slice(0, text.length - keep));
    this.#carry = text.slice(text.length - keep);
  }

  digest(): string {
    return this.#hash.digest("hex");
  }

  #update(text: string): void {
    this.bytes += text.length;
    this.#hash.update(text);
  }
}

function expectedDigest(): string {
  const hash = createHash("sha256");
  const block = LINE.replace("\n", "\r\n").repeat(1000);
  for (let i = 0; i < LINES / 1000; i++) hash.update(block);
  return hash.digest("hex");
}

describe("memory under a flood", () => {
  it("stays bounded by configuration while 200 MB pass a stalled subscriber; the live one gets every byte", async () => {
    // In this process, so the heap can be measured after a full GC (the clients' share is small
    // and the same before and after). A long keepalive keeps the stalled client attached.
    const server = await startCapturedServer({ KEEPALIVE_INTERVAL: "3600" });
    const live = connectTo(server.wsUrl).client;
    const info = await live.session.create.mutate({ cols: 120, rows: 30 });
    // The stalled client: attached through a proxy that will stop passing anything.
    const proxy = await BlackholeProxy.start(server.port);
    const stalled = new OutputCollector(
      connectTo(`ws://127.0.0.1:${proxy.port}/trpc`).client,
      info.id,
    );
    await stalled.untilEvent("ready");
    // The live client hashes as it goes (holding 200 MB of text would measure us, not the server).
    const marked = new MarkedHash();
    let liveEvents = 0;
    let liveSnapshots = 0;
    const subscription = live.terminal.output.subscribe(
      { sessionId: info.id },
      {
        onData: ({ data }: { data: OutputStreamEvent }) => {
          liveEvents++;
          if (data.type === "output") marked.push(textOf(data.data));
          if (data.type === "snapshot") liveSnapshots++;
        },
      },
    );
    await waitFor(() => liveEvents > 0, 10_000, "the live client to attach");
    proxy.blackhole();
    gc();
    const before = process.memoryUsage();
    let peakRss = before.rss;
    let mostQueued = 0;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      for (const ws of server.connections()) mostQueued = Math.max(mostQueued, ws.bufferedAmount);
    }, 50);
    const t0 = performance.now();
    await live.terminal.input.mutate({
      sessionId: info.id,
      clientId: "flood",
      seq: 0,
      data: `echo BEGIN-$((1)); yes ${LINE.trim()} | head -n ${LINES}; echo END-$((2))\r`,
    });
    await waitFor(() => marked.state === "done", 240_000, "END-2 at the live client", 100);
    clearInterval(sampler);
    const seconds = (performance.now() - t0) / 1000;
    gc();
    const after = process.memoryUsage();
    const session = server.sessions.get(info.id)!;
    const growth = {
      heap: after.heapUsed - before.heapUsed,
      buffers: after.arrayBuffers - before.arrayBuffers,
    };
    console.log(
      [
        `flood: ${(marked.bytes / 1e6).toFixed(0)} MB in ${seconds.toFixed(1)} s with ${session.attached} attached (one stalled)`,
        `  heap after GC:   ${(before.heapUsed / MiB).toFixed(1)} -> ${(after.heapUsed / MiB).toFixed(1)} MiB (+${(growth.heap / MiB).toFixed(1)}, bound +${BOUNDS.heap / MiB})`,
        `  ArrayBuffers:    ${(before.arrayBuffers / MiB).toFixed(1)} -> ${(after.arrayBuffers / MiB).toFixed(1)} MiB (+${(growth.buffers / MiB).toFixed(1)}, bound +${BOUNDS.buffers / MiB})`,
        `  most queued in one socket: ${(mostQueued / MiB).toFixed(2)} MiB; peak RSS +${((peakRss - before.rss) / MiB).toFixed(0)} MiB (reported, not asserted)`,
      ].join("\n"),
    );
    // Every byte, in order, to the client that kept up.
    expect(marked.bytes).toBe(LINES * (LINE.length + 1));
    expect(marked.digest()).toBe(expectedDigest());
    expect(liveSnapshots).toBe(0);
    // The stalled client stayed attached and cost at most its socket bound (plus one event).
    expect(session.attached).toBe(2);
    expect(mostQueued).toBeLessThan(MAX_SOCKET_BUFFERED_BYTES + 256 * 1024);
    expect(growth.buffers).toBeLessThan(BOUNDS.buffers);
    // At the time of writing this fails (+26 MiB for 200 MB, +8 MiB for 50 MB): every wait in
    // Attachment.next adds a reaction to session.changed(), a promise that stays pending until
    // the session's state or size changes, so a long flood piles them up. See the report.
    expect(growth.heap, "heap grew with the bytes that went by").toBeLessThan(BOUNDS.heap);
    // When the stalled client's network comes back, it skips what is gone with a snapshot.
    proxy.resume();
    await stalled.untilEvent("snapshot", 30_000);
    const snapshot = stalled.events.find((e) => e.event.type === "snapshot")!.event;
    expect((snapshot as { skipped: number }).skipped).toBeGreaterThan(100 * 1e6);
    subscription.unsubscribe();
  }, 300_000);
});

describe("memory over many small outputs", () => {
  it(`keeps nothing per burst of output (${ECHOES} echoes with idle gaps between them)`, async () => {
    const provider = new FakeProvider({ kind: "echo" });
    const server = await startCapturedServer({}, provider);
    const { client } = connectTo(server.wsUrl);
    const info = await client.session.create.mutate({ cols: 80, rows: 24 });
    let received = 0;
    let arrived: () => void = () => {};
    const subscription = client.terminal.output.subscribe(
      { sessionId: info.id },
      {
        onData: ({ data }: { data: OutputStreamEvent }) => {
          if (data.type !== "output") return;
          received += data.data.length;
          arrived();
        },
      },
    );
    await waitFor(() => received > 0, 10_000, "the prompt");
    const pty = [...provider.running][0]!;
    /** Emits one byte at a time and waits for it to arrive, so the stream goes idle in between. */
    const echoes = async (count: number) => {
      for (let i = 0; i < count; i++) {
        const echoed = within(
          new Promise<void>((resolve) => (arrived = resolve)),
          5000,
          `echo ${i}`,
        );
        pty.emit("x");
        await echoed;
      }
    };
    await echoes(1000);
    gc();
    const before = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    for (let sent = 0; sent < ECHOES; sent += ECHOES_PER_COLLECTION) {
      await echoes(ECHOES_PER_COLLECTION);
      gc();
    }
    const seconds = (performance.now() - t0) / 1000;
    gc();
    const growth = process.memoryUsage().heapUsed - before;
    console.log(
      `echoes: ${ECHOES} in ${seconds.toFixed(1)} s; heap after GC +${(growth / MiB).toFixed(2)} MiB (${(growth / ECHOES) | 0} bytes per echo; bound +${ECHO_BOUND / MiB} MiB)`,
    );
    // At the time of writing this fails: each idle wait in Attachment.next leaves a reaction on
    // session.changed(), released only by the session's next state or size change. See the report.
    expect(
      growth,
      `heap grew ${(growth / ECHOES) | 0} bytes per echo: each idle wait left something behind`,
    ).toBeLessThan(ECHO_BOUND);
    subscription.unsubscribe();
  }, 300_000);
});

// Scenario 4: a client stops reading (paused TCP socket) while 200 MB are produced; server RSS and session survival.
import { DEFAULT_LOG_CAPACITY } from "@porthole/sandbox";
import { sleep } from "../measure.js";
import { connect } from "../client.js";
import { rssSampler } from "../proc.js";
import { figure, type Figure, type RunContext, type Scenario } from "../scenario.js";
import { startServerProcess, type GcMemory } from "../server.js";
import { dataFile, MARKER, MARKER_COMMAND } from "../shell.js";
import { attachTerm, portholeTerm } from "../terminal.js";

const MiB = 1024 * 1024;

/** Allowed growth: the session's ring buffer plus 16 MB. */
const BOUND_BYTES = DEFAULT_LOG_CAPACITY + 16e6;

interface StallResult {
  growthBytes: number;
  /** Growth of heapUsed + external after a full GC, measured at the end of the stall. */
  retainedBytes: number;
  survived: boolean;
  /** Bytes the stalled client skipped (snapshot) instead of receiving. */
  skipped: number;
  /** True when the stalled client's connection was dropped and tRPC reconnected. */
  reconnected: boolean;
}

/**
 * One run: a session with the stalled client and a co-viewer that keeps reading (so the 200 MB
 * really are produced during the stall). `stallMs` 0 is the baseline: nobody stalls.
 */
async function stallRun(context: RunContext, stallMs: number, bytes: number): Promise<StallResult> {
  const server = await startServerProcess({ cpuProfDir: context.cpuProfDir });
  const stalledClient = connect(server);
  const viewerClient = connect(server);
  try {
    const stalled = await portholeTerm(server, { client: stalledClient });
    const viewer = await attachTerm(viewerClient, stalled.sessionId, false);
    const file = dataFile("printable", bytes);
    // Warm the server (JIT, mirror, V8 heap sized for a flood) with a first transfer, so the
    // growth measured is what the stall costs, not the heap a busy server grows anyway.
    const warm = stalled.out.waitFor(MARKER, 120_000);
    stalled.write(`head -c ${context.quick ? 10e6 : 50e6} ${file}; ${MARKER_COMMAND}\r`);
    await warm;
    await sleep(1000);
    const retained = (m: GcMemory) => m.heapUsed + m.external;
    const before = server.rss();
    const retainedBefore = retained(await server.gcMemory());
    const sampler = rssSampler(server.pid, 50);
    const socket = stalledClient.socket();
    const viewerDone = viewer.out.waitFor(MARKER, 600_000);
    const stalledDone = stalled.out.waitFor(MARKER, 600_000);
    if (stallMs > 0) stalledClient.pauseReading();
    stalled.write(`head -c ${bytes} ${file}; ${MARKER_COMMAND}\r`);
    let retainedDuring = 0;
    if (stallMs > 0) {
      await sleep(stallMs - 500);
      retainedDuring = retained(await server.gcMemory());
      await sleep(500);
      stalledClient.resumeReading();
    } else {
      // Nobody paused: probe at the same point of the transfer.
      await sleep(2500);
      retainedDuring = retained(await server.gcMemory());
    }
    await Promise.all([viewerDone, stalledDone]);
    const peak = sampler.stop();
    const info = await stalled.client.trpc.session.get.query({ sessionId: stalled.sessionId });
    const snapshots = stalled.events.filter((e) => e.type === "snapshot");
    const skipped = snapshots.reduce((sum, e) => sum + (e.type === "snapshot" ? e.skipped : 0), 0);
    const survived = info.state === "running" && stalled.errors.length === 0;
    const result = {
      growthBytes: Math.max(0, peak - before),
      retainedBytes: retainedDuring - retainedBefore,
      survived,
      skipped,
      reconnected: stalledClient.socket() !== socket,
    };
    await viewer.close(true);
    await stalled.close(true);
    return result;
  } finally {
    stalledClient.close();
    viewerClient.close();
    await server.stop();
  }
}

async function variant(
  context: RunContext,
  stallMs: number,
  runs: number,
  bytes: number,
  baseline: StallResult[],
): Promise<Figure[]> {
  const results: StallResult[] = [];
  for (let run = 0; run < runs; run++) {
    results.push(await stallRun(context, stallMs, bytes));
    context.log(`  ${stallMs / 1000} s stall, run ${run + 1}/${runs}`);
  }
  const survived = results.filter((r) => r.survived).length;
  const reconnects = results.filter((r) => r.reconnected).length;
  const skippedMB = Math.round(Math.max(...results.map((r) => r.skipped)) / 1e6);
  const what = `client paused ${stallMs / 1000} s during ${Math.round(bytes / 1e6)} MB`;
  const bound = BOUND_BYTES / MiB;
  const target = {
    text: `≤ ${Math.round(bound)} MiB (4 MiB ring + 16 MB) and session survives`,
    met: (value: number) => value <= bound && survived === runs,
  };
  const note = `session survived ${survived}/${runs}; reconnects ${reconnects}; stalled client skipped up to ${skippedMB} MB via snapshot`;
  return [
    figure({
      scenario: "stalled",
      name: `server RSS growth (peak), ${what}`,
      unit: "MiB",
      better: "lower",
      runs: results.map((r) => r.growthBytes / MiB),
      baselines: [
        { name: "same transfer, nobody paused", runs: baseline.map((r) => r.growthBytes / MiB) },
      ],
      target,
      note,
    }),
    figure({
      scenario: "stalled",
      name: `server memory retained after full GC, ${what}`,
      unit: "MiB",
      better: "lower",
      runs: results.map((r) => r.retainedBytes / MiB),
      baselines: [
        { name: "same transfer, nobody paused", runs: baseline.map((r) => r.retainedBytes / MiB) },
      ],
      target,
      note: "heapUsed + external after gc(), at the end of the stall, minus the same before it",
    }),
  ];
}

/** Server memory while one client stops reading, against the same transfer with nobody stalled. */
export const stalled: Scenario = {
  name: "stalled",
  title: "Stalled client (paused socket)",
  async run(context) {
    const bytes = context.quick ? 30e6 : 200e6;
    const baselineRuns = context.quick ? 1 : 3;
    const baseline: StallResult[] = [];
    for (let run = 0; run < baselineRuns; run++) baseline.push(await stallRun(context, 0, bytes));
    context.log(`  baseline done`);
    if (context.quick) return variant(context, 3000, 2, bytes, baseline);
    return [
      ...(await variant(context, 10_000, 3, bytes, baseline)),
      ...(await variant(context, 60_000, 2, bytes, baseline)),
    ];
  },
};

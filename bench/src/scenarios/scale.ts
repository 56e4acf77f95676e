// Scenario 6: 100 concurrent sessions echoing and streaming; server CPU per MB, RSS per session, echo p99.
import { now, percentile, sleep } from "../measure.js";
import { cpuMs, rssBytes } from "../proc.js";
import { figure, MAIN_THREAD_BASELINE, type Scenario } from "../scenario.js";
import { startServerProcess } from "../server.js";
import { scaleCommand } from "../shell.js";
import { directTerm, portholeTerm, type Term } from "../terminal.js";

const MiB = 1024 * 1024;
const KEYS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/** Output each session streams: bytes per period. */
const STREAM_BYTES = 2000;
const STREAM_MS = 100;

interface Window {
  latencies: number[];
  lost: number;
  bytes: number;
  cpuMs: number;
}

/** Every term types a keystroke every 100-300 ms and waits for its echo, for `ms`. */
async function loadWindow(terms: Term[], ms: number, cpu: () => number): Promise<Window> {
  const bytes0 = terms.reduce((sum, t) => sum + t.out.bytes, 0);
  const cpu0 = cpu();
  const deadline = now() + ms;
  const latencies: number[] = [];
  let lost = 0;
  await Promise.all(
    terms.map(async (term, index) => {
      for (let i = index; now() < deadline; i++) {
        await sleep(100 + Math.random() * 200);
        const key = KEYS[i % KEYS.length]!;
        const echoed = term.out.waitFor(key, 5000);
        const sent = now();
        term.write(key);
        try {
          latencies.push((await echoed) - sent);
        } catch {
          lost++;
        }
      }
    }),
  );
  return {
    latencies,
    lost,
    bytes: terms.reduce((sum, t) => sum + t.out.bytes, 0) - bytes0,
    cpuMs: cpu() - cpu0,
  };
}

async function inBatches<T>(
  count: number,
  parallel: number,
  make: (i: number) => Promise<T>,
): Promise<T[]> {
  const made: T[] = [];
  for (let i = 0; i < count; i += parallel) {
    const batch = Array.from({ length: Math.min(parallel, count - i) }, (_, j) => make(i + j));
    made.push(...(await Promise.all(batch)));
  }
  return made;
}

async function startWorkload(terms: Term[]): Promise<void> {
  const command = scaleCommand(STREAM_BYTES, STREAM_MS);
  await Promise.all(
    terms.map(async (term) => {
      const streaming = term.out.waitFor("abcdefghij", 15_000);
      term.write(command);
      await streaming;
    }),
  );
  await sleep(2000);
}

interface Measured {
  windows: Window[];
  rssPerSession: number;
}

async function measure(
  terms: Term[],
  windows: number,
  ms: number,
  cpu: () => number,
  rss: () => number,
  idleRss: number,
): Promise<Measured> {
  await startWorkload(terms);
  const result: Window[] = [];
  for (let w = 0; w < windows; w++) result.push(await loadWindow(terms, ms, cpu));
  return { windows: result, rssPerSession: (rss() - idleRss) / terms.length };
}

/** 100 sessions at once through Porthole, against the same 100 PTYs driven by node-pty in one process. */
export const scale: Scenario = {
  name: "scale",
  title: "Scale: 100 concurrent sessions",
  async run(context) {
    const sessions = context.quick ? 40 : 100;
    const windows = context.quick ? 2 : 3;
    const windowMs = context.quick ? 2000 : 15_000;

    // Baseline: node-pty in this process.
    const directIdle = rssBytes(process.pid);
    const direct = await inBatches(sessions, 10, () => directTerm());
    let baseline: Measured;
    try {
      baseline = await measure(
        direct,
        windows,
        windowMs,
        () => cpuMs(process.pid),
        () => rssBytes(process.pid),
        directIdle,
      );
    } finally {
      await Promise.all(direct.map((term) => term.close()));
    }
    context.log(`  node-pty baseline done`);

    /** The same load on a Porthole server child started with `env`. */
    const measurePorthole = async (env: Record<string, string>): Promise<Measured> => {
      const server = await startServerProcess({
        cpuProfDir: context.cpuProfDir,
        env: {
          MAX_SESSIONS: String(sessions + 10),
          MAX_SESSIONS_PER_TOKEN: String(sessions + 10),
          MAX_CONNECTIONS_PER_TOKEN: String(sessions + 10),
          ...env,
        },
      });
      try {
        // One warm-up session so the idle figure includes loaded code, not just a bare process.
        const warm = await portholeTerm(server);
        await warm.close();
        await sleep(500);
        const idle = server.rss();
        const terms = await inBatches(sessions, 10, () => portholeTerm(server));
        try {
          return await measure(
            terms,
            windows,
            windowMs,
            () => server.cpu(),
            () => server.rss(),
            idle,
          );
        } finally {
          await inBatches(sessions, 20, (i) => terms[i]!.close());
        }
      } finally {
        await server.stop(30_000);
      }
    };
    const porthole = await measurePorthole({});
    context.log(`  Porthole done`);
    // The PTY thread's cost for many slow sessions: the same server with PTYs on its main thread.
    const mainThread = await measurePorthole({ LOCAL_PTY_THREAD: "false" });

    const p99 = (m: Measured) => m.windows.map((w) => percentile(w.latencies, 0.99));
    const cpuPerMB = (m: Measured) => m.windows.map((w) => w.cpuMs / (w.bytes / 1e6));
    const rate = (m: Measured) => m.windows.map((w) => w.bytes / 1e6 / (windowMs / 1000));
    const lost = porthole.windows.reduce((sum, w) => sum + w.lost, 0);
    const keys = porthole.windows.reduce((sum, w) => sum + w.latencies.length, 0);
    return [
      figure({
        scenario: "scale",
        name: `echo p99 with ${sessions} sessions streaming`,
        unit: "ms",
        better: "lower",
        runs: p99(porthole),
        baselines: [
          { name: "node-pty direct, same load", runs: p99(baseline) },
          { name: MAIN_THREAD_BASELINE, runs: p99(mainThread) },
        ],
        note: `${keys} keystrokes, ${lost} lost (no echo in 5 s); runs are ${windowMs / 1000} s windows`,
      }),
      figure({
        scenario: "scale",
        name: `server CPU per MB delivered (${sessions} sessions)`,
        unit: "ms CPU/MB",
        better: "lower",
        runs: cpuPerMB(porthole),
        baselines: [
          { name: "node-pty direct process", runs: cpuPerMB(baseline) },
          { name: MAIN_THREAD_BASELINE, runs: cpuPerMB(mainThread) },
        ],
        note: `delivered ${rate(porthole)
          .map((r) => r.toFixed(2))
          .join(", ")} MB/s in total`,
      }),
      figure({
        scenario: "scale",
        name: `server RSS per session, shells excluded (${sessions} sessions)`,
        unit: "MiB",
        better: "lower",
        runs: [porthole.rssPerSession / MiB],
        baselines: [
          { name: "node-pty direct process", runs: [baseline.rssPerSession / MiB] },
          { name: MAIN_THREAD_BASELINE, runs: [mainThread.rssPerSession / MiB] },
        ],
        note: "(RSS with the sessions loaded − idle RSS) / sessions; one measurement per run of the scenario",
      }),
    ];
  },
};

// Scenario 1: output throughput to a headless client, against the same command read from node-pty.
import { interleaveAll, now } from "../measure.js";
import {
  figure,
  MAIN_THREAD_BASELINE,
  type Figure,
  type RunContext,
  type Scenario,
} from "../scenario.js";
import { startServerProcess } from "../server.js";
import { dataFile, MARKER, MARKER_COMMAND, type DataKind } from "../shell.js";
import { directTerm, portholeTerm, socatTerm, wsTerm, type Term } from "../terminal.js";

/** The C relay baseline's name. */
const SOCAT_BASELINE = "C relay (socat, PTY to TCP)";

/**
 * The least a web terminal in Node can do: one process relaying node-pty's chunks to a ws socket,
 * with no framing of its own, no flow control and no thread. What Porthole costs on top of Node.
 */
const NODE_RELAY_BASELINE = "ws→node-pty relay (Node, no tRPC)";

/** Prints `bytes` of `file` and waits for the marker after it; returns MB/s of payload. */
async function transfer(term: Term, file: string, bytes: number): Promise<number> {
  const done = term.out.waitFor(MARKER, 300_000);
  const started = now();
  term.write(`head -c ${bytes} ${file}; ${MARKER_COMMAND}\r`);
  const finished = await done;
  return bytes / 1e6 / ((finished - started) / 1000);
}

async function measureKind(
  context: RunContext,
  kind: DataKind,
  bytes: number,
  runs: number,
): Promise<Figure> {
  const file = dataFile(kind, bytes);
  const server = await startServerProcess({ cpuProfDir: context.cpuProfDir });
  // The same server with PTYs on its main thread, to show what the PTY thread buys.
  const mainServer = await startServerProcess({ env: { LOCAL_PTY_THREAD: "false" } });
  const relayServer = await startServerProcess({ mode: "ws-pty" });
  const direct = await directTerm();
  const porthole = await portholeTerm(server);
  const mainThread = await portholeTerm(mainServer);
  const nodeRelay = await wsTerm(relayServer);
  let socat: Term | null = null;
  try {
    socat = await socatTerm();
    // Warm every path (JIT, page cache) with a small transfer first.
    await transfer(direct, file, Math.min(bytes, 4e6));
    await transfer(porthole, file, Math.min(bytes, 4e6));
    await transfer(mainThread, file, Math.min(bytes, 4e6));
    await transfer(nodeRelay, file, Math.min(bytes, 4e6));
    const cRelay = socat;
    if (cRelay) await transfer(cRelay, file, Math.min(bytes, 4e6));
    const [
      directRuns = [],
      portholeRuns = [],
      mainThreadRuns = [],
      nodeRelayRuns = [],
      socatRuns = [],
    ] = await interleaveAll(runs, [
      () => transfer(direct, file, bytes),
      () => transfer(porthole, file, bytes),
      () => transfer(mainThread, file, bytes),
      () => transfer(nodeRelay, file, bytes),
      ...(cRelay ? [() => transfer(cRelay, file, bytes)] : []),
    ]);
    return figure({
      scenario: "throughput",
      name: `${kind === "printable" ? "printable" : "ANSI-heavy"} output, ${Math.round(bytes / 1e6)} MB`,
      unit: "MB/s",
      better: "higher",
      runs: portholeRuns,
      baselines: [
        { name: "node-pty direct", runs: directRuns },
        { name: MAIN_THREAD_BASELINE, runs: mainThreadRuns },
        { name: NODE_RELAY_BASELINE, runs: nodeRelayRuns },
        ...(cRelay ? [{ name: SOCAT_BASELINE, runs: socatRuns }] : []),
      ],
      note: cRelay
        ? "socat relays the PTY in C, as a C web terminal would, without WebSocket framing"
        : "socat is not installed (apt-get install socat): no C relay baseline",
      target: {
        text: "≥ 0.9x node-pty",
        met: (value, base) => base !== null && value >= 0.9 * base,
      },
    });
  } finally {
    await socat?.close();
    await nodeRelay.close();
    await mainThread.close();
    await porthole.close();
    await direct.close();
    await relayServer.stop();
    await mainServer.stop();
    await server.stop();
  }
}

/** MB/s of printable and ANSI-heavy output through Porthole vs straight from node-pty. */
export const throughput: Scenario = {
  name: "throughput",
  title: "Output throughput (headless client)",
  async run(context) {
    const runs = context.quick ? 3 : 5;
    const printable = context.quick ? 10e6 : 100e6;
    const ansi = context.quick ? 5e6 : 50e6;
    const figures = [await measureKind(context, "printable", printable, runs)];
    context.log(`  printable done`);
    figures.push(await measureKind(context, "ansi", ansi, runs));
    return figures;
  },
};

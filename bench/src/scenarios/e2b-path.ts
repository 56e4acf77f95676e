// Scenario: throughput and keystroke echo on the E2B path (real SDK, envd emulator) beside the local one.
import { startEmulator } from "@porthole/envd-emulator";
import { interleave, now, percentile } from "../measure.js";
import { figure, type Figure, type Scenario } from "../scenario.js";
import { startServerProcess } from "../server.js";
import { dataFile, MARKER, MARKER_COMMAND } from "../shell.js";
import { portholeTerm, type Term } from "../terminal.js";
import { keystrokes, rawEcho, warmUp, WARM_UP_KEYS } from "./echo.js";

/** MB/s of `head -c bytes file` through a Porthole session. */
async function transfer(term: Term, file: string, bytes: number): Promise<number> {
  const done = term.out.waitFor(MARKER, 300_000);
  const started = now();
  term.write(`head -c ${bytes} ${file}; ${MARKER_COMMAND}\r`);
  return bytes / 1e6 / (((await done) - started) / 1000);
}

/**
 * The production path measured offline: every byte goes PTY -> envd emulator (Connect over HTTP)
 * -> e2b SDK in the server -> tRPC -> client, against the same server on the local provider.
 */
export const e2bPath: Scenario = {
  name: "e2b-path",
  title: "The E2B path (envd emulator) beside the local provider",
  async run(context) {
    const runs = context.quick ? 2 : 5;
    const bytes = context.quick ? 5e6 : 20e6;
    const keys = context.quick ? 200 : 500;
    const file = dataFile("printable", bytes);
    const emulator = await startEmulator();
    const local = await startServerProcess({ cpuProfDir: context.cpuProfDir });
    const e2b = await startServerProcess({
      env: { ...emulator.env, SANDBOX_PROVIDER: "e2b", E2B_TEMPLATE: "base", ORPHANS: "keep" },
    });
    try {
      // E2B shells use the sandbox's own HOME, so they have no bench prompt to wait for.
      const viaLocal = await portholeTerm(local, { waitPrompt: false });
      const viaE2b = await portholeTerm(e2b, { waitPrompt: false });
      for (const term of [viaLocal, viaE2b]) await term.out.quiet(500, 15_000);
      const throughput = await interleave(
        runs,
        () => transfer(viaLocal, file, bytes),
        () => transfer(viaE2b, file, bytes),
      );
      const echoLocal = await portholeTerm(local, { waitPrompt: false });
      const echoE2b = await portholeTerm(e2b, { waitPrompt: false });
      for (const term of [echoLocal, echoE2b]) {
        await term.out.quiet(500, 15_000);
        await rawEcho(term);
      }
      await warmUp([echoLocal, echoE2b], context.quick ? 1000 : WARM_UP_KEYS);
      const p50 = { local: [] as number[], e2b: [] as number[] };
      const p99 = { local: [] as number[], e2b: [] as number[] };
      for (let run = 0; run < runs; run++) {
        for (const [name, term] of [
          ["local", echoLocal],
          ["e2b", echoE2b],
        ] as const) {
          const latencies = await keystrokes(term, keys);
          p50[name].push(percentile(latencies, 0.5));
          p99[name].push(percentile(latencies, 0.99));
        }
      }
      const figures: Figure[] = [
        figure({
          scenario: "e2b-path",
          name: `printable output, ${Math.round(bytes / 1e6)} MB, E2B provider (envd emulator)`,
          unit: "MB/s",
          better: "higher",
          runs: throughput.subject,
          baselines: [{ name: "local provider, same server build", runs: throughput.baseline }],
          note: "every byte crosses the emulator's Connect stream and the e2b SDK first",
        }),
        figure({
          scenario: "e2b-path",
          name: `keystroke echo p50 (${keys} keys/run), E2B provider (envd emulator)`,
          unit: "ms",
          better: "lower",
          runs: p50.e2b,
          baselines: [{ name: "local provider", runs: p50.local }],
        }),
        figure({
          scenario: "e2b-path",
          name: `keystroke echo p99 (${keys} keys/run), E2B provider (envd emulator)`,
          unit: "ms",
          better: "lower",
          runs: p99.e2b,
          baselines: [{ name: "local provider", runs: p99.local }],
          note: "each keystroke is one SendInput request to envd",
        }),
      ];
      for (const term of [viaLocal, viaE2b, echoLocal, echoE2b]) await term.close();
      return figures;
    } finally {
      await e2b.stop();
      await local.stop();
      await emulator.close();
    }
  },
};

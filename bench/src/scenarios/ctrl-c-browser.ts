// Scenario 3 (Chromium): `yes` for a second, then Ctrl-C; ms until the prompt is on screen and output stops.
import { chromiumAvailable, withBenchPage } from "../browser/harness.js";
import type { BenchPage } from "../browser/page.js";
import { figure, type Scenario } from "../scenario.js";
import { directTerm } from "../terminal.js";
import { interrupt, QUIET_MS } from "./ctrl-c.js";

type Bench = { bench: BenchPage };

/** Ctrl-C in xterm.js in Chromium through Porthole (with flow-control acks). */
export const ctrlCBrowser: Scenario = {
  name: "ctrl-c-browser",
  title: "Ctrl-C under a flood (Chromium)",
  async run(context) {
    const runs = context.quick ? 2 : 7;
    const name = "Ctrl-C after 1 s of `yes`, xterm.js in Chromium";
    if (!chromiumAvailable()) {
      return [
        figure({
          scenario: "ctrl-c",
          name,
          unit: "ms",
          better: "lower",
          runs: null,
          note: "not measured: Chromium is not installed",
        }),
      ];
    }
    return withBenchPage(context.cpuProfDir, async (setup) => {
      const subject: number[] = [];
      const baseline: number[] = [];
      for (let run = 0; run < runs; run++) {
        subject.push(
          await setup.page.evaluate(
            (q) => (window as unknown as Bench).bench.ctrlC(1000, q),
            QUIET_MS,
          ),
        );
        const direct = await directTerm();
        try {
          baseline.push(await interrupt(direct, 1000));
        } finally {
          await direct.close();
        }
      }
      return [
        figure({
          scenario: "ctrl-c",
          name,
          unit: "ms",
          better: "lower",
          runs: subject,
          baselines: [{ name: "node-pty direct", runs: baseline }],
          target: { text: "< 300 ms", met: (value) => value < 300 },
          note: `${setup.cpus.describe()}; bench/ page with the real tRPC client and acks; stopped = prompt on screen and no write for ${QUIET_MS} ms`,
        }),
      ];
    });
  },
};

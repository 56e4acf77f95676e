// Scenario 7: 20 MB rendered by xterm.js in Chromium via Porthole, against the same bytes written straight in.
import { chromiumAvailable, withBenchPage } from "../browser/harness.js";
import type { BenchPage } from "../browser/page.js";
import { figure, type Scenario } from "../scenario.js";
import { startServerProcess } from "../server.js";
import { dataFile, MARKER_COMMAND } from "../shell.js";

type Bench = { bench: BenchPage };

/** MB/s until the last line is on screen: Porthole live against a straight xterm.write replay. */
export const render: Scenario = {
  name: "render",
  title: "Browser rendering (Chromium, xterm.js)",
  async run(context) {
    const bytes = context.quick ? 3e6 : 20e6;
    const runs = context.quick ? 2 : 5;
    const about = {
      scenario: "render",
      name: `${Math.round(bytes / 1e6)} MB until the last line is on screen`,
      unit: "MB/s",
      better: "higher",
    } as const;
    if (!chromiumAvailable()) {
      return [figure({ ...about, runs: null, note: "not measured: Chromium is not installed" })];
    }
    /** MB/s of a run that took `ms`. */
    const rate = (ms: number) => bytes / 1e6 / (ms / 1000);
    const file = dataFile("printable", bytes);
    const relayServer = await startServerProcess({ mode: "ws-pty" });
    const relayUrl = `ws://127.0.0.1:${relayServer.port}/`;
    try {
      return await withBenchPage(context.cpuProfDir, async (browser) => {
        const command = `head -c ${bytes} ${file}; ${MARKER_COMMAND}`;
        const porthole = () =>
          browser.page.evaluate(
            (c) => (window as unknown as Bench).bench.renderPorthole(c),
            command,
          );
        const straight = (paced: boolean) =>
          browser.page.evaluate((p) => (window as unknown as Bench).bench.renderBaseline(p), paced);
        const relay = () =>
          browser.page.evaluate(
            ([url, c]) => (window as unknown as Bench).bench.renderRelay(url, c),
            [relayUrl, command] as const,
          );
        await porthole(); // warm-up, and the bytes the first baseline replays
        await straight(false);
        await relay();
        const subject: number[] = [];
        const baseline: number[] = [];
        const pacedBaseline: number[] = [];
        const relayBaseline: number[] = [];
        for (let run = 0; run < runs; run++) {
          // Each baseline replays the bytes of the Porthole run just before it.
          subject.push(rate(await porthole()));
          baseline.push(rate(await straight(false)));
          pacedBaseline.push(rate(await straight(true)));
          relayBaseline.push(rate(await relay()));
          context.log(`  run ${run + 1}/${runs}`);
        }
        return [
          figure({
            ...about,
            runs: subject,
            baselines: [
              { name: "same bytes straight into xterm.js", runs: baseline },
              // Shows the cost of the live path alone: Porthole's pacing applied to both sides.
              { name: "same, redraws paced like Porthole's", runs: pacedBaseline },
              // A live shell too, through the least a Node web terminal does: what Node and a
              // second process on this machine's cores cost before anything of Porthole's.
              { name: "live through a ws→node-pty relay (no tRPC, no acks)", runs: relayBaseline },
            ],
            target: {
              text: "≥ 0.8x straight xterm.js",
              met: (value, base) => base !== null && value >= 0.8 * base,
            },
            note: "page of bench/ (xterm.js 6, DOM renderer) with the real tRPC client and acks, so the baselines run in the same page; Porthole spaces redraws to 20 a second in floods (FramePacer), plain xterm.js does not",
          }),
        ];
      });
    } finally {
      await relayServer.stop();
    }
  },
};

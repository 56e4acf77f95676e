// Scenario 7: 20 MB rendered by xterm.js in Chromium via Porthole, against the same bytes written straight in.
import { chromiumAvailable, withBenchPage } from "../browser/harness.js";
import type { BenchPage } from "../browser/page.js";
import { figure, type Scenario } from "../scenario.js";
import { startServerProcess } from "../server.js";
import { dataFile, MARKER_COMMAND } from "../shell.js";

type Bench = { bench: BenchPage };
type Side = "porthole" | "straight" | "paced" | "relay";

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
    return withBenchPage(context.cpuProfDir, async (setup) => {
      const relayServer = await startServerProcess({ mode: "ws-pty" });
      const relayUrl = `ws://127.0.0.1:${relayServer.port}/`;
      setup.cpus.addServer(relayServer.pid);
      try {
        const command = `head -c ${bytes} ${file}; ${MARKER_COMMAND}`;
        const porthole = async () =>
          rate(
            await setup.page.evaluate(
              (c) => (window as unknown as Bench).bench.renderPorthole(c),
              command,
            ),
          );
        const straight = async (paced: boolean) =>
          rate(
            await setup.page.evaluate(
              (p) => (window as unknown as Bench).bench.renderBaseline(p),
              paced,
            ),
          );
        const relay = async () =>
          rate(
            await setup.page.evaluate(
              ([url, c]) => (window as unknown as Bench).bench.renderRelay(url, c),
              [relayUrl, command] as const,
            ),
          );
        const separated = setup.cpus.separate();
        await porthole(); // warm-up, and the bytes the first baseline replays
        await straight(false);
        await relay();
        // Runs of each side, on separate CPUs and then sharing them.
        const apart: Record<Side, number[]> = { porthole: [], straight: [], paced: [], relay: [] };
        const shared: Record<Exclude<Side, "paced">, number[]> = {
          porthole: [],
          straight: [],
          relay: [],
        };
        for (let run = 0; run < runs; run++) {
          // Each straight baseline replays the bytes of the Porthole run just before it.
          setup.cpus.separate();
          apart.porthole.push(await porthole());
          apart.straight.push(await straight(false));
          apart.paced.push(await straight(true));
          apart.relay.push(await relay());
          // Quick runs (a smoke test) share the CPUs once.
          if (separated && (!context.quick || run === 0)) {
            setup.cpus.share();
            shared.porthole.push(await porthole());
            shared.straight.push(await straight(false));
            shared.relay.push(await relay());
          }
          context.log(`  run ${run + 1}/${runs}`);
        }
        const relayName = "live through a ws→node-pty relay (no tRPC, no acks)";
        return [
          figure({
            ...about,
            name: separated ? `${about.name}, browser and server on separate CPUs` : about.name,
            runs: apart.porthole,
            baselines: [
              { name: "same bytes straight into xterm.js", runs: apart.straight },
              // Shows the cost of the live path alone: Porthole's pacing applied to both sides.
              { name: "same, redraws paced like Porthole's", runs: apart.paced },
              // A live shell too, through the least a Node web terminal does.
              { name: relayName, runs: apart.relay },
            ],
            target: {
              text: "≥ 0.8x straight xterm.js",
              met: (value, base) => base !== null && value >= 0.8 * base,
            },
            note: `${setup.cpus.describe()}, as on separate machines in use; page of bench/ (xterm.js 6, DOM renderer) with the real tRPC client and acks, so the baselines run in the same page; Porthole spaces redraws to 20 a second in floods (FramePacer), plain xterm.js does not`,
          }),
          figure({
            ...about,
            name: `${about.name}, browser and server sharing the CPUs`,
            runs: separated ? shared.porthole : null,
            baselines: [
              { name: "same bytes straight into xterm.js (server idle)", runs: shared.straight },
              { name: relayName, runs: shared.relay },
            ],
            note: separated
              ? "the same runs with every process free to use every CPU: the page's thread then also waits for a core while the server, the shell and Chromium's helpers work, which the straight baseline (no server at work) never does; the relay's ratio shows what that costs any live terminal"
              : `not measured: ${setup.cpus.describe()}`,
          }),
        ];
      } finally {
        await relayServer.stop();
      }
    });
  },
};

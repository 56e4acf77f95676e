// The `pnpm bench` CLI: runs the scenarios, prints each figure beside its baseline, writes results.
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { machineInfo } from "./proc.js";
import { writeReport } from "./report.js";
import { describe, figure, type Figure, type Scenario } from "./scenario.js";
import { killAllServers } from "./server.js";
import { BENCH_ROOT } from "./shell.js";
import { ctrlCBrowser } from "./scenarios/ctrl-c-browser.js";
import { ctrlC } from "./scenarios/ctrl-c.js";
import { echo } from "./scenarios/echo.js";
import { ready } from "./scenarios/ready.js";
import { render } from "./scenarios/render.js";
import { scale } from "./scenarios/scale.js";
import { stalled } from "./scenarios/stalled.js";
import { throughput } from "./scenarios/throughput.js";
import { twoViewers } from "./scenarios/two-viewers.js";
import { e2bPath } from "./scenarios/e2b-path.js";

/** Every scenario, in the order a full run takes them. */
export const SCENARIOS: Scenario[] = [
  throughput,
  twoViewers,
  echo,
  ctrlC,
  ctrlCBrowser,
  stalled,
  ready,
  e2bPath,
  scale,
  render,
];

const USAGE = `Usage: pnpm bench [--quick] [--only=name,...] [--profile=dir] [--out=dir]
  --quick     fewer runs and smaller sizes (under 2 minutes); results go to results/quick/
  --only      scenarios: ${SCENARIOS.map((s) => s.name).join(", ")}
  --profile   server children write V8 CPU profiles (--cpu-prof) into dir
  --out       where results go (default results/, or results/quick/ with --quick)`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: "boolean", default: false },
      only: { type: "string" },
      profile: { type: "string" },
      out: { type: "string" },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const quick = values.quick === true;
  const only = values.only ? values.only.split(",") : null;
  const unknown = only?.filter((name) => !SCENARIOS.some((s) => s.name === name)) ?? [];
  if (unknown.length > 0) throw new Error(`unknown scenario(s): ${unknown.join(", ")}\n${USAGE}`);
  const chosen = SCENARIOS.filter((s) => !only || only.includes(s.name));
  const startedAt = new Date();
  const started = performance.now();
  const machine = machineInfo();
  console.log(
    `Porthole bench (${quick ? "quick" : "full"}) on ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}`,
  );
  const figures: Figure[] = [];
  for (const scenario of chosen) {
    console.log(`\n== ${scenario.title} (${scenario.name})`);
    const scenarioStarted = performance.now();
    let found: Figure[];
    try {
      found = await scenario.run({
        quick,
        log: (line) => console.log(line),
        cpuProfDir: values.profile,
      });
    } catch (error) {
      // A broken scenario is reported, not fatal: the others still run.
      console.error(`  ${scenario.name} failed: ${(error as Error).stack ?? String(error)}`);
      found = [
        figure({
          scenario: scenario.name,
          name: scenario.title,
          unit: "",
          better: "lower",
          runs: null,
          note: `not measured: the scenario failed (${(error as Error).message.split("\n")[0]})`,
        }),
      ];
    }
    for (const f of found) console.log(describe(f));
    // Where the time goes, so a run that grows past its budget shows which scenario grew.
    console.log(`  (${((performance.now() - scenarioStarted) / 1000).toFixed(1)} s)`);
    figures.push(...found);
  }
  const durationSeconds = (performance.now() - started) / 1000;
  const resultsRoot = fileURLToPath(new URL("../results", import.meta.url));
  const out =
    values.out ?? (quick ? `${resultsRoot}/quick` : only ? `${resultsRoot}/partial` : resultsRoot);
  const args = process.argv.slice(2).join(" ");
  writeReport(out, {
    startedAt: startedAt.toISOString(),
    durationSeconds,
    mode: quick ? "quick" : "full",
    command: `pnpm bench${args ? ` ${args}` : ""}`,
    machine,
    figures,
  });
  console.log(`\nDone in ${durationSeconds.toFixed(1)} s; results in ${out}`);
}

try {
  await main();
} finally {
  killAllServers();
  rmSync(`${BENCH_ROOT}/sessions`, { recursive: true, force: true });
}

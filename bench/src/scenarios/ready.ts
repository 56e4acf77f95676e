// Scenario 5: time from session create to the first prompt byte, local provider and E2B (emulator).
import { startEmulator, type Emulator } from "@porthole/envd-emulator";
import { now, percentile } from "../measure.js";
import { connect, type PortholeClient } from "../client.js";
import { figure, type Figure, type RunContext, type Scenario } from "../scenario.js";
import { startServerProcess, type ServerProcess } from "../server.js";
import { COLS, ROWS, spawnDirectShell } from "../shell.js";

/** ms from `session.create` to the first output byte on the subscription. */
async function portholeReady(client: PortholeClient): Promise<number> {
  const started = now();
  const info = await client.trpc.session.create.mutate({ cols: COLS, rows: ROWS });
  const firstByte = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no output within 30 s")), 30_000);
    const subscription = client.trpc.terminal.output.subscribe(
      { sessionId: info.id },
      {
        onData: ({ data }) => {
          if (data.type === "error") reject(new Error(`session failed: ${data.message}`));
          if (data.type !== "output" || data.data.length === 0) return;
          clearTimeout(timer);
          subscription.unsubscribe();
          resolve(now());
        },
        onError: (error) => reject(error instanceof Error ? error : new Error(String(error))),
      },
    );
  });
  await client.trpc.session.close.mutate({ sessionId: info.id });
  return firstByte - started;
}

/** ms from node-pty spawn to the first output byte, in this process. */
async function directReady(): Promise<number> {
  const started = now();
  const child = spawnDirectShell();
  const exited = new Promise<void>((resolve) => child.onExit(() => resolve()));
  const first = await new Promise<number>((resolve) => {
    const listener = child.onData(() => {
      listener.dispose();
      resolve(now());
    });
  });
  child.kill("SIGKILL");
  await exited;
  return first - started;
}

interface Batches {
  p50: number[];
  p95: number[];
}

async function batches(count: number, size: number, once: () => Promise<number>): Promise<Batches> {
  const result: Batches = { p50: [], p95: [] };
  for (let batch = 0; batch < count; batch++) {
    const times: number[] = [];
    for (let i = 0; i < size; i++) times.push(await once());
    result.p50.push(percentile(times, 0.5));
    result.p95.push(percentile(times, 0.95));
  }
  return result;
}

/** The E2B provider against the envd emulator, when this build of the server has one. */
async function e2bBatches(
  count: number,
  size: number,
  context: RunContext,
): Promise<Batches | string> {
  let emulator: Emulator | null = null;
  let server: ServerProcess | null = null;
  try {
    emulator = await startEmulator();
    try {
      server = await startServerProcess({
        env: { ...emulator.env, SANDBOX_PROVIDER: "e2b", E2B_TEMPLATE: "base", ORPHANS: "keep" },
      });
    } catch (error) {
      return `server would not start with SANDBOX_PROVIDER=e2b (${(error as Error).message})`;
    }
    const health = (await (await fetch(`http://127.0.0.1:${server.port}/health`)).json()) as {
      provider?: string;
    };
    if (health.provider !== "e2b")
      return `this build of the server runs ${health.provider} sessions only`;
    const client = connect(server);
    try {
      await portholeReady(client); // warm-up
      return await batches(count, size, () => portholeReady(client));
    } finally {
      client.close();
    }
  } catch (error) {
    context.log(`  e2b: ${(error as Error).message}`);
    return `failed: ${(error as Error).message}`;
  } finally {
    await server?.stop();
    await emulator?.close();
  }
}

/** Create-to-first-byte p50/p95, Porthole (local and E2B emulator) against node-pty spawn. */
export const ready: Scenario = {
  name: "ready",
  title: "Time to ready",
  async run(context) {
    const count = context.quick ? 2 : 3;
    const size = context.quick ? 5 : 10;
    const server = await startServerProcess({ cpuProfDir: context.cpuProfDir });
    const client = connect(server);
    let local: Batches;
    let direct: Batches;
    try {
      await portholeReady(client);
      await directReady();
      direct = await batches(count, size, directReady);
      local = await batches(count, size, () => portholeReady(client));
    } finally {
      client.close();
      await server.stop();
    }
    const e2b = await e2bBatches(count, size, context);
    const figures: Figure[] = [];
    for (const key of ["p50", "p95"] as const) {
      figures.push(
        figure({
          scenario: "ready",
          name: `create → first prompt byte ${key}, local provider`,
          unit: "ms",
          better: "lower",
          runs: local[key],
          baselines: [{ name: "node-pty spawn", runs: direct[key] }],
          note: `${count} batches of ${size} sessions; the figure's runs are per-batch ${key}s`,
        }),
      );
    }
    for (const key of ["p50", "p95"] as const) {
      figures.push(
        figure({
          scenario: "ready",
          name: `create → first prompt byte ${key}, E2B provider (envd emulator)`,
          unit: "ms",
          better: "lower",
          runs: typeof e2b === "string" ? null : e2b[key],
          baselines: [{ name: "local provider", runs: local[key] }],
          note:
            typeof e2b === "string"
              ? `not measured: ${e2b}`
              : `${count} batches of ${size} sessions`,
        }),
      );
    }
    return figures;
  },
};

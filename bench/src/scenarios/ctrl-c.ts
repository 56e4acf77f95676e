// Scenario 3 (headless): `yes` floods for a second, then Ctrl-C; ms until the prompt is back and output stops.
import { interleave, now, sleep } from "../measure.js";
import { figure, type Scenario } from "../scenario.js";
import { startServerProcess, type ServerProcess } from "../server.js";
import { PROMPT } from "../shell.js";
import { directTerm, portholeTerm, type Term } from "../terminal.js";

/** How long output must stay quiet before we call it stopped. */
export const QUIET_MS = 300;

/** Floods with `yes` for `floodMs`, sends Ctrl-C; ms until the prompt showed and output stopped. */
export async function interrupt(term: Term, floodMs: number): Promise<number> {
  const flooding = term.out.waitFor("y\r\ny\r\n", 10_000);
  term.write("yes\r");
  await flooding;
  await sleep(floodMs);
  const prompt = term.out.waitFor(PROMPT, 30_000);
  const sent = now();
  term.write("\x03");
  const promptAt = await prompt;
  const lastAt = await term.out.quiet(QUIET_MS, 30_000);
  return Math.max(promptAt, lastAt) - sent;
}

async function fresh<T>(make: () => Promise<Term>, use: (term: Term) => Promise<T>): Promise<T> {
  const term = await make();
  try {
    return await use(term);
  } finally {
    await term.close();
  }
}

/** Ctrl-C during a flood, Porthole's headless client against node-pty read directly. */
export const ctrlC: Scenario = {
  name: "ctrl-c",
  title: "Ctrl-C under a flood (headless)",
  async run(context) {
    const runs = context.quick ? 2 : 7;
    const server: ServerProcess = await startServerProcess({ cpuProfDir: context.cpuProfDir });
    try {
      const result = await interleave(
        runs,
        () => fresh(directTerm, (term) => interrupt(term, 1000)),
        () =>
          fresh(
            () => portholeTerm(server),
            (term) => interrupt(term, 1000),
          ),
      );
      return [
        figure({
          scenario: "ctrl-c",
          name: "Ctrl-C after 1 s of `yes`, headless client",
          unit: "ms",
          better: "lower",
          runs: result.subject,
          baselines: [{ name: "node-pty direct", runs: result.baseline }],
          target: { text: "< 150 ms", met: (value) => value < 150 },
          note: `stopped = prompt shown and no output for ${QUIET_MS} ms`,
        }),
      ];
    } finally {
      await server.stop();
    }
  },
};

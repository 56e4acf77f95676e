// Scenario 2: keystroke echo latency through Porthole, node-pty directly, bare ws and a bare tRPC relay.
import { now, percentile, sleep } from "../measure.js";
import { figure, type Figure, type Scenario } from "../scenario.js";
import { startServerProcess } from "../server.js";
import { directTerm, portholeTerm, trpcTerm, wsTerm, type Term } from "../terminal.js";

/** The PTY program: raw mode, no tty echo, cat writes back each byte it reads. */
export const RAW_ECHO_COMMAND = "stty raw -echo; exec cat\r";

const KEYS = "abcdefghijklmnopqrstuvwxyz";

/**
 * The baseline that is tRPC and nothing of Porthole (`src/trpc-relay.ts`): what tRPC's client and
 * ws adapter cost a keystroke on this machine, so Porthole's own share is the difference.
 */
const TRPC_RELAY = "tRPC→node-pty relay (no Porthole)";

/** Puts a shell into raw echo mode and waits until it is quiet. */
export async function rawEcho(term: Term): Promise<void> {
  term.write(RAW_ECHO_COMMAND);
  await term.out.quiet(300, 10_000);
}

/**
 * Keystrokes each path types before anything is measured, so the figures are those of a server
 * that has been typed into for a while (V8 optimises a function only after many calls). After 50,
 * Porthole's p99 was 4.6–5.8 ms; after 4,000, 1.9–2.8 ms; after 10,000, no better.
 */
export const WARM_UP_KEYS = 4000;

/** Keystrokes in a row during the warm-up: within the server's input rate limit (bursts of 500). */
const WARM_UP_BURST = 400;

/** Types `keys` keystrokes into every term, in bursts with a second between them for the limit to refill. */
export async function warmUp(terms: Term[], keys: number): Promise<void> {
  for (let sent = 0; sent < keys; sent += WARM_UP_BURST) {
    for (const term of terms) await keystrokes(term, Math.min(WARM_UP_BURST, keys - sent));
    await sleep(1000);
  }
}

/** Sends `count` single keystrokes, each after the previous one's echo; returns latencies in ms. */
export async function keystrokes(term: Term, count: number): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < count; i++) {
    const key = KEYS[i % KEYS.length]!;
    const echoed = term.out.waitFor(key, 5000);
    const sent = now();
    term.write(key);
    latencies.push((await echoed) - sent);
  }
  return latencies;
}

/**
 * Gap between one path's keystrokes at typing pace: a person types a few keys a second, so each
 * key finds the server, its threads and the program idle, and every hop costs a wake-up.
 */
export const TYPING_GAP_MS = 100;

/**
 * Echo latency at typing pace: `keys` rounds, each sending one keystroke to every term in turn,
 * so each term gets one every TYPING_GAP_MS. Every key, not just a round's first, follows the
 * same pause: the first key after a pause also pays for waking the client, and measured 0.5 ms
 * slower than the next path's key at the same pace. Latencies per term.
 */
export async function typedKeystrokes(terms: Term[], keys: number): Promise<number[][]> {
  const latencies = terms.map(() => [] as number[]);
  const pause = TYPING_GAP_MS / terms.length;
  for (let i = 0; i < keys; i++) {
    for (const [index, term] of terms.entries()) {
      const started = now();
      latencies[index]!.push(...(await keystrokes(term, 1)));
      await sleep(Math.max(0, pause - (now() - started)));
    }
  }
  return latencies;
}

/**
 * p50/p95/p99 of keystroke echo, Porthole against bare ws echo, node-pty, a ws-to-PTY relay and a
 * tRPC-to-PTY relay.
 */
export const echo: Scenario = {
  name: "echo",
  title: "Keystroke echo latency",
  async run(context) {
    const runs = context.quick ? 2 : 5;
    const count = context.quick ? 300 : 500;
    const server = await startServerProcess({ cpuProfDir: context.cpuProfDir });
    const wsEcho = await startServerProcess({ mode: "ws-echo" });
    const wsPty = await startServerProcess({ mode: "ws-pty" });
    const trpcPty = await startServerProcess({ mode: "trpc-pty" });
    const terms: Term[] = [];
    try {
      // Each kept as soon as it exists, so a later one that fails to start leaves none open.
      const opened = <T extends Term>(term: T): T => {
        terms.push(term);
        return term;
      };
      const porthole = opened(await portholeTerm(server));
      const direct = opened(await directTerm());
      const bare = opened(await wsTerm(wsEcho, false));
      const relay = opened(await wsTerm(wsPty));
      const trpc = opened(await trpcTerm(trpcPty));
      for (const term of [porthole, direct, relay, trpc]) await rawEcho(term);
      // Warm-up, then one run of each per round; the input rate limit (500/s) refills meanwhile.
      await warmUp(terms, context.quick ? 1000 : WARM_UP_KEYS);
      const latencies = {
        porthole: [] as number[][],
        direct: [] as number[][],
        bare: [] as number[][],
        relay: [] as number[][],
        trpc: [] as number[][],
      };
      for (let run = 0; run < runs; run++) {
        await sleep(1000);
        const order =
          run % 2 === 0
            ? (["bare", "direct", "relay", "trpc", "porthole"] as const)
            : (["porthole", "trpc", "relay", "direct", "bare"] as const);
        for (const name of order) {
          const term = { porthole, direct, bare, relay, trpc }[name];
          latencies[name].push(await keystrokes(term, count));
        }
        context.log(`  round ${run + 1}/${runs}`);
      }
      const typed = {
        porthole: [] as number[],
        direct: [] as number[],
        bare: [] as number[],
        relay: [] as number[],
        trpc: [] as number[],
      };
      const typedKeys = context.quick ? 20 : 60;
      for (let run = 0; run < runs; run++) {
        const [p, d, b, r, t] = await typedKeystrokes(
          [porthole, direct, bare, relay, trpc],
          typedKeys,
        );
        typed.porthole.push(percentile(p!, 0.5));
        typed.direct.push(percentile(d!, 0.5));
        typed.bare.push(percentile(b!, 0.5));
        typed.relay.push(percentile(r!, 0.5));
        typed.trpc.push(percentile(t!, 0.5));
      }
      const at = (p: number) => (lists: number[][]) => lists.map((list) => percentile(list, p));
      const figures: Figure[] = [];
      for (const [label, p] of [
        ["p50", 0.5],
        ["p95", 0.95],
        ["p99", 0.99],
      ] as const) {
        const pick = at(p);
        figures.push(
          figure({
            scenario: "echo",
            name: `keystroke echo ${label} (${count} keys/run)`,
            unit: "ms",
            better: "lower",
            runs: pick(latencies.porthole),
            baselines: [
              { name: "bare ws echo", runs: pick(latencies.bare) },
              { name: "node-pty direct", runs: pick(latencies.direct) },
              { name: "ws→node-pty relay", runs: pick(latencies.relay) },
              { name: TRPC_RELAY, runs: pick(latencies.trpc) },
            ],
            ...(label === "p99"
              ? {
                  target: {
                    text: "< 1 ms and ≤ bare ws + 0.5 ms",
                    met: (value: number, base: number | null) =>
                      value < 1 && base !== null && value <= base + 0.5,
                  },
                }
              : {}),
          }),
        );
      }
      figures.push(
        figure({
          scenario: "echo",
          name: `keystroke echo p50 at typing pace (a key every ${TYPING_GAP_MS} ms, ${typedKeys} keys/run)`,
          unit: "ms",
          better: "lower",
          runs: typed.porthole,
          baselines: [
            { name: "bare ws echo", runs: typed.bare },
            { name: "node-pty direct", runs: typed.direct },
            { name: "ws→node-pty relay", runs: typed.relay },
            { name: TRPC_RELAY, runs: typed.trpc },
          ],
          note: "each key finds every thread and process on its path idle, so each hop costs a wake-up: Porthole's path is client, server (which writes the key to the PTY), program, PTY thread, server, client; the two relays' have no PTY thread",
        }),
      );
      return figures;
    } finally {
      for (const term of terms) await term.close();
      await Promise.all([server.stop(), wsEcho.stop(), wsPty.stop(), trpcPty.stop()]);
    }
  },
};

// Scenario: a shared session with one stalled viewer; the live viewer's throughput against alone.
import { connect } from "../client.js";
import { interleave, now } from "../measure.js";
import { figure, type Scenario } from "../scenario.js";
import { startServerProcess } from "../server.js";
import { dataFile, MARKER, MARKER_COMMAND } from "../shell.js";
import { attachTerm, portholeTerm, type PortholeTerm } from "../terminal.js";

/** The live viewer may lose at most this share of its throughput to a stalled co-viewer. */
const MARGIN = 0.1;

/** MB/s the live viewer gets for `bytes` of output. */
async function transfer(viewer: PortholeTerm, file: string, bytes: number): Promise<number> {
  const done = viewer.out.waitFor(MARKER, 300_000);
  const started = now();
  viewer.write(`head -c ${bytes} ${file}; ${MARKER_COMMAND}\r`);
  const seconds = ((await done) - started) / 1000;
  return bytes / 1e6 / seconds;
}

/** Throughput of one viewer alone, and beside a second viewer that stopped reading. */
export const twoViewers: Scenario = {
  name: "two-viewers",
  title: "Two viewers of one session, one stalled",
  async run(context) {
    // The two sides differ by a few percent at most, less than one run's noise on this machine:
    // more runs keep the median's verdict on a 0.9x threshold from flipping with one slow run.
    const runs = context.quick ? 3 : 9;
    const bytes = context.quick ? 10e6 : 50e6;
    const file = dataFile("printable", bytes);
    const server = await startServerProcess({ cpuProfDir: context.cpuProfDir });
    const alone = await portholeTerm(server);
    const stalledClient = connect(server);
    const shared = await portholeTerm(server);
    const stalled = await attachTerm(stalledClient, shared.sessionId, false);
    try {
      stalledClient.pauseReading();
      await transfer(alone, file, Math.min(bytes, 4e6));
      await transfer(shared, file, Math.min(bytes, 4e6));
      const result = await interleave(
        runs,
        () => transfer(alone, file, bytes),
        () => transfer(shared, file, bytes),
      );
      return [
        figure({
          scenario: "two-viewers",
          name: `live viewer's throughput with a stalled co-viewer, ${Math.round(bytes / 1e6)} MB`,
          unit: "MB/s",
          better: "higher",
          runs: result.subject,
          baselines: [{ name: "the same viewer alone", runs: result.baseline }],
          target: {
            text: `≥ ${1 - MARGIN}x alone`,
            met: (value, base) => base !== null && value >= (1 - MARGIN) * base,
          },
          note: "the co-viewer's TCP socket is paused for the whole run; it never slows the PTY",
        }),
      ];
    } finally {
      stalledClient.resumeReading();
      await stalled.close();
      // attachTerm does not own the connection it was given: without this it would keep
      // reconnecting to the stopped server and the run would never exit.
      stalledClient.close();
      await shared.close();
      await alone.close();
      await server.stop();
    }
  },
};

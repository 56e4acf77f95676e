// Proves one server streams 50 sessions' output at once to their clients completely and intact (a hash per session).
import { createHash } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { cleanupAll, connectTo, cpuSeconds, startServerProcess } from "../faults-harness.js";
import { OutputCollector } from "../harness.js";

afterEach(cleanupAll);

const SESSIONS = 50;
const PER_CONNECTION = 5;
const LINES = 80_000;

const sha = (text: string) => createHash("sha256").update(text).digest("hex");

/** What session `k` prints between its markers (the PTY turns \n into \r\n). */
const expected = (k: number) =>
  Array.from({ length: LINES }, (_, i) => `s${k}-${i + 1}\r\n`).join("");

describe("load", () => {
  it(`streams ${SESSIONS} sessions at once, every byte intact`, async () => {
    const server = await startServerProcess({ MAX_SESSIONS_PER_TOKEN: "64", LOG_LEVEL: "warn" });
    const sessions: {
      k: number;
      id: string;
      out: OutputCollector;
      send: () => Promise<unknown>;
    }[] = [];
    for (let c = 0; c < SESSIONS / PER_CONNECTION; c++) {
      const { client } = connectTo(server.wsUrl);
      for (let k = c * PER_CONNECTION; k < (c + 1) * PER_CONNECTION; k++) {
        const info = await client.session.create.mutate({ cols: 100, rows: 30 });
        const out = new OutputCollector(client, info.id);
        sessions.push({
          k,
          id: info.id,
          out,
          // $((...)) keeps the markers out of the echoed command line.
          send: () =>
            client.terminal.input.mutate({
              sessionId: info.id,
              clientId: "load",
              seq: 0,
              data: `echo BEGIN-$((1)); seq -f 's${k}-%g' 1 ${LINES}; echo END-$((2))\r`,
            }),
        });
      }
    }
    await Promise.all(sessions.map(({ out }) => out.untilEvent("ready", 60_000)));
    const t0 = performance.now();
    const cpu0 = cpuSeconds(server.pid);
    const own0 = process.cpuUsage();
    await Promise.all(sessions.map(({ send }) => send()));
    await Promise.all(
      sessions.map(({ out }) =>
        out.until(() => out.text.slice(-300).includes("END-2"), 150_000, "END-2"),
      ),
    );
    const seconds = (performance.now() - t0) / 1000;
    const serverCpu = cpuSeconds(server.pid) - cpu0;
    const own = process.cpuUsage(own0);
    const clientCpu = (own.user + own.system) / 1e6;
    let bytes = 0;
    for (const { k, out } of sessions) {
      const payload = /BEGIN-1\r\n([\s\S]*?)END-2/.exec(out.text)?.[1];
      expect(payload, `session ${k}`).toBeDefined();
      bytes += payload!.length;
      expect(sha(payload!), `session ${k}`).toBe(sha(expected(k)));
      // Nothing was skipped: no snapshot stood in for lost output.
      expect(
        out.events.some((e) => e.event.type === "snapshot"),
        `session ${k}`,
      ).toBe(false);
    }
    console.log(
      `load: ${SESSIONS} sessions, ${(bytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(1)} s (${(bytes / 1e6 / seconds).toFixed(1)} MB/s), all hashes match; CPU s: server ${serverCpu.toFixed(1)}, test clients ${clientCpu.toFixed(1)}`,
    );
  });
});

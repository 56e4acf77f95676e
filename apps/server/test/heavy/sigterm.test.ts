// Proves SIGTERM with 20 busy sessions tells every client, kills every shell and child within the shutdown bound and exits 0; a second signal exits at once.
import type { OutputStreamEvent } from "@porthole/protocol";
import { afterEach, describe, expect, it } from "vitest";
import {
  alive,
  cleanupAll,
  commandOf,
  connectTo,
  descendants,
  startServerProcess,
  waitFor,
  type ServerProcess,
} from "../faults-harness.js";
import { OutputCollector } from "../harness.js";

afterEach(cleanupAll);

const SESSIONS = 20;
const SHUTDOWN_TIMEOUT_S = 10;

/** What each session runs: half burn CPU quietly, half stream to the terminal; all leave jobs behind. */
function command(i: number): string {
  const jobs = "sleep 1000 & nohup sleep 1001 >/dev/null 2>&1 &";
  return i % 2 === 0 ? `${jobs} yes > /dev/null\r` : `${jobs} yes stream-${i}\r`;
}

/** 20 sessions on the server, each busy, each followed by a client; returns their collectors. */
async function busySessions(server: ServerProcess, count: number) {
  const collectors: OutputCollector[] = [];
  for (let c = 0; c < count / 5; c++) {
    const { client } = connectTo(server.wsUrl);
    for (let i = c * 5; i < c * 5 + 5; i++) {
      const info = await client.session.create.mutate({ cols: 80, rows: 24 });
      const out = new OutputCollector(client, info.id);
      await out.untilEvent("ready", 20_000);
      await client.terminal.input.mutate({
        sessionId: info.id,
        clientId: "c",
        seq: 0,
        data: command(i),
      });
      collectors.push(out);
    }
  }
  // Every shell runs its busy program and both jobs.
  const processes = await waitFor(
    () => {
      const pids = descendants(server.pid);
      const names = pids.map((pid) => commandOf(pid));
      const count_ = (pattern: RegExp) => names.filter((name) => pattern.test(name)).length;
      return count_(/^yes/) === count &&
        count_(/^sleep 1000$/) === count &&
        count_(/^sleep 1001$/) === count
        ? pids.map((pid) => ({ pid, command: commandOf(pid) }))
        : null;
    },
    30_000,
    `${count} busy shells with their jobs`,
    100,
  );
  return { collectors, processes };
}

const told = (out: OutputCollector): OutputStreamEvent | undefined =>
  out.events.map((e) => e.event).find((event) => event.type === "error" || event.type === "exit");

describe("SIGTERM", () => {
  it(`with ${SESSIONS} busy sessions: clients told, every process gone, exit 0 within the bound`, async () => {
    const server = await startServerProcess({ SHUTDOWN_TIMEOUT: String(SHUTDOWN_TIMEOUT_S) });
    const { collectors, processes } = await busySessions(server, SESSIONS);
    expect(processes.length).toBeGreaterThanOrEqual(SESSIONS * 4);
    const t0 = performance.now();
    // Another signal (the same one within a second is taken for an echo of the first Ctrl-C).
    server.child.kill("SIGINT");
    const exit = await server.exited;
    const shutdownMs = performance.now() - t0;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(shutdownMs).toBeLessThan(SHUTDOWN_TIMEOUT_S * 1000);
    // Nothing the sessions started outlived the server.
    const survivors = processes.filter(({ pid }) => alive(pid));
    expect(survivors).toEqual([]);
    // Every client was told before its socket closed.
    const endings = collectors.map(told);
    const missing = collectors.filter((out) => !told(out)).length;
    console.log(
      `SIGTERM: ${processes.length} processes gone, exit 0 after ${shutdownMs.toFixed(0)} ms; ${SESSIONS - missing}/${SESSIONS} clients told`,
    );
    for (const ending of endings) {
      expect(ending).toEqual({
        type: "error",
        code: "SHUTTING_DOWN",
        message: "The session ended: the server shut down",
      });
    }
    const messages = server.logLines().map((line) => line.msg);
    expect(messages).toContain("shutting down");
    expect(messages.at(-1)).toBe("stopped");
    expect(messages.filter((msg) => msg === "session ended")).toHaveLength(SESSIONS);
  });

  it("a second signal exits at once", async () => {
    const server = await startServerProcess({ SHUTDOWN_TIMEOUT: String(SHUTDOWN_TIMEOUT_S) });
    const { processes } = await busySessions(server, 5);
    server.child.kill("SIGTERM");
    // Signals do not queue: the second must come after the first was handled.
    await waitFor(
      () => server.stdout.includes('"msg":"shutting down"'),
      5000,
      "the first signal to be handled",
    );
    const t0 = performance.now();
    // Another signal (the same one within a second is taken for an echo of the first Ctrl-C).
    server.child.kill("SIGINT");
    const exit = await server.exited;
    const exitMs = performance.now() - t0;
    console.log(`second signal: exit ${exit.code} after ${exitMs.toFixed(0)} ms`);
    expect(exit).toEqual({ code: 130, signal: null });
    expect(exitMs).toBeLessThan(1000);
    expect(server.logLines().map((line) => line.msg)).toContain("second signal: exiting now");
    // An immediate exit skips the orderly close: the kernel hangs up the PTYs, which ends the
    // shells and what runs in their foreground; jobs that ignore SIGHUP (nohup) are left over.
    const shellsAndBusy = processes.filter(({ command: c }) => /bash|^yes( |$)/.test(c));
    expect(shellsAndBusy).toHaveLength(10);
    await waitFor(
      () => shellsAndBusy.every(({ pid }) => !alive(pid)),
      5000,
      "the hung-up shells and their foreground programs to end",
    );
    const leftovers = processes.filter(({ pid }) => alive(pid));
    console.log(
      `second signal: left running: ${leftovers.map((p) => p.command).join(", ") || "nothing"}`,
    );
    for (const { pid } of leftovers) process.kill(pid, "SIGKILL");
    expect(leftovers.every(({ command: c }) => /^sleep 100[01]$/.test(c))).toBe(true);
  });
});

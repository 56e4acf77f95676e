// Proves a server on E2B never loads node-pty's native module, and a local one loads it with its first PTY.
import { readFileSync } from "node:fs";
import { startEmulator, type Emulator } from "@porthole/envd-emulator";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cleanupAll, connectTo, startServerProcess } from "./faults-harness.js";
import { OutputCollector } from "./harness.js";

let emulator: Emulator;
beforeEach(async () => {
  emulator = await startEmulator();
});
afterEach(async () => {
  await cleanupAll();
  await emulator.close();
});

/** Whether node-pty's compiled module is mapped into process `pid` (by any of its threads). */
function nodePtyLoaded(pid: number): boolean {
  return readFileSync(`/proc/${pid}/maps`, "latin1").includes("pty.node");
}

/** Creates a session on `wsUrl` and waits until its shell is ready. */
async function readySession(wsUrl: string): Promise<void> {
  const { client } = connectTo(wsUrl);
  const info = await client.session.create.mutate({ cols: 80, rows: 24 });
  const out = new OutputCollector(client, info.id, { clientId: "c" });
  await out.untilEvent("ready");
  out.stop();
}

describe("node-pty's native module", () => {
  it("is never loaded by a server on E2B, which may run where it was not compiled", async () => {
    const server = await startServerProcess({
      SANDBOX_PROVIDER: "e2b",
      E2B_API_KEY: emulator.apiKey,
      E2B_API_URL: emulator.apiUrl,
      E2B_SANDBOX_URL: emulator.sandboxUrl,
    });
    await readySession(server.wsUrl);
    expect(nodePtyLoaded(server.pid)).toBe(false);
  });

  it("is loaded by a local server with its first PTY, on the PTY thread or not", async () => {
    for (const thread of ["true", "false"]) {
      const server = await startServerProcess({ LOCAL_PTY_THREAD: thread });
      expect(nodePtyLoaded(server.pid), `thread ${thread}, before`).toBe(false);
      await readySession(server.wsUrl);
      expect(nodePtyLoaded(server.pid), `thread ${thread}, after`).toBe(true);
    }
  });
});

// A server killed with SIGKILL and started again finds the E2B sandboxes it made: takes them back or kills them.
import { startEmulator, type Emulator } from "@porthole/envd-emulator";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cleanupAll, connectTo, startServerProcess, waitFor } from "../faults-harness.js";
import { OutputCollector } from "../harness.js";

let emulator: Emulator;
beforeEach(async () => {
  emulator = await startEmulator();
});
afterEach(async () => {
  await cleanupAll();
  await emulator.close();
});

/** A real server process on the E2B path, pointed at the emulator. */
function e2bServer(orphans: "kill" | "reattach" | "keep") {
  return startServerProcess({
    SANDBOX_PROVIDER: "e2b",
    E2B_API_KEY: emulator.apiKey,
    E2B_API_URL: emulator.apiUrl,
    E2B_SANDBOX_URL: emulator.sandboxUrl,
    ORPHANS: orphans,
  });
}

/** Starts a session in `server`, sets a variable in its shell, and returns its id. */
async function sessionWithState(wsUrl: string): Promise<string> {
  const { client } = connectTo(wsUrl);
  const info = await client.session.create.mutate({ cols: 80, rows: 24 });
  const out = new OutputCollector(client, info.id, { clientId: "c" });
  await out.untilEvent("ready");
  await out.type("export MARK=$((40+2)); echo set-$MARK\r");
  await out.untilText(/set-42/);
  out.stop();
  return info.id;
}

describe("a server restarted after SIGKILL", () => {
  it("takes its sessions back (ORPHANS=reattach): same id, same owner, same shell", async () => {
    const first = await e2bServer("reattach");
    const sessionId = await sessionWithState(first.wsUrl);
    first.child.kill("SIGKILL");
    await first.exited;
    expect(emulator.sandboxes.ids()).toHaveLength(1);

    const second = await e2bServer("reattach");
    const { client } = connectTo(second.wsUrl);
    await waitFor(
      async () =>
        (await client.session.list.query()).some(
          (s) => s.id === sessionId && s.state === "running",
        ),
      10_000,
      "the session to be taken back",
    );
    const out = new OutputCollector(client, sessionId, { clientId: "c2" });
    await out.untilEvent("ready");
    await out.type("echo again-$MARK\r");
    await out.untilText(/again-42/);
    expect(emulator.sandboxes.ids()).toHaveLength(1);
  });

  it("kills what it cannot own any more (ORPHANS=kill, the default)", async () => {
    const first = await e2bServer("kill");
    await sessionWithState(first.wsUrl);
    first.child.kill("SIGKILL");
    await first.exited;
    expect(emulator.sandboxes.ids()).toHaveLength(1);
    await e2bServer("kill");
    await waitFor(() => emulator.sandboxes.ids().length === 0, 10_000, "the orphan to be killed");
  });

  it("leaves them running and says so (ORPHANS=keep)", async () => {
    const first = await e2bServer("keep");
    await sessionWithState(first.wsUrl);
    first.child.kill("SIGKILL");
    await first.exited;
    const [sandboxId] = emulator.sandboxes.ids();
    const second = await e2bServer("keep");
    const line = await waitFor(
      () => second.logLines().find((l) => l.msg === "sandboxes left by an earlier run"),
      10_000,
      "the kept orphan to be logged",
    );
    expect(line.kept).toEqual([sandboxId]);
    expect(emulator.sandboxes.ids()).toEqual([sandboxId]);
    const { client } = connectTo(second.wsUrl);
    expect(await client.session.list.query()).toEqual([]);
  });
});

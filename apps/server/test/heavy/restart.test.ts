// A server killed with SIGKILL and started again finds what its sessions left (E2B sandboxes, local processes): takes them back or kills them.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { startEmulator, type Emulator } from "@porthole/envd-emulator";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  cleanupAll,
  connectTo,
  scratchDir,
  startServerProcess,
  waitFor,
} from "../faults-harness.js";
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
async function sessionWithState(wsUrl: string, title?: string): Promise<string> {
  const { client } = connectTo(wsUrl);
  const info = await client.session.create.mutate({ cols: 80, rows: 24, ...(title && { title }) });
  const out = new OutputCollector(client, info.id, { clientId: "c" });
  await out.untilEvent("ready");
  await out.type("export MARK=$((40+2)); echo set-$MARK\r");
  await out.untilText(/set-42/);
  out.stop();
  return info.id;
}

describe("a server restarted after SIGKILL", () => {
  it("takes its sessions back (ORPHANS=reattach): same id, owner, title, age and shell", async () => {
    const first = await e2bServer("reattach");
    const sessionId = await sessionWithState(first.wsUrl, "build box");
    const before = (await connectTo(first.wsUrl).client.session.list.query()).find(
      (s) => s.id === sessionId,
    )!;
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
    const after = (await client.session.list.query()).find((s) => s.id === sessionId)!;
    expect(after).toMatchObject({ title: "build box", kind: "shell", createdAt: before.createdAt });
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

  it.each(["kill", "reattach"])(
    "reaps what a local session left when its server was SIGKILLed (ORPHANS=%s: a PTY cannot be taken back)",
    async (orphans) => {
      const root = join(scratchDir(), "workspaces");
      const env = { LOCAL_WORKSPACE_ROOT: root, ORPHANS: orphans };
      const first = await startServerProcess(env);
      const { client } = connectTo(first.wsUrl);
      const info = await client.session.create.mutate({ cols: 80, rows: 24 });
      const out = new OutputCollector(client, info.id, { clientId: "c" });
      await out.untilEvent("ready");
      // A job that outlives its shell: its own session (setsid), deaf to the hang-up.
      const pidFile = join(scratchDir(), `pid-${orphans}`);
      await out.type(`setsid -f sh -c 'trap "" HUP; echo $$ > ${pidFile}; exec sleep 1236'\r`);
      await waitFor(
        () => existsSync(pidFile) && readFileSync(pidFile, "utf8").endsWith("\n"),
        10_000,
        "the job's pid",
      );
      const job = Number(readFileSync(pidFile, "utf8"));
      out.stop();
      first.child.kill("SIGKILL");
      await first.exited;
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(existsSync(`/proc/${job}`)).toBe(true);
      expect(existsSync(join(root, info.id))).toBe(true);

      const second = await startServerProcess(env);
      const line = await waitFor(
        () => second.logLines().find((l) => l.msg === "sandboxes left by an earlier run"),
        10_000,
        "the reaped session to be logged",
      );
      expect(line.killed).toEqual([`local-orphan:${info.id}`]);
      expect(line.reattached).toBeUndefined();
      await waitFor(() => !existsSync(`/proc/${job}`), 5000, "the job to be gone");
      expect(existsSync(join(root, info.id))).toBe(false);
    },
  );

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

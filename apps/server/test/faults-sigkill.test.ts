// Proves a shell killed with SIGKILL reaches clients as `exit` with the signal, takes its jobs with it, and leaves an exited session until it is closed.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_EXITED_LINGER_MS } from "@porthole/sandbox";
import { afterEach, describe, expect, it } from "vitest";
import {
  alive,
  cleanupAll,
  commandOf,
  connectTo,
  terminalSessionMembers,
  scratchDir,
  startCapturedServer,
  waitFor,
} from "./faults-harness.js";
import { OutputCollector } from "./harness.js";

afterEach(cleanupAll);

describe("a shell killed with SIGKILL", () => {
  it("sends `exit` with the signal, kills the shell's jobs, and lingers as exited until closed", async () => {
    const server = await startCapturedServer();
    const { client } = connectTo(server.wsUrl);
    const info = await client.session.create.mutate({ cols: 120, rows: 24 });
    const out = new OutputCollector(client, info.id);
    await out.untilEvent("ready");
    // A background job and one that ignores SIGHUP: both must go with the shell.
    await out.type(
      "sleep 1001 & nohup sleep 1002 >/dev/null 2>&1 & echo pids=$$,$(jobs -p | tr '\\n' ,)\r",
    );
    await out.untilText(/pids=\d+,\d+,\d+,/);
    const [shell, job, nohupJob] = /pids=(\d+),(\d+),(\d+),/.exec(out.text)!.slice(1).map(Number);
    expect(server.sessions.get(info.id)!.sandboxId).toBe(`local-${shell}`);
    // A job's pid is known before it has exec'd its program.
    await waitFor(
      () => commandOf(job!) === "sleep 1001" && commandOf(nohupJob!) === "sleep 1002",
      5000,
      "both jobs to run",
    );

    process.kill(shell!, "SIGKILL");
    await out.untilEvent("exit");
    expect(out.events.at(-1)!.event).toEqual({ type: "exit", code: null, signal: "SIGKILL" });

    // Everything the shell started is gone, and so is its working directory.
    await waitFor(
      () => !alive(shell!) && !alive(job!) && !alive(nohupJob!),
      5000,
      "the shell and its jobs to be gone",
    );
    await waitFor(
      () => !existsSync(join(scratchDir(), "workspaces", info.id)),
      5000,
      "the workspace to be removed",
    );
    // Nothing at all is left in the shell's terminal session.
    expect(terminalSessionMembers(shell!)).toEqual([]);

    // The session stays listed as exited (for EXITED_LINGER) so clients can read how it ended...
    expect(DEFAULT_EXITED_LINGER_MS).toBeGreaterThan(0);
    const listed = await client.session.list.query();
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({
      id: info.id,
      state: "exited",
      exit: { code: null, signal: "SIGKILL" },
      attached: 0,
    });
    // ...input is refused as ended...
    await expect(
      client.terminal.input.mutate({ sessionId: info.id, clientId: "c", seq: 1, data: "x" }),
    ).rejects.toMatchObject({
      message: "The session has ended",
      data: { porthole: "SESSION_ENDED" },
    });
    // ...a client attaching now gets the output and the exit...
    const late = new OutputCollector(connectTo(server.wsUrl).client, info.id);
    await late.untilEvent("exit");
    expect(late.text).toContain("pids=");
    expect(late.events.at(-1)!.event).toEqual({ type: "exit", code: null, signal: "SIGKILL" });
    // ...and closing it releases it for good.
    await client.session.close.mutate({ sessionId: info.id });
    expect(await client.session.list.query()).toEqual([]);
    expect(server.sessions.size).toBe(0);
  });
});

// Sandboxes that fail and shells that exit at once: the client still hears why, and the operator is told what to check.
import { join } from "node:path";
import { LocalProvider, SandboxError } from "@porthole/sandbox";
import { afterEach, describe, expect, it } from "vitest";
import {
  cleanupAll,
  connectTo,
  FakeProvider,
  quietHome,
  scratchDir,
  startCapturedServer,
  waitFor,
} from "./faults-harness.js";
import { OutputCollector } from "./harness.js";

afterEach(cleanupAll);

describe("a sandbox that fails at once", () => {
  it("still tells a client that subscribes right after create why it failed", async () => {
    // E2B answering 401 for a bad key, or a local emulator refusing at once, fails faster than
    // the client's subscribe (one round trip after create) arrives.
    const provider = new FakeProvider({
      kind: "reject",
      afterMs: 0,
      error: new SandboxError("SANDBOX_AUTH", "E2B refused the API key"),
    });
    const server = await startCapturedServer({}, provider);
    const { client } = connectTo(server.wsUrl);
    const info = await client.session.create.mutate({ cols: 80, rows: 24 });
    // What the web app does next.
    const out = new OutputCollector(client, info.id);
    await out.until(() => out.stopped || out.errors.length > 0, 3000, "the stream to end");
    const told = out.events.find((e) => e.event.type === "error")?.event;
    if (!told) {
      throw new Error(
        "The client was never told why its session failed: packages/sandbox forgets a failed " +
          "session at once, so the subscription that follows create gets " +
          `${String(out.errors[0])} instead of the SANDBOX_AUTH error event. Failed sessions should ` +
          "stay listed (state 'failed', like exited ones for EXITED_LINGER) until closed or the " +
          "linger ends, so late subscribers get the error event.",
      );
    }
    expect(told).toEqual({
      type: "error",
      code: "SANDBOX_AUTH",
      message: "E2B refused the API key",
    });
    expect(provider.running.size).toBe(0);
  });
});

describe("a shell that exits as it starts", () => {
  it("is named to the operator with the settings to check", async () => {
    const provider = new LocalProvider({
      shell: "/bin/bash",
      shellArgs: ["-c", "exit 3"],
      baseEnv: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: quietHome(), LANG: "C.UTF-8" },
      workspaceRoot: join(scratchDir(), "workspaces"),
    });
    const server = await startCapturedServer({}, provider);
    const { client } = connectTo(server.wsUrl);
    const info = await client.session.create.mutate({ cols: 80, rows: 24 });
    await new OutputCollector(client, info.id).untilEvent("exit");
    await waitFor(
      () => server.logs.some((line) => line.msg.includes("exited as it started")),
      3000,
      "the warning",
    );
    const warning = server.logs.find((line) => line.msg.includes("exited as it started"))!;
    expect(warning).toMatchObject({
      level: 40,
      msg: "a session's shell exited as it started: check LOCAL_SHELL and LOCAL_SHELL_ARGS",
      exit: { code: 3 },
    });
  });
});

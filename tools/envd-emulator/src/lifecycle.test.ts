// Sandbox lifetime through the real e2b SDK: refreshed timeouts keep it alive, an expired one is gone with its processes.
import { E2B, type Sandbox } from "e2b";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "./index.js";
import { hostProcessAlive, rejection, sleep, waitFor } from "./test-support/harness.js";

let emulator: Emulator;
let e2b: E2B;

beforeAll(async () => {
  emulator = await startEmulator();
  e2b = new E2B(emulator.sdkOptions);
});

afterAll(async () => {
  await emulator.close();
});

async function startShell(
  sandbox: Sandbox,
): Promise<{ pid: number; wait: () => Promise<unknown> }> {
  const pty = await sandbox.pty.create({
    cols: 80,
    rows: 24,
    timeoutMs: 0,
    onData: () => undefined,
  });
  return { pid: pty.pid, wait: () => pty.wait() };
}

describe("sandbox lifetime", () => {
  it("stays alive while setTimeout keeps refreshing it", async () => {
    const sandbox = await e2b.Sandbox.create("base", { timeoutMs: 1_000 });
    const shell = await startShell(sandbox);
    for (let i = 0; i < 6; i++) {
      await sandbox.setTimeout(1_000);
      await sleep(400);
    }
    expect(emulator.sandboxes.isAlive(sandbox.sandboxId)).toBe(true);
    expect(hostProcessAlive(shell.pid)).toBe(true);
    expect((await sandbox.commands.run("echo still-here")).stdout).toBe("still-here\n");
    await sandbox.kill();
  });

  it("kills an expired sandbox with all its processes; later calls fail as they do on E2B", async () => {
    const sandbox = await e2b.Sandbox.create("base", {
      timeoutMs: 1_000,
      metadata: { lifecycle: "expire" },
    });
    const shell = await startShell(sandbox);
    let stdout = "";
    const background = await sandbox.commands.run("sleep 60 & echo $!; sleep 60", {
      background: true,
      onStdout: (text) => void (stdout += text),
    });
    const grandchild = Number(
      await waitFor("the grandchild's pid", () => /^(\d+)\n/.exec(stdout)?.[1]),
    );
    // An orphan: its parent exits at once, so only its session still ties it to the sandbox.
    const orphan = Number(
      (await sandbox.commands.run("sleep 60 >/dev/null 2>&1 & echo $!")).stdout.trim(),
    );
    expect(hostProcessAlive(orphan)).toBe(true);
    const dir = emulator.sandboxes.dir(sandbox.sandboxId);
    const waited = shell.wait().then(
      () => undefined,
      (e: unknown) => e,
    );

    await waitFor(
      "the sandbox to expire",
      () => !emulator.sandboxes.isAlive(sandbox.sandboxId),
      4000,
    );
    const { existsSync } = await import("node:fs");
    await waitFor(
      "its processes to die and its files to go",
      () =>
        [shell.pid, background.pid, grandchild, orphan].every((pid) => !hostProcessAlive(pid)) &&
        dir !== undefined &&
        !existsSync(dir),
    );

    // The open PTY stream drops; the SDK probes /health (502) and reports a sandbox timeout.
    expect(await waited).toMatchObject({ name: "TimeoutError" });
    expect(
      await e2b.Sandbox.list({ query: { metadata: { lifecycle: "expire" } } }).nextItems(),
    ).toEqual([]);
    expect(await sandbox.isRunning()).toBe(false);
    await rejection(sandbox.commands.run("true"), "SandboxNotFoundError");
    await rejection(sandbox.pty.sendInput(shell.pid, new Uint8Array([13])), "TimeoutError");
    await rejection(sandbox.files.read("/home/user/x"), "TimeoutError");
    await rejection(sandbox.setTimeout(60_000), "SandboxNotFoundError");
    await rejection(sandbox.getInfo(), "SandboxNotFoundError");
    await rejection(e2b.Sandbox.connect(sandbox.sandboxId), "SandboxNotFoundError");
    expect(await sandbox.kill()).toBe(false);
  });
});

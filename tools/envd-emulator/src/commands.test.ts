// Non-PTY commands through the real e2b SDK: output, exit codes, signals, cwd/env mapping, stdin, list, kill.
import { E2B, type Sandbox } from "e2b";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "./index.js";
import { existsSync } from "node:fs";
import { hostProcessAlive, rejection, sleep } from "./test-support/harness.js";

let emulator: Emulator;
let sandbox: Sandbox;

beforeAll(async () => {
  emulator = await startEmulator();
  sandbox = await new E2B(emulator.sdkOptions).Sandbox.create("base", {
    timeoutMs: 120_000,
    envs: { SANDBOX_WIDE: "from-create" },
  });
});

afterAll(async () => {
  await emulator.close();
});

describe("commands", () => {
  it("separates stdout and stderr", async () => {
    const result = await sandbox.commands.run("echo out; echo err >&2");
    expect(result).toMatchObject({ exitCode: 0, stdout: "out\n", stderr: "err\n" });
    expect(result.error).toBeUndefined();
  });

  it("reports a non-zero exit as CommandExitError with envd's wording", async () => {
    const err = await rejection(sandbox.commands.run("echo partial; exit 3"), "CommandExitError");
    expect(err).toMatchObject({ exitCode: 3, error: "exit status 3", stdout: "partial\n" });
    const missing = await rejection(
      sandbox.commands.run("no-such-command-xyz"),
      "CommandExitError",
    );
    expect(missing).toMatchObject({ exitCode: 127 });
  });

  it("reports death by signal as exit code -1 and `signal: <name>`", async () => {
    const err = await rejection(sandbox.commands.run("kill -TERM $$"), "CommandExitError");
    expect(err).toMatchObject({ exitCode: -1, error: "signal: terminated" });
  });

  it("maps /home/user and /workspace onto the sandbox directory, with the sandbox's env", async () => {
    const root = emulator.sandboxes.dir(sandbox.sandboxId) ?? "";
    expect((await sandbox.commands.run("pwd")).stdout).toBe(`${root}/home/user\n`);
    expect((await sandbox.commands.run("pwd", { cwd: "/workspace" })).stdout).toBe(
      `${root}/workspace\n`,
    );
    await sandbox.files.write("/workspace/note.txt", "shared");
    expect((await sandbox.commands.run("cat note.txt", { cwd: "/workspace" })).stdout).toBe(
      "shared",
    );
    const env = await sandbox.commands.run('echo "$HOME|$USER|$SANDBOX_WIDE|$PER_CALL"', {
      envs: { PER_CALL: "x" },
    });
    expect(env.stdout).toBe(`${root}/home/user|user|from-create|x\n`);
    await rejection(
      sandbox.commands.run("pwd", { cwd: "/does/not/exist" }),
      "InvalidArgumentError",
    );
  });

  it("feeds stdin and closes it", async () => {
    const cat = await sandbox.commands.run("cat", { background: true, stdin: true });
    await sandbox.commands.sendStdin(cat.pid, "hello stdin");
    await sandbox.commands.closeStdin(cat.pid);
    const result = await cat.wait();
    expect(result.stdout).toBe("hello stdin");
    // Without stdin: true the process reads /dev/null and sending input fails.
    const noStdin = await sandbox.commands.run("sleep 5", { background: true });
    await rejection(sandbox.commands.sendStdin(noStdin.pid, "x"), "SandboxError");
    await noStdin.kill();
  });

  it("holds a process back while its reader does not read (no unbounded buffering)", async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let received = 0;
    const marker = `${emulator.sandboxes.dir(sandbox.sandboxId)}/home/user/written.marker`;
    const writer = await sandbox.commands.run("head -c 40000000 /dev/zero; : > written.marker", {
      background: true,
      onStdout: async (text) => {
        received += text.length;
        await gate;
      },
    });
    await sleep(1500);
    expect(existsSync(marker)).toBe(false); // the writer is blocked on a full pipe
    expect(hostProcessAlive(writer.pid)).toBe(true);
    open();
    await writer.wait();
    expect(received).toBe(40_000_000);
    expect(existsSync(marker)).toBe(true);
  });

  it("lists background commands and kills them", async () => {
    const sleeper = await sandbox.commands.run("sleep 30", { background: true });
    const listed = await sandbox.commands.list();
    expect(listed).toContainEqual(
      expect.objectContaining({
        pid: sleeper.pid,
        cmd: "/bin/bash",
        args: ["-l", "-c", "sleep 30"],
      }),
    );
    expect(await sandbox.commands.kill(sleeper.pid)).toBe(true);
    await rejection(sleeper.wait(), "CommandExitError");
    expect(sleeper.exitCode).toBe(-1);
    expect(hostProcessAlive(sleeper.pid)).toBe(false);
    expect(await sandbox.commands.kill(sleeper.pid)).toBe(false);
  });
});

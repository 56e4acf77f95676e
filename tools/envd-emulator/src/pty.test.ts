// PTYs through the real e2b SDK: echo, resize, kill, reattach without replay, Start deadline, keepalive.
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { E2B, type Sandbox } from "e2b";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Process, Signal } from "./gen/process/process_pb.js";
import { startEmulator, type Emulator } from "./index.js";
import {
  hostProcessAlive,
  keys,
  Output,
  rejection,
  sleep,
  waitFor,
} from "./test-support/harness.js";

let emulator: Emulator;
let sandbox: Sandbox;

beforeAll(async () => {
  emulator = await startEmulator();
  sandbox = await new E2B(emulator.sdkOptions).Sandbox.create("base", { timeoutMs: 120_000 });
});

afterAll(async () => {
  await emulator.close();
});

function processOf(pid: number) {
  return emulator.sandboxes.processes(sandbox.sandboxId).find((p) => p.pid === pid);
}

describe("pty", () => {
  it("echoes input typed into an interactive shell", async () => {
    const out = new Output();
    const pty = await sandbox.pty.create({ cols: 80, rows: 24, timeoutMs: 0, onData: out.onData });
    expect(processOf(pty.pid)).toMatchObject({ cmd: "/bin/bash", args: ["-i", "-l"], pty: true });
    await sandbox.pty.sendInput(pty.pid, keys("echo hello-$((40+2))\r"));
    await out.waitFor("hello-42");
    await sandbox.pty.kill(pty.pid);
  });

  it("applies resize (stty size sees it)", async () => {
    const out = new Output();
    const pty = await sandbox.pty.create({ cols: 80, rows: 24, timeoutMs: 0, onData: out.onData });
    await sandbox.pty.sendInput(pty.pid, keys("stty size\r"));
    await out.waitFor("24 80");
    await sandbox.pty.resize(pty.pid, { cols: 132, rows: 43 });
    await sandbox.pty.sendInput(pty.pid, keys("stty size\r"));
    await out.waitFor("43 132");
    await sandbox.pty.kill(pty.pid);
  });

  it("kills with SIGKILL: wait() reports signal: killed, a second kill and unknown pids resolve false", async () => {
    const pty = await sandbox.pty.create({
      cols: 80,
      rows: 24,
      timeoutMs: 0,
      onData: () => undefined,
    });
    expect(await sandbox.pty.kill(pty.pid)).toBe(true);
    const err = await rejection(pty.wait(), "CommandExitError");
    expect(err).toMatchObject({ exitCode: -1, error: "signal: killed" });
    expect(processOf(pty.pid)).toBeUndefined();
    expect(hostProcessAlive(pty.pid)).toBe(false);
    expect(await sandbox.pty.kill(pty.pid)).toBe(false);
    expect(await sandbox.pty.kill(999_999)).toBe(false);
  });

  it("reports the shell's own exit code", async () => {
    const pty = await sandbox.pty.create({
      cols: 80,
      rows: 24,
      timeoutMs: 0,
      onData: () => undefined,
    });
    await sandbox.pty.sendInput(pty.pid, keys("exit 7\r"));
    const err = await rejection(pty.wait(), "CommandExitError");
    expect(err).toMatchObject({ exitCode: 7, error: "exit status 7" });
  });

  it("connect to an unknown pid fails with NotFoundError", async () => {
    await rejection(
      sandbox.pty.connect(424_242, { onData: () => undefined, timeoutMs: 0 }),
      "NotFoundError",
    );
  });

  it("drops output while nobody is attached; pty.connect replays nothing but sees new output", async () => {
    const first = new Output();
    const pty = await sandbox.pty.create({
      cols: 80,
      rows: 24,
      timeoutMs: 0,
      onData: first.onData,
    });
    await sandbox.pty.sendInput(pty.pid, keys("echo one-$((0+1))\r"));
    await first.waitFor("one-1");
    await pty.disconnect();
    await waitFor("the stream to unsubscribe", () => processOf(pty.pid)?.subscribers === 0);

    const marker = `${emulator.sandboxes.dir(sandbox.sandboxId)}/home/user/dropped.marker`;
    await sandbox.pty.sendInput(pty.pid, keys("echo dropped-$((6*7)); : > dropped.marker\r"));
    const { existsSync } = await import("node:fs");
    await waitFor("the marker file", () => existsSync(marker));
    // Let the emulator read everything the shell wrote, with nobody subscribed.
    let dropped = -1;
    await waitFor("dropped output to settle", async () => {
      const now = processOf(pty.pid)?.droppedBytes ?? 0;
      const settled = now > 0 && now === dropped;
      dropped = now;
      await sleep(150);
      return settled;
    });

    const second = new Output();
    const again = await sandbox.pty.connect(pty.pid, { onData: second.onData, timeoutMs: 0 });
    expect(again.pid).toBe(pty.pid);
    await sandbox.pty.sendInput(pty.pid, keys("echo fresh-$((5*5))\r"));
    await second.waitFor("fresh-25");
    expect(second.text).not.toContain("dropped-42");
    expect(first.text).not.toContain("dropped-42");
    await sandbox.pty.kill(pty.pid);
  });

  it("Connect-Timeout-Ms on Start bounds the PTY's life; no timeout means no deadline", async () => {
    const bounded = await sandbox.pty.create({
      cols: 80,
      rows: 24,
      timeoutMs: 1500,
      onData: () => undefined,
    });
    const unbounded = await sandbox.pty.create({
      cols: 80,
      rows: 24,
      timeoutMs: 0,
      onData: () => undefined,
    });
    const started = Date.now();
    // The SDK's own deadline fires first: wait() rejects with deadline_exceeded; envd kills the shell.
    const err = await rejection(bounded.wait(), "TimeoutError");
    expect(err.message).toContain("deadline_exceeded");
    await waitFor(
      "the bounded PTY to be killed",
      () => processOf(bounded.pid) === undefined && !hostProcessAlive(bounded.pid),
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(processOf(unbounded.pid)).toBeDefined();
    expect(hostProcessAlive(unbounded.pid)).toBe(true);
    await sandbox.pty.kill(unbounded.pid);
  });
});

describe("envd wire details (raw Connect client)", () => {
  function client(headers: Record<string, string>) {
    const transport = createConnectTransport({
      baseUrl: emulator.sandboxUrl,
      httpVersion: "1.1",
      interceptors: [
        (next) => (req) => {
          for (const [k, v] of Object.entries(headers)) req.header.set(k, v);
          return next(req);
        },
      ],
    });
    return createClient(Process, transport);
  }

  function token(): string {
    return (sandbox as unknown as { envdAccessToken: string }).envdAccessToken;
  }

  it("requires the envd access token on every RPC", async () => {
    const id = { "E2b-Sandbox-Id": sandbox.sandboxId };
    await expect(client(id).list({})).rejects.toMatchObject({ code: 16 }); // Unauthenticated
    await expect(client({ ...id, "X-Access-Token": "wrong" }).list({})).rejects.toMatchObject({
      code: 16,
    });
    await expect(client({ ...id, "X-Access-Token": token() }).list({})).resolves.toBeDefined();
  });

  it("sends start first, then keepalives at the requested interval while idle", async () => {
    const c = client({
      "E2b-Sandbox-Id": sandbox.sandboxId,
      "X-Access-Token": token(),
      "Keepalive-Ping-Interval": "1",
    });
    const abort = new AbortController();
    const events: string[] = [];
    const stream = c.start(
      { process: { cmd: "/bin/sh", args: ["-c", "sleep 30"] }, stdin: false },
      { signal: abort.signal },
    );
    let pid = 0;
    for await (const res of stream) {
      const event = res.event?.event;
      events.push(event?.case ?? "none");
      if (event?.case === "start") pid = event.value.pid;
      if (event?.case === "keepalive") break;
    }
    abort.abort();
    expect(events[0]).toBe("start");
    expect(events.at(-1)).toBe("keepalive");
    expect(pid).toBeGreaterThan(0);
    await c.sendSignal({
      process: { selector: { case: "pid", value: pid } },
      signal: Signal.SIGKILL,
    });
    await waitFor("the sleep to end", () => !hostProcessAlive(pid));
  });
});

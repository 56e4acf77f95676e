// Fault injection through the real e2b SDK: what each injected failure looks like to a client.
import { E2B, type Sandbox } from "e2b";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Code, startEmulator, type Emulator } from "./index.js";
import { keys, Output, rejection } from "./test-support/harness.js";

let emulator: Emulator;
let e2b: E2B;
let sandbox: Sandbox;

beforeAll(async () => {
  emulator = await startEmulator();
  e2b = new E2B(emulator.sdkOptions);
  sandbox = await e2b.Sandbox.create("base", { timeoutMs: 120_000 });
});

afterEach(() => {
  emulator.faults.clear();
});

afterAll(async () => {
  await emulator.close();
});

describe("control-plane faults", () => {
  it("401 → AuthenticationError", async () => {
    emulator.faults.apiError("create", 401);
    await rejection(e2b.Sandbox.create("base"), "AuthenticationError");
  });

  it("429 → RateLimitError; with Retry-After the SDK retries and succeeds", async () => {
    emulator.faults.apiError("create", 429, { times: 1 });
    await rejection(e2b.Sandbox.create("base"), "RateLimitError");

    emulator.faults.apiError("create", 429, { times: 1, retryAfterSeconds: 1 });
    const started = Date.now();
    const created = await e2b.Sandbox.create("base", { timeoutMs: 30_000 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    await created.kill();
  });

  it("500 → SandboxError with statusCode; 503 → ServiceBusyError", async () => {
    emulator.faults.apiError("create", 500, { times: 1, message: "boom" });
    const err = await rejection(e2b.Sandbox.create("base"), "SandboxError");
    expect(err).toMatchObject({ statusCode: 500, message: "500: boom" });
    emulator.faults.apiError("create", 503, { times: 1 });
    await rejection(e2b.Sandbox.create("base"), "ServiceBusyError");
  });

  it("a hung create surfaces as the SDK's request timeout", async () => {
    emulator.faults.apiHang("create");
    await rejection(e2b.Sandbox.create("base", { requestTimeoutMs: 300 }), "TimeoutError");
  });

  it("faults on other routes: list and setTimeout", async () => {
    emulator.faults.apiError("list", 500, { times: 1 });
    await rejection(e2b.Sandbox.list().nextItems(), "SandboxError");
    emulator.faults.apiError("setTimeout", 429, { times: 1 });
    await rejection(sandbox.setTimeout(60_000), "RateLimitError");
    await sandbox.setTimeout(120_000);
  });
});

describe("envd faults", () => {
  it("a stream cut mid-session: wait() rejects, the process lives on and can be reattached", async () => {
    const first = new Output();
    const pty = await sandbox.pty.create({
      cols: 80,
      rows: 24,
      timeoutMs: 0,
      onData: first.onData,
    });
    expect(emulator.faults.breakStreams({ sandboxId: sandbox.sandboxId, pid: pty.pid })).toBe(1);
    const err = await rejection(pty.wait(), "SandboxError");
    expect(err.message).toContain("terminated");
    const second = new Output();
    await sandbox.pty.connect(pty.pid, { onData: second.onData, timeoutMs: 0 });
    await sandbox.pty.sendInput(pty.pid, keys("echo back-$((1+1))\r"));
    await second.waitFor("back-2");
    await sandbox.pty.kill(pty.pid);
  });

  it("an RPC refused with a Connect code maps to the SDK's error class", async () => {
    const pty = await sandbox.pty.create({
      cols: 80,
      rows: 24,
      timeoutMs: 0,
      onData: () => undefined,
    });
    emulator.faults.envdError("process.Process/SendInput", Code.ResourceExhausted, { times: 1 });
    await rejection(sandbox.pty.sendInput(pty.pid, keys("\r")), "RateLimitError");
    await sandbox.pty.sendInput(pty.pid, keys("\r"));
    emulator.faults.envdError("process.Process/Start", Code.Unavailable, { times: 1 });
    await rejection(
      sandbox.pty.create({ cols: 80, rows: 24, timeoutMs: 0, onData: () => undefined }),
      "SandboxNotFoundError",
    );
    await sandbox.pty.kill(pty.pid);
  });

  it("a hung RPC surfaces as the SDK's request timeout", async () => {
    const pty = await sandbox.pty.create({
      cols: 80,
      rows: 24,
      timeoutMs: 0,
      onData: () => undefined,
    });
    emulator.faults.envdHang("process.Process/SendInput", { times: 1 });
    const err = await rejection(
      sandbox.pty.sendInput(pty.pid, keys("\r"), { requestTimeoutMs: 300 }),
      "TimeoutError",
    );
    expect(err.message).toContain("requestTimeoutMs");
    await sandbox.pty.kill(pty.pid);
  });

  it("HTTP endpoints fail with the injected status", async () => {
    emulator.faults.httpError("GET /files", 500, { times: 1, message: "disk on fire" });
    const err = await rejection(sandbox.files.read("/home/user/any"), "SandboxError");
    expect(err.message).toBe("500: disk on fire");
    emulator.faults.httpError("GET /health", 502, { times: 1 });
    expect(await sandbox.isRunning()).toBe(false);
    expect(await sandbox.isRunning()).toBe(true);
  });
});

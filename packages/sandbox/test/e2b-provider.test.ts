// The E2B provider through the real e2b SDK against our envd emulator: the production path, offline.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { startEmulator, type Emulator } from "@porthole/envd-emulator";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { E2BProvider, SessionManager, type E2BProviderOptions } from "../src/index.js";
import { eventually, readUntilEvent, readUntilText } from "./helpers.js";

let emulator: Emulator;
const managers: SessionManager[] = [];

beforeEach(async () => {
  emulator = await startEmulator();
});
afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.closeAll()));
  await emulator.close();
});

function provider(options: Partial<E2BProviderOptions> = {}) {
  return new E2BProvider({
    apiKey: emulator.apiKey,
    apiUrl: emulator.apiUrl,
    sandboxUrl: emulator.sandboxUrl,
    template: "porthole-claude",
    requestTimeoutMs: 5000,
    ...options,
  });
}

function manager(options: Partial<E2BProviderOptions> = {}, env: Record<string, string> = {}) {
  const created = new SessionManager({ provider: provider(options), env });
  managers.push(created);
  return created;
}

describe("E2B sessions", () => {
  it("creates a sandbox with our metadata, types, resizes, reports the exit code and kills the sandbox", async () => {
    const session = manager({}, { ANTHROPIC_API_KEY: "sk-test-key" }).create({
      owner: "o",
      cols: 80,
      rows: 24,
      title: "build box",
    });
    const attachment = session.attach({ from: null });
    const seen = await readUntilEvent(attachment, "ready");
    expect(
      seen.events
        .filter((e) => e.event.type === "status")
        .map((e) => e.event.type === "status" && e.event.phase),
    ).toEqual(["creating-sandbox", "starting-shell", "ready"]);
    expect(session.info()).toMatchObject({ provider: "e2b", isolation: "e2b" });
    const sandboxId = session.sandboxId!;
    expect(emulator.sandboxes.ids()).toEqual([sandboxId]);
    const ours = await provider().listOrphans(new Set());
    // What a restarted server needs to give the session back as it was.
    expect(
      ours.map(({ sandboxId: id, sessionId, owner, kind, title, createdAt }) => ({
        id,
        sessionId,
        owner,
        kind,
        title,
        createdAt,
      })),
    ).toEqual([
      {
        id: sandboxId,
        sessionId: session.id,
        owner: "o",
        kind: "shell",
        title: "build box",
        createdAt: session.info().createdAt,
      },
    ]);

    await session.write("echo key=$ANTHROPIC_API_KEY cwd=$(pwd)\r");
    await readUntilText(attachment, /key=sk-test-key cwd=\S*workspace/, 10_000, seen);
    await session.resize(91, 33);
    await session.write("stty size\r");
    await readUntilText(attachment, /33 91/, 10_000, seen);
    await session.write("exit 5\r");
    await readUntilEvent(attachment, "exit", 10_000, seen);
    expect(seen.events.at(-1)!.event).toEqual({ type: "exit", code: 5, signal: null });
    await eventually(
      () => !emulator.sandboxes.isAlive(sandboxId),
      5000,
      "sandbox killed after exit",
    );
  });

  it("reads back no kind, title or creation time from metadata that is not well-formed", async () => {
    const { Sandbox } = await import("e2b");
    await Sandbox.create("porthole-claude", {
      apiKey: emulator.apiKey,
      apiUrl: emulator.apiUrl,
      sandboxUrl: emulator.sandboxUrl,
      metadata: {
        app: "porthole",
        instance: "default",
        sessionId: "s-1",
        owner: "o",
        kind: "root-shell",
        title: "t".repeat(101),
        createdAt: "yesterday",
      },
    });
    const [orphan] = await provider().listOrphans(new Set());
    expect(orphan).toMatchObject({ sessionId: "s-1", kind: null, title: null, createdAt: null });
  });

  it("reports a killed shell's signal", async () => {
    const session = manager().create({ owner: "o", cols: 80, rows: 24 });
    const attachment = session.attach({ from: null });
    const seen = await readUntilEvent(attachment, "ready");
    await session.write("kill -9 $$\r");
    await readUntilEvent(attachment, "exit", 10_000, seen);
    expect(seen.events.at(-1)!.event).toEqual({ type: "exit", code: null, signal: "SIGKILL" });
  });

  it("kills the sandbox when the session is closed", async () => {
    const session = manager().create({ owner: "o", cols: 80, rows: 24 });
    await readUntilEvent(session.attach({ from: null }), "ready");
    const sandboxId = session.sandboxId!;
    await session.close();
    expect(emulator.sandboxes.isAlive(sandboxId)).toBe(false);
  });

  it("keeps a client's missed output in our log although envd drops what nobody reads", async () => {
    const session = manager().create({ owner: "o", cols: 80, rows: 24 });
    const first = session.attach({ from: null, clientId: "c" });
    const seen = await readUntilEvent(first, "ready");
    await session.write("echo one-$((1+1))\r");
    await readUntilText(first, /one-2/, 10_000, seen);
    const offset = first.offset;
    first.detach();
    await session.write("echo two-$((1+1))\r");
    await eventually(
      () =>
        session.log
          .read(offset, 1 << 20)!
          .bytes.toString()
          .includes("two-2"),
      10_000,
      "output while detached",
    );
    const back = session.attach({ from: offset, clientId: "c" });
    const rest = await readUntilText(back, /two-2/);
    expect(rest.events.some((e) => e.event.type === "snapshot")).toBe(false);
  });

  it("stays alive past 60 s of silence (the SDK's default PTY timeout would kill it)", async () => {
    const session = manager().create({ owner: "o", cols: 80, rows: 24 });
    const attachment = session.attach({ from: null });
    const seen = await readUntilEvent(attachment, "ready");
    await new Promise((resolve) => setTimeout(resolve, 62_000));
    expect(session.info().state).toBe("running");
    await session.write("echo still-$((40+2))\r");
    await readUntilText(attachment, /still-42/, 10_000, seen);
  }, 90_000);
});

describe("the sandbox backstop", () => {
  it("is refreshed while the session lives", async () => {
    const session = manager({ backstopMs: 2000 }).create({ owner: "o", cols: 80, rows: 24 });
    await readUntilEvent(session.attach({ from: null }), "ready");
    const sandboxId = session.sandboxId!;
    await new Promise((resolve) => setTimeout(resolve, 5000));
    expect(emulator.sandboxes.isAlive(sandboxId)).toBe(true);
    expect(session.info().state).toBe("running");
  });

  it("lets the sandbox die at its timeout when the server that refreshed it crashes", async () => {
    const script = fileURLToPath(new URL("./e2b-crash-child.mjs", import.meta.url));
    const child = spawn(process.execPath, [script], {
      env: {
        ...process.env,
        EMULATOR_API_KEY: emulator.apiKey,
        EMULATOR_API_URL: emulator.apiUrl,
        EMULATOR_SANDBOX_URL: emulator.sandboxUrl,
      },
      stdio: ["ignore", "pipe", "inherit"],
    });
    const sandboxId = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", (data: Buffer) => {
        const match = /sandbox=(\S+)/.exec(data.toString());
        if (match) resolve(match[1]!);
      });
      child.once("exit", (code) => reject(new Error(`child exited with ${code}`)));
    });
    expect(emulator.sandboxes.isAlive(sandboxId)).toBe(true);
    child.kill("SIGKILL");
    await eventually(() => !emulator.sandboxes.isAlive(sandboxId), 8000, "sandbox expired");
  });
});

describe("E2B failures", () => {
  it.each([
    [401, "SANDBOX_AUTH"],
    [500, "SANDBOX_FAILED"],
    [404, "SANDBOX_TEMPLATE"],
  ] as const)(
    "turns a %i from the control plane into %s and leaves nothing running",
    async (status, code) => {
      emulator.faults.apiError("create", status);
      const session = manager().create({ owner: "o", cols: 80, rows: 24 });
      const seen = await readUntilEvent(session.attach({ from: null }), "error");
      expect(seen.events.at(-1)!.event).toMatchObject({ type: "error", code });
      expect(emulator.sandboxes.ids()).toEqual([]);
    },
  );

  it("turns a 429 into SANDBOX_QUOTA", async () => {
    emulator.faults.apiError("create", 429);
    const session = manager().create({ owner: "o", cols: 80, rows: 24 });
    const seen = await readUntilEvent(session.attach({ from: null }), "error");
    expect(seen.events.at(-1)!.event).toMatchObject({ code: "SANDBOX_QUOTA" });
  });

  it("gives up on a control plane that never answers", async () => {
    emulator.faults.apiHang("create");
    const session = manager({ requestTimeoutMs: 1500 }).create({ owner: "o", cols: 80, rows: 24 });
    const seen = await readUntilEvent(session.attach({ from: null }), "error", 10_000);
    expect(seen.events.at(-1)!.event).toMatchObject({ code: "SANDBOX_UNREACHABLE" });
    expect(emulator.sandboxes.ids()).toEqual([]);
  });

  it("kills the sandbox when the shell cannot be started in it", async () => {
    emulator.faults.envdError("process.Process/Start", 13 /* Code.Internal */);
    const session = manager().create({ owner: "o", cols: 80, rows: 24 });
    const seen = await readUntilEvent(session.attach({ from: null }), "error");
    expect(seen.events.at(-1)!.event).toMatchObject({ type: "error" });
    await eventually(() => emulator.sandboxes.ids().length === 0, 5000, "sandbox killed");
  });

  it("ends the session with a clear error when the envd stream breaks for good", async () => {
    const session = manager().create({ owner: "o", cols: 80, rows: 24 });
    const attachment = session.attach({ from: null });
    const seen = await readUntilEvent(attachment, "ready");
    const sandboxId = session.sandboxId!;
    await emulator.sandboxes.kill(sandboxId);
    await readUntilEvent(attachment, "error", 20_000, seen);
    const last = seen.events.at(-1)!.event;
    expect(last).toMatchObject({ type: "error", code: "SANDBOX_UNREACHABLE" });
    expect(last.type === "error" && last.message).toMatch(/^Lost the connection to the sandbox/);
    expect(session.state).toBe("failed");
  });
});

describe("orphans", () => {
  it("finds sandboxes of ours that a fresh manager does not own, and kills them", async () => {
    const old = manager({ instance: "here" });
    const session = old.create({ owner: "o", cols: 80, rows: 24 });
    await readUntilEvent(session.attach({ from: null }), "ready");
    const foreign = manager({ instance: "elsewhere" }).create({ owner: "o", cols: 80, rows: 24 });
    await readUntilEvent(foreign.attach({ from: null }), "ready");
    const fresh = manager({ instance: "here" });
    const killed = await fresh.killOrphans();
    expect(killed).toEqual([session.sandboxId]);
    expect(emulator.sandboxes.isAlive(session.sandboxId!)).toBe(false);
    expect(emulator.sandboxes.isAlive(foreign.sandboxId!)).toBe(true);
  });
});

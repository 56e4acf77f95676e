// The control plane through the real e2b SDK: API key, create/list/info/connect/timeout/kill, limits.
import { E2B, Sandbox } from "e2b";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "./index.js";
import { rejection } from "./test-support/harness.js";

let emulator: Emulator;
let e2b: E2B;

beforeAll(async () => {
  emulator = await startEmulator();
  e2b = new E2B(emulator.sdkOptions);
});

afterAll(async () => {
  await emulator.close();
});

describe("control plane", () => {
  it("creates a sandbox with metadata and lists it by metadata", async () => {
    const tag = `run-${Date.now()}`;
    const mine = await e2b.Sandbox.create("porthole", {
      metadata: { "porthole-run": tag, note: "a b&c=d" },
      timeoutMs: 60_000,
    });
    const other = await e2b.Sandbox.create("porthole", {
      metadata: { "porthole-run": "other" },
      timeoutMs: 60_000,
    });
    expect(mine.sandboxId).toMatch(/^[a-z0-9]{20}$/);

    const found = await e2b.Sandbox.list({
      query: { metadata: { "porthole-run": tag, note: "a b&c=d" } },
    }).nextItems();
    expect(found.map((s) => s.sandboxId)).toEqual([mine.sandboxId]);
    expect(found[0]).toMatchObject({
      templateId: "porthole",
      state: "running",
      metadata: { "porthole-run": tag, note: "a b&c=d" },
    });

    const all = await e2b.Sandbox.list().nextItems();
    expect(all.map((s) => s.sandboxId)).toEqual(
      expect.arrayContaining([mine.sandboxId, other.sandboxId]),
    );
    await mine.kill();
    await other.kill();
  });

  it("pages with limit and nextToken as the SDK paginator expects", async () => {
    const created = [];
    for (let i = 0; i < 3; i++)
      created.push(
        await e2b.Sandbox.create("base", { metadata: { page: "yes" }, timeoutMs: 60_000 }),
      );
    const paginator = e2b.Sandbox.list({ query: { metadata: { page: "yes" } }, limit: 2 });
    const first = await paginator.nextItems();
    expect(first).toHaveLength(2);
    expect(paginator.hasNext).toBe(true);
    const second = await paginator.nextItems();
    expect(second).toHaveLength(1);
    expect(paginator.hasNext).toBe(false);
    // Newest first by default.
    expect([...first, ...second].map((s) => s.sandboxId)).toEqual(
      created.map((s) => s.sandboxId).reverse(),
    );
    await expect(paginator.nextItems()).rejects.toThrow("No more items to fetch");
    for (const sandbox of created) await sandbox.kill();
  });

  it("refuses a template it does not know with 404, as E2B does", async () => {
    const err = await rejection(e2b.Sandbox.create("nosuch"), "SandboxError");
    expect(err.message).toBe("404: template 'nosuch' not found");
  });

  it("rejects a wrong API key with AuthenticationError", async () => {
    const wrong = new E2B({ ...emulator.sdkOptions, apiKey: "e2b_wrong" });
    await rejection(wrong.Sandbox.create("base"), "AuthenticationError");
    await rejection(wrong.Sandbox.list().nextItems(), "AuthenticationError");
  });

  it("reports info, connects, sets the timeout and kills like the real service", async () => {
    const sandbox = await e2b.Sandbox.create("base", { timeoutMs: 10_000, metadata: { k: "v" } });
    const info = await sandbox.getInfo();
    expect(info).toMatchObject({
      sandboxId: sandbox.sandboxId,
      templateId: "base",
      metadata: { k: "v" },
      state: "running",
      envdVersion: "0.5.20",
    });
    expect(info.endAt.getTime() - info.startedAt.getTime()).toBe(10_000);

    // connect only ever extends the lifetime
    const before = emulator.sandboxes.endAt(sandbox.sandboxId)?.getTime() ?? 0;
    const again = await e2b.Sandbox.connect(sandbox.sandboxId, { timeoutMs: 1_000 });
    expect(emulator.sandboxes.endAt(sandbox.sandboxId)?.getTime()).toBe(before);
    expect((await again.commands.run("echo via-connect")).stdout).toBe("via-connect\n");

    // setTimeout overwrites it (seconds, rounded up)
    await sandbox.setTimeout(120_500);
    const endAt = emulator.sandboxes.endAt(sandbox.sandboxId)?.getTime() ?? 0;
    expect(endAt - Date.now()).toBeGreaterThan(120_000);
    expect(endAt - Date.now()).toBeLessThanOrEqual(121_000);

    expect(await sandbox.kill()).toBe(true);
    expect(await sandbox.kill()).toBe(false);
    expect(await e2b.Sandbox.kill(sandbox.sandboxId)).toBe(false);
    await rejection(sandbox.getInfo(), "SandboxNotFoundError");
    await rejection(sandbox.setTimeout(10_000), "SandboxNotFoundError");
    await rejection(e2b.Sandbox.connect(sandbox.sandboxId), "SandboxNotFoundError");
    expect(await sandbox.isRunning()).toBe(false);
    await rejection(sandbox.commands.run("true"), "SandboxNotFoundError");
    expect(emulator.sandboxes.ids()).not.toContain(sandbox.sandboxId);
  });

  it("refuses timeouts beyond the plan's limit (400)", async () => {
    const err = await rejection(
      e2b.Sandbox.create("base", { timeoutMs: 2 * 3600 * 1000 }),
      "SandboxError",
    );
    expect(err.message).toContain("400: Timeout cannot be greater than 1 hours");
  });

  it("works with the static API and E2B_* style options too", async () => {
    const sandbox = await Sandbox.create("base", { ...emulator.sdkOptions, timeoutMs: 30_000 });
    expect(await Sandbox.kill(sandbox.sandboxId, emulator.sdkOptions)).toBe(true);
  });
});

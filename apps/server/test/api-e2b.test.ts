// The API end to end on the production path: E2B provider, real e2b SDK, our envd emulator.
import { startEmulator, type Emulator } from "@porthole/envd-emulator";
import { healthSchema } from "@porthole/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";
import { createProvider } from "../src/create-provider.js";
import { cleanup, connect, OutputCollector, startTestServer } from "./harness.js";

let emulator: Emulator;
beforeEach(async () => {
  emulator = await startEmulator();
});
afterEach(async () => {
  await cleanup();
  await emulator.close();
});

/** A server configured exactly as an operator would, from the emulator's environment. */
async function e2bServer(extra: Record<string, string> = {}) {
  const env = {
    E2B_API_KEY: emulator.apiKey,
    E2B_API_URL: emulator.apiUrl,
    E2B_SANDBOX_URL: emulator.sandboxUrl,
    ...extra,
  };
  const provider = createProvider(loadConfig(env, () => "unused"));
  return startTestServer(env, provider);
}

describe("sessions on E2B", () => {
  it("creates, types, resizes and closes through the real SDK", async () => {
    const server = await e2bServer();
    expect(server.config.provider).toBe("e2b");
    const { client } = connect(server);
    const info = await client.session.create.mutate({ cols: 80, rows: 24 });
    expect(info.provider).toBe("e2b");
    const out = new OutputCollector(client, info.id, { clientId: "c" });
    await out.untilEvent("ready");
    const phases = out.events.flatMap((e) => (e.event.type === "status" ? [e.event.phase] : []));
    expect(phases, JSON.stringify(out.events.map((e) => e.event.type))).toEqual([
      "creating-sandbox",
      "starting-shell",
      "ready",
    ]);
    await out.type("echo e2b-$((6*7))\r");
    await out.untilText(/e2b-42/);
    await client.terminal.resize.mutate({
      sessionId: info.id,
      clientId: "c",
      seq: 1,
      cols: 100,
      rows: 30,
    });
    await client.terminal.input.mutate({
      sessionId: info.id,
      clientId: "c",
      seq: 2,
      data: "stty size\r",
    });
    await out.untilText(/30 100/);
    expect(emulator.sandboxes.ids()).toHaveLength(1);
    await client.session.close.mutate({ sessionId: info.id });
    expect(emulator.sandboxes.ids()).toEqual([]);
  });

  it("resumes after dropped connections with every byte exactly once", async () => {
    const server = await e2bServer();
    const { client } = connect(server);
    const info = await client.session.create.mutate({ cols: 80, rows: 24 });
    const out = new OutputCollector(client, info.id, { clientId: "c" });
    await out.untilEvent("ready");
    await out.type("echo BEGIN-$((1)); seq 1 50000; echo END-$((2))\r");
    let drops = 0;
    while (!/END-2/.test(out.text)) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      for (const socket of server.connections()) socket.terminate();
      if (++drops > 2000) throw new Error("output never finished");
    }
    const payload = /BEGIN-1\r\n([\s\S]*?)END-2/.exec(out.text)![1]!;
    expect(payload).toBe(Array.from({ length: 50000 }, (_, i) => `${i + 1}\r\n`).join(""));
    expect(drops).toBeGreaterThan(3);
  });

  it("tells the client plainly when E2B refuses the key", async () => {
    const server = await e2bServer();
    emulator.faults.apiError("create", 401, { times: 1 });
    const { client } = connect(server);
    const info = await client.session.create.mutate({ cols: 80, rows: 24 });
    const out = new OutputCollector(client, info.id);
    await out.untilEvent("error");
    expect(out.events.at(-1)!.event).toEqual({
      type: "error",
      code: "SANDBOX_AUTH",
      message: "E2B refused the API key: check E2B_API_KEY",
    });
    // Every new session would fail the same way: /health says so until one starts again.
    const health = async () =>
      healthSchema.parse(await (await fetch(`${server.url}/health`)).json()).providerProblem;
    expect(await health()).toMatchObject({
      code: "SANDBOX_AUTH",
      message: "E2B refused the API key: check E2B_API_KEY",
    });
    const next = await client.session.create.mutate({ cols: 80, rows: 24 });
    await new OutputCollector(client, next.id).untilEvent("ready");
    await expect.poll(health).toBeNull();
  });

  it("names a template E2B does not have", async () => {
    const server = await e2bServer({ E2B_TEMPLATE: "nosuch" });
    const { client } = connect(server);
    const info = await client.session.create.mutate({ cols: 80, rows: 24 });
    const out = new OutputCollector(client, info.id);
    await out.untilEvent("error");
    expect(out.events.at(-1)!.event).toMatchObject({ type: "error", code: "SANDBOX_TEMPLATE" });
  });
});

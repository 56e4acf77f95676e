// The API end to end: a real server, real WebSockets on 127.0.0.1, a real bash behind a real PTY.
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalProvider } from "@porthole/sandbox";
import { WebSocket } from "ws";
import { afterEach, describe, expect, it } from "vitest";
import { healthSchema } from "@porthole/protocol";
import { bundledClaude, claudeProgram } from "../src/claude-program.js";
import { loadConfig } from "../src/config.js";
import { createProvider } from "../src/create-provider.js";
import {
  cleanup,
  connect,
  OutputCollector,
  startTestServer,
  TEST_SHELL,
  TOKEN_B,
} from "./harness.js";

afterEach(cleanup);

const sha = (text: string) => createHash("sha256").update(text).digest("hex");

describe("sessions end to end", () => {
  it("creates a session, runs input, resizes and closes", async () => {
    const server = await startTestServer();
    const { client } = connect(server);
    const info = await client.session.create.mutate({ cols: 80, rows: 24 });
    expect(info).toMatchObject({ state: "starting", provider: "local", cols: 80, rows: 24 });
    const out = new OutputCollector(client, info.id, { clientId: "c1" });
    await out.untilEvent("ready");
    expect(out.events.map((e) => e.event.type)).toContain("status");
    await out.type("echo hel''lo\r");
    await out.untilText(/hello/);
    await client.terminal.resize.mutate({
      sessionId: info.id,
      clientId: "c1",
      seq: 1,
      cols: 120,
      rows: 40,
    });
    await client.terminal.input.mutate({
      sessionId: info.id,
      clientId: "c1",
      seq: 2,
      data: "stty size\r",
    });
    await out.untilText(/40 120/);
    expect((await client.session.list.query()).map((s) => s.id)).toEqual([info.id]);
    await client.session.close.mutate({ sessionId: info.id });
    await out.until(
      () => out.stopped || out.events.some((e) => e.event.type === "error"),
      5000,
      "stream ends",
    );
    expect(await client.session.list.query()).toEqual([]);
  });

  it("makes one session for a create resent with the same request id", async () => {
    const server = await startTestServer();
    const { client } = connect(server);
    const first = await client.session.create.mutate({ cols: 80, rows: 24, requestId: "r1" });
    const again = await client.session.create.mutate({ cols: 80, rows: 24, requestId: "r1" });
    const other = await client.session.create.mutate({ cols: 80, rows: 24, requestId: "r2" });
    expect(again.id).toBe(first.id);
    expect(other.id).not.toBe(first.id);
    expect(await client.session.list.query()).toHaveLength(2);
  });

  it("reports exit codes on the stream", async () => {
    const server = await startTestServer();
    const { client } = connect(server);
    const info = await client.session.create.mutate({ cols: 80, rows: 24 });
    const out = new OutputCollector(client, info.id);
    await out.untilEvent("ready");
    await out.type("exit 7\r");
    await out.untilEvent("exit");
    expect(out.events.at(-1)!.event).toEqual({ type: "exit", code: 7, signal: null });
  });

  it("answers /health with status, uptime and session counts", async () => {
    const server = await startTestServer();
    const { client } = connect(server);
    await client.session.create.mutate({ cols: 80, rows: 24 });
    // An exited session stays listed a while to say how it ended; it is no longer live.
    const ended = await client.session.create.mutate({ cols: 80, rows: 24 });
    const out = new OutputCollector(client, ended.id);
    await out.untilEvent("ready");
    await out.type("exit 7\r");
    await out.untilEvent("exit");
    expect((await client.session.list.query()).map((s) => s.id)).toContain(ended.id);
    const response = await fetch(`${server.url}/health`);
    const health = healthSchema.parse(await response.json());
    expect(health).toMatchObject({
      status: "ok",
      ready: true,
      provider: "local",
      sessions: { live: 1, attached: 0 },
    });
  });
});

describe("resume after dropped connections", () => {
  it("delivers every byte exactly once across many server-side disconnects", async () => {
    const server = await startTestServer();
    const { client } = connect(server, undefined, { retryDelayMs: 10 });
    const info = await client.session.create.mutate({ cols: 80, rows: 24 });
    const out = new OutputCollector(client, info.id);
    await out.untilEvent("ready");
    // The prompt and echo vary; the payload between the markers must arrive exactly once.
    await out.type("echo BEGIN-$((1)); seq 1 150000; echo END-$((2))\r");
    let drops = 0;
    while (!/END-2/.test(out.text)) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      for (const socket of server.connections()) socket.terminate();
      drops++;
      if (drops > 2000) throw new Error("output never finished");
    }
    const payload = /BEGIN-1\r\n([\s\S]*?)END-2/.exec(out.text)![1]!;
    const expected = Array.from({ length: 150000 }, (_, i) => `${i + 1}\r\n`).join("");
    expect(drops).toBeGreaterThan(3);
    expect(out.events.some((e) => e.event.type === "snapshot")).toBe(false);
    expect(sha(payload.replace(/\$ $/, ""))).toBe(sha(expected));
  });
});

describe("input order", () => {
  it("applies a batch of out-of-order inputs in seq order, each once", async () => {
    const server = await startTestServer();
    const { client } = connect(server);
    const info = await client.session.create.mutate({ cols: 200, rows: 24 });
    const out = new OutputCollector(client, info.id);
    await out.untilEvent("ready");
    const chars = "echo abcdefghijklmnopqrstuvwxyz0123456789\r".split("");
    const order = chars.map((_, i) => i).sort(() => Math.random() - 0.5);
    // All in one tick: tRPC batches them and the server may start them in any order.
    const results = await Promise.all(
      order.map((seq) =>
        client.terminal.input.mutate({ sessionId: info.id, clientId: "k", seq, data: chars[seq]! }),
      ),
    );
    expect(results.every((r) => r.status === "applied")).toBe(true);
    await out.untilText(/[^ ]abcdefghijklmnopqrstuvwxyz0123456789\r\n/);
    const again = await client.terminal.input.mutate({
      sessionId: info.id,
      clientId: "k",
      seq: 3,
      data: "X",
    });
    expect(again).toEqual({ status: "duplicate", skipped: 0 });
  });
});

describe("authentication and ownership", () => {
  it("passes a terminal's answers to a query on only from the window typed in last", async () => {
    const server = await startTestServer();
    const { client } = connect(server);
    const info = await client.session.create.mutate({ cols: 80, rows: 24 });
    const out = new OutputCollector(client, info.id, { clientId: "typist" });
    await out.untilEvent("ready");
    const input = (clientId: string, seq: number, data: string, answer?: boolean) =>
      client.terminal.input.mutate({
        sessionId: info.id,
        clientId,
        seq,
        data,
        ...(answer === undefined ? {} : { answer }),
      });
    // Before anybody typed, any window's answer goes through.
    await input("viewer", 0, "echo early", true);
    await out.type("-answer\r");
    await out.untilText(/^early-answer\r?$/m);
    // "typist" typed last: the viewer's answer is dropped (still in its seq order), the typist's is not.
    await input("viewer", 1, "echo viewer-answer\r", true);
    await input("typist", 1, "echo typist-answer\r", true);
    await out.untilText(/^typist-answer\r?$/m);
    // Typing moves the right to answer to the viewer.
    await input("viewer", 2, "echo viewer-", false);
    await input("viewer", 3, "typed\r", true);
    await out.untilText(/^viewer-typed\r?$/m);
    expect(out.text).not.toMatch(/^viewer-answer/m);
  });

  it("refuses a connection without a token or with a wrong one", async () => {
    const server = await startTestServer();
    for (const token of ["", "wrong-token-0123456789"]) {
      const { client } = connect(server, token);
      await expect(client.session.list.query()).rejects.toThrow();
    }
  });

  it("refuses WebSocket upgrades from a foreign origin and on other paths", async () => {
    const server = await startTestServer();
    const attempt = (url: string, origin?: string) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(url, origin ? { origin } : {});
        ws.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
        ws.on("open", () => {
          ws.close();
          resolve(101);
        });
        ws.on("error", () => resolve(-1));
      });
    expect(await attempt(server.wsUrl, "https://evil.example")).toBe(403);
    expect(await attempt(server.wsUrl, server.url)).toBe(101);
    expect(await attempt(server.wsUrl, server.config.frontendOrigins[0])).toBe(101);
    expect(await attempt(server.wsUrl.replace("/trpc", "/other"))).toBe(404);
  });

  it("treats another credential's session exactly like a missing one", async () => {
    const server = await startTestServer();
    const a = connect(server).client;
    const b = connect(server, TOKEN_B).client;
    const info = await a.session.create.mutate({ cols: 80, rows: 24 });
    const errorOf = async (promise: Promise<unknown>) => {
      try {
        await promise;
        return null;
      } catch (error) {
        const e = error as { message: string; data?: { porthole?: string; code?: string } };
        return { message: e.message, porthole: e.data?.porthole, code: e.data?.code };
      }
    };
    const theirs = await errorOf(b.session.get.query({ sessionId: info.id }));
    const missing = await errorOf(b.session.get.query({ sessionId: "A".repeat(24) }));
    expect(theirs).toEqual({
      message: "No such session",
      porthole: "NOT_FOUND",
      code: "NOT_FOUND",
    });
    expect(missing).toEqual(theirs);
    expect(
      await errorOf(
        b.terminal.input.mutate({ sessionId: info.id, clientId: "x", seq: 0, data: "rm -rf ~\r" }),
      ),
    ).toEqual(theirs);
    expect(await errorOf(b.session.close.mutate({ sessionId: info.id }))).toEqual(theirs);
    expect(await b.session.list.query()).toEqual([]);
  });

  it("gives input errors a typed code and a message naming the field", async () => {
    const server = await startTestServer();
    const { client } = connect(server);
    const error = await client.session.create
      .mutate({ cols: 0, rows: 24 })
      .catch((e: unknown) => e as { message: string; data: { porthole: string } });
    expect(error).toMatchObject({
      message: "cols: cols must be at least 1",
      data: { porthole: "BAD_INPUT" },
    });
  });
});

describe("Claude Code sessions", () => {
  /** Claude Code's own executable, as the server finds the bundled one. */
  const claudeExecutable = () => {
    const found = bundledClaude();
    if (!found) throw new Error("@anthropic-ai/claude-code is not installed: run pnpm install");
    return found;
  };

  it("says plainly when claude is not installed where sessions run", async () => {
    const server = await startTestServer(
      {},
      new LocalProvider({ ...TEST_SHELL, baseEnv: { PATH: "/usr/bin:/bin" } }),
    );
    const { client } = connect(server);
    const error = await client.session.create
      .mutate({ cols: 80, rows: 24, kind: "claude" })
      .catch((e: unknown) => e as { message: string; data: { porthole: string } });
    expect(error).toMatchObject({
      data: { porthole: "PROGRAM_MISSING" },
      message: expect.stringContaining("Claude Code is not installed") as string,
    });
    expect(await client.session.list.query()).toEqual([]);
  });

  it("runs CLAUDE_PATH through its symlink each time, so an update that repoints it is followed", async () => {
    const dir = mkdtempSync(join(tmpdir(), "porthole-claude-path-"));
    try {
      // As Claude Code's native installer lays it out: bin/claude -> versions/<version>.
      const versions = join(dir, "versions");
      mkdirSync(versions);
      mkdirSync(join(dir, "bin"));
      const install = (version: string) =>
        writeFileSync(join(versions, version), `#!/bin/sh\necho running-${version}\n`, {
          mode: 0o755,
        });
      const link = join(dir, "bin", "claude");
      install("1.0");
      symlinkSync(join(versions, "1.0"), link);
      const config = loadConfig(
        {
          CLAUDE_PATH: link,
          LOCAL_SHELL: TEST_SHELL.shell,
          LOCAL_SHELL_ARGS: TEST_SHELL.shellArgs.join(" "),
          LOCAL_WORKSPACE_ROOT: join(dir, "sessions"),
        },
        () => "unused",
      );
      config.local.claudeBinary = claudeProgram(config.local.claudePath, "/usr/bin:/bin");
      expect(config.local.claudeBinary).toBe(link);
      const server = await startTestServer({}, createProvider(config));
      const { client } = connect(server);
      const info = await client.session.create.mutate({ cols: 100, rows: 30, kind: "claude" });
      const out = new OutputCollector(client, info.id);
      await out.untilText(/running-1\.0\r\n/);
      // The updater puts the new version in place, repoints the link and removes the old one.
      install("2.0");
      symlinkSync(join(versions, "2.0"), `${link}.new`);
      renameSync(`${link}.new`, link);
      rmSync(join(versions, "1.0"));
      await out.type("claude\r");
      await out.untilText(/running-2\.0\r\n/);
      expect(out.text).not.toContain("No such file");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("removes a session's workspace when it ends, unless LOCAL_KEEP_WORKSPACES", async () => {
    const root = mkdtempSync(join(tmpdir(), "porthole-keep-"));
    try {
      for (const keep of [false, true]) {
        const env = {
          LOCAL_SHELL: TEST_SHELL.shell,
          LOCAL_SHELL_ARGS: TEST_SHELL.shellArgs.join(" "),
          LOCAL_WORKSPACE_ROOT: join(root, String(keep)),
          ...(keep ? { LOCAL_KEEP_WORKSPACES: "true" } : {}),
        };
        const server = await startTestServer({}, createProvider(loadConfig(env, () => "unused")));
        const { client } = connect(server);
        const info = await client.session.create.mutate({ cols: 80, rows: 24 });
        const out = new OutputCollector(client, info.id);
        await out.type("echo kept > notes.txt; echo at=$PWD\r");
        await out.untilText(/at=\/\S+\r\n/);
        const match = /at=(\/\S+)\r\n/.exec(out.text);
        const workspace = match?.[1] ?? "";
        expect(readFileSync(join(workspace, "notes.txt"), "utf8")).toBe("kept\n");
        await client.session.close.mutate({ sessionId: info.id });
        expect(existsSync(join(workspace, "notes.txt"))).toBe(keep);
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("types claude in the shell, which draws its welcome screen offline", async () => {
    // As the server gives it: the executable itself (claude.exe), run by the name `claude`.
    const provider = new LocalProvider({
      ...TEST_SHELL,
      programs: { claude: claudeExecutable() },
      baseEnv: { PATH: "/usr/bin:/bin", HOME: mkdtempSync(join(tmpdir(), "claude-home-")) },
    });
    const server = await startTestServer({}, provider);
    const { client } = connect(server);
    const info = await client.session.create.mutate({ cols: 100, rows: 30, kind: "claude" });
    expect(info).toMatchObject({ kind: "claude", title: "Claude Code" });
    const out = new OutputCollector(client, info.id);
    await out.untilText(/Welcome/, 30_000);
    expect(out.text).toMatch(/[$#] claude\r\n/);
    expect(out.text).not.toContain("claude.exe");
  });
});

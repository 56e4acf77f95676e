// Proves the real server process keeps its secrets out of local shells' environments and out of its logs, terminal content included.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  cleanupAll,
  connectTo,
  RawClient,
  scratchDir,
  startServerProcess,
  TOKEN_A,
  type ServerProcess,
} from "./faults-harness.js";
import { OutputCollector } from "./harness.js";

afterEach(cleanupAll);

/** Secrets the server process is started with; none may reach a shell or a log line. */
const SECRETS = {
  PORTHOLE_TOKEN: TOKEN_A,
  E2B_API_KEY: "e2b_5ecret0000000000000000000000000000",
  ANTHROPIC_API_KEY: "sk-ant-api03-5ecretAnthropicKey000000",
  CLAUDE_CODE_OAUTH_TOKEN: "sk-ant-oat01-5ecretOauthToken0000000",
  AWS_SECRET_ACCESS_KEY: "aws5ecretAccessKey00000000000000000000",
  GITHUB_TOKEN: "ghp_5ecretGithubToken00000000000000000",
  DATABASE_URL: "postgres://app:5ecretPassword@db.internal/app",
};

/** Runs `command` in a new session and returns the terminal text up to a marker. */
async function runInShell(server: ServerProcess, command: string) {
  const { client } = connectTo(server.wsUrl);
  const info = await client.session.create.mutate({ cols: 200, rows: 50 });
  const out = new OutputCollector(client, info.id);
  await out.untilEvent("ready", 15_000);
  await client.terminal.input.mutate({
    sessionId: info.id,
    clientId: "t",
    seq: 0,
    data: `${command}; echo DONE-$((40+2))\r`,
  });
  await out.untilText(/DONE-42/, 15_000);
  return { client, info, out };
}

/** The environment a shell really started with, from /proc (not from what it prints). */
async function shellEnvironment(server: ServerProcess) {
  const { out } = await runInShell(server, "echo SHELLPID=$$");
  const pid = Number(/SHELLPID=(\d+)/.exec(out.text)![1]);
  const environ = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").filter(Boolean);
  return Object.fromEntries(
    environ.map((line) => [line.split("=")[0]!, line.slice(line.indexOf("=") + 1)]),
  );
}

describe("local shells", () => {
  it("inherit none of the server's secrets (LOCAL_PASS_CREDENTIALS unset)", async () => {
    const server = await startServerProcess({ ...SECRETS, SANDBOX_PROVIDER: "local" });
    const env = await shellEnvironment(server);
    // A real login environment, so the check below means something.
    expect(env).toMatchObject({ TERM: "xterm-256color", TERM_PROGRAM: "porthole" });
    expect(env.PATH).toBeTruthy();
    for (const [name, value] of Object.entries(SECRETS)) {
      expect(Object.keys(env), name).not.toContain(name);
      expect(Object.values(env).join("\n"), name).not.toContain(value);
    }
    // And what `env` prints inside the shell agrees.
    const { out } = await runInShell(server, "env");
    expect(out.text).toContain("TERM_PROGRAM=porthole");
    for (const [name, value] of Object.entries(SECRETS)) {
      expect(out.text, name).not.toContain(`${name}=`);
      expect(out.text, name).not.toContain(value);
    }
  });

  it("get only the Claude credentials with LOCAL_PASS_CREDENTIALS=true", async () => {
    const server = await startServerProcess({
      ...SECRETS,
      SANDBOX_PROVIDER: "local",
      LOCAL_PASS_CREDENTIALS: "true",
    });
    const env = await shellEnvironment(server);
    expect(env.ANTHROPIC_API_KEY).toBe(SECRETS.ANTHROPIC_API_KEY);
    expect(env.CLAUDE_CODE_OAUTH_TOKEN).toBe(SECRETS.CLAUDE_CODE_OAUTH_TOKEN);
    const { ANTHROPIC_API_KEY: _a, CLAUDE_CODE_OAUTH_TOKEN: _c, ...others } = SECRETS;
    for (const [name, value] of Object.entries(others)) {
      expect(Object.keys(env), name).not.toContain(name);
      expect(Object.values(env).join("\n"), name).not.toContain(value);
    }
  });
});

describe("the server's output", () => {
  it("holds no token, key or terminal content, even at LOG_LEVEL=trace", async () => {
    const server = await startServerProcess({
      ...SECRETS,
      SANDBOX_PROVIDER: "local",
      LOG_LEVEL: "trace",
    });
    const typed = "sk-live-TYPED5ECRET";
    const { client, info, out } = await runInShell(server, `echo ${typed}-$((6*7))x`);
    expect(out.text).toContain(`${typed}-42x`);
    // More paths that carry data: resize, ack, a resumed subscription, a refused input.
    await client.terminal.resize.mutate({
      sessionId: info.id,
      clientId: "t",
      seq: 1,
      cols: 100,
      rows: 30,
    });
    await client.terminal.ack.mutate({ sessionId: info.id, clientId: "t", offset: 10 });
    await client.terminal.input
      .mutate({ sessionId: info.id, clientId: "t", seq: 2, data: `${typed}-refused`.repeat(5000) })
      .catch(() => {});
    await client.session.rename.mutate({ sessionId: info.id, title: `${typed}-title` });
    // Someone trying tokens: what they presented is not logged either.
    const intruder = await RawClient.open(server.wsUrl, { token: "wrong-token-5ECRETGUESS" });
    await intruder.closed;
    await client.session.close.mutate({ sessionId: info.id });
    server.child.kill("SIGTERM");
    expect(await server.exited).toEqual({ code: 0, signal: null });

    const output = server.stdout + server.stderr;
    // A real log, so the absence below means something.
    const messages = server.logLines().map((line) => line.msg);
    expect(messages).toEqual(
      expect.arrayContaining(["starting", "session created", "shutting down"]),
    );
    for (const [name, value] of Object.entries(SECRETS)) expect(output, name).not.toContain(value);
    expect(output).not.toContain("5ecret");
    expect(output).not.toContain("TYPED5ECRET");
    expect(output).not.toContain("5ECRETGUESS");
    expect(output).not.toContain("DONE-42");
  });

  it("prints a generated token once, in the banner, and never in a log line", async () => {
    const server = await startServerProcess({ PORTHOLE_TOKEN: "", LOG_LEVEL: "trace" });
    const token = /#token=([A-Za-z0-9_-]+)/.exec(server.stdout)?.[1];
    expect(token, server.stdout).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // It works...
    const { client } = connectTo(server.wsUrl, token);
    await client.session.list.query();
    server.child.kill("SIGTERM");
    await server.exited;
    // ...and appears exactly once in everything the process wrote.
    const output = server.stdout + server.stderr;
    expect(output.split(token!).length - 1).toBe(1);
    for (const line of server.logLines()) expect(JSON.stringify(line)).not.toContain(token);
  });

  it("prints a kept token (PORTHOLE_TOKEN_FILE) nowhere when its output is not a terminal", async () => {
    const file = join(scratchDir(), "kept-token");
    const server = await startServerProcess({ PORTHOLE_TOKEN: "", PORTHOLE_TOKEN_FILE: file });
    const token = readFileSync(file, "utf8").trim();
    expect(server.stdout).toContain(`/#token=<the token in ${file}>`);
    const { client } = connectTo(server.wsUrl, token);
    await client.session.list.query();
    server.child.kill("SIGTERM");
    await server.exited;
    expect(server.stdout + server.stderr).not.toContain(token);
  });
});

// Proves the real `node dist/main.js` answers every invalid environment value with one clear line on stderr and exit code 1.
import { createServer, type AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { cleanupAll, runServerOnce, startServerProcess } from "./faults-harness.js";

afterEach(cleanupAll);

/**
 * One bad value for every variable that can be invalid (two where it matters), `message` when the
 * exact text matters. Each is a node start-up of ~0.6 s, so the finer cases stay in config.test.ts.
 */
const BAD: { env: Record<string, string>; message?: string }[] = [
  { env: { PORT: "abc" }, message: "Invalid PORT: must be a whole number from 0 to 65535" },
  { env: { PORT: "65536" }, message: "Invalid PORT: must be at most 65535" },
  {
    env: { FRONTEND_URL: "not a url" },
    message: "Invalid FRONTEND_URL: must be a URL such as http://localhost:5174",
  },
  // These parse as URLs, but their origin is "null": allowing them would allow Origin: null.
  { env: { FRONTEND_URL: "localhost:5174" } },
  { env: { FRONTEND_URL: "javascript:alert(1)" } },
  { env: { PORTHOLE_TOKEN: "has spaces in it 0123456789" } },
  {
    env: { SANDBOX_PROVIDER: "docker" },
    message: "Invalid SANDBOX_PROVIDER: must be e2b or local",
  },
  {
    env: { SANDBOX_PROVIDER: "e2b" },
    message: "Invalid E2B_API_KEY: required when SANDBOX_PROVIDER is e2b",
  },
  { env: { E2B_API_URL: "nope" }, message: "Invalid E2B_API_URL: must be an http(s) URL" },
  { env: { E2B_SANDBOX_URL: "ftp://sandbox.example" } },
  {
    env: { WEB_DIST: "/nonexistent" },
    message: "Invalid WEB_DIST: /nonexistent has no index.html (run pnpm build)",
  },
  // Node's recursive mkdir would loop forever here: the server must say so and stop.
  {
    env: { LOCAL_WORKSPACE_ROOT: "/proc/porthole-nope" },
    message:
      "Invalid LOCAL_WORKSPACE_ROOT: Cannot create the workspace root /proc/porthole-nope: ENOENT",
  },
  { env: { SANDBOX_TIMEOUT: "9" }, message: "Invalid SANDBOX_TIMEOUT: must be at least 10" },
  { env: { DETACH_GRACE: "0" }, message: "Invalid DETACH_GRACE: must be at least 1" },
  {
    env: { LOG_BUFFER_BYTES: "4G" },
    message: "Invalid LOG_BUFFER_BYTES: must be a whole number from 65536 to 1073741824",
  },
  { env: { MAX_SESSIONS: "10001" }, message: "Invalid MAX_SESSIONS: must be at most 10000" },
  {
    env: { MAX_SESSIONS_PER_TOKEN: "0" },
    message: "Invalid MAX_SESSIONS_PER_TOKEN: must be at least 1",
  },
  {
    env: { LOCAL_ISOLATION: "chroot" },
    message: "Invalid LOCAL_ISOLATION: must be none or bubblewrap",
  },
  {
    env: { LOCAL_PASS_CREDENTIALS: "maybe" },
    message: "Invalid LOCAL_PASS_CREDENTIALS: must be true or false",
  },
  { env: { ORPHANS: "adopt" }, message: "Invalid ORPHANS: must be kill, reattach or keep" },
  {
    env: { ALLOWED_HOSTS: "term.example.com:443" },
    message:
      "Invalid ALLOWED_HOSTS: must be comma-separated host names without ports, such as term.example.com",
  },
  {
    env: { PORTHOLE_TOKEN_FILE: "/nonexistent-dir/token" },
    message:
      "Invalid PORTHOLE_TOKEN_FILE: cannot use /nonexistent-dir/token: its directory does not exist (ENOENT)",
  },
  { env: { PORTHOLE_INSTANCE: "two words" } },
  { env: { SHUTDOWN_TIMEOUT: "601" }, message: "Invalid SHUTDOWN_TIMEOUT: must be at most 600" },
  { env: { KEEPALIVE_INTERVAL: "0" }, message: "Invalid KEEPALIVE_INTERVAL: must be at least 1" },
  { env: { LOG_LEVEL: "verbose" } },
  {
    env: { LOCAL_SHELL: "/nonexistent/sh" },
    message: 'Invalid LOCAL_SHELL: The shell "/nonexistent/sh" does not exist or is not executable',
  },
  {
    env: { LOCAL_WORKSPACE_ROOT: "relative/sessions" },
    message:
      "Invalid LOCAL_WORKSPACE_ROOT: must be an absolute path (a relative one depends on where the server starts)",
  },
  {
    env: { SHELL: "/nonexistent/zsh" },
    message:
      'Invalid SHELL: The shell "/nonexistent/zsh" does not exist or is not executable (or set LOCAL_SHELL to a shell that does)',
  },
  {
    env: { CLAUDE_PATH: "/nonexistent/claude" },
    message: "Invalid CLAUDE_PATH: /nonexistent/claude does not exist or is not executable",
  },
  {
    env: { E2B_API_URL: "http://user:secret@127.0.0.1:3250" },
    message: "Invalid E2B_API_URL: must not hold a user name or password",
  },
];

describe("the server process with a bad environment", () => {
  it(`exits with code 1 and one line naming the variable, for each of ${BAD.length} bad values`, async () => {
    // Two at a time: there are two cores.
    const results: {
      env: Record<string, string>;
      code: number | null;
      stdout: string;
      stderr: string;
    }[] = [];
    for (let i = 0; i < BAD.length; i += 2) {
      results.push(
        ...(await Promise.all(
          BAD.slice(i, i + 2).map(async ({ env }) => ({ env, ...(await runServerOnce(env)) })),
        )),
      );
    }
    for (const [i, result] of results.entries()) {
      const name = Object.keys(result.env)[0]!;
      const label = JSON.stringify(result.env);
      expect(result.code, label).toBe(1);
      expect(result.stdout, label).toBe("");
      const lines = result.stderr.split("\n").filter(Boolean);
      expect(lines, label).toHaveLength(1);
      // E2B_API_KEY is named when the provider needs it; otherwise the variable itself.
      const named = BAD[i]!.message?.split(":")[0]?.replace("Invalid ", "") ?? name;
      expect(lines[0], label).toMatch(new RegExp(`^porthole: Invalid ${named}: \\S.*$`));
      const message = BAD[i]!.message;
      if (message) expect(lines[0], label).toBe(`porthole: ${message}`);
      // No stack trace, and never the value itself when it might be a secret.
      expect(result.stderr, label).not.toMatch(/\n\s+at |Error:/);
      if (name === "PORTHOLE_TOKEN") expect(result.stderr).not.toContain(result.env[name]);
    }
  }, 60_000);

  it("says so in one line when it cannot listen (a HOST that does not resolve, a PORT in use)", async () => {
    const unresolvable = await runServerOnce({ HOST: "no-such-host.invalid", PORT: "0" });
    expect(unresolvable.code).toBe(1);
    expect(unresolvable.stderr).toBe(
      "porthole: cannot listen on no-such-host.invalid:0: getaddrinfo ENOTFOUND no-such-host.invalid\n",
    );
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const port = (taken.address() as AddressInfo).port;
    try {
      const inUse = await runServerOnce({ PORT: String(port) });
      expect(inUse.code).toBe(1);
      expect(inUse.stderr).toBe(
        `porthole: cannot listen on 127.0.0.1:${port}: listen EADDRINUSE: address already in use 127.0.0.1:${port} (is Porthole already running? Stop it, or set another PORT)\n`,
      );
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  });

  it("links to localhost when it listens on every interface, IPv4 or IPv6", async () => {
    for (const host of ["0.0.0.0", "::"]) {
      const started = await startServerProcess({ HOST: host, ALLOWED_HOSTS: "*" });
      await expect
        .poll(() => started.stdout)
        .toContain(`\n  http://localhost:${started.port}/#token=`);
    }
  });

  it("starts with a good environment (the control for the cases above)", async () => {
    const started = await startServerProcess();
    expect(started.stderr).toBe("");
    const health = (await (await fetch(`${started.url}/health`)).json()) as { status: string };
    expect(health.status).toBe("ok");
    // The banner names the isolation warning that applies (root without isolation) under the link.
    // One write (under the pipe's atomic size): the link arrives with its warnings.
    await expect.poll(() => started.stdout).toMatch(/Porthole is running[^]*#token=.*\n\n/);
    const banner = started.stdout.slice(started.stdout.indexOf("Porthole is running"));
    const rootWarning = "Warning: The server runs as root without isolation";
    if (process.getuid?.() === 0) expect(banner).toContain(rootWarning);
    else expect(banner).not.toContain("Warning:");
  });
});

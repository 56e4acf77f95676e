// Sessions on the local provider with a real bash: the whole data path short of the network.
import { execFileSync, spawn } from "node:child_process";
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  LocalProvider,
  PTY_THREAD_MAX_PENDING,
  ptyThreadByDefault,
  SandboxError,
  SessionManager,
  type LocalProviderOptions,
  type Session,
} from "../src/index.js";
import { LOCAL_ORPHAN_PREFIX, startFailureMessage } from "../src/providers/local.js";
import { serverIdentity } from "../src/providers/local-orphans.js";
import { statFields } from "../src/providers/process-session.js";
import { eventually, readUntilEvent, readUntilText } from "./helpers.js";

/** Whether `pid` has ended: gone, or a zombie its parent (this process, for a child) has not reaped. */
function ended(pid: number): boolean {
  return (statFields(pid)?.[0] ?? "Z") === "Z";
}

const managers: SessionManager[] = [];
function manager(
  options: Partial<ConstructorParameters<typeof SessionManager>[0]> = {},
  providerOptions: LocalProviderOptions = {},
) {
  const provider = new LocalProvider({
    shell: "/bin/bash",
    shellArgs: ["--noprofile", "--norc"],
    baseEnv: { ...process.env, PS1: "$ " },
    ...providerOptions,
  });
  const created = new SessionManager({ provider, ...options });
  managers.push(created);
  return created;
}

/**
 * A blocked client pauses `yes`; output stops growing, and flows again once it unblocks. The
 * client reads all along, so its flag alone, not falling behind, is what must stop the flood.
 */
async function expectPauseStopsFlood(sessions: SessionManager): Promise<void> {
  const session = sessions.create({ owner: "a", cols: 80, rows: 24 });
  const a = session.attach({ from: null });
  await readUntilEvent(a, "ready");
  const reading = new AbortController();
  let read = 0;
  const reader = (async () => {
    for (;;) {
      const next = await a.next(reading.signal).catch(() => null);
      if (next === null) return;
      read = next.offset;
    }
  })();
  try {
    await session.write("yes\r");
    // The flood runs first, so the pause has a running program to stop.
    await eventually(() => read > 1024 * 1024, 10_000, "the flood began");
    a.setBackpressured(true);
    // What was already read when the pause came still lands; then nothing more.
    await logSettles(session, 200, 10_000);
    const stalled = session.log.end;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(session.log.end).toBe(stalled);
    a.setBackpressured(false);
    await eventually(() => read > stalled + 1024 * 1024, 10_000, "output resumed");
  } finally {
    reading.abort();
    await reader;
  }
  await session.write("\x03");
}

/** Resolves once the session's log has not grown for `quietMs`; fails after `timeoutMs`. */
async function logSettles(session: Session, quietMs: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let end = session.log.end;
  let since = Date.now();
  while (Date.now() - since < quietMs) {
    if (Date.now() > deadline) throw new Error(`output still grows after ${timeoutMs} ms paused`);
    await new Promise((resolve) => setTimeout(resolve, 20));
    if (session.log.end !== end) {
      end = session.log.end;
      since = Date.now();
    }
  }
}

/**
 * A shell that exits while its only client is blocked (the PTY paused) still hands over its last
 * bytes once the client catches up. node-pty destroys its stream 200 ms after the exit, so the
 * wait below is well past that.
 */
async function expectTailAfterExitWhilePaused(sessions: SessionManager): Promise<void> {
  const session = sessions.create({ owner: "a", cols: 80, rows: 24 });
  const a = session.attach({ from: null });
  await readUntilEvent(a, "ready");
  a.setBackpressured(true);
  // ~11 KB: less than the kernel and node-pty's stream hold, so the shell gets to exit.
  await session.write("seq 1 2000; exit 3\r");
  await new Promise((resolve) => setTimeout(resolve, 600));
  a.setBackpressured(false);
  const seen = await readUntilEvent(a, "exit");
  expect(seen.text).toContain("1998\r\n1999\r\n2000\r\n");
  expect(seen.events.at(-1)!.event).toEqual({ type: "exit", code: 3, signal: null });
}

afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.closeAll()));
});

/**
 * A program for `programs`, named unlike the name it is given (as Claude Code's claude.exe is), in
 * a directory whose name a shell must have quoted. It says what it was run as, and with how many
 * arguments.
 */
function fakeProgram(root: string): string {
  const dir = join(root, "tool dir");
  mkdirSync(dir);
  const program = join(dir, "tool.exe");
  writeFileSync(program, '#!/bin/sh\necho "tool-ran-$((6*7)) as $(basename "$0") with $#"\n', {
    mode: 0o755,
  });
  return program;
}

/** The error `build` throws. */
function thrown(build: () => unknown): unknown {
  try {
    build();
  } catch (error) {
    return error;
  }
  throw new Error("nothing was thrown");
}

describe("local sessions", () => {
  it("starts a shell, reports progress and runs what is typed", async () => {
    const session = manager().create({ owner: "a", cols: 80, rows: 24 });
    const attachment = session.attach({ from: null });
    const seen = await readUntilEvent(attachment, "ready");
    expect(seen.events.map((e) => e.event.type)).toContain("status");
    await session.write("echo hel''lo\r");
    await readUntilText(attachment, /hello/, 10_000, seen);
    expect(session.info()).toMatchObject({
      state: "running",
      provider: "local",
      isolation: "none",
      attached: 1,
    });
  });

  it("resizes the PTY, as `stty size` sees it", async () => {
    const session = manager().create({ owner: "a", cols: 80, rows: 24 });
    const attachment = session.attach({ from: null });
    await readUntilEvent(attachment, "ready");
    await session.resize(101, 37);
    await session.write("stty size\r");
    const seen = await readUntilText(attachment, /37 101/);
    expect(seen.events.some((e) => e.event.type === "resize")).toBe(true);
  });

  it("reports the exit code and ends the stream", async () => {
    const session = manager().create({ owner: "a", cols: 80, rows: 24 });
    const attachment = session.attach({ from: null });
    await readUntilEvent(attachment, "ready");
    await session.write("exit 3\r");
    const seen = await readUntilEvent(attachment, "exit");
    expect(seen.events.at(-1)!.event).toEqual({ type: "exit", code: 3, signal: null });
    expect(await attachment.next()).toBeNull();
    expect(session.info().state).toBe("exited");
  });

  it("reports the signal when the shell is killed", async () => {
    const session = manager().create({ owner: "a", cols: 80, rows: 24 });
    const attachment = session.attach({ from: null });
    const seen = await readUntilEvent(attachment, "ready");
    await session.write("echo pid=$$\r");
    await readUntilText(attachment, /pid=(\d+)/, 10_000, seen);
    const pid = Number(/pid=(\d+)/.exec(seen.text)![1]);
    process.kill(pid, "SIGKILL");
    await readUntilEvent(attachment, "exit", 10_000, seen);
    expect(seen.events.at(-1)!.event).toEqual({ type: "exit", code: null, signal: "SIGKILL" });
  });

  it("keeps the server's secrets out of the shell's environment", async () => {
    const provider = new LocalProvider({
      shell: "/bin/bash",
      shellArgs: ["--noprofile", "--norc"],
      baseEnv: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        E2B_API_KEY: "e2b_secret",
        PORTHOLE_TOKEN: "tok_secret",
        ANTHROPIC_API_KEY: "sk-secret",
      },
    });
    const m = new SessionManager({ provider });
    managers.push(m);
    const session = m.create({ owner: "a", cols: 200, rows: 24 });
    const attachment = session.attach({ from: null });
    await readUntilEvent(attachment, "ready");
    await session.write("env; echo END-$((40+2))\r");
    const seen = await readUntilText(attachment, /END-42/);
    expect(seen.text).toContain("TERM=xterm-256color");
    expect(seen.text).not.toMatch(/secret/);
  });

  it("passes configured variables to the shell", async () => {
    const session = manager({ env: { ANTHROPIC_API_KEY: "sk-given" } }).create({
      owner: "a",
      cols: 80,
      rows: 24,
    });
    const attachment = session.attach({ from: null });
    await readUntilEvent(attachment, "ready");
    await session.write("echo key=$ANTHROPIC_API_KEY\r");
    await readUntilText(attachment, /key=sk-given/);
  });

  it("kills background jobs with the shell's process group on close", async () => {
    const session = manager().create({ owner: "a", cols: 80, rows: 24 });
    const attachment = session.attach({ from: null });
    const seen = await readUntilEvent(attachment, "ready");
    await session.write("sleep 1234 & echo job=$!\r");
    await readUntilText(attachment, /job=(\d+)/, 10_000, seen);
    const job = Number(/job=(\d+)/.exec(seen.text)![1]);
    expect(existsSync(`/proc/${job}`)).toBe(true);
    await session.close();
    await eventually(() => !existsSync(`/proc/${job}`), 5000, "background job gone");
  });

  it("kills on close what left the shell's terminal session (setsid), by the session id it inherited", async () => {
    const session = manager().create({ owner: "a", cols: 80, rows: 24 });
    await readUntilEvent(session.attach({ from: null }), "ready");
    // setsid -f forks: the daemon is in a session of its own, without a terminal; it notes its pid.
    const dir = mkdtempSync(join(tmpdir(), "porthole-setsid-"));
    const pidFile = join(dir, "pid");
    await session.write(`setsid -f sh -c 'echo $$ > ${pidFile}; exec sleep 1234'\r`);
    await eventually(
      () => existsSync(pidFile) && readFileSync(pidFile, "utf8").endsWith("\n"),
      10_000,
      "the daemon's pid",
    );
    const daemon = Number(readFileSync(pidFile, "utf8"));
    const stat = readFileSync(`/proc/${daemon}/stat`, "latin1");
    expect(Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[3])).toBe(daemon);
    await session.close();
    await eventually(() => !existsSync(`/proc/${daemon}`), 5000, "the setsid daemon gone");
    rmSync(dir, { recursive: true, force: true });
  });

  it("types a start command once the shell is ready", async () => {
    const session = manager().create({
      owner: "a",
      cols: 80,
      rows: 24,
      command: "echo started-$((6*7))",
    });
    const attachment = session.attach({ from: null });
    await readUntilText(attachment, /started-42/);
  });

  it("types keys sent while the session starts after its start command, never into it", async () => {
    // The shell takes a while to draw its prompt, as a login profile or E2B does.
    const session = manager(
      {},
      { shell: "/bin/sh", shellArgs: ["-c", "sleep 0.5; exec bash --noprofile --norc"] },
    ).create({ owner: "a", cols: 80, rows: 24, command: "echo started-$((6*7))" });
    const attachment = session.attach({ from: null });
    // Typed at once: before the shell ran, while it starts, and the last before its prompt.
    const typed = session.write("echo typed-$((7*6))\r");
    await readUntilEvent(attachment, "ready");
    await typed;
    const seen = await readUntilText(attachment, /typed-42\r\n/);
    expect(seen.text).not.toContain("command not found");
    expect(seen.text.indexOf("started-42\r\n")).toBeGreaterThan(-1);
    expect(seen.text.indexOf("started-42\r\n")).toBeLessThan(seen.text.indexOf("typed-42\r\n"));
  });

  it("starts Claude Code by its full path, though a login profile sets PATH anew", async () => {
    const root = mkdtempSync(join(tmpdir(), "porthole-claude-path-"));
    try {
      const bin = join(root, "tools dir");
      const home = join(root, "home");
      mkdirSync(bin);
      mkdirSync(home);
      writeFileSync(join(bin, "claude"), "#!/bin/sh\necho ran-as-claude\n", { mode: 0o755 });
      // As Debian's /etc/profile does: a login shell forgets the directory the server added.
      writeFileSync(join(home, ".bash_profile"), "PATH=/usr/bin:/bin\nPS1='$ '\n");
      const provider = new LocalProvider({
        shell: "/bin/bash",
        shellArgs: ["-l"],
        baseEnv: { ...process.env, HOME: home },
        extraPath: [bin],
      });
      expect(provider.commandFor("claude")).toBe(`'${join(bin, "claude")}'`);
      expect(provider.commandFor("git")).toBe("git");
      const sessions = new SessionManager({ provider });
      managers.push(sessions);
      const session = sessions.create({ owner: "a", cols: 80, rows: 24, kind: "claude" });
      const attachment = session.attach({ from: null });
      await readUntilText(attachment, /^ran-as-claude/m);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("types a program's name, not its path, and the name runs it again once it exited", async () => {
    const root = mkdtempSync(join(tmpdir(), "porthole-programs-"));
    try {
      const program = fakeProgram(root);
      const sessions = manager({}, { workspaceRoot: root, programs: { claude: program } });
      const session = sessions.create({ owner: "a", cols: 100, rows: 24, kind: "claude" });
      const attachment = session.attach({ from: null });
      const seen = await readUntilText(attachment, /tool-ran-42 as tool\.exe with 0\r\n/);
      expect(seen.text).toMatch(/[$#] claude\r\n/);
      expect(seen.text).not.toContain("tool dir");
      await session.write("claude again\r");
      await readUntilText(attachment, /tool-ran-42 as tool\.exe with 1\r\n/, 10_000, seen);
      // On PATH too, for what runs it without the shell's help; the links' directory holds only
      // the names given, so it shadows nothing else.
      await session.write('env claude x y; ls -A "$(dirname "$(type -P claude)")"; echo END\r');
      await readUntilText(attachment, /with 2\r\nclaude\r\nEND/, 10_000, seen);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("runs a launcher script by its name, which finds its program beside itself", async () => {
    const root = mkdtempSync(join(tmpdir(), "porthole-programs-"));
    try {
      // As a pnpm shim given as CLAUDE_PATH: it runs what lies beside its own path.
      const dir = join(root, "shim dir");
      mkdirSync(dir);
      writeFileSync(join(dir, "real.exe"), "#!/bin/sh\necho real-ran-$((6*7))\n", { mode: 0o755 });
      const launcher = join(dir, "claude");
      writeFileSync(launcher, '#!/bin/sh\nexec "$(dirname "$0")/real.exe" "$@"\n', { mode: 0o755 });
      const sessions = manager({}, { workspaceRoot: root, programs: { claude: launcher } });
      const session = sessions.create({ owner: "a", cols: 100, rows: 24, kind: "claude" });
      const attachment = session.attach({ from: null });
      const seen = await readUntilText(attachment, /real-ran-42\r\n/);
      expect(seen.text).toMatch(/[$#] claude\r\n/);
      // Run by name without bash's function too: through the links' directory on PATH.
      await session.write("env claude; sh -c claude; nohup claude 2>/dev/null | cat; echo END\r");
      await readUntilText(attachment, /(real-ran-42\r\n){3}END/, 10_000, seen);
      expect(seen.text).not.toContain("No such file");
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("runs a program by its name though a login profile sets PATH anew", async () => {
    const root = mkdtempSync(join(tmpdir(), "porthole-programs-"));
    try {
      const program = fakeProgram(root);
      const home = join(root, "home");
      mkdirSync(home);
      // As Debian's /etc/profile does: a login shell forgets the links' directory.
      writeFileSync(join(home, ".bash_profile"), "PATH=/usr/bin:/bin\nPS1='$ '\n");
      const provider = new LocalProvider({
        shell: "/bin/bash",
        shellArgs: ["-l"],
        baseEnv: { ...process.env, HOME: home },
        workspaceRoot: join(root, "sessions"),
        programs: { claude: program },
      });
      expect(provider.commandFor("claude")).toBe("claude");
      const sessions = new SessionManager({ provider });
      managers.push(sessions);
      const session = sessions.create({ owner: "a", cols: 100, rows: 24, kind: "claude" });
      const attachment = session.attach({ from: null });
      const seen = await readUntilText(attachment, /tool-ran-42 as tool\.exe with 0\r\n/);
      expect(seen.text).toMatch(/[$#] claude\r\n/);
      await session.write("claude again\r");
      await readUntilText(attachment, /tool-ran-42 as tool\.exe with 1\r\n/, 10_000, seen);
      // Back on PATH once a prompt was drawn, for what looks it up without bash's functions.
      await session.write("echo path=$PATH; sh -c 'claude x y'; echo END\r");
      await readUntilText(attachment, /with 2\r\nEND\r\n/, 10_000, seen);
      expect(seen.text).toMatch(/path=[^\r]*\.programs-[0-9a-f]+:\/usr\/bin:\/bin\r\n/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("types a program's path in shells other than bash, where its name runs it while PATH holds", async () => {
    const root = mkdtempSync(join(tmpdir(), "porthole-programs-"));
    try {
      const program = fakeProgram(root);
      const provider = new LocalProvider({
        shell: "/bin/sh",
        shellArgs: [],
        baseEnv: { ...process.env, PS1: "$ " },
        workspaceRoot: root,
        programs: { claude: program },
      });
      expect(provider.commandFor("claude")).toBe(`'${program}'`);
      const sessions = new SessionManager({ provider });
      managers.push(sessions);
      const session = sessions.create({ owner: "a", cols: 100, rows: 24, kind: "claude" });
      const attachment = session.attach({ from: null });
      const seen = await readUntilText(attachment, /tool-ran-42 as tool\.exe with 0\r\n/);
      // Through the links' directory, whose entry for a script runs it by its own path.
      await session.write("claude again\r");
      await readUntilText(attachment, /tool-ran-42 as tool\.exe with 1\r\n/, 10_000, seen);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("refuses a program name that is no plain file name, or a shell's own word", () => {
    const root = mkdtempSync(join(tmpdir(), "porthole-programs-"));
    try {
      const refusal = (programs: Record<string, string>) =>
        thrown(() => new LocalProvider({ shell: "/bin/bash", workspaceRoot: root, programs }));
      const names = [
        "",
        ".",
        "..",
        "../claude",
        "a/b",
        "-x",
        ".hidden",
        "a b",
        "x;y",
        "é",
        "x".repeat(256),
      ];
      for (const name of names) {
        const error = refusal({ [name]: "/bin/true" });
        expect(error, name).toBeInstanceOf(SandboxError);
        expect(error, name).toMatchObject({
          code: "BAD_INPUT",
          message: `The program name ${JSON.stringify(name)} cannot be a command: use letters, digits and _ . + - (the first a letter, digit or _), at most 255`,
        });
      }
      expect(refusal({ cd: "/bin/true" })).toMatchObject({
        code: "BAD_INPUT",
        message:
          'The program name "cd" is a shell builtin or keyword: typed, the shell would run that instead',
      });
      expect(refusal({ claude: "bin/claude" })).toMatchObject({
        code: "BAD_INPUT",
        message: 'The program "claude" must be given by absolute path, not "bin/claude"',
      });
      // Nothing was made for a provider refused.
      expect(readdirSync(root)).toEqual([]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("keeps the programs' links apart from workspaces and orphans, and makes them again if removed", async () => {
    const root = mkdtempSync(join(tmpdir(), "porthole-programs-"));
    try {
      const program = fakeProgram(root);
      const sessionsRoot = join(root, "sessions");
      const options = { workspaceRoot: sessionsRoot, programs: { claude: program } };
      const sessions = manager({}, options);
      const [links] = readdirSync(sessionsRoot);
      expect(links).toMatch(/^\.programs-[0-9a-f]{16}$/);
      expect(readdirSync(join(sessionsRoot, links!))).toEqual(["claude"]);
      // The same programs share the directory; others get their own.
      manager({}, options);
      manager({}, { workspaceRoot: sessionsRoot, programs: { claude: program, tool: program } });
      expect(readdirSync(sessionsRoot)).toHaveLength(2);
      expect(await sessions.findOrphans()).toEqual([]);
      // As a /tmp cleaner would: the next session makes them again.
      rmSync(join(sessionsRoot, links!), { recursive: true });
      const session = sessions.create({ owner: "a", cols: 100, rows: 24, kind: "claude" });
      const attachment = session.attach({ from: null });
      await readUntilText(attachment, /tool-ran-42 as tool\.exe with 0\r\n/);
      expect(await sessions.findOrphans()).toEqual([]);
      await session.close();
      // The workspace went with the session; the links stay for the next.
      expect(readdirSync(sessionsRoot)).toHaveLength(2);
      expect(readdirSync(sessionsRoot)).toContain(links);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("removes what is not one of the programs from the links' directory, but not what another server is making", async () => {
    const root = mkdtempSync(join(tmpdir(), "porthole-programs-"));
    try {
      const program = fakeProgram(root);
      const sessionsRoot = join(root, "sessions");
      const sessions = manager({}, { workspaceRoot: sessionsRoot, programs: { claude: program } });
      const links = join(sessionsRoot, readdirSync(sessionsRoot)[0]!);
      // With isolation none a session's user may write here: an `ls` of theirs would run first
      // in every later session.
      writeFileSync(join(links, "ls"), "#!/bin/sh\necho fake-ls\n", { mode: 0o755 });
      mkdirSync(join(links, "stray dir"));
      // Another server's entry, about to be renamed into place, and one a crash left long ago.
      writeFileSync(join(links, ".new-fresh"), "");
      writeFileSync(join(links, ".new-stale"), "");
      const old = new Date(Date.now() - 2 * 60_000);
      utimesSync(join(links, ".new-stale"), old, old);
      const session = sessions.create({ owner: "a", cols: 100, rows: 24 });
      const attachment = session.attach({ from: null });
      await readUntilEvent(attachment, "ready");
      await session.write(`ls -A1 '${links}'; echo END\r`);
      const seen = await readUntilText(attachment, /\r\nEND/);
      expect(seen.text).not.toContain("fake-ls");
      expect(seen.text).toMatch(/\.new-fresh\r\nclaude\r\nEND/);
      expect(seen.text).not.toMatch(/new-stale|stray dir/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("removes at start the links' directories whose programs are all gone, and no other", () => {
    const root = mkdtempSync(join(tmpdir(), "porthole-programs-"));
    try {
      const sessionsRoot = join(root, "sessions");
      const linksDirs = () =>
        (existsSync(sessionsRoot) ? readdirSync(sessionsRoot) : [])
          .filter((name) => name.startsWith(".programs-"))
          .map((name) => join(sessionsRoot, name));
      const provide = (programs: Record<string, string>) => {
        const before = new Set(linksDirs());
        new LocalProvider({ shell: "/bin/bash", workspaceRoot: sessionsRoot, programs });
        return linksDirs().find((dir) => !before.has(dir)) ?? null;
      };
      const age = (dirs: (string | null)[]) => {
        const old = new Date(Date.now() - 2 * 60_000);
        for (const dir of dirs) utimesSync(dir!, old, old);
      };
      // A binary gets a symlink, a script one that execs it: both are read for what they run.
      const binary = join(root, "tool-bin");
      copyFileSync("/bin/true", binary);
      const script = fakeProgram(root);
      const binaryOnly = provide({ claude: binary });
      const scriptOnly = provide({ claude: script });
      const both = provide({ tool: binary, other: script });
      expect(lstatSync(join(binaryOnly!, "claude")).isSymbolicLink()).toBe(true);
      expect(lstatSync(join(scriptOnly!, "claude")).isFile()).toBe(true);
      rmSync(binary);
      age([binaryOnly, scriptOnly, both]);
      // Just made, its program missing: another server may be filling it.
      const fresh = provide({ gone: join(root, "missing") });
      provide({});
      expect(linksDirs().sort()).toEqual([scriptOnly, both, fresh].sort());
      rmSync(script);
      provide({});
      expect(linksDirs()).toEqual([fresh]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("makes a script's entry a link where the links' mount runs no scripts (noexec), else a script running it by its path", async () => {
    const root = mkdtempSync(join(tmpdir(), "porthole-programs-"));
    const mountPoint = join(root, "noexec");
    mkdirSync(mountPoint);
    // A noexec tmpfs in a mount namespace of its own, reached through /proc/<pid>/root: nothing is
    // mounted on this machine's tree, and it goes with the process.
    const holder = spawn(
      "unshare",
      [
        "--user",
        "--map-root-user",
        "--mount",
        "sh",
        "-c",
        'mount -t tmpfs -o noexec porthole "$0" && echo mounted && exec sleep 600',
        mountPoint,
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    try {
      let said = "";
      holder.stderr.on("data", (data: Buffer) => (said += data.toString()));
      const mounted = await new Promise<boolean>((resolve) => {
        holder.stdout.on("data", (data: Buffer) => resolve(data.toString().includes("mounted")));
        holder.on("close", () => resolve(false));
      });
      if (!mounted)
        throw new Error(
          `cannot mount a noexec tmpfs with unshare (util-linux, user namespaces): ${said}`,
        );
      const program = fakeProgram(root);
      const runByPath = (dir: string) =>
        execFileSync("/usr/bin/env", ["claude"], {
          env: { PATH: `${dir}:/usr/bin:/bin` },
        }).toString();
      const noexecRoot = join(`/proc/${holder.pid}/root`, mountPoint, "sessions");
      new LocalProvider({
        shell: "/bin/bash",
        workspaceRoot: noexecRoot,
        programs: { claude: program },
      });
      const noexecLinks = join(noexecRoot, readdirSync(noexecRoot)[0]!);
      expect(lstatSync(join(noexecLinks, "claude")).isSymbolicLink()).toBe(true);
      expect(runByPath(noexecLinks)).toBe("tool-ran-42 as claude with 0\n");
      const execRoot = join(root, "sessions");
      new LocalProvider({
        shell: "/bin/bash",
        workspaceRoot: execRoot,
        programs: { claude: program },
      });
      const execLinks = join(execRoot, readdirSync(execRoot)[0]!);
      expect(lstatSync(join(execLinks, "claude")).isFile()).toBe(true);
      expect(runByPath(execLinks)).toBe("tool-ran-42 as tool.exe with 0\n");
    } finally {
      holder.kill("SIGKILL");
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("refuses a workspace root holding ':' for programs, whose links' directory would split PATH", () => {
    const root = mkdtempSync(join(tmpdir(), "porthole-programs-"));
    try {
      const colon = join(root, "a:b");
      const error = thrown(
        () =>
          new LocalProvider({
            shell: "/bin/bash",
            workspaceRoot: colon,
            programs: { claude: "/bin/true" },
          }),
      );
      expect(error).toBeInstanceOf(SandboxError);
      expect(error).toMatchObject({
        code: "BAD_INPUT",
        message: `The workspace root "${colon}" holds ":", which would split the PATH its programs' links are put on: use another`,
      });
      expect(readdirSync(root)).toEqual([]);
      // Without programs it goes on no PATH.
      expect(new LocalProvider({ shell: "/bin/bash", workspaceRoot: colon }).workspaceRoot).toBe(
        colon,
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("types a program's path when bash takes no exported functions (--posix, -p, -r), and exports none", async () => {
    const root = mkdtempSync(join(tmpdir(), "porthole-programs-"));
    try {
      const program = fakeProgram(root);
      const commandWith = (shellArgs: string[]) =>
        new LocalProvider({
          shell: "/bin/bash",
          shellArgs,
          workspaceRoot: root,
          programs: { claude: program },
        }).commandFor("claude");
      const without = [
        ["--posix"],
        ["-o", "posix"],
        ["-p"],
        ["-r"],
        ["--restricted"],
        ["-lp"],
        ["-l", "-o", "privileged"],
        ["--rcfile", "x", "-r"],
      ];
      for (const args of without) expect(commandWith(args), args.join(" ")).toBe(`'${program}'`);
      const taking = [
        [],
        ["-l"],
        ["--noprofile", "--norc"],
        ["+o", "posix"],
        ["--rcfile", "-p"],
        ["-O", "extglob"],
        ["-c", "x", "-p"],
      ];
      for (const args of taking) expect(commandWith(args), args.join(" ")).toBe("claude");
      // A privileged login shell whose profile sets PATH anew: neither the function nor the link
      // is left, only the path runs it.
      const home = join(root, "home");
      mkdirSync(home);
      writeFileSync(join(home, ".bash_profile"), "PATH=/usr/bin:/bin\nPS1='$ '\n");
      const privileged = manager(
        {},
        {
          shellArgs: ["-l", "-p"],
          baseEnv: { ...process.env, HOME: home },
          workspaceRoot: join(root, "a"),
          programs: { claude: program },
        },
      ).create({ owner: "a", cols: 100, rows: 24, kind: "claude" });
      await readUntilText(privileged.attach({ from: null }), /tool-ran-42 as tool\.exe with 0\r\n/);
      // In POSIX mode bash would refuse a name that is no identifier, out loud, at every start.
      const posix = manager(
        {},
        {
          shellArgs: ["--noprofile", "--norc", "--posix"],
          workspaceRoot: join(root, "b"),
          programs: { "my.tool": program },
        },
      ).create({ owner: "a", cols: 100, rows: 24 });
      const attachment = posix.attach({ from: null });
      await readUntilEvent(attachment, "ready");
      await posix.write("my.tool; echo END\r");
      const seen = await readUntilText(attachment, /\r\nEND/);
      expect(seen.text).toContain("tool-ran-42 as tool.exe with 0");
      expect(seen.text).not.toContain("error importing");
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("names node-pty, not the shell, when node-pty cannot be loaded", () => {
    const unbuilt = new Error(
      "Failed to load native module: pty.node, checked: build/Release, build/Debug, prebuilds/linux-x64",
    );
    expect(startFailureMessage("/bin/bash", unbuilt)).toMatch(
      /^node-pty could not be loaded, so no local shell can start \(Failed to load native module: pty\.node.*pnpm rebuild node-pty/,
    );
    const missing = new Error("Cannot find module 'node-pty'");
    expect(startFailureMessage("/bin/bash", missing)).toMatch(/^node-pty could not be loaded/);
    expect(startFailureMessage("/bin/zsh", new Error("ENOENT"))).toBe(
      "Could not start /bin/zsh: ENOENT",
    );
  });

  it("reaps what a local server that died left, never a living server's session", async () => {
    const root = mkdtempSync(join(tmpdir(), "porthole-orphans-"));
    const provider = new LocalProvider({ workspaceRoot: root, shell: "/bin/bash" });
    /** A session's leftovers as a server with `identity` would have left them. */
    const leave = (sessionId: string, identity: string) => {
      mkdirSync(join(root, sessionId));
      writeFileSync(join(root, `${sessionId}.server`), `${identity}\n`);
      const child = spawn("sleep", ["1234"], {
        detached: true,
        stdio: "ignore",
        env: { ...process.env, PORTHOLE_SERVER: identity, PORTHOLE_SESSION_ID: sessionId },
      });
      child.unref();
      return child.pid!;
    };
    // A pid that ran long ago: this very process, with a start time it never had.
    const dead = leave("deadSession0001", `${process.pid}:1`);
    const living = leave("liveSession0001", serverIdentity());
    try {
      const orphans = await provider.listOrphans();
      expect(orphans.map((orphan) => orphan.sandboxId)).toEqual([
        `${LOCAL_ORPHAN_PREFIX}deadSession0001`,
      ]);
      await provider.killSandbox(`${LOCAL_ORPHAN_PREFIX}deadSession0001`);
      await eventually(() => ended(dead), 5000, "orphan gone");
      expect(existsSync(join(root, "deadSession0001"))).toBe(false);
      expect(existsSync(join(root, "deadSession0001.server"))).toBe(false);
      expect(existsSync(`/proc/${living}`)).toBe(true);
      expect(existsSync(join(root, "liveSession0001"))).toBe(true);
      await expect(provider.killSandbox("local-orphan:../etc")).rejects.toMatchObject({
        code: "BAD_INPUT",
      });
    } finally {
      process.kill(living, "SIGKILL");
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("refuses a workspace root that another user owns or may write to", () => {
    const open = mkdtempSync(join(tmpdir(), "porthole-root-"));
    chmodSync(open, 0o777);
    expect(() => new LocalProvider({ workspaceRoot: open, shell: "/bin/bash" })).toThrow(
      `The workspace root ${open} is writable by other users (mode 777): chmod 700 it, or use another`,
    );
    chmodSync(open, 0o700);
    expect(new LocalProvider({ workspaceRoot: open, shell: "/bin/bash" }).workspaceRoot).toBe(open);
    // Only root can give a directory away; this machine's CI runs as root.
    if (process.getuid?.() === 0) {
      chownSync(open, 65534, 65534);
      expect(() => new LocalProvider({ workspaceRoot: open, shell: "/bin/bash" })).toThrow(
        `The workspace root ${open} belongs to another user (uid 65534): use a directory of your own`,
      );
    }
    rmSync(open, { recursive: true, force: true });
    // The default is one per user: /tmp is shared by all of them.
    expect(new LocalProvider({ shell: "/bin/bash" }).workspaceRoot).toBe(
      join(tmpdir(), `porthole-sessions-${process.getuid?.() ?? ""}`),
    );
  });

  it("puts PTYs on a thread of their own by default only with a second CPU for it", () => {
    expect(ptyThreadByDefault(1)).toBe(false);
    expect(ptyThreadByDefault(2)).toBe(true);
  });

  it("refuses input once the session has ended", async () => {
    const session = manager().create({ owner: "a", cols: 80, rows: 24 });
    const attachment = session.attach({ from: null });
    await readUntilEvent(attachment, "ready");
    await session.close();
    await expect(session.write("x")).rejects.toMatchObject({ code: "SESSION_ENDED" });
    const seen = await readUntilEvent(attachment, "error");
    expect(seen.events.at(-1)!.event).toMatchObject({ type: "error", code: "SESSION_ENDED" });
  });
});

describe("replay and resume", () => {
  it("gives a late client everything so far, marked as replay, then live output", async () => {
    const session = manager().create({ owner: "a", cols: 80, rows: 24 });
    const first = session.attach({ from: null });
    await readUntilEvent(first, "ready");
    await session.write("echo one-$((1+1))\r");
    const firstSeen = await readUntilText(first, /one-2/);
    const late = session.attach({ from: null });
    const lateSeen = await readUntilText(late, /one-2/);
    expect(
      lateSeen.events
        .filter((e) => e.event.type === "output")
        .every((e) => e.event.type === "output" && e.event.replay),
    ).toBe(true);
    await session.write("echo two-$((1+1))\r");
    await readUntilText(late, /two-2/, 10_000, lateSeen);
    const live = lateSeen.events.filter((e) => e.event.type === "output" && !e.event.replay);
    expect(live.length).toBeGreaterThan(0);
    expect(firstSeen.text.length).toBeGreaterThan(0);
  });

  it("gives a late client the screen, not bytes drawn at another size, once resized", async () => {
    const session = manager().create({ owner: "a", cols: 80, rows: 24 });
    const first = session.attach({ from: null });
    await readUntilEvent(first, "ready");
    await session.write("echo one-$((1+1))\r");
    await readUntilText(first, /one-2/);
    await session.resize(100, 30);
    expect(session.sizedAt).toBe(session.log.end);
    const late = session.attach({ from: null });
    const seen = await readUntilEvent(late, "snapshot");
    expect(seen.events.some((e) => e.event.type === "output")).toBe(false);
    const snapshot = seen.events.find((e) => e.event.type === "snapshot")!.event;
    expect(snapshot).toMatchObject({ type: "snapshot", cols: 100, rows: 30, skipped: 0 });
    expect(seen.text).toContain("one-2");
    // Output from then on was drawn at today's size: the screen from here, live bytes after.
    await session.write("echo two-$((1+1))\r");
    await readUntilText(late, /two-2/, 10_000, seen);
  });

  it("resumes from an offset with exactly the bytes after it", async () => {
    const session = manager().create({ owner: "a", cols: 80, rows: 24 });
    const first = session.attach({ from: null });
    await readUntilEvent(first, "ready");
    await session.write("for i in $(seq 1 200); do echo line-$i; done\r");
    const seen = await readUntilText(first, /line-200\r\n/);
    // The output is ASCII, so a character index is a byte offset.
    const cut = Math.floor(seen.text.length / 2);
    const resumed = session.attach({ from: cut });
    const rest = await readUntilText(resumed, /line-200\r\n/);
    const joined = seen.text.slice(0, cut) + rest.text;
    const common = Math.min(joined.length, seen.text.length);
    expect(joined.slice(0, common)).toBe(seen.text.slice(0, common));
    expect(rest.text.length).toBeGreaterThanOrEqual(seen.text.length - cut);
  });

  it("sends a snapshot when the client's bytes are gone, then live output", async () => {
    const session = manager({ logCapacity: 64 * 1024 }).create({ owner: "a", cols: 80, rows: 24 });
    const first = session.attach({ from: null });
    await readUntilEvent(first, "ready");
    first.detach();
    const other = session.attach({ from: null });
    await session.write("seq 1 100000; echo DONE-$((2*3))\r");
    await readUntilText(other, /DONE-6/, 20_000);
    const doneAt = session.log.end;
    expect(session.log.start).toBeGreaterThan(0);
    const resumed = session.attach({ from: 10 });
    const seen = await readUntilEvent(resumed, "snapshot");
    const snapshot = seen.events.find((e) => e.event.type === "snapshot")!.event;
    if (snapshot.type !== "snapshot") throw new Error("not a snapshot");
    expect(snapshot).toMatchObject({ cols: 80, rows: 24 });
    expect(snapshot.offset).toBeGreaterThanOrEqual(doneAt);
    expect(snapshot.offset).toBeLessThanOrEqual(session.log.end);
    expect(snapshot.skipped).toBe(snapshot.offset - 10);
    expect(seen.text).toContain("100000");
    expect(seen.text).toContain("DONE-6");
    await session.write("echo after-$((3*3))\r");
    await readUntilText(resumed, /after-9/, 10_000, seen);
  });
});

describe("flow control", () => {
  it("pauses the PTY only while every attached client is blocked", async () => {
    const session = manager().create({ owner: "a", cols: 80, rows: 24 });
    const a = session.attach({ from: null });
    const b = session.attach({ from: null });
    await readUntilEvent(a, "ready");
    a.setBackpressured(true);
    expect(session.paused).toBe(false);
    b.setBackpressured(true);
    expect(session.paused).toBe(true);
    b.detach();
    expect(session.paused).toBe(true);
    a.setBackpressured(false);
    expect(session.paused).toBe(false);
  });

  it("stops a paused program: output does not grow until a client catches up", async () => {
    await expectPauseStopsFlood(manager());
  });

  it("keeps the last output of a shell that exits while the PTY is paused", async () => {
    await expectTailAfterExitWhilePaused(manager());
  });

  it("blocks a client that does not acknowledge past the high watermark", async () => {
    const session = manager().create({ owner: "a", cols: 80, rows: 24 });
    const a = session.attach({ from: null, acks: true });
    await readUntilEvent(a, "ready");
    await session.write("yes | head -c 2000000; echo\r");
    let received = 0;
    while (!a.blocked) {
      const next = await a.next();
      if (next?.event.type === "output") received = next.offset;
    }
    expect(received).toBeGreaterThan(100_000);
    expect(session.paused).toBe(true);
    a.ack(received);
    expect(a.blocked).toBe(false);
    expect(session.paused).toBe(false);
  });
});

describe("bubblewrap isolation", () => {
  const bwrap = (() => {
    try {
      return execFileSync("sh", ["-c", "command -v bwrap"]).toString().trim();
    } catch {
      return "";
    }
  })();

  /** Each test's workspace root: the shared default would keep every run's links' directory. */
  const roots: string[] = [];
  afterEach(async () => {
    // Sessions first: each removes its workspace as it closes.
    await Promise.all(managers.splice(0).map((m) => m.closeAll()));
    for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
  });

  /** A session in bubblewrap (failing loudly without it), attached once it is ready. */
  async function isolatedSession(
    kind: "shell" | "claude" = "shell",
    programs: Record<string, string> = {},
    options: LocalProviderOptions = {},
  ) {
    if (!bwrap)
      throw new Error("bubblewrap is not installed: apt-get install bubblewrap (CI installs it)");
    const workspaceRoot = mkdtempSync(join(tmpdir(), "porthole-bwrap-"));
    roots.push(workspaceRoot);
    const provider = new LocalProvider({
      shell: "/bin/bash",
      shellArgs: ["--noprofile", "--norc"],
      isolation: "bubblewrap",
      baseEnv: { PATH: process.env.PATH, PS1: "$ " },
      workspaceRoot,
      programs,
      ...options,
    });
    const m = new SessionManager({ provider });
    managers.push(m);
    const session = m.create({ owner: "a", cols: 120, rows: 24, kind });
    const attachment = session.attach({ from: null });
    await readUntilEvent(attachment, "ready");
    return { provider, session, attachment };
  }

  it("runs the shell with a private /tmp, read-only system and the workspace as home", async () => {
    const { session, attachment } = await isolatedSession();
    expect(session.info().isolation).toBe("bubblewrap");
    await session.write(
      "echo home=$HOME pwd=$(pwd); touch /usr/x 2>&1 | grep -c Read-only; test -e /root/. && echo root-visible || echo root-hidden; ls /tmp | wc -l; echo pid1=$(cat /proc/1/comm) END\r",
    );
    const seen = await readUntilText(attachment, /pid1=\S+ END/);
    expect(seen.text).toContain("home=/workspace pwd=/workspace");
    expect(seen.text).toMatch(/\r\n1\r\n/);
    expect(seen.text).toMatch(/\r\nroot-hidden/);
    expect(seen.text).not.toContain("pid1=systemd");
  });

  it("leaves the shell no capabilities: even run by root, it cannot remount the system writable", async () => {
    const { session, attachment } = await isolatedSession();
    await session.write(
      "grep CapEff /proc/self/status; mount -o remount,rw,bind /usr 2>/dev/null && echo remounted || echo refused; echo END\r",
    );
    const seen = await readUntilText(attachment, /\r\nEND/);
    expect(seen.text).toMatch(/CapEff:\s+0000000000000000/);
    expect(seen.text).toMatch(/\r\nrefused/);
  });

  it("starts a program given by path by its name, though it lives under /tmp", async () => {
    const dir = mkdtempSync(join(tmpdir(), "porthole-program-"));
    const program = fakeProgram(dir);
    try {
      const { provider, session, attachment } = await isolatedSession("claude", {
        claude: program,
      });
      expect(await provider.hasProgram("claude")).toBe(true);
      const seen = await readUntilText(attachment, /tool-ran-42 as tool\.exe with 0\r\n/);
      expect(seen.text).toMatch(/[$#] claude\r\n/);
      expect(seen.text).not.toContain("tool dir");
      // Typed again, and on PATH; the workspace root shows the links' directory and nothing else.
      await session.write(
        'claude again; env claude x y; ls -A "$(dirname "$(type -P claude)")/.."; echo END\r',
      );
      const rest = await readUntilText(attachment, /\r\nEND/, 10_000);
      expect(rest.text).toMatch(/with 1\r\n.*with 2\r\n\.programs-[0-9a-f]{16}\r\nEND/s);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("follows a program's symlink as an updater repoints it, in a running session and the next", async () => {
    const dir = mkdtempSync(join(tmpdir(), "porthole-program-"));
    try {
      // As Claude Code's native installer lays it out: bin/claude -> versions/<version>.
      const [bin, versions, elsewhere] = ["bin", "versions", "elsewhere"].map((name) =>
        join(dir, name),
      );
      for (const made of [bin!, versions!, elsewhere!]) mkdirSync(made);
      const install = (path: string) =>
        writeFileSync(path, `#!/bin/sh\necho running-${basename(path)}\n`, { mode: 0o755 });
      const link = join(bin!, "claude");
      const repoint = (target: string) => {
        symlinkSync(target, `${link}.new`);
        renameSync(`${link}.new`, link);
      };
      install(join(versions!, "1.0"));
      symlinkSync(join(versions!, "1.0"), link);
      const { provider, session, attachment } = await isolatedSession("claude", { claude: link });
      const seen = await readUntilText(attachment, /running-1\.0\r\n/);
      // An update while the session runs: the name runs the new version, the old one is gone.
      install(join(versions!, "2.0"));
      repoint(join(versions!, "2.0"));
      rmSync(join(versions!, "1.0"));
      await session.write("claude; env claude; echo END\r");
      await readUntilText(attachment, /(running-2\.0\r\n){2}END/, 10_000, seen);
      // Installed elsewhere now: the next session shows where the link leads by then.
      install(join(elsewhere!, "3.0"));
      repoint(join(elsewhere!, "3.0"));
      rmSync(versions!, { recursive: true });
      const next = new SessionManager({ provider });
      managers.push(next);
      const again = next.create({ owner: "a", cols: 120, rows: 24, kind: "claude" });
      await readUntilText(again.attach({ from: null }), /running-3\.0\r\n/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("runs a program by its name in a login shell, whose /etc/profile may set PATH anew", async () => {
    const dir = mkdtempSync(join(tmpdir(), "porthole-program-"));
    const program = fakeProgram(dir);
    try {
      const { session, attachment } = await isolatedSession(
        "claude",
        { claude: program },
        { shellArgs: ["-l"] },
      );
      const seen = await readUntilText(attachment, /tool-ran-42 as tool\.exe with 0\r\n/);
      expect(seen.text).not.toContain("tool dir");
      await session.write("claude again\r");
      await readUntilText(attachment, /tool-ran-42 as tool\.exe with 1\r\n/, 10_000, seen);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("a client far behind", () => {
  it("holds the PTY back before it falls out of the log, though it is never blocked", async () => {
    // Never blocked (no socket, no acks), it simply reads later: the PTY must wait for it once it
    // is a quarter of the log behind, and nothing may be dropped before it reads.
    const session = manager({ logCapacity: 4 * PTY_THREAD_MAX_PENDING }).create({
      owner: "a",
      cols: 80,
      rows: 24,
    });
    const slow = session.attach({ from: null });
    await readUntilEvent(slow, "ready");
    await session.write("yes\r");
    await eventually(() => session.paused, 10_000, "the PTY paused for the client behind");
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(session.log.start).toBe(0);
    // Reading on, it gets every byte and never a snapshot; the flood goes on meanwhile.
    let read = 0;
    while (read < 3 * session.log.capacity) {
      const next = await slow.next();
      expect(next?.event.type).toBe("output");
      if (next?.event.type === "output") read += next.event.data.length;
    }
    await session.write("\x03");
  });
});

describe("reconnect hold", () => {
  it("pauses a flood while the only client reconnects, so its place stays in the log", async () => {
    // A pause takes effect after what the PTY thread already read: up to PTY_THREAD_MAX_PENDING
    // gathered and as much in flight. The log holds four times that; unpaused, `yes` would
    // overrun it many times over in the 500 ms below.
    const logCapacity = 4 * PTY_THREAD_MAX_PENDING;
    const session = manager({ logCapacity }).create({ owner: "a", cols: 80, rows: 24 });
    const first = session.attach({ from: null, clientId: "c1" });
    await readUntilEvent(first, "ready");
    await session.write("yes\r");
    await eventually(() => session.log.end > 64 * 1024, 5000, "flood started");
    const position = session.log.end;
    first.detach();
    expect(session.paused).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(session.log.start).toBeLessThanOrEqual(position);
    const back = session.attach({ from: position, clientId: "c1" });
    const seen = await readUntilEvent(back, "output");
    expect(seen.events.some((e) => e.event.type === "snapshot")).toBe(false);
    expect(session.paused).toBe(false);
    await session.write("\x03");
  });
});

describe("PTYs on the main thread (ptyThread: false)", () => {
  const mainThread = () => manager({}, { ptyThread: false });

  it("runs what is typed, resizes, and reports the exit", async () => {
    const session = mainThread().create({ owner: "a", cols: 80, rows: 24 });
    const attachment = session.attach({ from: null });
    await readUntilEvent(attachment, "ready");
    await session.resize(101, 37);
    await session.write("stty size; echo hel''lo\r");
    await readUntilText(attachment, /37 101\r\nhello/);
    await session.write("exit 4\r");
    const seen = await readUntilEvent(attachment, "exit");
    expect(seen.events.at(-1)!.event).toEqual({ type: "exit", code: 4, signal: null });
  });

  it("stops a paused program: output does not grow until a client catches up", async () => {
    await expectPauseStopsFlood(mainThread());
  });

  it("keeps the last output of a shell that exits while the PTY is paused", async () => {
    await expectTailAfterExitWhilePaused(mainThread());
  });

  it("keeps the last output of a shell that exits while this thread, its reader, is busy", async () => {
    const session = mainThread().create({ owner: "a", cols: 80, rows: 24 });
    const a = session.attach({ from: null });
    await readUntilEvent(a, "ready");
    await session.write("seq 1 2000; exit 3\r");
    // The shell writes and exits meanwhile; libuv then sees the terminal hung up and, after one
    // ~4 KiB read, reported the end with the rest unread.
    const busyUntil = Date.now() + 300;
    while (Date.now() < busyUntil);
    const seen = await readUntilEvent(a, "exit");
    expect(seen.text).toContain("1998\r\n1999\r\n2000\r\n");
  });
});

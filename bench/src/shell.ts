// The shells every scenario runs: one HOME with a fixed prompt, the data files, node-pty baselines.
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildShellEnv } from "@porthole/sandbox";
import pty from "node-pty";

/** The prompt every benchmark shell shows (set by the bench HOME's .bash_profile). */
export const PROMPT = "[pb]> ";

/** Terminal size of every benchmark session. */
export const COLS = 120;
export const ROWS = 40;

/** Printed by MARKER_COMMAND; the command line's own echo does not contain it. */
export const MARKER = "__PB_42_END__";

/** Prints MARKER (written so that the echoed command line does not match). */
export const MARKER_COMMAND = "echo __PB_$((6*7))_END__";

/** Everything the bench writes outside its package: HOME, session workspaces, data files. */
export const BENCH_ROOT = join(tmpdir(), "porthole-bench");
const HOME = join(BENCH_ROOT, "home");
const DATA = join(BENCH_ROOT, "data");

const PROFILE = [
  "# Written by @porthole/bench: a fixed prompt and no history, so runs compare like with like.",
  `PS1='${PROMPT}'`,
  "PS2=''",
  "unset PROMPT_COMMAND",
  "HISTFILE=/dev/null",
  "bind 'set enable-bracketed-paste off' 2>/dev/null",
  "",
].join("\n");

/** Creates the bench HOME (idempotent) and returns the environment servers and shells get. */
export function benchEnv(): Record<string, string> {
  mkdirSync(HOME, { recursive: true });
  // Rewrite only when it differs: a shell starting meanwhile must never read a truncated file.
  const profile = join(HOME, ".bash_profile");
  if (!existsSync(profile) || readFileSync(profile, "utf8") !== PROFILE) {
    writeFileSync(`${profile}.tmp`, PROFILE);
    renameSync(`${profile}.tmp`, profile);
  }
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env))
    if (value !== undefined) env[name] = value;
  return {
    ...env,
    HOME,
    SHELL: "/bin/bash",
    LOCAL_SHELL: "/bin/bash",
    LOCAL_WORKSPACE_ROOT: join(BENCH_ROOT, "sessions"),
    LANG: "C.UTF-8",
  };
}

/** Kinds of generated output. */
export type DataKind = "printable" | "ansi";

/** A data file of at least `bytes` bytes of the given kind (generated once, reused). */
export function dataFile(kind: DataKind, bytes: number): string {
  mkdirSync(DATA, { recursive: true });
  const path = join(DATA, `${kind}.txt`);
  if (existsSync(path) && statSync(path).size >= bytes) return path;
  const block = kind === "printable" ? printableBlock() : ansiBlock();
  const fd = openSync(path, "w");
  try {
    for (let written = 0; written < bytes; written += block.length) writeSync(fd, block);
  } finally {
    closeSync(fd);
  }
  return path;
}

/** About 1 MiB of 80-column lines of printable ASCII that vary from line to line. */
function printableBlock(): Buffer {
  const alphabet =
    "abcdefghijklmnopqrstuvwxyz0123456789 .,:;-_=+()[]{}<>/|!?*&%#@~ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  const lines: string[] = [];
  for (let line = 0; line < 13_000; line++) {
    let text = `${String(line).padStart(6, "0")} `;
    for (let i = 0; text.length < 79; i++) text += alphabet[(line * 7 + i * 13) % alphabet.length];
    lines.push(text);
  }
  return Buffer.from(`${lines.join("\n")}\n`);
}

/** About 1 MiB of colour changes, cursor moves and erases: what full-screen programs print. */
function ansiBlock(): Buffer {
  const parts: string[] = [];
  for (let i = 0; parts.length < 40_000; i++) {
    const row = (i % 38) + 1;
    const col = ((i * 17) % 100) + 1;
    parts.push(
      `\x1b[${row};${col}H\x1b[38;5;${i % 256}m\x1b[48;5;${(i * 7) % 256}m${i % 3 === 0 ? "\x1b[1m" : ""}cell${i % 1000}\x1b[0m`,
    );
    if (i % 5 === 0)
      parts.push(`\x1b[K\x1b[38;2;${i % 256};${(i * 3) % 256};${(i * 5) % 256}mrgb\x1b[m`);
    if (i % 9 === 0) parts.push("\x1b[2A\x1b[3C\x1b[1B\x1b[s\x1b[u");
  }
  parts.push("\x1b[H\x1b[2J\x1b[0m\r\n");
  return Buffer.from(parts.join(""));
}

/** A login shell through node-pty in this process, set up exactly like a Porthole local session. */
export function spawnDirectShell(): pty.IPty {
  const env = benchEnv();
  const cwd = join(BENCH_ROOT, "sessions", `direct-${process.pid}-${Date.now()}`);
  mkdirSync(cwd, { recursive: true });
  return pty.spawn("/bin/bash", ["-l"], {
    name: "xterm-256color",
    cols: COLS,
    rows: ROWS,
    cwd,
    env: buildShellEnv(env, {}),
    encoding: null,
  });
}

const SCALE_PROGRAM = `# Written by @porthole/bench: raw-mode echo plus a steady trickle of output.
use strict;
use Time::HiRes qw(time);
system("stty raw -echo");
my ($bytes, $ms) = @ARGV;
my $line = join("", map { chr(97 + ($_ % 26)) } 0 .. 77) . "\\r\\n";
my $chunk = $line x int($bytes / 80);
my $period = $ms / 1000;
my $next = time + $period;
while (1) {
  my $wait = $next - time;
  $wait = 0 if $wait < 0;
  my $rin = "";
  vec($rin, fileno(STDIN), 1) = 1;
  if (select(my $rout = $rin, undef, undef, $wait) > 0) {
    my $n = sysread(STDIN, my $buf, 4096);
    exit 0 unless $n;
    syswrite(STDOUT, $buf);
  }
  if (time >= $next) {
    syswrite(STDOUT, $chunk);
    $next += $period;
    $next = time + $period if $next < time;
  }
}
`;

/**
 * The command that turns a shell into the scale workload: raw-mode echo of every keystroke plus
 * `bytes` of lowercase lines every `ms` milliseconds (keystrokes are upper case, so never confused).
 */
export function scaleCommand(bytes: number, ms: number): string {
  mkdirSync(DATA, { recursive: true });
  const path = join(DATA, "scale.pl");
  writeFileSync(path, SCALE_PROGRAM);
  return `exec perl ${path} ${bytes} ${ms}\r`;
}

// LocalProvider's `programs` made runnable by name: one link per program in a directory of its own.
import { createHash, randomBytes } from "node:crypto";
import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  readSync,
  realpathSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { SandboxError } from "../errors.js";
import { shellQuote } from "./shell-quote.js";

/**
 * A program name: a file name that is also a plain shell word (typed as it is) and a name bash
 * imports a function by. Never `.` or `..`, never an option (`-x`).
 */
const PROGRAM_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,254}$/;

/**
 * Bash's builtins and keywords (`compgen -b -k`): typed, bash runs those, never a program of the
 * name, and exported as a function (see `programFunctions`) the name would replace the builtin in
 * every bash script the session runs.
 */
const SHELL_WORDS = new Set(
  (
    "alias bg bind break builtin caller case cd command compgen complete compopt continue coproc " +
    "declare dirs disown do done echo elif else enable esac eval exec exit export false fc fg fi " +
    "for function getopts hash help history if in jobs kill let local logout mapfile popd printf " +
    "pushd pwd read readarray readonly return select set shift shopt source suspend test then " +
    "time times trap true type typeset ulimit umask unalias unset until wait while"
  ).split(" "),
);

/** Refuses a program a link and a shell could not carry by its name, or one not given by absolute path. */
export function checkProgram(name: string, path: string): void {
  if (!PROGRAM_NAME.test(name)) {
    throw new SandboxError(
      "BAD_INPUT",
      `The program name ${JSON.stringify(name)} cannot be a command: use letters, digits and _ . + - (the first a letter, digit or _), at most 255`,
    );
  }
  if (SHELL_WORDS.has(name)) {
    throw new SandboxError(
      "BAD_INPUT",
      `The program name ${JSON.stringify(name)} is a shell builtin or keyword: typed, the shell would run that instead`,
    );
  }
  if (!isAbsolute(path)) {
    throw new SandboxError(
      "BAD_INPUT",
      `The program ${JSON.stringify(name)} must be given by absolute path, not ${JSON.stringify(path)}`,
    );
  }
}

/**
 * Where the links of `programs` go under `root`: named after what they link, so providers (and
 * servers sharing the root) given the same programs share one that holds exactly those names, and
 * none is removed while its programs exist (see `pruneProgramDirs`). The dot keeps it apart from
 * workspaces: session ids have none (ID_PATTERN), so it is never taken for a session's, nor for
 * an orphan's.
 */
export function programsDir(root: string, programs: ReadonlyMap<string, string>): string {
  const sorted = [...programs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const digest = createHash("sha256").update(JSON.stringify(sorted)).digest("hex").slice(0, 16);
  return join(root, `.programs-${digest}`);
}

/** How long a `.new-*` entry or a links' directory counts as another server's work in progress. */
const PROGRAMS_FRESH_MS = 60_000;

/** What an entry being made is named before it is renamed into place. */
const ASIDE_PREFIX = ".new-";

/**
 * Makes `dir` hold an entry named after each program that runs it, and nothing else. Run before
 * each session: the root may live in /tmp, whose cleaners remove what they find old, and with
 * isolation none a session's user may drop an `ls` there, which would run first in every later
 * session. Each entry is a symlink to the program, except for a script (`#!`), which gets a tiny
 * script that execs it by its own path: a launcher (a pnpm shim) finds what it runs beside its
 * own path, which a link elsewhere would hide from it. Only where the directory's mount lets a
 * script in it run: /tmp is often noexec, which stops a script in it, while running a link is
 * judged by the program's own mount, so there the script keeps a link.
 */
export function linkPrograms(dir: string, programs: ReadonlyMap<string, string>): void {
  try {
    try {
      mkdirSync(dir, { mode: 0o700 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      if (!lstatSync(dir).isDirectory()) throw new Error("it is not a directory");
    }
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      // A program's own entry is replaced below if it is wrong, unless a directory stands there.
      if (programs.has(entry) && !isDirectory(path)) continue;
      // Another server sharing the directory may be about to rename this into place.
      if (entry.startsWith(ASIDE_PREFIX) && isFresh(path)) continue;
      rmSync(path, { recursive: true, force: true });
    }
    for (const [name, target] of programs) placeProgram(dir, name, target);
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code ??
      (error instanceof Error ? error.message : String(error));
    throw new SandboxError(
      "SANDBOX_FAILED",
      `Cannot link the session programs in ${dir}: ${reason}`,
      { cause: error },
    );
  }
}

/** Makes `dir/name` run `target`, unless it already does. */
function placeProgram(dir: string, name: string, target: string): void {
  const entry = join(dir, name);
  if (isScript(target)) {
    const wrapper = wrapperScript(target);
    if (readWrapper(entry) === wrapper && canExecute(entry)) return;
    const aside = asidePath(dir);
    writeFileSync(aside, wrapper, { mode: 0o755, flag: "wx" });
    // access(2) refuses X_OK for a file on a noexec mount: the same verdict exec would give.
    if (canExecute(aside)) {
      renameInto(aside, entry);
      return;
    }
    rmSync(aside, { force: true });
  }
  if (readLink(entry) === target) return;
  const aside = asidePath(dir);
  symlinkSync(target, aside);
  renameInto(aside, entry);
}

/** A fresh name for an entry made aside: a server sharing the directory never finds one half made. */
function asidePath(dir: string): string {
  return join(dir, `${ASIDE_PREFIX}${randomBytes(6).toString("hex")}`);
}

function renameInto(aside: string, entry: string): void {
  try {
    renameSync(aside, entry);
  } catch (error) {
    rmSync(aside, { force: true });
    throw error;
  }
}

/** The script an entry for the script `target` is; its comment names `target` (see `wrapperTarget`). */
function wrapperScript(target: string): string {
  return `#!/bin/sh\n# porthole runs ${JSON.stringify(target)}\nexec ${shellQuote(target)} "$@"\n`;
}

/** The program a wrapper made by `wrapperScript` runs, or null for any other text. */
function wrapperTarget(text: string): string | null {
  const named = /^#!\/bin\/sh\n# porthole runs (".*")\n/.exec(text);
  if (!named) return null;
  const target: unknown = JSON.parse(named[1]!);
  return typeof target === "string" && wrapperScript(target) === text ? target : null;
}

/** The text of the regular file `path` when it is small enough to be a wrapper, else null. */
function readWrapper(path: string): string | null {
  try {
    const stats = lstatSync(path);
    if (!stats.isFile() || stats.size > 8192) return null;
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

/** Whether `path` starts with `#!`: a script, which the kernel runs through its interpreter. */
function isScript(path: string): boolean {
  let fd: number | null = null;
  try {
    fd = openSync(path, "r");
    const start = Buffer.alloc(2);
    return readSync(fd, start, 0, 2, 0) === 2 && start.toString("latin1") === "#!";
  } catch {
    // Unreadable (execute-only) or missing: a link runs it as well as anything could.
    return false;
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

function canExecute(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Whether `path` is a directory itself (not a symlink to one); false when it is gone. */
function isDirectory(path: string): boolean {
  try {
    return lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Whether `path` was changed within `PROGRAMS_FRESH_MS`: another server may be at work on it. */
function isFresh(path: string): boolean {
  try {
    return Date.now() - lstatSync(path).mtimeMs < PROGRAMS_FRESH_MS;
  } catch {
    return false;
  }
}

/**
 * Removes the links' directories under `root` other than `keep` that run nothing any more: every
 * link's program is gone (a Claude Code that was updated away, a set of programs no server is
 * given now). One whose program exists is never removed, so neither is one a running server
 * uses; nor one changed within `PROGRAMS_FRESH_MS`, which a server may be filling. A server that
 * still uses one removed makes it again before its next session. Best effort: what cannot be
 * read or removed stays.
 */
export function pruneProgramDirs(root: string, keep: string | null): void {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return;
  }
  for (const name of names) {
    const dir = join(root, name);
    if (!name.startsWith(".programs-") || dir === keep) continue;
    try {
      if (!lstatSync(dir).isDirectory() || isFresh(dir)) continue;
      if (readdirSync(dir).some((entry) => runsProgram(join(dir, entry)))) continue;
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // Removed meanwhile, or not ours to read: leave it.
    }
  }
}

/** Whether the entry `path` of a links' directory still runs a program that exists. */
function runsProgram(path: string): boolean {
  const stats = lstatSync(path);
  // A symlink counts while what it points to exists (existsSync follows it).
  if (stats.isSymbolicLink()) return existsSync(path);
  const text = readWrapper(path);
  const target = text === null ? null : wrapperTarget(text);
  return target !== null && existsSync(target);
}

/** Where the symlink `path` points, or null when it is missing or not a symlink. */
function readLink(path: string): string | null {
  try {
    return readlinkSync(path);
  } catch {
    return null;
  }
}

/**
 * Environment entries exporting each program as a bash function that runs it by its own path. A
 * login shell's profile may set PATH anew (Debian's /etc/profile does), dropping the links'
 * directory; bash defines these functions before it reads any profile, so the name still runs
 * the program. The path, not the link: a launcher script (a pnpm shim given as CLAUDE_PATH) finds
 * what it runs beside its own path, which a link elsewhere would hide from it.
 */
export function programFunctions(programs: ReadonlyMap<string, string>): Record<string, string> {
  const entries: [string, string][] = [...programs].map(([name, path]) => [
    `BASH_FUNC_${name}%%`,
    `() { ${shellQuote(path)} "$@"; }`,
  ]);
  return Object.fromEntries(entries);
}

/**
 * A PROMPT_COMMAND that puts the links' directory back at the front of PATH before each prompt
 * when a login profile dropped it (Debian's /etc/profile sets PATH anew), so that what looks the
 * names up on PATH (`which`, `env`, `xargs`, a `sh` script) finds them as the bash functions do.
 * A profile that sets its own PROMPT_COMMAND replaces it: the functions still answer when typed.
 */
export function pathKeeper(dir: string): Record<string, string> {
  const quoted = shellQuote(dir);
  return { PROMPT_COMMAND: `case ":$PATH:" in *:${quoted}:*) ;; *) PATH=${quoted}:$PATH ;; esac` };
}

/**
 * The directories a sandbox must show for `path` to run: its own, and each one a symlink on the
 * way to the program leads through, down to the program's real directory. Read at each session's
 * start, not once: an updater repoints the link (Claude Code's native installer links
 * ~/.local/bin/claude to ~/.local/share/claude/versions/<version>), and the new version is what
 * the name must run.
 */
export function programDirectories(path: string): string[] {
  const dirs = [dirname(path)];
  let current = path;
  // As many hops as Linux follows (MAXSYMLINKS) before it gives up with ELOOP.
  for (let hop = 0; hop < 40; hop++) {
    const target = readLink(current);
    if (target === null) break;
    current = resolve(dirname(current), target);
    dirs.push(dirname(current));
  }
  try {
    // The hops above are read as written; a directory on the way may be a symlink itself.
    dirs.push(dirname(realpathSync(path)));
  } catch {
    // Missing now: the session starts, and running the name says what is wrong.
  }
  return [...new Set(dirs)];
}

/**
 * Whether bash started with `args` defines the exported program functions (see
 * `programFunctions`). It does not when privileged (`-p`, `-o privileged`) or restricted (`-r`,
 * `--restricted`), and in POSIX mode (`--posix`, `-o posix`) it refuses names that are not
 * identifiers, and says so each time it starts. Options are read as bash reads them: until the
 * first word that is none, short ones grouped (`-lp`), `-o`, `-O`, `--rcfile` and `--init-file`
 * taking the next word.
 */
export function importsFunctions(args: readonly string[]): boolean {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--" || arg === "-" || !/^[-+]/.test(arg)) return true;
    if (arg === "--posix" || arg === "--restricted") return false;
    if (arg === "--rcfile" || arg === "--init-file") i++;
    if (arg.startsWith("--")) continue;
    const on = arg.startsWith("-");
    for (const letter of arg.slice(1)) {
      if (on && (letter === "p" || letter === "r")) return false;
      if (letter === "o" || letter === "O") {
        const option = args[++i];
        if (on && letter === "o" && (option === "posix" || option === "privileged")) return false;
      }
    }
  }
  return true;
}

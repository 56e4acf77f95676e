// LocalProvider's `programs` made runnable by name: one link per program in a directory of its own.
import { createHash, randomBytes } from "node:crypto";
import { lstatSync, mkdirSync, readlinkSync, renameSync, rmSync, symlinkSync } from "node:fs";
import { isAbsolute, join } from "node:path";
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
 * none is ever removed from under a running session. The dot keeps it apart from workspaces:
 * session ids have none (ID_PATTERN), so it is never taken for a session's, nor for an orphan's.
 */
export function programsDir(root: string, programs: ReadonlyMap<string, string>): string {
  const sorted = [...programs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const digest = createHash("sha256").update(JSON.stringify(sorted)).digest("hex").slice(0, 16);
  return join(root, `.programs-${digest}`);
}

/**
 * Makes `dir` hold a link named after each program to its executable. Run before each session:
 * the root may live in /tmp, whose cleaners remove what they find old. Links, not scripts that
 * exec the program: /tmp is often mounted noexec, which stops a script in it, while running a
 * link is judged by the program's own mount.
 */
export function linkPrograms(dir: string, programs: ReadonlyMap<string, string>): void {
  try {
    try {
      mkdirSync(dir, { mode: 0o700 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      if (!lstatSync(dir).isDirectory()) throw new Error("it is not a directory");
    }
    for (const [name, target] of programs) {
      const link = join(dir, name);
      if (readLink(link) === target) continue;
      // Made aside and renamed over: a server sharing the directory never finds it missing.
      const aside = join(dir, `.new-${randomBytes(6).toString("hex")}`);
      symlinkSync(target, aside);
      try {
        renameSync(aside, link);
      } catch (error) {
        rmSync(aside, { force: true });
        throw error;
      }
    }
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
  const entries = [...programs].map(([name, path]) => [
    `BASH_FUNC_${name}%%`,
    `() { ${shellQuote(path)} "$@"; }`,
  ]);
  return Object.fromEntries(entries) as Record<string, string>;
}

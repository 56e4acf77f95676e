#!/usr/bin/env node
// `npm start` and `npm test` on a fresh machine: fetch the pinned pnpm, install, build, then run.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const pinned = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).packageManager.split(
  "@",
)[1];
const toolDir = join(root, ".tools");
const toolBin = join(toolDir, "node_modules", ".bin");
const env = { ...process.env, PATH: `${toolBin}:${process.env.PATH ?? ""}` };
// npm passes its own settings down as npm_config_*; pnpm would read them as its own.
for (const name of Object.keys(env)) if (name.startsWith("npm_config_")) delete env[name];

/** Runs a command in the repository, streaming its output; exits with its code on failure. */
function run(command, args, options = {}) {
  console.log(`\n$ ${command} ${args.join(" ")}`);
  try {
    execFileSync(command, args, { cwd: root, env, stdio: "inherit", ...options });
  } catch (error) {
    if (options.allowFailure) return false;
    process.exit(typeof error.status === "number" ? error.status : 1);
  }
  return true;
}

/** The pnpm version on PATH (ours first), or null. */
function pnpmVersion() {
  try {
    return execFileSync("pnpm", ["--version"], { env, encoding: "utf8" }).trim();
  } catch {
    return null;
  }
}

function ensurePnpm() {
  if (pnpmVersion() === pinned) return;
  console.log(`Fetching pnpm ${pinned} into .tools/ (once)`);
  run("npm", [
    "install",
    "--prefix",
    toolDir,
    "--no-save",
    "--no-audit",
    "--no-fund",
    "--loglevel=error",
    `pnpm@${pinned}`,
  ]);
  if (pnpmVersion() !== pinned) {
    console.error(`Could not get pnpm ${pinned}`);
    process.exit(1);
  }
}

/** True when node_modules already holds exactly what the lock file says (pnpm keeps a copy). */
function installedFromLock() {
  const current = join(root, "node_modules", ".pnpm", "lock.yaml");
  return (
    existsSync(current) &&
    readFileSync(current, "utf8") === readFileSync(join(root, "pnpm-lock.yaml"), "utf8")
  );
}

function install() {
  ensurePnpm();
  // A no-op install still takes ~25 s here (pnpm scans Claude Code's 400 MB binary for a shebang).
  if (installedFromLock()) return;
  run("pnpm", ["install", "--frozen-lockfile"]);
}

const command = process.argv[2];
if (command === "start") {
  install();
  run("pnpm", ["turbo", "run", "build", "--output-logs=errors-only"]);
  // A generated token is kept in .start-token (git-ignored), so a page left open survives a restart.
  const serverEnv = process.env.PORTHOLE_TOKEN
    ? process.env
    : {
        ...process.env,
        PORTHOLE_TOKEN_FILE: process.env.PORTHOLE_TOKEN_FILE ?? join(root, ".start-token"),
      };
  const server = spawn(process.execPath, [join(root, "apps/server/dist/main.js")], {
    cwd: root,
    env: serverEnv,
    stdio: "inherit",
  });
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.kill(signal));
  server.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else if (command === "test") {
  install();
  // Reports from an earlier run must not count in this one.
  for (const group of ["apps", "packages", "tools"]) {
    const dir = join(root, group);
    for (const name of existsSync(dir) ? readdirSync(dir) : [])
      rmSync(join(dir, name, ".reports"), { recursive: true, force: true });
  }
  rmSync(join(root, "bench", ".reports"), { recursive: true, force: true });
  // Checks and tests both run to the end, so one failure does not hide the others.
  const built = run("pnpm", ["turbo", "run", "build", "typecheck", "lint", "--continue"], {
    allowFailure: true,
  });
  const formatted = run("pnpm", ["format:check"], { allowFailure: true });
  const checked = built && formatted;
  // One suite at a time: they start shells, servers and browsers, and the machine may have 2 cores.
  const tested = run(
    "pnpm",
    ["turbo", "run", "test", "test:heavy", "--concurrency=1", "--continue"],
    { allowFailure: true },
  );
  run(process.execPath, [join(root, "scripts/test-summary.mjs")], { allowFailure: true });
  process.exit(checked && tested ? 0 : 1);
} else {
  console.error("usage: node scripts/quick.mjs start|test");
  process.exit(2);
}

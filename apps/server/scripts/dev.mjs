#!/usr/bin/env node
// `pnpm dev` for the server: recompiles on change and restarts on any rebuilt package, with a
// token that stays the same across restarts (so the open page keeps working).
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const tokenFile = here("../.dev-token");

/** A dev token kept in apps/server/.dev-token (git-ignored), unless PORTHOLE_TOKEN is set. */
function devToken() {
  if (process.env.PORTHOLE_TOKEN) return process.env.PORTHOLE_TOKEN;
  if (existsSync(tokenFile)) return readFileSync(tokenFile, "utf8").trim();
  const token = randomBytes(24).toString("base64url");
  writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
  return token;
}

const token = devToken();
const children = [];
const start = (command, args, env = process.env) => {
  const child = spawn(command, args, { cwd: here(".."), env, stdio: "inherit" });
  children.push(child);
  return child;
};

// The server's own sources; sandbox and protocol run their own `tsc --watch` under turbo.
start(process.execPath, [
  here("../node_modules/typescript/bin/tsc"),
  "-p",
  "tsconfig.build.json",
  "--watch",
  "--preserveWatchOutput",
]);
const watch = ["dist", "../../packages/sandbox/dist", "../../packages/protocol/dist"].flatMap(
  (path) => ["--watch-path", path],
);
const waitForBuild = () =>
  existsSync(here("../dist/main.js"))
    ? Promise.resolve()
    : new Promise((resolve) => setTimeout(() => resolve(waitForBuild()), 200));
await waitForBuild();
const frontend = process.env.FRONTEND_URL ?? "http://localhost:5174";
console.log(`\nporthole dev: open ${frontend}/#token=${token}  (the page with live reload)\n`);
start(process.execPath, [...watch, "dist/main.js"], {
  ...process.env,
  PORTHOLE_TOKEN: token,
  LOG_LEVEL: process.env.LOG_LEVEL ?? "debug",
});

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    for (const child of children) child.kill(signal);
    process.exit(0);
  });
}

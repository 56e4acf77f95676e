#!/usr/bin/env node
// Sums the test runners' JSON reports into one line: `tests: N passed, N failed`.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const workspaces = ["apps", "packages", "tools", "bench"].flatMap((group) => {
  const dir = join(root, group);
  if (!existsSync(dir)) return [];
  if (existsSync(join(dir, "package.json"))) return [dir];
  return readdirSync(dir)
    .map((name) => join(dir, name))
    .filter((path) => existsSync(join(path, "package.json")));
});

let passed = 0;
let failed = 0;
for (const workspace of workspaces) {
  const scripts = JSON.parse(readFileSync(join(workspace, "package.json"), "utf8")).scripts ?? {};
  for (const [script, file] of [
    ["test", "vitest.json"],
    ["test:heavy", "vitest-heavy.json"],
  ]) {
    if (!scripts[script]) continue;
    const path = join(workspace, ".reports", file);
    const name = `${relative(root, workspace)} ${script}`;
    if (!existsSync(path)) {
      // A runner that crashed or never ran wrote no report: that is a failure, not a pass.
      console.log(`${name}: no report (did not run or crashed)`);
      failed++;
      continue;
    }
    const report = JSON.parse(readFileSync(path, "utf8"));
    const suiteErrors = (report.testResults ?? []).filter(
      (suite) => suite.status === "failed" && (suite.assertionResults ?? []).length === 0,
    ).length;
    console.log(
      `${name}: ${report.numPassedTests} passed, ${report.numFailedTests + suiteErrors} failed, ${report.numPendingTests + report.numTodoTests} skipped`,
    );
    passed += report.numPassedTests;
    failed += report.numFailedTests + suiteErrors;
  }
}
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);

// The E2B template: the pieces the product relies on are in the Dockerfile, and the SDK accepts it.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Template } from "e2b";
import { describe, expect, it } from "vitest";

const path = fileURLToPath(new URL("./e2b.Dockerfile", import.meta.url));
const dockerfile = readFileSync(path, "utf8");
/** Instructions with continuation lines joined and comments dropped. */
const instructions = dockerfile
  .replace(/\\\n\s*/g, " ")
  .split("\n")
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith("#"));
const runs = instructions.filter((line) => line.startsWith("RUN ")).join("\n");
/** The Claude Code version the rest of the repository pins (pnpm catalog). */
const catalog = readFileSync(
  fileURLToPath(new URL("../../../pnpm-workspace.yaml", import.meta.url)),
  "utf8",
);
const pinnedClaude = /"@anthropic-ai\/claude-code": (\S+)/.exec(catalog)?.[1];

describe("E2B template", () => {
  it("starts from Ubuntu 22.04 in one stage", () => {
    expect(instructions.filter((line) => line.startsWith("FROM "))).toEqual(["FROM ubuntu:22.04"]);
  });

  it("installs Node 20, git and build tools", () => {
    expect(runs).toMatch(/\bn 20\b/);
    expect(runs).toMatch(/node --version \| grep -q '\^v20\\\.'/);
    expect(runs).toMatch(/apt-get install[^\n]*\bgit\b/);
    expect(runs).toMatch(/apt-get install[^\n]*\bbuild-essential\b/);
  });

  it("installs the Claude Code version the tests render", () => {
    const pinned = /@anthropic-ai\/claude-code@(\S+)/.exec(runs)?.[1];
    expect(pinned).toBeDefined();
    expect(pinned).toBe(pinnedClaude);
  });

  it("works in /workspace, writable by the sandbox user", () => {
    expect(instructions).toContain("WORKDIR /workspace");
    expect(runs).toMatch(/mkdir -p \/workspace && chmod 1777 \/workspace/);
  });

  it("holds no secret: keys reach the PTY's environment at run time only", () => {
    expect(dockerfile).not.toMatch(/ANTHROPIC_API_KEY|CLAUDE_CODE_OAUTH_TOKEN|E2B_API_KEY/);
  });

  it("is a Dockerfile the e2b SDK's template builder accepts", () => {
    const template = Template().fromDockerfile(path);
    expect(Template.toDockerfile(template)).toContain("ubuntu:22.04");
  });
});

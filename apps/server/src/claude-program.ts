// Which Claude Code local sessions run as `claude`: CLAUDE_PATH, or the one Porthole brought along.
import { readFileSync, realpathSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { findProgram } from "@porthole/sandbox";
import { z } from "zod";
import { ConfigError } from "./config.js";

/** The part of Claude Code's package.json that names its executable. */
const claudeManifestSchema = z.object({ bin: z.object({ claude: z.string().min(1) }) });

/**
 * The Claude Code that installing Porthole brought along (a dev dependency of this package): its
 * executable itself (claude.exe), not npm's launcher beside node_modules/.bin's tsc, eslint and
 * vite, nor the node_modules symlinks on the way, so that bubblewrap shows its own directory
 * only. Undefined when it is not installed.
 */
export function bundledClaude(): string | undefined {
  try {
    const manifest = createRequire(import.meta.url).resolve(
      "@anthropic-ai/claude-code/package.json",
    );
    const parsed = claudeManifestSchema.parse(JSON.parse(readFileSync(manifest, "utf8")));
    return realpathSync(join(dirname(manifest), parsed.bin.claude));
  } catch {
    return undefined;
  }
}

/**
 * The program local sessions run as `claude` (LocalProviderOptions.programs), or undefined to
 * leave the name to the shell's PATH. CLAUDE_PATH is made absolute but not resolved: Claude
 * Code's native installer links ~/.local/bin/claude to ~/.local/share/claude/versions/<version>
 * and repoints it when it updates (then removes the old version), so the link is what must run
 * each time, not the version it led to at start. Without CLAUDE_PATH, the bundled one, unless
 * a `claude` is on `path` (the user's own wins). Throws a ConfigError naming CLAUDE_PATH when it
 * is no executable file.
 */
export function claudeProgram(
  claudePath: string | undefined,
  path: string | undefined,
): string | undefined {
  if (claudePath === undefined) return findProgram("claude", path) ? undefined : bundledClaude();
  if (!findProgram(claudePath, undefined)) {
    throw new ConfigError(`Invalid CLAUDE_PATH: ${claudePath} does not exist or is not executable`);
  }
  return resolve(claudePath);
}

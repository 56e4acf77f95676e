// What an operator is told at start when local shells can reach more than they may seem to.
import type { Config } from "./config.js";

/**
 * Warnings for the local provider's settings. Without isolation a shell runs as the server's
 * user: it can read the server's environment (/proc/<pid>/environ) with every access token and
 * key in it, whatever LOCAL_PASS_CREDENTIALS says. Run by root, bubblewrap's shell is root too,
 * without capabilities: it cannot remount the system, but reads root's files in it.
 */
export function isolationWarnings(config: Config, uid: number | null): string[] {
  if (config.provider !== "local") return [];
  const warnings: string[] = [];
  const secrets = config.tokens.length > 1 || Object.keys(config.claudeEnv).length > 0;
  if (config.local.isolation === "none" && uid === 0) {
    // Root reads every process's environment: the tokens and keys are said to be at stake too.
    const reach = secrets
      ? ", and can read this server's environment with every access token and API key in it"
      : "";
    warnings.push(
      `The server runs as root without isolation: every local shell is root on this machine${reach}. ` +
        "Run it as an unprivileged user, or set LOCAL_ISOLATION=bubblewrap (or use E2B).",
    );
  } else if (config.local.isolation === "none" && secrets) {
    warnings.push(
      "Local shells run unisolated as this server's user: any of them can read this server's " +
        "environment, with every access token and API key in it. Give access to one person, or " +
        "set LOCAL_ISOLATION=bubblewrap (or use E2B).",
    );
  }
  if (config.local.isolation === "bubblewrap" && uid === 0) {
    warnings.push(
      "The server runs as root, so its bubblewrap shells do too (without capabilities): they " +
        "can read root's files in the read-only system, /etc/shadow among them. Run it as an " +
        "unprivileged user.",
    );
  }
  return warnings;
}

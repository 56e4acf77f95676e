// Picks and builds the sandbox provider the configuration asks for.
import { E2BProvider, LocalProvider, type SandboxProvider } from "@porthole/sandbox";
import { ConfigError, type Config } from "./config.js";

/** The provider for `config.provider`, ready to start sessions. */
export function createProvider(config: Config): SandboxProvider {
  if (config.provider === "e2b") {
    return new E2BProvider({
      apiKey: config.e2b.apiKey ?? "",
      template: config.e2b.template,
      domain: config.e2b.domain,
      apiUrl: config.e2b.apiUrl,
      sandboxUrl: config.e2b.sandboxUrl,
      instance: config.instance,
    });
  }
  try {
    return new LocalProvider({
      isolation: config.local.isolation,
      workspaceRoot: config.local.workspaceRoot,
      shell: config.local.shell,
      shellArgs: config.local.shellArgs,
      // Claude Code by name alone: its directory on PATH would shadow whatever else is there (the
      // bundled one's is node_modules/.bin, with tsc, eslint, vite...).
      programs: config.local.claudeBinary ? { claude: config.local.claudeBinary } : {},
      ptyThread: config.local.ptyThread,
      removeWorkspaceOnClose: !config.local.keepWorkspaces,
    });
  } catch (error) {
    // The local provider checks its settings when built: name the variable behind the problem.
    const message = error instanceof Error ? error.message : String(error);
    if (/^The shell /.test(message) && config.local.shell === undefined) {
      // No LOCAL_SHELL: the login's $SHELL was taken, and that is what to fix or override.
      throw new ConfigError(`Invalid SHELL: ${message} (or set LOCAL_SHELL to a shell that does)`);
    }
    const variable = /bwrap|bubblewrap/.test(message)
      ? "LOCAL_ISOLATION"
      : /^The shell /.test(message)
        ? "LOCAL_SHELL"
        : "LOCAL_WORKSPACE_ROOT";
    throw new ConfigError(`Invalid ${variable}: ${message}`);
  }
}

// Picks and builds the sandbox provider the configuration asks for.
import { dirname } from "node:path";
import { LocalProvider, type SandboxProvider } from "@porthole/sandbox";
import type { Config } from "./config.js";

/** The provider for `config.provider`, ready to start sessions. */
export function createProvider(config: Config): SandboxProvider {
  return new LocalProvider({
    isolation: config.local.isolation,
    workspaceRoot: config.local.workspaceRoot,
    shell: config.local.shell,
    extraPath: config.local.claudePath ? [dirname(config.local.claudePath)] : [],
  });
}

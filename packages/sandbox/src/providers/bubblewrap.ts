// Arguments that run a shell under bubblewrap: read-only system, private /tmp, writable workspace.
import { existsSync } from "node:fs";

/** Where the session's working directory appears inside the sandbox. */
export const SANDBOX_WORKSPACE = "/workspace";

/** System directories the shell may read (bound read-only when they exist). */
const READ_ONLY_DIRS = [
  "/usr",
  "/bin",
  "/sbin",
  "/lib",
  "/lib32",
  "/lib64",
  "/libx32",
  "/etc",
  "/opt",
];

/**
 * bwrap arguments that give `command` its own PID namespace, a fresh /tmp and /dev, the system
 * read-only, and only `workspace` (as /workspace, also $HOME) writable. The server's home and
 * files stay out of reach. `extraReadOnly` adds directories (e.g. where `claude` lives).
 */
export function bubblewrapArgs(options: {
  workspace: string;
  command: string[];
  extraReadOnly?: string[];
}): string[] {
  const args = [
    "--die-with-parent",
    "--unshare-pid",
    "--unshare-ipc",
    "--unshare-uts",
    "--hostname",
    "porthole",
  ];
  for (const dir of [...READ_ONLY_DIRS, ...(options.extraReadOnly ?? [])]) {
    if (existsSync(dir)) args.push("--ro-bind", dir, dir);
  }
  args.push(
    "--proc",
    "/proc",
    "--dev",
    "/dev",
    "--tmpfs",
    "/tmp",
    "--bind",
    options.workspace,
    SANDBOX_WORKSPACE,
    "--chdir",
    SANDBOX_WORKSPACE,
    "--setenv",
    "HOME",
    SANDBOX_WORKSPACE,
    "--",
    ...options.command,
  );
  return args;
}

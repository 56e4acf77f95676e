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
 * files stay out of reach. `extraReadOnly` adds directories (e.g. where `claude` lives), also
 * under /tmp. The shell keeps no capabilities: run by root, bwrap would otherwise leave it every
 * one, and a shell could remount the read-only system writable.
 */
export function bubblewrapArgs(options: {
  workspace: string;
  command: string[];
  extraReadOnly?: string[];
}): string[] {
  const args = [
    "--die-with-parent",
    "--cap-drop",
    "ALL",
    "--unshare-pid",
    "--unshare-ipc",
    "--unshare-uts",
    "--hostname",
    "porthole",
  ];
  const readOnly = (dirs: string[]) => {
    for (const dir of dirs) if (existsSync(dir)) args.push("--ro-bind", dir, dir);
  };
  readOnly(READ_ONLY_DIRS);
  args.push("--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp");
  // After the private /tmp, or it would hide those under /tmp.
  readOnly(options.extraReadOnly ?? []);
  args.push(
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

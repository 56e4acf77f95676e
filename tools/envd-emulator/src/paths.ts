// Maps paths as a sandbox sees them (/home/user, /workspace, ~, relative) onto its host directory and back.
import path from "node:path";

/** The sandbox user's home directory, as the SDK and envd name it. */
export const SANDBOX_HOME = "/home/user";
/** A project directory Porthole's template provides; created in every emulated sandbox. */
export const SANDBOX_WORKSPACE = "/workspace";

/**
 * A sandbox's filesystem: every absolute sandbox path lives under `root` on the host,
 * so `/home/user/a.txt` is `<root>/home/user/a.txt`. `~` expands to the home directory and
 * relative paths are taken from it, as envd does for the default user.
 */
export class SandboxPaths {
  /** @param root real (symlink-free) host directory that stands for the sandbox's `/` */
  constructor(readonly root: string) {}

  /** Host directory of the sandbox's home. */
  get home(): string {
    return this.toHost(SANDBOX_HOME);
  }

  /** Host path for a sandbox path; `..` can never climb above the sandbox's `/`. */
  toHost(sandboxPath: string): string {
    let p = sandboxPath;
    if (p === "~" || p.startsWith("~/")) p = SANDBOX_HOME + p.slice(1);
    if (!path.posix.isAbsolute(p)) p = path.posix.join(SANDBOX_HOME, p);
    return path.join(this.root, path.posix.normalize(p));
  }

  /** Sandbox path for a host path under the root; host paths outside it are returned unchanged. */
  toSandbox(hostPath: string): string {
    const rel = path.relative(this.root, hostPath);
    if (rel.startsWith("..") || path.isAbsolute(rel)) return hostPath;
    return `/${rel.split(path.sep).join("/")}`;
  }
}

// What a local server that died without closing its sessions left behind: processes and workspaces.
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ID_PATTERN } from "@porthole/protocol";
import { environOf, processIds, signalMarked, statFields } from "./process-session.js";

/** The variable every process of a local session inherits, naming the server that started it. */
export const SERVER_VARIABLE = "PORTHOLE_SERVER";

/** The variable naming the session (see LocalProvider). */
export const SESSION_VARIABLE = "PORTHOLE_SESSION_ID";

/** Beside each workspace directory: which server made it (`<workspace>.server`). */
const SIDECAR = ".server";

/** When process `pid` started (clock ticks since boot; field 22), or null when it is gone. */
function startTime(pid: number): string | null {
  return statFields(pid)?.[19] ?? null;
}

/** This process as `pid:starttime`: a pid alone may be reused once the process is gone. */
export function serverIdentity(): string {
  return `${process.pid}:${startTime(process.pid) ?? "0"}`;
}

/** Whether the server `identity` names still runs. */
function serverAlive(identity: string): boolean {
  const [pid, started] = identity.split(":");
  return pid !== undefined && startTime(Number(pid)) === started;
}

/** Records beside `workspace` that this server made it. */
export function claimWorkspace(workspace: string): void {
  writeFileSync(`${workspace}${SIDECAR}`, `${serverIdentity()}\n`, { mode: 0o600 });
}

/** Removes a workspace and its record. */
export function removeWorkspace(workspace: string): void {
  rmSync(workspace, { recursive: true, force: true });
  rmSync(`${workspace}${SIDECAR}`, { force: true });
}

/** A NUL-separated environment's value of `name`, or null. */
function variable(environ: string, name: string): string | null {
  for (const entry of environ.split("\0")) {
    if (entry.startsWith(`${name}=`)) return entry.slice(name.length + 1);
  }
  return null;
}

/**
 * Session ids whose server is gone: processes still carrying its markers, and workspaces under
 * `root` recorded as made by a server that no longer runs. Sessions of living servers (this one,
 * or another sharing the root) are never listed.
 */
export function orphanedSessions(root: string): string[] {
  const found = new Set<string>();
  for (const pid of processIds()) {
    const environ = environOf(pid);
    if (environ === null) continue;
    const server = variable(environ, SERVER_VARIABLE);
    const session = variable(environ, SESSION_VARIABLE);
    if (server && session && ID_PATTERN.test(session) && !serverAlive(server)) found.add(session);
  }
  let entries: string[] = [];
  try {
    entries = readdirSync(root);
  } catch {
    // No root yet: nothing was left there.
  }
  for (const entry of entries) {
    if (!entry.endsWith(SIDECAR)) continue;
    const session = entry.slice(0, -SIDECAR.length);
    if (!ID_PATTERN.test(session)) continue;
    try {
      if (!serverAlive(readFileSync(join(root, entry), "utf8").trim())) found.add(session);
    } catch {
      // Removed meanwhile.
    }
  }
  return [...found];
}

/**
 * Kills every process of session `sessionId` and removes its workspace under `root`. The id must
 * match ID_PATTERN: it becomes a path.
 */
export function reapSession(root: string, sessionId: string): void {
  if (!ID_PATTERN.test(sessionId)) throw new Error(`Not a session id: ${sessionId}`);
  signalMarked(`${SESSION_VARIABLE}=${sessionId}`, "SIGKILL");
  removeWorkspace(join(root, sessionId));
}

// Finds and kills a sandbox's host processes (Linux /proc): descendants, and orphans left in its sessions.
import { readdirSync, readFileSync } from "node:fs";

interface ProcStat {
  readonly pid: number;
  readonly ppid: number;
  readonly sid: number;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command (which may contain spaces): state ppid pgrp session ...
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { pid, ppid: Number(fields[1]), sid: Number(fields[3]) };
  } catch {
    return undefined;
  }
}

/** Every process visible in /proc (empty where /proc is unavailable). */
function allProcesses(): ProcStat[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  const stats: ProcStat[] = [];
  for (const entry of entries) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const stat = readStat(pid);
    if (stat !== undefined) stats.push(stat);
  }
  return stats;
}

/** Pids of the live descendants of the given roots. */
function descendantsOf(roots: readonly number[], stats: readonly ProcStat[]): number[] {
  const children = new Map<number, number[]>();
  for (const { pid, ppid } of stats) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  const found: number[] = [];
  const queue = [...roots];
  for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
    for (const child of children.get(next) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

function killAll(pids: Iterable<number>, signal: NodeJS.Signals): void {
  for (const pid of pids) {
    if (pid === process.pid) continue;
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** Sends `signal` to `pid` and all its descendants, collected before any of them dies. */
export function killTree(pid: number, signal: NodeJS.Signals = "SIGKILL"): void {
  killAll([pid, ...descendantsOf([pid], allProcesses())], signal);
}

/** True while some process still belongs to session `sid`. */
export function sessionAlive(sid: number): boolean {
  return allProcesses().some((stat) => stat.sid === sid);
}

/**
 * SIGKILLs every process in the given sessions and their descendants: this also reaches
 * orphans whose parent already died (they keep their session), as a VM shutdown would.
 */
export function killSessions(sids: ReadonlySet<number>): void {
  if (sids.size === 0) return;
  const own = readStat(process.pid)?.sid;
  const stats = allProcesses();
  const members = stats
    .filter((stat) => sids.has(stat.sid) && stat.sid !== own)
    .map((stat) => stat.pid);
  killAll(new Set([...members, ...descendantsOf(members, stats)]), "SIGKILL");
}

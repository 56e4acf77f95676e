// Signals every process of a terminal session, including jobs in their own groups or sessions.
import { readdirSync, readFileSync } from "node:fs";

/** Every process id /proc shows (Linux only: elsewhere none). */
export function processIds(): number[] {
  if (process.platform !== "linux") return [];
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

/**
 * A process's /proc/<pid>/stat fields after its command (which may hold spaces and parentheses),
 * so index 0 is the state (field 3 of proc(5)); null when the process is gone.
 */
export function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return null;
  }
}

/** A process's environment (NUL-separated `NAME=value` entries), or null: gone, or not ours. */
export function environOf(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/environ`, "latin1");
  } catch {
    return null;
  }
}

/** Whether process `pid`'s environment holds `entry` exactly. */
function carries(pid: number, entry: string): boolean {
  const environ = environOf(pid);
  return environ !== null && `\0${environ}`.includes(`\0${entry}\0`);
}

/**
 * Pids whose session id (see setsid(2)) is `sid`, and, when `marker` is given, those whose
 * environment holds that exact `NAME=value` entry. A shell under a PTY leads its session; its jobs
 * get their own process groups but stay in the session. A job that left it (setsid, a daemon's
 * double fork) still carries the environment it was started with, unless it cleared it. Linux
 * only: on other systems it returns just `sid`.
 */
export function sessionMembers(sid: number, marker?: string): number[] {
  if (process.platform !== "linux") return [sid];
  return processIds().filter((pid) => {
    const fields = statFields(pid);
    if (fields === null) return false; // ended while we looked
    return Number(fields[3]) === sid || (marker !== undefined && carries(pid, marker));
  });
}

/** Sends `signal` to each of `pids`; returns how many were signalled. */
function signalAll(pids: number[], signal: NodeJS.Signals): number {
  let count = 0;
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
      count++;
    } catch {
      // Already gone, or not ours.
    }
  }
  return count;
}

/**
 * Sends `signal` to every process in session `sid` (and, with `marker`, every process whose
 * environment carries it); returns how many were signalled.
 */
export function signalSession(sid: number, signal: NodeJS.Signals, marker?: string): number {
  return signalAll(sessionMembers(sid, marker), signal);
}

/**
 * Sends `signal` to every process whose environment holds `marker` exactly, wherever it runs
 * (Linux only: elsewhere none); returns how many were signalled.
 */
export function signalMarked(marker: string, signal: NodeJS.Signals): number {
  const marked = processIds().filter((pid) => pid !== process.pid && carries(pid, marker));
  return signalAll(marked, signal);
}

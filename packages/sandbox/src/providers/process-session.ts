// Signals every process of a terminal session, including background jobs in their own groups.
import { readdirSync, readFileSync } from "node:fs";

/**
 * Pids whose session id (see setsid(2)) is `sid`. A shell under a PTY leads its session; its jobs
 * get their own process groups but stay in the session, so this finds them all. Linux only: on
 * other systems it returns just `sid`.
 */
export function sessionMembers(sid: number): number[] {
  if (process.platform !== "linux") return [sid];
  const members: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "latin1");
      // Fields after the command (which may hold spaces and parentheses): state ppid pgrp session.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[3]) === sid) members.push(Number(name));
    } catch {
      // The process ended while we looked.
    }
  }
  return members;
}

/** Sends `signal` to every process in session `sid`; returns how many were signalled. */
export function signalSession(sid: number, signal: NodeJS.Signals): number {
  let count = 0;
  for (const pid of sessionMembers(sid)) {
    try {
      process.kill(pid, signal);
      count++;
    } catch {
      // Already gone.
    }
  }
  return count;
}

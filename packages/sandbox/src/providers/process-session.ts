// Signals every process of a terminal session, including jobs in their own groups or sessions.
import { readdirSync, readFileSync } from "node:fs";

/**
 * Pids whose session id (see setsid(2)) is `sid`, and, when `marker` is given, those whose
 * environment holds that exact `NAME=value` entry. A shell under a PTY leads its session; its jobs
 * get their own process groups but stay in the session. A job that left it (setsid, a daemon's
 * double fork) still carries the environment it was started with, unless it cleared it. Linux
 * only: on other systems it returns just `sid`.
 */
export function sessionMembers(sid: number, marker?: string): number[] {
  if (process.platform !== "linux") return [sid];
  const members: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "latin1");
      // Fields after the command (which may hold spaces and parentheses): state ppid pgrp session.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[3]) === sid || (marker !== undefined && carries(name, marker)))
        members.push(Number(name));
    } catch {
      // The process ended while we looked, or is not ours to read.
    }
  }
  return members;
}

/** Whether process `pid`'s environment (NUL-separated entries) holds `entry` exactly. */
function carries(pid: string, entry: string): boolean {
  return `\0${readFileSync(`/proc/${pid}/environ`, "latin1")}`.includes(`\0${entry}\0`);
}

/**
 * Sends `signal` to every process in session `sid` (and, with `marker`, every process whose
 * environment carries it); returns how many were signalled.
 */
export function signalSession(sid: number, signal: NodeJS.Signals, marker?: string): number {
  let count = 0;
  for (const pid of sessionMembers(sid, marker)) {
    try {
      process.kill(pid, signal);
      count++;
    } catch {
      // Already gone.
    }
  }
  return count;
}

/**
 * Sends `signal` to every process whose environment holds `marker` exactly, wherever it runs
 * (Linux only: elsewhere none); returns how many were signalled.
 */
export function signalMarked(marker: string, signal: NodeJS.Signals): number {
  if (process.platform !== "linux") return 0;
  let count = 0;
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      if (!carries(name, marker)) continue;
      process.kill(Number(name), signal);
      count++;
    } catch {
      // Gone meanwhile, or not ours.
    }
  }
  return count;
}

// Reads a process's memory and CPU from /proc, and describes the machine the numbers came from.
import { readFileSync } from "node:fs";
import { cpus, release, totalmem } from "node:os";

/** Clock ticks per second for /proc/<pid>/stat times (100 on every Linux we run on). */
const CLOCK_TICKS = 100;

/** Resident memory of `pid` in bytes (VmRSS), or NaN when it is gone. */
export function rssBytes(pid: number): number {
  return statusField(pid, "VmRSS");
}

/** Peak resident memory of `pid` in bytes (VmHWM), or NaN when it is gone. */
export function peakRssBytes(pid: number): number {
  return statusField(pid, "VmHWM");
}

/** User plus system CPU time `pid` has used, in milliseconds (10 ms resolution). */
export function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime are fields 14 and 15 of stat; here, after pid and comm, indices 11 and 12.
    return ((Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS) * 1000;
  } catch {
    return Number.NaN;
  }
}

function statusField(pid: number, field: string): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "latin1");
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status);
    return match ? Number(match[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/**
 * Samples `pid`'s RSS every `intervalMs` until stopped; `stop()` returns the highest seen.
 * VmHWM cannot be reset, so a peak over a window needs sampling.
 */
export function rssSampler(pid: number, intervalMs = 50): { stop(): number; peak(): number } {
  let peak = rssBytes(pid);
  const timer = setInterval(() => {
    const rss = rssBytes(pid);
    if (rss > peak) peak = rss;
  }, intervalMs);
  return {
    peak: () => peak,
    stop: () => {
      clearInterval(timer);
      const rss = rssBytes(pid);
      return rss > peak ? rss : peak;
    },
  };
}

/** The machine a run happened on. */
export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  kernel: string;
  platform: string;
}

/** Describes this machine. */
export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    cpu: list[0]?.model ?? "unknown",
    cores: list.length,
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    kernel: release(),
    platform: `${process.platform}-${process.arch}`,
  };
}

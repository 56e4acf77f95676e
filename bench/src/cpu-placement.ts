// Puts the browser and the server under test on separate CPUs, as they are on separate machines in use.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/**
 * Which CPUs each side gets: disjoint halves of those this process may use, the browser the
 * first. Null when there is one CPU, or no `taskset` (util-linux) to set affinities with.
 */
export interface CpuSplit {
  browser: number[];
  server: number[];
}

/** The CPUs this process may run on (`Cpus_allowed_list` of /proc/self/status). */
export function allowedCpus(): number[] {
  const status = readFileSync("/proc/self/status", "latin1");
  const list = /^Cpus_allowed_list:\s*(\S+)/m.exec(status)?.[1] ?? "";
  const cpus: number[] = [];
  for (const range of list.split(",").filter(Boolean)) {
    const [first, last = first] = range.split("-").map(Number);
    if (first === undefined || last === undefined) continue;
    for (let cpu = first; cpu <= last; cpu++) cpus.push(cpu);
  }
  return cpus;
}

/** Halves `cpus` between the browser and the server; null with fewer than two. */
export function splitCpus(cpus: number[]): CpuSplit | null {
  if (cpus.length < 2) return null;
  const half = Math.floor(cpus.length / 2);
  return { browser: cpus.slice(0, half), server: cpus.slice(half) };
}

/** Whether `taskset` runs here. */
function tasksetAvailable(): boolean {
  try {
    execFileSync("taskset", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** `pid` and every process descended from it, from each process's parent in /proc. */
function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "latin1");
    } catch {
      continue; // gone meanwhile
    }
    // The parent is the second field after the command, which is in parentheses.
    const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    const list = children.get(parent) ?? [];
    list.push(Number(entry));
    children.set(parent, list);
  }
  const tree: number[] = [];
  for (let queue = [pid]; queue.length > 0;) {
    const next = queue.shift()!;
    tree.push(next);
    queue = queue.concat(children.get(next) ?? []);
  }
  return tree;
}

/** Sets the affinity of every thread of `pid` and its descendants (new ones inherit it). */
function pinTree(pid: number, cpus: number[]): void {
  for (const member of processTree(pid)) {
    try {
      execFileSync("taskset", ["-a", "-p", "-c", cpus.join(","), String(member)], {
        stdio: "ignore",
      });
    } catch {
      // A process that exited meanwhile has nothing left to place.
    }
  }
}

/**
 * The processes of a browser scenario and where they run. `separate()` gives the browser and
 * the server (with its shells) disjoint CPUs; `share()` lets every process use every CPU, so
 * the browser's thread competes with the server's work for a core, which never happens in use.
 */
export class CpuPlacement {
  readonly split: CpuSplit | null;
  readonly #all: number[];
  readonly #browsers: number[] = [];
  readonly #servers: number[] = [];

  constructor(cpus: number[] = allowedCpus()) {
    this.#all = cpus;
    this.split = tasksetAvailable() ? splitCpus(cpus) : null;
  }

  /** Adds the browser's main process (its helpers are found as its descendants). */
  addBrowser(pid: number): void {
    this.#browsers.push(pid);
  }

  /** Adds a server process (its shells are found as its descendants). */
  addServer(pid: number): void {
    this.#servers.push(pid);
  }

  /** Browser and server on separate CPUs; false when this machine cannot (see `split`). */
  separate(): boolean {
    if (!this.split) return false;
    for (const pid of this.#browsers) pinTree(pid, this.split.browser);
    for (const pid of this.#servers) pinTree(pid, this.split.server);
    return true;
  }

  /** Every process on every CPU. */
  share(): void {
    if (!this.split) return;
    for (const pid of [...this.#browsers, ...this.#servers]) pinTree(pid, this.#all);
  }

  /** How the processes are placed when separated, for a figure's note. */
  describe(): string {
    if (!this.split) {
      return "browser and server share the CPUs (one CPU, or no taskset to separate them)";
    }
    return `browser on CPU ${this.split.browser.join(",")}, server and shells on CPU ${this.split.server.join(",")}`;
  }
}

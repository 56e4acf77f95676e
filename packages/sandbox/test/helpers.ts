// Test helpers: read a session's events until the output matches, with a deadline.
import type { Attachment, SessionEvent } from "../src/index.js";

const utf8 = new TextDecoder();

/** An output event's bytes as text (the server never splits a UTF-8 character between events). */
export const textOf = (bytes: Uint8Array): string => utf8.decode(bytes);

/** Everything an attachment yielded, and the output text decoded from it. */
export interface Collected {
  events: SessionEvent[];
  text: string;
}

/** Reads events until `done(collected)` is true; fails after `timeoutMs` showing what arrived. */
export async function readUntil(
  attachment: Attachment,
  done: (collected: Collected) => boolean,
  timeoutMs = 10_000,
  into: Collected = { events: [], text: "" },
): Promise<Collected> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    while (!done(into)) {
      const next = await attachment.next(abort.signal);
      if (!next) break;
      into.events.push(next);
      if (next.event.type === "output") into.text += textOf(next.event.data);
      if (next.event.type === "snapshot") into.text += next.event.data;
    }
  } finally {
    clearTimeout(timer);
  }
  if (!done(into)) {
    throw new Error(
      `gave up after ${timeoutMs} ms; got ${JSON.stringify(into.text.slice(-500))} and events ${into.events.map((e) => e.event.type).join(",")}`,
    );
  }
  return into;
}

/** Reads until the output text matches `pattern`. */
export function readUntilText(
  attachment: Attachment,
  pattern: RegExp,
  timeoutMs?: number,
  into?: Collected,
) {
  return readUntil(attachment, (c) => pattern.test(c.text), timeoutMs, into);
}

/** Reads until an event of `type` arrives. */
export function readUntilEvent(
  attachment: Attachment,
  type: SessionEvent["event"]["type"],
  timeoutMs?: number,
  into?: Collected,
) {
  return readUntil(attachment, (c) => c.events.some((e) => e.event.type === type), timeoutMs, into);
}

/** Numbers of the processes alive right now (from /proc). */
export async function livePids(): Promise<Set<number>> {
  const { readdir } = await import("node:fs/promises");
  return new Set((await readdir("/proc")).filter((name) => /^\d+$/.test(name)).map(Number));
}

/** Pids of this process's children (from /proc): the shells node-pty started for this test. */
export async function childPids(): Promise<number[]> {
  const { readFile } = await import("node:fs/promises");
  const children: number[] = [];
  for (const pid of await livePids()) {
    try {
      const stat = await readFile(`/proc/${pid}/stat`, "latin1");
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === process.pid)
        children.push(pid);
    } catch {
      // Gone while we looked.
    }
  }
  return children;
}

/** Open file descriptors of this process. */
export async function openFds(): Promise<number> {
  const { readdir } = await import("node:fs/promises");
  return (await readdir("/proc/self/fd")).length;
}

/** Polls `check` until it is true or the deadline passes. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
  what = "condition",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

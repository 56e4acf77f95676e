// Runs inside Chromium: xterm.js fed by the real tRPC client (Porthole) or straight (baseline).
/// <reference lib="dom" />
// Single modules: the page has no bundler, and the package index would pull in zod.
import { FramePacer } from "@porthole/protocol/frame-pacer";
import { wireEncoder, wireTransformer } from "@porthole/protocol/wire";
import type { AppRouter } from "@porthole/server";
import { createTRPCClient, createWSClient, wsLink, type TRPCClient } from "@trpc/client";

/** The part of xterm.js the page uses. */
interface XtermTerminal {
  open(parent: HTMLElement): void;
  write(data: string | Uint8Array, callback?: () => void): void;
  dispose(): void;
}
interface XtermModule {
  Terminal: new (options: { cols: number; rows: number; scrollback: number }) => XtermTerminal;
}

/** Settings the Node side passes in. */
export interface PageSettings {
  wsUrl: string;
  token: string;
  cols: number;
  rows: number;
  prompt: string;
  marker: string;
  /** Acknowledge once this many bytes were rendered (the protocol's FLOW_ACK_BYTES). */
  ackBytes: number;
}

let settings: PageSettings;
let trpc: TRPCClient<AppRouter>;
let Terminal: XtermModule["Terminal"];
/** Chunks of the last Porthole render run, replayed by the baseline. */
let captured: (string | Uint8Array)[] = [];
/**
 * Paces redraws as the web app does. Live sessions report output to it; the straight baseline
 * does only when asked to (`renderBaseline(true)`), and otherwise draws as xterm.js does alone.
 */
const framePacer = new FramePacer(window);
framePacer.install();

const frame = () => new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function newTerminal(): { term: XtermTerminal; remove: () => void } {
  const host = document.createElement("div");
  host.style.width = "1200px";
  host.style.height = "800px";
  document.body.replaceChildren(host);
  const term = new Terminal({ cols: settings.cols, rows: settings.rows, scrollback: 1000 });
  term.open(host);
  return {
    term,
    remove: () => {
      term.dispose();
      host.remove();
    },
  };
}

const encoder = new TextEncoder();

/** Someone waiting for a pattern in the output, with the bytes a split match may start in. */
interface Waiter {
  pattern: Uint8Array;
  tail: Uint8Array;
  resolve: (at: number) => void;
}

/** Whether `bytes`, after what came before, complete the waiter's pattern; keeps the new tail. */
function seen(waiter: Waiter, bytes: Uint8Array): boolean {
  const keep = waiter.pattern.length - 1;
  const head = bytes.subarray(0, keep);
  const seam = new Uint8Array(waiter.tail.length + head.length);
  seam.set(waiter.tail);
  seam.set(head, waiter.tail.length);
  if (includes(seam, waiter.pattern) || includes(bytes, waiter.pattern)) return true;
  if (keep === 0) return false;
  if (bytes.length >= keep) waiter.tail = bytes.slice(-keep);
  else waiter.tail = seam.slice(-keep);
  return false;
}

/** Whether `pattern` occurs in `bytes` (a native scan for its first byte, then a compare). */
function includes(bytes: Uint8Array, pattern: Uint8Array): boolean {
  const first = pattern[0];
  if (first === undefined) return true;
  for (let at = bytes.indexOf(first); at !== -1; at = bytes.indexOf(first, at + 1)) {
    if (at + pattern.length > bytes.length) return false;
    let i = 1;
    while (i < pattern.length && bytes[at + i] === pattern[i]) i++;
    if (i === pattern.length) return true;
  }
  return false;
}

/** A session shown in an xterm through the tRPC client, acknowledging output as it renders. */
interface LiveSession {
  /** Resolves when `text` has been parsed by xterm in a chunk that arrives from now on. */
  rendered(text: string): Promise<number>;
  type(data: string): void;
  /** When the last write completed (performance.now()). */
  lastWriteDone(): number;
  close(): Promise<void>;
}

async function liveSession(capture: (string | Uint8Array)[] | null): Promise<LiveSession> {
  const info = await trpc.session.create.mutate({ cols: settings.cols, rows: settings.rows });
  const { term, remove } = newTerminal();
  const clientId = `page-${Math.random().toString(36).slice(2, 10)}`;
  let seq = 0;
  let received = 0;
  let parsed = 0;
  let acked = 0;
  let ackQueued = false;
  // Like the web app's FlowControl: one ack per xterm parse slice (its write callbacks run one
  // after another), once `ackBytes` were parsed or parsing caught up with what arrived.
  const ack = () => {
    ackQueued = false;
    if (parsed - acked >= settings.ackBytes || (parsed >= received && parsed > acked)) {
      acked = parsed;
      void trpc.terminal.ack.mutate({ sessionId: info.id, clientId, offset: parsed });
    }
  };
  let lastDone = performance.now();
  const waiters: Waiter[] = [];
  const subscription = trpc.terminal.output.subscribe(
    { sessionId: info.id, clientId, acks: true },
    {
      onData: ({ id, data }) => {
        if (data.type !== "output" && data.type !== "snapshot") return;
        const chunk = data.data;
        const offset = Number(id);
        received = Math.max(received, offset);
        capture?.push(chunk);
        // Bytes are searched, never decoded: the baseline replay does no such work either.
        const bytes = typeof chunk === "string" ? encoder.encode(chunk) : chunk;
        const due = waiters.filter((waiter) => seen(waiter, bytes));
        framePacer.noteOutput(chunk.length);
        term.write(chunk, () => {
          lastDone = performance.now();
          for (const w of due) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(lastDone);
          }
          parsed = Math.max(parsed, offset);
          if (!ackQueued) {
            ackQueued = true;
            queueMicrotask(ack);
          }
        });
      },
    },
  );
  const live: LiveSession = {
    rendered: (text) =>
      new Promise((resolve) =>
        waiters.push({ pattern: encoder.encode(text), tail: new Uint8Array(0), resolve }),
      ),
    type: (data) => {
      void trpc.terminal.input.mutate({ sessionId: info.id, clientId, seq: seq++, data });
    },
    lastWriteDone: () => lastDone,
    close: async () => {
      subscription.unsubscribe();
      await trpc.session.close.mutate({ sessionId: info.id });
      remove();
    },
  };
  await live.rendered(settings.prompt);
  return live;
}

/** Connects the page's tRPC client and loads xterm.js. */
async function init(given: PageSettings): Promise<void> {
  settings = given;
  const specifier = "@xterm/xterm";
  Terminal = ((await import(specifier)) as XtermModule).Terminal;
  const client = createWSClient({
    url: settings.wsUrl,
    connectionParams: () => ({ token: settings.token }),
    experimental_encoder: wireEncoder,
  });
  trpc = createTRPCClient<AppRouter>({
    links: [wsLink({ client, transformer: wireTransformer })],
  });
  await trpc.session.list.query();
}

/** Runs `command` in a fresh session; ms until the marker after it is on screen. */
async function renderPorthole(command: string): Promise<number> {
  const chunks: (string | Uint8Array)[] = [];
  const live = await liveSession(chunks);
  chunks.length = 0;
  const done = live.rendered(settings.marker);
  const started = performance.now();
  live.type(`${command}\r`);
  await done;
  await frame();
  const elapsed = performance.now() - started;
  captured = chunks;
  await live.close();
  return elapsed;
}

/**
 * Writes the chunks of the last Porthole run straight into a fresh xterm; ms until on screen.
 * `paced`: each chunk counts for the frame pacer as xterm.js parses it, as if it had just arrived.
 */
async function renderBaseline(paced = false): Promise<number> {
  const { term, remove } = newTerminal();
  await frame();
  const started = performance.now();
  await new Promise<void>((resolve) => {
    captured.forEach((chunk, i) =>
      term.write(chunk, () => {
        if (paced) framePacer.noteOutput(chunk.length);
        if (i === captured.length - 1) resolve();
      }),
    );
  });
  await frame();
  const elapsed = performance.now() - started;
  remove();
  return elapsed;
}

/**
 * Runs `command` in a shell behind a bare ws relay (a ws-pty bench server: node-pty's chunks as
 * binary messages, no tRPC, no acks, no pacing), as the least a web terminal in Node does; ms
 * until the marker after it is on screen.
 */
async function renderRelay(url: string, command: string): Promise<number> {
  const { term, remove } = newTerminal();
  const waiters: Waiter[] = [];
  const rendered = (text: string) =>
    new Promise<number>((resolve) =>
      waiters.push({ pattern: encoder.encode(text), tail: new Uint8Array(0), resolve }),
    );
  const socket = new WebSocket(url);
  socket.binaryType = "arraybuffer";
  socket.onmessage = (message: MessageEvent<ArrayBuffer>) => {
    const bytes = new Uint8Array(message.data);
    const due = waiters.filter((waiter) => seen(waiter, bytes));
    term.write(bytes, () => {
      for (const waiter of due) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(performance.now());
      }
    });
  };
  try {
    const prompt = rendered(settings.prompt);
    await new Promise<void>((resolve, reject) => {
      socket.onopen = () => resolve();
      socket.onerror = () => reject(new Error(`no ws relay at ${url}`));
    });
    await prompt;
    const done = rendered(settings.marker);
    const started = performance.now();
    socket.send(`${command}\r`);
    await done;
    await frame();
    return performance.now() - started;
  } finally {
    socket.close();
    remove();
  }
}

/** `yes` for `floodMs`, then Ctrl-C: ms until the prompt is on screen and nothing more is written. */
async function ctrlC(floodMs: number, quietMs: number): Promise<number> {
  const live = await liveSession(null);
  const flooding = live.rendered("y\r\ny\r\n");
  live.type("yes\r");
  await flooding;
  await sleep(floodMs);
  const prompt = live.rendered(settings.prompt);
  const sent = performance.now();
  live.type("\x03");
  let promptAt = await prompt;
  await frame();
  promptAt = Math.max(promptAt, performance.now());
  while (performance.now() - live.lastWriteDone() < quietMs) await sleep(quietMs / 4);
  const elapsed = Math.max(promptAt, live.lastWriteDone()) - sent;
  await live.close();
  return elapsed;
}

/** What the Node side calls through page.evaluate. */
export interface BenchPage {
  init: typeof init;
  renderPorthole: typeof renderPorthole;
  renderBaseline: typeof renderBaseline;
  renderRelay: typeof renderRelay;
  ctrlC: typeof ctrlC;
}

(window as unknown as { bench: BenchPage }).bench = {
  init,
  renderPorthole,
  renderBaseline,
  renderRelay,
  ctrlC,
};
document.title = "bench page ready";

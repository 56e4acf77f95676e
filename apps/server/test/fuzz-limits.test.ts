// Proves each per-connection and per-credential limit accepts exactly its named constant and refuses one more, with a clear message.
import { DEFAULT_MAX_SESSIONS_PER_CREDENTIAL, MAX_INPUT_BYTES } from "@porthole/protocol";
import { rm, writeFile } from "node:fs/promises";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  INPUT_CALLS_PER_SECOND,
  MAX_BATCH_SIZE,
  MAX_FRAME_BYTES,
  MAX_PENDING_INPUT_BYTES,
  MAX_SUBSCRIPTIONS_PER_CONNECTION,
} from "../src/limits.js";
import {
  cleanupAll,
  connectTo,
  FakeProvider,
  RawClient,
  startCapturedServer,
  TOKEN_B,
  type ServerMessage,
} from "./faults-harness.js";
import { OutputCollector } from "./harness.js";

afterEach(async () => {
  vi.restoreAllMocks();
  await cleanupAll();
});

/** A server whose sessions are in-memory echo PTYs: limits without processes. */
const fakeServer = (env: Record<string, string> = {}) =>
  startCapturedServer(env, new FakeProvider({ kind: "echo" }));

async function createSession(raw: RawClient): Promise<string> {
  const id = raw.call("mutation", "session.create", { cols: 80, rows: 24 });
  const answer = await raw.answer(id);
  if (!answer.result) throw new Error(`create failed: ${JSON.stringify(answer)}`);
  return (answer.result.data as { id: string }).id;
}

describe("MAX_FRAME_BYTES", () => {
  it(`answers a frame of exactly ${MAX_FRAME_BYTES} bytes and closes the socket on one byte more`, async () => {
    const server = await fakeServer();
    const raw = await RawClient.open(server.wsUrl);
    const sessionId = await createSession(raw);
    // The largest input call there is (MAX_INPUT_BYTES of control characters, which JSON spells
    // \u0001, 6 bytes each), padded with trailing whitespace to exactly `size` bytes.
    const frame = (size: number) => {
      const data = "\u0001".repeat(MAX_INPUT_BYTES);
      const text = JSON.stringify({
        id: 99,
        method: "mutation",
        params: { path: "terminal.input", input: { sessionId, clientId: "f", seq: 0, data } },
      });
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(size);
      return text + " ".repeat(size - Buffer.byteLength(text));
    };
    const atLimit = frame(MAX_FRAME_BYTES);
    expect(Buffer.byteLength(atLimit)).toBe(MAX_FRAME_BYTES);
    raw.send(atLimit);
    expect((await raw.answer(99)).result).toEqual({
      type: "data",
      data: { status: "applied", skipped: 0 },
    });
    const over = frame(MAX_FRAME_BYTES + 1);
    expect(Buffer.byteLength(over)).toBe(MAX_FRAME_BYTES + 1);
    raw.send(over);
    expect(await raw.closed).toEqual({ code: 1009, reason: "" });
    // The session and the server are unharmed.
    const again = await RawClient.open(server.wsUrl);
    const id = again.call("query", "session.get", { sessionId });
    expect((await again.answer(id)).result?.type).toBe("data");
  });
});

describe("MAX_BATCH_SIZE", () => {
  it(`runs a batch of ${MAX_BATCH_SIZE} calls and refuses every call of a batch of one more`, async () => {
    const server = await fakeServer();
    const raw = await RawClient.open(server.wsUrl);
    const batch = (size: number, first: number) =>
      JSON.stringify(
        Array.from({ length: size }, (_, i) => ({
          id: first + i,
          method: "query",
          params: { path: "session.list" },
        })),
      );
    raw.send(batch(MAX_BATCH_SIZE, 1000));
    for (let i = 0; i < MAX_BATCH_SIZE; i++)
      expect((await raw.answer(1000 + i)).result).toEqual({ type: "data", data: [] });
    raw.send(batch(MAX_BATCH_SIZE + 1, 2000));
    for (let i = 0; i <= MAX_BATCH_SIZE; i++) {
      const answer = await raw.answer(2000 + i);
      expect(answer.error).toMatchObject({
        message: "Batch call exceeds maximum size",
        data: { code: "BAD_REQUEST", porthole: "BAD_INPUT" },
      });
    }
    // The connection stays usable.
    expect(raw.open).toBe(true);
    const id = raw.call("query", "session.list");
    expect((await raw.answer(id)).result?.type).toBe("data");
  });
});

describe("MAX_SUBSCRIPTIONS_PER_CONNECTION", () => {
  it(`holds ${MAX_SUBSCRIPTIONS_PER_CONNECTION} subscriptions per connection, refuses one more, and counts per connection`, async () => {
    const server = await fakeServer();
    const raw = await RawClient.open(server.wsUrl);
    const sessionId = await createSession(raw);
    const subscribe = (client: RawClient) =>
      client.call("subscription", "terminal.output", { sessionId });
    // An accepted subscription yields its first event; a refused one errs (right after
    // "started": the checks run in the generator).
    const started = (client: RawClient, id: string | number) =>
      client.next(id, 5000, (m) => m.result?.type === "data" || m.error !== undefined);
    const ids = Array.from({ length: MAX_SUBSCRIPTIONS_PER_CONNECTION }, () => subscribe(raw));
    for (const id of ids) expect((await started(raw, id)).result?.type).toBe("data");
    const oneMore = await started(raw, subscribe(raw));
    expect(oneMore.error).toMatchObject({
      message: `A connection may hold at most ${MAX_SUBSCRIPTIONS_PER_CONNECTION} subscriptions`,
      data: { code: "TOO_MANY_REQUESTS", porthole: "LIMIT" },
    });
    // Another connection of the same credential has its own allowance.
    const other = await RawClient.open(server.wsUrl);
    expect((await started(other, subscribe(other))).result?.type).toBe("data");
    // A stopped subscription frees its slot.
    raw.stop(ids[0]!);
    await raw.next(ids[0]!, 5000, (m) => m.result?.type === "stopped");
    expect((await started(raw, subscribe(raw))).result?.type).toBe("data");
    expect(server.sessions.get(sessionId)!.attached).toBe(MAX_SUBSCRIPTIONS_PER_CONNECTION + 1);
  });
});

describe("MAX_SESSIONS_PER_TOKEN", () => {
  it(`lets a credential hold ${DEFAULT_MAX_SESSIONS_PER_CREDENTIAL} sessions, refuses one more, and counts per credential`, async () => {
    const server = await fakeServer();
    expect(server.config.maxSessionsPerToken).toBe(DEFAULT_MAX_SESSIONS_PER_CREDENTIAL);
    const a = await RawClient.open(server.wsUrl);
    const mine: string[] = [];
    for (let i = 0; i < DEFAULT_MAX_SESSIONS_PER_CREDENTIAL; i++) mine.push(await createSession(a));
    const id = a.call("mutation", "session.create", { cols: 80, rows: 24 });
    expect((await a.answer(id)).error).toMatchObject({
      message: `You already have the limit of ${DEFAULT_MAX_SESSIONS_PER_CREDENTIAL} sessions; close one first`,
      data: { code: "TOO_MANY_REQUESTS", porthole: "LIMIT" },
    });
    // Another credential is not affected; another connection of the same one is.
    const b = await RawClient.open(server.wsUrl, { token: TOKEN_B });
    await createSession(b);
    const a2 = await RawClient.open(server.wsUrl);
    const id2 = a2.call("mutation", "session.create", { cols: 80, rows: 24 });
    expect((await a2.answer(id2)).error?.data?.porthole).toBe("LIMIT");
    // Closing one makes room for exactly one.
    const closeId = a.call("mutation", "session.close", { sessionId: mine[0] });
    expect((await a.answer(closeId)).result?.data).toEqual({ closed: true });
    await createSession(a);
    const id3 = a.call("mutation", "session.create", { cols: 80, rows: 24 });
    expect((await a.answer(id3)).error?.data?.porthole).toBe("LIMIT");
  });

  it("applies MAX_SESSIONS across credentials at its edge too", async () => {
    const server = await fakeServer({ MAX_SESSIONS: "3", MAX_SESSIONS_PER_TOKEN: "2" });
    const a = await RawClient.open(server.wsUrl);
    const b = await RawClient.open(server.wsUrl, { token: TOKEN_B });
    await createSession(a);
    await createSession(a);
    await createSession(b);
    const id = b.call("mutation", "session.create", { cols: 80, rows: 24 });
    expect((await b.answer(id)).error).toMatchObject({
      message: "The server already runs its limit of 3 sessions",
      data: { porthole: "LIMIT" },
    });
  });
});

describe("INPUT_CALLS_PER_SECOND", () => {
  /**
   * Sends `count` input calls in one go and returns the answers. Each call is seq 0 of its own
   * client id, so a refused call leaves no gap for later ones to wait on.
   */
  async function burst(raw: RawClient, sessionId: string, name: string, count: number) {
    const ids: number[] = [];
    for (let i = 0; i < count; i++) {
      const input = { sessionId, clientId: `${name}-${i}`, seq: 0, data: "" };
      ids.push(Number(raw.call("mutation", "terminal.input", input)));
    }
    const answers: ServerMessage[] = [];
    for (const id of ids) answers.push(await raw.answer(id));
    return answers;
  }

  it(`accepts ${INPUT_CALLS_PER_SECOND} input calls at one instant and refuses the next (clock held still)`, async () => {
    const server = await fakeServer();
    const raw = await RawClient.open(server.wsUrl);
    const sessionId = await createSession(raw);
    // Hold the clock the limiter reads, so no token trickles back in while the burst runs.
    let now = performance.now();
    vi.spyOn(performance, "now").mockImplementation(() => now);
    const answers = await burst(raw, sessionId, "a", INPUT_CALLS_PER_SECOND + 1);
    const refused = answers.filter((a) => a.error);
    expect(answers.filter((a) => a.result?.type === "data")).toHaveLength(INPUT_CALLS_PER_SECOND);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.error).toMatchObject({
      message: "Too many input calls: slow down",
      data: { code: "TOO_MANY_REQUESTS", porthole: "LIMIT" },
    });
    // Resize shares the budget.
    const resize = raw.call("mutation", "terminal.resize", {
      sessionId,
      clientId: "r2",
      seq: 0,
      cols: 100,
      rows: 30,
    });
    expect((await raw.answer(resize)).error?.data?.porthole).toBe("LIMIT");
    // A second later the bucket is full again: exactly another INPUT_CALLS_PER_SECOND.
    now += 1000;
    const later = await burst(raw, sessionId, "b", INPUT_CALLS_PER_SECOND + 1);
    expect(later.filter((a) => a.result?.type === "data")).toHaveLength(INPUT_CALLS_PER_SECOND);
    expect(later.filter((a) => a.error?.data?.porthole === "LIMIT")).toHaveLength(1);
    // The budget is per connection: a fresh connection may type at once.
    const fresh = await RawClient.open(server.wsUrl);
    expect((await burst(fresh, sessionId, "c", 1))[0]!.error).toBeUndefined();
  });

  it("with the real clock, never refuses the first INPUT_CALLS_PER_SECOND calls of a burst and refuses a flood", async () => {
    const server = await fakeServer();
    const raw = await RawClient.open(server.wsUrl);
    const sessionId = await createSession(raw);
    const answers = await burst(raw, sessionId, "d", 3 * INPUT_CALLS_PER_SECOND);
    const firstRefusal = answers.findIndex((a) => a.error);
    expect(firstRefusal).toBeGreaterThanOrEqual(INPUT_CALLS_PER_SECOND);
    expect(answers.filter((a) => a.error?.data?.porthole === "LIMIT").length).toBeGreaterThan(0);
  });
});

describe("MAX_PENDING_INPUT_BYTES", () => {
  it("refuses input past it while the program reads none, before the call takes its seq", async () => {
    const server = await startCapturedServer();
    const { client } = connectTo(server.wsUrl);
    const info = await client.session.create.mutate({ cols: 80, rows: 24 });
    const out = new OutputCollector(client, info.id, { clientId: "typist" });
    await out.untilEvent("ready");
    // Raw mode (no line limit), then a program that reads nothing until the file appears.
    const gate = `/tmp/porthole-gate-${process.pid}-${Date.now()}`;
    await out.type(
      `stty raw -echo; echo raw-$((6*7)); until [ -e ${gate} ]; do sleep 0.1; done; cat > /dev/null\r`,
    );
    await out.untilText(/raw-42/);
    const piece = "x".repeat(60 * 1024);
    const send = (seq: number) =>
      client.terminal.input.mutate({ sessionId: info.id, clientId: "typist", seq, data: piece });
    let accepted = 0;
    let refused: { seq: number; porthole?: string; message: string } | null = null;
    for (let seq = 1; seq < 64 && !refused; seq++) {
      try {
        await send(seq);
        accepted += piece.length;
      } catch (error) {
        const e = error as { message: string; data?: { porthole?: string } };
        refused = { seq, porthole: e.data?.porthole, message: e.message };
      }
    }
    expect(refused).toMatchObject({
      porthole: "LIMIT",
      message: "The program is not reading its input: wait before sending more",
    });
    // Past the bound by at most one call, plus what the terminal itself took.
    expect(accepted).toBeLessThanOrEqual(MAX_PENDING_INPUT_BYTES + 2 * piece.length + 64 * 1024);
    // Once the program reads, the refused seq goes through as new: it never took its seq.
    await writeFile(gate, "");
    try {
      await expect
        .poll(() => send(refused!.seq).catch(() => null), { timeout: 10_000 })
        .toEqual({
          status: "applied",
          skipped: 0,
        });
    } finally {
      await rm(gate, { force: true });
    }
  });
});

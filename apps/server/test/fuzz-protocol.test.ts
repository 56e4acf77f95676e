// Proves thousands of malformed tRPC-over-WebSocket messages each get a typed error (or close the socket), and the server and other sessions carry on.
import {
  createSessionInputSchema,
  errorCodeSchema,
  renameSessionInputSchema,
  sessionRefInputSchema,
  terminalAckSchema,
  terminalInputSchema,
  terminalOutputInputSchema,
  terminalResizeSchema,
  MAX_INPUT_BYTES,
  UNAUTHORIZED_CLOSE_CODE,
  BINARY_FRAME_VERSION,
  wireEncoder,
} from "@porthole/protocol";
import type { z } from "zod";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AUTH_TIMEOUT_MS,
  MAX_FRAME_BYTES,
  MAX_SUBSCRIPTIONS_PER_CONNECTION,
} from "../src/limits.js";
import {
  cleanupAll,
  connectTo,
  RawClient,
  startCapturedServer,
  TOKEN_B,
  waitFor,
  type CapturedServer,
  type ServerMessage,
} from "./faults-harness.js";
import { OutputCollector } from "./harness.js";

/** A small seeded PRNG (mulberry32): the same messages on every run. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  return { next, int, pick };
}

let server: CapturedServer;
/** A bystander on another credential: a real shell that must keep answering during the abuse. */
let bystander: { ticks: number; failures: string[]; worstMs: number; stop: () => Promise<void> };
/** A socket that connects and never authenticates (opened first, checked last). */
let silent: RawClient;
let silentOpenedAt = 0;
let sent = 0;

beforeAll(async () => {
  server = await startCapturedServer();
  silent = await RawClient.open(server.wsUrl, { silent: true });
  silentOpenedAt = performance.now();
  bystander = await startBystander(server);
}, 30_000);

afterAll(async () => {
  await bystander.stop();
  await cleanupAll();
});

/** Types `echo tick-N` every 100 ms into a shell on another connection and waits for each answer. */
async function startBystander(target: CapturedServer) {
  const { client } = connectTo(target.wsUrl, TOKEN_B);
  const info = await client.session.create.mutate({ cols: 120, rows: 24 });
  const out = new OutputCollector(client, info.id);
  await out.untilEvent("ready", 15_000);
  const state = { ticks: 0, failures: [] as string[], worstMs: 0, stop: async () => {} };
  let running = true;
  const loop = (async () => {
    for (let seq = 0; running; seq++) {
      const started = performance.now();
      try {
        await client.terminal.input.mutate({
          sessionId: info.id,
          clientId: "bystander",
          seq,
          data: `echo tick-$((${seq}+1000))\r`,
        });
        await out.untilText(new RegExp(`tick-${seq + 1000}\\r\\n`), 5000);
        state.ticks++;
        state.worstMs = Math.max(state.worstMs, performance.now() - started);
      } catch (error) {
        state.failures.push(String(error));
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  state.stop = async () => {
    running = false;
    await loop;
    out.stop();
  };
  return state;
}

/** Every error a well-formed request can get carries one of our codes and a message. */
function expectTyped(message: ServerMessage): void {
  expect(message.error, JSON.stringify(message)).toBeDefined();
  expect(typeof message.error!.message).toBe("string");
  expect(errorCodeSchema.options).toContain(message.error!.data?.porthole);
  expect(message.error!.data?.porthole, JSON.stringify(message)).not.toBe("INTERNAL");
  expect(message.error!.data?.code, JSON.stringify(message)).not.toBe("INTERNAL_SERVER_ERROR");
}

/** Frames that are not a tRPC message at all: each gets one PARSE_ERROR with id null. */
function unparsable(random: ReturnType<typeof prng>): (string | Buffer)[] {
  const valid = JSON.stringify({ id: 1, method: "query", params: { path: "session.list" } });
  const frames: (string | Buffer)[] = [
    "",
    " ",
    "{",
    "}",
    "[",
    "nul",
    "undefined",
    "NaN",
    "{'id':1}",
    '{"id":1,}',
    "[".repeat(200_000),
    '{"a":'.repeat(50_000),
    "\u0000\u0001\u0002",
    "\ud800",
    "PING PONG",
  ];
  for (let i = 0; i < 400; i++) {
    // Truncated real messages and random printable garbage.
    frames.push(valid.slice(0, 1 + random.int(valid.length - 2)));
    frames.push(
      Array.from({ length: 1 + random.int(200) }, () => String.fromCharCode(32 + random.int(95)))
        .join("")
        .replace(/^[\s\d"[{tfn-]/, "x"),
    );
  }
  for (let i = 0; i < 100; i++) {
    // Binary frames: only the server sends them (output bytes), clients speak JSON text.
    frames.push(Buffer.from(Array.from({ length: 1 + random.int(100) }, () => random.int(256))));
  }
  // Well-formed binary frames, as the server sends them: still not a request.
  const output = { id: 1, result: { type: "data", id: "5", data: { id: "5", data: {} } } };
  output.result.data.data = { type: "output", data: new TextEncoder().encode("hello") };
  frames.push(Buffer.from(wireEncoder.encode(output) as Uint8Array));
  frames.push(Buffer.from([BINARY_FRAME_VERSION, 2, 0, 0, 0, 0x7b, 0x7d]));
  return frames;
}

/** Valid JSON that is not a valid tRPC message: one PARSE_ERROR with id null each. */
function misshapen(random: ReturnType<typeof prng>): string[] {
  const ids: unknown[] = [{}, [], [1], true, false, { toString: 1 }];
  const shapes: unknown[] = [
    null,
    0,
    -1,
    "text",
    true,
    {},
    [null],
    [1, 2],
    { id: 1 },
    { id: 1, method: "query" },
    { id: 1, method: "query", params: null },
    { id: 1, method: "query", params: "session.list" },
    { id: 1, method: "query", params: { path: 42 } },
    { id: 1, method: "query", params: { path: null } },
    { id: 1, method: "query", params: {} },
    { id: 1, method: "QUERY", params: { path: "session.list" } },
    { id: 1, method: "connectionParams", data: { token: "x" } },
    { id: 1, method: "subscription", params: { path: "terminal.output", lastEventId: 5 } },
    { id: 1, method: "query", params: { path: "session.list" }, jsonrpc: "1.0" },
    { id: 1, method: "query", params: { path: "session.list" }, jsonrpc: 2 },
  ];
  const frames = shapes.map((shape) => JSON.stringify(shape));
  for (let i = 0; i < 300; i++) {
    frames.push(
      JSON.stringify({
        id: random.pick(ids),
        method: random.pick(["query", "mutation", "subscription", "bogus", null, 7]),
        params: { path: "session.list" },
      }),
    );
  }
  return frames;
}

/** Paths that name no procedure, with valid ids: one NOT_FOUND each. */
function unknownProcedures(random: ReturnType<typeof prng>, client: RawClient) {
  const paths = [
    "nope",
    "",
    ".",
    "session",
    "terminal",
    "session.",
    ".session.list",
    "session..list",
    "session.list.x",
    "__proto__",
    "constructor",
    "prototype",
    "toString",
    "hasOwnProperty",
    "session.__proto__",
    "session.constructor",
    "session.create.call",
    "_def",
    "_def.procedures",
    "createCaller",
    "session/list",
    "SESSION.LIST",
    "x".repeat(10_000),
  ];
  const calls: { id: number; frame: string }[] = [];
  const add = (method: string, path: string) => {
    const id = client.id();
    calls.push({ id, frame: JSON.stringify({ id, method, params: { path, input: {} } }) });
  };
  for (const path of paths) for (const method of ["query", "mutation"]) add(method, path);
  // Real procedures called as the wrong kind.
  for (const [method, path] of [
    ["mutation", "session.list"],
    ["query", "session.create"],
    ["query", "terminal.input"],
    ["mutation", "terminal.output"],
    ["query", "session.close"],
  ] as const)
    add(method, path);
  for (let i = 0; i < 300; i++) {
    const length = 1 + random.int(40);
    add(
      random.pick(["query", "mutation"]),
      Array.from({ length }, () => String.fromCharCode(33 + random.int(94))).join(""),
    );
  }
  return calls;
}

/** Odd values to put in a field: wrong types, out of range, too long, hostile characters. */
const ODD_VALUES: unknown[] = [
  null,
  true,
  false,
  "",
  "12",
  "x",
  -1,
  -0.5,
  0,
  0.5,
  1e9,
  -1e9,
  2 ** 31,
  2 ** 53,
  2 ** 53 + 2,
  1e308,
  -1e308,
  [],
  [1],
  {},
  { $gt: "" },
  "A".repeat(65),
  "A".repeat(100_000),
  "../../../etc/passwd",
  "a b",
  "a\u0000b",
  "a\nb",
  "🙂",
  "<script>",
  "'; DROP TABLE sessions; --",
  "x".repeat(MAX_INPUT_BYTES + 1),
  "é".repeat(MAX_INPUT_BYTES / 2 + 1),
];

/** Procedures with input, a valid input for each, and the schema that must refuse the variants. */
function inputCases(sessionId: string) {
  const cases: {
    method: "query" | "mutation" | "subscription";
    path: string;
    valid: Record<string, unknown>;
    schema: z.ZodType;
  }[] = [
    {
      method: "mutation",
      path: "session.create",
      valid: { cols: 80, rows: 24 },
      schema: createSessionInputSchema,
    },
    { method: "query", path: "session.get", valid: { sessionId }, schema: sessionRefInputSchema },
    {
      method: "mutation",
      path: "session.rename",
      valid: { sessionId, title: "t" },
      schema: renameSessionInputSchema,
    },
    {
      method: "mutation",
      path: "session.close",
      valid: { sessionId },
      schema: sessionRefInputSchema,
    },
    {
      method: "mutation",
      path: "terminal.input",
      valid: { sessionId, clientId: "f", seq: 0, data: "" },
      schema: terminalInputSchema,
    },
    {
      method: "mutation",
      path: "terminal.resize",
      valid: { sessionId, clientId: "f", seq: 0, cols: 80, rows: 24 },
      schema: terminalResizeSchema,
    },
    {
      method: "mutation",
      path: "terminal.ack",
      valid: { sessionId, clientId: "f", offset: 0 },
      schema: terminalAckSchema,
    },
    {
      method: "subscription",
      path: "terminal.output",
      valid: { sessionId, clientId: "f", acks: false },
      schema: terminalOutputInputSchema,
    },
  ];
  return cases;
}

describe("the tRPC WebSocket under malformed input", () => {
  it("answers every malformed frame with a PARSE_ERROR and keeps the connection", async () => {
    const random = prng(1);
    const raw = await RawClient.open(server.wsUrl);
    const frames = [...unparsable(random), ...misshapen(random)];
    for (const frame of frames) raw.send(frame, { binary: Buffer.isBuffer(frame) });
    sent += frames.length;
    const nulls = await raw.until(
      () => (raw.received(null).length >= frames.length ? raw.received(null) : undefined),
      30_000,
      `${frames.length} PARSE_ERROR answers`,
    );
    expect(nulls).toHaveLength(frames.length);
    for (const message of nulls) {
      expectTyped(message);
      expect(message.error!.data).toMatchObject({ code: "PARSE_ERROR", porthole: "BAD_INPUT" });
    }
    expect(raw.messages.filter((m) => m.result)).toEqual([]);
    // Still a working connection.
    const id = raw.call("query", "session.list");
    expect((await raw.answer(id)).result).toEqual({ type: "data", data: [] });
    console.log(`fuzz: ${frames.length} unparsable or misshapen frames, each answered once`);
  }, 60_000);

  it("answers unknown procedures with NOT_FOUND, and wrong inputs with BAD_INPUT naming the field", async () => {
    const random = prng(2);
    const raw = await RawClient.open(server.wsUrl);
    const id = raw.call("mutation", "session.create", { cols: 80, rows: 24 });
    const created = (await raw.answer(id)).result!.data as { id: string };
    const calls = unknownProcedures(random, raw);
    for (const call of calls) raw.send(call.frame);
    // Each real procedure with every odd value in every field, plus extra and missing keys.
    const invalid: { id: number; path: string }[] = [];
    for (const c of inputCases(created.id)) {
      const variants: unknown[] = [undefined, null, "text", 5, [], { ...c.valid, extra: 1 }];
      for (const field of Object.keys(c.valid)) {
        const { [field]: _dropped, ...rest } = c.valid;
        variants.push(rest);
        for (const odd of ODD_VALUES) variants.push({ ...c.valid, [field]: odd });
      }
      for (const input of variants) {
        // Only inputs the schema refuses: a variant that happens to be valid would be a real call.
        if (c.schema.safeParse(input).success) continue;
        const callId = raw.call(c.method, c.path, input);
        invalid.push({ id: Number(callId), path: c.path });
      }
    }
    sent += calls.length + invalid.length + 1;
    for (const call of calls) {
      const answer = await raw.answer(call.id, 10_000);
      expectTyped(answer);
      expect(answer.error!.data).toMatchObject({ code: "NOT_FOUND", porthole: "NOT_FOUND" });
    }
    for (const call of invalid) {
      const answer = await raw.next(call.id, 10_000, (m) => m.error !== undefined);
      expectTyped(answer);
      expect(answer.error!.data, `${call.path}: ${answer.error!.message}`).toMatchObject({
        code: "BAD_REQUEST",
        porthole: "BAD_INPUT",
      });
      // The message says which field and why, never a stack or a path on the server.
      expect(answer.error!.message).toMatch(/^[\w.]+: /);
      expect(answer.error!.message).not.toMatch(/\/work\/|node_modules|at .*\(/);
      expect(raw.received(call.id).some((m) => m.result?.type === "data")).toBe(false);
    }
    expect(raw.open).toBe(true);
    // Nothing ran: still exactly the one session, unrenamed and unresized.
    const session = server.sessions.get(created.id)!;
    expect(server.sessions.list().filter((s) => s.owner === session.owner)).toHaveLength(1);
    expect(session.info()).toMatchObject({ title: "Shell", cols: 80, rows: 24 });
    console.log(
      `fuzz: ${calls.length} calls to unknown procedures, ${invalid.length} calls with invalid input`,
    );
  }, 60_000);

  it("refuses ids that are not ours exactly like missing ones", async () => {
    const random = prng(3);
    const other = await RawClient.open(server.wsUrl, { token: TOKEN_B });
    const theirs = other.call("mutation", "session.create", { cols: 80, rows: 24 });
    const theirId = ((await other.answer(theirs)).result!.data as { id: string }).id;
    const raw = await RawClient.open(server.wsUrl);
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const ids = [theirId, "A".repeat(24), "-".repeat(24), "_", "A".repeat(64)];
    for (let i = 0; i < 200; i++)
      ids.push(
        Array.from({ length: 1 + random.int(64) }, () => random.pick([...alphabet])).join(""),
      );
    const answers: string[] = [];
    for (const sessionId of ids) {
      for (const [method, path, input] of [
        ["query", "session.get", { sessionId }],
        ["mutation", "session.rename", { sessionId, title: "mine now" }],
        ["mutation", "session.close", { sessionId }],
        ["mutation", "terminal.input", { sessionId, clientId: "x", seq: 0, data: "id\r" }],
        ["mutation", "terminal.resize", { sessionId, clientId: "x", seq: 1, cols: 9, rows: 9 }],
        ["mutation", "terminal.ack", { sessionId, clientId: "x", offset: 5 }],
        ["subscription", "terminal.output", { sessionId }],
      ] as const) {
        const id = raw.call(method, path, input);
        const answer = await raw.next(id, 5000, (m) => m.error !== undefined);
        expectTyped(answer);
        answers.push(JSON.stringify({ ...answer, id: undefined }));
        sent++;
      }
    }
    // One answer for all of them: not yours and not there cannot be told apart.
    expect(new Set(answers)).toEqual(
      new Set([
        JSON.stringify({
          error: {
            message: "No such session",
            code: -32004,
            data: { code: "NOT_FOUND", httpStatus: 404, porthole: "NOT_FOUND" },
          },
        }),
      ]),
    );
    expect(server.sessions.get(theirId)!.info()).toMatchObject({ title: "Shell", cols: 80 });
  }, 60_000);

  it("holds at most MAX_SUBSCRIPTIONS_PER_CONNECTION of 3000 subscriptions and frees them on stop", async () => {
    const raw = await RawClient.open(server.wsUrl);
    const created = raw.call("mutation", "session.create", { cols: 80, rows: 24 });
    const sessionId = ((await raw.answer(created)).result!.data as { id: string }).id;
    const session = server.sessions.get(sessionId)!;
    const ids: number[] = [];
    for (let i = 0; i < 3000; i++)
      ids.push(Number(raw.call("subscription", "terminal.output", { sessionId })));
    sent += ids.length;
    // Accepted: its first event arrived. Refused: an error (sent right after "started").
    const outcome = (id: number) =>
      raw.received(id).find((m) => m.error !== undefined) ??
      raw.received(id).find((m) => m.result?.type === "data");
    await raw.until(() => ids.every((id) => outcome(id)) || undefined, 30_000, "3000 answers");
    const started = ids.filter((id) => outcome(id)!.result?.type === "data");
    const refused = ids.filter((id) => outcome(id)!.error !== undefined);
    expect(started).toHaveLength(MAX_SUBSCRIPTIONS_PER_CONNECTION);
    expect(refused).toHaveLength(3000 - MAX_SUBSCRIPTIONS_PER_CONNECTION);
    for (const id of refused) {
      const error = outcome(id)!;
      expectTyped(error);
      expect(error.error).toMatchObject({
        message: `A connection may hold at most ${MAX_SUBSCRIPTIONS_PER_CONNECTION} subscriptions`,
        data: { code: "TOO_MANY_REQUESTS", porthole: "LIMIT" },
      });
    }
    expect(session.attached).toBe(MAX_SUBSCRIPTIONS_PER_CONNECTION);
    // The same id twice is refused by tRPC itself.
    const duplicate = started[0]!;
    raw.call("subscription", "terminal.output", { sessionId }, { id: duplicate });
    const dup = await raw.next(duplicate, 5000, (m) => m.error !== undefined);
    expect(dup.error).toMatchObject({
      message: `Duplicate id ${duplicate}`,
      data: { code: "BAD_REQUEST", porthole: "BAD_INPUT" },
    });
    // Stopping frees every slot; 2000 subscribe-then-stop pairs leave nothing behind.
    for (const id of started) raw.stop(id);
    await waitFor(() => session.attached === 0, 5000, "all subscriptions to detach");
    for (let i = 0; i < 2000; i++) {
      const id = raw.call("subscription", "terminal.output", { sessionId });
      raw.stop(id);
    }
    sent += 4000;
    // Stops for ids that were never ours are ignored.
    for (let i = 0; i < 200; i++) raw.stop(900_000 + i);
    sent += 200;
    await waitFor(() => session.attached === 0, 10_000, "the subscribe-stop pairs to settle");
    const again: number[] = [];
    for (let i = 0; i <= MAX_SUBSCRIPTIONS_PER_CONNECTION; i++)
      again.push(Number(raw.call("subscription", "terminal.output", { sessionId })));
    await raw.until(() => again.every((id) => outcome(id)) || undefined, 10_000, "answers");
    expect(again.filter((id) => outcome(id)!.result?.type === "data")).toHaveLength(
      MAX_SUBSCRIPTIONS_PER_CONNECTION,
    );
    expect(outcome(again.at(-1)!)!.error?.data?.porthole).toBe("LIMIT");
    expect(raw.open).toBe(true);
  }, 60_000);

  it("closes connections that send invalid UTF-8 or oversized frames, and only those", async () => {
    const bad = await RawClient.open(server.wsUrl);
    bad.send(Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d]), { binary: false });
    expect(await bad.closed).toMatchObject({ code: 1007 });
    const big = await RawClient.open(server.wsUrl);
    big.send("x".repeat(MAX_FRAME_BYTES + 1));
    expect(await big.closed).toEqual({ code: 1009, reason: "" });
    const huge = await RawClient.open(server.wsUrl);
    huge.send(Buffer.alloc(8 * 1024 * 1024, 0x20));
    expect((await huge.closed).code).toBe(1009);
    sent += 3;
    const fine = await RawClient.open(server.wsUrl);
    const id = fine.call("query", "session.list");
    expect((await fine.answer(id)).result?.type).toBe("data");
  });

  it("closes connections whose first message is not valid connection params", async () => {
    const frames: string[] = [
      "not json",
      "[]",
      "null",
      "42",
      '{"method":"connectionParams","data":{"token":5}}',
      '{"method":"connectionParams","data":"token"}',
      '{"method":"connectionParams","data":{"token":"wrong-token-0123456789"}}',
      '{"method":"connectionParams","data":{}}',
      '{"method":"connectionParams","data":null}',
      JSON.stringify({ id: 1, method: "query", params: { path: "session.list" } }),
      JSON.stringify({ method: "connectionParams", data: { token: "t".repeat(100_000) } }),
    ];
    for (const first of frames) {
      const raw = await RawClient.open(server.wsUrl, { first });
      // Queued behind the bad params: must never run.
      const id = raw.call("mutation", "session.create", { cols: 80, rows: 24 });
      const { code, reason } = await raw.closed;
      const answers = raw.messages;
      expect(answers.length, first).toBeGreaterThan(0);
      for (const answer of answers) {
        expect(answer.error, first).toBeDefined();
        expect(["PARSE_ERROR", "UNAUTHORIZED"]).toContain(answer.error!.data?.code);
      }
      // Unreadable params and a wrong or missing token alike: the close code says why (tRPC
      // alone would close unreadable params without a code, which clients retry as a fault).
      const unreadable = answers[0]!.error!.data?.code === "PARSE_ERROR";
      expect(code, first).toBe(UNAUTHORIZED_CLOSE_CODE);
      expect(reason, first).toBe(
        unreadable ? "Unauthorized: malformed connection params" : "Unauthorized",
      );
      expect(raw.received(id).some((m) => m.result)).toBe(false);
      sent += 2;
    }
    // Without announcing params at all, the server authenticates with none and closes too.
    const bare = await RawClient.open(server.wsUrl, { announce: false });
    bare.call("query", "session.list");
    expect((await bare.closed).code).toBe(UNAUTHORIZED_CLOSE_CODE);
    expect(bare.messages[0]!.error!.data?.code).toBe("UNAUTHORIZED");
    expect(server.sessions.list().filter((s) => s.title !== "Shell")).toEqual([]);
  });
});

describe("after the abuse", () => {
  it(
    "closed the socket that never authenticated after AUTH_TIMEOUT_MS",
    async () => {
      const { code, reason } = await silent.closed;
      const afterMs = performance.now() - silentOpenedAt;
      expect({ code, reason }).toEqual({ code: UNAUTHORIZED_CLOSE_CODE, reason: "Unauthorized" });
      expect(afterMs).toBeGreaterThanOrEqual(AUTH_TIMEOUT_MS - 50);
      expect(afterMs).toBeLessThan(AUTH_TIMEOUT_MS + 2000);
    },
    AUTH_TIMEOUT_MS + 10_000,
  );

  it("kept serving: the bystander's shell answered throughout, and nothing was logged as a failure", async () => {
    await bystander.stop();
    console.log(
      `fuzz: ${sent} abusive messages in all; bystander echoed ${bystander.ticks} times, worst ${bystander.worstMs.toFixed(0)} ms`,
    );
    expect(bystander.failures).toEqual([]);
    expect(bystander.ticks).toBeGreaterThan(20);
    expect(bystander.worstMs).toBeLessThan(5000);
    expect(server.logs.filter((line) => line.level >= 50)).toEqual([]);
    const health = (await (await fetch(`${server.url}/health`)).json()) as { status: string };
    expect(health.status).toBe("ok");
  });
});

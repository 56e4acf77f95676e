// Logs: readable lines on a terminal, JSON lines elsewhere, and secrets redacted in both.
import { Writable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  createLogger,
  prettyLine,
  readableLogs,
  wantsColour,
  type LogDestination,
} from "./logger.js";

/** A destination that keeps what is written; `isTTY` as a terminal's stdout has it. */
function sink(isTTY: boolean): LogDestination & { text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return Object.assign(stream, isTTY ? { isTTY: true } : {}, { text: () => chunks.join("") });
}

const AT = new Date(2026, 10, 27, 21, 5, 58, 123);

beforeEach(() => {
  vi.useFakeTimers({ now: AT, toFake: ["Date"] });
  // The test's own terminal must not decide whether lines are coloured.
  vi.stubEnv("NO_COLOR", "");
  vi.stubEnv("FORCE_COLOR", "");
  vi.stubEnv("TERM", "xterm-256color");
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
});

describe("createLogger", () => {
  it("writes readable lines to a terminal, with secrets still redacted", () => {
    vi.stubEnv("NO_COLOR", "1");
    const out = sink(true);
    const logger = createLogger("info", out);
    logger.info({ sessionId: "abc", kind: "shell" }, "session started");
    logger.warn({ token: "tok-0123456789abcdef", connection: { token: "x" } }, "refused");
    logger.debug("not at info");
    expect(out.text()).toBe(
      "21:05:58 INFO  session started  sessionId=abc kind=shell\n" +
        '21:05:58 WARN  refused  token=[redacted] connection={"token":"[redacted]"}\n',
    );
    expect(out.text()).not.toContain("tok-0123456789abcdef");
  });

  it("writes JSON lines, exactly as pino does, anywhere but a terminal", () => {
    const out = sink(false);
    createLogger("info", out).info({ sessionId: "abc", token: "secret-token" }, "session started");
    expect(JSON.parse(out.text())).toEqual({
      level: 30,
      time: AT.getTime(),
      app: "porthole",
      sessionId: "abc",
      token: "[redacted]",
      msg: "session started",
    });
  });

  it("takes LOG_FORMAT's word over the destination's kind", () => {
    vi.stubEnv("NO_COLOR", "1");
    const terminal = sink(true);
    createLogger("info", terminal, "json").info("started");
    expect(JSON.parse(terminal.text())).toMatchObject({ level: 30, msg: "started" });
    const file = sink(false);
    createLogger("info", file, "pretty").info("started");
    expect(file.text()).toBe("21:05:58 INFO  started\n");
  });

  it("colours the level on a terminal, and nowhere else unless FORCE_COLOR says", () => {
    const terminal = sink(true);
    createLogger("info", terminal).error("failed");
    expect(terminal.text()).toBe("\x1b[2m21:05:58\x1b[0m \x1b[31mERROR\x1b[0m failed\n");
    const file = sink(false);
    createLogger("info", file, "pretty").error("failed");
    expect(file.text()).toBe("21:05:58 ERROR failed\n");
  });

  it("shows an error's message, and its stack at error level or when debugging", () => {
    vi.stubEnv("NO_COLOR", "1");
    const error = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    const out = sink(true);
    const logger = createLogger("info", out);
    logger.warn({ err: error }, "could not look for sandboxes");
    expect(out.text()).toBe(
      '21:05:58 WARN  could not look for sandboxes  err="connect ECONNREFUSED" err.code=ECONNREFUSED\n',
    );
    logger.error({ err: error }, "shutdown failed");
    const lines = out.text().split("\n");
    expect(lines[1]).toBe(
      '21:05:58 ERROR shutdown failed  err="connect ECONNREFUSED" err.code=ECONNREFUSED',
    );
    expect(lines[2]).toBe("    Error: connect ECONNREFUSED");
    expect(lines[3]).toMatch(/^ {4}at .*logger\.test\.ts/);

    const debugging = sink(true);
    createLogger("debug", debugging).warn({ err: error }, "could not look for sandboxes");
    expect(debugging.text().split("\n")[1]).toBe("    Error: connect ECONNREFUSED");
  });
});

describe("prettyLine", () => {
  const line = (fields: Record<string, unknown>) =>
    prettyLine(JSON.stringify({ level: 30, time: AT.getTime(), app: "porthole", ...fields }));

  it("quotes what would read ambiguously, and escapes control characters", () => {
    expect(
      line({ msg: "m", a: "two words", b: "", c: 'q"', d: "k=v", e: 3, f: null, g: true }),
    ).toBe('21:05:58 INFO  m  a="two words" b="" c="q\\"" d="k=v" e=3 g=true\n');
    expect(line({ msg: "evil\x1b]0;title\x07", name: "\x1b[2J" })).toBe(
      '21:05:58 INFO  evil\\u001b]0;title\\u0007  name="\\u001b[2J"\n',
    );
  });

  it("escapes C1 controls too, which JSON leaves raw, in values, arrays and keys", () => {
    // A Host header may carry 0x9b (CSI) or 0x9d (OSC); the refusal log names hosts in an array.
    expect(
      line({ msg: "m", hosts: ["a\u009d0;owned\u009c"], "k\u009b2J": 1, s: "x y\u009b" }),
    ).toBe('21:05:58 INFO  m  hosts=["a\\u009d0;owned\\u009c"] k\\u009b2J=1 s="x y\\u009b"\n');
  });

  it("passes through a line that is not pino's", () => {
    expect(prettyLine("not json\n")).toBe("not json\n");
    expect(prettyLine('{"msg":"no level"}\n')).toBe('{"msg":"no level"}\n');
  });
});

describe("readableLogs", () => {
  it("is readable for pretty anywhere and auto on a terminal, JSON otherwise", () => {
    expect(readableLogs("pretty", false)).toBe(true);
    expect(readableLogs("auto", true)).toBe(true);
    expect(readableLogs("auto", false)).toBe(false);
    expect(readableLogs("json", true)).toBe(false);
  });
});

describe("wantsColour", () => {
  it("follows the terminal, NO_COLOR, TERM=dumb and FORCE_COLOR", () => {
    expect(wantsColour(true, {})).toBe(true);
    expect(wantsColour(false, {})).toBe(false);
    expect(wantsColour(true, { NO_COLOR: "1" })).toBe(false);
    expect(wantsColour(true, { NO_COLOR: "" })).toBe(true);
    expect(wantsColour(true, { TERM: "dumb" })).toBe(false);
    expect(wantsColour(false, { FORCE_COLOR: "1" })).toBe(true);
    expect(wantsColour(true, { FORCE_COLOR: "0" })).toBe(false);
    expect(wantsColour(true, { FORCE_COLOR: "0", NO_COLOR: "" })).toBe(false);
  });
});

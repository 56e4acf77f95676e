// Structured logs with pino: session ids yes; tokens, keys and terminal contents never.
import { pino, type DestinationStream, type Logger } from "pino";
import { z } from "zod";

/** Field paths that could carry a secret if someone logged a whole object. */
const REDACT = [
  "token",
  "tokens",
  "*.token",
  "*.tokens",
  "apiKey",
  "*.apiKey",
  "connectionParams",
  "*.connectionParams",
  "headers.authorization",
  "req.headers.authorization",
  "claudeEnv",
  "*.claudeEnv",
  "data",
  "*.data",
  "input.data",
];

/** JSON lines, readable lines, or readable on a terminal and JSON anywhere else (LOG_FORMAT). */
export const LOG_FORMATS = ["auto", "json", "pretty"] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Where log lines go: stdout, or any stream (a test's, a harness's sink). */
export type LogDestination = NodeJS.WritableStream & { isTTY?: boolean };

/**
 * A logger writing JSON lines to stdout (or `destination`), or readable lines when `format` says
 * so; `auto` picks readable lines for a terminal.
 */
export function createLogger(
  level: string,
  destination?: LogDestination,
  format: LogFormat = "auto",
): Logger {
  const options = {
    level,
    redact: { paths: REDACT, censor: "[redacted]" },
    base: { app: "porthole" },
  };
  const tty = destination ? destination.isTTY === true : process.stdout.isTTY;
  if (!readableLogs(format, tty)) return destination ? pino(options, destination) : pino(options);
  // pino still redacts and serializes; the readable form is made from each finished JSON line.
  // Written at once (sync), so lines keep their place around the start-up banner on stdout.
  const target: DestinationStream =
    destination ?? pino.destination({ dest: process.stdout.fd, sync: true });
  const colour = wantsColour(tty, process.env);
  const readable: DestinationStream = {
    write: (line: string) => {
      // The logger's level as it is now: stacks for every error once someone turns on debug.
      const stacks = logger.levelVal <= DEBUG;
      target.write(prettyLine(line, { colour, stacks }));
    },
  };
  const logger = pino(options, readable);
  return logger;
}

/** Whether `format` means readable lines for a destination that is (or is not) a terminal. */
export function readableLogs(format: LogFormat, tty: boolean): boolean {
  return format === "pretty" || (format === "auto" && tty);
}

/** The escape sequences the readable form uses; all empty without colour. */
interface Style {
  dim: (text: string) => string;
  level: (level: number, text: string) => string;
}

const plain: Style = { dim: (text) => text, level: (_, text) => text };

const sgr = (code: string) => (text: string) => `\x1b[${code}m${text}\x1b[0m`;

const LEVEL_COLOURS: Record<number, (text: string) => string> = {
  10: sgr("90"),
  20: sgr("36"),
  30: sgr("32"),
  40: sgr("33"),
  50: sgr("31"),
  60: sgr("1;41;97"),
};

const coloured: Style = {
  dim: sgr("2"),
  level: (level, text) => (LEVEL_COLOURS[level] ?? ((same: string) => same))(text),
};

/**
 * Colour for a terminal unless NO_COLOR (https://no-color.org) or TERM=dumb says otherwise;
 * FORCE_COLOR=1 turns it on anywhere (a pager that understands it), FORCE_COLOR=0 off.
 */
export function wantsColour(tty: boolean, env: NodeJS.ProcessEnv): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== "") return force !== "0" && force !== "false";
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  return tty && env.TERM !== "dumb";
}

/** What pino writes: its own fields, and whatever the call logged. */
const lineSchema = z.looseObject({
  level: z.number(),
  time: z.number(),
  msg: z.string().optional(),
});

/** pino's serialized error (pino-std-serializers): the parts shown beside the message. */
const errSchema = z.looseObject({
  message: z.string().optional(),
  stack: z.string().optional(),
});

const DEBUG = 20;
const ERROR = 50;

const LEVEL_NAMES: Record<number, string> = {
  10: "TRACE",
  20: "DEBUG",
  30: "INFO",
  40: "WARN",
  50: "ERROR",
  60: "FATAL",
};

/** Fields every line has, or that say nothing on a terminal. */
const HIDDEN = new Set(["level", "time", "msg", "app", "pid", "hostname"]);

/** Control characters would move the cursor or recolour the operator's terminal: shown escaped. */
const CONTROL = /[\x00-\x1f\x7f-\x9f]/; // eslint-disable-line no-control-regex

const escaped = (text: string) =>
  text.replace(
    new RegExp(CONTROL.source, "g"),
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );

/** Parts of a serialized error shown otherwise (the message and stack) or not at all (type). */
const ERR_SHOWN = new Set(["message", "stack", "type"]);

/** A value as `key=value` shows it: bare when that is unambiguous, JSON otherwise. */
function shown(value: unknown): string {
  if (typeof value === "string")
    return value !== "" && !/[\s"=]/.test(value) && !CONTROL.test(value)
      ? value
      : escaped(JSON.stringify(value));
  // JSON escapes C0 controls but not C1 (a CSI is 0x9b), which a client's Host header can carry.
  if (typeof value === "object" && value !== null) return escaped(JSON.stringify(value));
  return escaped(String(value));
}

/**
 * One JSON line from pino as a person reads it: `21:05:58 INFO  session started  sessionId=abc`,
 * with the error's stack below it when `stacks` or the level is error or worse. A line that is
 * not pino's passes through unchanged.
 */
export function prettyLine(
  line: string,
  options: { colour?: boolean; stacks?: boolean } = {},
): string {
  const style = options.colour ? coloured : plain;
  let parsed;
  try {
    parsed = lineSchema.safeParse(JSON.parse(line));
  } catch {
    return line;
  }
  if (!parsed.success) return line;
  const record = parsed.data;
  const time = new Date(record.time).toTimeString().slice(0, 8);
  const label = (LEVEL_NAMES[record.level] ?? `L${record.level}`).padEnd(5);
  const fields: string[] = [];
  let stack: string | undefined;
  for (const [key, value] of Object.entries(record)) {
    // A field with nothing in it (exit=null while a session has not exited) says nothing here.
    if (HIDDEN.has(key) || value === null) continue;
    const err = key === "err" ? errSchema.safeParse(value) : undefined;
    if (err?.success) {
      fields.push(`${style.dim("err=")}${shown(err.data.message ?? "")}`);
      for (const [name, part] of Object.entries(err.data))
        if (!ERR_SHOWN.has(name))
          fields.push(`${style.dim(`err.${escaped(name)}=`)}${shown(part)}`);
      if (err.data.stack && (options.stacks || record.level >= ERROR)) stack = err.data.stack;
      continue;
    }
    fields.push(`${style.dim(`${escaped(key)}=`)}${shown(value)}`);
  }
  const head = `${style.dim(time)} ${style.level(record.level, label)} ${escaped(record.msg ?? "")}`;
  const tail = fields.length > 0 ? `  ${fields.join(" ")}` : "";
  const below = stack
    ? stack
        .split("\n")
        .map((part) => `\n    ${style.dim(escaped(part.trim()))}`)
        .join("")
    : "";
  return `${head}${tail}${below}\n`;
}

export type { Logger };

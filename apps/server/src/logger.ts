// Structured logs with pino: session ids yes; tokens, keys and terminal contents never.
import { pino, type Logger } from "pino";

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

/** A logger writing JSON lines to stdout (or `destination`). */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  const options = {
    level,
    redact: { paths: REDACT, censor: "[redacted]" },
    base: { app: "porthole" },
  };
  return destination ? pino(options, destination) : pino(options);
}

export type { Logger };

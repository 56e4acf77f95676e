// Checks of what a library caller passes in: bad input is a BAD_INPUT SandboxError at the call, never a crash later.
import {
  colsSchema,
  offsetSchema,
  repoUrlSchema,
  rowsSchema,
  sessionKindSchema,
} from "@porthole/protocol";
import { SandboxError } from "./errors.js";

/**
 * The longest delay a Node timer keeps: a longer one fires after 1 ms (with a warning), which
 * would end a session at once instead of never.
 */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** What a schema's safeParse returns, as far as these checks read it. */
type Parsed = { success: true } | { success: false; error: { issues: { message: string }[] } };

function check(parsed: Parsed): void {
  if (!parsed.success) {
    throw new SandboxError("BAD_INPUT", parsed.error.issues.map((i) => i.message).join("; "));
  }
}

/** A terminal size: whole numbers within MIN/MAX_COLS and MIN/MAX_ROWS. */
export function checkSize(cols: unknown, rows: unknown): void {
  check(colsSchema.safeParse(cols));
  check(rowsSchema.safeParse(rows));
}

/** A session kind. */
export function checkKind(kind: unknown): void {
  check(sessionKindSchema.safeParse(kind));
}

/** A repository URL, which is typed into the shell: no spaces or shell characters. */
export function checkRepo(repo: unknown): void {
  check(repoUrlSchema.safeParse(repo));
}

/** An output offset a client resumes from. */
export function checkOffset(offset: unknown): void {
  check(offsetSchema.safeParse(offset));
}

/** Text for the PTY. */
export function checkInput(data: unknown): void {
  if (typeof data !== "string") throw new SandboxError("BAD_INPUT", "data must be a string");
}

/** A count: a whole number of at least `min` (`name` says which). */
export function checkWholeNumber(name: string, value: unknown, min = 1): void {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new SandboxError("BAD_INPUT", `${name} must be a whole number of at least ${min}`);
  }
}

/** A timeout in ms: a whole number from 0 to MAX_TIMEOUT_MS (`name` says which). */
export function checkTimeout(name: string, ms: unknown): void {
  if (typeof ms !== "number" || !Number.isInteger(ms) || ms < 0 || ms > MAX_TIMEOUT_MS) {
    throw new SandboxError(
      "BAD_INPUT",
      `${name} must be a whole number of milliseconds from 0 to ${MAX_TIMEOUT_MS} (about 24.8 days)`,
    );
  }
}

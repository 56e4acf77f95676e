// A generated access token kept in a file, so that a restarted server still accepts open pages.
import { readFileSync, statSync, writeFileSync } from "node:fs";

/** What a kept token must look like: the same as one PORTHOLE_TOKEN entry. */
const TOKEN_PATTERN = /^[A-Za-z0-9._~+/=-]{16,256}$/;

/**
 * The token kept at `path`, or a new one from `generate` written there (owner-only, 0600) when
 * the file does not exist. Throws with a one-line reason when the file holds something else, may be
 * read by other users, or cannot be read or written: a server must not quietly start with a token
 * nobody can find, or one anybody can.
 */
export function keptToken(path: string, generate: () => string): string {
  let text: string | null = null;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw new Error(reason(path, error));
  }
  if (text !== null) {
    const token = text.trim();
    if (!TOKEN_PATTERN.test(token)) {
      throw new Error(`${path} does not hold a token (16-256 URL-safe characters)`);
    }
    // As ssh does with keys: a token others can read is not a secret any more.
    const mode = statSync(path).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      throw new Error(
        `${path} is readable by other users (mode ${mode.toString(8)}): chmod 600 it`,
      );
    }
    return token;
  }
  const token = generate();
  try {
    // "wx": never overwrite a file another server wrote in the meantime.
    writeFileSync(path, `${token}\n`, { mode: 0o600, flag: "wx" });
  } catch (error) {
    throw new Error(reason(path, error));
  }
  return token;
}

/** What the file's trouble means in words, beside its code (which a search finds). */
const MEANINGS: Record<string, string> = {
  ENOENT: "its directory does not exist",
  EACCES: "permission denied",
  EROFS: "the file system is read-only",
  EISDIR: "it is a directory",
  ENOTDIR: "a part of the path is not a directory",
};

function reason(path: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code ?? String(error);
  const meaning = MEANINGS[code];
  return `cannot use ${path}: ${meaning ? `${meaning} (${code})` : code}`;
}

// Access tokens and origins: who may connect, and which credential their sessions belong to.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** A fresh access token: 32 random bytes, base64url. */
export function generateToken(): string {
  return randomBytes(32).toString("base64url");
}

/** Maps presented tokens to credential ids, comparing in constant time. */
export class Credentials {
  readonly #entries: { digest: Buffer; id: string }[];

  constructor(tokens: readonly string[]) {
    this.#entries = tokens.map((token) => ({ digest: digest(token), id: credentialId(token) }));
  }

  /** The credential id for `token`, or null when it is not ours. */
  identify(token: unknown): string | null {
    if (typeof token !== "string" || token.length === 0 || token.length > 512) return null;
    const presented = digest(token);
    let found: string | null = null;
    for (const entry of this.#entries) {
      if (timingSafeEqual(entry.digest, presented)) found = entry.id;
    }
    return found;
  }
}

/**
 * The id that names a token's credential in logs and session ownership without revealing it: the
 * start of its SHA-256, so an operator holding the token can tell which one a log line means.
 */
export function credentialId(token: string): string {
  return `cred_${digest(token).subarray(0, 8).toString("hex")}`;
}

function digest(token: string): Buffer {
  return createHash("sha256").update(token).digest();
}

/**
 * Whether a WebSocket upgrade may proceed. Browsers always send Origin: it must be the page's
 * own origin (the Host it connected to) or FRONTEND_URL. Clients without an Origin (not a
 * browser, so not a cross-site request) still need a token.
 */
export function originAllowed(
  origin: string | undefined,
  host: string | undefined,
  allowed: readonly string[],
): boolean {
  if (origin === undefined) return true;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  if (allowed.includes(parsed.origin)) return true;
  return (
    host !== undefined &&
    (parsed.protocol === "http:" || parsed.protocol === "https:") &&
    parsed.host === host
  );
}

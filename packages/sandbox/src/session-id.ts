// Session ids: 144 random bits, URL-safe, so nobody can guess another person's session.
import { randomBytes } from "node:crypto";

/** A fresh unguessable session id (24 characters of base64url). */
export function newSessionId(): string {
  return randomBytes(18).toString("base64url");
}

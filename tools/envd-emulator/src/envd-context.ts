// Per-request values the envd RPC handlers need: the routed sandbox, the Node request and the calling user.
import type { IncomingMessage } from "node:http";
import { Code, ConnectError, createContextKey, type HandlerContext } from "@connectrpc/connect";
import type { Sandbox } from "./sandbox.js";

/** The sandbox the request was routed to (by `E2b-Sandbox-Id`). */
export const kSandbox = createContextKey<Sandbox | undefined>(undefined, {
  description: "sandbox",
});
/** The Node request, to reach its socket. */
export const kNodeRequest = createContextKey<IncomingMessage | undefined>(undefined, {
  description: "node request",
});

/** Users that exist in E2B's base template. */
export const KNOWN_USERS: ReadonlySet<string> = new Set(["user", "root"]);
/** The user envd acts as when no `Authorization` header names one. */
export const DEFAULT_USER = "user";

/** The sandbox of this call. */
export function sandboxOf(ctx: HandlerContext): Sandbox {
  const sandbox = ctx.values.get(kSandbox);
  if (sandbox === undefined) throw new ConnectError("sandbox not routed", Code.Internal);
  return sandbox;
}

/** The Node request of this call. */
export function nodeRequestOf(ctx: HandlerContext): IncomingMessage {
  const req = ctx.values.get(kNodeRequest);
  if (req === undefined) throw new ConnectError("request not routed", Code.Internal);
  return req;
}

/** Username from `Authorization: Basic base64(<user>:)`, or undefined when the header is absent or not Basic. */
export function basicUser(authorization: string | null | undefined): string | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(authorization ?? "");
  if (match?.[1] === undefined) return undefined;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon < 0 ? decoded : decoded.slice(0, colon);
}

/** The user this call acts as. */
export function userOf(ctx: HandlerContext): string {
  return basicUser(ctx.requestHeader.get("authorization")) ?? DEFAULT_USER;
}

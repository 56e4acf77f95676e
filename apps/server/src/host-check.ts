// Which Host headers the server answers, so a page on a rebound DNS name cannot reach a local server.
import { isIP } from "node:net";

/**
 * Host names (besides IP literals and localhost, always answered) that requests may name: any,
 * or only `names` (an entry starting with "." also covers every name below it).
 */
export type HostPolicy = { kind: "any" } | { kind: "only"; names: readonly string[] };

/**
 * The policy for a server bound to `bindHost`. By default a server bound to loopback answers
 * only loopback names and `trustedNames`: a page whose DNS name was rebound to 127.0.0.1 is
 * same-origin with itself, so the Origin check passes, but its Host is its own name. A server
 * bound to another address answers any name (a proxy or the network names it) unless
 * ALLOWED_HOSTS lists them ("*": any).
 */
export function hostPolicy(
  bindHost: string,
  allowedHosts: readonly string[] | undefined,
  /** Names the operator trusts already: FRONTEND_URL's hosts (its pages may open the socket). */
  trustedNames: readonly string[] = [],
): HostPolicy {
  if (allowedHosts?.includes("*") || (allowedHosts === undefined && !isLoopback(bindHost)))
    return { kind: "any" };
  const names = [...(allowedHosts ?? []), ...trustedNames].map((name) => name.toLowerCase());
  return { kind: "only", names };
}

/**
 * Whether a request with this Host header may be answered. IP literals and localhost are always
 * answered (DNS rebinding needs a name of its own); a request without a Host is no browser's.
 */
export function hostAllowed(host: string | undefined, policy: HostPolicy): boolean {
  if (host === undefined || policy.kind === "any") return true;
  const name = hostname(host);
  if (name === null) return false;
  if (isIP(name) !== 0 || name === "localhost" || name.endsWith(".localhost")) return true;
  return policy.names.some((allowed) =>
    allowed.startsWith(".")
      ? name === allowed.slice(1) || name.endsWith(allowed)
      : name === allowed,
  );
}

/**
 * host[:port], the host a DNS name as browsers send it (ASCII; "_" too, as in Docker's service
 * names) or an IP literal.
 */
const HOST_HEADER = /^(\[[0-9a-f:.]+\]|[a-z0-9._-]+)(:\d{1,5})?$/i;

/** The lower-case name in a Host header, without its port or an IPv6 literal's brackets. */
function hostname(host: string): string | null {
  const name = HOST_HEADER.exec(host)?.[1]?.toLowerCase();
  if (name === undefined) return null;
  return name.startsWith("[") ? name.slice(1, -1) : name;
}

/** Whether a listen address is loopback only (127.0.0.0/8, ::1, localhost). */
export function isLoopback(bindHost: string): boolean {
  const name = bindHost.toLowerCase();
  if (name === "localhost" || name === "::1" || name === "[::1]") return true;
  return isIP(name) === 4 && name.startsWith("127.");
}

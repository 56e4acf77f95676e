// What the log says about refused connections: each kind at most once a minute, with counts.
import { LogThrottle } from "./log-throttle.js";
import type { Logger } from "./logger.js";

/** Longest Origin or Host header quoted in the log (the header is the client's to choose). */
const MAX_LOGGED_ORIGIN = 200;

/** One method per kind of refusal; `flush()` writes pending summaries (at shutdown). */
export interface RefusalLog {
  foreignOrigin(origin: string): void;
  unknownHost(host: string): void;
  tooManyUnauthenticated(remote: string, open: number): void;
  badToken(remote: string): void;
  noTokenInTime(remote: string): void;
  malformedParams(remote: string): void;
  tooManyForToken(credential: string, remote: string): void;
  flush(): void;
}

/**
 * Logs refused connections by kind, never the token: a wrong one at warn (someone may be guessing),
 * a client's own bug at info. A flood of one kind yields a line a minute that counts it all.
 */
export function createRefusalLog(logger: Logger, maxConnectionsPerToken: number): RefusalLog {
  let open = 0;
  const kinds = {
    foreignOrigin: new LogThrottle((refused, origins) =>
      logger.warn({ refused, origins }, "refused WebSockets from a foreign origin"),
    ),
    unknownHost: new LogThrottle((refused, hosts) =>
      logger.warn(
        { refused, hosts },
        "refused requests for a host this server does not answer to (see ALLOWED_HOSTS)",
      ),
    ),
    tooManyUnauthenticated: new LogThrottle((refused, remotes) =>
      logger.warn(
        { refused, remotes, open },
        "refused WebSockets: too many have not sent a token yet",
      ),
    ),
    badToken: new LogThrottle((refused, remotes) =>
      logger.warn({ refused, remotes }, "refused connections without a valid access token"),
    ),
    noTokenInTime: new LogThrottle((refused, remotes) =>
      logger.info({ refused, remotes }, "closed connections that sent no access token in time"),
    ),
    malformedParams: new LogThrottle((refused, remotes) =>
      logger.info(
        { refused, remotes },
        "closed connections whose connection params were malformed",
      ),
    ),
    tooManyForToken: new LogThrottle((refused, sources) =>
      logger.warn(
        { refused, sources, max: maxConnectionsPerToken },
        "refused connections: an access token held too many",
      ),
    ),
  };
  return {
    foreignOrigin: (origin) => kinds.foreignOrigin.note(origin.slice(0, MAX_LOGGED_ORIGIN)),
    unknownHost: (host) => kinds.unknownHost.note(host.slice(0, MAX_LOGGED_ORIGIN)),
    tooManyUnauthenticated: (remote, openNow) => {
      open = openNow;
      kinds.tooManyUnauthenticated.note(remote);
    },
    badToken: (remote) => kinds.badToken.note(remote),
    noTokenInTime: (remote) => kinds.noTokenInTime.note(remote),
    malformedParams: (remote) => kinds.malformedParams.note(remote),
    // The credential's id names it without revealing it (see Credentials).
    tooManyForToken: (credential, remote) => kinds.tooManyForToken.note(`${credential}@${remote}`),
    flush: () => {
      for (const kind of Object.values(kinds)) kind.flush();
    },
  };
}

// The shape of GET /health, shared so monitors and tests parse the same thing.
import { z } from "zod";
import { errorCodeSchema } from "./errors.js";

/** The provider's trouble that concerns every new session, as /health reports it. */
export const providerProblemSchema = z.object({
  code: errorCodeSchema,
  message: z.string(),
  /** ISO 8601 time of the first failure in a row like it. */
  since: z.string(),
});
export type ProviderProblem = z.infer<typeof providerProblemSchema>;

/** What `GET /health` answers. */
export const healthSchema = z.object({
  status: z.enum(["ok", "shutting-down"]),
  /** ISO 8601 time of the answer. */
  timestamp: z.string(),
  /** Seconds since the server started. */
  uptime: z.number().nonnegative(),
  ready: z.boolean(),
  provider: z.enum(["local", "e2b"]),
  /**
   * Set while the provider fails in a way every new session would (a refused key, an unreachable
   * API, a missing template): since the last such failure, and until a session starts again.
   */
  providerProblem: providerProblemSchema.nullable(),
  sessions: z.object({
    live: z.number().int().nonnegative(),
    attached: z.number().int().nonnegative(),
    max: z.number().int().positive(),
  }),
});
export type Health = z.infer<typeof healthSchema>;

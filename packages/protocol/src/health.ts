// The shape of GET /health, shared so monitors and tests parse the same thing.
import { z } from "zod";

/** What `GET /health` answers. */
export const healthSchema = z.object({
  status: z.enum(["ok", "shutting-down"]),
  /** ISO 8601 time of the answer. */
  timestamp: z.string(),
  /** Seconds since the server started. */
  uptime: z.number().nonnegative(),
  ready: z.boolean(),
  provider: z.enum(["local", "e2b"]),
  sessions: z.object({
    live: z.number().int().nonnegative(),
    attached: z.number().int().nonnegative(),
    max: z.number().int().positive(),
  }),
});
export type Health = z.infer<typeof healthSchema>;

// Unit tests of the provider's standing trouble.
import { describe, expect, it } from "vitest";
import { ProviderHealth } from "./provider-health.js";

describe("ProviderHealth", () => {
  it("keeps a provider-wide failure until a session starts, and says when it is news", () => {
    const health = new ProviderHealth();
    const refused = { code: "SANDBOX_AUTH", message: "E2B refused the API key" } as const;
    expect(health.failed(refused, new Date(1000))).toBe(true);
    expect(health.failed(refused, new Date(2000))).toBe(false);
    expect(health.problem).toEqual({ ...refused, since: new Date(1000).toISOString() });
    health.worked();
    expect(health.problem).toBeNull();
  });

  it("ignores what concerns one session only", () => {
    const health = new ProviderHealth();
    expect(health.failed({ code: "PROGRAM_MISSING", message: "no claude" })).toBe(false);
    expect(health.failed({ code: "SANDBOX_FAILED", message: "the shell died" })).toBe(false);
    expect(health.problem).toBeNull();
  });
});

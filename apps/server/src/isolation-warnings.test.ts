// The start-up warnings about what local shells can reach.
import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.js";
import { isolationWarnings } from "./isolation-warnings.js";

const config = (env: Record<string, string>) => loadConfig(env, () => "generated-token-0123456789");

describe("isolationWarnings", () => {
  it("warns that unisolated shells can read other tokens and keys from the server", () => {
    expect(isolationWarnings(config({}), 1000)).toEqual([]);
    const twoTokens = config({
      PORTHOLE_TOKEN: "token-a-0123456789abcdef,token-b-0123456789abcdef",
    });
    expect(isolationWarnings(twoTokens, 1000)).toEqual([
      expect.stringContaining("every access token and API key"),
    ]);
    const key = config({ ANTHROPIC_API_KEY: "sk-ant-test" });
    expect(isolationWarnings(key, 1000)).toHaveLength(1);
    expect(
      isolationWarnings(
        config({ ANTHROPIC_API_KEY: "sk-ant-test", LOCAL_ISOLATION: "bubblewrap" }),
        1000,
      ),
    ).toEqual([]);
  });

  it("warns that bubblewrap's shells are root when the server is", () => {
    const isolated = config({ LOCAL_ISOLATION: "bubblewrap" });
    expect(isolationWarnings(isolated, 0)).toEqual([expect.stringContaining("/etc/shadow")]);
    expect(isolationWarnings(isolated, 1000)).toEqual([]);
  });

  it("warns that unisolated shells of a root server are root, and can read its tokens and keys", () => {
    const [alone] = isolationWarnings(config({}), 0);
    expect(alone).toContain("every local shell is root");
    expect(alone).not.toContain("API key");
    expect(isolationWarnings(config({ ANTHROPIC_API_KEY: "sk-ant-test" }), 0)).toEqual([
      expect.stringContaining(
        "every local shell is root on this machine, and can read this server's environment with every access token and API key",
      ),
    ]);
  });

  it("has nothing to say about E2B sandboxes", () => {
    const e2b = config({ E2B_API_KEY: "e2b_test", ANTHROPIC_API_KEY: "sk-ant-test" });
    expect(isolationWarnings(e2b, 0)).toEqual([]);
  });
});

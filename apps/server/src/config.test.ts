// Configuration from the environment: defaults, every bad value as one clear line, no secret printed.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ptyThreadByDefault } from "@porthole/sandbox";
import { describe, expect, it } from "vitest";
import { Credentials } from "./auth.js";
import { loadConfig, redactedConfig, SETTING_NAMES } from "./config.js";
import { unknownSettingWarnings } from "./unknown-settings.js";

const load = (env: Record<string, string>) => loadConfig(env, () => "generated-token-0123456789");
const errorOf = (env: Record<string, string>) => {
  try {
    load(env);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
};

describe("loadConfig", () => {
  it("has working defaults: local provider on 127.0.0.1:3000 with a generated token", () => {
    const config = load({});
    expect(config).toMatchObject({
      port: 3000,
      host: "127.0.0.1",
      provider: "local",
      tokens: ["generated-token-0123456789"],
      tokenGenerated: true,
      frontendOrigins: ["http://localhost:5174"],
      sandboxTimeoutMs: 3_600_000,
    });
  });

  it("runs local PTYs on their thread when there is a second CPU, unless LOCAL_PTY_THREAD says", () => {
    expect(load({}).local.ptyThread).toBe(ptyThreadByDefault());
    expect(load({ LOCAL_PTY_THREAD: "false" }).local.ptyThread).toBe(false);
    expect(load({ LOCAL_PTY_THREAD: "true" }).local.ptyThread).toBe(true);
    expect(load({}).local.keepWorkspaces).toBe(false);
    expect(load({ LOCAL_KEEP_WORKSPACES: "yes" }).local.keepWorkspaces).toBe(true);
  });

  it("keeps a generated token in PORTHOLE_TOKEN_FILE, unless PORTHOLE_TOKEN is set", () => {
    const file = join(mkdtempSync(join(tmpdir(), "porthole-config-")), "token");
    const kept = load({ PORTHOLE_TOKEN_FILE: file });
    expect(kept.tokenGenerated).toBe(true);
    expect(readFileSync(file, "utf8").trim()).toBe(kept.tokens[0]);
    expect(load({ PORTHOLE_TOKEN_FILE: file }).tokens).toEqual(kept.tokens);
    const given = load({ PORTHOLE_TOKEN_FILE: file, PORTHOLE_TOKEN: "given-token-0123456789" });
    expect(given.tokens).toEqual(["given-token-0123456789"]);
  });

  it("picks E2B when an E2B key is set, unless told otherwise", () => {
    expect(load({ E2B_API_KEY: "e2b_x" }).provider).toBe("e2b");
    expect(load({ E2B_API_KEY: "e2b_x", SANDBOX_PROVIDER: "local" }).provider).toBe("local");
  });

  it.each([
    [{ PORT: "abc" }, "Invalid PORT: must be a whole number from 0 to 65535"],
    [{ PORT: "65536" }, "Invalid PORT: must be at most 65535"],
    [{ PORT: "-1" }, "Invalid PORT: must be a whole number from 0 to 65535"],
    [{ SANDBOX_PROVIDER: "docker" }, "Invalid SANDBOX_PROVIDER: must be e2b or local"],
    [{ SANDBOX_PROVIDER: "e2b" }, "Invalid E2B_API_KEY: required when SANDBOX_PROVIDER is e2b"],
    [
      { FRONTEND_URL: "not a url" },
      "Invalid FRONTEND_URL: must be a URL such as http://localhost:5174",
    ],
    [
      { PORTHOLE_TOKEN: "short" },
      "Invalid PORTHOLE_TOKEN: must be one or more comma-separated tokens of 16-256 URL-safe characters",
    ],
    [{ SANDBOX_TIMEOUT: "9" }, "Invalid SANDBOX_TIMEOUT: must be at least 10"],
    [{ LOCAL_ISOLATION: "chroot" }, "Invalid LOCAL_ISOLATION: must be none or bubblewrap"],
    [{ LOCAL_PASS_CREDENTIALS: "maybe" }, "Invalid LOCAL_PASS_CREDENTIALS: must be true or false"],
    [{ LOCAL_PTY_THREAD: "off" }, "Invalid LOCAL_PTY_THREAD: must be true or false"],
    [{ ORPHANS: "adopt" }, "Invalid ORPHANS: must be kill, reattach or keep"],
    [{ LOG_BUFFER_BYTES: "1000" }, "Invalid LOG_BUFFER_BYTES: must be at least 65536"],
    [
      { E2B_API_URL: "http://user:proxypass@127.0.0.1:3250" },
      "Invalid E2B_API_URL: must not hold a user name or password",
    ],
    [
      { E2B_SANDBOX_URL: "https://token@sandbox.example" },
      "Invalid E2B_SANDBOX_URL: must not hold a user name or password",
    ],
    [
      { FRONTEND_URL: "http://a.example,localhost:5174" },
      "Invalid FRONTEND_URL: must be a URL such as http://localhost:5174",
    ],
    [
      { LOG_LEVEL: "verbose" },
      "Invalid LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent",
    ],
    [{ LOG_FORMAT: "text" }, "Invalid LOG_FORMAT: must be auto, json or pretty"],
  ])("refuses %o with one clear line", (env, message) => {
    expect(errorOf(env)).toBe(message);
  });

  it("takes words in any case: True, Bubblewrap, KEEP", () => {
    const config = load({
      LOCAL_PASS_CREDENTIALS: "True",
      LOCAL_ISOLATION: "None",
      ORPHANS: "KEEP",
      SANDBOX_PROVIDER: "Local",
    });
    expect(config).toMatchObject({ provider: "local", orphans: "keep" });
    expect(config.local).toMatchObject({ passCredentials: true, isolation: "none" });
    expect(errorOf({ LOCAL_PASS_CREDENTIALS: "Maybe" })).toBe(
      "Invalid LOCAL_PASS_CREDENTIALS: must be true or false",
    );
  });

  it("says how to write a name and every name below it in ALLOWED_HOSTS", () => {
    expect(errorOf({ ALLOWED_HOSTS: "*.example.com" })).toBe(
      "Invalid ALLOWED_HOSTS: write .example.com, not *.example.com, for a name and every name below it",
    );
    expect(load({ ALLOWED_HOSTS: ".example.com,*" }).hostPolicy).toBeTruthy();
  });

  it("refuses a token named twice", () => {
    expect(errorOf({ PORTHOLE_TOKEN: "token-aaaaaaaaaaaaaaaa,token-aaaaaaaaaaaaaaaa" })).toBe(
      "Invalid PORTHOLE_TOKEN: names a token twice",
    );
  });

  it("allows several pages as FRONTEND_URL, and takes LOG_LEVEL in any case", () => {
    const config = load({
      FRONTEND_URL: "https://a.example/app, http://b.example:8080",
      LOG_LEVEL: "DEBUG",
    });
    expect(config.frontendOrigins).toEqual(["https://a.example", "http://b.example:8080"]);
    expect(config.logLevel).toBe("debug");
  });

  it("logs readable lines on a terminal and JSON elsewhere unless LOG_FORMAT says, in any case", () => {
    expect(load({}).logFormat).toBe("auto");
    expect(load({ LOG_FORMAT: "" }).logFormat).toBe("auto");
    expect(load({ LOG_FORMAT: "JSON" }).logFormat).toBe("json");
    expect(load({ LOG_FORMAT: "Pretty" }).logFormat).toBe("pretty");
    expect(load({ LOG_FORMAT: "auto" }).logFormat).toBe("auto");
    expect(
      unknownSettingWarnings({ LOG_FORMAT: "json", LOG_FROMAT: "json" }, SETTING_NAMES),
    ).toEqual(["LOG_FROMAT is not a setting and is ignored: did you mean LOG_FORMAT?"]);
  });

  it("never prints a secret", () => {
    const config = load({
      PORTHOLE_TOKEN: "tok-0123456789abcdef",
      E2B_API_KEY: "e2b_secret",
      ANTHROPIC_API_KEY: "sk-ant-secret",
    });
    const printed = JSON.stringify(redactedConfig(config));
    expect(printed).not.toMatch(/tok-0123456789abcdef|e2b_secret|sk-ant-secret/);
    expect(printed).toContain("ANTHROPIC_API_KEY");
  });

  it("names each token by the credential id log lines use, in PORTHOLE_TOKEN's order", () => {
    const tokens = ["tok-0123456789abcdef", "tok-fedcba9876543210"];
    const config = load({ PORTHOLE_TOKEN: tokens.join(",") });
    const ids = tokens.map((token) => new Credentials(tokens).identify(token));
    expect(redactedConfig(config).credentials).toEqual(ids);
    expect(ids[0]).toMatch(/^cred_[0-9a-f]{16}$/);
    expect(ids[0]).not.toBe(ids[1]);
  });
});

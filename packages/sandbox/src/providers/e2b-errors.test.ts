// How E2B SDK errors and envd exits map to Porthole's error codes and exit info.
import {
  AuthenticationError,
  CommandExitError,
  RateLimitError,
  SandboxError as E2BSandboxError,
  TimeoutError,
} from "e2b";
import { describe, expect, it } from "vitest";
import { exitFromError } from "./e2b.js";
import { fromE2BError } from "./e2b-errors.js";

describe("fromE2BError", () => {
  it.each([
    [
      new AuthenticationError("Unauthorized"),
      "SANDBOX_AUTH",
      "E2B refused the API key: check E2B_API_KEY",
    ],
    [new RateLimitError("Rate limit exceeded"), "SANDBOX_QUOTA", /limit was reached/],
    [new TimeoutError("deadline"), "SANDBOX_UNREACHABLE", "E2B did not answer in time"],
    [
      Object.assign(new E2BSandboxError("404: template 'x' not found"), { statusCode: 404 }),
      "SANDBOX_TEMPLATE",
      /no template named porthole-claude/,
    ],
    [
      Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNREFUSED" } }),
      "SANDBOX_UNREACHABLE",
      "E2B could not be reached: ECONNREFUSED",
    ],
    [
      Object.assign(new E2BSandboxError("500: boom"), { statusCode: 500 }),
      "SANDBOX_FAILED",
      "E2B failed: 500: boom",
    ],
  ])("maps %o to %s", (error, code, message) => {
    const mapped = fromE2BError(error, "porthole-claude");
    expect(mapped.code).toBe(code);
    expect(mapped.message).toMatch(message);
    expect(mapped.cause).toBe(error);
  });
});

describe("exitFromError", () => {
  const exitError = (exitCode: number, error?: string) =>
    new CommandExitError({ exitCode, error, stdout: "", stderr: "" });

  it("reads exit codes and signals the way envd reports them", () => {
    expect(exitFromError(exitError(3))).toEqual({ code: 3, signal: null });
    expect(exitFromError(exitError(-1, "signal: killed"))).toEqual({
      code: null,
      signal: "SIGKILL",
    });
    expect(exitFromError(exitError(-1, "signal: terminated"))).toEqual({
      code: null,
      signal: "SIGTERM",
    });
  });

  it("does not take a broken connection for an exit", () => {
    expect(exitFromError(new Error("terminated"))).toBeNull();
  });
});

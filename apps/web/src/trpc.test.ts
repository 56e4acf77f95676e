// Unit tests of reconnect backoff, refused-token detection and the /trpc URL.
import { describe, expect, it } from "vitest";
import { defaultTrpcUrl, isUnauthorizedMessage, reconnectDelayMs } from "./trpc.js";

describe("reconnectDelayMs", () => {
  it("retries at once, then backs off to at most 10 s with jitter", () => {
    const middle = () => 0.5;
    expect(reconnectDelayMs(0, middle)).toBe(0);
    expect(reconnectDelayMs(1, middle)).toBe(500);
    expect(reconnectDelayMs(2, middle)).toBe(1000);
    expect(reconnectDelayMs(5, middle)).toBe(8000);
    expect(reconnectDelayMs(30, middle)).toBe(10_000);
    expect(reconnectDelayMs(1, () => 0)).toBe(400);
    expect(reconnectDelayMs(1, () => 1)).toBe(600);
  });
});

describe("isUnauthorizedMessage", () => {
  it("recognises the server's refusal of a token", () => {
    const refusal = JSON.stringify({
      id: null,
      error: {
        message: "A valid access token is required",
        code: -32001,
        data: { code: "UNAUTHORIZED", httpStatus: 401 },
      },
    });
    expect(isUnauthorizedMessage(refusal)).toBe(true);
  });

  it("ignores everything else", () => {
    expect(
      isUnauthorizedMessage(JSON.stringify({ id: 3, error: { data: { code: "UNAUTHORIZED" } } })),
    ).toBe(false);
    expect(
      isUnauthorizedMessage(JSON.stringify({ id: null, error: { data: { code: "PARSE_ERROR" } } })),
    ).toBe(false);
    expect(isUnauthorizedMessage('{"id":null, broken')).toBe(false);
    expect(isUnauthorizedMessage("PONG")).toBe(false);
    expect(isUnauthorizedMessage(new ArrayBuffer(2))).toBe(false);
  });
});

describe("defaultTrpcUrl", () => {
  it("uses the page's host, with wss on https", () => {
    expect(defaultTrpcUrl({ protocol: "http:", host: "localhost:5174" })).toBe(
      "ws://localhost:5174/trpc",
    );
    expect(defaultTrpcUrl({ protocol: "https:", host: "example.test" })).toBe(
      "wss://example.test/trpc",
    );
  });
});

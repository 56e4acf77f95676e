// Unit tests of reconnect backoff and "Retry now", refused-token detection and the /trpc URL.
import { afterEach, describe, expect, it, vi } from "vitest";
import { connect, defaultTrpcUrl, isUnauthorizedMessage, reconnectDelayMs } from "./trpc.js";

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

describe("connect", () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  /** A WebSocket that never reaches the server: each one fails right after it is made. */
  function unreachable(opened: string[]): typeof WebSocket {
    class FailingSocket extends EventTarget {
      static readonly CONNECTING = 0;
      static readonly OPEN = 1;
      static readonly CLOSING = 2;
      static readonly CLOSED = 3;
      readonly OPEN = 1;
      readyState = 0;
      binaryType = "blob";
      constructor(url: string) {
        super();
        opened.push(url);
        setTimeout(() => {
          this.readyState = 3;
          this.dispatchEvent(new Event("error"));
          this.dispatchEvent(Object.assign(new Event("close"), { code: 1006 }));
        }, 0);
      }
      send(): void {}
      close(): void {
        this.readyState = 3;
      }
    }
    // Only what tRPC's client and the app touch is there.
    return FailingSocket as unknown as typeof WebSocket;
  }

  it("starts the next attempt at once on retryNow, not at the end of its backoff", async () => {
    vi.useFakeTimers();
    vi.spyOn(Math, "random").mockReturnValue(0.5);
    const opened: string[] = [];
    const connection = connect({
      url: "ws://porthole.test/trpc",
      token: "token",
      WebSocketImpl: unreachable(opened),
    });
    // Attempts at 0, 0, 0.5 s and 1.5 s; the next waits 2 s, until 3.5 s.
    await vi.advanceTimersByTimeAsync(1600);
    const status = connection.status.get();
    expect(status).toMatchObject({ kind: "connecting", attempt: 4 });
    const retryAt = status.kind === "connecting" ? (status.retryAt ?? 0) : 0;
    expect(retryAt - Date.now()).toBeGreaterThan(1500);
    const before = opened.length;
    await vi.advanceTimersByTimeAsync(100);
    expect(opened.length).toBe(before);

    expect(connection.retryNow()).toBe(true);
    expect(connection.status.get()).toMatchObject({ attempt: 4, retryAt: null });
    await vi.advanceTimersByTimeAsync(1);
    expect(opened.length).toBe(before + 1);
    expect(opened.at(-1)).toMatch(/^ws:\/\/porthole\.test\/trpc\?/);

    // Nothing more is tried once closed, though a wait was under way.
    await vi.advanceTimersByTimeAsync(100);
    expect(connection.retryNow()).toBe(true);
    await vi.advanceTimersByTimeAsync(10);
    await connection.close();
    const atClose = opened.length;
    expect(connection.retryNow()).toBe(false);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(opened.length).toBe(atClose);
    expect(connection.status.get()).toEqual({ kind: "closed" });
  });

  it("paces what tRPC still tries after close(): a call then reopens, and must not spin", async () => {
    vi.useFakeTimers();
    const random = vi.spyOn(Math, "random").mockReturnValue(0.5);
    const opened: string[] = [];
    const connection = connect({
      url: "ws://porthole.test/trpc",
      token: "token",
      WebSocketImpl: unreachable(opened),
    });
    await vi.advanceTimersByTimeAsync(10);
    await connection.close();
    const atClose = opened.length;
    const delaysBefore = random.mock.calls.length;
    void connection.api.session.list.query().catch(() => undefined);
    await vi.advanceTimersByTimeAsync(10_000);
    // Each attempt asks for a delay (its jitter draws a random number) and then sleeps it out:
    // a handful in 10 s, not one per timer tick.
    expect(random.mock.calls.length - delaysBefore).toBeLessThan(20);
    expect(opened.length).toBe(atClose);
    expect(connection.status.get()).toEqual({ kind: "closed" });
  });

  it("has no wait to cut short while the first attempt runs", () => {
    const connection = connect({
      url: "ws://porthole.test/trpc",
      token: "token",
      WebSocketImpl: unreachable([]),
    });
    expect(connection.retryNow()).toBe(false);
    void connection.close();
  });
});

// Unit tests of reading codes and lost-socket failures out of tRPC errors.
import { describe, expect, it } from "vitest";
import { describeError, errorCode, isConnectionLost } from "./errors.js";

describe("errors", () => {
  it("reads our code from a server error", () => {
    const error = Object.assign(new Error("No such session"), {
      data: { porthole: "NOT_FOUND", code: "NOT_FOUND" },
    });
    expect(errorCode(error)).toBe("NOT_FOUND");
    expect(describeError(error)).toEqual({ code: "NOT_FOUND", message: "No such session" });
    expect(isConnectionLost(error)).toBe(false);
  });

  it("tells a lost socket from a server answer", () => {
    const cause = Object.assign(new Error("WebSocket closed"), {
      name: "TRPCWebSocketClosedError",
    });
    const error = new Error("WebSocket closed", { cause });
    expect(isConnectionLost(error)).toBe(true);
    expect(describeError(error)).toEqual({
      code: null,
      message: "The connection to the server was lost",
    });
    expect(isConnectionLost("nope")).toBe(false);
  });
});

// Restart request ids: shared by windows, within the protocol's bound.
import { createSessionInputSchema, MAX_CLIENT_ID_LENGTH } from "@porthole/protocol";
import { describe, expect, it } from "vitest";
import { restartRequestId } from "./restart-request.js";

describe("restartRequestId", () => {
  it("names the ended session, so every window sends the same id, which the server accepts", () => {
    const id = restartRequestId("LUOw5laXsr9sAvRHM1iIli5C");
    expect(id).toBe("restart-LUOw5laXsr9sAvRHM1iIli5C");
    const parsed = createSessionInputSchema.safeParse({ cols: 80, rows: 24, requestId: id });
    expect(parsed.success).toBe(true);
  });

  it("is null for a new tab, and for a session id too long to carry", () => {
    expect(restartRequestId(null)).toBeNull();
    const longest = "x".repeat(MAX_CLIENT_ID_LENGTH - "restart-".length);
    expect(restartRequestId(longest)).toBe(`restart-${longest}`);
    expect(restartRequestId(`${longest}x`)).toBeNull();
  });
});

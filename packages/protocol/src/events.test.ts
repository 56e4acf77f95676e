// Output events: told apart by type; unknown types and codes refused.
import { describe, expect, it } from "vitest";
import { outputStreamEventSchema } from "./events.js";

describe("outputStreamEventSchema", () => {
  it("tells events apart by type", () => {
    expect(outputStreamEventSchema.parse({ type: "output", data: "hi" })).toEqual({
      type: "output",
      data: "hi",
    });
    expect(
      outputStreamEventSchema.parse({ type: "exit", code: null, signal: "SIGKILL" }).type,
    ).toBe("exit");
  });

  it("refuses unknown types and error codes", () => {
    expect(outputStreamEventSchema.safeParse({ type: "bogus" }).success).toBe(false);
    expect(
      outputStreamEventSchema.safeParse({ type: "error", code: "NOPE", message: "x" }).success,
    ).toBe(false);
  });
});

// Output events: told apart by type; unknown types and codes refused.
import { describe, expect, it } from "vitest";
import { outputStreamEventSchema } from "./events.js";

describe("outputStreamEventSchema", () => {
  it("tells events apart by type", () => {
    const bytes = new TextEncoder().encode("hi");
    expect(outputStreamEventSchema.parse({ type: "output", data: bytes })).toEqual({
      type: "output",
      data: bytes,
    });
    // Output is bytes, not text: a string is refused with a clear message.
    const text = outputStreamEventSchema.safeParse({ type: "output", data: "hi" });
    expect(text.error?.issues[0]?.message).toBe("output data must be a Uint8Array");
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

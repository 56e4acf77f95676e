// Terminal contracts at their edges: input bytes, seq, client ids, event ids, acks.
import { describe, expect, it } from "vitest";
import { MAX_CLIENT_ID_LENGTH, MAX_INPUT_BYTES, MAX_SEQ } from "./limits.js";
import {
  eventIdSchema,
  terminalAckSchema,
  terminalInputSchema,
  terminalOutputInputSchema,
  terminalResizeSchema,
} from "./terminal.js";

function firstError(
  schema: {
    safeParse(v: unknown): { success: boolean; error?: { issues: { message: string }[] } };
  },
  value: unknown,
) {
  const result = schema.safeParse(value);
  return result.success ? undefined : result.error?.issues[0]?.message;
}

const ref = { sessionId: "s1", clientId: "c1" };

describe("terminalInputSchema", () => {
  it("accepts exactly MAX_INPUT_BYTES of UTF-8 and refuses one byte more", () => {
    expect(
      firstError(terminalInputSchema, { ...ref, seq: 0, data: "a".repeat(MAX_INPUT_BYTES) }),
    ).toBeUndefined();
    expect(
      firstError(terminalInputSchema, { ...ref, seq: 0, data: "a".repeat(MAX_INPUT_BYTES + 1) }),
    ).toBe(`data must be at most ${MAX_INPUT_BYTES} bytes of UTF-8`);
  });

  it("counts bytes, not characters: multi-byte text hits the limit sooner", () => {
    const euro = "€"; // 3 bytes in UTF-8
    const fits = euro.repeat(MAX_INPUT_BYTES / 4) + "a".repeat(MAX_INPUT_BYTES / 4);
    expect(new TextEncoder().encode(fits).byteLength).toBe(MAX_INPUT_BYTES);
    expect(firstError(terminalInputSchema, { ...ref, seq: 1, data: fits })).toBeUndefined();
    expect(firstError(terminalInputSchema, { ...ref, seq: 1, data: fits + "a" })).toMatch(
      /bytes of UTF-8/,
    );
  });

  it("bounds seq at 0 and MAX_SEQ", () => {
    expect(firstError(terminalInputSchema, { ...ref, seq: MAX_SEQ, data: "" })).toBeUndefined();
    expect(firstError(terminalInputSchema, { ...ref, seq: MAX_SEQ + 1, data: "" })).toBe(
      `seq must be at most ${MAX_SEQ}`,
    );
    expect(firstError(terminalInputSchema, { ...ref, seq: -1, data: "" })).toBe(
      "seq must not be negative",
    );
    expect(firstError(terminalInputSchema, { ...ref, seq: 1.5, data: "" })).toBe(
      "seq must be a whole number",
    );
  });

  it("bounds the client id", () => {
    const ok = { sessionId: "s", seq: 0, data: "" };
    expect(
      firstError(terminalInputSchema, { ...ok, clientId: "c".repeat(MAX_CLIENT_ID_LENGTH) }),
    ).toBeUndefined();
    expect(
      firstError(terminalInputSchema, { ...ok, clientId: "c".repeat(MAX_CLIENT_ID_LENGTH + 1) }),
    ).toBe(`clientId must be at most ${MAX_CLIENT_ID_LENGTH} characters`);
  });
});

describe("terminalResizeSchema", () => {
  it("shares the size bounds of session creation", () => {
    expect(firstError(terminalResizeSchema, { ...ref, seq: 0, cols: 0, rows: 10 })).toBe(
      "cols must be at least 1",
    );
    expect(
      firstError(terminalResizeSchema, { ...ref, seq: 0, cols: 10, rows: 10 }),
    ).toBeUndefined();
  });
});

describe("terminalOutputInputSchema", () => {
  it("keeps lastEventId so tRPC's resume reaches the server", () => {
    expect(
      terminalOutputInputSchema.parse({ sessionId: "s", lastEventId: "1024" }).lastEventId,
    ).toBe("1024");
    expect(
      terminalOutputInputSchema.parse({ sessionId: "s", lastEventId: null }).lastEventId,
    ).toBeNull();
  });

  it("refuses event ids that are not offsets", () => {
    expect(firstError(eventIdSchema, "-1")).toMatch(/decimal output offset/);
    expect(firstError(eventIdSchema, "1".repeat(21))).toBe(
      "lastEventId must be at most 20 characters",
    );
  });
});

describe("terminalAckSchema", () => {
  it("refuses negative offsets", () => {
    expect(firstError(terminalAckSchema, { ...ref, offset: -1 })).toBe(
      "offset must not be negative",
    );
    expect(firstError(terminalAckSchema, { ...ref, offset: 0 })).toBeUndefined();
  });
});

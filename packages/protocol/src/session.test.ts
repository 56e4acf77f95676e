// Session contracts at their edges: sizes, ids, commands and repository URLs.
import { describe, expect, it } from "vitest";
import {
  MAX_COLS,
  MAX_ROWS,
  MAX_SESSION_ID_LENGTH,
  MAX_COMMAND_LENGTH,
  MIN_COLS,
  MIN_ROWS,
} from "./limits.js";
import { createSessionInputSchema, sessionIdSchema, sessionRefInputSchema } from "./session.js";

/** The first error message zod reports for `value`, or undefined when it parses. */
function firstError(
  schema: {
    safeParse(v: unknown): { success: boolean; error?: { issues: { message: string }[] } };
  },
  value: unknown,
) {
  const result = schema.safeParse(value);
  return result.success ? undefined : result.error?.issues[0]?.message;
}

describe("createSessionInputSchema", () => {
  const base = { cols: 80, rows: 24 };

  it("accepts the smallest and largest sizes", () => {
    expect(
      firstError(createSessionInputSchema, { cols: MIN_COLS, rows: MIN_ROWS }),
    ).toBeUndefined();
    expect(
      firstError(createSessionInputSchema, { cols: MAX_COLS, rows: MAX_ROWS }),
    ).toBeUndefined();
  });

  it("refuses one column or row past each edge, saying which bound", () => {
    expect(firstError(createSessionInputSchema, { ...base, cols: MIN_COLS - 1 })).toBe(
      `cols must be at least ${MIN_COLS}`,
    );
    expect(firstError(createSessionInputSchema, { ...base, cols: MAX_COLS + 1 })).toBe(
      `cols must be at most ${MAX_COLS}`,
    );
    expect(firstError(createSessionInputSchema, { ...base, rows: MIN_ROWS - 1 })).toBe(
      `rows must be at least ${MIN_ROWS}`,
    );
    expect(firstError(createSessionInputSchema, { ...base, rows: MAX_ROWS + 1 })).toBe(
      `rows must be at most ${MAX_ROWS}`,
    );
  });

  it("refuses zero, negative, fractional, huge and non-numeric sizes", () => {
    expect(firstError(createSessionInputSchema, { ...base, cols: 0 })).toBe(
      "cols must be at least 1",
    );
    expect(firstError(createSessionInputSchema, { ...base, rows: -5 })).toBe(
      "rows must be at least 1",
    );
    expect(firstError(createSessionInputSchema, { ...base, cols: 80.5 })).toBe(
      "cols must be a whole number",
    );
    expect(firstError(createSessionInputSchema, { ...base, rows: 1e12 })).toBe(
      `rows must be at most ${MAX_ROWS}`,
    );
    expect(firstError(createSessionInputSchema, { ...base, cols: "80" })).toBe(
      "cols must be a number",
    );
    expect(firstError(createSessionInputSchema, { ...base, cols: Number.NaN })).toBe(
      "cols must be a number",
    );
  });

  it("defaults to a shell and refuses unknown keys", () => {
    expect(createSessionInputSchema.parse(base).kind).toBe("shell");
    expect(createSessionInputSchema.safeParse({ ...base, evil: 1 }).success).toBe(false);
  });

  it("takes a start command up to its limit and no longer", () => {
    expect(
      firstError(createSessionInputSchema, { ...base, command: "x".repeat(MAX_COMMAND_LENGTH) }),
    ).toBeUndefined();
    expect(
      firstError(createSessionInputSchema, {
        ...base,
        command: "x".repeat(MAX_COMMAND_LENGTH + 1),
      }),
    ).toBe(`command must be at most ${MAX_COMMAND_LENGTH} characters`);
  });

  it("takes https and git@ repository URLs but nothing a shell would interpret", () => {
    expect(
      firstError(createSessionInputSchema, { ...base, repo: "https://example.com/a/b.git" }),
    ).toBeUndefined();
    expect(
      firstError(createSessionInputSchema, { ...base, repo: "git@example.com:a/b.git" }),
    ).toBeUndefined();
    expect(
      firstError(createSessionInputSchema, { ...base, repo: "https://x/$(rm -rf ~)" }),
    ).toMatch(/shell characters/);
    expect(firstError(createSessionInputSchema, { ...base, repo: "file:///etc" })).toMatch(
      /https:\/\//,
    );
  });
});

describe("sessionIdSchema", () => {
  it("accepts an id at the length limit and refuses one past it", () => {
    expect(firstError(sessionIdSchema, "a".repeat(MAX_SESSION_ID_LENGTH))).toBeUndefined();
    expect(firstError(sessionIdSchema, "a".repeat(MAX_SESSION_ID_LENGTH + 1))).toBe(
      `sessionId must be at most ${MAX_SESSION_ID_LENGTH} characters`,
    );
  });

  it("refuses empty ids and characters outside the URL-safe set", () => {
    expect(firstError(sessionIdSchema, "")).toBe("sessionId must not be empty");
    expect(firstError(sessionIdSchema, "a/b")).toMatch(/only letters/);
    expect(firstError(sessionIdSchema, "a\nb")).toMatch(/only letters/);
    expect(firstError(sessionRefInputSchema, { sessionId: 42 })).toBe("sessionId must be a string");
  });
});

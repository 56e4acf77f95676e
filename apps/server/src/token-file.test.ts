// The kept token: made once (owner-only), read back after a restart, refused when it is not one.
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { keptToken } from "./token-file.js";

const scratch = () => mkdtempSync(join(tmpdir(), "porthole-token-file-"));

describe("keptToken", () => {
  it("writes a generated token once, readable by its owner only, and reads it back", () => {
    const path = join(scratch(), "token");
    let made = 0;
    const generate = () => `generated-token-${++made}-0123456789`;
    const first = keptToken(path, generate);
    expect(first).toBe("generated-token-1-0123456789");
    expect(readFileSync(path, "utf8")).toBe(`${first}\n`);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(keptToken(path, generate)).toBe(first);
    expect(made).toBe(1);
  });

  it("refuses a file that holds no token, one others may read, and a place it cannot write", () => {
    const dir = scratch();
    const short = join(dir, "short");
    writeFileSync(short, "abc\n");
    expect(() => keptToken(short, () => "never-used-0123456789")).toThrow(
      `${short} does not hold a token (16-256 URL-safe characters)`,
    );
    const shared = join(dir, "shared");
    writeFileSync(shared, "shared-token-0123456789\n", { mode: 0o644 });
    chmodSync(shared, 0o644);
    expect(() => keptToken(shared, () => "never-used-0123456789")).toThrow(
      `${shared} is readable by other users (mode 644): chmod 600 it`,
    );
    const nowhere = join(dir, "missing-dir", "token");
    expect(() => keptToken(nowhere, () => "generated-0123456789")).toThrow(
      `cannot use ${nowhere}: its directory does not exist (ENOENT)`,
    );
  });
});

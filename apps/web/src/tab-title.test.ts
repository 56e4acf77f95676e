// Unit tests of new tabs' default titles.
import { describe, expect, it } from "vitest";
import { newTabTitle } from "./tab-title.js";

describe("newTabTitle", () => {
  it("names the first tab of a kind by what it runs", () => {
    expect(newTabTitle("shell", [])).toBe("Shell");
    expect(newTabTitle("claude", ["Shell"])).toBe("Claude Code");
  });

  it("numbers the next ones with the lowest number free", () => {
    expect(newTabTitle("shell", ["Shell"])).toBe("Shell 2");
    expect(newTabTitle("shell", ["Shell", "Shell 2", "Shell 4"])).toBe("Shell 3");
    expect(newTabTitle("claude", ["Claude Code", "build"])).toBe("Claude Code 2");
  });

  it("gives the plain name back once no tab has it (renamed or closed)", () => {
    expect(newTabTitle("shell", ["Shell 2", "build"])).toBe("Shell");
  });
});

import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { shellQuote } from "./shell-quote.js";

/** What bash makes of `word` quoted: the one argument printf receives. */
function readBack(word: string): string {
  return execFileSync("/bin/bash", ["-c", `printf %s ${shellQuote(word)}`], { encoding: "utf8" });
}

describe("shellQuote", () => {
  it("leaves a plain path as it is", () => {
    expect(shellQuote("/usr/local/bin/claude")).toBe("/usr/local/bin/claude");
  });

  it("quotes spaces, quotes and expansions so bash reads back the same word", () => {
    for (const word of ["/opt/my tools/claude", "it's", "$HOME/`x`", "a\\b", "*", ""]) {
      expect(readBack(word)).toBe(word);
    }
  });
});

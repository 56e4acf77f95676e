// Unit tests of telling a terminal's answers to queries, and mouse motion, from typing.
import { describe, expect, it } from "vitest";
import { isMouseMotion, isTerminalReport } from "./terminal-reports.js";

describe("isTerminalReport", () => {
  it("recognises xterm.js's answers, alone and run together", () => {
    for (const report of [
      "\x1b[12;1R",
      "\x1b[0n",
      "\x1b[?1;2c",
      "\x1b[>0;276;0c",
      "\x1b[?12;2$y",
      "\x1b[8;24;80t",
      "\x1b[I",
      "\x1b]11;rgb:1414/1616/1b1b\x1b\\",
      "\x1b]10;rgb:d8d8/dede/e9e9\x07",
      "\x1bP1$r0m\x1b\\",
      "\x1b[2;2R\x1b[>0;276;0c\x1b]11;rgb:0/0/0\x07",
    ]) {
      expect(isTerminalReport(report), JSON.stringify(report)).toBe(true);
    }
  });

  it("takes typing for typing, whatever its escape sequences", () => {
    for (const typed of [
      "",
      "a",
      "日本語",
      "ls\r",
      "\x1b[A",
      "\x1b",
      "\x1bOA",
      "\x1b[1;5C",
      "\x03",
      "x\x1b[12;1R",
    ]) {
      expect(isTerminalReport(typed), JSON.stringify(typed)).toBe(false);
    }
  });
});

describe("isMouseMotion", () => {
  it("recognises the pointer moving or dragging, SGR and X10, alone and run together", () => {
    for (const motion of [
      "\x1b[<35;10;5M",
      "\x1b[<32;1;1M",
      "\x1b[<35;10;5M\x1b[<35;11;5M",
      `\x1b[M${String.fromCharCode(32 + 35)}!!`,
    ]) {
      expect(isMouseMotion(motion), JSON.stringify(motion)).toBe(true);
    }
  });

  it("takes clicks, wheel turns and typing for the person choosing the window", () => {
    for (const chosen of [
      "",
      "a",
      "\x1b[<0;10;5M",
      "\x1b[<0;10;5m",
      "\x1b[<64;10;5M",
      `\x1b[M${String.fromCharCode(32)}!!`,
      "\x1b[<35;10;5Mx",
      "\x1b[<35;10;5M\x1b[<0;10;5M",
      "\x1b[A",
    ]) {
      expect(isMouseMotion(chosen), JSON.stringify(chosen)).toBe(false);
    }
  });
});

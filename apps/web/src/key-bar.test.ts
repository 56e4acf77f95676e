// Unit tests of the key bar's sticky modifiers and arrow sequences.
import { describe, expect, it } from "vitest";
import { applyModifiers, arrowSequence } from "./key-bar.js";

describe("applyModifiers", () => {
  it("turns letters into control characters with Ctrl", () => {
    expect(applyModifiers("c", { ctrl: true, alt: false })).toBe("\x03");
    expect(applyModifiers("C", { ctrl: true, alt: false })).toBe("\x03");
    expect(applyModifiers("a", { ctrl: true, alt: false })).toBe("\x01");
    expect(applyModifiers("[", { ctrl: true, alt: false })).toBe("\x1b");
    expect(applyModifiers(" ", { ctrl: true, alt: false })).toBe("\x00");
    expect(applyModifiers("?", { ctrl: true, alt: false })).toBe("\x7f");
  });

  it("prefixes ESC with Alt, and combines with Ctrl", () => {
    expect(applyModifiers("b", { ctrl: false, alt: true })).toBe("\x1bb");
    expect(applyModifiers("x", { ctrl: true, alt: true })).toBe("\x1b\x18");
  });

  it("passes longer input (pastes, escape sequences) and unmodified keys through", () => {
    expect(applyModifiers("hello", { ctrl: true, alt: true })).toBe("hello");
    expect(applyModifiers("\x1b[A", { ctrl: true, alt: false })).toBe("\x1b[A");
    expect(applyModifiers("1", { ctrl: true, alt: false })).toBe("1");
    expect(applyModifiers("é", { ctrl: false, alt: false })).toBe("é");
  });
});

describe("arrowSequence", () => {
  it("follows the application cursor keys mode", () => {
    expect(arrowSequence("up", false)).toBe("\x1b[A");
    expect(arrowSequence("left", true)).toBe("\x1bOD");
  });
});

// Which window's answers to terminal queries reach the program.
import { describe, expect, it } from "vitest";
import { Typists } from "./typists.js";

describe("Typists", () => {
  const attached =
    (...ids: string[]) =>
    (id: string) =>
      ids.includes(id);

  it("lets any window answer until one types, then only that one while it is attached", () => {
    const typists = new Typists();
    expect(typists.mayAnswer("s", "a", attached("a", "b"))).toBe(true);
    expect(typists.mayAnswer("s", "b", attached("a", "b"))).toBe(true);
    typists.typed("s", "a");
    expect(typists.mayAnswer("s", "a", attached("a", "b"))).toBe(true);
    expect(typists.mayAnswer("s", "b", attached("a", "b"))).toBe(false);
    // The typist's window closed (or reloaded, with a new id): the others answer again.
    expect(typists.mayAnswer("s", "b", attached("b"))).toBe(true);
    // Sessions are apart, and a forgotten one starts over.
    expect(typists.mayAnswer("t", "b", attached("a", "b"))).toBe(true);
    typists.forget("s");
    expect(typists.mayAnswer("s", "b", attached("a", "b"))).toBe(true);
  });
});

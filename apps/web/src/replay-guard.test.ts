// Unit tests of dropping the terminal's answers to replayed queries.
import { describe, expect, it } from "vitest";
import { ReplayGuard, type Writable } from "./replay-guard.js";

/** A terminal that parses writes later, in order, calling each write's callback after parsing. */
class FakeTerminal implements Writable {
  readonly queue: { data: string; callback?: () => void }[] = [];
  readonly parsed: string[] = [];
  onParse: (data: string) => void = () => {};

  write(data: string, callback?: () => void): void {
    this.queue.push({ data, callback });
  }

  parseAll(): void {
    for (let next = this.queue.shift(); next; next = this.queue.shift()) {
      this.onParse(next.data);
      this.parsed.push(next.data);
      next.callback?.();
    }
  }
}

describe("ReplayGuard", () => {
  it("drops what the terminal emits while it parses replayed bytes, not while it parses live ones", () => {
    const guard = new ReplayGuard(() => false);
    const terminal = new FakeTerminal();
    const decisions: [string, boolean][] = [];
    terminal.onParse = (data) => decisions.push([data, guard.shouldDrop()]);
    guard.write(terminal, "replayed \x1b[c", true);
    guard.write(terminal, "live \x1b[c", false);
    guard.write(terminal, "snapshot", true);
    terminal.parseAll();
    expect(decisions).toEqual([
      ["replayed \x1b[c", true],
      ["live \x1b[c", false],
      ["snapshot", true],
    ]);
    expect(guard.dropped).toBe(2);
    expect(guard.pendingWrites).toBe(0);
  });

  it("lets keystrokes through even while replayed bytes wait to be parsed", () => {
    let userEvent = false;
    const guard = new ReplayGuard(() => userEvent);
    const terminal = new FakeTerminal();
    guard.write(terminal, "replayed", true);
    userEvent = true;
    expect(guard.shouldDrop()).toBe(false);
    userEvent = false;
    expect(guard.asUser(() => guard.shouldDrop())).toBe(false);
    expect(guard.shouldDrop()).toBe(true);
  });

  it("runs each write's own callback after it is parsed", () => {
    const guard = new ReplayGuard(() => false);
    const terminal = new FakeTerminal();
    const done: string[] = [];
    guard.write(terminal, "a", true, () => done.push("a"));
    guard.write(terminal, "b", false, () => done.push("b"));
    expect(guard.replaying).toBe(true);
    terminal.parseAll();
    expect(done).toEqual(["a", "b"]);
    expect(guard.replaying).toBe(false);
  });
});

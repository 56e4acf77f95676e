// Unit tests of the remembered tab list and its reconciliation with the server's sessions.
import type { SessionInfo } from "@porthole/protocol";
import { describe, expect, it } from "vitest";
import { loadTabs, parseTabs, reconcileTabs, saveTabs, tabsKey } from "./tab-store.js";

function session(id: string, overrides: Partial<SessionInfo> = {}): SessionInfo {
  return {
    id,
    title: `title-${id}`,
    kind: "shell",
    provider: "local",
    isolation: "none",
    state: "running",
    cols: 80,
    rows: 24,
    createdAt: 0,
    outputBytes: 0,
    attached: 0,
    exit: null,
    ...overrides,
  };
}

function memory() {
  const map = new Map<string, string>();
  return {
    map,
    storage: {
      getItem: (key: string) => map.get(key) ?? null,
      setItem: (key: string, value: string) => void map.set(key, value),
    },
  };
}

describe("tab storage", () => {
  it("round-trips per credential scope", () => {
    const { map, storage } = memory();
    saveTabs(storage, "aaaa", {
      tabs: [{ sessionId: "s1", kind: "claude", title: "Claude Code" }],
      active: "s1",
    });
    expect(loadTabs(storage, "aaaa")).toEqual({
      tabs: [{ sessionId: "s1", kind: "claude", title: "Claude Code" }],
      active: "s1",
    });
    expect(loadTabs(storage, "bbbb")).toEqual({ tabs: [], active: null });
    expect([...map.keys()]).toEqual([tabsKey("aaaa")]);
  });

  it("treats anything unreadable as no tabs", () => {
    const { map, storage } = memory();
    map.set(tabsKey("x"), "{not json");
    expect(loadTabs(storage, "x")).toEqual({ tabs: [], active: null });
    map.set(
      tabsKey("x"),
      JSON.stringify({
        tabs: [{ sessionId: 3 }, { sessionId: "ok", kind: "shell", title: "t" }],
        active: 5,
      }),
    );
    expect(loadTabs(storage, "x")).toEqual({
      tabs: [{ sessionId: "ok", kind: "shell", title: "t" }],
      active: null,
    });
  });
});

describe("parseTabs", () => {
  it("reads a storage event's value, tab keys included", () => {
    const tab = { key: "k1", sessionId: "s2", kind: "shell" as const, title: "Shell" };
    expect(
      parseTabs(JSON.stringify({ tabs: [tab, { key: 7, sessionId: "s3" }], active: "s2" })),
    ).toEqual({
      tabs: [tab],
      active: "s2",
    });
    expect(parseTabs(null)).toEqual({ tabs: [], active: null });
  });
});

describe("reconcileTabs", () => {
  it("keeps remembered order, drops sessions the server lost, adds the ones made elsewhere", () => {
    const stored = {
      tabs: [
        { key: "tab-b", sessionId: "b", kind: "shell" as const, title: "old title" },
        { sessionId: "gone", kind: "shell" as const, title: "gone" },
        { sessionId: "a", kind: "claude" as const, title: "a" },
      ],
      active: "gone",
    };
    const live = [
      session("a", { kind: "claude", createdAt: 1 }),
      session("b", { createdAt: 2 }),
      session("d", { createdAt: 9 }),
      session("c", { createdAt: 5 }),
      session("closed", { state: "closed" }),
    ];
    expect(reconcileTabs(stored, live)).toEqual({
      tabs: [
        // A tab keeps its key; one saved without a key, or made elsewhere, gets its session's.
        { key: "tab-b", sessionId: "b", kind: "shell", title: "title-b" },
        { key: "session-a", sessionId: "a", kind: "claude", title: "title-a" },
        { key: "session-c", sessionId: "c", kind: "shell", title: "title-c" },
        { key: "session-d", sessionId: "d", kind: "shell", title: "title-d" },
      ],
      // The remembered front tab is gone: the first one comes to the front.
      active: "b",
    });
  });

  it("keeps the remembered front tab, and exited sessions (their last screen and exit code)", () => {
    const result = reconcileTabs(
      {
        tabs: [
          { sessionId: "x", kind: "shell", title: "x" },
          { sessionId: "y", kind: "shell", title: "y" },
        ],
        active: "y",
      },
      [session("x"), session("y", { state: "exited", exit: { code: 0, signal: null } })],
    );
    expect(result.active).toBe("y");
    expect(result.tabs.map((tab) => tab.sessionId)).toEqual(["x", "y"]);
  });

  it("is empty when the server has nothing", () => {
    expect(
      reconcileTabs({ tabs: [{ sessionId: "x", kind: "shell", title: "x" }], active: "x" }, []),
    ).toEqual({ tabs: [], active: null });
  });
});

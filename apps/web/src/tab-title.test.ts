// Unit tests of tab titles: new tabs' default names, and a name against the title the program set.
import { MAX_TITLE_LENGTH } from "@porthole/protocol";
import { describe, expect, it } from "vitest";
import {
  cleanProgramTitle,
  isDefaultTitle,
  NAMED_MARK,
  nameOf,
  newTabTitle,
  personName,
  shownTitle,
  tabTooltip,
  withoutStatusGlyph,
} from "./tab-title.js";

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

describe("isDefaultTitle", () => {
  it("knows the names the app gives, numbered or not, for the tab's own kind", () => {
    expect(isDefaultTitle("shell", "Shell")).toBe(true);
    expect(isDefaultTitle("shell", "Shell 2")).toBe(true);
    expect(isDefaultTitle("claude", "Claude Code 12")).toBe(true);
  });

  it("takes any other title for a person's", () => {
    for (const title of ["build", "Shell 1", "Shell 02", "Shell 2 ", "Shell two", "Claude Code"]) {
      expect(isDefaultTitle("shell", title), title).toBe(false);
    }
    expect(isDefaultTitle("claude", "Shell")).toBe(false);
  });
});

describe("cleanProgramTitle", () => {
  it("trims and keeps one line", () => {
    expect(cleanProgramTitle("  vim  main.c \n")).toBe("vim main.c");
    expect(cleanProgramTitle("a\tb\u0007c\u009bd")).toBe("a b c d");
    expect(cleanProgramTitle(" \n\t ")).toBe("");
  });

  it("drops bidirectional overrides, which could turn the window title around", () => {
    expect(cleanProgramTitle("\u202egnp.exe\u202c")).toBe("gnp.exe");
    // Every Bidi_Control character: the marks (U+061C ARABIC LETTER MARK too), embeddings,
    // overrides and isolates.
    for (const mark of ["\u061c", "\u200e", "\u200f", "\u202a", "\u202d", "\u2066", "\u2069"]) {
      expect(cleanProgramTitle(`a${mark}b`), mark.codePointAt(0)!.toString(16)).toBe("a b");
    }
    // Letters of right-to-left scripts stay: only the invisible controls go.
    expect(cleanProgramTitle("\u0645\u0644\u0641 notes")).toBe("\u0645\u0644\u0641 notes");
  });

  it("bounds the length to MAX_TITLE_LENGTH characters without splitting one", () => {
    const long = cleanProgramTitle("x".repeat(MAX_TITLE_LENGTH * 3));
    expect(long).toHaveLength(MAX_TITLE_LENGTH);
    expect(long.endsWith("…")).toBe(true);
    const emoji = cleanProgramTitle("😀".repeat(MAX_TITLE_LENGTH + 1));
    expect(Array.from(emoji)).toHaveLength(MAX_TITLE_LENGTH);
    expect(emoji).toBe("😀".repeat(MAX_TITLE_LENGTH - 1) + "…");
    expect(cleanProgramTitle("y".repeat(MAX_TITLE_LENGTH))).toBe("y".repeat(MAX_TITLE_LENGTH));
  });
});

describe("shownTitle and tabTooltip", () => {
  it("shows the program's title on a tab with the app's name", () => {
    const parts = {
      kind: "claude" as const,
      title: "Claude Code 2",
      programTitle: "✳ Claude Code",
    };
    expect(shownTitle(parts)).toBe("✳ Claude Code");
    expect(tabTooltip(parts)).toBe("✳ Claude Code\nClaude Code session");
  });

  it("shows the tab's name when no program title is set (none yet, or an empty one)", () => {
    const parts = { kind: "shell" as const, title: "Shell 2", programTitle: "" };
    expect(shownTitle(parts)).toBe("Shell 2");
    expect(tabTooltip(parts)).toBe("Shell 2");
  });

  it("shows a name a person gave, whatever the program sets", () => {
    const parts = { kind: "shell" as const, title: "build", programTitle: "vim main.c" };
    expect(shownTitle(parts)).toBe("build");
    expect(tabTooltip(parts)).toBe("build\nvim main.c\nShell session");
    expect(tabTooltip({ ...parts, programTitle: "" })).toBe("build\nShell session");
  });
});

describe("personName", () => {
  it("keeps a name that cannot be taken for the app's as typed, trimmed", () => {
    expect(personName("shell", "  build ")).toBe("build");
    expect(personName("shell", "Claude Code")).toBe("Claude Code");
    expect(personName("shell", "")).toBe("");
  });

  it("marks a name that reads as the app's, so that every window takes it for a person's", () => {
    for (const [kind, typed] of [
      ["shell", "Shell 7"],
      ["shell", "Shell"],
      ["claude", "Claude Code"],
      ["claude", " Claude Code 2 "],
    ] as const) {
      const title = personName(kind, typed);
      expect(title).toBe(typed.trim() + NAMED_MARK);
      expect(isDefaultTitle(kind, title)).toBe(false);
      // Shown as typed, in the tab, its tooltip and the window's title.
      const parts = { kind, title, programTitle: "✳ Claude Code" };
      expect(shownTitle(parts)).toBe(typed.trim());
      expect(tabTooltip(parts)).toBe(
        `${typed.trim()}\n✳ Claude Code\n${kind === "claude" ? "Claude Code" : "Shell"} session`,
      );
    }
  });

  it("takes a marked name typed again (an unchanged field) as it is, marked once", () => {
    const once = personName("shell", "Shell 7");
    expect(personName("shell", once)).toBe(once);
    expect(personName("shell", nameOf(once))).toBe(once);
    expect(personName("shell", `${NAMED_MARK}build`)).toBe("build");
  });

  it("is not counted as taken twice: a new tab is not given a number that shows already", () => {
    expect(newTabTitle("shell", ["Shell", personName("shell", "Shell 2")])).toBe("Shell 3");
  });
});

describe("withoutStatusGlyph", () => {
  it("drops the status mark a program puts before its title", () => {
    for (const title of ["✳ Claude Code", "◑ Claude Code", "⠂ Claude Code", "· Claude Code"]) {
      expect(withoutStatusGlyph(title), title).toBe("Claude Code");
    }
    expect(withoutStatusGlyph("✳\uFE0F Claude Code")).toBe("Claude Code");
  });

  it("keeps titles that start with a word, a path or a number, and a mark alone", () => {
    for (const title of ["vim main.c", "user@host: ~", "~/src", "[1] build", "2 jobs", "✳", "✳ "]) {
      expect(withoutStatusGlyph(title), title).toBe(title);
    }
  });
});

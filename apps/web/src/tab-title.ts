// Tab titles: a new tab's numbered name, and what a tab shows (its name, or the title its program set).
import { defaultSessionTitle, MAX_TITLE_LENGTH, type SessionKind } from "@porthole/protocol";

/**
 * "Shell" for the first shell, then "Shell 2", "Shell 3"... (the lowest number no tab in `titles`
 * has), so tabs can be told apart before anyone renames them.
 */
export function newTabTitle(kind: SessionKind, titles: Iterable<string>): string {
  const base = defaultSessionTitle(kind);
  // A person's "Shell 2" (marked, see personName) looks the same: not given twice.
  const taken = new Set(Array.from(titles, nameOf));
  if (!taken.has(base)) return base;
  let number = 2;
  while (taken.has(`${base} ${number}`)) number++;
  return `${base} ${number}`;
}

/**
 * Ends a name a person gave that reads as one the app gives ("Shell 7", "Claude Code"):
 * U+2060 WORD JOINER, invisible and zero-width, which the server keeps as part of the title.
 *
 * The server stores a session's title and nothing about who gave it, and every window (another
 * browser, a fresh profile, a reload) must tell a person's name from the app's by that string
 * alone (see isDefaultTitle). Without a mark, a person's "Shell 7" read as the app's, and the
 * program's title kept showing over it: the rename seemed to do nothing. Knowing each tab's own
 * default name would not do: other browsers never learn it, and a Claude Code tab renamed
 * "Claude Code" (its program's title without the spinner) is named exactly its default.
 */
export const NAMED_MARK = "\u2060";

/** A title as shown and edited: without NAMED_MARK. */
export function nameOf(title: string): string {
  return title.replaceAll(NAMED_MARK, "");
}

/**
 * The title a name typed by a person is saved as: trimmed, and marked with NAMED_MARK when it
 * reads as a name the app gives tabs of `kind`, so that it still counts as a person's. "" stays
 * "" (the app gives the tab a default name back).
 */
export function personName(kind: SessionKind, typed: string): string {
  const name = nameOf(typed).trim();
  return name !== "" && isDefaultTitle(kind, name) ? name + NAMED_MARK : name;
}

/**
 * Whether `title` is a name the app gives tabs of `kind` (see newTabTitle) rather than one a
 * person chose. The server keeps only the title, not who gave it, so this is how any window
 * (another browser, a fresh profile) tells a rename from a default name; a person's name that
 * reads as a default carries NAMED_MARK (see personName), and is not one.
 */
export function isDefaultTitle(kind: SessionKind, title: string): boolean {
  const base = defaultSessionTitle(kind);
  if (title === base) return true;
  if (!title.startsWith(`${base} `)) return false;
  const number = title.slice(base.length + 1);
  return /^[1-9][0-9]{0,8}$/.test(number) && Number(number) >= 2;
}

/**
 * C0 and C1 controls, and every bidirectional control (Unicode's Bidi_Control: the marks,
 * U+061C ARABIC LETTER MARK among them, embeddings, overrides and isolates): a title reaches the
 * tab, its tooltip and the window's title, where such characters could break the line or run the
 * " · Porthole" after it backwards.
 */
const UNSHOWABLE = /[\p{Cc}\p{Bidi_Control}]+/gu;

/**
 * A title a program set (OSC 0 or 2) as a tab can show it: one line, spaces trimmed and runs of
 * them kept to one, at most MAX_TITLE_LENGTH characters (as a name may be). "" when nothing
 * showable is left.
 */
export function cleanProgramTitle(raw: string): string {
  const line = raw.replace(UNSHOWABLE, " ").replace(/\s+/g, " ").trim();
  // Cut by code points, so a character outside the BMP (an emoji) is not split in half.
  const points = Array.from(line);
  return points.length > MAX_TITLE_LENGTH
    ? points
        .slice(0, MAX_TITLE_LENGTH - 1)
        .join("")
        .trimEnd() + "…"
    : line;
}

/** What a tab's label is made from. */
export interface TabTitleParts {
  kind: SessionKind;
  /** The session's title: a person's name for the tab, or the one the app gave it. */
  title: string;
  /** The title the program set, cleaned (see cleanProgramTitle); "" when none is set. */
  programTitle: string;
}

/**
 * What the tab (and the window, when it is in front) is called: a name a person gave always; else
 * the title the program set, as in desktop terminals; else the app's name for the tab.
 */
export function shownTitle(parts: TabTitleParts): string {
  if (!isDefaultTitle(parts.kind, parts.title)) return nameOf(parts.title);
  return parts.programTitle || parts.title;
}

/**
 * A program's title without the status mark it starts with (Claude Code's "✳ " or its spinner's
 * "⠂ "), as the rename field offers it: kept as a tab's name, the mark would stand still.
 */
export function withoutStatusGlyph(title: string): string {
  return title.replace(/^[\p{S}\p{Po}]\uFE0F?\s+(?=\S)/u, "");
}

/**
 * The tab's tooltip: its label, the other title when both exist (the program's under a person's
 * name), and what the session runs, unless the label is the app's name that says so already.
 */
export function tabTooltip(parts: TabTitleParts): string {
  const shown = shownTitle(parts);
  const lines = [shown];
  if (parts.programTitle !== "" && parts.programTitle !== shown) lines.push(parts.programTitle);
  if (!(shown === parts.title && isDefaultTitle(parts.kind, parts.title))) {
    lines.push(`${defaultSessionTitle(parts.kind)} session`);
  }
  return lines.join("\n");
}

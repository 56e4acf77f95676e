// Tab titles: a new tab's numbered name, and what a tab shows (its name, or the title its program set).
import { defaultSessionTitle, MAX_TITLE_LENGTH, type SessionKind } from "@porthole/protocol";

/**
 * "Shell" for the first shell, then "Shell 2", "Shell 3"... (the lowest number no tab in `titles`
 * has), so tabs can be told apart before anyone renames them.
 */
export function newTabTitle(kind: SessionKind, titles: Iterable<string>): string {
  const base = defaultSessionTitle(kind);
  const taken = new Set(titles);
  if (!taken.has(base)) return base;
  let number = 2;
  while (taken.has(`${base} ${number}`)) number++;
  return `${base} ${number}`;
}

/**
 * Whether `title` is a name the app gives tabs of `kind` (see newTabTitle) rather than one a
 * person chose. The server keeps only the title, not who gave it, so this is how any window
 * (another browser, a fresh profile) tells a rename from a default name.
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
  if (!isDefaultTitle(parts.kind, parts.title)) return parts.title;
  return parts.programTitle || parts.title;
}

/**
 * The tab's tooltip: its label, the other title when both exist (the program's under a person's
 * name), and what the session runs, unless the label is the app's name that says so already.
 */
export function tabTooltip(parts: TabTitleParts): string {
  const shown = shownTitle(parts);
  const lines = [shown];
  if (parts.programTitle !== "" && parts.programTitle !== shown) lines.push(parts.programTitle);
  if (!(shown === parts.title && isDefaultTitle(parts.kind, shown))) {
    lines.push(`${defaultSessionTitle(parts.kind)} session`);
  }
  return lines.join("\n");
}

// A new tab's title: what it runs, numbered when another tab of the window already has that name.
import { defaultSessionTitle, type SessionKind } from "@porthole/protocol";

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

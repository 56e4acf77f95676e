// The tab list in localStorage (per credential), and how it is reconciled with the server's sessions.
import type { SessionInfo, SessionKind } from "@porthole/protocol";

/** One remembered tab. */
export interface StoredTab {
  /**
   * Names the tab itself, the same in every window of the browser, while its session changes: a
   * restart in one window starts a new session in the tab, and the others move their view of the
   * same tab to it rather than add one (see tabKeyOf for lists saved without it).
   */
  key?: string;
  sessionId: string;
  kind: SessionKind;
  title: string;
  /**
   * When the title was last given, by a rename in some window (ms since the epoch); absent for a
   * session's first title. Windows take another's title only when it is newer than their own.
   */
  titledAt?: number;
}

/** Everything remembered about the tabs of one credential. */
export interface StoredTabs {
  tabs: StoredTab[];
  /** Session id of the tab in front, if any. */
  active: string | null;
}

const EMPTY: StoredTabs = { tabs: [], active: null };

/** The localStorage key for one credential's tabs (see tokenScope). */
export function tabsKey(scope: string): string {
  return `porthole.tabs.${scope}`;
}

function isStoredTab(value: unknown): value is StoredTab {
  if (typeof value !== "object" || value === null) return false;
  const tab = value as Record<string, unknown>;
  return (
    (tab.key === undefined || typeof tab.key === "string") &&
    typeof tab.sessionId === "string" &&
    (tab.kind === "shell" || tab.kind === "claude") &&
    typeof tab.title === "string" &&
    (tab.titledAt === undefined || (typeof tab.titledAt === "number" && tab.titledAt >= 0))
  );
}

/**
 * The key of a remembered tab: its own, or, for one saved without it, one made from its session id,
 * so that every window reading that list gives the tab the same key.
 */
export function tabKeyOf(tab: Pick<StoredTab, "key" | "sessionId">): string {
  return tab.key ?? `session-${tab.sessionId}`;
}

/** Reads the remembered tabs; anything unreadable counts as none. */
export function loadTabs(storage: Pick<Storage, "getItem">, scope: string): StoredTabs {
  let raw: string | null;
  try {
    raw = storage.getItem(tabsKey(scope));
  } catch {
    return EMPTY;
  }
  return parseTabs(raw);
}

/**
 * Reads a saved tab list (a storage event's newValue, say); anything unreadable counts as none.
 */
export function parseTabs(raw: string | null): StoredTabs {
  if (!raw) return EMPTY;
  try {
    const parsed = JSON.parse(raw) as { tabs?: unknown; active?: unknown };
    const tabs = Array.isArray(parsed.tabs) ? parsed.tabs.filter(isStoredTab) : [];
    const active = typeof parsed.active === "string" ? parsed.active : null;
    return { tabs, active };
  } catch {
    return EMPTY;
  }
}

/** Remembers the tabs (storage errors are ignored: the list then lives for this page only). */
export function saveTabs(storage: Pick<Storage, "setItem">, scope: string, tabs: StoredTabs): void {
  try {
    storage.setItem(tabsKey(scope), JSON.stringify(tabs));
  } catch {
    // Quota or privacy settings: nothing to do.
  }
}

/**
 * The tabs to show after a reload: the server's sessions for this credential are the truth.
 * Remembered tabs keep their order (and titles come from the server); sessions the server no
 * longer has drop out; sessions it has that were not remembered (made elsewhere) follow, oldest
 * first. Closed and failed sessions are left out.
 */
export function reconcileTabs(stored: StoredTabs, live: readonly SessionInfo[]): StoredTabs {
  const usable = live.filter((session) => session.state !== "closed" && session.state !== "failed");
  const byId = new Map(usable.map((session) => [session.id, session]));
  const tabs: StoredTab[] = [];
  const seen = new Set<string>();
  for (const tab of stored.tabs) {
    const session = byId.get(tab.sessionId);
    if (!session || seen.has(session.id)) continue;
    seen.add(session.id);
    tabs.push({
      key: tabKeyOf(tab),
      sessionId: session.id,
      kind: session.kind,
      title: session.title,
    });
  }
  const others = usable
    .filter((session) => !seen.has(session.id))
    .sort((a, b) => a.createdAt - b.createdAt);
  for (const session of others) {
    tabs.push({
      key: tabKeyOf({ sessionId: session.id }),
      sessionId: session.id,
      kind: session.kind,
      title: session.title,
    });
  }
  const active =
    stored.active !== null && tabs.some((tab) => tab.sessionId === stored.active)
      ? stored.active
      : (tabs[0]?.sessionId ?? null);
  return { tabs, active };
}

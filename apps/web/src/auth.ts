// The access token: taken once from the URL fragment, kept in sessionStorage, never left in the address bar.

/** The sessionStorage key holding this tab's token between reloads. */
export const TOKEN_STORAGE_KEY = "porthole.token";

/** What token handling reads and changes: the browser's own objects, or fakes in tests. */
export interface TokenEnvironment {
  location: Pick<Location, "hash" | "pathname" | "search">;
  history: Pick<History, "replaceState" | "state">;
  storage: Pick<Storage, "getItem" | "setItem" | "removeItem">;
}

/** The fragment split into the token (if it names one) and the other `&`-separated parts. */
export interface ParsedFragment {
  /** The token, or null when the fragment has no non-empty `token=`. */
  token: string | null;
  /** Whether a `token=` part was present at all (it is removed even when empty). */
  hadToken: boolean;
  /** The other parts, joined with `&` (no leading `#`). */
  rest: string;
}

/**
 * Parses `#token=...&other`. Decodes percent-escapes but keeps `+` as is (tokens may hold `+`,
 * which URLSearchParams would turn into a space).
 */
export function parseFragment(hash: string): ParsedFragment {
  const body = hash.startsWith("#") ? hash.slice(1) : hash;
  let token: string | null = null;
  let hadToken = false;
  const rest: string[] = [];
  for (const part of body.split("&")) {
    if (part === "") continue;
    if (!part.startsWith("token=")) {
      rest.push(part);
      continue;
    }
    hadToken = true;
    const raw = part.slice("token=".length);
    let value: string;
    try {
      value = decodeURIComponent(raw);
    } catch {
      value = raw;
    }
    value = value.trim();
    if (value !== "") token = value;
  }
  return { token, hadToken, rest: rest.join("&") };
}

function tryStorage<T>(action: () => T, fallback: T): T {
  try {
    return action();
  } catch {
    // Storage can be disabled (privacy settings); the token then lasts for this page load only.
    return fallback;
  }
}

/**
 * The token for this page: from the fragment when it has one (then stored, and the fragment is
 * removed from the address bar and history), else from sessionStorage; null when neither has one.
 */
export function takeToken(env: TokenEnvironment): string | null {
  const fragment = parseFragment(env.location.hash);
  if (fragment.hadToken) {
    const url = `${env.location.pathname}${env.location.search}${fragment.rest ? `#${fragment.rest}` : ""}`;
    env.history.replaceState(env.history.state, "", url);
  }
  if (fragment.token !== null) {
    const token = fragment.token;
    tryStorage(() => env.storage.setItem(TOKEN_STORAGE_KEY, token), undefined);
    return token;
  }
  const stored = tryStorage(() => env.storage.getItem(TOKEN_STORAGE_KEY), null);
  return stored !== null && stored !== "" ? stored : null;
}

/** Forgets the stored token (after the server refused it). */
export function forgetToken(storage: TokenEnvironment["storage"]): void {
  tryStorage(() => storage.removeItem(TOKEN_STORAGE_KEY), undefined);
}

/**
 * A short, non-secret name for a token (32-bit FNV-1a, hex) so each credential keeps its own tab
 * list in localStorage. It reveals nothing useful about a random token.
 */
export function tokenScope(token: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < token.length; i++) {
    hash ^= token.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0");
}

/**
 * The token in what a person pasted: a whole link (its fragment's `token=`), a bare fragment, or
 * the token alone. Null when there is none.
 */
export function tokenFromPasted(pasted: string): string | null {
  const text = pasted.trim();
  const hash = text.indexOf("#");
  // A link, with or without its scheme, or its fragment alone: the token is the fragment's.
  if (hash >= 0 && /(^|&)token=/.test(text.slice(hash + 1)))
    return parseFragment(text.slice(hash)).token;
  if (text.startsWith("token=")) return parseFragment(text).token;
  // A link without one, blank text or words hold no token; anything else is the token itself.
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text) || text === "" || /\s/.test(text)) return null;
  return text;
}

// Variables set but ignored: mistyped settings and the other provider's. A typo in LOCAL_ISOLATION
// would otherwise leave every shell unisolated without a word.

/** Settings read outside the server's own schema (the web app's dev server). */
const OTHER_SETTINGS: readonly string[] = ["PORTHOLE_DEV_SERVER"];

/** Names shorter than this are never taken for typos (TERM is not a mistyped PORT). */
const MIN_TYPO_LENGTH = 6;

/** Edits (insert, delete, replace, swap two neighbours) a name may be from a setting's. */
const MAX_TYPO_EDITS = 2;

/** Edits between `a` and `b` (optimal string alignment distance). */
export function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = rows[i]!;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min(rows[i - 1]![j]! + 1, row[j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        row[j] = Math.min(row[j]!, rows[i - 2]![j - 2]! + 1);
    }
  }
  return rows[a.length]![b.length]!;
}

/**
 * A warning for each variable set in `env` that is no setting but is close to one in `known`, or
 * carries Porthole's prefix: it is ignored, and the operator should hear so.
 */
export function unknownSettingWarnings(env: NodeJS.ProcessEnv, known: readonly string[]): string[] {
  const settings = new Set([...known, ...OTHER_SETTINGS]);
  const warnings: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || settings.has(name)) continue;
    const near =
      name.length >= MIN_TYPO_LENGTH
        ? [...settings]
            .map((setting) => ({ setting, edits: editDistance(name, setting) }))
            .filter((candidate) => candidate.edits <= MAX_TYPO_EDITS)
            .sort((a, b) => a.edits - b.edits)[0]
        : undefined;
    if (near)
      warnings.push(`${name} is not a setting and is ignored: did you mean ${near.setting}?`);
    else if (name.startsWith("PORTHOLE_"))
      warnings.push(`${name} is not a setting and is ignored (see the README's Configuration).`);
  }
  return warnings;
}

/**
 * A warning naming the settings of the provider not in use (LOCAL_* with E2B, E2B_* other than
 * the key with the local provider): they are ignored, which an operator setting them expects not.
 */
export function ignoredSettingWarnings(
  env: NodeJS.ProcessEnv,
  provider: "local" | "e2b",
): string[] {
  const set = (prefix: string, except: readonly string[] = []) =>
    Object.keys(env).filter(
      (name) => name.startsWith(prefix) && !except.includes(name) && (env[name] ?? "") !== "",
    );
  const ignored = provider === "e2b" ? set("LOCAL_") : set("E2B_", ["E2B_API_KEY"]);
  if (ignored.length === 0) return [];
  const runs = provider === "e2b" ? "in E2B sandboxes" : "on this machine (the local provider)";
  return [`${ignored.sort().join(", ")} ignored: sessions run ${runs}.`];
}

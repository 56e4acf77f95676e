// The local shell's environment, built from an allowlist so the server's secrets never reach it.

/** Variables a local shell inherits from the server; everything else is left behind. */
export const INHERITED_ENV_VARS: readonly string[] = [
  "PATH",
  "HOME",
  "USER",
  "LOGNAME",
  "SHELL",
  "LANG",
  "LANGUAGE",
  "TZ",
  "TMPDIR",
];

/** Locale variables (LC_*) are inherited too: they change how programs print, nothing more. */
const LOCALE_VAR = /^LC_[A-Z_]+$/;

/**
 * The environment for a local shell: allowlisted variables of `base`, terminal settings, then
 * `extra` (what the session was configured to pass, such as API keys), which wins.
 */
export function buildShellEnv(
  base: NodeJS.ProcessEnv,
  extra: Record<string, string>,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(base)) {
    if (value !== undefined && (INHERITED_ENV_VARS.includes(name) || LOCALE_VAR.test(name))) {
      env[name] = value;
    }
  }
  env.PATH ??= "/usr/local/bin:/usr/bin:/bin";
  env.LANG ??= "C.UTF-8";
  env.TERM = "xterm-256color";
  env.COLORTERM = "truecolor";
  env.TERM_PROGRAM = "porthole";
  return { ...env, ...extra };
}

// Server configuration from environment variables, parsed with zod; one clear line when wrong.
import { isAbsolute } from "node:path";
import { DEFAULT_MAX_SESSIONS, DEFAULT_MAX_SESSIONS_PER_CREDENTIAL } from "@porthole/protocol";
import { DEFAULT_LOG_CAPACITY, ptyThreadByDefault } from "@porthole/sandbox";
import { z } from "zod";
import { credentialId } from "./auth.js";
import { hostPolicy, type HostPolicy } from "./host-check.js";
import { MAX_CONNECTIONS_PER_CREDENTIAL } from "./limits.js";
import { LOG_FORMATS, type LogFormat } from "./logger.js";
import { keptToken } from "./token-file.js";

/** A positive whole number from a string, e.g. PORT=3000. */
const int = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, { error: `must be a whole number from ${min} to ${max}` })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, { error: `must be at least ${min}` })
        .max(max, { error: `must be at most ${max}` }),
    );

/** Words as the operator types them: True, YES and true are one value. */
const lowerCase = z.string().toLowerCase();

const bool = lowerCase
  .pipe(z.enum(["true", "false", "1", "0", "yes", "no"], { error: "must be true or false" }))
  .transform((value) => ["true", "1", "yes"].includes(value));

// http(s) only: other schemes (javascript:, file:, "localhost:5174") have the origin "null".
const url = z.url({ protocol: /^https?$/, error: "must be a URL such as http://localhost:5174" });

/** Comma-separated page URLs, each allowed to open the WebSocket. */
const urlList = z
  .string()
  .transform((value) => value.split(",").map((part) => part.trim()))
  .pipe(z.array(url));

/** Comma-separated host names ("*": any; ".example.com": it and every name below it). */
const hostList = z
  .string()
  .transform((value) => value.split(",").map((part) => part.trim()))
  .pipe(
    z.array(
      z
        .string()
        // A common guess for "this name and every name below it"; the syntax is a leading dot.
        .refine((name) => !name.startsWith("*."), {
          error: "write .example.com, not *.example.com, for a name and every name below it",
        })
        .regex(/^(\*|\.?[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*)$/, {
          error: "must be comma-separated host names without ports, such as term.example.com",
        }),
    ),
  );

/**
 * An E2B endpoint. No user name or password in it: the SDK refuses such a URL, and its error,
 * which quotes the URL, would reach logs and clients.
 */
const endpoint = z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).refine(
  (value) => {
    // (Not a URL at all is the format check's to report.)
    const parsed = URL.canParse(value) ? new URL(value) : null;
    return !parsed || (parsed.username === "" && parsed.password === "");
  },
  { error: "must not hold a user name or password" },
);

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** Every environment variable the server reads, with its default. */
const envSchema = z.object({
  PORT: int(0, 65535).default(3000),
  HOST: z.string().min(1, { error: "must not be empty" }).default("127.0.0.1"),
  FRONTEND_URL: urlList.default(["http://localhost:5174"]),
  ALLOWED_HOSTS: hostList.optional(),
  PORTHOLE_TOKEN: z
    .string()
    .regex(/^[A-Za-z0-9._~+/=-]{16,256}(,[A-Za-z0-9._~+/=-]{16,256})*$/, {
      error: "must be one or more comma-separated tokens of 16-256 URL-safe characters",
    })
    .refine((value) => new Set(value.split(",")).size === value.split(",").length, {
      error: "names a token twice",
    })
    .optional(),
  PORTHOLE_TOKEN_FILE: z.string().min(1).optional(),
  SANDBOX_PROVIDER: lowerCase
    .pipe(z.enum(["e2b", "local"], { error: "must be e2b or local" }))
    .optional(),
  E2B_API_KEY: z.string().min(1).optional(),
  E2B_TEMPLATE: z.string().min(1).default("porthole-claude"),
  E2B_DOMAIN: z.string().min(1).optional(),
  E2B_API_URL: endpoint.optional(),
  E2B_SANDBOX_URL: endpoint.optional(),
  ANTHROPIC_API_KEY: z.string().min(1).optional(),
  CLAUDE_CODE_OAUTH_TOKEN: z.string().min(1).optional(),
  SANDBOX_TIMEOUT: int(10, 7 * 24 * 3600).default(3600),
  SANDBOX_START_TIMEOUT: int(1, 3600).default(90),
  DETACH_GRACE: int(1, 7 * 24 * 3600).default(900),
  LOG_BUFFER_BYTES: int(64 * 1024, 1024 * 1024 * 1024).default(DEFAULT_LOG_CAPACITY),
  MAX_SESSIONS: int(1, 10_000).default(DEFAULT_MAX_SESSIONS),
  MAX_SESSIONS_PER_TOKEN: int(1, 10_000).default(DEFAULT_MAX_SESSIONS_PER_CREDENTIAL),
  MAX_CONNECTIONS_PER_TOKEN: int(1, 10_000).default(MAX_CONNECTIONS_PER_CREDENTIAL),
  LOCAL_ISOLATION: lowerCase
    .pipe(z.enum(["none", "bubblewrap"], { error: "must be none or bubblewrap" }))
    .default("none"),
  LOCAL_WORKSPACE_ROOT: z
    .string()
    .refine(isAbsolute, {
      error: "must be an absolute path (a relative one depends on where the server starts)",
    })
    .optional(),
  LOCAL_SHELL: z.string().min(1).optional(),
  LOCAL_SHELL_ARGS: z.string().optional(),
  LOCAL_PASS_CREDENTIALS: bool.default(false),
  LOCAL_KEEP_WORKSPACES: bool.default(false),
  LOCAL_PTY_THREAD: bool.optional(),
  CLAUDE_PATH: z.string().min(1).optional(),
  ORPHANS: lowerCase
    .pipe(z.enum(["kill", "reattach", "keep"], { error: "must be kill, reattach or keep" }))
    .default("kill"),
  PORTHOLE_INSTANCE: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, { error: "must be 1-64 letters, digits, '.', '_' or '-'" })
    .default("default"),
  SHUTDOWN_TIMEOUT: int(1, 600).default(10),
  KEEPALIVE_INTERVAL: int(1, 3600).default(30),
  LOG_LEVEL: lowerCase
    .pipe(z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(", ")}` }))
    .default("info"),
  LOG_FORMAT: lowerCase
    .pipe(z.enum(LOG_FORMATS, { error: "must be auto, json or pretty" }))
    .default("auto"),
  WEB_DIST: z.string().min(1).optional(),
});

type Env = z.infer<typeof envSchema>;

/** The server's settings. */
export interface Config {
  port: number;
  host: string;
  /** Origins of pages besides our own allowed to open the WebSocket (FRONTEND_URL). */
  frontendOrigins: string[];
  /** Which Host headers requests may carry (ALLOWED_HOSTS, or by HOST: see hostPolicy). */
  hostPolicy: HostPolicy;
  /**
   * Access tokens; each is its own credential. Generated when PORTHOLE_TOKEN is unset (and kept
   * in PORTHOLE_TOKEN_FILE when that is set).
   */
  tokens: string[];
  tokenGenerated: boolean;
  /** Where a generated token is kept (PORTHOLE_TOKEN_FILE), if anywhere. */
  tokenFile: string | undefined;
  provider: "e2b" | "local";
  e2b: {
    apiKey: string | undefined;
    template: string;
    domain: string | undefined;
    apiUrl: string | undefined;
    sandboxUrl: string | undefined;
  };
  /** Credentials for Claude Code inside sandboxes. */
  claudeEnv: Record<string, string>;
  sandboxTimeoutMs: number;
  /** How long a sandbox may take to start before the session fails. */
  startTimeoutMs: number;
  detachGraceMs: number;
  logBufferBytes: number;
  maxSessions: number;
  maxSessionsPerToken: number;
  /** Open WebSocket connections per credential. */
  maxConnectionsPerToken: number;
  local: {
    isolation: "none" | "bubblewrap";
    workspaceRoot: string | undefined;
    shell: string | undefined;
    /** Arguments for the shell, split on spaces; default a login shell (-l). */
    shellArgs: string[] | undefined;
    passCredentials: boolean;
    /** Leave a session's working directory in place when it ends (default: removed with it). */
    keepWorkspaces: boolean;
    claudePath: string | undefined;
    /**
     * What "+ Claude Code" runs as `claude` (see claude-program.ts): CLAUDE_PATH made absolute,
     * its symlinks left for each run to follow (an update repoints them), else the bundled Claude
     * Code's executable itself, else none.
     */
    claudeBinary: string | undefined;
    /** Local PTYs on their own thread (see LocalProviderOptions.ptyThread). */
    ptyThread: boolean;
  };
  /** What to do at start with E2B sandboxes an earlier run left: kill them, take them back, or leave them. */
  orphans: "kill" | "reattach" | "keep";
  /** Names this server's E2B sandboxes apart from another Porthole's on the same account. */
  instance: string;
  shutdownTimeoutMs: number;
  keepaliveIntervalMs: number;
  logLevel: Env["LOG_LEVEL"];
  /** JSON lines, readable lines, or (auto) readable on a terminal and JSON elsewhere. */
  logFormat: LogFormat;
  webDist: string | undefined;
}

/** Thrown for a bad environment; `message` is the one line to print. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/** The token kept in PORTHOLE_TOKEN_FILE (made there when missing), or a ConfigError saying why not. */
function tokenFromFile(path: string, generateToken: () => string): string {
  try {
    return keptToken(path, generateToken);
  } catch (error) {
    throw new ConfigError(`Invalid PORTHOLE_TOKEN_FILE: ${(error as Error).message}`);
  }
}

/** Every variable the server reads as a setting. */
export const SETTING_NAMES: readonly string[] = Object.keys(envSchema.shape);

/** Reads the configuration from `env`; throws ConfigError naming the first bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv, generateToken: () => string): Config {
  const known = Object.fromEntries(
    Object.keys(envSchema.shape).flatMap((name) => {
      const value = env[name];
      return value === undefined || value === "" ? [] : [[name, value]];
    }),
  );
  const parsed = envSchema.safeParse(known);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0] ?? "environment");
    throw new ConfigError(`Invalid ${name}: ${issue.message}`);
  }
  const e = parsed.data;
  const provider = e.SANDBOX_PROVIDER ?? (e.E2B_API_KEY ? "e2b" : "local");
  if (provider === "e2b" && !e.E2B_API_KEY) {
    throw new ConfigError("Invalid E2B_API_KEY: required when SANDBOX_PROVIDER is e2b");
  }
  const claudeEnv: Record<string, string> = {};
  if (e.ANTHROPIC_API_KEY) claudeEnv.ANTHROPIC_API_KEY = e.ANTHROPIC_API_KEY;
  if (e.CLAUDE_CODE_OAUTH_TOKEN) claudeEnv.CLAUDE_CODE_OAUTH_TOKEN = e.CLAUDE_CODE_OAUTH_TOKEN;
  const tokens = e.PORTHOLE_TOKEN
    ? e.PORTHOLE_TOKEN.split(",")
    : [
        e.PORTHOLE_TOKEN_FILE
          ? tokenFromFile(e.PORTHOLE_TOKEN_FILE, generateToken)
          : generateToken(),
      ];
  return {
    port: e.PORT,
    host: e.HOST,
    frontendOrigins: e.FRONTEND_URL.map((page) => new URL(page).origin),
    hostPolicy: hostPolicy(
      e.HOST,
      e.ALLOWED_HOSTS,
      e.FRONTEND_URL.map((page) => new URL(page).hostname),
    ),
    tokens,
    tokenGenerated: !e.PORTHOLE_TOKEN,
    tokenFile: e.PORTHOLE_TOKEN ? undefined : e.PORTHOLE_TOKEN_FILE,
    provider,
    e2b: {
      apiKey: e.E2B_API_KEY,
      template: e.E2B_TEMPLATE,
      domain: e.E2B_DOMAIN,
      apiUrl: e.E2B_API_URL,
      sandboxUrl: e.E2B_SANDBOX_URL,
    },
    claudeEnv,
    sandboxTimeoutMs: e.SANDBOX_TIMEOUT * 1000,
    startTimeoutMs: e.SANDBOX_START_TIMEOUT * 1000,
    detachGraceMs: e.DETACH_GRACE * 1000,
    logBufferBytes: e.LOG_BUFFER_BYTES,
    maxSessions: e.MAX_SESSIONS,
    maxSessionsPerToken: e.MAX_SESSIONS_PER_TOKEN,
    maxConnectionsPerToken: e.MAX_CONNECTIONS_PER_TOKEN,
    local: {
      isolation: e.LOCAL_ISOLATION,
      workspaceRoot: e.LOCAL_WORKSPACE_ROOT,
      shell: e.LOCAL_SHELL,
      shellArgs:
        e.LOCAL_SHELL_ARGS === undefined
          ? undefined
          : e.LOCAL_SHELL_ARGS.split(" ").filter(Boolean),
      passCredentials: e.LOCAL_PASS_CREDENTIALS,
      keepWorkspaces: e.LOCAL_KEEP_WORKSPACES,
      claudePath: e.CLAUDE_PATH,
      claudeBinary: undefined,
      ptyThread: e.LOCAL_PTY_THREAD ?? ptyThreadByDefault(),
    },
    orphans: e.ORPHANS,
    instance: e.PORTHOLE_INSTANCE,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT * 1000,
    keepaliveIntervalMs: e.KEEPALIVE_INTERVAL * 1000,
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    webDist: e.WEB_DIST,
  };
}

/** The configuration as it may be printed: every secret replaced by a marker. */
export function redactedConfig(config: Config): Record<string, unknown> {
  const hidden = (value: string | undefined) => (value ? "[redacted]" : undefined);
  return {
    ...config,
    tokens: config.tokens.map(() => "[redacted]"),
    // Which credential id (in log lines) is which token, in PORTHOLE_TOKEN's order.
    credentials: config.tokens.map(credentialId),
    e2b: { ...config.e2b, apiKey: hidden(config.e2b.apiKey) },
    claudeEnv: Object.fromEntries(
      Object.keys(config.claudeEnv).map((name) => [name, "[redacted]"]),
    ),
  };
}

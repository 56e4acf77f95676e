#!/usr/bin/env node
// The `porthole` command: reads the environment, starts the server, prints where to open it.
import { fileURLToPath } from "node:url";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { isSandboxError } from "@porthole/sandbox";
import { claudeProgram } from "./claude-program.js";
import { loadConfig, redactedConfig, ConfigError, SETTING_NAMES } from "./config.js";
import { generateToken } from "./auth.js";
import { createProvider } from "./create-provider.js";
import { isolationWarnings } from "./isolation-warnings.js";
import { createLogger, readableLogs } from "./logger.js";
import { startServer } from "./server.js";
import { ignoredSettingWarnings, unknownSettingWarnings } from "./unknown-settings.js";

/** The built web app next to this package, when no WEB_DIST is given. */
function defaultWebDist(): string | undefined {
  const candidate = fileURLToPath(new URL("../../web/dist", import.meta.url));
  return existsSync(candidate) ? candidate : undefined;
}

/** The same signal this soon after the first is an echo of it, not a second request. */
const REPEAT_SIGNAL_GRACE_MS = 1000;

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env, generateToken);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`porthole: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  if (config.webDist && !existsSync(join(config.webDist, "index.html"))) {
    process.stderr.write(
      `porthole: Invalid WEB_DIST: ${config.webDist} has no index.html (run pnpm build)\n`,
    );
    process.exit(1);
  }
  config.webDist ??= defaultWebDist();
  try {
    config.local.claudeBinary = claudeProgram(config.local.claudePath, process.env.PATH);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`porthole: ${error.message}\n`);
    process.exit(1);
  }
  let provider;
  try {
    provider = createProvider(config);
  } catch (error) {
    process.stderr.write(`porthole: ${(error as Error).message}\n`);
    process.exit(1);
  }
  const logger = createLogger(config.logLevel, undefined, config.logFormat);
  const settings = redactedConfig(config);
  const readable = readableLogs(config.logFormat, process.stdout.isTTY);
  if (readable) {
    // On a terminal the whole configuration is a screenful of JSON: the gist, the rest at debug.
    const { provider: kind, host, port, credentials } = settings;
    logger.info({ provider: kind, host, port, credentials }, "starting");
    logger.debug({ config: settings }, "settings");
  } else logger.info({ config: settings }, "starting");
  const warnings = [
    ...unknownSettingWarnings(process.env, SETTING_NAMES),
    ...ignoredSettingWarnings(process.env, config.provider),
    ...isolationWarnings(config, process.getuid?.() ?? null),
  ];
  let server;
  try {
    server = await startServer(config, provider, logger);
  } catch (error) {
    // A HOST that does not resolve, a PORT in use: one line, like a bad setting.
    // A port in use is most often another Porthole (or `npm start` run twice): say what to do.
    const inUse = (error as NodeJS.ErrnoException).code === "EADDRINUSE";
    const hint = inUse ? " (is Porthole already running? Stop it, or set another PORT)" : "";
    process.stderr.write(
      `porthole: cannot listen on ${config.host}:${config.port}: ${(error as Error).message}${hint}\n`,
    );
    process.exit(1);
  }
  // Only once listening: a server that cannot start ends on the line that says why. Not when
  // readable lines share the terminal with the link, under which they are shown anyway.
  if (!(readable && process.stdout.isTTY)) for (const warning of warnings) logger.warn(warning);
  // Sandboxes a crashed or restarted earlier run left behind: take them back, kill them, or
  // leave them to their own timeout; the log says which it found either way.
  const orphans: Record<typeof config.orphans, () => Promise<Record<string, string[]>>> = {
    reattach: async () => {
      const reattached = await server.sessions.adoptOrphans();
      // What cannot be taken back (a local PTY died with its server) is killed, as with kill.
      const killed = await server.sessions.killOrphans().catch((error: unknown) => {
        logger.warn({ err: error }, "could not kill what an earlier run left");
        return [];
      });
      return { reattached, killed };
    },
    kill: async () => ({ killed: await server.sessions.killOrphans() }),
    keep: async () => ({ kept: await server.sessions.findOrphans() }),
  };
  orphans[config.orphans]().then(
    (found) => {
      const named = Object.entries(found).filter(([, ids]) => ids.length > 0);
      if (named.length > 0)
        logger.info(Object.fromEntries(named), "sandboxes left by an earlier run");
    },
    (error: unknown) => {
      logger.warn({ err: error }, "could not look for sandboxes left by an earlier run");
      // A refused key or an unreachable provider fails every session: said plainly, once.
      if (isSandboxError(error) && server.providerHealth.failed(error)) {
        process.stdout.write(
          `Warning: ${provider.name === "e2b" ? "E2B" : "The sandbox provider"}: ${error.message} (${error.code}): new sessions will fail until this is fixed.\n\n`,
        );
      }
    },
  );

  // Listening on every interface (IPv4 or IPv6): the link names this machine.
  const everywhere = config.host === "0.0.0.0" || config.host === "::";
  const openUrl = everywhere ? `http://localhost:${server.port}` : server.url;
  // The token goes to the terminal only, inside the URL fragment (never sent in HTTP requests).
  // Only a generated one, which nobody could know otherwise: stdout is often a collected log, and
  // a PORTHOLE_TOKEN from the environment is known to whoever set it. A kept one (its file says
  // it) is printed only to a terminal: it would land in a collected log again at every restart.
  const token = !config.tokenGenerated
    ? "<PORTHOLE_TOKEN>"
    : config.tokenFile && !process.stdout.isTTY
      ? `<the token in ${config.tokenFile}>`
      : config.tokens[0];
  // The warnings again under the link, where whoever starts it looks (the log lines scroll by).
  process.stdout.write(
    `\nPorthole is running (${provider.name} sandboxes). Open:\n\n  ${openUrl}/#token=${token}\n\n` +
      warnings.map((warning) => `Warning: ${warning}\n\n`).join(""),
  );

  let first: { signal: NodeJS.Signals; at: number } | null = null;
  const shutdown = (signal: NodeJS.Signals) => {
    if (first !== null) {
      // One Ctrl-C often arrives twice (the terminal signals the process group and a wrapper such
      // as npm or node --watch passes it on): the same signal a moment later is that echo.
      const echo = signal === first.signal && performance.now() - first.at < REPEAT_SIGNAL_GRACE_MS;
      if (echo) return;
      logger.warn({ signal }, "second signal: exiting now");
      process.exit(130);
    }
    first = { signal, at: performance.now() };
    logger.info({ signal }, "shutting down");
    const hardStop = setTimeout(() => process.exit(1), config.shutdownTimeoutMs + 2000);
    hardStop.unref();
    const stopping = performance.now();
    server.close().then(
      () => {
        // The last line: the operator sees the shutdown finished, and how long it took.
        logger.info({ ms: Math.round(performance.now() - stopping) }, "stopped");
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
}

await main();

#!/usr/bin/env node
// Command line: start the emulator, print the env that points Porthole's E2B provider at it, stop on SIGINT/SIGTERM.
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { ApiRoute } from "./faults.js";
import { startEmulator, type EmulatorOptions } from "./server.js";

const USAGE = `Usage: node dist/cli.js [options]
  --api-key <key>            API key to accept (default: random)
  --host <host>              interface to listen on (default 127.0.0.1)
  --api-port <port>          control-plane port (default: ephemeral)
  --sandbox-port <port>      envd port (default: ephemeral)
  --max-sandbox-hours <n>    longest sandbox lifetime (default 1, E2B Hobby)
  --envd-version <version>   envd version to report (default 0.5.20)
  --template <name>          a template sandboxes may be made from (repeatable; default
                             base, porthole and porthole-claude)
  --api-fault <route>=<status|hang>
                             fault on create|connect|list|getInfo|setTimeout|kill (repeatable)
Prints export lines on stdout; logs go to stderr.`;

const ROUTES: readonly ApiRoute[] = ["create", "connect", "list", "getInfo", "setTimeout", "kill"];

/** A control-plane fault requested with `--api-fault`. */
export interface CliFault {
  readonly route: ApiRoute;
  readonly status: number | "hang";
}

/** What the command line asks for. */
export interface CliConfig {
  readonly help: boolean;
  readonly options: EmulatorOptions;
  readonly faults: readonly CliFault[];
}

function port(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`invalid port: ${value}`);
  return n;
}

function fault(spec: string): CliFault {
  const [route, what] = spec.split("=");
  const known = ROUTES.find((r) => r === route);
  const status = what === "hang" ? "hang" : Number(what);
  if (
    known === undefined ||
    (status !== "hang" && !(Number.isInteger(status) && status >= 400 && status < 600))
  ) {
    throw new Error(`invalid --api-fault: ${spec}`);
  }
  return { route: known, status };
}

/** Parses command-line arguments. @throws on unknown or invalid options */
export function parseCli(args: readonly string[]): CliConfig {
  const { values } = parseArgs({
    args: [...args],
    options: {
      "api-key": { type: "string" },
      host: { type: "string" },
      "api-port": { type: "string" },
      "sandbox-port": { type: "string" },
      "max-sandbox-hours": { type: "string" },
      "envd-version": { type: "string" },
      "api-fault": { type: "string", multiple: true },
      template: { type: "string", multiple: true },
      help: { type: "boolean", short: "h" },
    },
  });
  const maxHours =
    values["max-sandbox-hours"] === undefined ? undefined : Number(values["max-sandbox-hours"]);
  if (maxHours !== undefined && !(maxHours > 0))
    throw new Error("--max-sandbox-hours must be a positive number");
  const apiPort = port(values["api-port"]);
  const sandboxPort = port(values["sandbox-port"]);
  return {
    help: values.help === true,
    options: {
      ...(values["api-key"] === undefined ? {} : { apiKey: values["api-key"] }),
      ...(values.host === undefined ? {} : { host: values.host }),
      ...(apiPort === undefined ? {} : { apiPort }),
      ...(sandboxPort === undefined ? {} : { sandboxPort }),
      ...(maxHours === undefined ? {} : { maxSandboxHours: maxHours }),
      ...(values["envd-version"] === undefined ? {} : { envdVersion: values["envd-version"] }),
      ...(values.template === undefined ? {} : { templates: values.template }),
    },
    faults: (values["api-fault"] ?? []).map(fault),
  };
}

/** `export KEY=value` lines (shell-quoted) for an environment. */
export function exportLines(env: Readonly<Record<string, string>>): string[] {
  const quote = (value: string): string =>
    /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'"'"'`)}'`;
  return Object.entries(env).map(([key, value]) => `export ${key}=${quote(value)}`);
}

async function main(): Promise<void> {
  const config = parseCli(process.argv.slice(2));
  if (config.help) {
    console.log(USAGE);
    return;
  }
  const emulator = await startEmulator({
    ...config.options,
    log: (line) => console.error(`[envd-emulator] ${line}`),
  });
  for (const { route, status } of config.faults) {
    if (status === "hang") emulator.faults.apiHang(route);
    else emulator.faults.apiError(route, status);
  }
  for (const line of exportLines(emulator.env)) console.log(line);
  console.error(
    `[envd-emulator] control plane ${emulator.apiUrl}, sandboxes ${emulator.sandboxUrl}; Ctrl-C to stop`,
  );

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    console.error(`[envd-emulator] ${signal}: stopping`);
    emulator.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  main().catch((err: unknown) => {
    console.error(`[envd-emulator] ${err instanceof Error ? err.message : String(err)}`);
    console.error(USAGE);
    process.exit(1);
  });
}

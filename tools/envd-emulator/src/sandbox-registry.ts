// All sandboxes of one emulator: ids, tokens, directories, lifetimes (timeout expiry) and teardown.
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { SANDBOX_HOME, SANDBOX_WORKSPACE } from "./paths.js";
import { Sandbox } from "./sandbox.js";

/** Limits and defaults of the emulated control plane. */
export interface RegistryOptions {
  /** Longest lifetime a sandbox may have, from its start (E2B: 1 h Hobby, 24 h Pro). */
  readonly maxSandboxHours: number;
  /** Where sandbox directories are created (default: the OS temp dir). */
  readonly baseDir?: string;
  /** Called with one line when a sandbox ends. */
  readonly log?: (line: string) => void;
}

/** What {@link SandboxRegistry.create} needs. */
export interface CreateInput {
  readonly templateId: string;
  readonly timeoutSeconds: number;
  readonly metadata: Readonly<Record<string, string>>;
  readonly envVars: Readonly<Record<string, string>>;
}

const ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

function randomId(length: number): string {
  return [...randomBytes(length)].map((byte) => ID_ALPHABET[byte % ID_ALPHABET.length]).join("");
}

/** Owns the sandboxes and kills each when its timeout passes. */
export class SandboxRegistry {
  private readonly sandboxes = new Map<string, Sandbox>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  // Teardowns in progress, so that closeAll() also waits for sandboxes that expired just before.
  private readonly dying = new Set<Promise<void>>();
  private closed = false;

  constructor(private readonly options: RegistryOptions) {}

  /** Longest timeout accepted in one request, in seconds. */
  get maxTimeoutSeconds(): number {
    return this.options.maxSandboxHours * 3600;
  }

  /** Creates a sandbox with its own directory (`/home/user` and `/workspace` inside it). */
  async create(input: CreateInput): Promise<Sandbox> {
    const root = await realpath(
      await mkdtemp(path.join(this.options.baseDir ?? tmpdir(), "envd-emulator-")),
    );
    const now = new Date();
    const sandbox = new Sandbox({
      id: `i${randomId(19)}`,
      templateId: input.templateId,
      metadata: { ...input.metadata },
      envVars: { ...input.envVars },
      accessToken: randomBytes(24).toString("hex"),
      root,
      startedAt: now,
      endAt: now,
    });
    await mkdir(sandbox.paths.toHost(SANDBOX_HOME), { recursive: true });
    await mkdir(sandbox.paths.toHost(SANDBOX_WORKSPACE), { recursive: true });
    if (this.closed) {
      await rm(root, { recursive: true, force: true });
      throw new Error("the emulator is shutting down");
    }
    this.sandboxes.set(sandbox.id, sandbox);
    this.setTimeout(sandbox, input.timeoutSeconds, now.getTime());
    return sandbox;
  }

  /** A live sandbox. */
  get(id: string): Sandbox | undefined {
    return this.sandboxes.get(id);
  }

  /** Live sandboxes. */
  all(): Sandbox[] {
    return [...this.sandboxes.values()];
  }

  /** Sets the sandbox to expire `seconds` after `from` (default now), never past its maximum lifetime. */
  setTimeout(sandbox: Sandbox, seconds: number, from = Date.now()): void {
    const latest = sandbox.startedAt.getTime() + this.maxTimeoutSeconds * 1000;
    sandbox.endAt = new Date(Math.min(from + seconds * 1000, latest));
    clearTimeout(this.timers.get(sandbox.id));
    const timer = setTimeout(
      () => void this.expire(sandbox.id),
      Math.max(0, sandbox.endAt.getTime() - Date.now()),
    );
    this.timers.set(sandbox.id, timer);
  }

  /** Extends the sandbox's lifetime to at least `seconds` from now (connect/resume semantics). */
  extendTimeout(sandbox: Sandbox, seconds: number): void {
    if (Date.now() + seconds * 1000 > sandbox.endAt.getTime()) this.setTimeout(sandbox, seconds);
  }

  /** Kills a sandbox now. @returns false when no such live sandbox exists */
  async kill(id: string, reason = "killed"): Promise<boolean> {
    const sandbox = this.sandboxes.get(id);
    if (sandbox === undefined) return false;
    this.sandboxes.delete(id);
    clearTimeout(this.timers.get(id));
    this.timers.delete(id);
    this.options.log?.(`sandbox ${id} ${reason}`);
    const teardown = sandbox.destroy();
    this.dying.add(teardown);
    try {
      await teardown;
    } finally {
      this.dying.delete(teardown);
    }
    return true;
  }

  /** Kills every sandbox and waits for all teardowns, including ones already under way. */
  async closeAll(): Promise<void> {
    this.closed = true;
    await Promise.all([
      ...[...this.sandboxes.keys()].map((id) => this.kill(id, "stopped")),
      ...this.dying,
    ]);
  }

  private async expire(id: string): Promise<void> {
    await this.kill(id, "timed out").catch((err: unknown) =>
      this.options.log?.(`sandbox ${id}: teardown failed: ${String(err)}`),
    );
  }
}

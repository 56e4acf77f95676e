// Test helpers: polling, PTY output collection and host process checks (not part of the built package).
import { expect } from "vitest";

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Collects PTY bytes as text for `onData`. */
export class Output {
  private readonly decoder = new TextDecoder();
  text = "";

  readonly onData = (bytes: Uint8Array): void => {
    this.text += this.decoder.decode(bytes, { stream: true });
  };

  /** Waits until the collected text contains `needle`. */
  async waitFor(needle: string, timeoutMs = 5000): Promise<void> {
    await waitFor(
      `output containing ${JSON.stringify(needle)} (got ${JSON.stringify(this.text.slice(-200))})`,
      () => this.text.includes(needle),
      timeoutMs,
    );
  }
}

/** Encodes keyboard input. */
export function keys(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** True when a host process with this pid exists. */
export function hostProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Asserts a promise rejects with an error of the given class name, and returns it. */
export async function rejection(promise: Promise<unknown>, name: string): Promise<Error> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, `expected a ${name}`).toBeInstanceOf(Error);
  expect((err as Error).name).toBe(name);
  return err as Error;
}

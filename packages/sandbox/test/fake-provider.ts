// A SandboxProvider whose sandboxes are plain objects: lifecycle tests without processes.
import type { ExitInfo } from "@porthole/protocol";
import type { PtyHandlers, SandboxProvider, SandboxPty, StartRequest } from "../src/index.js";

/** A PTY that records what it was asked to do and emits what the test tells it to. */
export class FakePty implements SandboxPty {
  readonly ref = { sandboxId: `fake-${Math.random().toString(36).slice(2)}`, pid: 1 };
  readonly writes: string[] = [];
  closes = 0;
  paused = false;
  constructor(readonly handlers: PtyHandlers) {}
  write(data: string): Promise<void> {
    this.writes.push(data);
    return Promise.resolve();
  }
  resize(): Promise<void> {
    return Promise.resolve();
  }
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
  }
  close(): Promise<void> {
    this.closes++;
    return Promise.resolve();
  }
  emit(text: string): void {
    this.handlers.onData(Buffer.from(text));
  }
  exit(exit: ExitInfo): void {
    this.handlers.onExit(exit);
  }
}

/** How the fake provider answers `start`. */
export type FakeBehaviour = "ok" | "fail" | "hang" | { delayMs: number };

/** Provider that starts FakePtys (or fails, or hangs, as told). */
export class FakeProvider implements SandboxProvider {
  readonly name = "local" as const;
  readonly isolation = "none" as const;
  readonly canPause = true;
  readonly ptys: FakePty[] = [];
  readonly requests: StartRequest[] = [];
  constructor(public behaviour: FakeBehaviour = "ok") {}

  start(request: StartRequest, handlers: PtyHandlers): Promise<SandboxPty> {
    this.requests.push(request);
    request.onStatus("creating-sandbox", "Creating a fake sandbox");
    const make = () => {
      const pty = new FakePty(handlers);
      this.ptys.push(pty);
      return pty;
    };
    if (this.behaviour === "fail") return Promise.reject(new Error("the fake cloud said no"));
    if (this.behaviour === "hang") return new Promise<never>(() => {});
    if (typeof this.behaviour === "object") {
      const { delayMs } = this.behaviour;
      return new Promise((resolve) => setTimeout(() => resolve(make()), delayMs));
    }
    return Promise.resolve(make());
  }
}

// 1000 sessions created and closed on the local provider leave no process and no descriptor behind.
import { describe, expect, it } from "vitest";
import { LocalProvider, SessionManager } from "../src/index.js";
import { childPids, eventually, openFds, readUntilEvent } from "./helpers.js";

/** Sessions started and closed; each gets a real bash behind a real PTY. */
const CYCLES = 1000;
/** Started at once, so the cycles overlap the way a busy server's do. */
const PARALLEL = 8;

describe("create/close cycles", () => {
  it(`leaks no processes or file descriptors over ${CYCLES} sessions`, async () => {
    const provider = new LocalProvider({
      shell: "/bin/bash",
      shellArgs: ["--noprofile", "--norc"],
      baseEnv: { PATH: process.env.PATH, HOME: process.env.HOME },
    });
    const manager = new SessionManager({
      provider,
      maxSessions: PARALLEL,
      maxSessionsPerOwner: PARALLEL,
    });
    const cycle = async () => {
      const session = manager.create({ owner: "o", cols: 80, rows: 24 });
      const attachment = session.attach({ from: null });
      await readUntilEvent(attachment, "ready");
      await session.close();
    };
    // The first session starts the PTY thread, whose few descriptors stay for the process's life.
    await cycle();
    const childrenBefore = (await childPids()).length;
    const fdsBefore = await openFds();
    for (let done = 0; done < CYCLES; done += PARALLEL) {
      await Promise.all(Array.from({ length: PARALLEL }, cycle));
    }
    expect(manager.size).toBe(0);
    await eventually(
      async () => (await childPids()).length <= childrenBefore,
      10_000,
      "shells gone",
    );
    // A few descriptors come and go with the runner itself; a leak would be thousands.
    await eventually(
      async () => (await openFds()) <= fdsBefore + 4,
      10_000,
      `fds back near ${fdsBefore}`,
    );
  }, 300_000);
});

// The flow-control window of an acknowledging client: FLOW_MIN_WINDOW at first, then sized from its ack rate.
import { FLOW_MAX_EVENT_BYTES, FLOW_MAX_WINDOW, FLOW_MIN_WINDOW } from "@porthole/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { SessionManager, type Attachment } from "../src/index.js";
import { FakeProvider, type FakePty } from "./fake-provider.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const managers: SessionManager[] = [];

afterEach(async () => {
  await Promise.all(managers.splice(0).map((manager) => manager.closeAll()));
});

async function acknowledgingClient(): Promise<{ pty: FakePty; attachment: Attachment }> {
  const provider = new FakeProvider();
  const manager = new SessionManager({ provider, logCapacity: 16 * 1024 * 1024 });
  managers.push(manager);
  const session = manager.create({ owner: "o", cols: 80, rows: 24 });
  const attachment = session.attach({ from: null, acks: true, clientId: "c" });
  while ((await attachment.next())?.event.type !== "ready");
  return { pty: provider.ptys[0]!, attachment };
}

/** Reads output until the attachment blocks; returns the offset it was sent up to. */
async function readUntilBlocked(attachment: Attachment, ack: boolean): Promise<number> {
  let sent = 0;
  while (!attachment.blocked && attachment.pending > 0) {
    const next = await attachment.next();
    if (next?.event.type !== "output") continue;
    sent = next.offset;
    if (ack) attachment.ack(sent);
  }
  return sent;
}

/** A client that draws `bytes` every `pauseMs` for `rounds`; returns the offset it acked last. */
async function drawAtRate(
  pty: FakePty,
  attachment: Attachment,
  bytes: number,
  pauseMs: number,
  rounds: number,
): Promise<number> {
  let acked = 0;
  for (let round = 0; round < rounds; round++) {
    pty.emit("x".repeat(bytes));
    acked = await readUntilBlocked(attachment, true);
    await sleep(pauseMs);
  }
  return acked;
}

describe("the flow-control window", () => {
  it(`starts at FLOW_MIN_WINDOW (${FLOW_MIN_WINDOW} bytes) unacknowledged`, async () => {
    const { pty, attachment } = await acknowledgingClient();
    pty.emit("x".repeat(4 * FLOW_MIN_WINDOW));
    const sent = await readUntilBlocked(attachment, false);
    expect(sent).toBeGreaterThan(FLOW_MIN_WINDOW);
    expect(sent).toBeLessThanOrEqual(FLOW_MIN_WINDOW + FLOW_MAX_EVENT_BYTES);
  });

  it(`grows with a fast client's ack rate, up to FLOW_MAX_WINDOW (${FLOW_MAX_WINDOW} bytes)`, async () => {
    const { pty, attachment } = await acknowledgingClient();
    // A client that draws 2 MiB every ~30 ms (~70 MB/s): 50 ms of that is more than the cap.
    const acked = await drawAtRate(pty, attachment, 2 * 1024 * 1024, 30, 6);
    // It stops acknowledging: it is sent a full window, never more.
    pty.emit("x".repeat(2 * FLOW_MAX_WINDOW));
    const sent = await readUntilBlocked(attachment, false);
    expect(sent - acked).toBeGreaterThan(FLOW_MAX_WINDOW - FLOW_MAX_EVENT_BYTES);
    expect(sent - acked).toBeLessThanOrEqual(FLOW_MAX_WINDOW + FLOW_MAX_EVENT_BYTES);
  });

  it("shrinks back to FLOW_MIN_WINDOW for a client that draws slowly", async () => {
    const { pty, attachment } = await acknowledgingClient();
    await drawAtRate(pty, attachment, 2 * 1024 * 1024, 30, 4);
    // Now 16 KiB per 40 ms (0.4 MB/s): 50 ms of that is far below the minimum.
    const acked = await drawAtRate(pty, attachment, 16 * 1024, 40, 4);
    pty.emit("x".repeat(2 * FLOW_MAX_WINDOW));
    const sent = await readUntilBlocked(attachment, false);
    expect(sent - acked).toBeLessThanOrEqual(FLOW_MIN_WINDOW + FLOW_MAX_EVENT_BYTES);
  });
});

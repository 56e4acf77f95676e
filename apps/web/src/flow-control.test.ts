// Unit tests of output acknowledgements against the server's flow-control watermarks.
import { FLOW_ACK_BYTES, FLOW_MIN_WINDOW } from "@porthole/protocol";
import { describe, expect, it } from "vitest";
import { FlowControl } from "./flow-control.js";

/** Acks at once (no deferral to the end of the parse slice), so each step is visible. */
function setup(ackBytes = FLOW_ACK_BYTES) {
  const acks: number[] = [];
  const flow = new FlowControl(
    (offset) => acks.push(offset),
    ackBytes,
    (flush) => flush(),
  );
  return { flow, acks };
}

describe("FlowControl", () => {
  it("acks once enough bytes were rendered, at most once per chunk", () => {
    const { flow, acks } = setup(5000);
    // Three chunks arrive before the terminal rendered any of them.
    for (const offset of [3000, 6000, 9000]) flow.onReceived(offset);
    flow.onWritten(3000);
    expect(acks).toEqual([]);
    flow.onWritten(6000);
    expect(acks).toEqual([6000]);
    flow.onWritten(9000);
    // Caught up with everything received: acked although less than 5000 since the last ack.
    expect(acks).toEqual([6000, 9000]);
  });

  it("always acks when rendering catches up, so the server never waits on a small remainder", () => {
    const { flow, acks } = setup(5000);
    flow.onReceived(10);
    flow.onWritten(10);
    expect(acks).toEqual([10]);
    expect(flow.acked).toBe(10);
  });

  it("never acks the same offset twice or goes backwards", () => {
    const { flow, acks } = setup(5000);
    flow.onReceived(100);
    flow.onWritten(100);
    flow.onWritten(100);
    flow.onWritten(50);
    expect(acks).toEqual([100]);
  });

  it("takes a snapshot's offset as acknowledged by the server itself", () => {
    const { flow, acks } = setup(5000);
    flow.onReceived(1000);
    flow.skipTo(50_000);
    // The late callback of the chunk before the snapshot changes nothing.
    flow.onWritten(1000);
    expect(acks).toEqual([]);
    flow.onReceived(51_000);
    flow.onWritten(50_000);
    flow.onWritten(51_000);
    expect(acks).toEqual([51_000]);
  });

  it("starts over from a snapshot whose offset is lower (the server restarted its log)", () => {
    const { flow, acks } = setup(5000);
    flow.onReceived(900_000);
    flow.onWritten(900_000);
    flow.skipTo(2000);
    flow.onReceived(12_000);
    flow.onWritten(12_000);
    expect(acks).toEqual([900_000, 12_000]);
  });

  it("sends one ack for all the chunks xterm parsed in one slice", async () => {
    const acks: number[] = [];
    const flow = new FlowControl((offset) => acks.push(offset), 5000);
    for (const offset of [30_000, 60_000, 90_000]) flow.onReceived(offset);
    // xterm calls the three write callbacks one after another within one task.
    for (const offset of [30_000, 60_000, 90_000]) flow.onWritten(offset);
    expect(acks).toEqual([]);
    await Promise.resolve();
    expect(acks).toEqual([90_000]);
  });

  it("keeps the server's unacknowledged window below the high watermark while a flood renders", () => {
    // A server model: sends 64 KiB events while unacked <= HIGH, resumes at LOW.
    const { flow, acks } = setup();
    let sent = 0;
    let acked = 0;
    let blocked = false;
    const rendered: number[] = [];
    for (let step = 0; step < 200; step++) {
      if (!blocked) {
        sent += 16 * 1024;
        flow.onReceived(sent);
        rendered.push(sent);
        if (sent - acked > FLOW_MIN_WINDOW) blocked = true;
      }
      // The terminal renders one chunk per step.
      const next = rendered.shift();
      if (next !== undefined) flow.onWritten(next);
      acked = acks.at(-1) ?? 0;
      if (blocked && sent - acked <= FLOW_MIN_WINDOW / 2) blocked = false;
      expect(sent - acked).toBeLessThanOrEqual(FLOW_MIN_WINDOW + 16 * 1024);
    }
    expect(sent).toBeGreaterThan(1_000_000);
  });
});

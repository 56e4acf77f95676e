// The wire format end to end: output bytes leave raw in binary frames, everything else is JSON text.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cleanupAll,
  RawClient,
  startCapturedServer,
  type CapturedServer,
  type ServerMessage,
} from "./faults-harness.js";

let server: CapturedServer;

beforeAll(async () => {
  server = await startCapturedServer();
});

afterAll(async () => {
  await cleanupAll();
});

/** The output event a message carries, if any. */
function outputOf(message: ServerMessage): Uint8Array | null {
  const event = (message.result?.data as { data?: { type?: string; data?: unknown } } | undefined)
    ?.data;
  return event?.type === "output" && event.data instanceof Uint8Array ? event.data : null;
}

describe("the wire format", () => {
  it("sends output bytes raw in binary frames, byte for byte, and every other message as text", async () => {
    const raw = await RawClient.open(server.wsUrl);
    const created = await raw.answer(
      raw.call("mutation", "session.create", { cols: 80, rows: 24 }),
    );
    const sessionId = (created.result?.data as { id: string }).id;
    const stream = raw.call("subscription", "terminal.output", { sessionId });
    // Control characters, an escape sequence, a NUL and UTF-8: JSON would escape or re-encode them.
    const expected = Buffer.from("\x01\x1b[31mé€😀\x00end\x7f", "utf8");
    const hex = [...expected].map((byte) => `\\x${byte.toString(16).padStart(2, "0")}`).join("");
    raw.call("mutation", "terminal.input", {
      sessionId,
      clientId: "w",
      seq: 0,
      data: `printf '${hex}'\r`,
    });
    const received = await raw.until(
      () => {
        const bytes = Buffer.concat(raw.received(stream).flatMap((m) => outputOf(m) ?? []));
        return bytes.includes(expected) ? bytes : undefined;
      },
      10_000,
      "the printed bytes",
    );
    expect(received.includes(expected)).toBe(true);
    const outputs = raw.received(stream).filter((m) => outputOf(m));
    expect(outputs.length).toBeGreaterThan(0);
    expect(outputs.every((m) => raw.binary.has(m))).toBe(true);
    const others = raw.messages.filter((m) => !outputOf(m));
    expect(others.length).toBeGreaterThan(2);
    expect(others.some((m) => raw.binary.has(m))).toBe(false);
  });
});

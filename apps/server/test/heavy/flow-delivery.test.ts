// Lossless delivery: 50 MB through dozens of random socket drops arrives exactly once, in order.
import { createHash, type Hash } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { cleanup, connect, startTestServer, textOf } from "../harness.js";

afterEach(cleanup);

/** Lines of `seq`: about 50 MB of output with the PTY's \r\n line ends. */
const LINES = 6_000_000;
const BEGIN = "BEGIN-1\r\n";
const END = "END-2";

/** What the payload must hash to: `seq 1 LINES` as the PTY writes it. */
function expectedHash(): { hash: string; bytes: number } {
  const hash = createHash("sha256");
  let bytes = 0;
  let chunk = "";
  for (let i = 1; i <= LINES; i++) {
    chunk += `${i}\r\n`;
    if (chunk.length > 1 << 16) {
      hash.update(chunk);
      bytes += chunk.length;
      chunk = "";
    }
  }
  hash.update(chunk);
  bytes += chunk.length;
  return { hash: hash.digest("hex"), bytes };
}

/** Hashes the text between BEGIN and END as it streams by, without keeping it. */
class PayloadHasher {
  #before = "";
  #hash: Hash | null = null;
  #tail = "";
  bytes = 0;
  digest: string | null = null;

  push(data: string): void {
    if (this.digest) return;
    if (!this.#hash) {
      this.#before += data;
      const at = this.#before.indexOf(BEGIN);
      if (at < 0) return;
      this.#hash = createHash("sha256");
      data = this.#before.slice(at + BEGIN.length);
    }
    // Hold back a few characters: END may be split across events.
    const text = this.#tail + data;
    const end = text.indexOf(END);
    if (end >= 0) {
      this.#feed(text.slice(0, end));
      this.digest = this.#hash.digest("hex");
      return;
    }
    this.#feed(text.slice(0, Math.max(0, text.length - END.length)));
    this.#tail = text.slice(Math.max(0, text.length - END.length));
  }

  #feed(text: string): void {
    this.#hash!.update(text);
    this.bytes += text.length;
  }
}

describe("delivery across dropped connections", () => {
  it("delivers 50 MB exactly once through dozens of random drops", async () => {
    const expected = expectedHash();
    const server = await startTestServer();
    const { client } = connect(server, undefined, { retryDelayMs: 5 });
    const info = await client.session.create.mutate({ cols: 80, rows: 24 });
    const payload = new PayloadHasher();
    let snapshots = 0;
    let ready = false;
    client.terminal.output.subscribe(
      { sessionId: info.id, clientId: "c" },
      {
        onData: ({ data }) => {
          if (data.type === "ready") ready = true;
          if (data.type === "output") payload.push(textOf(data.data));
          if (data.type === "snapshot") snapshots++;
        },
      },
    );
    const until = async (check: () => boolean, ms: number, what: string) => {
      const deadline = Date.now() + ms;
      while (!check()) {
        if (Date.now() > deadline) throw new Error(`${what} within ${ms} ms`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    await until(() => ready, 10_000, "ready");
    await client.terminal.input.mutate({
      sessionId: info.id,
      clientId: "c",
      seq: 0,
      data: `echo BEGIN-$((1)); seq 1 ${LINES}; echo END-$((2))\r`,
    });

    let drops = 0;
    while (!payload.digest) {
      // Every 10-60 ms: the transfer takes under 3 s now, and must still see dozens of drops.
      await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 50));
      for (const socket of server.connections()) socket.terminate();
      drops++;
      if (drops > 5000) throw new Error("the output never finished");
    }
    console.log(
      `flow-delivery: ${(expected.bytes / 1e6).toFixed(1)} MB through ${drops} drops, ${snapshots} snapshots`,
    );
    expect(drops).toBeGreaterThanOrEqual(24);
    expect(snapshots).toBe(0);
    expect(payload.bytes).toBe(expected.bytes);
    expect(payload.digest).toBe(expected.hash);
  }, 300_000);
});

// The ws wire format: JSON text for messages, raw binary frames for output bytes, strict decoding.
import { describe, expect, it } from "vitest";
import { BINARY_FRAME_VERSION, createWireEncoder, wireEncoder } from "./wire.js";

/** A subscription event as tRPC's ws adapter sends it: the tracked envelope inside `result`. */
const subscriptionMessage = (event: object) => ({
  id: 7,
  result: { type: "data", id: "42", data: { id: "42", data: event } },
});

describe("wireEncoder", () => {
  it("sends an output event's bytes raw in a binary frame and decodes them back", () => {
    const bytes = new Uint8Array([0x1b, 0x5b, 0x31, 0x6d, 0xe2, 0x82, 0xac, 0x00, 0xff]);
    const message = subscriptionMessage({ type: "output", data: bytes, replay: true });
    const frame = wireEncoder.encode(message);
    expect(frame).toBeInstanceOf(Uint8Array);
    const binary = frame as Uint8Array;
    expect(binary[0]).toBe(BINARY_FRAME_VERSION);
    // The payload is the bytes as they are, at the end of the frame: no escaping, no base64.
    expect([...binary.subarray(binary.length - bytes.length)]).toEqual([...bytes]);
    const decoded = wireEncoder.decode(binary.slice().buffer) as ReturnType<
      typeof subscriptionMessage
    >;
    expect(decoded).toMatchObject({
      id: 7,
      result: {
        type: "data",
        id: "42",
        data: { id: "42", data: { type: "output", replay: true } },
      },
    });
    const event = decoded.result.data.data as { data: Uint8Array };
    expect(event.data).toBeInstanceOf(Uint8Array);
    expect([...event.data]).toEqual([...bytes]);
  });

  it("leaves the message it encoded untouched", () => {
    const bytes = new Uint8Array([1, 2, 3]);
    const event = { type: "output", data: bytes };
    wireEncoder.encode(subscriptionMessage(event));
    expect(event.data).toBe(bytes);
  });

  it("decodes a frame given as a Uint8Array view into a larger buffer", () => {
    const frame = wireEncoder.encode(
      subscriptionMessage({ type: "output", data: new Uint8Array([9, 8]) }),
    ) as Uint8Array;
    const padded = new Uint8Array(frame.length + 10);
    padded.set(frame, 5);
    const decoded = wireEncoder.decode(padded.subarray(5, 5 + frame.length)) as {
      result: { data: { data: { data: Uint8Array } } };
    };
    expect([...decoded.result.data.data.data]).toEqual([9, 8]);
  });

  it("sends every other message as JSON text", () => {
    const snapshot = subscriptionMessage({ type: "snapshot", data: "\x1b[H screen" });
    expect(wireEncoder.encode(snapshot)).toBe(JSON.stringify(snapshot));
    const reply = { id: 1, result: { type: "data", data: { ok: true } } };
    expect(wireEncoder.encode(reply)).toBe(JSON.stringify(reply));
    expect(wireEncoder.decode(JSON.stringify(reply))).toEqual(reply);
  });

  it("refuses binary frames it does not understand with a clear error", () => {
    expect(() => wireEncoder.decode(new Uint8Array([]))).toThrow(/Unknown binary frame/);
    expect(() => wireEncoder.decode(new Uint8Array([2, 0, 0, 0, 0]))).toThrow(
      /Unknown binary frame \(version 2\)/,
    );
    // A header length past the end of the frame.
    expect(() => wireEncoder.decode(new Uint8Array([1, 100, 0, 0, 0, 0x7b]))).toThrow(
      /shorter than its header/,
    );
    // A header that is valid JSON but carries no bytes event.
    const header = new TextEncoder().encode(JSON.stringify({ id: 1, result: { type: "data" } }));
    const frame = new Uint8Array(5 + header.length);
    frame[0] = 1;
    new DataView(frame.buffer).setUint32(1, header.length, true);
    frame.set(header, 5);
    expect(() => wireEncoder.decode(frame)).toThrow(/without a bytes event/);
  });
});

describe("createWireEncoder", () => {
  it("writes binary frames into the memory its allocator hands out, at any offset", () => {
    // Reused memory full of an older frame's bytes, and the frame not at its start.
    const memory = new Uint8Array(256).fill(0xee);
    const sizes: number[] = [];
    const encoder = createWireEncoder((bytes) => {
      sizes.push(bytes);
      return memory.subarray(8, 8 + bytes);
    });
    const bytes = new Uint8Array([0x41, 0x00, 0x1b]);
    const frame = encoder.encode(subscriptionMessage({ type: "output", data: bytes }));
    expect(sizes).toHaveLength(1);
    expect((frame as Uint8Array).buffer).toBe(memory.buffer);
    expect((frame as Uint8Array).byteOffset).toBe(8);
    const decoded = wireEncoder.decode((frame as Uint8Array).slice()) as {
      result: { data: { data: { data: Uint8Array } } };
    };
    expect([...decoded.result.data.data.data]).toEqual([...bytes]);
  });

  it("asks its allocator for nothing when a message travels as text", () => {
    let calls = 0;
    const encoder = createWireEncoder((bytes) => {
      calls++;
      return new Uint8Array(bytes);
    });
    encoder.encode(subscriptionMessage({ type: "snapshot", data: "screen" }));
    expect(calls).toBe(0);
  });
});

// The ws wire format: tRPC's JSON in text frames, except output bytes, which travel raw in binary frames.

/**
 * The shape tRPC's ws adapter and client take as `experimental_encoder` (structurally the same as
 * tRPC's own Encoder type, which this package does not depend on).
 */
export interface WireEncoder {
  encode(message: unknown): string | Uint8Array<ArrayBuffer>;
  decode(data: string | ArrayBuffer | Uint8Array): unknown;
}

/**
 * First byte of a binary frame. Only the server sends binary frames; the marker keeps the format
 * open to change and lets a decoder refuse a frame it does not understand.
 */
export const BINARY_FRAME_VERSION = 1;

/** Bytes before the JSON header of a binary frame: the version byte and the header's length. */
const PREFIX_BYTES = 5;

/**
 * Where a subscription event sits in a tRPC message: `message.result.data` is the tracked
 * envelope `{ id, data: event }`.
 */
function eventOf(message: unknown): Record<string, unknown> | null {
  const event = field(field(field(message, "result"), "data"), "data");
  return typeof event === "object" && event !== null ? (event as Record<string, unknown>) : null;
}

function field(value: unknown, key: string): unknown {
  return typeof value === "object" && value !== null
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder("utf-8", { fatal: true });

/**
 * An event with a Uint8Array `data` (output) leaves as
 * `[version u8][header length u32 LE][header JSON][raw bytes]`, the header being the message with
 * `data` set to null. JSON would scan every byte and escape each control character into six,
 * on both ends; raw bytes cost one copy.
 */
function encodeBytesEvent(
  message: unknown,
  event: Record<string, unknown>,
  bytes: Uint8Array,
  allocate: FrameAllocator,
): Uint8Array<ArrayBuffer> {
  event.data = null;
  let header: Uint8Array;
  try {
    header = textEncoder.encode(JSON.stringify(message));
  } finally {
    event.data = bytes;
  }
  const frame = allocate(PREFIX_BYTES + header.length + bytes.length);
  frame[0] = BINARY_FRAME_VERSION;
  new DataView(frame.buffer, frame.byteOffset, frame.byteLength).setUint32(1, header.length, true);
  frame.set(header, PREFIX_BYTES);
  frame.set(bytes, PREFIX_BYTES + header.length);
  return frame;
}

function decodeBinary(frame: Uint8Array): unknown {
  if (frame.length < PREFIX_BYTES || frame[0] !== BINARY_FRAME_VERSION) {
    throw new Error(`Unknown binary frame (version ${frame[0] ?? "none"})`);
  }
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const headerEnd = PREFIX_BYTES + view.getUint32(1, true);
  if (headerEnd > frame.length) throw new Error("Binary frame shorter than its header");
  const message: unknown = JSON.parse(textDecoder.decode(frame.subarray(PREFIX_BYTES, headerEnd)));
  const event = eventOf(message);
  if (!event || event.data !== null) throw new Error("Binary frame without a bytes event");
  event.data = frame.subarray(headerEnd);
  return message;
}

/**
 * Where a binary frame's memory comes from: `bytes` long, every byte of it written by the encoder.
 * A server may hand out reused memory, as long as it takes it back only once the frame was sent.
 */
export type FrameAllocator = (bytes: number) => Uint8Array<ArrayBuffer>;

/** New zeroed memory per frame. */
const newFrame: FrameAllocator = (bytes) => new Uint8Array(bytes);

/**
 * Porthole's encoder for tRPC over ws, with binary frames taken from `allocate`: messages are JSON
 * text, and output events carry their bytes raw in a binary frame.
 */
export function createWireEncoder(allocate: FrameAllocator = newFrame): WireEncoder {
  return {
    encode(message) {
      const event = eventOf(message);
      if (event?.data instanceof Uint8Array)
        return encodeBytesEvent(message, event, event.data, allocate);
      return JSON.stringify(message);
    },
    decode(data) {
      if (typeof data === "string") return JSON.parse(data) as unknown;
      return decodeBinary(data instanceof Uint8Array ? data : new Uint8Array(data));
    },
  };
}

/** Porthole's encoder for tRPC over ws, used by every client (and by servers that pool nothing). */
export const wireEncoder: WireEncoder = createWireEncoder();

/**
 * tRPC's data transformer for the same format: values pass unchanged, because the encoder
 * carries Uint8Array itself. Declaring it tells tRPC's types that `data` arrives as a Uint8Array
 * rather than as JSON would serialise it.
 */
export const wireTransformer = {
  serialize: (value: unknown): unknown => value,
  deserialize: <T>(value: T): T => value,
};

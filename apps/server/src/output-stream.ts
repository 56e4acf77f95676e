// The terminal.output subscription's body: replay then live events, paced by the socket.
import type { OutputStreamEvent } from "@porthole/protocol";
import type { Attachment } from "@porthole/sandbox";
import { tracked, type TrackedEnvelope } from "@trpc/server";
import type { WebSocket } from "ws";
import {
  COALESCE_AFTER_BYTES,
  COALESCE_BYTES,
  COALESCE_MS,
  MAX_SOCKET_BUFFERED_BYTES,
} from "./limits.js";
import { belowBound } from "./socket-drain.js";

/**
 * Yields the attachment's events as tracked(offset, event). Before each event it waits until the
 * socket holds less than MAX_SOCKET_BUFFERED_BYTES, telling the attachment it is blocked meanwhile,
 * so a slow client costs the server at most that much memory and never slows the PTY for others.
 * After a large output event the next one gathers for up to COALESCE_MS, so a flood leaves as
 * ~64 KiB frames while a keystroke's echo leaves at once.
 */
export async function* outputStream(
  attachment: Attachment,
  socket: WebSocket,
  signal: AbortSignal,
  bound = MAX_SOCKET_BUFFERED_BYTES,
): AsyncGenerator<TrackedEnvelope<OutputStreamEvent>, void, unknown> {
  try {
    while (!signal.aborted) {
      if (socket.bufferedAmount >= bound) {
        attachment.setBackpressured(true);
        await belowBound(socket, bound, signal);
        attachment.setBackpressured(false);
      }
      const next = await attachment.next(signal);
      if (!next) return;
      yield tracked(String(next.offset), next.event);
      if (next.event.type === "output" && next.event.data.length >= COALESCE_AFTER_BYTES) {
        await attachment.gather(COALESCE_BYTES, COALESCE_MS, signal);
      }
    }
  } finally {
    attachment.detach();
  }
}

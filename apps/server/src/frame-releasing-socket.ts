// A ws socket that gives a pooled output frame back to its pool once the frame has been written.
import { WebSocket } from "ws";
import type { FramePool } from "./frame-pool.js";

type SendData = Parameters<WebSocket["send"]>[0];
type SendCallback = (error?: Error) => void;
type SendOptions = Exclude<Parameters<WebSocket["send"]>[1], SendCallback | undefined>;

/**
 * The WebSocket class for a server whose encoder takes frames from `pool` (pass it to
 * WebSocketServer as `WebSocket`). ws calls a send's callback when the socket has written the
 * frame, or failed to: only then is its memory free to be lent again. tRPC's adapter sends
 * without a callback, so this is where a send's end can be seen.
 */
export function frameReleasingSocket(pool: FramePool): typeof WebSocket {
  return class FrameReleasingSocket extends WebSocket {
    override send(data: SendData, callback?: SendCallback): void;
    override send(data: SendData, options: SendOptions, callback?: SendCallback): void;
    override send(data: SendData, second?: SendOptions | SendCallback, third?: SendCallback): void {
      const options = typeof second === "function" ? {} : (second ?? {});
      const callback = typeof second === "function" ? second : third;
      if (!(data instanceof Uint8Array) || !pool.lent(data)) {
        super.send(data, options, callback);
        return;
      }
      super.send(data, options, (error) => {
        pool.release(data);
        callback?.(error);
      });
    }
  };
}

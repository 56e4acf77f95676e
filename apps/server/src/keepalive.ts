// WebSocket keepalive that tells a dead peer from a slow one.
import type { WebSocket } from "ws";

/** Intervals without any sign of life before a socket is dropped. */
export const KEEPALIVE_MISSES = 3;

interface Watched {
  alive: boolean;
  misses: number;
  written: number;
}

/**
 * Pings every socket each `intervalMs` (protocol pings keep proxies with idle limits from closing
 * the connection). A socket shows life by a pong, any message, or the peer taking bytes we sent
 * (a slow client behind a long queue cannot answer pings in time but still reads). Only after
 * KEEPALIVE_MISSES silent intervals is it terminated: a half-open connection is noticed within
 * about (KEEPALIVE_MISSES + 1) * intervalMs.
 */
export class Keepalive {
  readonly #sockets = new Map<WebSocket, Watched>();
  readonly #timer: NodeJS.Timeout;
  readonly #bytesWritten: (socket: WebSocket) => number;
  readonly #onDead: (socket: WebSocket) => void;

  constructor(
    intervalMs: number,
    bytesWritten: (socket: WebSocket) => number,
    onDead: (socket: WebSocket) => void,
  ) {
    this.#bytesWritten = bytesWritten;
    this.#onDead = onDead;
    this.#timer = setInterval(() => this.#tick(), intervalMs);
    this.#timer.unref();
  }

  watch(socket: WebSocket): void {
    const watched: Watched = { alive: true, misses: 0, written: this.#bytesWritten(socket) };
    const alive = () => {
      watched.alive = true;
    };
    socket.on("pong", alive);
    socket.on("message", alive);
    socket.once("close", () => this.#sockets.delete(socket));
    this.#sockets.set(socket, watched);
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  #tick(): void {
    for (const [socket, watched] of this.#sockets) {
      const written = this.#bytesWritten(socket);
      const progressed = written !== watched.written;
      watched.written = written;
      if (watched.alive || progressed) {
        watched.misses = 0;
      } else if (++watched.misses >= KEEPALIVE_MISSES) {
        this.#sockets.delete(socket);
        this.#onDead(socket);
        socket.terminate();
        continue;
      }
      watched.alive = false;
      socket.ping();
    }
  }
}

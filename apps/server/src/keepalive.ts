// WebSocket keepalive that tells a dead peer from a slow one.
import type { WebSocket } from "ws";

/** Intervals without any sign of life before a socket is dropped. */
export const KEEPALIVE_MISSES = 3;

interface Watched {
  alive: boolean;
  misses: number;
  flushed: number;
  /** Bytes were queued behind a full kernel buffer at the last tick. */
  backlogged: boolean;
}

/**
 * Pings every socket each `intervalMs` (protocol pings keep proxies with idle limits from closing
 * the connection). A socket shows life by a pong, any message, or the peer taking bytes we sent
 * (a slow client behind a long queue cannot answer pings in time but still reads). Only after
 * KEEPALIVE_MISSES silent intervals is it terminated: a half-open connection is noticed within
 * about (KEEPALIVE_MISSES + 1) * intervalMs.
 *
 * `flushedBytes` must count bytes the kernel accepted, not bytes we queued (our own pings and
 * output would look like life), and flushing counts only while a backlog was waiting: bytes that
 * drop into an empty kernel buffer say nothing about the peer.
 */
export class Keepalive {
  readonly #sockets = new Map<WebSocket, Watched>();
  readonly #timer: NodeJS.Timeout;
  readonly #flushedBytes: (socket: WebSocket) => number;
  readonly #onDead: (socket: WebSocket) => void;

  constructor(
    intervalMs: number,
    flushedBytes: (socket: WebSocket) => number,
    onDead: (socket: WebSocket) => void,
  ) {
    this.#flushedBytes = flushedBytes;
    this.#onDead = onDead;
    this.#timer = setInterval(() => this.#tick(), intervalMs);
    this.#timer.unref();
  }

  watch(socket: WebSocket): void {
    const watched: Watched = {
      alive: true,
      misses: 0,
      flushed: this.#flushedBytes(socket),
      backlogged: socket.bufferedAmount > 0,
    };
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
      const flushed = this.#flushedBytes(socket);
      const progressed = watched.backlogged && flushed !== watched.flushed;
      watched.flushed = flushed;
      watched.backlogged = socket.bufferedAmount > 0;
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

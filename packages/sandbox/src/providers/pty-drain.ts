// Hands over what a PTY still holds before node-pty closes it, so a program's last output arrives.

/**
 * node-pty's read stream can end short of a PTY's last bytes:
 * - once the program exits, libuv sees the terminal hung up and, after any read shorter than its
 *   buffer (a PTY read is usually ~4 KiB or less), reports the end though more is waiting;
 * - node-pty destroys the stream 200 ms after the exit, and a paused stream (every client behind)
 *   has not read what it and the kernel still hold.
 *
 * This makes the stream's destroy first hand over, in order, what the stream buffered (`read()`
 * emits it as 'data') and then what the kernel holds, read straight from the master until it is
 * empty (EAGAIN) or hung up and empty (EIO). What is left is bounded by the PTY's buffers.
 *
 * The PTY thread runs this function's source text: it may refer to nothing outside itself.
 */
export function drainBeforeDestroy(
  child: unknown,
  readSync: (fd: number, buffer: Uint8Array) => number,
  deliver: (bytes: Uint8Array) => void,
): void {
  const internals = child as { _socket?: unknown; fd?: unknown } | null;
  const stream = internals?._socket as
    { destroy?: unknown; destroyed?: boolean; read?: unknown } | null | undefined;
  if (
    typeof stream !== "object" ||
    stream === null ||
    typeof stream.destroy !== "function" ||
    typeof stream.read !== "function"
  ) {
    return;
  }
  const fd = typeof internals?.fd === "number" ? internals.fd : null;
  const destroy = (stream.destroy as (error?: Error) => unknown).bind(stream);
  const read = (stream.read as () => unknown).bind(stream);
  const drainKernel = (master: number) => {
    const buffer = new Uint8Array(64 * 1024);
    for (;;) {
      let bytes = 0;
      try {
        bytes = readSync(master, buffer);
      } catch {
        return; // EAGAIN: empty; EIO: hung up and empty
      }
      if (bytes <= 0) return;
      deliver(buffer.slice(0, bytes));
    }
  };
  stream.destroy = (error?: Error) => {
    if (stream.destroyed !== true) {
      while (read() !== null);
      if (fd !== null) drainKernel(fd);
    }
    return destroy(error);
  };
}

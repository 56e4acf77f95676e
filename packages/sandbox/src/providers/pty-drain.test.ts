// drainBeforeDestroy against a stand-in for node-pty's stream (real PTYs: test/local-session.test.ts).
import { describe, expect, it } from "vitest";
import { drainBeforeDestroy } from "./pty-drain.js";

/** A node-pty-like child whose stream buffered `buffered` and whose kernel side holds `kernel`. */
function fakeChild(buffered: string[], kernel: (string | Error)[]) {
  const log: string[] = [];
  const stream = {
    destroyed: false,
    read: () => {
      const chunk = buffered.shift();
      if (chunk === undefined) return null;
      log.push(`data ${chunk}`); // what read() emits as 'data'
      return chunk;
    },
    destroy: (error?: Error) => {
      log.push(`destroy ${error?.message ?? ""}`.trim());
      stream.destroyed = true;
      return stream;
    },
  };
  const readSync = (fd: number, buffer: Uint8Array) => {
    expect(fd).toBe(7);
    const next = kernel.shift() ?? new Error("EAGAIN");
    if (next instanceof Error) throw next;
    buffer.set(new TextEncoder().encode(next));
    return next.length;
  };
  const deliver = (bytes: Uint8Array) => log.push(`kernel ${new TextDecoder().decode(bytes)}`);
  return { child: { _socket: stream, fd: 7 }, stream, readSync, deliver, log };
}

describe("drainBeforeDestroy", () => {
  it("hands over the stream's buffer, then the kernel's bytes, then destroys", () => {
    const { child, stream, readSync, deliver, log } = fakeChild(["a", "b"], ["c", "d"]);
    drainBeforeDestroy(child, readSync, deliver);
    stream.destroy();
    expect(log).toEqual(["data a", "data b", "kernel c", "kernel d", "destroy"]);
  });

  it("stops reading the kernel at EIO (hung up and empty) and passes the error on", () => {
    const { child, stream, readSync, deliver, log } = fakeChild([], ["c", new Error("EIO"), "x"]);
    drainBeforeDestroy(child, readSync, deliver);
    stream.destroy(new Error("boom"));
    expect(log).toEqual(["kernel c", "destroy boom"]);
  });

  it("reads nothing once the stream is destroyed", () => {
    const { child, stream, readSync, deliver, log } = fakeChild(["a"], ["c"]);
    drainBeforeDestroy(child, readSync, deliver);
    stream.destroyed = true;
    stream.destroy();
    expect(log).toEqual(["destroy"]);
  });

  it("leaves a child without node-pty's internals alone", () => {
    expect(() =>
      drainBeforeDestroy(
        {},
        () => 0,
        () => undefined,
      ),
    ).not.toThrow();
    expect(() =>
      drainBeforeDestroy(
        null,
        () => 0,
        () => undefined,
      ),
    ).not.toThrow();
  });
});

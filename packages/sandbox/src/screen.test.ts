// The headless screen mirror: snapshots at an offset, resizes in order, resync after lost bytes.
import headless from "@xterm/headless";
import { describe, expect, it } from "vitest";
import { OutputLog } from "./output-log.js";
import { MAX_CARRIED_TITLE, MAX_CATCH_UP_BYTES, ScreenMirror, titleSequence } from "./screen.js";

describe("ScreenMirror", () => {
  it("serialises the screen at the log's end offset", async () => {
    const log = new OutputLog();
    const mirror = new ScreenMirror(log, 20, 5);
    log.append(Buffer.from("hello \x1b[31mred\x1b[0m\r\nsecond line"));
    const snapshot = await mirror.snapshot();
    expect(snapshot).toMatchObject({ cols: 20, rows: 5, offset: log.end });
    expect(snapshot.data).toContain("hello");
    expect(snapshot.data).toContain("\x1b[31mred");
    expect(snapshot.data).toContain("second line");
    mirror.dispose();
  });

  it("carries the title the program set last, which the screen itself does not", async () => {
    const log = new OutputLog();
    const mirror = new ScreenMirror(log, 20, 5);
    log.append(Buffer.from("\x1b]0;first\x07one\r\n\x1b]2;\u2733 Claude Code\x1b\\two"));
    const snapshot = await mirror.snapshot();
    expect(snapshot.data.startsWith("\x1b]2;\u2733 Claude Code\x07")).toBe(true);
    expect(snapshot.data).not.toContain("first");
    // Written to a fresh terminal, the snapshot names it as the program did.
    const client = new headless.Terminal({ cols: 20, rows: 5, allowProposedApi: true });
    const titles: string[] = [];
    client.onTitleChange((title) => titles.push(title));
    await new Promise<void>((resolve) => client.write(snapshot.data, resolve));
    expect(titles).toEqual(["\u2733 Claude Code"]);
    client.dispose();
    // An empty title, as Claude Code sets on exit, is carried too: a client's reset keeps its own.
    log.append(Buffer.from("\x1b]2;\x07"));
    expect((await mirror.snapshot()).data.startsWith("\x1b]2;\x07")).toBe(true);
    mirror.dispose();
  });

  it("carries the title a program gave back on quitting, as vim does", async () => {
    const log = new OutputLog();
    const mirror = new ScreenMirror(log, 20, 5);
    // The prompt's title; vim saves it (CSI 22 t), sets its own, and restores it (CSI 23 t).
    log.append(Buffer.from("\x1b]0;user@host: ~\x07$ vim\r\n\x1b[22;0t\x1b]2;notes - VIM\x07"));
    expect((await mirror.snapshot()).data.startsWith("\x1b]2;notes - VIM\x07")).toBe(true);
    log.append(Buffer.from("\x1b[23;0t$ "));
    expect((await mirror.snapshot()).data.startsWith("\x1b]2;user@host: ~\x07")).toBe(true);
    mirror.dispose();
  });

  it("drops control characters from a carried title, which could end its sequence early", () => {
    expect(titleSequence("a\x07b\x1b]c\u009cd")).toBe("\x1b]2;ab]cd\x07");
    expect(titleSequence("\x07")).toBe("\x1b]2;\x07");
  });

  it("carries at most MAX_CARRIED_TITLE code points of a title, never half of one", () => {
    const long = "\u{1F600}".repeat(MAX_CARRIED_TITLE + 1);
    expect(titleSequence(long)).toBe(`\x1b]2;${"\u{1F600}".repeat(MAX_CARRIED_TITLE)}\x07`);
    expect(titleSequence("x".repeat(MAX_CARRIED_TITLE))).toContain("x".repeat(MAX_CARRIED_TITLE));
  });

  it("applies resizes at the offset they happened", async () => {
    const log = new OutputLog();
    const mirror = new ScreenMirror(log, 10, 3);
    log.append(Buffer.from("0123456789abc"));
    mirror.resize(40, 3);
    log.append(Buffer.from("\r\n0123456789abcdefghij"));
    const snapshot = await mirror.snapshot();
    expect(snapshot.cols).toBe(40);
    // Written at 10 columns the first line wrapped; the second, written at 40, did not.
    expect(snapshot.data).toContain("0123456789abcdefghij");
    mirror.dispose();
  });

  it("goes on from the oldest retained bytes when the log dropped what it had not parsed", async () => {
    const log = new OutputLog({ capacity: 1024, blockSize: 256 });
    const mirror = new ScreenMirror(log, 40, 5);
    for (let i = 0; i < 200; i++) log.append(Buffer.from(`line ${i}\r\n`));
    const snapshot = await mirror.snapshot();
    expect(mirror.resyncs).toBe(1);
    expect(snapshot.offset).toBe(log.end);
    expect(snapshot.data).toContain("line 199");
    mirror.dispose();
  });

  it("parses at most MAX_CATCH_UP_BYTES to catch up, skipping older bytes", async () => {
    const log = new OutputLog({ capacity: 4 * MAX_CATCH_UP_BYTES });
    const mirror = new ScreenMirror(log, 40, 5);
    const line = (i: number) => Buffer.from(`line ${String(i).padStart(7, "0")}\r\n`);
    let i = 0;
    while (log.end <= MAX_CATCH_UP_BYTES + 1000) log.append(line(i++));
    const snapshot = await mirror.snapshot();
    expect(mirror.resyncs).toBe(1);
    expect(mirror.parsedBytes).toBe(MAX_CATCH_UP_BYTES);
    expect(snapshot.data).toContain(`line ${String(i - 1).padStart(7, "0")}`);
    mirror.dispose();
  });

  it("does not parse in the background while a flood outruns it, then catches up", async () => {
    const log = new OutputLog({ capacity: 4 * MAX_CATCH_UP_BYTES });
    const mirror = new ScreenMirror(log, 40, 5);
    const chunk = Buffer.alloc(MAX_CATCH_UP_BYTES / 4, "x");
    const flood = async (ms: number) => {
      for (const until = performance.now() + ms; performance.now() < until;) {
        log.append(chunk);
        mirror.poke();
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    log.append(Buffer.alloc(MAX_CATCH_UP_BYTES + 1, "x"));
    mirror.poke();
    await flood(400);
    expect(mirror.parsedBytes).toBe(0);
    // Once the flood pauses the mirror skips to the newest bytes and parses them.
    log.append(Buffer.from("\r\nthe end"));
    mirror.poke();
    await expect.poll(() => mirror.parsedBytes, { timeout: 5000 }).toBeGreaterThan(0);
    const snapshot = await mirror.snapshot();
    expect(mirror.parsedBytes).toBeLessThanOrEqual(MAX_CATCH_UP_BYTES);
    expect(snapshot.data).toContain("the end");
    mirror.dispose();
  });

  it("carries a UTF-8 character split across appends", async () => {
    const log = new OutputLog();
    const mirror = new ScreenMirror(log, 20, 3);
    const bytes = Buffer.from("né😀");
    log.append(bytes.subarray(0, 2));
    await mirror.snapshot();
    log.append(bytes.subarray(2));
    const snapshot = await mirror.snapshot();
    expect(snapshot.data).toContain("né😀");
    mirror.dispose();
  });

  // Shapes @xterm/addon-serialize 0.14 redrew wrongly (fixed by patches/@xterm__addon-serialize).
  it.each([
    [
      "a gap at the start of a wrapped row",
      20,
      8,
      "\x1b[6;1H" + "A".repeat(16) + "\x1b[6;19Hfar-right\r\n",
    ],
    ["an entirely blank wrapped row", 40, 10, "x\x1b[38Cy\r\n"],
    [
      "rows past the edge of a narrowed alternate screen",
      20,
      10,
      "\x1b[?1049h" + "0123456789abcdefghij\r\nKLMNOPQRSTUVWXYZ1234",
    ],
  ])("redraws exactly what it shows: %s", async (_shape, cols, narrowed, output) => {
    const log = new OutputLog();
    const mirror = new ScreenMirror(log, cols, 6);
    const shown = new headless.Terminal({ cols, rows: 6, allowProposedApi: true });
    log.append(Buffer.from(output));
    await written(shown, output);
    mirror.resize(narrowed, 6);
    shown.resize(narrowed, 6);
    const snapshot = await mirror.snapshot();
    const redrawn = new headless.Terminal({ cols: narrowed, rows: 6, allowProposedApi: true });
    await written(redrawn, snapshot.data);
    expect(visibleRows(redrawn)).toEqual(visibleRows(shown));
    mirror.dispose();
  });
});

function written(terminal: headless.Terminal, data: string): Promise<void> {
  return new Promise((resolve) => terminal.write(data, resolve));
}

/** The screen as a person sees it: each row within the width, "~" marking a wrapped one. */
function visibleRows(terminal: headless.Terminal): string[] {
  const buffer = terminal.buffer.active;
  const rows: string[] = [];
  for (let y = buffer.baseY; y < buffer.baseY + terminal.rows; y++) {
    const line = buffer.getLine(y);
    rows.push(
      `${line?.isWrapped ? "~" : " "}${line?.translateToString(true, 0, terminal.cols) ?? ""}`,
    );
  }
  return rows;
}

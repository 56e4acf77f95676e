// The frame pacer against a fake page and clock: straight through until a flood, then spaced.
import { describe, expect, it } from "vitest";
import {
  FLOOD_BYTES_PER_FRAME,
  FLOOD_FRAME_MS,
  FramePacer,
  type PacerClock,
} from "./frame-pacer.js";

/** A page whose frames and timers run when the test says, on a clock the test moves. */
function fakePage() {
  let time = 0;
  let nextId = 1;
  const frames = new Map<number, (time: number) => void>();
  const timers = new Map<number, { at: number; run: () => void }>();
  const page = {
    requestAnimationFrame: (callback: (time: number) => void) => {
      frames.set(nextId, callback);
      return nextId++;
    },
    cancelAnimationFrame: (handle: number) => void frames.delete(handle),
  };
  const clock: PacerClock = {
    now: () => time,
    setTimeout: (run, ms) => {
      timers.set(nextId, { at: time + ms, run });
      return nextId++;
    },
    clearTimeout: (timer) => void timers.delete(timer as number),
  };
  /** Moves time on by `ms`, firing the timers due. */
  const tick = (ms: number) => {
    time += ms;
    for (const [id, timer] of [...timers]) {
      if (timer.at > time) continue;
      timers.delete(id);
      timer.run();
    }
  };
  /** Runs the frame callbacks asked for so far, as a vsync now would. */
  const frame = () => {
    const due = [...frames.values()];
    frames.clear();
    for (const callback of due) callback(time);
  };
  /** `ms` later, a vsync. */
  const advance = (ms: number) => {
    tick(ms);
    frame();
  };
  return {
    page,
    clock,
    tick,
    frame,
    advance,
    pendingFrames: () => frames.size,
    pendingTimers: () => timers.size,
  };
}

/** A pacer installed on a fake page, and a renderer that asks for a frame like xterm.js. */
function setup() {
  const fake = fakePage();
  const native = fake.page.requestAnimationFrame;
  const pacer = new FramePacer(fake.page, fake.clock);
  const uninstall = pacer.install();
  const drawn: number[] = [];
  const draw = () => fake.page.requestAnimationFrame((time) => drawn.push(time));
  return { ...fake, pacer, uninstall, native, drawn, draw };
}

describe("FramePacer", () => {
  it("draws on the next frame while output stays under a flood", () => {
    const { pacer, advance, drawn, draw } = setup();
    advance(16);
    draw();
    advance(16);
    pacer.noteOutput(FLOOD_BYTES_PER_FRAME - 1);
    draw();
    advance(16);
    expect(drawn).toEqual([32, 48]);
  });

  it("holds a frame back until FLOOD_FRAME_MS after the last once a flood arrived", () => {
    const { pacer, advance, drawn, draw, pendingTimers } = setup();
    draw();
    advance(16); // the last frame, at 16
    pacer.noteOutput(FLOOD_BYTES_PER_FRAME);
    draw();
    expect(pendingTimers()).toBe(1);
    advance(16);
    advance(FLOOD_FRAME_MS - 16 - 1);
    expect(drawn).toEqual([16]);
    advance(1);
    expect(drawn).toEqual([16, 16 + FLOOD_FRAME_MS]);
  });

  it("asks for a frame at once when the last one is already FLOOD_FRAME_MS old", () => {
    const { pacer, advance, drawn, draw, pendingTimers } = setup();
    draw();
    advance(16);
    advance(FLOOD_FRAME_MS);
    pacer.noteOutput(10 * FLOOD_BYTES_PER_FRAME);
    draw();
    expect(pendingTimers()).toBe(0);
    advance(16);
    expect(drawn).toEqual([16, 32 + FLOOD_FRAME_MS]);
  });

  it("holds back the frame after a flood's frame too, then draws at once again", () => {
    const { pacer, advance, tick, drawn, draw, pendingTimers } = setup();
    pacer.noteOutput(FLOOD_BYTES_PER_FRAME);
    draw();
    advance(16); // the flood's frame
    // A terminal asks for its next frame before the next output arrives: still a flood.
    draw();
    expect(pendingTimers()).toBe(1);
    tick(FLOOD_FRAME_MS - 1);
    expect(drawn).toEqual([16]);
    advance(1);
    expect(drawn).toEqual([16, 16 + FLOOD_FRAME_MS]);
    // Nothing arrived before that frame: the flood is over.
    expect(pacer.flooding).toBe(false);
    draw();
    advance(16);
    expect(drawn).toEqual([16, 16 + FLOOD_FRAME_MS, 32 + FLOOD_FRAME_MS]);
  });

  it("counts each frame once, however many callbacks it runs", () => {
    const { pacer, advance, draw } = setup();
    pacer.noteOutput(FLOOD_BYTES_PER_FRAME);
    draw();
    draw();
    advance(16);
    expect(pacer.flooding).toBe(true);
  });

  it("cancels a held-back request before and after its wait", () => {
    const { page, pacer, tick, frame, advance, drawn, draw, pendingFrames, pendingTimers } =
      setup();
    draw();
    advance(16);
    pacer.noteOutput(FLOOD_BYTES_PER_FRAME);
    const waiting = draw();
    expect(waiting).toBeLessThan(0);
    page.cancelAnimationFrame(waiting);
    expect(pendingTimers()).toBe(0);
    const requested = draw();
    tick(FLOOD_FRAME_MS); // the wait is over: a real frame is requested, not drawn yet
    expect(pendingFrames()).toBe(1);
    page.cancelAnimationFrame(requested);
    expect(pendingFrames()).toBe(0);
    frame();
    expect(drawn).toEqual([16]);
  });

  it("cancels a request it passed straight through", () => {
    const { page, advance, drawn, draw } = setup();
    page.cancelAnimationFrame(draw());
    advance(16);
    expect(drawn).toEqual([]);
  });

  it("gives the page its own functions back", () => {
    const { page, uninstall, native } = setup();
    expect(page.requestAnimationFrame).not.toBe(native);
    uninstall();
    expect(page.requestAnimationFrame).toBe(native);
  });
});

// Tells a terminal's answers to queries (cursor position, device attributes, colours) and mouse motion from typing.

/**
 * One report xterm.js writes in answer to a query in the output: CPR and DSR (`CSI r;c R`,
 * `CSI 0 n`), primary and secondary device attributes (`CSI ? … c`, `CSI > … c`), mode reports
 * (`CSI ? … $ y`), window reports (`CSI … t`), focus reports (`CSI I`, `CSI O`), and OSC and DCS
 * replies (colours, XTGETTCAP, DECRQSS) ended by BEL or ST.
 */
const REPORT =
  // eslint-disable-next-line no-control-regex -- escape sequences are what it matches
  /\x1b\[(?:\d+;\d+R|\d*n|[?>][\d;]*c|\??[\d;]*\$y|[\d;]*t|[IO])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1bP[^\x1b]*\x1b\\/y;

/**
 * Whether `data` is nothing but terminal reports. Typing that arrives outside a key event (an
 * IME's composed text, an Android keyboard's input, which xterm.js sends from a timer) is never
 * one, so it is not mistaken for an answer.
 */
export function isTerminalReport(data: string): boolean {
  if (data === "") return false;
  REPORT.lastIndex = 0;
  while (REPORT.lastIndex < data.length) {
    const at = REPORT.lastIndex;
    if (!REPORT.test(data) || REPORT.lastIndex === at) return false;
  }
  return true;
}

/**
 * One mouse report with the motion bit (32) set, in SGR (`CSI < b;x;y M`) or X10 (`CSI M b x y`,
 * b offset by 32) encoding: the pointer moving (any-motion tracking, or dragging).
 */
// eslint-disable-next-line no-control-regex -- escape sequences are what it matches
const MOUSE = /\x1b\[<(\d+);\d+;\d+[Mm]|\x1b\[M([\s\S])[\s\S]{2}/y;

/** Whether `data` is nothing but mouse motion reports. */
export function isMouseMotion(data: string): boolean {
  if (data === "") return false;
  MOUSE.lastIndex = 0;
  while (MOUSE.lastIndex < data.length) {
    const match = MOUSE.exec(data);
    if (!match) return false;
    const button = match[1] !== undefined ? Number(match[1]) : match[2]!.charCodeAt(0) - 32;
    if ((button & 32) === 0) return false;
  }
  return true;
}

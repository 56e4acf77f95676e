// Turns a child's exit code or signal into envd's EndEvent fields (Go's os.ProcessState wording).
import { constants } from "node:os";

/** The `end` event fields envd reports for a finished process. */
export interface ExitStatus {
  /** Exit code, or -1 when a signal ended the process (Go's `ProcessState.ExitCode()`). */
  readonly exitCode: number;
  /** True when the process exited by itself, false when a signal ended it. */
  readonly exited: boolean;
  /** `exit status N` or `signal: <name>` (Go's `ProcessState.String()`). */
  readonly status: string;
  /** Absent on a clean exit, otherwise the same text as `status` (Go's `ExitError.Error()`). */
  readonly error?: string;
}

// Go's names for Linux signals (syscall.Signal.String()).
const SIGNAL_TEXT: Readonly<Record<number, string>> = {
  1: "hangup",
  2: "interrupt",
  3: "quit",
  4: "illegal instruction",
  5: "trace/breakpoint trap",
  6: "aborted",
  7: "bus error",
  8: "floating point exception",
  9: "killed",
  10: "user defined signal 1",
  11: "segmentation fault",
  12: "user defined signal 2",
  13: "broken pipe",
  14: "alarm clock",
  15: "terminated",
};

/** Signal number for a Node signal name such as `SIGKILL`, or for a number passed through. */
export function signalNumber(signal: NodeJS.Signals | number): number {
  return typeof signal === "number" ? signal : constants.signals[signal];
}

/**
 * Describes how a process ended, as envd does.
 * @param code the exit code when it exited by itself
 * @param signal the signal that ended it (number or Node name), if any
 */
export function exitStatus(
  code: number | null,
  signal: NodeJS.Signals | number | null,
): ExitStatus {
  const signo = signal === null ? 0 : signalNumber(signal);
  if (signo > 0) {
    const status = `signal: ${SIGNAL_TEXT[signo] ?? `signal ${signo}`}`;
    return { exitCode: -1, exited: false, status, error: status };
  }
  const exitCode = code ?? 0;
  const status = `exit status ${exitCode}`;
  return exitCode === 0
    ? { exitCode, exited: true, status }
    : { exitCode, exited: true, status, error: status };
}

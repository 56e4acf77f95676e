// envd's process.Process service over the emulator's sandboxes: Start/Connect streams, input, resize, signals, list.
import { stat } from "node:fs/promises";
import { Code, ConnectError, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import type { MessageInitShape } from "@bufbuild/protobuf";
import {
  Signal,
  type Process,
  type ProcessEventSchema,
  type ProcessSelector,
} from "./gen/process/process_pb.js";
import { nodeRequestOf, sandboxOf, userOf } from "./envd-context.js";
import { SANDBOX_HOME } from "./paths.js";
import type { Sandbox } from "./sandbox.js";
import { ProcessInputError, type SandboxProcess } from "./sandbox-process.js";
import type { StreamItem, Subscription } from "./subscription.js";

type EventInit = MessageInitShape<typeof ProcessEventSchema>;
type StreamResponse = { event: EventInit };

// envd's keepalive interval when `Keepalive-Ping-Interval` (seconds) is absent or invalid.
const DEFAULT_KEEPALIVE_MS = 90_000;

function keepaliveMs(header: Headers): number {
  const seconds = Number(header.get("keepalive-ping-interval"));
  return Number.isInteger(seconds) && seconds > 0 ? seconds * 1000 : DEFAULT_KEEPALIVE_MS;
}

/** The Start deadline from `Connect-Timeout-Ms` (already validated by Connect); 0 means none. */
function startDeadlineMs(header: Headers): number {
  const value = header.get("connect-timeout-ms");
  return value === null ? 0 : Number(value);
}

function findProcess(sandbox: Sandbox, selector: ProcessSelector | undefined): SandboxProcess {
  const choice = selector?.selector;
  if (choice?.case === "pid") {
    const proc = sandbox.findProcess({ pid: choice.value });
    if (proc === undefined)
      throw new ConnectError(`process with pid ${choice.value} not found`, Code.NotFound);
    return proc;
  }
  if (choice?.case === "tag") {
    const proc = sandbox.findProcess({ tag: choice.value });
    if (proc === undefined)
      throw new ConnectError(`process with tag ${choice.value} not found`, Code.NotFound);
    return proc;
  }
  throw new ConnectError("invalid input type: no process selector", Code.Unimplemented);
}

function toEvent(item: StreamItem): EventInit {
  if (item.type === "data") {
    return {
      event: {
        case: "data",
        value: { output: { case: item.output.case, value: item.output.value } },
      },
    };
  }
  const { exitCode, exited, status, error } = item.exit;
  return {
    event: {
      case: "end",
      value: { exitCode, exited, status, ...(error === undefined ? {} : { error }) },
    },
  };
}

/** Streams one subscription: `start`, then data and `end`, with keepalives while idle. */
async function* pump(
  sandbox: Sandbox,
  proc: SandboxProcess,
  subscription: Subscription,
  ctx: HandlerContext,
): AsyncGenerator<StreamResponse> {
  const untrack = sandbox.trackStream(nodeRequestOf(ctx).socket, proc.pid);
  try {
    yield { event: { event: { case: "start", value: { pid: proc.pid } } } };
    const idleMs = keepaliveMs(ctx.requestHeader);
    for (;;) {
      const next = await subscription.next(idleMs, ctx.signal);
      if (next === "done") return;
      yield {
        event: next === "idle" ? { event: { case: "keepalive", value: {} } } : toEvent(next),
      };
    }
  } finally {
    subscription.release();
    untrack();
  }
}

function inputError(prefix: string, code: Code, err: unknown): never {
  if (err instanceof ProcessInputError) throw new ConnectError(`${prefix}: ${err.message}`, code);
  throw err;
}

/** Implementation of envd's `process.Process` (without StreamInput, which the SDK never calls). */
export function processService(): Partial<ServiceImpl<typeof Process>> {
  return {
    async *start(req, ctx) {
      const sandbox = sandboxOf(ctx);
      const user = userOf(ctx);
      const config = req.process;
      if (config === undefined)
        throw new ConnectError("process config is required", Code.InvalidArgument);
      const cwd = config.cwd ?? SANDBOX_HOME;
      const hostCwd = sandbox.paths.toHost(cwd);
      const isDir = await stat(hostCwd).then(
        (st) => st.isDirectory(),
        () => false,
      );
      if (!isDir)
        throw new ConnectError(
          `cwd '${sandbox.paths.toSandbox(hostCwd)}' does not exist`,
          Code.InvalidArgument,
        );
      if (!sandbox.isAlive) throw new ConnectError("The sandbox was not found", Code.Unavailable);
      let proc: SandboxProcess;
      try {
        proc = sandbox.startProcess({
          config: {
            cmd: config.cmd,
            args: config.args,
            envs: config.envs,
            ...(config.cwd === undefined ? {} : { cwd: config.cwd }),
          },
          env: sandbox.processEnv(user, config.envs),
          cwd: hostCwd,
          ...(req.pty?.size === undefined
            ? {}
            : { pty: { cols: req.pty.size.cols, rows: req.pty.size.rows } }),
          stdin: req.stdin ?? true,
          ...(req.tag === undefined ? {} : { tag: req.tag }),
        });
      } catch (err) {
        throw new ConnectError(
          `error starting process '${config.cmd}': ${String(err)}`,
          Code.InvalidArgument,
        );
      }
      // Subscribe before any output can arrive: Start sees everything from the first byte.
      const subscription = proc.subscribe();
      const deadline = startDeadlineMs(ctx.requestHeader);
      if (deadline > 0) proc.setDeadline(deadline);
      yield* pump(sandbox, proc, subscription, ctx);
    },

    async *connect(req, ctx) {
      const sandbox = sandboxOf(ctx);
      const proc = findProcess(sandbox, req.process);
      yield* pump(sandbox, proc, proc.subscribe(), ctx);
    },

    list(_req, ctx) {
      const sandbox = sandboxOf(ctx);
      return {
        processes: sandbox.listProcesses().map((proc) => ({
          pid: proc.pid,
          config: { ...proc.config, args: [...proc.config.args] },
          ...(proc.tag === undefined ? {} : { tag: proc.tag }),
        })),
      };
    },

    sendInput(req, ctx) {
      const proc = findProcess(sandboxOf(ctx), req.process);
      const input = req.input?.input;
      try {
        if (input?.case === "pty") proc.writePty(input.value);
        else if (input?.case === "stdin") proc.writeStdin(input.value);
        else throw new ConnectError("invalid input type: no input", Code.Unimplemented);
      } catch (err) {
        inputError(
          input?.case === "pty" ? "error writing to tty" : "error writing to stdin",
          Code.Internal,
          err,
        );
      }
      return {};
    },

    update(req, ctx) {
      const proc = findProcess(sandboxOf(ctx), req.process);
      if (req.pty?.size !== undefined) {
        try {
          proc.resize(req.pty.size.cols, req.pty.size.rows);
        } catch (err) {
          inputError("error resizing tty", Code.Internal, err);
        }
      }
      return {};
    },

    sendSignal(req, ctx) {
      const proc = findProcess(sandboxOf(ctx), req.process);
      if (req.signal === Signal.SIGKILL) proc.signal("SIGKILL");
      else if (req.signal === Signal.SIGTERM) proc.signal("SIGTERM");
      else throw new ConnectError(`invalid signal: ${Signal[req.signal]}`, Code.Unimplemented);
      return {};
    },

    closeStdin(req, ctx) {
      const proc = findProcess(sandboxOf(ctx), req.process);
      try {
        proc.closeStdin();
      } catch (err) {
        inputError("error closing stdin", Code.Unknown, err);
      }
      return {};
    },
  };
}

// Public API of @porthole/envd-emulator: start an E2B control plane + envd stand-in for the real e2b SDK.
/**
 * @packageDocumentation
 * A local, strict stand-in for E2B's control plane and envd, driven through the real `e2b` SDK.
 *
 * ```ts
 * import { E2B } from "e2b";
 * import { startEmulator } from "@porthole/envd-emulator";
 *
 * const emulator = await startEmulator();
 * const e2b = new E2B(emulator.sdkOptions); // { apiKey, apiUrl, sandboxUrl, debug: false }
 * const sandbox = await e2b.Sandbox.create("base", { timeoutMs: 60_000 });
 * // ...
 * await emulator.close();
 * ```
 */
export { DEFAULT_TEMPLATES, startEmulator } from "./server.js";
export type { Emulator, EmulatorOptions, ProcessSummary, SandboxInspector } from "./server.js";
export type { ApiRoute, FaultTimes, Faults, HttpCall, RpcMethod, StreamFilter } from "./faults.js";
export { Code } from "@connectrpc/connect";
export { SANDBOX_HOME, SANDBOX_WORKSPACE } from "./paths.js";
export { ENVD_PORT } from "./envd-router.js";

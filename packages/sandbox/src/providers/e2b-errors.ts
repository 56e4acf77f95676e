// Turns what the e2b SDK throws into SandboxErrors with a code and a message a person can act on.
import { SandboxError } from "../errors.js";

/** The SDK's error classes, recognised by name so this module needs no runtime import of e2b. */
const BY_CLASS: Record<string, (template: string, message: string) => SandboxError> = {
  AuthenticationError: () =>
    new SandboxError("SANDBOX_AUTH", "E2B refused the API key: check E2B_API_KEY"),
  RateLimitError: () =>
    new SandboxError(
      "SANDBOX_QUOTA",
      "E2B's rate or sandbox limit was reached: try again shortly or close other sandboxes",
    ),
  ServiceBusyError: () =>
    new SandboxError("SANDBOX_UNREACHABLE", "E2B is busy right now: try again shortly"),
  TemplateError: (template, message) =>
    new SandboxError("SANDBOX_TEMPLATE", `E2B template ${template} is not usable: ${message}`),
  TimeoutError: () => new SandboxError("SANDBOX_UNREACHABLE", "E2B did not answer in time"),
};

/** A SandboxError for anything the SDK (or the network under it) threw while working on `template`. */
export function fromE2BError(error: unknown, template: string): SandboxError {
  if (error instanceof SandboxError) return error;
  const err = error instanceof Error ? error : new Error(String(error));
  const byClass = BY_CLASS[err.constructor.name] ?? BY_CLASS[err.name];
  if (byClass) return withCause(byClass(template, err.message), error);
  const status = (err as { statusCode?: number }).statusCode;
  if (status === 404 || /template.*not found|not found.*template/i.test(err.message)) {
    return withCause(
      new SandboxError(
        "SANDBOX_TEMPLATE",
        // A 404 is also what any other server at a wrong API address answers.
        `E2B has no template named ${template}: build it with pnpm --filter @porthole/sandbox template:build (or the API address points somewhere else: ${err.message})`,
      ),
      error,
    );
  }
  if (status === 402 || status === 403) {
    return withCause(
      new SandboxError("SANDBOX_QUOTA", `E2B refused to start a sandbox: ${err.message}`),
      error,
    );
  }
  if (isNetworkError(err)) {
    return withCause(
      new SandboxError("SANDBOX_UNREACHABLE", `E2B could not be reached: ${networkReason(err)}`),
      error,
    );
  }
  return withCause(new SandboxError("SANDBOX_FAILED", `E2B failed: ${err.message}`), error);
}

function withCause(error: SandboxError, cause: unknown): SandboxError {
  return new SandboxError(error.code, error.message, { cause });
}

/** Connection failures surface as fetch TypeErrors whose cause holds the system error code. */
function isNetworkError(error: Error): boolean {
  return /fetch failed|ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|socket hang up|network|terminated/i.test(
    `${error.message} ${networkReason(error)}`,
  );
}

function networkReason(error: Error): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? error.message;
}

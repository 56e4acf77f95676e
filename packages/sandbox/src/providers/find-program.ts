// Finds an executable on a PATH, the way a shell would, without running a shell.
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, isAbsolute, join } from "node:path";

/** The full path of `program` on `path`, or null when it is not there or not executable. */
export function findProgram(program: string, path: string | undefined): string | null {
  const candidates = isAbsolute(program)
    ? [program]
    : (path ?? "")
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, program));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // Not here; try the next directory.
    }
  }
  return null;
}

// Vitest for the emulator, driven by the real e2b SDK; a JSON report CI counts.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    reporters: ["default", ["json", { outputFile: ".reports/vitest.json" }]],
    // Real processes and 40 MB transfers: generous on a loaded 2-core machine, never a timing test.
    testTimeout: 60_000,
  },
});

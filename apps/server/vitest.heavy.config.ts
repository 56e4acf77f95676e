import { defineConfig } from "vitest/config";

// The slow suite (`test:heavy`): load, leaks, shutdown under load. One file at a time so the
// measurements are not disturbed by each other; --expose-gc for heap measurements.
export default defineConfig({
  test: {
    include: ["test/heavy/**/*.test.ts"],
    reporters: ["default", ["json", { outputFile: ".reports/vitest-heavy.json" }]],
    testTimeout: 180_000,
    hookTimeout: 60_000,
    fileParallelism: false,
    execArgv: ["--expose-gc"],
  },
});

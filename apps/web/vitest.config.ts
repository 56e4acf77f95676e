// Vitest: unit tests beside the code (node), and end-to-end tests in test/ driving Chromium against the real server.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    reporters: ["default", ["json", { outputFile: ".reports/vitest.json" }]],
    projects: [
      {
        test: {
          name: "unit",
          include: ["src/**/*.test.ts"],
          environment: "node",
        },
      },
      {
        test: {
          name: "browser",
          include: ["test/**/*.test.ts"],
          environment: "node",
          // One browser and one server at a time: this is a 2-core machine and the suites
          // measure behaviour under load (floods, reconnects).
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});

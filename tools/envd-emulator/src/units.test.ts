// Unit tests of the pure pieces: path mapping, exit status wording, CLI parsing.
import { describe, expect, it } from "vitest";
import { exportLines, parseCli } from "./cli.js";
import { exitStatus } from "./exit-status.js";
import { SandboxPaths } from "./paths.js";

describe("SandboxPaths", () => {
  const paths = new SandboxPaths("/tmp/sbx");

  it("maps sandbox paths under the root, ~ and relative paths to the home", () => {
    expect(paths.toHost("/home/user/a.txt")).toBe("/tmp/sbx/home/user/a.txt");
    expect(paths.toHost("/workspace")).toBe("/tmp/sbx/workspace");
    expect(paths.toHost("~/x")).toBe("/tmp/sbx/home/user/x");
    expect(paths.toHost("rel/y")).toBe("/tmp/sbx/home/user/rel/y");
    expect(paths.toHost("")).toBe("/tmp/sbx/home/user");
  });

  it("never climbs above the sandbox root", () => {
    expect(paths.toHost("/../../etc/passwd")).toBe("/tmp/sbx/etc/passwd");
    expect(paths.toHost("../../../../x")).toBe("/tmp/sbx/x");
  });

  it("maps host paths back", () => {
    expect(paths.toSandbox("/tmp/sbx/home/user/a")).toBe("/home/user/a");
    expect(paths.toSandbox("/tmp/sbx")).toBe("/");
    expect(paths.toSandbox("/elsewhere")).toBe("/elsewhere");
  });
});

describe("exitStatus", () => {
  it("words exits and signals as Go's os.ProcessState does", () => {
    expect(exitStatus(0, null)).toEqual({ exitCode: 0, exited: true, status: "exit status 0" });
    expect(exitStatus(3, null)).toEqual({
      exitCode: 3,
      exited: true,
      status: "exit status 3",
      error: "exit status 3",
    });
    expect(exitStatus(null, "SIGKILL")).toEqual({
      exitCode: -1,
      exited: false,
      status: "signal: killed",
      error: "signal: killed",
    });
    expect(exitStatus(0, 15)).toMatchObject({ exitCode: -1, status: "signal: terminated" });
    expect(exitStatus(null, "SIGHUP")).toMatchObject({ status: "signal: hangup" });
  });
});

describe("cli", () => {
  it("parses options and faults", () => {
    const config = parseCli([
      "--api-key",
      "k",
      "--api-port",
      "3000",
      "--max-sandbox-hours",
      "24",
      "--api-fault",
      "create=429",
      "--api-fault",
      "kill=hang",
      "--template",
      "mine",
      "--template",
      "base",
    ]);
    expect(config.options).toEqual({
      apiKey: "k",
      apiPort: 3000,
      maxSandboxHours: 24,
      templates: ["mine", "base"],
    });
    expect(config.faults).toEqual([
      { route: "create", status: 429 },
      { route: "kill", status: "hang" },
    ]);
    expect(() => parseCli(["--api-fault", "create=oops"])).toThrow("invalid --api-fault");
    expect(() => parseCli(["--api-port", "x"])).toThrow("invalid port");
    expect(() => parseCli(["--bogus"])).toThrow();
  });

  it("prints shell export lines", () => {
    expect(exportLines({ A: "http://127.0.0.1:1", B: "it's" })).toEqual([
      "export A=http://127.0.0.1:1",
      `export B='it'"'"'s'`,
    ]);
  });
});

// Files through the real e2b SDK: write (multipart and octet-stream), read, list, makeDir, rename, remove, signed URLs.
import { E2B, type Sandbox } from "e2b";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "./index.js";
import { rejection } from "./test-support/harness.js";

let emulator: Emulator;
let sandbox: Sandbox;

beforeAll(async () => {
  emulator = await startEmulator();
  sandbox = await new E2B(emulator.sdkOptions).Sandbox.create("base", { timeoutMs: 120_000 });
});

afterAll(async () => {
  await emulator.close();
});

describe("files", () => {
  it("writes, reads and lists files", async () => {
    const info = await sandbox.files.write("/home/user/project/readme.md", "# hi\n");
    expect(info).toMatchObject({
      name: "readme.md",
      type: "file",
      path: "/home/user/project/readme.md",
    });
    expect(await sandbox.files.read("/home/user/project/readme.md")).toBe("# hi\n");
    expect(await sandbox.files.read("project/readme.md")).toBe("# hi\n");

    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    await sandbox.files.write("/home/user/project/blob.bin", bytes.buffer, {
      useOctetStream: true,
    });
    expect(await sandbox.files.read("/home/user/project/blob.bin", { format: "bytes" })).toEqual(
      bytes,
    );

    await sandbox.files.write([
      { path: "/home/user/project/src/a.ts", data: "a" },
      { path: "/home/user/project/src/b.ts", data: "b" },
    ]);
    const top = await sandbox.files.list("/home/user/project");
    expect(top.map((e) => [e.name, e.type, e.path])).toEqual([
      ["blob.bin", "file", "/home/user/project/blob.bin"],
      ["readme.md", "file", "/home/user/project/readme.md"],
      ["src", "dir", "/home/user/project/src"],
    ]);
    expect(top[0]).toMatchObject({
      size: 256,
      permissions: expect.stringMatching(/^-rw/) as unknown,
    });
    const deep = await sandbox.files.list("/home/user/project", { depth: 2 });
    expect(deep.map((e) => e.path)).toContain("/home/user/project/src/b.ts");
    expect(await sandbox.files.read("/home/user/project/src/b.ts")).toBe("b");
  });

  it("creates, renames, inspects and removes entries", async () => {
    expect(await sandbox.files.makeDir("/workspace/app")).toBe(true);
    expect(await sandbox.files.makeDir("/workspace/app")).toBe(false);
    await sandbox.files.write("/workspace/app/old.txt", "x");
    const moved = await sandbox.files.rename("/workspace/app/old.txt", "/workspace/app/new.txt");
    expect(moved).toMatchObject({ name: "new.txt", path: "/workspace/app/new.txt", type: "file" });
    expect(await sandbox.files.exists("/workspace/app/old.txt")).toBe(false);
    expect(await sandbox.files.getInfo("/workspace/app")).toMatchObject({
      type: "dir",
      name: "app",
    });
    await sandbox.files.remove("/workspace/app");
    expect(await sandbox.files.exists("/workspace/app")).toBe(false);
  });

  it("fails like envd for missing files and directories", async () => {
    await rejection(sandbox.files.read("/home/user/missing.txt"), "FileNotFoundError");
    await rejection(sandbox.files.read("/home/user"), "InvalidArgumentError");
    await rejection(sandbox.files.list("/home/user/missing"), "FileNotFoundError");
    await rejection(sandbox.files.getInfo("/nope"), "FileNotFoundError");
    await rejection(sandbox.files.rename("/nope", "/home/user/x"), "FileNotFoundError");
  });

  it("keeps paths inside the sandbox", async () => {
    await sandbox.files.write("/home/user/../../../../escape.txt", "contained");
    const root = emulator.sandboxes.dir(sandbox.sandboxId) ?? "";
    expect((await sandbox.commands.run(`cat ${root}/escape.txt`)).stdout).toBe("contained");
  });

  it("serves signed download and upload URLs (no access token header)", async () => {
    // E2B routes these URLs by hostname; with sandboxUrl set, the sandbox id travels in a header.
    const headers = { "E2b-Sandbox-Id": sandbox.sandboxId };
    await sandbox.files.write("/home/user/signed.txt", "signed content");
    const url = await sandbox.downloadUrl("/home/user/signed.txt");
    const res = await fetch(url, { headers });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("signed content");
    const forged = new URL(url);
    forged.searchParams.set("signature", "v1_forged");
    expect((await fetch(forged, { headers })).status).toBe(401);
    expect((await fetch(url.replace(/signature=[^&]+/, ""), { headers })).status).toBe(401);

    const upload = await sandbox.uploadUrl("/home/user/uploaded.txt");
    const form = new FormData();
    form.append("file", new Blob(["via url"]), "ignored-name");
    expect((await fetch(upload, { method: "POST", body: form, headers })).status).toBe(200);
    expect(await sandbox.files.read("/home/user/uploaded.txt")).toBe("via url");
  });
});

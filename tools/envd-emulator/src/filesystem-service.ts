// envd's filesystem.Filesystem service over a sandbox's directory: Stat, ListDir, MakeDir, Move, Remove.
import { mkdir, readdir, realpath, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import type { EntryInfo, Filesystem } from "./gen/filesystem/filesystem_pb.js";
import { sandboxOf } from "./envd-context.js";
import { entryInfo } from "./entry-info.js";
import type { SandboxPaths } from "./paths.js";

function errno(err: unknown): string | undefined {
  return err instanceof Error && "code" in err && typeof err.code === "string"
    ? err.code
    : undefined;
}

/** Host path for a sandbox path with symlinks resolved where it exists (envd's ExpandAndResolve). */
async function resolve(paths: SandboxPaths, sandboxPath: string): Promise<string> {
  const host = paths.toHost(sandboxPath);
  return realpath(host).catch(() => host);
}

async function describe(
  hostPath: string,
  paths: SandboxPaths,
  reportedPath?: string,
): Promise<EntryInfo> {
  try {
    return await entryInfo(hostPath, paths, reportedPath);
  } catch (err) {
    if (errno(err) === "ENOENT")
      throw new ConnectError(`file not found: ${paths.toSandbox(hostPath)}`, Code.NotFound);
    throw new ConnectError(`error getting file info: ${String(err)}`, Code.Internal);
  }
}

/** Entries below `dir` up to `depth` levels, in lexical depth-first order, not following symlinks. */
async function walk(
  dir: string,
  reportedDir: string,
  depth: number,
  paths: SandboxPaths,
): Promise<EntryInfo[]> {
  const entries: EntryInfo[] = [];
  const names = (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  for (const dirent of names) {
    const host = path.join(dir, dirent.name);
    const reported = path.posix.join(reportedDir, dirent.name);
    try {
      entries.push(await entryInfo(host, paths, reported));
    } catch (err) {
      if (errno(err) === "ENOENT") continue; // vanished while listing
      throw err;
    }
    if (depth > 1 && dirent.isDirectory())
      entries.push(...(await walk(host, reported, depth - 1, paths)));
  }
  return entries;
}

/** Implementation of envd's `filesystem.Filesystem` (without the watcher calls). */
export function filesystemService(): Partial<ServiceImpl<typeof Filesystem>> {
  return {
    async stat(req, ctx) {
      const { paths } = sandboxOf(ctx);
      return { entry: await describe(await resolve(paths, req.path), paths) };
    },

    async listDir(req, ctx) {
      const { paths } = sandboxOf(ctx);
      const depth = req.depth === 0 ? 1 : req.depth;
      const dir = await resolve(paths, req.path);
      const st = await stat(dir).catch((err: unknown) => {
        if (errno(err) === "ENOENT")
          throw new ConnectError(`directory not found: ${req.path}`, Code.NotFound);
        throw new ConnectError(`error getting file info: ${String(err)}`, Code.Internal);
      });
      if (!st.isDirectory())
        throw new ConnectError(
          `path is not a directory: ${paths.toSandbox(dir)}`,
          Code.InvalidArgument,
        );
      try {
        return { entries: await walk(dir, paths.toSandbox(dir), depth, paths) };
      } catch (err) {
        throw new ConnectError(
          `error reading directory ${paths.toSandbox(dir)}: ${String(err)}`,
          Code.Internal,
        );
      }
    },

    async makeDir(req, ctx) {
      const { paths } = sandboxOf(ctx);
      const dir = await resolve(paths, req.path);
      const existing = await stat(dir).catch(() => undefined);
      if (existing?.isDirectory())
        throw new ConnectError(
          `directory already exists: ${paths.toSandbox(dir)}`,
          Code.AlreadyExists,
        );
      if (existing !== undefined) {
        throw new ConnectError(
          `path already exists but it is not a directory: ${paths.toSandbox(dir)}`,
          Code.InvalidArgument,
        );
      }
      try {
        await mkdir(dir, { recursive: true });
      } catch (err) {
        throw new ConnectError(`error creating directory: ${String(err)}`, Code.Internal);
      }
      return { entry: await describe(dir, paths) };
    },

    async move(req, ctx) {
      const { paths } = sandboxOf(ctx);
      const source = await resolve(paths, req.source);
      const destination = await resolve(paths, req.destination);
      try {
        await mkdir(path.dirname(destination), { recursive: true });
        await rename(source, destination);
      } catch (err) {
        if (errno(err) === "ENOENT")
          throw new ConnectError(`source file not found: ${req.source}`, Code.NotFound);
        throw new ConnectError(`error renaming: ${String(err)}`, Code.Internal);
      }
      return { entry: await describe(destination, paths) };
    },

    async remove(req, ctx) {
      const { paths } = sandboxOf(ctx);
      try {
        await rm(await resolve(paths, req.path), { recursive: true, force: true });
      } catch (err) {
        throw new ConnectError(`error removing file or directory: ${String(err)}`, Code.Internal);
      }
      return {};
    },
  };
}

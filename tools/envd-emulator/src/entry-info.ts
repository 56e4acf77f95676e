// Describes a filesystem entry the way envd does (Lstat, symlinks typed by their target, Go-style permissions).
import { readFileSync, type Stats } from "node:fs";
import { lstat, realpath, stat } from "node:fs/promises";
import path from "node:path";
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { EntryInfoSchema, FileType, type EntryInfo } from "./gen/filesystem/filesystem_pb.js";
import type { SandboxPaths } from "./paths.js";

function namesById(file: string): Map<number, string> {
  const names = new Map<number, string>();
  try {
    for (const line of readFileSync(file, "utf8").split("\n")) {
      const [name, , id] = line.split(":");
      if (name !== undefined && id !== undefined && name !== "") names.set(Number(id), name);
    }
  } catch {
    // no such database here: numeric ids are used
  }
  return names;
}

let users: Map<number, string> | undefined;
let groups: Map<number, string> | undefined;

function owner(uid: number): string {
  users ??= namesById("/etc/passwd");
  return users.get(uid) ?? String(uid);
}

function group(gid: number): string {
  groups ??= namesById("/etc/group");
  return groups.get(gid) ?? String(gid);
}

/** Go's `os.FileMode.String()`, e.g. `-rw-r--r--`, `drwxr-xr-x`, `Lrwxrwxrwx`. */
export function goPermissions(st: Stats): string {
  let kind = "";
  if (st.isDirectory()) kind += "d";
  if (st.isSymbolicLink()) kind += "L";
  if (st.isBlockDevice() || st.isCharacterDevice()) kind += "D";
  if (st.isFIFO()) kind += "p";
  if (st.isSocket()) kind += "S";
  if (st.mode & 0o4000) kind += "u";
  if (st.mode & 0o2000) kind += "g";
  if (st.isCharacterDevice()) kind += "c";
  if (st.mode & 0o1000) kind += "t";
  const rwx = "rwxrwxrwx"
    .split("")
    .map((letter, i) => (st.mode & (1 << (8 - i)) ? letter : "-"))
    .join("");
  return (kind === "" ? "-" : kind) + rwx;
}

function fileType(st: Stats): FileType {
  if (st.isFile()) return FileType.FILE;
  if (st.isDirectory()) return FileType.DIRECTORY;
  if (st.isSymbolicLink()) return FileType.SYMLINK;
  return FileType.UNSPECIFIED;
}

/**
 * Builds envd's EntryInfo for a host path.
 * @param hostPath the entry on the host
 * @param paths the sandbox's path mapping (paths are reported as the sandbox sees them)
 * @param reportedPath the sandbox path to report instead of the mapped host path
 * @throws NodeJS.ErrnoException (ENOENT when it does not exist)
 */
export async function entryInfo(
  hostPath: string,
  paths: SandboxPaths,
  reportedPath?: string,
): Promise<EntryInfo> {
  const st = await lstat(hostPath);
  let type = fileType(st);
  let mode = st.mode & 0o777;
  let symlinkTarget: string | undefined;
  if (st.isSymbolicLink()) {
    try {
      const target = await realpath(hostPath);
      symlinkTarget = paths.toSandbox(target);
      const targetStat = await stat(target);
      type = fileType(targetStat);
      mode = targetStat.mode & 0o777;
    } catch {
      symlinkTarget = paths.toSandbox(hostPath);
      type = FileType.UNSPECIFIED;
      mode = 0;
    }
  }
  return create(EntryInfoSchema, {
    name: path.basename(hostPath),
    type,
    path: reportedPath ?? paths.toSandbox(hostPath),
    size: BigInt(st.size),
    mode,
    permissions: goPermissions(st),
    owner: owner(st.uid),
    group: group(st.gid),
    modifiedTime: timestampFromDate(st.mtime),
    ...(symlinkTarget === undefined ? {} : { symlinkTarget }),
  });
}

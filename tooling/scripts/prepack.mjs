// Runs before a pack of this package. Only `pnpm pack` turns `workspace:*` and `catalog:` into
// versions: npm and yarn copy them as they are, and installing that tarball anywhere else fails
// with EUNSUPPORTEDPROTOCOL. The tarball ships dist/, which `pnpm build` (repo root) makes.
// Shared by packages/protocol and packages/sandbox (their "prepack" script); it runs in the package.
import { existsSync } from "node:fs";

const name = process.env.npm_package_name ?? "this package";
const agent = process.env.npm_config_user_agent ?? "";
if (!agent.startsWith("pnpm/")) {
  console.error(`${name}: pack it with \`pnpm pack\`, not ${agent.split(" ")[0] || "this tool"}:`);
  console.error("only pnpm replaces workspace:* and catalog: in package.json with versions.");
  process.exit(1);
}
if (!existsSync("dist/index.js")) {
  console.error(`${name}: dist/ is missing; run \`pnpm build\` at the repo root first.`);
  process.exit(1);
}

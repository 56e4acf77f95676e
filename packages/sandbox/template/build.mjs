// Builds e2b.Dockerfile into an E2B template and registers it under $E2B_TEMPLATE (porthole-claude).
//   E2B_API_KEY=e2b_… pnpm --filter @porthole/sandbox template:build
import { fileURLToPath } from "node:url";
import { Template, defaultBuildLogger } from "e2b";

const name = process.env.E2B_TEMPLATE || "porthole-claude";
if (!process.env.E2B_API_KEY) {
  console.error("template:build needs E2B_API_KEY (from your E2B dashboard)");
  process.exit(1);
}
const template = Template().fromDockerfile(
  fileURLToPath(new URL("./e2b.Dockerfile", import.meta.url)),
);
const info = await Template.build(template, name, {
  cpuCount: 2,
  memoryMB: 2048,
  onBuildLogs: defaultBuildLogger(),
});
console.log(`Built template ${name}: ${JSON.stringify(info)}`);
console.log(`Start Porthole on it with: E2B_API_KEY=… E2B_TEMPLATE=${name} npm start`);

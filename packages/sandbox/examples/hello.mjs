// Runs `uname -a` in a fresh local session and prints what the shell wrote. Build first:
//   pnpm --filter @porthole/sandbox build && node packages/sandbox/examples/hello.mjs
import { LocalProvider, SessionManager } from "@porthole/sandbox";

const sessions = new SessionManager({ provider: new LocalProvider() });
const session = sessions.create({
  owner: "example",
  cols: 100,
  rows: 30,
  command: "uname -a; exit",
});
const attachment = session.attach({ from: null });

for (let next = await attachment.next(); next; next = await attachment.next()) {
  const { event } = next;
  if (event.type === "status") console.error(`[${event.phase}] ${event.message}`);
  if (event.type === "output") process.stdout.write(event.data);
  if (event.type === "exit") console.error(`\n[exit] code ${event.code} signal ${event.signal}`);
  // A session that could not start (or was closed) says why, then its stream ends.
  if (event.type === "error") {
    console.error(`[error] ${event.code}: ${event.message}`);
    process.exitCode = 1;
  }
}
await sessions.closeAll();

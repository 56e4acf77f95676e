// A stand-in for a server that crashes: starts an E2B session, prints its sandbox id, and waits to be killed.
import { E2BProvider, SessionManager } from "../dist/index.js";

const provider = new E2BProvider({
  apiKey: process.env.EMULATOR_API_KEY,
  apiUrl: process.env.EMULATOR_API_URL,
  sandboxUrl: process.env.EMULATOR_SANDBOX_URL,
  template: "porthole-claude",
  backstopMs: 3000,
});
const manager = new SessionManager({ provider });
const session = manager.create({ owner: "o", cols: 80, rows: 24 });
const attachment = session.attach({ from: null });
for (let next = await attachment.next(); next; next = await attachment.next()) {
  if (next.event.type === "ready") {
    console.log(`sandbox=${session.sandboxId}`);
    break;
  }
}
setInterval(() => {}, 1000);

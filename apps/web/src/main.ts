// Entry point: finds the access token, connects, and starts the app (or explains why it cannot).
import "@xterm/xterm/css/xterm.css";
import "./styles.css";
import { FramePacer } from "@porthole/protocol";
import { App } from "./app.js";
import { forgetToken, parseFragment, takeToken, tokenScope } from "./auth.js";
import { showNotice } from "./notice-page.js";
import { chooseRenderer, rendererPreference } from "./renderer.js";
import { installTestHook } from "./test-hook.js";
import { connect, defaultTrpcUrl } from "./trpc.js";

/** Storage that may be disabled by the browser: falls back to a map for this page load. */
function safeStorage(pick: () => Storage): Pick<Storage, "getItem" | "setItem" | "removeItem"> {
  try {
    const storage = pick();
    return storage;
  } catch {
    const memory = new Map<string, string>();
    return {
      getItem: (key) => memory.get(key) ?? null,
      setItem: (key, value) => void memory.set(key, value),
      removeItem: (key) => void memory.delete(key),
    };
  }
}

/** A random id for this page load (URL-safe; works on plain-http origins too). */
function newClientId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

function main(): void {
  // A link with a token opened in this tab (only the fragment changes): start over with it.
  window.addEventListener("hashchange", () => {
    if (parseFragment(window.location.hash).hadToken) window.location.reload();
  });
  const root = document.getElementById("app");
  if (!root) throw new Error("index.html has no #app element");
  const sessionStore = safeStorage(() => window.sessionStorage);
  const token = takeToken({
    location: window.location,
    history: window.history,
    storage: sessionStore,
  });
  if (token === null) {
    showNotice(root, "missing-token");
    return;
  }
  const renderer = chooseRenderer(rendererPreference(window.location.search));
  const connection = connect({ url: defaultTrpcUrl(window.location), token });
  // xterm.js redraws on every vsync; while output floods, fewer redraws leave it time to parse.
  const framePacer = new FramePacer(window);
  framePacer.install();
  const app = new App({
    root,
    connection,
    clientId: newClientId(),
    scope: tokenScope(token),
    storage: safeStorage(() => window.localStorage),
    renderer,
    framePacer,
  });
  installTestHook(app);
  connection.status.subscribe((status) => {
    if (status.kind === "too-many-connections") {
      app.dispose();
      showNotice(root, "too-many-connections");
      return;
    }
    if (status.kind !== "unauthorized") return;
    forgetToken(sessionStore);
    app.dispose();
    showNotice(root, "refused-token");
  });
  void app.start();
}

main();

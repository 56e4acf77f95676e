// Unit tests of the warning for mistyped settings.
import { describe, expect, it } from "vitest";
import {
  editDistance,
  ignoredSettingWarnings,
  unknownSettingWarnings,
} from "./unknown-settings.js";

const KNOWN = ["LOCAL_ISOLATION", "MAX_SESSIONS", "PORT", "PORTHOLE_TOKEN", "HOST"];

describe("unknownSettingWarnings", () => {
  it("names a variable a typo away from a setting, and the setting", () => {
    expect(
      unknownSettingWarnings({ LOCAL_ISOLATON: "bubblewrap", MAX_SESSION: "1" }, KNOWN),
    ).toEqual([
      "LOCAL_ISOLATON is not a setting and is ignored: did you mean LOCAL_ISOLATION?",
      "MAX_SESSION is not a setting and is ignored: did you mean MAX_SESSIONS?",
    ]);
  });

  it("names an unknown variable with Porthole's prefix", () => {
    expect(unknownSettingWarnings({ PORTHOLE_LOG: "debug" }, KNOWN)).toEqual([
      "PORTHOLE_LOG is not a setting and is ignored (see the README's Configuration).",
    ]);
  });

  it("leaves settings, other programs' variables and short names alone", () => {
    const env = {
      LOCAL_ISOLATION: "none",
      PORTHOLE_DEV_SERVER: "http://127.0.0.1:3100",
      PATH: "/usr/bin",
      HOME: "/root",
      TERM: "xterm",
      HOSTNAME: "box",
      SHELL: "/bin/bash",
      NODE_OPTIONS: "",
      UNSET: undefined,
    };
    expect(unknownSettingWarnings(env, KNOWN)).toEqual([]);
  });
});

describe("editDistance", () => {
  it("counts inserts, deletes, replacements and swapped neighbours as one edit each", () => {
    expect(editDistance("MAX_SESSION", "MAX_SESSIONS")).toBe(1);
    expect(editDistance("LOCAL_ISOLATOIN", "LOCAL_ISOLATION")).toBe(1);
    expect(editDistance("PORT", "HOST")).toBe(2);
    expect(editDistance("", "ABC")).toBe(3);
  });
});

describe("ignoredSettingWarnings", () => {
  it("names the other provider's settings as ignored", () => {
    const env = { LOCAL_ISOLATION: "bubblewrap", LOCAL_SHELL: "/bin/zsh", E2B_TEMPLATE: "mine" };
    expect(ignoredSettingWarnings(env, "e2b")).toEqual([
      "LOCAL_ISOLATION, LOCAL_SHELL ignored: sessions run in E2B sandboxes.",
    ]);
    expect(ignoredSettingWarnings(env, "local")).toEqual([
      "E2B_TEMPLATE ignored: sessions run on this machine (the local provider).",
    ]);
  });

  it("says nothing of the E2B key, empty values, or the provider's own settings", () => {
    expect(ignoredSettingWarnings({ E2B_API_KEY: "e2b_x", E2B_DOMAIN: "" }, "local")).toEqual([]);
    expect(ignoredSettingWarnings({ E2B_TEMPLATE: "mine" }, "e2b")).toEqual([]);
  });
});

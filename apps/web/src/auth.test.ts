// Unit tests of token handling: fragment parsing, storage, address bar cleanup, credential scope.
import { describe, expect, it } from "vitest";
import {
  forgetToken,
  parseFragment,
  takeToken,
  tokenFromPasted,
  TOKEN_STORAGE_KEY,
  tokenScope,
  type TokenEnvironment,
} from "./auth.js";

function environment(hash: string, stored: Record<string, string> = {}) {
  const storage = new Map(Object.entries(stored));
  const replaced: string[] = [];
  const env: TokenEnvironment = {
    location: { hash, pathname: "/", search: "?renderer=dom" },
    history: {
      state: null,
      replaceState: (_data: unknown, _unused: string, url?: string | URL | null) => {
        replaced.push(String(url));
      },
    },
    storage: {
      getItem: (key) => storage.get(key) ?? null,
      setItem: (key, value) => void storage.set(key, value),
      removeItem: (key) => void storage.delete(key),
    },
  };
  return { env, storage, replaced };
}

describe("parseFragment", () => {
  it("finds the token among other parts and keeps + and = as they are", () => {
    expect(parseFragment("#token=ab+c/d=&tab=2")).toEqual({
      token: "ab+c/d=",
      hadToken: true,
      rest: "tab=2",
    });
    expect(parseFragment("#x=1&token=a%2Bb")).toEqual({
      token: "a+b",
      hadToken: true,
      rest: "x=1",
    });
  });

  it("has no token for an empty or missing one", () => {
    expect(parseFragment("")).toEqual({ token: null, hadToken: false, rest: "" });
    expect(parseFragment("#token=")).toEqual({ token: null, hadToken: true, rest: "" });
    expect(parseFragment("#token=%E0%A4%A")).toEqual({
      token: "%E0%A4%A",
      hadToken: true,
      rest: "",
    });
  });
});

describe("takeToken", () => {
  it("stores the fragment's token and removes it from the address bar", () => {
    const { env, storage, replaced } = environment("#token=secret-token-123");
    expect(takeToken(env)).toBe("secret-token-123");
    expect(storage.get(TOKEN_STORAGE_KEY)).toBe("secret-token-123");
    expect(replaced).toEqual(["/?renderer=dom"]);
  });

  it("keeps the other parts of the fragment", () => {
    const { env, replaced } = environment("#token=abc&panel=1");
    takeToken(env);
    expect(replaced).toEqual(["/?renderer=dom#panel=1"]);
  });

  it("falls back to the stored token after a reload, and leaves the URL alone", () => {
    const { env, replaced } = environment("", { [TOKEN_STORAGE_KEY]: "kept" });
    expect(takeToken(env)).toBe("kept");
    expect(replaced).toEqual([]);
  });

  it("prefers a new token in the fragment over the stored one", () => {
    const { env, storage } = environment("#token=new", { [TOKEN_STORAGE_KEY]: "old" });
    expect(takeToken(env)).toBe("new");
    expect(storage.get(TOKEN_STORAGE_KEY)).toBe("new");
  });

  it("returns null without a token, and still works when storage throws", () => {
    expect(takeToken(environment("").env)).toBeNull();
    const { env } = environment("#token=abc");
    env.storage = {
      getItem: () => {
        throw new Error("denied");
      },
      setItem: () => {
        throw new Error("denied");
      },
      removeItem: () => {
        throw new Error("denied");
      },
    };
    expect(takeToken(env)).toBe("abc");
    expect(() => forgetToken(env.storage)).not.toThrow();
  });

  it("forgets a refused token", () => {
    const { env, storage } = environment("", { [TOKEN_STORAGE_KEY]: "refused" });
    forgetToken(env.storage);
    expect(storage.has(TOKEN_STORAGE_KEY)).toBe(false);
  });
});

describe("tokenFromPasted", () => {
  it("takes the token from a whole link, a fragment or the token alone", () => {
    expect(tokenFromPasted("http://127.0.0.1:3000/#token=abc%2Bd")).toBe("abc+d");
    expect(tokenFromPasted("  https://host.example/#x=1&token=t0k#en  ")).toBe("t0k#en");
    expect(tokenFromPasted("localhost:3000/#token=abc")).toBe("abc");
    expect(tokenFromPasted("#token=abc")).toBe("abc");
    expect(tokenFromPasted("token=abc")).toBe("abc");
    expect(tokenFromPasted(" a#b+c/= ")).toBe("a#b+c/=");
  });

  it("finds none in a link without one, in blank text or in words", () => {
    expect(tokenFromPasted("http://127.0.0.1:3000/")).toBeNull();
    expect(tokenFromPasted("http://127.0.0.1:3000/#token=")).toBeNull();
    expect(tokenFromPasted("   ")).toBeNull();
    expect(tokenFromPasted("see the log")).toBeNull();
  });
});

describe("tokenScope", () => {
  it("names tokens apart with 8 hex digits and reveals nothing of them", () => {
    const a = tokenScope("token-a-0123456789abcdef");
    expect(a).toMatch(/^[0-9a-f]{8}$/);
    expect(tokenScope("token-a-0123456789abcdef")).toBe(a);
    expect(tokenScope("token-b-0123456789abcdef")).not.toBe(a);
    expect(a).not.toContain("token");
  });
});

// Host checks: loopback servers answer loopback names and IP literals only, unless told more.
import { describe, expect, it } from "vitest";
import { hostAllowed, hostPolicy, isLoopback } from "./host-check.js";

describe("hostPolicy and hostAllowed", () => {
  const loopback = hostPolicy("127.0.0.1", undefined);

  it("answers loopback names and IP literals on a loopback server, not a rebound name", () => {
    for (const host of ["localhost:3000", "LOCALHOST", "app.localhost:3000", "127.0.0.1:3000"]) {
      expect(hostAllowed(host, loopback), host).toBe(true);
    }
    for (const host of ["[::1]:3000", "10.0.0.5", "[fe80::1]"]) {
      expect(hostAllowed(host, loopback), host).toBe(true);
    }
    for (const host of ["evil.example:3000", "localhost.evil.example", "127.0.0.1.nip.io"]) {
      expect(hostAllowed(host, loopback), host).toBe(false);
    }
  });

  it("refuses a Host that is not host[:port] where names are checked", () => {
    for (const host of ["", "a b", "user@localhost", "localhost/x", "localhost:", "[::1"]) {
      expect(hostAllowed(host, loopback), JSON.stringify(host)).toBe(false);
    }
  });

  it("answers names with underscores (Docker's service names) when listed or when any is", () => {
    expect(hostAllowed("porthole_app:3000", hostPolicy("0.0.0.0", undefined))).toBe(true);
    expect(hostAllowed("porthole_app:3000", hostPolicy("127.0.0.1", ["porthole_app"]))).toBe(true);
    expect(hostAllowed("porthole_app:3000", loopback)).toBe(false);
  });

  it("answers FRONTEND_URL's names on a loopback server, the operator having named them", () => {
    const policy = hostPolicy("127.0.0.1", undefined, ["term.example.com"]);
    expect(hostAllowed("term.example.com", policy)).toBe(true);
    expect(hostAllowed("evil.example", policy)).toBe(false);
  });

  it("answers a request without a Host header (no browser sends one)", () => {
    expect(hostAllowed(undefined, loopback)).toBe(true);
  });

  it("answers any name on a server bound to another address, unless ALLOWED_HOSTS narrows it", () => {
    expect(hostAllowed("term.example.com", hostPolicy("0.0.0.0", undefined))).toBe(true);
    const only = hostPolicy("0.0.0.0", ["term.example.com", ".dev.example"]);
    expect(hostAllowed("term.example.com:443", only)).toBe(true);
    expect(hostAllowed("TERM.example.com", only)).toBe(true);
    expect(hostAllowed("dev.example", only)).toBe(true);
    expect(hostAllowed("a.b.dev.example", only)).toBe(true);
    expect(hostAllowed("other.example.com", only)).toBe(false);
    expect(hostAllowed("xdev.example", only)).toBe(false);
    expect(hostAllowed("localhost:3000", only)).toBe(true);
    expect(hostAllowed("evil.example", hostPolicy("127.0.0.1", ["*"]))).toBe(true);
  });

  it("knows loopback listen addresses", () => {
    for (const host of ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost"]) {
      expect(isLoopback(host), host).toBe(true);
    }
    for (const host of ["0.0.0.0", "::", "192.168.1.5", "example.com"]) {
      expect(isLoopback(host), host).toBe(false);
    }
  });
});

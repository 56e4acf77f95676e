// Unit tests of choosing WebGL or the DOM renderer.
import { describe, expect, it } from "vitest";
import { chooseRenderer, isSoftwareRenderer, rendererPreference } from "./renderer.js";

describe("chooseRenderer", () => {
  it("uses WebGL on a real GPU and the DOM renderer on a software one or without WebGL 2", () => {
    expect(
      chooseRenderer(
        "auto",
        () => "ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11 vs_5_0 ps_5_0, D3D11)",
      ),
    ).toBe("webgl");
    expect(
      chooseRenderer(
        "auto",
        () =>
          "ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)",
      ),
    ).toBe("dom");
    expect(chooseRenderer("auto", () => "llvmpipe (LLVM 15.0.6, 256 bits)")).toBe("dom");
    expect(chooseRenderer("auto", () => null)).toBe("dom");
    expect(
      chooseRenderer("auto", () => {
        throw new Error("blocked");
      }),
    ).toBe("dom");
  });

  it("follows an explicit choice without probing", () => {
    expect(chooseRenderer("webgl", () => "SwiftShader")).toBe("webgl");
    expect(chooseRenderer("dom", () => "NVIDIA")).toBe("dom");
  });

  it("reads the query parameter", () => {
    expect(rendererPreference("?renderer=dom")).toBe("dom");
    expect(rendererPreference("?renderer=webgl&x=1")).toBe("webgl");
    expect(rendererPreference("?renderer=canvas")).toBe("auto");
    expect(rendererPreference("")).toBe("auto");
    expect(isSoftwareRenderer("Apple M2")).toBe(false);
  });
});

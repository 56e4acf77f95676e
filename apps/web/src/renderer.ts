// Picks the terminal renderer: WebGL when a GPU really accelerates it, else xterm's DOM renderer.

/** How a page asks for a renderer (the `renderer` query parameter). */
export type RendererPreference = "auto" | "webgl" | "dom";

/**
 * True for WebGL implemented on the CPU (SwiftShader, llvmpipe...): xterm's WebGL renderer is
 * many times slower there than its DOM renderer (measured 0.33 vs 2.45 MB/s in headless Chromium).
 */
export function isSoftwareRenderer(name: string): boolean {
  return /swiftshader|llvmpipe|softpipe|software|basic render driver|mesa offscreen/i.test(name);
}

/** The WebGL 2 renderer's name, "" when it is hidden, or null without WebGL 2. */
export function probeWebglRenderer(): string | null {
  const canvas = document.createElement("canvas");
  const gl = canvas.getContext("webgl2");
  if (!gl) return null;
  const info = gl.getExtension("WEBGL_debug_renderer_info");
  const name = info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : "";
  gl.getExtension("WEBGL_lose_context")?.loseContext();
  return name;
}

/** Reads the preference from a query string (`?renderer=dom`); anything else is "auto". */
export function rendererPreference(search: string): RendererPreference {
  const value = new URLSearchParams(search).get("renderer");
  return value === "webgl" || value === "dom" ? value : "auto";
}

/** The renderer to use for `preference`, probing the GPU for "auto". */
export function chooseRenderer(
  preference: RendererPreference,
  probe: () => string | null = probeWebglRenderer,
): "webgl" | "dom" {
  if (preference !== "auto") return preference;
  let name: string | null;
  try {
    name = probe();
  } catch {
    name = null;
  }
  return name !== null && !isSoftwareRenderer(name) ? "webgl" : "dom";
}

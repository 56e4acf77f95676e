// Public entry of @porthole/protocol: schemas, types, limits, the wire format, frame pacing.
export * from "./limits.js";
export * from "./errors.js";
export * from "./session.js";
export * from "./terminal.js";
export * from "./events.js";
export * from "./health.js";
export * from "./wire.js";
export * from "./frame-pacer.js";

// Public entry of @porthole/server: the AppRouter type for clients, and the server for embedding.
export type { AppRouter } from "./router.js";
export { appRouter } from "./router.js";
export { startServer, type PortholeServer } from "./server.js";
export { loadConfig, redactedConfig, ConfigError, type Config } from "./config.js";
export { createProvider } from "./create-provider.js";
export { createLogger } from "./logger.js";
export { generateToken } from "./auth.js";
export * as serverLimits from "./limits.js";

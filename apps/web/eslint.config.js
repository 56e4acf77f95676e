// Lint rules for the web app: the shared type-aware config, plus the build output and test artifacts ignored.
import { porthole } from "@porthole/eslint-config";

export default [{ ignores: ["test-results/**"] }, ...porthole(import.meta.dirname)];

import { porthole } from "@porthole/eslint-config";

export default porthole(import.meta.dirname);

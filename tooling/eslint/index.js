// Shared flat ESLint config: type-aware rules so promises that nobody awaits fail lint.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

/**
 * Builds the lint config for one package.
 * @param {string} tsconfigRootDir the package directory (pass `import.meta.dirname`)
 */
export function porthole(tsconfigRootDir) {
  return tseslint.config(
    { ignores: ["dist/**", "coverage/**", "node_modules/**", "src/gen/**", ".reports/**"] },
    js.configs.recommended,
    ...tseslint.configs.recommendedTypeChecked,
    {
      languageOptions: {
        parserOptions: { projectService: true, tsconfigRootDir },
      },
      rules: {
        "@typescript-eslint/no-floating-promises": "error",
        "@typescript-eslint/no-misused-promises": "error",
        "@typescript-eslint/await-thenable": "error",
        "@typescript-eslint/no-explicit-any": "error",
        "@typescript-eslint/consistent-type-imports": "error",
        "@typescript-eslint/no-unused-vars": [
          "error",
          { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
        ],
        "@typescript-eslint/only-throw-error": "error",
        "no-console": "off",
      },
    },
    {
      files: ["**/*.js", "**/*.mjs"],
      ...tseslint.configs.disableTypeChecked,
      languageOptions: {
        ...tseslint.configs.disableTypeChecked.languageOptions,
        globals: {
          console: "readonly",
          process: "readonly",
          Buffer: "readonly",
          URL: "readonly",
          setTimeout: "readonly",
          setInterval: "readonly",
          clearTimeout: "readonly",
          clearInterval: "readonly",
        },
      },
    },
  );
}

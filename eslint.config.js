// ESLint for the browser modules (frontend/js) and the Firefox journey (Node).
import js from "@eslint/js";
import globals from "globals";

export default [
  { ignores: ["**/node_modules/**", "frontend/js/vendor/**"] },
  js.configs.recommended,
  {
    files: ["frontend/js/**/*.js"],
    languageOptions: { sourceType: "module", globals: { ...globals.browser, Plotly: "readonly" } },
    rules: {
      "no-unused-vars": ["error", { args: "after-used", argsIgnorePattern: "^_", caughtErrors: "none" }],
      eqeqeq: ["error", "smart"],
      "prefer-const": "error",
      "no-var": "error",
    },
  },
  {
    files: ["tests/ui/firefox/**/*.mjs"],
    languageOptions: { sourceType: "module", globals: { ...globals.node, ...globals.browser } },
  },
];

// ESLint for the browser modules (backend/meclean/frontend/js) and the Firefox journey (Node).
import js from "@eslint/js";
import globals from "globals";

export default [
  { ignores: ["**/node_modules/**", "backend/meclean/frontend/js/vendor/**"] },
  js.configs.recommended,
  {
    files: ["backend/meclean/frontend/js/**/*.js"],
    languageOptions: { sourceType: "module", globals: { ...globals.browser, Plotly: "readonly" } },
    rules: {
      "no-unused-vars": ["error", { args: "after-used", argsIgnorePattern: "^_", caughtErrors: "none" }],
      eqeqeq: ["error", "smart"],
      "prefer-const": "error",
      "no-var": "error",
    },
  },
  {
    files: ["tests/ui/firefox/**/*.mjs", "tests/js/**/*.mjs"],
    languageOptions: { sourceType: "module", globals: { ...globals.node, ...globals.browser } },
  },
];

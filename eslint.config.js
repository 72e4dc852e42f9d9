// ESLint checks what the compiler cannot: promises nobody awaits, conditions that are always
// true, `any` leaking in. Layout and whitespace belong to Prettier (`npm run format`), so no
// stylistic rule is enabled here.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-artifacts/**', 'data/**'] },
  {
    files: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.{js,mjs,ts}'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { ...globals.node },
      parserOptions: {
        // scripts/ are plain ESM run by node, outside tsconfig.json's include.
        projectService: { allowDefaultProject: ['scripts/*.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unnecessary-condition': ['error', { allowConstantLoopConditions: true }],
      '@typescript-eslint/no-explicit-any': 'error',
      // `let x; const f = () => x; x = …` is the way to let a closure see a value made later.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // An `async` method without `await` is how a synchronous implementation (SQLite, the
      // in-memory fakes) fulfils a Promise-returning interface, and it turns a throw into a
      // rejection; requiring an `await` there would only add noise.
      '@typescript-eslint/require-await': 'off',
      // Passing a caught `unknown` on (`catch (err) { return Promise.reject(err); }`) is allowed.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
      // `_name` marks a parameter kept for its position in a signature (handlers, callbacks).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // Tests read JSON bodies (`await res.json()`, `JSON.parse`) and assert their shape with
      // expect(); typing every body first would restate the assertions. src/ stays strict.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // Fixtures set in beforeAll are declared without `| undefined` and torn down with `?.`
      // (beforeAll may have failed), and polling loops read flags other callbacks flip: the
      // rule reports both as unnecessary. src/ keeps it.
      '@typescript-eslint/no-unnecessary-condition': 'off',
    },
  },
  {
    // The browser UI is compiled by the same tsc but runs in a page.
    files: ['src/ui/app/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['scripts/**/*.{js,mjs}'],
    // Plain JS imports dist/ whose declarations are not emitted (declaration: false), so every
    // value from it is `any` to the checker; the scripts are small and run in CI.
    extends: [tseslint.configs.disableTypeChecked],
  },
);

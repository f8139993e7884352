// ESLint 9 flat config: eslint's and typescript-eslint's recommended rules over the sources, the
// tests and the scripts (`npm run lint`; .ci/run runs it after the build). An intended exception is
// disabled on its line, with the reason.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  // dist is the build's output; the stack lab's Node services have their own dependencies.
  { ignores: ['dist/', 'node_modules/', 'test/e2e/stack-lab/node/', 'test/e2e/stack-lab/node-shapes/**/*.cjs', 'test/e2e/stack-lab/node-shapes/next/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    rules: {
      // `for (const _ in o) n++` counts without allocating, `infer _O` names what a type ignores;
      // `{ ms, ...run }` drops a field.
      '@typescript-eslint/no-unused-vars': ['error', { varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // PostgreSQL writes two spaces after the severity (`LOG:  `): a pattern reads like the line.
      'no-regex-spaces': 'off',
    },
  },
  // The scripts and this file run on Node.
  { files: ['**/*.mjs', '**/*.js', '**/*.cjs'], languageOptions: { globals: globals.node } },
  // The programs whose output the fixtures capture ran as CommonJS scripts (`node client.js`; `.cjs` where they run inside this ES module package).
  {
    files: ['test/fixtures/**/programs/*.js', 'test/fixtures/**/programs/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);

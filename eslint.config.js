// The linter: ESLint's and typescript-eslint's recommended rules (syntax-only, so a whole-tree run takes seconds),
// with the project's own few on top. Formatting is Prettier's, not ESLint's.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', '.lwsim/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  // Tests and the soak read response bodies of every shape; `any` there is a reading aid, not a module boundary.
  { files: ['test/**/*.ts', 'soak/**/*.ts'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
);

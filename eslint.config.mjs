// @ts-check
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

// Workflow code runs in Temporal's deterministic sandbox: any I/O module there is a bug.
const forbiddenInWorkflows = [
  'pg',
  'kysely',
  'undici',
  'zod',
  ...builtinModules,
  ...builtinModules.map((m) => `node:${m}`),
];

export default tseslint.config(
  { ignores: ['node_modules/**', '.data/**', '.temporal/**', 'bench-results/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // Migrations are frozen in time and must not depend on today's Database type.
    files: ['src/db/migrations/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // The product never depends on the test kit (simulator, stack wiring, waits): it serves tests, benchmarks
    // and the demo (`npm start`, testkit/demo.ts) only, and the production image leaves it out.
    files: ['src/**/*.ts', 'activities/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/testkit', '**/testkit/**'], message: 'src/ and activities/ are the product: they never import testkit/.' }] }],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: forbiddenInWorkflows.map((name) => ({ name, message: 'Workflows must stay deterministic: do I/O in activities.' })),
          patterns: [
            { group: ['**/testkit', '**/testkit/**'], message: 'Workflows never import testkit/ (the test kit is not part of the product).' },
            { group: ['**/src/db/**', '**/src/intercom/client*', '**/src/ratelimit/**', '**/activities/*', '!**/activities/types'], message: 'Import activities as types only (import type).', allowTypeImports: true },
          ],
        },
      ],
    },
  },
);

import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import frontDoors from './eslint/front-doors.js';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'oclif.manifest.json'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        URL: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        performance: 'readonly',
        structuredClone: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { cairn: frontDoors },
    rules: { 'cairn/front-doors': 'error' },
  },
  {
    // cairn/testing is for tests and users: nothing in src depends on it.
    files: ['src/**/*.ts'],
    ignores: ['src/testing/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/testing/*', '**/testing/index.js'], message: 'src must not import src/testing' }] },
      ],
    },
  },
  {
    // The suites see what a user sees: the kernel's and the plugins' front doors.
    files: ['src/testing/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '../kernel/*',
                '!../kernel/index.js',
                '../plugins/*/*',
                '!../plugins/*/index.js',
                '../cli/*',
                '../commands/*',
                '../apps/*',
              ],
              message: 'src/testing imports the kernel front door and plugin front doors only',
            },
          ],
        },
      ],
    },
  },
);

import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** What ships is src/: it never imports the test tooling, the tests, the benchmarks or the scripts. */
const SHIPPED_ONLY = {
  group: ['**/tools/**', '**/test/**', '**/bench/**', '**/scripts/**'],
  message: 'src/ ships alone: test tooling lives in tools/, and src/ never imports it.',
};

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'data/', 'models/', 'lora/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        queueMicrotask: 'readonly',
        structuredClone: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        SharedArrayBuffer: 'readonly',
        Atomics: 'readonly',
        WebAssembly: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        fetch: 'readonly',
        performance: 'readonly',
        __dirname: 'readonly',
        module: 'writable',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['src/**/*.{ts,tsx}'],
    rules: { 'no-restricted-imports': ['error', { patterns: [SHIPPED_ONLY] }] },
  },
  {
    files: ['src/core/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            SHIPPED_ONLY,
            { group: ['**/adapters/**'], message: 'src/core never imports an adapter.' },
            {
              group: ['**/personas/**'],
              message: 'src/core never imports the personas: main.ts hands in what it needs.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/adapters/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            SHIPPED_ONLY,
            {
              group: [
                '**/core/image/**',
                '**/core/mind/**',
                '**/core/sandbox/**',
                'better-sqlite3',
                'kysely',
                'node-llama-cpp',
              ],
              message:
                'Adapters produce sends and render replies; they never reach the image or the model.',
            },
            {
              group: ['**/personas/**'],
              message: 'Adapters never import the personas: main.ts hands in what they need.',
            },
          ],
        },
      ],
    },
  },
);

import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const scopes = ['ingress', 'classifier', 'router', 'executor', 'billing', 'audit', 'control', 'provider-sim'];
/** The model catalog names upstream URLs and credential references: only these services may read it. */
const catalogReaders = ['router', 'executor'];

/**
 * Module boundaries: apps → service libs → catalog/platform/providers → contracts; no service lib imports
 * another, and only the router and the executor import the catalog.
 */
const boundaries = (allow) => [
  'error',
  {
    allow,
    enforceBuildableLibDependency: false,
    depConstraints: [
      {
        sourceTag: 'type:app',
        onlyDependOnLibsWithTags: ['type:service', 'type:catalog', 'type:platform', 'type:contracts', 'type:providers'],
      },
      {
        sourceTag: 'type:service',
        onlyDependOnLibsWithTags: ['type:catalog', 'type:platform', 'type:contracts', 'type:providers'],
      },
      { sourceTag: 'type:catalog', onlyDependOnLibsWithTags: ['type:platform', 'type:contracts'] },
      { sourceTag: 'type:providers', onlyDependOnLibsWithTags: ['type:platform', 'type:contracts'] },
      { sourceTag: 'type:platform', onlyDependOnLibsWithTags: ['type:platform', 'type:contracts'] },
      { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts'] },
      ...scopes.map((scope) => ({
        sourceTag: `scope:${scope}`,
        onlyDependOnLibsWithTags: [
          `scope:${scope}`,
          'scope:shared',
          ...(catalogReaders.includes(scope) ? ['scope:catalog'] : []),
        ],
      })),
      { sourceTag: 'scope:catalog', onlyDependOnLibsWithTags: ['scope:catalog', 'scope:shared'] },
      { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
      {
        sourceTag: 'scope:standalone',
        onlyDependOnLibsWithTags: ['scope:shared', ...scopes.map((scope) => `scope:${scope}`)],
      },
    ],
  },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.polymux/**', 'bench/results/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    // One program for the whole workspace (the typecheck's tsconfig): a program per project's
    // tsconfig would hold the same types once per project and exhaust the heap.
    languageOptions: { parserOptions: { project: './tsconfig.json', tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@nx/enforce-module-boundaries': boundaries([]),
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'separate-type-imports' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../../*/**/src/*', '@polymux/*/*'],
              message: 'import a project through its @polymux/<name> entry',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.integration-spec.ts', '**/*.e2e-spec.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Tests of any service may drive the provider simulator, the upstream stand-in.
      '@nx/enforce-module-boundaries': boundaries(['@polymux/provider-sim']),
    },
  },
);

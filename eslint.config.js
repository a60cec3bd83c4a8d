import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'apps/web/build/**', '**/*.d.ts'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // A package is used only through its public index (DESIGN.md).
      'no-restricted-imports': ['error', { patterns: [{ group: ['@mamori/*/src/*', '@mamori/*/dist/*'], message: 'import a package only through its public index' }] }],
    },
  },
);

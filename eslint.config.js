// Lint and layer boundaries. The layers read main -> app -> features -> services -> store -> worker/core,
// and nothing points back up: each block below forbids the imports that would.
import js from '@eslint/js';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const UI = ['react', 'react-dom', 'react-dom/*', 'konva', 'konva/*', 'react-konva', 'zustand', 'zustand/*'];
const layer = (names) => names.map((n) => `**/${n}/**`).concat(names.map((n) => `../${n}`), names.map((n) => `**/${n}`));
const restrict = (message, patterns, paths = []) => ({
  'no-restricted-imports': ['error', { paths: paths.map((name) => ({ name, message })), patterns: [{ group: patterns, message }] }],
});

export default tseslint.config(
  { ignores: ['dist', 'dev-dist', 'node_modules', 'public/ort', 'models', 'test-results', 'playwright-report', 'bench-results'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Rules of Hooks and effect dependencies (no dependency list trimmed by hand), plus the compiler's checks.
    files: ['src/**/*.{ts,tsx}'],
    ...reactHooks.configs.flat.recommended,
  },
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    ignores: ['src/core/**/*.test.ts'],
    rules: restrict('src/core is pure TypeScript: it imports nothing outside core.', layer(['store', 'features', 'app', 'services', 'worker']), [...UI, 'onnxruntime-web']),
  },
  {
    files: ['src/worker/**/*.ts'],
    rules: restrict('The worker imports no DOM, React or UI code.', [...layer(['store', 'features', 'app', 'services']), ...UI]),
  },
  {
    files: ['src/store/**/*.ts'],
    rules: restrict('The store sits below services, features and the app.', layer(['features', 'app', 'services'])),
  },
  {
    files: ['src/services/**/*.{ts,tsx}'],
    rules: restrict('Services sit below the features and the app.', layer(['features', 'app'])),
  },
  {
    files: ['src/features/**/*.{ts,tsx}'],
    rules: restrict('Features get services from the composition root (services/context), never from app/ or the worker.', layer(['app', 'worker'])),
  },
);

import { createRequire } from 'node:module';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// Vite would load graphql's ESM build for our sources while Apollo's CommonJS packages
// require the CJS build: two realms of one library. Everything must share the CJS one.
const graphqlEntry = createRequire(new URL('./subgraphs/kit/package.json', import.meta.url)).resolve('graphql');

export default defineConfig({
  resolve: {
    alias: [{ find: /^graphql$/, replacement: graphqlEntry }],
  },
  // type-graphql and typegoose read decorator metadata, which only SWC (not esbuild/Oxc) emits.
  plugins: [
    swc.vite({
      tsconfigFile: './tsconfig.json',
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
        target: 'es2022',
      },
    }),
  ],
  test: {
    include: ['gateway/test/**/*.test.ts', 'subgraphs/*/test/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'e2e/**/*.test.ts'],
    globalSetup: ['./subgraphs/kit/src/testing/global-setup.mts'],
    setupFiles: ['./subgraphs/kit/src/testing/setup.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});

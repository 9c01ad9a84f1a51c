import { defineConfig } from 'vite';

// The page imports the packages' TypeScript sources through the workspace's export condition,
// so it needs no prior build of the packages.
export default defineConfig({
  root: 'web',
  base: './',
  resolve: { conditions: ['@backprop/source', 'module', 'browser', 'import', 'default'] },
  build: { outDir: '../dist-web', emptyOutDir: true, target: 'es2022' },
});

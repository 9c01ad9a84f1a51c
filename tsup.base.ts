/**
 * The one tsup configuration every package builds with (house style: shared config, one place).
 * A package's own `tsup.config.ts` only names its entry points.
 */
import { defineConfig, type Options } from 'tsup';

export function packageBuild(entry: Record<string, string>, overrides: Options = {}) {
  return defineConfig({
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'es2022',
    platform: 'neutral',
    treeshake: true,
    // Entry points share one copy of each module (one Tensor class for `.` and `./testing`).
    splitting: true,
    // Declarations are built against the dependencies' built `.d.ts`, never their sources.
    tsconfig: 'tsconfig.build.json',
    ...overrides,
  });
}

/** The build of a Node program in `apps/`: one ESM bundle for Node 20 (workspace packages stay external). */
export function appBuild(entry: Record<string, string>, overrides: Options = {}) {
  return defineConfig({
    entry,
    format: ['esm'],
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    clean: true,
    tsconfig: 'tsconfig.build.json',
    ...overrides,
  });
}

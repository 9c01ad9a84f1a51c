import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { launchChromium, serve } from './browser.mjs';

// The default setup runs unchanged in a browser: @backprop/tensor's built ESM files, loaded by a
// page as they are published, pick the WebAssembly SIMD backend, pass the same conformance suite
// as in Node, and keep large products on one thread where the page has no SharedArrayBuffer.

const page = fileURLToPath(new URL('../dist-web/', import.meta.url));
const tensor = dirname(fileURLToPath(import.meta.resolve('@backprop/tensor')));
let server;
let browser;

before(async () => {
  assert.ok(existsSync(join(tensor, 'testing.js')), `${tensor}/testing.js is missing: build @backprop/tensor first`);
  server = await serve({ '/': page, '/tensor/': tensor });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('@backprop/tensor in chromium: wasm-simd by default, the conformance suite passes, large products fall back to one thread', async () => {
  const tab = await browser.newPage();
  const errors = [];
  tab.on('pageerror', (error) => errors.push(error.message));
  await tab.goto(server.url);
  const result = await tab.evaluate(async () => {
    const T = await import('/tensor/index.js');
    const { backendConformanceCases } = await import('/tensor/testing.js');
    const defaultBackend = T.getBackend().name;
    // The same tolerances as the Node test of this backend: its float32 gemm sums in float32.
    const cases = backendConformanceCases({ rtol: 1e-4, atol: 1e-4 });
    const failures = [];
    for (const c of cases) {
      try {
        c.run(T.wasmBackend);
      } catch (error) {
        failures.push(`${c.name}: ${error.message}`);
      }
    }
    // 512³ multiply-adds is above the two-thread threshold: without cross-origin isolation the
    // product must still work, on one thread, and agree with the plain TypeScript kernel.
    const a = T.randn([512, 512], { seed: 1 });
    const b = T.randn([512, 512], { seed: 2 });
    const fast = T.matmul(a, b).data;
    T.setBackend(T.jsBackend);
    const reference = T.matmul(a, b).data;
    T.setBackend(T.wasmBackend);
    let worst = 0;
    for (let i = 0; i < reference.length; i++) worst = Math.max(worst, Math.abs(fast[i] - reference[i]) / (1 + Math.abs(reference[i])));
    return { defaultBackend, isolated: globalThis.crossOriginIsolated, cases: cases.length, failures, worst };
  });
  await tab.close();
  assert.deepEqual(errors, []);
  assert.equal(result.defaultBackend, 'wasm-simd');
  assert.equal(result.isolated, false, 'the test page is not cross-origin isolated, so it has no SharedArrayBuffer threads');
  assert.ok(result.cases > 50, `only ${result.cases} conformance cases ran`);
  assert.deepEqual(result.failures, []);
  // Float32 sums of 512 terms of size ~1 round to ~1e-5 of the result: the suite's 1e-4 tolerance.
  assert.ok(result.worst < 1e-4, `the 512×512 product differs from the TypeScript kernel by ${result.worst}`);
});

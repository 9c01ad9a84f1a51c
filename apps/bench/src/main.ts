#!/usr/bin/env node
/**
 * `pnpm bench`: matmul throughput (float32, C = A·B, 2N³ flops) and the per-op overhead of a tiny
 * op (add of two 4-element tensors, forward + backward), printed as a markdown table.
 */
import { tensor } from '@backprop/engine';
import { getBackend, matmul, randn } from '@backprop/tensor';
import { machineLine } from './machine.js';
import { timePerCall } from './timing.js';

const rows: string[] = [];
for (const n of [256, 512, 1024]) {
  const a = randn([n, n], { seed: 1 });
  const b = randn([n, n], { seed: 2 });
  const t = timePerCall(() => matmul(a, b), { warmup: 2, minMs: n === 1024 ? 3000 : 1500 });
  const gflops = (ms: number) => ((2 * n ** 3) / (ms / 1000) / 1e9).toFixed(2);
  rows.push(`| matmul f32 ${n}×${n} | ${gflops(t.median)} GFLOP/s | ${gflops(t.max)}–${gflops(t.min)} |`);
}

const x = tensor([1, 2, 3, 4], { requiresGrad: true });
const y = tensor([5, 6, 7, 8], { requiresGrad: true });
const forward = timePerCall(() => x.add(y), { warmup: 1000, minMs: 1000 });
const both = timePerCall(
  () => {
    x.grad = null;
    y.grad = null;
    x.add(y).sum().backward();
  },
  { warmup: 1000, minMs: 1000 },
);
const us = (ms: number) => (ms * 1000).toFixed(2);
rows.push(`| add of two 4-element tensors, forward | ${us(forward.median)} µs/op | ${us(forward.min)}–${us(forward.max)} |`);
rows.push(`| add + sum, forward + backward | ${us(both.median)} µs/step | ${us(both.min)}–${us(both.max)} |`);

console.log(`backprop benchmarks — backend '${getBackend().name}' — ${machineLine()}\n`);
console.log('| workload | median | range (of 5 rounds) |');
console.log('| --- | --- | --- |');
for (const row of rows) console.log(row);

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { checkTrace, traceBackprop } from '@backprop/train';
import { describe, expect, it } from 'vitest';
import textbookValues from '../textbook-values.json' with { type: 'json' };
import { textbookExample } from './textbook.js';
import { solveRate, trainXor } from './xor.js';

describe('XOR demo', () => {
  it('2-4-1 learns XOR: the loss falls and all four outputs are on the right side of 0.5', () => {
    const result = trainXor({ hidden: 4, epochs: 5000 });
    expect(result.losses.at(-1)).toBeLessThan(result.losses[0] / 10);
    expect(result.solved).toBe(true);
  });

  it('2-2-1 learns XOR from the default seed, also with cross-entropy', () => {
    expect(trainXor({ hidden: 2 }).solved).toBe(true);
    expect(trainXor({ hidden: 2, loss: 'cross-entropy', epochs: 3000 }).solved).toBe(true);
  });

  it('is deterministic for a seed, and counts solving seeds', () => {
    expect(trainXor({ epochs: 50, seed: 3 }).outputs).toEqual(trainXor({ epochs: 50, seed: 3 }).outputs);
    const rate = solveRate(3, { hidden: 4, epochs: 4000 });
    expect(rate.runs).toBe(3);
    expect(rate.solved).toBe(3);
  });

  it("--check with the textbook's numbers points at the output pre-activation", () => {
    const { layers, input, target, learningRate, loss } = textbookExample;
    const { difference } = checkTrace(traceBackprop(layers, input, target, { learningRate, loss }), textbookValues);
    expect(difference?.key).toBe('z2');
    expect(difference?.correct.toFixed(4)).toBe('1.1270');
  });
});

describe('the xor command', () => {
  // The sources, run with tsx and the workspace's source condition: no build needed.
  const xor = (...args: string[]) =>
    spawnSync(
      process.execPath,
      ['--conditions=@backprop/source', '--import', 'tsx', fileURLToPath(new URL('./main.ts', import.meta.url)), ...args],
      { encoding: 'utf8' },
    );

  it('--explain prints the textbook example with the correct values', () => {
    const r = xor('--explain');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('z1[1] = 1.0000·(-0.0700) + 0.0000·0.2200 + (-0.4600) = -0.5300');
    expect(r.stdout).toContain('a1[1] = sigmoid(z1[1]) = 0.3705');
    expect(r.stdout).toContain('= 1.1270');
  });

  it('--check textbook-values.json names the output pre-activation and exits 1', () => {
    const r = xor('--check', fileURLToPath(new URL('../textbook-values.json', import.meta.url)));
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(
      /the first difference is the output pre-activation z2\[1\]: you have 1\.1122, the correct value is 1\.1270 \(off by -0\.0148\)/,
    );
  });

  it('--seeds reports the solve count per architecture; bad flags exit 2 with one line', () => {
    const r = xor('--seeds', '2', '--epochs', '3000');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/2-2-1: \d\/2 seeds solve XOR/);
    expect(r.stdout).toMatch(/2-4-1: \d\/2 seeds solve XOR/);
    const bad = xor('--lr', '-1');
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim()).toBe("xor: --lr must be a positive number, got '-1'");
  });

  it('numeric flags take decimal notation only and quote the value given', () => {
    for (const [flag, value, wanted] of [
      ['--seed', 'abc', 'an integer ≥ 0'],
      ['--seed', '-0.5', 'an integer ≥ 0'],
      ['--seed', '', 'an integer ≥ 0'],
      ['--seeds', '0x3', 'a positive integer'],
      ['--epochs', '1e3', 'a positive integer'],
      ['--lr', '0x1', 'a positive number'],
      ['--lr', 'Infinity', 'a positive number'],
    ]) {
      const bad = xor(flag, value);
      expect(bad.status, `${flag} ${value}`).toBe(2);
      expect(bad.stderr.trim()).toBe(`xor: ${flag} must be ${wanted}, got '${value}'`);
    }
    // Seed 0 is a seed.
    const zero = xor('--seed', '0', '--epochs', '5', '--hidden', '2');
    expect(zero.status, zero.stderr).toBeLessThan(2);
    expect(zero.stdout).toContain('seed 0');
  });
});

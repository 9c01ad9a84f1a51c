import { describe, expect, it } from 'vitest';
import { w4VersusPytorch } from './format.js';
import { runPytorch } from './subjects/pytorch.js';

describe('W4 against PyTorch', () => {
  it('takes the ratio to the PyTorch figure measured in the run, and quotes the issue’s absolute 145 steps/s', () => {
    const result = w4VersusPytorch(120, 100);
    expect(result?.ratio).toBeCloseTo(1.2, 12);
    expect(result?.text).toContain('100 steps/s in this run');
    expect(result?.text).toContain(`145 steps/s (half its machine's PyTorch) ${(120 / 145).toFixed(2)}×`);
  });

  it('falls back to the issue’s ≈ 290 steps/s when PyTorch did not run', () => {
    expect(w4VersusPytorch(145, undefined)?.ratio).toBeCloseTo(0.5, 12);
    expect(w4VersusPytorch(145, undefined)?.text).toContain('PyTorch not installed');
    expect(w4VersusPytorch(undefined, 100)).toBeUndefined();
  });
});

describe('the pytorch subject', () => {
  it('reports a missing Python as unsupported (the table shows "cannot run"), not as an error', () => {
    expect(() => runPytorch('w4', undefined, '/nonexistent/python3')).toThrow(/^unsupported: no Python at \/nonexistent\/python3/);
  });
});

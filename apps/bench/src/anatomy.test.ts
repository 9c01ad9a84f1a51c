import { describe, expect, it } from 'vitest';
import { compileWork, splitChildOutput } from './anatomy.js';

// V8's --trace-opt lines, in the format Node 20's V8 prints them.
const marking =
  '[marking 0x3a1 <JSFunction propagate (sfi = 0x2b1)> for optimization to TURBOFAN, ConcurrencyMode::kSynchronous, reason: hot and stable]\n';
const compiling = '[compiling method 0x3a1 <JSFunction propagate (sfi = 0x2b1)> (target TURBOFAN), mode: ConcurrencyMode::kSynchronous]\n';
const completed = (name: string, osr: string, times: string) =>
  `[completed compiling 0x3a1 <JSFunction ${name} (sfi = 0x2b1)> (target TURBOFAN)${osr} - took ${times} ms]\n`;

describe('the W3 anatomy reads what a child process printed', () => {
  it('counts completed optimizing compiles, OSR included, and adds their three phases', () => {
    const trace = marking + compiling + completed('propagate', '', '0.004, 8.393, 0.021') + completed('', ' OSR', '0.010, 1.500, 0.090');
    const work = compileWork(trace);
    expect(work.functions).toBe(2);
    expect(work.ms).toBeCloseTo(0.004 + 8.393 + 0.021 + 0.01 + 1.5 + 0.09, 12);
    expect(compileWork(marking + compiling)).toEqual({ functions: 0, ms: 0 });
  });

  it('finds the measurement where it cut into a trace line, and joins that line again', () => {
    const line = completed('mlp', '', '0.100, 2.000, 0.300');
    const json = '{"value":81.5,"extra":{"finalLoss":0.0011}}\n';
    const text = completed('step', '', '0.001, 1.000, 0.001') + line.slice(0, 15) + json + line.slice(15);
    const { result, rest } = splitChildOutput<{ value: number; extra: { finalLoss: number } }>(text);
    expect(result).toEqual({ value: 81.5, extra: { finalLoss: 0.0011 } });
    expect(rest).not.toContain('value');
    expect(compileWork(rest).functions).toBe(2);
    expect(compileWork(rest).ms).toBeCloseTo(3.402, 12);
  });

  it('takes an unsupported workload or an error as the measurement too', () => {
    expect(splitChildOutput('{"unsupported":"scalar has no w1"}\n').result).toEqual({ unsupported: 'scalar has no w1' });
    expect(splitChildOutput(`${marking}{"error":"boom"}\n`).result).toEqual({ error: 'boom' });
  });

  it('says so when a child printed no measurement', () => {
    expect(() => splitChildOutput(marking)).toThrow(/printed no measurement; its output began: "\[marking/);
  });
});

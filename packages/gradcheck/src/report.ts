import { ArgumentError } from '@backprop/tensor';
import type { GradcheckReport } from './gradcheck.js';

function number(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === 0) return '0';
  const abs = Math.abs(value);
  return abs >= 1e-3 && abs < 1e4 ? String(Number(value.toPrecision(4))) : value.toExponential(2);
}

function index(values: readonly number[]): string {
  return `[${values.join(', ')}]`;
}

/**
 * The report as a table, one row per checked input:
 * ```
 * gradcheck failed: 1 of 1 inputs disagree (full Jacobian, eps 1e-6, atol 1e-5, rtol 1e-3)
 * input  shape   max abs err  max rel err  worst element  output  analytic  numeric  result
 * #0     [3, 4]  0.02         0.067        [1, 2]         [0]     0.31      0.29     FAIL
 * ```
 */
export function formatReport(report: GradcheckReport): string {
  if (typeof report !== 'object' || report === null || !Array.isArray(report.inputs))
    throw new ArgumentError('formatReport: expected the report of gradcheck, gradgradcheck or gradcheckModule', {
      where: 'formatReport',
      argument: 'report',
    });
  const failed = report.inputs.filter((r) => !r.passed).length;
  const what = report.mode === 'full' ? 'full Jacobian' : 'random projection vᵀJ';
  const head = failed
    ? `gradcheck failed: ${failed} of ${report.inputs.length} inputs disagree`
    : `gradcheck passed: ${report.inputs.length} inputs agree`;
  const rows = [
    ['input', 'shape', 'max abs err', 'max rel err', 'worst element', 'output', 'analytic', 'numeric', 'result'],
    ...report.inputs.map((r) => [
      r.name ?? `#${r.input}`,
      index(r.shape),
      number(r.maxAbsError),
      number(r.maxRelError),
      index(r.worst.element),
      index(r.worst.output),
      number(r.worst.analytic),
      number(r.worst.numeric),
      r.passed ? 'ok' : 'FAIL',
    ]),
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  const table = rows.map((row) =>
    row
      .map((cell, c) => cell.padEnd(widths[c]))
      .join('  ')
      .trimEnd(),
  );
  const tolerance = (v: number) => (v !== 0 && v < 1e-3 ? v.toExponential() : String(v));
  return [`${head} (${what}, eps ${tolerance(report.eps)}, atol ${tolerance(report.atol)}, rtol ${tolerance(report.rtol)})`, ...table].join(
    '\n',
  );
}

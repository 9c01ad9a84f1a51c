import type { TypedArray } from './dtype.js';
import { type Shape, sizeOf } from './shape.js';

const edgeItems = 3;
const summariseAbove = 1000;

/** Formats one number the way `toString()` shows it: up to 4 significant decimals, no noise. */
export function formatNumber(value: number): string {
  if (Number.isInteger(value)) return String(value);
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e6)) return value.toExponential(4);
  return String(Number(value.toFixed(4)));
}

/** Renders a flat row-major array of `shape` as nested brackets, eliding the middle of long axes. */
export function formatArray(data: TypedArray, shape: Shape): string {
  if (shape.length === 0) return formatNumber(data[0]);
  const summarise = sizeOf(shape) > summariseAbove;
  const render = (dim: number, offset: number, stride: number, indent: string): string => {
    const n = shape[dim];
    const inner = stride / n;
    const indices: (number | null)[] = [];
    if (summarise && n > 2 * edgeItems) {
      for (let i = 0; i < edgeItems; i++) indices.push(i);
      indices.push(null);
      for (let i = n - edgeItems; i < n; i++) indices.push(i);
    } else for (let i = 0; i < n; i++) indices.push(i);
    if (dim === shape.length - 1) {
      return `[${indices.map((i) => (i === null ? '...' : formatNumber(data[offset + i]))).join(', ')}]`;
    }
    const parts = indices.map((i) => (i === null ? '...' : render(dim + 1, offset + i * inner, inner, `${indent} `)));
    return `[${parts.join(`,\n${indent} `)}]`;
  };
  return render(0, 0, sizeOf(shape), '      ');
}

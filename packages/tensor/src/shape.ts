import { ArgumentError, formatShape, ShapeError } from './errors.js';

/** A tensor's shape: one non-negative integer per dimension; `[]` is a scalar. */
export type Shape = readonly number[];

/** Number of elements of a shape (1 for a scalar). */
export function sizeOf(shape: Shape): number {
  let size = 1;
  for (let i = 0; i < shape.length; i++) size *= shape[i];
  return size;
}

/**
 * The number of elements of `shape`, or -1 unless it is an array of non-negative integers: what a
 * valid shape is (for {@link checkShape} too) and {@link sizeOf} in one pass, for constructors that
 * run for every op (their error comes from `checkShape`).
 */
export function checkedSizeOf(shape: unknown): number {
  if (!Array.isArray(shape)) return -1;
  let size = 1;
  for (let i = 0; i < shape.length; i++) {
    const dim = shape[i];
    if (typeof dim !== 'number' || !Number.isInteger(dim) || dim < 0) return -1;
    size *= dim;
  }
  return size;
}

/** Row-major (C order) strides of a contiguous array of `shape`. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = stride;
    stride *= shape[i];
  }
  return strides;
}

/** Checks that every dimension is a non-negative safe integer; names `op` and the bad value. */
export function checkShape(shape: unknown, op: string): number[] {
  if (checkedSizeOf(shape) >= 0) return shape as number[];
  if (!Array.isArray(shape)) {
    throw new ArgumentError(`${op}: shape must be an array of integers, got ${describe(shape)}`, { where: op, argument: 'shape' });
  }
  const i = shape.findIndex((dim) => checkedSizeOf([dim]) < 0);
  throw new ArgumentError(
    `${op}: shape ${formatLoose(shape)} has an invalid dimension ${describe(shape[i])} at index ${i}; dimensions must be non-negative integers`,
    { where: op, argument: 'shape' },
  );
}

/** True if two shapes are equal. */
export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The NumPy broadcast of several shapes, or a `ShapeError` naming `op` and every shape. */
export function broadcastShapes(op: string, ...shapes: Shape[]): number[] {
  for (const s of shapes) checkShape(s, op);
  let ndim = 0;
  for (const s of shapes) ndim = Math.max(ndim, s.length);
  const out = new Array<number>(ndim).fill(1);
  for (const s of shapes) {
    const offset = ndim - s.length;
    for (let i = 0; i < s.length; i++) {
      const d = s[i];
      const o = out[offset + i];
      if (d === o || d === 1) continue;
      if (o === 1) out[offset + i] = d;
      else {
        throw new ShapeError(
          `${op}: shapes ${shapes.map(formatShape).join(' and ')} cannot be broadcast together (dimension ${offset + i}: ${o} vs ${d})`,
          {
            where: op,
            shapes,
          },
        );
      }
    }
  }
  return out;
}

/**
 * Strides for reading an array of `shape` as if it had the larger `target` shape:
 * broadcast dimensions get stride 0.
 */
export function broadcastStrides(shape: Shape, target: Shape): number[] {
  const own = stridesOf(shape);
  const offset = target.length - shape.length;
  const strides = new Array<number>(target.length).fill(0);
  for (let i = 0; i < shape.length; i++) strides[offset + i] = shape[i] === 1 ? 0 : own[i];
  return strides;
}

/** The largest rank any function accepts. */
export const maxRank = 64;

function checkRank(ndim: number, op: string): void {
  if (!Number.isInteger(ndim) || ndim < 0 || ndim > maxRank) {
    throw new ArgumentError(`${op}: rank ${describe(ndim)} is not an integer from 0 to ${maxRank}`, { where: op, argument: 'ndim' });
  }
}

/** Resolves a possibly negative axis against `ndim`; throws an `ArgumentError` naming `op`. */
export function normalizeAxis(axis: number, ndim: number, op: string): number {
  checkRank(ndim, op);
  if (!Number.isInteger(axis) || axis < -ndim || axis >= ndim) {
    const range = ndim === 0 ? 'none (the tensor is a scalar)' : `[${-ndim}, ${ndim - 1}]`;
    const problem = Number.isInteger(axis) ? 'is out of range' : 'is not an integer axis';
    throw new ArgumentError(`${op}: axis ${describe(axis)} ${problem} for a tensor of rank ${ndim}; valid axes are ${range}`, {
      where: op,
      argument: 'axis',
    });
  }
  return axis < 0 ? axis + ndim : axis;
}

/**
 * Resolves an axis option to a sorted, duplicate-free list. `undefined` or `null` means every axis.
 */
export function normalizeAxes(axes: number | readonly number[] | undefined | null, ndim: number, op: string): number[] {
  checkRank(ndim, op);
  if (axes === undefined || axes === null) {
    const all = new Array<number>(ndim);
    for (let i = 0; i < ndim; i++) all[i] = i;
    return all;
  }
  if (typeof axes === 'number') return [normalizeAxis(axes, ndim, op)];
  if (typeof axes !== 'number' && !Array.isArray(axes)) {
    throw new ArgumentError(`${op}: axes must be a number or an array of numbers, got ${describe(axes)}`, { where: op, argument: 'axis' });
  }
  const list = typeof axes === 'number' ? [axes] : [...axes];
  const resolved = list.map((a) => normalizeAxis(a, ndim, op));
  const unique = [...new Set(resolved)].sort((a, b) => a - b);
  if (unique.length !== resolved.length) {
    throw new ArgumentError(`${op}: axes ${formatLoose(list)} name the same axis twice`, { where: op, argument: 'axis' });
  }
  return unique;
}

/** The shape left after reducing `axes` (kept as 1s when `keepDims`). */
export function reducedShape(shape: Shape, axes: readonly number[], keepDims: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (axes.includes(i)) {
      if (keepDims) out.push(1);
    } else out.push(shape[i]);
  }
  return out;
}

/** A short description of any value for error messages. */
export function describe(value: unknown): string {
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return formatLoose(value);
  return typeof value;
}

function formatLoose(values: readonly unknown[]): string {
  return `[${values.map((v) => (typeof v === 'number' || typeof v === 'string' ? describe(v) : typeof v)).join(', ')}]`;
}

/**
 * For a broadcast batch of matrices: the element offset of each batch entry in an operand whose
 * batch dimensions are `batch` (broadcast against `target`) and whose matrices hold `matrixSize`
 * elements.
 */
export function batchOffsets(batch: Shape, target: Shape, matrixSize: number): number[] {
  const strides = broadcastStrides(batch, target).map((s) => s * matrixSize);
  const total = sizeOf(target);
  const offsets = new Array<number>(total);
  const counter = new Array<number>(target.length).fill(0);
  let offset = 0;
  for (let i = 0; i < total; i++) {
    offsets[i] = offset;
    for (let d = target.length - 1; d >= 0; d--) {
      counter[d]++;
      offset += strides[d];
      if (counter[d] < target[d]) break;
      offset -= strides[d] * target[d];
      counter[d] = 0;
    }
  }
  return offsets;
}

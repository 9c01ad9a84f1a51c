import type { NDArray } from '../ndarray.js';
import { less } from './binary.js';
import { abs } from './unary.js';
import { checkArray } from './util.js';

/** 1 where x is finite (not ±Infinity, not NaN), else 0 (int32). */
export function isFiniteMask(x: NDArray): NDArray {
  return less(abs(checkArray(x, 'isFinite')), Number.POSITIVE_INFINITY);
}

/** True if every element is finite. */
export function allFinite(x: NDArray): boolean {
  checkArray(x, 'allFinite');
  const data = x.data;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v - v !== 0) return false;
  }
  return true;
}

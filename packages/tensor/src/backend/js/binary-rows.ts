import type { TypedArray } from '../../dtype.js';
import type { BinaryOp } from '../backend.js';

// The inner loops of every binary op: one switch per stride pattern, one loop per op.

/**
 * One row of a binary op: `out[o + j] = op(a[ai + j·as], b[bi + j·bs])` for `j < n`. The common
 * stride patterns (both contiguous, one operand a broadcast scalar) get loops of their own: a
 * loop with a run-time stride costs V8 about three times as much per element. Comparisons are
 * written `+(x > y)`, which compiles without a branch (a `? 1 : 0` branch mispredicts on
 * random data).
 */
export function binaryRow(
  op: BinaryOp,
  a: TypedArray,
  ai: number,
  as: number,
  b: TypedArray,
  bi: number,
  bs: number,
  out: TypedArray,
  o: number,
  n: number,
): void {
  if (as === 1 && bs === 1) binaryContiguous(op, a, ai, b, bi, out, o, n);
  else if (as === 1 && bs === 0) binaryScalarB(op, a, ai, b[bi], out, o, n);
  else if (as === 0 && bs === 1) binaryScalarA(op, a[ai], b, bi, out, o, n);
  else binaryStrided(op, a, ai, as, b, bi, bs, out, o, n);
}

function binaryContiguous(op: BinaryOp, a: TypedArray, ai: number, b: TypedArray, bi: number, out: TypedArray, o: number, n: number): void {
  switch (op) {
    case 'add':
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j] + b[bi + j];
      return;
    case 'sub':
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j] - b[bi + j];
      return;
    case 'mul':
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j] * b[bi + j];
      return;
    case 'div':
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j] / b[bi + j];
      return;
    case 'pow':
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j] ** b[bi + j];
      return;
    case 'maximum':
      for (let j = 0; j < n; j++) {
        const x = a[ai + j];
        const y = b[bi + j];
        out[o + j] = x > y || x !== x ? x : y;
      }
      return;
    case 'minimum':
      for (let j = 0; j < n; j++) {
        const x = a[ai + j];
        const y = b[bi + j];
        out[o + j] = x < y || x !== x ? x : y;
      }
      return;
    case 'eq':
      for (let j = 0; j < n; j++) out[o + j] = +(a[ai + j] === b[bi + j]);
      return;
    case 'ne':
      for (let j = 0; j < n; j++) out[o + j] = +(a[ai + j] !== b[bi + j]);
      return;
    case 'lt':
      for (let j = 0; j < n; j++) out[o + j] = +(a[ai + j] < b[bi + j]);
      return;
    case 'le':
      for (let j = 0; j < n; j++) out[o + j] = +(a[ai + j] <= b[bi + j]);
      return;
    case 'gt':
      for (let j = 0; j < n; j++) out[o + j] = +(a[ai + j] > b[bi + j]);
      return;
    case 'ge':
      for (let j = 0; j < n; j++) out[o + j] = +(a[ai + j] >= b[bi + j]);
      return;
    case 'reluGrad':
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j] * +(b[bi + j] > 0);
      return;
    case 'sigmoidGrad':
      for (let j = 0; j < n; j++) {
        const y = b[bi + j];
        out[o + j] = a[ai + j] * (y * (1 - y));
      }
      return;
    case 'tanhGrad':
      for (let j = 0; j < n; j++) {
        const y = b[bi + j];
        out[o + j] = a[ai + j] * (1 - y * y);
      }
      return;
  }
}

function binaryScalarB(op: BinaryOp, a: TypedArray, ai: number, y0: number, out: TypedArray, o: number, n: number): void {
  switch (op) {
    case 'add':
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j] + y0;
      return;
    case 'sub':
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j] - y0;
      return;
    case 'mul':
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j] * y0;
      return;
    case 'div':
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j] / y0;
      return;
    case 'pow':
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j] ** y0;
      return;
    case 'maximum':
      for (let j = 0; j < n; j++) {
        const x = a[ai + j];
        const y = y0;
        out[o + j] = x > y || x !== x ? x : y;
      }
      return;
    case 'minimum':
      for (let j = 0; j < n; j++) {
        const x = a[ai + j];
        const y = y0;
        out[o + j] = x < y || x !== x ? x : y;
      }
      return;
    case 'eq':
      for (let j = 0; j < n; j++) out[o + j] = +(a[ai + j] === y0);
      return;
    case 'ne':
      for (let j = 0; j < n; j++) out[o + j] = +(a[ai + j] !== y0);
      return;
    case 'lt':
      for (let j = 0; j < n; j++) out[o + j] = +(a[ai + j] < y0);
      return;
    case 'le':
      for (let j = 0; j < n; j++) out[o + j] = +(a[ai + j] <= y0);
      return;
    case 'gt':
      for (let j = 0; j < n; j++) out[o + j] = +(a[ai + j] > y0);
      return;
    case 'ge':
      for (let j = 0; j < n; j++) out[o + j] = +(a[ai + j] >= y0);
      return;
    case 'reluGrad':
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j] * +(y0 > 0);
      return;
    case 'sigmoidGrad':
      for (let j = 0; j < n; j++) {
        const y = y0;
        out[o + j] = a[ai + j] * (y * (1 - y));
      }
      return;
    case 'tanhGrad':
      for (let j = 0; j < n; j++) {
        const y = y0;
        out[o + j] = a[ai + j] * (1 - y * y);
      }
      return;
  }
}

function binaryScalarA(op: BinaryOp, x0: number, b: TypedArray, bi: number, out: TypedArray, o: number, n: number): void {
  switch (op) {
    case 'add':
      for (let j = 0; j < n; j++) out[o + j] = x0 + b[bi + j];
      return;
    case 'sub':
      for (let j = 0; j < n; j++) out[o + j] = x0 - b[bi + j];
      return;
    case 'mul':
      for (let j = 0; j < n; j++) out[o + j] = x0 * b[bi + j];
      return;
    case 'div':
      for (let j = 0; j < n; j++) out[o + j] = x0 / b[bi + j];
      return;
    case 'pow':
      for (let j = 0; j < n; j++) out[o + j] = x0 ** b[bi + j];
      return;
    case 'maximum':
      for (let j = 0; j < n; j++) {
        const x = x0;
        const y = b[bi + j];
        out[o + j] = x > y || x !== x ? x : y;
      }
      return;
    case 'minimum':
      for (let j = 0; j < n; j++) {
        const x = x0;
        const y = b[bi + j];
        out[o + j] = x < y || x !== x ? x : y;
      }
      return;
    case 'eq':
      for (let j = 0; j < n; j++) out[o + j] = +(x0 === b[bi + j]);
      return;
    case 'ne':
      for (let j = 0; j < n; j++) out[o + j] = +(x0 !== b[bi + j]);
      return;
    case 'lt':
      for (let j = 0; j < n; j++) out[o + j] = +(x0 < b[bi + j]);
      return;
    case 'le':
      for (let j = 0; j < n; j++) out[o + j] = +(x0 <= b[bi + j]);
      return;
    case 'gt':
      for (let j = 0; j < n; j++) out[o + j] = +(x0 > b[bi + j]);
      return;
    case 'ge':
      for (let j = 0; j < n; j++) out[o + j] = +(x0 >= b[bi + j]);
      return;
    case 'reluGrad':
      for (let j = 0; j < n; j++) out[o + j] = x0 * +(b[bi + j] > 0);
      return;
    case 'sigmoidGrad':
      for (let j = 0; j < n; j++) {
        const y = b[bi + j];
        out[o + j] = x0 * (y * (1 - y));
      }
      return;
    case 'tanhGrad':
      for (let j = 0; j < n; j++) {
        const y = b[bi + j];
        out[o + j] = x0 * (1 - y * y);
      }
      return;
  }
}

function binaryStrided(
  op: BinaryOp,
  a: TypedArray,
  ai: number,
  as: number,
  b: TypedArray,
  bi: number,
  bs: number,
  out: TypedArray,
  o: number,
  n: number,
): void {
  switch (op) {
    case 'add':
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j * as] + b[bi + j * bs];
      return;
    case 'sub':
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j * as] - b[bi + j * bs];
      return;
    case 'mul':
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j * as] * b[bi + j * bs];
      return;
    case 'div':
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j * as] / b[bi + j * bs];
      return;
    case 'pow':
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j * as] ** b[bi + j * bs];
      return;
    case 'maximum':
      for (let j = 0; j < n; j++) {
        const x = a[ai + j * as];
        const y = b[bi + j * bs];
        out[o + j] = x > y || x !== x ? x : y;
      }
      return;
    case 'minimum':
      for (let j = 0; j < n; j++) {
        const x = a[ai + j * as];
        const y = b[bi + j * bs];
        out[o + j] = x < y || x !== x ? x : y;
      }
      return;
    case 'eq':
      for (let j = 0; j < n; j++) out[o + j] = +(a[ai + j * as] === b[bi + j * bs]);
      return;
    case 'ne':
      for (let j = 0; j < n; j++) out[o + j] = +(a[ai + j * as] !== b[bi + j * bs]);
      return;
    case 'lt':
      for (let j = 0; j < n; j++) out[o + j] = +(a[ai + j * as] < b[bi + j * bs]);
      return;
    case 'le':
      for (let j = 0; j < n; j++) out[o + j] = +(a[ai + j * as] <= b[bi + j * bs]);
      return;
    case 'gt':
      for (let j = 0; j < n; j++) out[o + j] = +(a[ai + j * as] > b[bi + j * bs]);
      return;
    case 'ge':
      for (let j = 0; j < n; j++) out[o + j] = +(a[ai + j * as] >= b[bi + j * bs]);
      return;
    case 'reluGrad':
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j * as] * +(b[bi + j * bs] > 0);
      return;
    case 'sigmoidGrad':
      for (let j = 0; j < n; j++) {
        const y = b[bi + j * bs];
        out[o + j] = a[ai + j * as] * (y * (1 - y));
      }
      return;
    case 'tanhGrad':
      for (let j = 0; j < n; j++) {
        const y = b[bi + j * bs];
        out[o + j] = a[ai + j * as] * (1 - y * y);
      }
      return;
  }
}

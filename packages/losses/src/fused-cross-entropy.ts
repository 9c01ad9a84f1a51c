import { type CompiledOp, customOp, fromArray, isGradEnabled, mul, NDArray, softmax, sub, type Tensor, unsqueeze } from '@backprop/engine';
import { allocate } from '@backprop/tensor';
import { constant, floatDType, type Reduction } from './util.js';

// Cross-entropy of integer labels on raw logits — [N, C], or one [C] sample — without class
// weights or label smoothing, as one op. Per counted row r: ℓ_r = log Σ_c e^(z_rc − m_r) + m_r −
// z_r,label with m_r = max_c z_rc (exact for logits of ±1000); its gradient (softmax(z_r) −
// onehot(label)) · dℓ_r is written out instead of going back through logSoftmax, gather, the
// label weights and the mean. Labels equal to `ignoreIndex` count for nothing (as PyTorch; a mean
// over no counted label is NaN). The same arithmetic is given to compileBackward as code.

type FloatArray = Float32Array | Float64Array;

/** The shape facts of one call: rows of `classes` logits each. */
interface Layout {
  rows: number;
  classes: number;
}

const layoutOf = (logits: { shape: readonly number[] }): Layout => {
  const classes = logits.shape[logits.shape.length - 1];
  return { rows: logits.shape.length === 1 ? 1 : logits.shape[0], classes };
};

/** log Σ e^z over one row of logits, shifted by the row's maximum (`max` + log of the shifted sum). */
function rowLogSumExp(z: FloatArray, offset: number, classes: number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let c = 0; c < classes; c++) max = Math.max(max, z[offset + c]);
  let sum = 0;
  for (let c = 0; c < classes; c++) sum += Math.exp(z[offset + c] - max);
  return Math.log(sum) + max;
}

/** The op for one reduction and ignore label (built once each, then reused). */
const ops = new Map<string, (logits: Tensor, labels: Tensor) => Tensor>();

/**
 * Cross-entropy of already validated integer `labels` (shape of `logits` without its last axis)
 * on float `logits` of shape [N, C] or [C], as one recorded op.
 */
export function fusedCrossEntropy(logits: Tensor, labels: Tensor, reduction: Reduction, ignoreIndex: number): Tensor {
  const key = `${reduction} ${ignoreIndex}`;
  let op = ops.get(key);
  if (op === undefined) {
    op = makeOp(reduction, ignoreIndex);
    ops.set(key, op);
  }
  return op(logits, labels);
}

function makeOp(reduction: Reduction, ignoreIndex: number) {
  const counted = (label: number) => label !== ignoreIndex;
  return customOp({
    name: 'crossEntropy',
    compiled: compiledForm(reduction, ignoreIndex),
    forward: ([logits, labels]) => {
      const { rows, classes } = layoutOf(logits);
      const z = logits.value.data as FloatArray;
      const y = labels.value.data;
      const perRow = new Float64Array(rows);
      let total = 0;
      let count = 0;
      for (let r = 0; r < rows; r++) {
        if (!counted(y[r])) continue;
        const offset = r * classes;
        perRow[r] = rowLogSumExp(z, offset, classes) - z[offset + y[r]];
        total += perRow[r];
        count++;
      }
      const values = reduction === 'none' ? perRow : Float64Array.of(reduction === 'mean' ? total / count : total);
      return constant(values, reduction === 'none' ? labels.shape : [], floatDType(logits));
    },
    backward: ([logits, labels], dy) => {
      const { rows, classes } = layoutOf(logits);
      const y = labels.value.data;
      let count = 0;
      for (let r = 0; r < rows; r++) if (counted(y[r])) count++;
      const scaleOf = (r: number, dyData: ArrayLike<number>) =>
        reduction === 'none' ? dyData[r] : reduction === 'mean' ? dyData[0] / count : dyData[0];
      if (isGradEnabled()) {
        // Recording the backward (createGraph): the same gradient from differentiable ops.
        const onehot = new Float64Array(logits.size);
        const keep = new Float64Array(rows);
        for (let r = 0; r < rows; r++) {
          if (!counted(y[r])) continue;
          onehot[r * classes + y[r]] = 1;
          keep[r] = reduction === 'mean' ? 1 / count : 1;
        }
        const column = logits.ndim === 1 ? [1] : [rows, 1];
        const perRow = reduction === 'none' ? unsqueeze(dy, -1) : dy;
        const scale = mul(perRow, constant(keep, column, floatDType(logits)));
        return [mul(sub(softmax(logits, -1), constant(onehot, logits.shape, floatDType(logits))), scale), null];
      }
      const z = logits.value.data as FloatArray;
      const gradient = allocate(floatDType(logits), logits.size);
      for (let r = 0; r < rows; r++) {
        if (!counted(y[r])) continue;
        const scale = scaleOf(r, dy.value.data);
        const offset = r * classes;
        const lse = rowLogSumExp(z, offset, classes);
        for (let c = 0; c < classes; c++) gradient[offset + c] = (Math.exp(z[offset + c] - lse) - (c === y[r] ? 1 : 0)) * scale;
      }
      return [fromArray(new NDArray(gradient, logits.shape)), null];
    },
  });
}

/** The op as code for compileBackward: the same loops over the logits' and labels' arrays. */
function compiledForm(reduction: Reduction, ignoreIndex: number): CompiledOp {
  const skip = `if (label === ${ignoreIndex}) continue;`;
  // log Σ e^z of row r, as rowLogSumExp.
  const logSumExp = (z: string, classes: number) =>
    `let max = -Infinity; for (let c = 0; c < ${classes}; c++) max = Math.max(max, ${z}[o + c]); let s = 0; for (let c = 0; c < ${classes}; c++) s += Math.exp(${z}[o + c] - max); const lse = Math.log(s) + max;`;
  const counting = (y: string, rows: number) => `let count = 0; for (let r = 0; r < ${rows}; r++) if (${y}[r] !== ${ignoreIndex}) count++;`;
  return {
    unsupported: ({ inputs: [z, y] }) =>
      z.shape.length <= 2 && y.shape.length === z.shape.length - 1 ? null : 'only [N, C] or [C] logits are compiled',
    forward: ({ out, inputs: [z, y] }) => {
      const { rows, classes } = layoutOf(z);
      const store = reduction === 'none' ? `${out.value}[r] = loss;` : 'total += loss; count++;';
      // Labels are checked on every call: they are an input that changes from batch to batch.
      const check = `if (!(Number.isInteger(label) && label >= 0 && label < ${classes})) throw new RangeError(\`crossEntropy: label \${label} at position \${r} of the target is out of range: expected an integer class from 0 to ${classes - 1}\`);`;
      const clear = reduction === 'none' ? `${out.value}.fill(0);` : '';
      const finish = reduction === 'none' ? '' : `${out.value}[0] = ${reduction === 'mean' ? 'total / count' : 'total'};`;
      return `${clear} let total = 0, count = 0; for (let r = 0; r < ${rows}; r++) { const label = ${y.value}[r]; ${skip} ${check} const o = r * ${classes}; ${logSumExp(z.value, classes)} const loss = lse - ${z.value}[o + label]; ${store} } ${finish}`;
    },
    backward: ({ out, inputs: [z, y] }) => {
      if (z.grad === null) return '';
      const { rows, classes } = layoutOf(z);
      const g = out.grad as string;
      const scale = reduction === 'none' ? `${g}[r]` : reduction === 'mean' ? `${g}[0] / count` : `${g}[0]`;
      return `${counting(y.value, rows)} for (let r = 0; r < ${rows}; r++) { const label = ${y.value}[r]; ${skip} const scale = ${scale}; const o = r * ${classes}; ${logSumExp(z.value, classes)} for (let c = 0; c < ${classes}; c++) ${z.grad}[o + c] += (Math.exp(${z.value}[o + c] - lse) - (c === label ? 1 : 0)) * scale; }`;
    },
  };
}

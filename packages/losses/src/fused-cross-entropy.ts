import { type CompiledOp, isGradEnabled, memoized, mul, neg, record, softmax, sub, Tensor, unsqueeze } from '@backprop/engine';
import { allocate, wrapChecked } from '@backprop/tensor';
import { constant, floatDType, type Reduction } from './util.js';

// Cross-entropy of integer labels on raw logits — [C], [N, C] or [N, C, d…], classes on axis 1
// (axis 0 for one [C] sample) — with optional class weights w and label smoothing ε, as one op.
// For each counted position with label y, lse = log Σ_c e^(z_c − m) + m (m = max_c z_c, so
// logits of ±1000 stay exact) and
//   ℓ = (1 − ε)·w_y·(lse − z_y) + (ε/C)·Σ_c w_c·(lse − z_c)        (w ≡ 1 without weights),
// whose gradient a·softmax(z)_k − (1 − ε)·w_y·[k = y] − (ε/C)·w_k, a = (1 − ε)·w_y + (ε/C)·Σ_c w_c,
// is written out instead of going back through logSoftmax, gather, the weights and the mean.
// The mean divides by Σ w_y over the counted positions (as PyTorch); labels equal to
// `ignoreIndex` count for nothing (a mean over no counted label is NaN). Without weights and
// smoothing, a = 1 and the arithmetic is that of plain softmax − one-hot. The same arithmetic is
// given to compileBackward as code. With `logProbabilities` (nllLoss) the input already holds
// log-probabilities: lse is 0 and the gradient has no softmax term (a = 0), only the picked
// −(1 − ε)·w_y·[k = y] (nllLoss has no smoothing).

type FloatArray = Float32Array | Float64Array;

/** The shape facts of one call: `outer` × `classes` × `inner` logits, classes `inner` apart. */
interface Layout {
  outer: number;
  classes: number;
  inner: number;
}

const layoutOf = (logits: { shape: readonly number[] }): Layout => {
  const shape = logits.shape;
  if (shape.length === 1) return { outer: 1, classes: shape[0], inner: 1 };
  let inner = 1;
  for (let d = 2; d < shape.length; d++) inner *= shape[d];
  return { outer: shape[0], classes: shape[1], inner };
};

/** log Σ e^z over the classes of one position (starting at `o`, `stride` apart), shifted by their maximum. */
function logSumExp(z: FloatArray, o: number, classes: number, stride: number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let c = 0; c < classes; c++) max = Math.max(max, z[o + c * stride]);
  let sum = 0;
  for (let c = 0; c < classes; c++) sum += Math.exp(z[o + c * stride] - max);
  return Math.log(sum) + max;
}

/** Calls `visit` for each counted position: `p` its index among the labels, `o` the offset of its first logit. */
function forCounted(layout: Layout, y: ArrayLike<number>, ignoreIndex: number, visit: (p: number, o: number, label: number) => void): void {
  const { outer, classes, inner } = layout;
  for (let n = 0; n < outer; n++) {
    for (let s = 0; s < inner; s++) {
      const p = n * inner + s;
      const label = y[p];
      if (label !== ignoreIndex) visit(p, n * classes * inner + s, label);
    }
  }
}

/** The op for one reduction, ignore label, smoothing and input kind (built once each, then reused). */
const ops = memoized((key) => {
  const [reduction, ignoreIndex, smoothing, logProbabilities] = key.split(' ');
  return makeOp(reduction as Reduction, Number(ignoreIndex), Number(smoothing), logProbabilities === 'true');
});

/**
 * Cross-entropy of already validated integer `labels` (the shape of `logits` without the class
 * axis) on float `logits`, as one recorded op. `weight` (`[C]`, validated) takes part as a third
 * input that receives no gradient, so a compiled function reads it when called.
 */
export function fusedCrossEntropy(
  logits: Tensor,
  labels: Tensor,
  weight: Tensor | null,
  options: { reduction: Reduction; ignoreIndex: number; smoothing: number; logProbabilities?: boolean },
): Tensor {
  const { reduction, ignoreIndex, smoothing } = options;
  const logProbabilities = options.logProbabilities === true;
  return ops(`${reduction} ${ignoreIndex} ${smoothing} ${logProbabilities}`)(logits, labels, weight);
}

function makeOp(reduction: Reduction, ignoreIndex: number, smoothing: number, logProbabilities: boolean) {
  const keep = 1 - smoothing;
  const name = logProbabilities ? 'nllLoss' : 'crossEntropy';
  const spec = { compiled: compiledForm(reduction, ignoreIndex, smoothing, logProbabilities) };
  // Recorded directly rather than through customOp (as the other fused losses): the inputs are
  // validated by crossEntropy and the gradient has the logits' shape and dtype by construction.
  return (logits: Tensor, labels: Tensor, weight: Tensor | null): Tensor => {
    const layout = layoutOf(logits);
    const { outer, classes, inner } = layout;
    const z = logits.value.data as FloatArray;
    const y = labels.value.data;
    const w = weight?.value.data;
    const uniform = smoothing / classes;
    const dtype = floatDType(logits);
    // Per position (0 where ignored) for 'none'; the mean and sum are taken in double precision.
    const out = allocate(dtype, reduction === 'none' ? outer * inner : 1);
    let total = 0;
    let denominator = 0;
    forCounted(layout, y, ignoreIndex, (p, o, label) => {
      const lse = logProbabilities ? 0 : logSumExp(z, o, classes, inner);
      const wy = w === undefined ? 1 : w[label];
      let loss = keep * wy * (lse - z[o + label * inner]);
      if (smoothing !== 0) {
        let spread = 0;
        for (let c = 0; c < classes; c++) spread += (w === undefined ? 1 : w[c]) * (lse - z[o + c * inner]);
        loss += uniform * spread;
      }
      if (reduction === 'none') out[p] = loss;
      total += loss;
      denominator += wy;
    });
    if (reduction !== 'none') out[0] = reduction === 'mean' ? total / denominator : total;
    const inputs = weight === null ? [logits, labels] : [logits, labels, weight];
    const value = wrapChecked(out, reduction === 'none' ? labels.shape : []);
    return record(name, inputs, value, (dy) => backward(logits, labels, weight, dy), spec);
  };

  function backward(logits: Tensor, labels: Tensor, weight: Tensor | null, dy: Tensor): (Tensor | null)[] {
    const layout = layoutOf(logits);
    const { classes, inner } = layout;
    const y = labels.value.data;
    const w = weight?.value.data;
    const uniform = smoothing / classes;
    let totalWeight = 0;
    if (w !== undefined) for (let c = 0; c < classes; c++) totalWeight += w[c];
    else totalWeight = classes;
    let denominator = 0;
    for (let p = 0; p < y.length; p++) if (y[p] !== ignoreIndex) denominator += w === undefined ? 1 : w[y[p]];
    /** Per position: the softmax's factor a (0 where ignored). */
    const factor = allocate('float64', y.length);
    if (!logProbabilities) {
      for (let p = 0; p < y.length; p++)
        if (y[p] !== ignoreIndex) factor[p] = keep * (w === undefined ? 1 : w[y[p]]) + uniform * totalWeight;
    }
    const grads: (Tensor | null)[] = [null, null];
    if (weight !== null) grads.push(null);
    if (!logits.requiresGrad) return grads;
    if (isGradEnabled()) {
      // Recording the backward (createGraph): (a·softmax(z) − target)·scale from differentiable ops.
      const target = new Float64Array(logits.size);
      forCounted(layout, y, ignoreIndex, (_, o, label) => {
        for (let c = 0; c < classes; c++) target[o + c * inner] = uniform * (w === undefined ? 1 : w[c]);
        target[o + label * inner] += keep * (w === undefined ? 1 : w[label]);
      });
      const axis = logits.ndim === 1 ? 0 : 1;
      const column = logits.shape.map((d, i) => (i === axis ? 1 : d));
      const dtype = floatDType(logits);
      const perPosition = reduction === 'none' ? unsqueeze(dy, axis) : dy;
      // The scale without dy (which stays in the graph): 1/Σ w_y for the mean, else 1; 0 where ignored.
      const unit = new Float64Array(y.length);
      for (let p = 0; p < y.length; p++) if (y[p] !== ignoreIndex) unit[p] = reduction === 'mean' ? 1 / denominator : 1;
      const picked = constant(target, logits.shape, dtype);
      const weighted = logProbabilities ? neg(picked) : sub(mul(softmax(logits, axis), constant(factor, column, dtype)), picked);
      grads[0] = mul(weighted, mul(perPosition, constant(unit, column, dtype)));
      return grads;
    }
    const z = logits.value.data as FloatArray;
    const dyData = dy.value.data;
    const gradient = allocate(floatDType(logits), logits.size);
    forCounted(layout, y, ignoreIndex, (p, o, label) => {
      const lse = logProbabilities ? 0 : logSumExp(z, o, classes, inner);
      const scale = reduction === 'none' ? dyData[p] : reduction === 'mean' ? dyData[0] / denominator : dyData[0];
      const a = factor[p];
      const hit = keep * (w === undefined ? 1 : w[label]);
      for (let c = 0; c < classes; c++) {
        const off = uniform === 0 ? 0 : uniform * (w === undefined ? 1 : w[c]);
        const soft = logProbabilities ? 0 : a * Math.exp(z[o + c * inner] - lse);
        gradient[o + c * inner] = (soft - (c === label ? hit : 0) - off) * scale;
      }
    });
    grads[0] = new Tensor(wrapChecked(gradient, logits.shape));
    return grads;
  }
}

/** The op as code for compileBackward: the same loops over the logits', labels' and weights' arrays. */
function compiledForm(reduction: Reduction, ignoreIndex: number, smoothing: number, logProbabilities: boolean): CompiledOp {
  const keep = 1 - smoothing;
  const name = logProbabilities ? 'nllLoss' : 'crossEntropy';
  const lseCode = (z: string, classes: number, stride: number) => (logProbabilities ? 'const lse = 0;' : logSumExpCode(z, classes, stride));
  const skip = `if (label === ${ignoreIndex}) continue;`;
  return {
    forward: ({ out, inputs: [z, y, w] }) => {
      const { outer, classes, inner } = layoutOf(z);
      const weightOf = (c: string) => (w === undefined ? '1' : `${w.value}[${c}]`);
      const uniform = smoothing / classes;
      const store = reduction === 'none' ? `${out.value}[p] = loss;` : 'total += loss;';
      // Labels are checked on every call: they are an input that changes from batch to batch.
      const check = `if (!(Number.isInteger(label) && label >= 0 && label < ${classes})) throw new RangeError(\`${name}: label \${label} at position \${p} of the target is out of range: expected an integer class from 0 to ${classes - 1}\`);`;
      const spread =
        smoothing === 0
          ? ''
          : `let spread = 0; for (let c = 0; c < ${classes}; c++) spread += ${weightOf('c')} * (lse - ${z.value}[o + c * ${inner}]); loss += ${uniform} * spread;`;
      const finish = reduction === 'none' ? '' : `${out.value}[0] = ${reduction === 'mean' ? 'total / denominator' : 'total'};`;
      return `${reduction === 'none' ? `${out.value}.fill(0);` : ''} let total = 0, denominator = 0;
        for (let n = 0; n < ${outer}; n++) for (let s = 0; s < ${inner}; s++) {
          const p = n * ${inner} + s; const label = ${y.value}[p]; ${skip} ${check}
          const o = n * ${classes * inner} + s; ${lseCode(z.value, classes, inner)}
          const wy = ${weightOf('label')}; let loss = ${keep} * wy * (lse - ${z.value}[o + label * ${inner}]); ${spread}
          ${store} denominator += wy;
        } ${finish}`;
    },
    backward: ({ out, inputs: [z, y, w] }) => {
      if (z.grad === null) return '';
      const { outer, classes, inner } = layoutOf(z);
      const weightOf = (c: string) => (w === undefined ? '1' : `${w.value}[${c}]`);
      const uniform = smoothing / classes;
      const g = out.grad as string;
      const scale = reduction === 'none' ? `${g}[p]` : reduction === 'mean' ? `${g}[0] / denominator` : `${g}[0]`;
      const totalWeight =
        w === undefined
          ? `const totalWeight = ${classes};`
          : `let totalWeight = 0; for (let c = 0; c < ${classes}; c++) totalWeight += ${w.value}[c];`;
      const off = smoothing === 0 ? '0' : `${uniform} * ${weightOf('c')}`;
      return `let denominator = 0; for (let p = 0; p < ${outer * inner}; p++) { const label = ${y.value}[p]; if (label !== ${ignoreIndex}) denominator += ${weightOf('label')}; }
        ${totalWeight}
        for (let n = 0; n < ${outer}; n++) for (let s = 0; s < ${inner}; s++) {
          const p = n * ${inner} + s; const label = ${y.value}[p]; ${skip}
          const scale = ${scale}; const o = n * ${classes * inner} + s; ${lseCode(z.value, classes, inner)}
          const hit = ${keep} * ${weightOf('label')}; const a = hit + ${uniform} * totalWeight;
          for (let c = 0; c < ${classes}; c++) { const soft = ${logProbabilities ? '0' : `a * Math.exp(${z.value}[o + c * ${inner}] - lse)`}; ${z.grad}[o + c * ${inner}] += (soft - (c === label ? hit : 0) - ${off}) * scale; }
        }`;
    },
  };
}

/** As {@link logSumExp}, as code: defines `lse` for the position starting at `o`. */
const logSumExpCode = (z: string, classes: number, stride: number) =>
  `let max = -Infinity; for (let c = 0; c < ${classes}; c++) max = Math.max(max, ${z}[o + c * ${stride}]); let sum = 0; for (let c = 0; c < ${classes}; c++) sum += Math.exp(${z}[o + c * ${stride}] - max); const lse = Math.log(sum) + max;`;

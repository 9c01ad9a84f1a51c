import * as T from '@backprop/tensor';
import { isGradEnabled } from '../mode.js';
import { record } from '../record.js';
import type { Tensor } from '../tensor.js';
import { add } from './arithmetic.js';
import { matmul } from './matmul.js';
import { sum } from './reduce.js';
import { reshape } from './shape.js';
import { checkTensor, constant } from './util.js';

const transposeA = { transposeA: true } as const;
const transposeB = { transposeB: true } as const;

/**
 * A fully connected layer's product `x·W + b` (W is `[in, out]`, b `[out]`, x `[*, in]`) as one
 * recorded op. Its backward computes dx = dy·Wᵀ, dW = xᵀ·dy and db = Σ dy directly with the gemm's
 * transpose flags and one reduction — no intermediate graph nodes, which is what small networks
 * spend their time on. Recording the backward for higher derivatives (`createGraph`) uses the
 * differentiable ops instead. Mixed dtypes, vectors and other layouts take the composite path.
 * @example linear(x, w, b) // same values as x.matmul(w).add(b)
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  checkTensor(x, 'linear', 'x');
  checkTensor(weight, 'linear', 'weight');
  if (bias !== undefined && bias !== null) checkTensor(bias, 'linear', 'bias');
  const b = bias ?? null;
  const fused =
    x.ndim >= 2 &&
    weight.ndim === 2 &&
    x.shape[x.ndim - 1] === weight.shape[0] &&
    x.dtype === weight.dtype &&
    T.isFloating(x.dtype) &&
    (b === null || (b.ndim === 1 && b.shape[0] === weight.shape[1] && b.dtype === x.dtype));
  if (!fused) return b === null ? matmul(x, weight) : add(matmul(x, weight), b);
  const [inFeatures, outFeatures] = weight.shape;
  const rows = x.size / inFeatures;
  const product = T.matmul(x.value, weight.value);
  const value = b === null ? product : T.add(product, b.value);
  return record('linear', b === null ? [x, weight] : [x, weight, b], value, (dy) => {
    if (isGradEnabled()) {
      const flatDy = reshape(dy, [rows, outFeatures]);
      return [
        x.requiresGrad ? reshape(matmul(flatDy, weight, { transposeB: true }), x.shape) : null,
        weight.requiresGrad ? matmul(reshape(x, [rows, inFeatures]), flatDy, { transposeA: true }) : null,
        b?.requiresGrad ? sum(flatDy, 0) : null,
      ];
    }
    // A batch of rows (the usual case) needs no reshaping.
    const matrix = x.ndim === 2;
    const flatDy = matrix ? dy.value : T.reshape(dy.value, [rows, outFeatures]);
    const dx = x.requiresGrad ? T.matmul(flatDy, weight.value, transposeB) : null;
    return [
      dx ? constant(matrix ? dx : T.reshape(dx, x.shape)) : null,
      weight.requiresGrad ? constant(T.matmul(matrix ? x.value : T.reshape(x.value, [rows, inFeatures]), flatDy, transposeA)) : null,
      b?.requiresGrad ? constant(T.sum(flatDy, 0)) : null,
    ];
  });
}

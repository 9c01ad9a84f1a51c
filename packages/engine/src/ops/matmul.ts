import * as T from '@backprop/tensor';
import { ArgumentError } from '@backprop/tensor';
import { record } from '../record.js';
import type { Tensor } from '../tensor.js';
import { fitTo, reshape } from './shape.js';
import { checkTensor } from './util.js';

/** Options of {@link matmul}: use an operand's transpose (last two axes) without copying it. */
export type MatmulOptions = T.MatmulOptions;

/**
 * Matrix product (NumPy semantics, batch dimensions broadcast). With C = op(A)·op(B):
 * dA = dC·op(B)ᵀ and dB = op(A)ᵀ·dC, computed by the same gemm with transpose flags, so no
 * transposed copy is ever made; broadcast batch dimensions are summed back.
 * @example x.matmul(w) // [batch, in] @ [in, out]
 */
export function matmul(a: Tensor, b: Tensor, options?: MatmulOptions): Tensor {
  options ??= {};
  checkTensor(a, 'matmul', 'a');
  checkTensor(b, 'matmul', 'b');
  const tA = options.transposeA === true;
  const tB = options.transposeB === true;
  if (a.ndim === 1 || b.ndim === 1) {
    // Promote vectors to matrices with differentiable reshapes, then drop the added axis.
    if ((a.ndim === 1 && tA) || (b.ndim === 1 && tB)) {
      throw new ArgumentError('matmul: transpose flags need an operand with at least two dimensions', {
        where: 'matmul',
        argument: 'transpose',
      });
    }
    const a2 = a.ndim === 1 ? reshape(a, [1, a.shape[0]]) : a;
    const b2 = b.ndim === 1 ? reshape(b, [b.shape[0], 1]) : b;
    const product = matmul(a2, b2, options);
    return reshape(product, T.vectorProductShape(product.shape, a.ndim, b.ndim));
  }
  return record(
    'matmul',
    [a, b],
    T.matmul(a.value, b.value, options),
    (dC) => [
      a.requiresGrad ? fitTo(tA ? matmul(b, dC, { transposeA: tB, transposeB: true }) : matmul(dC, b, { transposeB: !tB }), a) : null,
      b.requiresGrad ? fitTo(tB ? matmul(dC, a, { transposeA: true, transposeB: tA }) : matmul(a, dC, { transposeA: !tA }), b) : null,
    ],
    { attrs: { transposeA: tA, transposeB: tB } },
  );
}

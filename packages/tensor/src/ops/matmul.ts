import { rowBiasGemmOf } from '../backend/js/gemm.js';
import { getBackend } from '../backend/registry.js';
import { type DType, promoteTypes, type TypedArray } from '../dtype.js';
import { ArgumentError, formatShape, ShapeError } from '../errors.js';
import type { NDArray } from '../ndarray.js';
import { checkOptionKeys, optionKeys } from '../options.js';
import { batchOffsets, broadcastShapes } from '../shape.js';
import { reshape } from './reshape.js';
import { astype, checkArray, empty } from './util.js';

/** Options of {@link matmul}. */
export interface MatmulOptions {
  /** Use the transpose of `a`'s last two dimensions (no transposed copy is made). */
  transposeA?: boolean;
  /** Use the transpose of `b`'s last two dimensions (no transposed copy is made). */
  transposeB?: boolean;
  /**
   * A bias for each row of the product, `C[…, i, j] = (A·B)[…, i, j] + rowBias[…, i]`: shape
   * `[m]`, or `[…, m]` with leading dimensions that broadcast to the product's batch dimensions.
   * Added after each entry is summed and rounded — the same values as a separate `add` of
   * `rowBias` with a trailing axis — but without a second pass over C (the WebAssembly backend
   * adds it before copying C out). A convolution's bias per output channel is such a bias.
   */
  rowBias?: NDArray;
}

const matmulKeys = optionKeys({ transposeA: true, transposeB: true, rowBias: true } satisfies Record<keyof MatmulOptions, true>);

/** The shape of a product with a 1-D operand: the matrix product's shape without the axes the vectors were promoted to. */
export function vectorProductShape(productShape: readonly number[], aNdim: number, bNdim: number): number[] {
  const shape = [...productShape];
  if (bNdim === 1) shape.pop();
  if (aNdim === 1) shape.splice(shape.length - (bNdim === 1 ? 1 : 2), 1);
  return shape;
}

/**
 * Matrix product with NumPy semantics: 1-D operands are promoted to a row (`a`) or column (`b`)
 * and the extra dimension removed afterwards; 3-D and higher operands are stacks of matrices
 * whose batch dimensions broadcast.
 * @example
 * matmul(ones([32, 64]), ones([64, 10])).shape; // [32, 10]
 * matmul(x, w, { transposeB: true });          // x · wᵀ without materialising wᵀ
 */
export function matmul(a: NDArray, b: NDArray, options?: MatmulOptions): NDArray {
  checkOptionKeys(options, matmulKeys, 'matmul');
  options ??= {};
  checkArray(a, 'matmul', 'a');
  checkArray(b, 'matmul', 'b');
  const transA = options.transposeA === true;
  const transB = options.transposeB === true;
  if (a.ndim === 0 || b.ndim === 0) {
    throw new ShapeError(`matmul: both operands need at least one dimension, got ${formatShape(a.shape)} @ ${formatShape(b.shape)}`, {
      where: 'matmul',
      shapes: [a.shape, b.shape],
    });
  }
  if ((a.ndim === 1 && transA) || (b.ndim === 1 && transB)) {
    throw new ArgumentError('matmul: transpose flags need an operand with at least two dimensions', {
      where: 'matmul',
      argument: 'transpose',
    });
  }
  if (a.ndim === 1 || b.ndim === 1) {
    const a2 = a.ndim === 1 ? reshape(a, [1, a.shape[0]]) : a;
    const b2 = b.ndim === 1 ? reshape(b, [b.shape[0], 1]) : b;
    if (options.rowBias !== undefined) {
      throw new ArgumentError('matmul: rowBias needs both operands with at least two dimensions', { where: 'matmul', argument: 'rowBias' });
    }
    const product = matmul(a2, b2, options);
    return reshape(product, vectorProductShape(product.shape, a.ndim, b.ndim));
  }
  const m = a.shape[a.ndim - (transA ? 1 : 2)];
  const k = a.shape[a.ndim - (transA ? 2 : 1)];
  const kb = b.shape[b.ndim - (transB ? 1 : 2)];
  const n = b.shape[b.ndim - (transB ? 2 : 1)];
  if (k !== kb) {
    const flags = transA || transB ? ` (transposeA: ${transA}, transposeB: ${transB})` : '';
    throw new ShapeError(`matmul: inner dimensions differ: ${formatShape(a.shape)} @ ${formatShape(b.shape)}${flags}`, {
      where: 'matmul',
      shapes: [a.shape, b.shape],
    });
  }
  const bias = options.rowBias;
  if (bias !== undefined) checkArray(bias, 'matmul', 'rowBias');
  if (a.ndim === 2 && b.ndim === 2 && (bias === undefined || bias.ndim === 1)) {
    // One plain product: no batch bookkeeping.
    const dtype = promoteTypes(a.dtype, b.dtype);
    const out = empty(dtype, [m, n]);
    const x = astype(a, dtype).data;
    const y = astype(b, dtype).data;
    const backend = getBackend();
    if (bias === undefined) backend.gemm(transA, transB, m, n, k, x, 0, y, 0, out.data, 0);
    else rowBiasGemmOf(backend)(transA, transB, m, n, k, x, 0, y, 0, out.data, 0, rowBiasData(bias, [], m, dtype, a, b), 0);
    return out;
  }
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const batch = broadcastShapes('matmul', batchA, batchB);
  const dtype = promoteTypes(a.dtype, b.dtype);
  const x = astype(a, dtype);
  const y = astype(b, dtype);
  const out = empty(dtype, [...batch, m, n]);
  const offsetsA = batchOffsets(batchA, batch, m * k);
  const offsetsB = batchOffsets(batchB, batch, k * n);
  const backend = getBackend();
  if (bias === undefined) {
    for (let i = 0; i < offsetsA.length; i++) {
      backend.gemm(transA, transB, m, n, k, x.data, offsetsA[i], y.data, offsetsB[i], out.data, i * m * n);
    }
    return out;
  }
  const rows = rowBiasData(bias, batch, m, dtype, a, b);
  const offsetsBias = batchOffsets(bias.shape.slice(0, -1), batch, m);
  const gemm = rowBiasGemmOf(backend);
  for (let i = 0; i < offsetsA.length; i++) {
    gemm(transA, transB, m, n, k, x.data, offsetsA[i], y.data, offsetsB[i], out.data, i * m * n, rows, offsetsBias[i]);
  }
  return out;
}

/** The row bias's data in the product's dtype, after checking that its shape fits a product of `batch` stacked m-row matrices. */
function rowBiasData(bias: NDArray, batch: readonly number[], m: number, dtype: DType, a: NDArray, b: NDArray): TypedArray {
  const lead = bias.shape.slice(0, -1);
  const fits =
    bias.ndim >= 1 &&
    bias.shape[bias.ndim - 1] === m &&
    lead.length <= batch.length &&
    lead.every((d, i) => d === 1 || d === batch[batch.length - lead.length + i]);
  if (!fits) {
    throw new ShapeError(
      `matmul: rowBias of shape ${formatShape(bias.shape)} does not fit the product ${formatShape(a.shape)} @ ${formatShape(b.shape)}: expected [${m}] or [..., ${m}] broadcasting to its batch ${formatShape(batch)}`,
      { where: 'matmul', shapes: [a.shape, b.shape, bias.shape] },
    );
  }
  return astype(bias, dtype).data;
}

import { getBackend } from '../backend/registry.js';
import { allocate } from '../dtype.js';
import { ArgumentError, formatShape, ShapeError } from '../errors.js';
import { NDArray } from '../ndarray.js';
import { normalizeAxis } from '../shape.js';
import { array } from './create.js';
import { astype, checkArray, clone, empty } from './util.js';

/** Checks integer indices against an axis of `size` and returns them as non-negative int32. */
export function checkIndices(indices: NDArray | readonly number[], size: number, op: string, what: string): NDArray<'int32'> {
  // A plain list is read as it is written (as int32 it would truncate 1.5 to 1 before the check).
  const given = Array.isArray(indices) ? array(indices as number[], { dtype: 'float64' }) : checkArray(indices, op, 'indices');
  const data = given.data;
  const out = allocate('int32', data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!Number.isInteger(v) || v < -size || v >= size) {
      const why = Number.isInteger(v) ? `is out of range for ${what} of size ${size}` : 'is not an integer';
      throw new ArgumentError(`${op}: index ${v} at position ${i} ${why}`, {
        where: op,
        argument: 'indices',
      });
    }
    out[i] = v < 0 ? v + size : v;
  }
  return new NDArray(out, given.shape);
}

function view(shape: readonly number[], axis: number): [number, number, number] {
  const outer = shape.slice(0, axis).reduce((p, d) => p * d, 1);
  const inner = shape.slice(axis + 1).reduce((p, d) => p * d, 1);
  return [outer, shape[axis], inner];
}

/**
 * Picks entries along `axis` by index (NumPy's `take`): the result's shape is
 * `x.shape[:axis] + indices.shape + x.shape[axis+1:]`. Negative indices count from the end.
 * @example take(embeddings, tokenIds, 0) // rows of an embedding table
 */
export function take(x: NDArray, indices: NDArray | readonly number[], axis = 0): NDArray {
  checkArray(x, 'take');
  const at = normalizeAxis(axis, x.ndim, 'take');
  const idx = checkIndices(indices, x.shape[at], 'take', `axis ${at}`);
  const [outer, length, inner] = view(x.shape, at);
  const out = empty(x.dtype, [...x.shape.slice(0, at), ...idx.shape, ...x.shape.slice(at + 1)]);
  getBackend().take(x.data, outer, length, inner, idx.data, out.data, false);
  return out;
}

/**
 * Adds slices of `source` into a copy of `x` at `indices` along `axis` (repeated indices add
 * up, as `torch.index_add`): `out[…, indices[j], …] += source[…, j, …]`. `indices` is 1-D.
 */
export function indexAdd(x: NDArray, axis: number, indices: NDArray | readonly number[], source: NDArray): NDArray {
  checkArray(x, 'indexAdd');
  checkArray(source, 'indexAdd', 'source');
  const at = normalizeAxis(axis, x.ndim, 'indexAdd');
  const idx = checkIndices(indices, x.shape[at], 'indexAdd', `axis ${at}`);
  const expected = [...x.shape];
  expected[at] = idx.size;
  if (idx.ndim !== 1 || source.ndim !== x.ndim || source.shape.some((d, i) => d !== expected[i])) {
    throw new ShapeError(
      `indexAdd: source ${formatShape(source.shape)} must have shape ${formatShape(expected)} for x ${formatShape(x.shape)} and 1-D indices ${formatShape(idx.shape)}`,
      { where: 'indexAdd', shapes: [x.shape, idx.shape, source.shape] },
    );
  }
  const out = clone(x);
  const [outer, length, inner] = view(x.shape, at);
  getBackend().take(astype(source, x.dtype).data, outer, length, inner, idx.data, out.data, true);
  return out;
}

function checkGatherShapes(op: string, x: NDArray, at: number, index: NDArray, other?: NDArray): void {
  const bad = index.ndim !== x.ndim || index.shape.some((d, i) => i !== at && d > x.shape[i]);
  if (bad) {
    throw new ShapeError(
      `${op}: index ${formatShape(index.shape)} must have the rank of x ${formatShape(x.shape)} and no larger dimension except along axis ${at}`,
      { where: op, shapes: [x.shape, index.shape] },
    );
  }
  if (other && (other.ndim !== index.ndim || other.shape.some((d, i) => d !== index.shape[i]))) {
    throw new ShapeError(`${op}: source ${formatShape(other.shape)} must have the shape of index ${formatShape(index.shape)}`, {
      where: op,
      shapes: [x.shape, index.shape, other.shape],
    });
  }
}

/**
 * PyTorch's `gather`: `out[i][j] = x[i][index[i][j]]` for `axis = 1` (any rank); `index` has the
 * rank of `x`, and the result has the shape of `index`.
 * @example gather(logProbs, 1, labels2d) // the log-probability of each row's label
 */
export function gather(x: NDArray, axis: number, index: NDArray): NDArray {
  checkArray(x, 'gather');
  checkArray(index, 'gather', 'index');
  const at = normalizeAxis(axis, x.ndim, 'gather');
  checkGatherShapes('gather', x, at, index);
  const idx = checkIndices(index, x.shape[at], 'gather', `axis ${at}`);
  const out = empty(x.dtype, index.shape);
  getBackend().gather(x.data, x.shape, at, idx.data, idx.shape, out.data, false);
  return out;
}

/** The reverse of {@link gather}: a copy of `x` with `source[…]` added at `index` along `axis`. */
export function scatterAdd(x: NDArray, axis: number, index: NDArray, source: NDArray): NDArray {
  checkArray(x, 'scatterAdd');
  checkArray(index, 'scatterAdd', 'index');
  checkArray(source, 'scatterAdd', 'source');
  const at = normalizeAxis(axis, x.ndim, 'scatterAdd');
  checkGatherShapes('scatterAdd', x, at, index, source);
  const idx = checkIndices(index, x.shape[at], 'scatterAdd', `axis ${at}`);
  const out = clone(x);
  getBackend().gather(astype(source, x.dtype).data, x.shape, at, idx.data, idx.shape, out.data, true);
  return out;
}

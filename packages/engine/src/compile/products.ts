import { broadcastStrides, stridesOf } from '@backprop/tensor';
import type { CompiledOp, CompiledSlot } from './emit.js';

// Code generation for matrix products: matmul (transpose flags, broadcast batch axes) and the
// fused x·W + b of dense layers, forward and backward, as plain loops over fixed shapes.

/**
 * C[i, j] = Σₖ A(i, k) · B(k, j) over `m × n × k` for the two operands' index functions, and its
 * backward: dA(i, k) += dC[i, j] · B(k, j), dB(k, j) += A(i, k) · dC[i, j]. `bias(j)` is added last.
 * Shared by matmul and linear.
 */
interface Product {
  m: number;
  n: number;
  k: number;
  /** The variables of A and B, and the flat index of A(i, k) and B(k, j). */
  a: string;
  b: string;
  aIndex: (i: string, k: string) => string;
  bIndex: (k: string, j: string) => string;
  /** The bias variable (indexed by j), if any. */
  bias?: string;
  /** An expression added to the flat index of C (a batched product's matrix), if any. */
  outOffset?: string;
}

function productForward(out: CompiledSlot, p: Product): string {
  const bias = p.bias ? ` + ${p.bias}[j]` : '';
  const term = `${p.a}[${p.aIndex('i', 'k')}] * ${p.b}[${p.bIndex('k', 'j')}]`;
  const c = p.outOffset ? `${p.outOffset} + i * ${p.n} + j` : `i * ${p.n} + j`;
  return `for (let i = 0; i < ${p.m}; i++) for (let j = 0; j < ${p.n}; j++) { let s = 0; for (let k = 0; k < ${p.k}; k++) s += ${term}; ${out.value}[${c}] = s${bias}; }`;
}

function productBackward(out: CompiledSlot, p: Product, gradA: string | null, gradB: string | null, gradBias: string | null): string {
  if (gradA === null && gradB === null && gradBias === null) return '';
  const [ai, bi] = [p.aIndex('i', 'k'), p.bIndex('k', 'j')];
  const inner = `${gradA === null ? '' : `${gradA}[${ai}] += d * ${p.b}[${bi}];`} ${gradB === null ? '' : `${gradB}[${bi}] += ${p.a}[${ai}] * d;`}`;
  const toBias = gradBias === null ? '' : `${gradBias}[j] += d;`;
  const loopK = gradA === null && gradB === null ? '' : `for (let k = 0; k < ${p.k}; k++) { ${inner} }`;
  const c = p.outOffset ? `${p.outOffset} + i * ${p.n} + j` : `i * ${p.n} + j`;
  return `for (let i = 0; i < ${p.m}; i++) for (let j = 0; j < ${p.n}; j++) { const d = ${out.grad}[${c}]; ${toBias} ${loopK} }`;
}

/** The flat index `row * stride + column`. */
const at = (row: string, stride: number, column: string): string => `${row} * ${stride} + ${column}`;

/**
 * Matrix product with transpose flags, C[…, i, j] = Σₖ op(A)[…, i, k] · op(B)[…, k, j], over
 * operands of two or more axes whose leading (batch) axes broadcast; a gradient reaching a
 * broadcast operand sums over the batch by accumulating.
 */
export const matmul: CompiledOp = {
  unsupported: ({ inputs: [a, b] }) => (a.shape.length >= 2 && b.shape.length >= 2 ? null : 'only operands of 2 or more axes are compiled'),
  forward: ({ out, inputs: [a, b], attrs }) =>
    batched(out, a, b, (offsets) => productForward(out, matmulProduct(out, a, b, attrs, offsets))),
  backward: ({ out, inputs: [a, b], attrs }) =>
    a.grad === null && b.grad === null
      ? ''
      : batched(out, a, b, (offsets) => productBackward(out, matmulProduct(out, a, b, attrs, offsets), a.grad, b.grad, null)),
};

/** Offsets of one matrix of a batched product: C's, A's and B's first element (expressions). */
interface BatchOffsets {
  readonly c: string;
  readonly a: string;
  readonly b: string;
}

/**
 * `body` once per matrix of a batched product (one loop per batch axis of C longer than 1), given
 * the offsets of that matrix in C, A and B; once with no offsets for 2-D operands.
 */
function batched(out: CompiledSlot, a: CompiledSlot, b: CompiledSlot, body: (offsets: BatchOffsets | null) => string): string {
  const batch = out.shape.slice(0, -2);
  if (batch.length === 0) return body(null);
  const matrix = (s: readonly number[]) => s[s.length - 2] * s[s.length - 1];
  const strides = (s: CompiledSlot) => broadcastStrides(s.shape.slice(0, -2), batch).map((st) => st * matrix(s.shape));
  const [cs, as, bs] = [stridesOf(batch).map((st) => st * matrix(out.shape)), strides(a), strides(b)];
  const axes = batch.map((_, d) => d).filter((d) => batch[d] !== 1);
  const offset = (st: readonly number[]) =>
    axes
      .map((d) => (st[d] === 0 ? '' : `t${d} * ${st[d]}`))
      .filter((t) => t !== '')
      .join(' + ') || '0';
  let code = `{ const co = ${offset(cs)}, ao = ${offset(as)}, bo = ${offset(bs)}; ${body({ c: 'co', a: 'ao', b: 'bo' })} }`;
  for (let k = axes.length - 1; k >= 0; k--) code = `for (let t${axes[k]} = 0; t${axes[k]} < ${batch[axes[k]]}; t${axes[k]}++) ${code}`;
  return code;
}

function matmulProduct(
  out: CompiledSlot,
  a: CompiledSlot,
  b: CompiledSlot,
  attrs: Readonly<Record<string, unknown>>,
  offsets: BatchOffsets | null,
): Product {
  const [ra, ca] = a.shape.slice(-2);
  const cb = b.shape[b.shape.length - 1];
  const tA = attrs.transposeA === true;
  const tB = attrs.transposeB === true;
  const plus = (offset: string | undefined, index: string) => (offset === undefined ? index : `${offset} + ${index}`);
  return {
    m: out.shape[out.shape.length - 2],
    n: out.shape[out.shape.length - 1],
    k: tA ? ra : ca,
    a: a.value,
    b: b.value,
    aIndex: (i, k) => plus(offsets?.a, tA ? at(k, ca, i) : at(i, ca, k)),
    bIndex: (k, j) => plus(offsets?.b, tB ? at(j, cb, k) : at(k, cb, j)),
    outOffset: offsets?.c,
  };
}

/** The fused `x·W + b` of Dense layers (x flattened to rows). */
export const linear: CompiledOp = {
  forward: ({ out, inputs: [x, w, b] }) => productForward(out, linearProduct(x, w, b)),
  backward: ({ out, inputs: [x, w, b] }) => productBackward(out, linearProduct(x, w, b), x.grad, w.grad, b?.grad ?? null),
};

function linearProduct(x: CompiledSlot, w: CompiledSlot, b: CompiledSlot | undefined): Product {
  const [inF, outF] = w.shape;
  return {
    m: x.size / inF,
    n: outF,
    k: inF,
    a: x.value,
    b: w.value,
    aIndex: (r, k) => at(r, inF, k),
    bIndex: (k, o) => at(k, outF, o),
    bias: b?.value,
  };
}

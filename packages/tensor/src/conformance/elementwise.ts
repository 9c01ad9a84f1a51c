import type { BinaryOp, UnaryOp } from '../backend/backend.js';
import { erf } from '../backend/js/scalar.js';
import { Generator } from '../random/generator.js';
import { sizeOf, stridesOf } from '../shape.js';
import { type ConformanceCase, expectClose, offsets, randomArray, randomShape, type Tolerance } from './check.js';

const unaryReference: Record<UnaryOp, (x: number, p0: number, p1: number) => number> = {
  neg: (x) => -x,
  abs: Math.abs,
  exp: Math.exp,
  log: Math.log,
  log1p: Math.log1p,
  expm1: Math.expm1,
  sqrt: Math.sqrt,
  square: (x) => x * x,
  reciprocal: (x) => 1 / x,
  sin: Math.sin,
  cos: Math.cos,
  tanh: Math.tanh,
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  relu: (x) => Math.max(x, 0),
  sign: Math.sign,
  floor: Math.floor,
  ceil: Math.ceil,
  round: (x) => {
    const r = Math.round(x);
    return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
  },
  erf,
  pow: (x, p) => x ** p,
  clamp: (x, lo, hi) => Math.min(Math.max(x, lo), hi),
};

const binaryReference: Record<BinaryOp, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: (a, b) => a ** b,
  maximum: Math.max,
  minimum: Math.min,
  eq: (a, b) => Number(a === b),
  ne: (a, b) => Number(a !== b),
  lt: (a, b) => Number(a < b),
  le: (a, b) => Number(a <= b),
  gt: (a, b) => Number(a > b),
  ge: (a, b) => Number(a >= b),
  reluGrad: (a, b) => a * Number(b > 0),
  sigmoidGrad: (a, b) => a * (b * (1 - b)),
  tanhGrad: (a, b) => a * (1 - b * b),
};

/** Element-wise kernels: every unary and binary op against a scalar reference, with broadcasting, float32 special values, and `where`. */
export function elementwiseCases({ rtol, atol }: Tolerance): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  for (const op of Object.keys(unaryReference) as UnaryOp[]) {
    cases.push({
      name: `unary ${op}`,
      run(backend) {
        const g = new Generator(op.length);
        const positive = op === 'log' || op === 'sqrt' || op === 'pow';
        const x = Float32Array.from(randomArray(g, 37, 3), (v) => (positive ? Math.abs(v) + 0.1 : v));
        const out = new Float32Array(x.length);
        backend.unary(op, x, out, op === 'clamp' ? -1 : 1.5, 1);
        const expected = Float32Array.from(x, (v) => unaryReference[op](v, op === 'clamp' ? -1 : 1.5, 1));
        expectClose(`unary ${op}`, out, expected, rtol, atol);
      },
    });
  }
  for (const op of Object.keys(binaryReference) as BinaryOp[]) {
    cases.push({
      name: `binary ${op} with broadcasting`,
      run(backend) {
        const g = new Generator(100 + op.length);
        for (let trial = 0; trial < 20; trial++) {
          const shape = randomShape(g, 1 + g.nextBelow(4));
          const aShape = shape.map((d) => (g.nextBelow(3) === 0 ? 1 : d));
          const bShape = shape.map((d) => (g.nextBelow(3) === 0 ? 1 : d));
          const a = Float64Array.from(randomArray(g, sizeOf(aShape)), (v) => (op === 'pow' ? Math.abs(v) : Math.round(v * 4) / 4));
          const b = Float64Array.from(randomArray(g, sizeOf(bShape)), (v) => Math.round(v * 4) / 4 || 0.5);
          const aStrides = stridesOf(aShape).map((s, i) => (aShape[i] === 1 ? 0 : s));
          const bStrides = stridesOf(bShape).map((s, i) => (bShape[i] === 1 ? 0 : s));
          const out = new Float64Array(sizeOf(shape));
          backend.binary(op, a, aStrides, b, bStrides, out, shape);
          const ai = offsets(shape, aStrides);
          const bi = offsets(shape, bStrides);
          const expected = ai.map((o, i) => binaryReference[op](a[o], b[bi[i]]));
          expectClose(`binary ${op} ${JSON.stringify([aShape, bShape])}`, out, expected, 1e-12, 1e-12);
        }
      },
    });
  }
  cases.push({
    name: 'float32 element-wise ops on large arrays: every op and broadcast layout, special values',
    run(backend) {
      const g = new Generator(77);
      const shape = [3, 5, 17, 29];
      const layouts = [shape, [3, 5, 17, 1], [1, 1, 17, 29], [1, 5, 1, 1], [1, 1, 1, 1], [3, 1, 17, 29]];
      const specials = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, -0];
      const values = (n: number) =>
        Float32Array.from(randomArray(g, n), (v, i) => (i % 13 === 5 ? specials[i % specials.length] : Math.round(v * 8) / 8));
      for (const op of Object.keys(binaryReference) as BinaryOp[]) {
        if (op === 'pow' || op === 'maximum' || op === 'minimum') continue;
        const comparison = ['eq', 'ne', 'lt', 'le', 'gt', 'ge'].includes(op);
        for (const [aShape, bShape] of [...layouts.map((l) => [shape, l]), ...layouts.map((l) => [l, shape])]) {
          const a = values(sizeOf(aShape));
          const b = values(sizeOf(bShape));
          const aStrides = stridesOf(aShape).map((s, i) => (aShape[i] === 1 ? 0 : s));
          const bStrides = stridesOf(bShape).map((s, i) => (bShape[i] === 1 ? 0 : s));
          const out = comparison ? new Int32Array(sizeOf(shape)) : new Float32Array(sizeOf(shape));
          backend.binary(op, a, aStrides, b, bStrides, out, shape);
          const ai = offsets(shape, aStrides);
          const bi = offsets(shape, bStrides);
          const expected = ai.map((o, i) => Math.fround(binaryReference[op](a[o], b[bi[i]])));
          expectClose(`binary ${op} float32 ${JSON.stringify([aShape, bShape])}`, out, expected, 0, 0);
        }
      }
      const x = values(sizeOf(shape));
      const relu = new Float32Array(x.length);
      backend.unary('relu', x, relu);
      expectClose(
        'unary relu float32',
        relu,
        Array.from(x, (v) => (Number.isNaN(v) ? v : Math.max(v, 0))),
        0,
        0,
      );
      for (let i = 0; i < x.length; i++) {
        if (Object.is(relu[i], -0)) throw new Error(`unary relu float32: element ${i} is -0, expected +0`);
      }
    },
  });
  cases.push({
    name: 'where with broadcasting',
    run(backend) {
      const g = new Generator(7);
      const shape = [3, 4];
      const cond = Int32Array.from({ length: 4 }, () => g.nextBelow(2));
      const a = randomArray(g, 12);
      const b = randomArray(g, 3);
      const out = new Float64Array(12);
      backend.where(cond, [0, 1], a, [4, 1], b, [1, 0], out, shape);
      const expected = Array.from({ length: 12 }, (_, i) => (cond[i % 4] ? a[i] : b[Math.floor(i / 4)]));
      expectClose('where', out, expected, 0, 0);
    },
  });
  return cases;
}

import {
  ArgumentError,
  broadcastStrides,
  type DType,
  normalizeAxis,
  reducedShape,
  scalarErf,
  scalarSigmoid,
  sizeOf,
  stridesOf,
} from '@backprop/tensor';

// Code generation for `compileBackward`: every op of a traced function becomes a few loops over
// typed arrays of fixed shapes. Shapes are constants in the generated code, so the loops are as
// plain as a hand-written one and V8 optimizes the whole training step as one function.

/**
 * One value of a compiled program as an op's code generator sees it.
 * @experimental The compiled-op interface may change in a minor release.
 */
export interface CompiledSlot {
  /** The variable holding the values: a typed array of `size` elements, row-major. */
  readonly value: string;
  /** The variable holding the gradient (same layout), or `null` where none is needed. */
  readonly grad: string | null;
  /** The static shape. */
  readonly shape: readonly number[];
  /** The number of elements. */
  readonly size: number;
  /** The element type. */
  readonly dtype: DType;
}

/**
 * What an op's code generator is given: its output and inputs as {@link CompiledSlot}s and the
 * op's attributes (axes, transpose flags, …).
 * @experimental
 */
export interface EmitContext {
  /** The op's output. */
  readonly out: CompiledSlot;
  /** The op's inputs, in argument order. */
  readonly inputs: readonly CompiledSlot[];
  /** The op's non-tensor arguments, as recorded. */
  readonly attrs: Readonly<Record<string, unknown>>;
}

/**
 * The compiled form of an op, used by `compileBackward`: JavaScript statements over typed arrays.
 * `forward` must write every element of `out.value` from the inputs' values; `backward` must
 * *add* the op's vector-Jacobian product into each `inputs[k].grad` that is not `null`, reading
 * `out.grad` (and any values). Each piece runs in a block of its own, so local names are free.
 *
 * @example
 * // softsign(x) = x / (1 + |x|), d/dx = 1 / (1 + |x|)²
 * const compiled: CompiledOp = {
 *   forward: ({ out, inputs: [x] }) =>
 *     `for (let i = 0; i < ${out.size}; i++) ${out.value}[i] = ${x.value}[i] / (1 + Math.abs(${x.value}[i]));`,
 *   backward: ({ out, inputs: [x] }) =>
 *     x.grad === null ? '' :
 *     `for (let i = 0; i < ${out.size}; i++) { const d = 1 + Math.abs(${x.value}[i]); ${x.grad}[i] += ${out.grad}[i] / (d * d); }`,
 * };
 * @experimental
 */
export interface CompiledOp {
  /** Why the op cannot be compiled with these shapes or attributes; `null` (or absent) when it can. */
  unsupported?(context: EmitContext): string | null;
  /** Statements computing `out.value`. */
  forward(context: EmitContext): string;
  /** Statements adding into the inputs' gradients. */
  backward(context: EmitContext): string;
  /** The output is the first input's buffer under another shape (a reshape): no code, shared gradient. */
  readonly alias?: boolean;
}

/** A number as a JavaScript literal (keeps −0, NaN and the infinities). */
export function literal(n: number): string {
  if (Object.is(n, -0)) return '-0';
  return Number.isFinite(n) || Number.isNaN(n) ? String(n) : n > 0 ? 'Infinity' : '-Infinity';
}

/**
 * A loop nest over `shape` giving `body` one index expression per operand (each operand read
 * through its strides). One flat loop when every operand is either laid out like `shape` or a
 * single element; otherwise one loop per axis longer than 1.
 */
export function nest(
  shape: readonly number[],
  operands: readonly (readonly number[])[],
  body: (index: readonly string[]) => string,
): string {
  const full = stridesOf(shape);
  const size = shape.reduce((p, d) => p * d, 1);
  const like = (strides: readonly number[], of: (d: number) => number) => strides.every((s, d) => shape[d] === 1 || s === of(d));
  if (operands.every((st) => like(st, (d) => full[d]) || like(st, () => 0))) {
    const index = operands.map((st) => (like(st, () => 0) ? '0' : 'i'));
    return `for (let i = 0; i < ${size}; i++) { ${body(index)} }`;
  }
  const axes = shape.map((_, d) => d).filter((d) => shape[d] !== 1);
  const index = operands.map((st) => {
    const terms = axes.filter((d) => st[d] !== 0).map((d) => (st[d] === 1 ? `i${d}` : `i${d} * ${st[d]}`));
    return terms.length === 0 ? '0' : terms.join(' + ');
  });
  let code = body(index);
  for (let k = axes.length - 1; k >= 0; k--) code = `for (let i${axes[k]} = 0; i${axes[k]} < ${shape[axes[k]]}; i${axes[k]}++) { ${code} }`;
  return code;
}

/** A loop over `size` elements in order (written out when short). */
export function flat(size: number, body: (index: string) => string): string {
  return nest([size], [[1]], ([i]) => body(i));
}

/** An element-wise op of one input: its value `f(a)` and its derivative term given `g`, `a` and the output `y`. */
function unary(f: (a: string) => string, df: (g: string, a: string, y: string) => string): CompiledOp {
  return {
    forward: ({ out, inputs: [x] }) => flat(out.size, (i) => `const a = ${x.value}[${i}]; ${out.value}[${i}] = ${f('a')};`),
    backward: ({ out, inputs: [x] }) =>
      x.grad === null
        ? ''
        : flat(
            out.size,
            (i) => `const a = ${x.value}[${i}], y = ${out.value}[${i}], g = ${out.grad}[${i}]; ${x.grad}[${i}] += ${df('g', 'a', 'y')};`,
          ),
  };
}

/**
 * A broadcasting binary op: its value from `a` and `b`, and what each input's gradient gains
 * given `g`, `a`, `b` and the output `y`.
 */
function binary(
  f: (a: string, b: string) => string,
  da: (g: string, a: string, b: string, y: string) => string,
  db: (g: string, a: string, b: string, y: string) => string,
): CompiledOp {
  const loop = ({ out, inputs: [x, y] }: EmitContext, body: (o: string, a: string, b: string) => string) =>
    nest(out.shape, [stridesOf(out.shape), broadcastStrides(x.shape, out.shape), broadcastStrides(y.shape, out.shape)], ([o, a, b]) =>
      body(o, a, b),
    );
  return {
    forward: (c) => loop(c, (o, a, b) => `${c.out.value}[${o}] = ${f(`${c.inputs[0].value}[${a}]`, `${c.inputs[1].value}[${b}]`)};`),
    backward: (c) => {
      const [x, y] = c.inputs;
      if (x.grad === null && y.grad === null) return '';
      return loop(c, (o, a, b) => {
        const vars = `const a = ${x.value}[${a}], b = ${y.value}[${b}], g = ${c.out.grad}[${o}], y = ${c.out.value}[${o}];`;
        const toA = x.grad === null ? '' : `${x.grad}[${a}] += ${da('g', 'a', 'b', 'y')};`;
        const toB = y.grad === null ? '' : `${y.grad}[${b}] += ${db('g', 'a', 'b', 'y')};`;
        return `${vars} ${toA} ${toB}`;
      });
    },
  };
}

/** Σ over `attrs.axes` (the output may keep the reduced axes as 1 or drop them: same layout). */
const sum: CompiledOp = {
  forward: ({ out, inputs: [x], attrs }) => {
    if (out.size === 1) return `let s = 0; for (let i = 0; i < ${x.size}; i++) s += ${x.value}[i]; ${out.value}[0] = s;`;
    return `${out.value}.fill(0); ${nest(x.shape, [reducedStrides(x.shape, attrs.axes as number[]), stridesOf(x.shape)], ([o, a]) => `${out.value}[${o}] += ${x.value}[${a}];`)}`;
  },
  backward: ({ out, inputs: [x], attrs }) =>
    x.grad === null
      ? ''
      : nest(
          x.shape,
          [reducedStrides(x.shape, attrs.axes as number[]), stridesOf(x.shape)],
          ([o, a]) => `${x.grad}[${a}] += ${out.grad}[${o}];`,
        ),
};

/** Strides that map an index of `shape` to the index of its reduction over `axes` (0 along them). */
const reducedStrides = (shape: readonly number[], axes: readonly number[]): number[] =>
  broadcastStrides(reducedShape(shape, axes, true), shape);

/** `x ** p` for a number exponent `attrs.exponent`. */
const powScalar: CompiledOp = {
  unsupported: ({ attrs }) => (typeof attrs.exponent === 'number' ? null : 'only a number exponent is compiled'),
  forward: (c) =>
    unary(
      (a) => `Math.pow(${a}, ${literal(c.attrs.exponent as number)})`,
      () => '',
    ).forward(c),
  backward: (c) => {
    const p = c.attrs.exponent as number;
    return p === 0
      ? ''
      : unary(
          () => '',
          (g, a) => `${g} * ${literal(p)} * Math.pow(${a}, ${literal(p - 1)})`,
        ).backward(c);
  },
};

/**
 * Softmax, or log-softmax, along `attrs.axis`: the eager kernel's loops (shift each row by its
 * maximum, NaN propagates, a row of −∞ is shifted by 0), then y ⊙ (g − Σ g ⊙ y), or g − eʸ Σ g,
 * as the gradient.
 */
function softmaxOp(log: boolean): CompiledOp {
  // Loops over the rows of the axis; `at(j)` is the flat index of the row's j-th element.
  const rows = (x: CompiledSlot, axis: number, body: (at: (j: string) => string, n: number) => string): string => {
    // A 0-d input is one row of one element (as the eager op).
    const a = x.shape.length === 0 ? 0 : normalizeAxis(axis, x.shape.length, 'softmax');
    const n = x.shape.length === 0 ? 1 : x.shape[a];
    const [outer, inner] = [sizeOf(x.shape.slice(0, a)), sizeOf(x.shape.slice(a + 1))];
    const at = (j: string) => (inner === 1 ? `b + ${j}` : `b + ${j} * ${inner}`);
    return `for (let o = 0; o < ${outer}; o++) for (let r = 0; r < ${inner}; r++) { const b = o * ${n * inner} + r; ${body(at, n)} }`;
  };
  return {
    unsupported: ({ inputs: [x] }) => (x.dtype === 'int32' ? 'only float inputs are compiled' : null),
    forward: ({ out, inputs: [x], attrs }) =>
      rows(x, attrs.axis as number, (at, n) => {
        const v = `${x.value}[${at('j')}]`;
        const max = `let m = -Infinity; for (let j = 0; j < ${n}; j++) { const v = ${v}; if (v > m || v !== v) m = v; } if (m === -Infinity) m = 0;`;
        const sum = `let s = 0; for (let j = 0; j < ${n}; j++) s += Math.exp(${v} - m);`;
        const write = log
          ? `const l = Math.log(s) + m; for (let j = 0; j < ${n}; j++) ${out.value}[${at('j')}] = ${v} - l;`
          : `for (let j = 0; j < ${n}; j++) ${out.value}[${at('j')}] = Math.exp(${v} - m) / s;`;
        return `${max} ${sum} ${write}`;
      }),
    backward: ({ out, inputs: [x], attrs }) =>
      x.grad === null
        ? ''
        : rows(x, attrs.axis as number, (at, n) => {
            const [g, y, dx] = [`${out.grad}[${at('j')}]`, `${out.value}[${at('j')}]`, `${x.grad}[${at('j')}]`];
            return log
              ? `let s = 0; for (let j = 0; j < ${n}; j++) s += ${g}; for (let j = 0; j < ${n}; j++) ${dx} += ${g} - Math.exp(${y}) * s;`
              : `let s = 0; for (let j = 0; j < ${n}; j++) s += ${g} * ${y}; for (let j = 0; j < ${n}; j++) ${dx} += ${y} * (${g} - s);`;
          }),
  };
}

/**
 * Functions the generated code may call by these names besides `Math`'s: the JS backend's own
 * scalar functions (given to every program as parameters, so compiled code computes what the
 * eager kernels do).
 */
export const helpers = {
  sigmoid: scalarSigmoid,
  erf: scalarErf,
  /** Throws the error the eager `take` throws for an index out of range (or not an integer). */
  badIndex: (op: string, value: number, position: number, axis: number, size: number): never => {
    throw new ArgumentError(`${op}: index ${value} at position ${position} is out of range for axis ${axis} of size ${size}`, {
      where: op,
      argument: 'indices',
    });
  },
} as const;

/** The built-in ops `compileBackward` can compile, by recorded name. */
/** The element-wise and reduction ops `compileBackward` can compile, by recorded name (see `builtins.ts`). */
export const arithmeticOps: Readonly<Record<string, CompiledOp>> = {
  add: binary(
    (a, b) => `${a} + ${b}`,
    (g) => g,
    (g) => g,
  ),
  sub: binary(
    (a, b) => `${a} - ${b}`,
    (g) => g,
    (g) => `-${g}`,
  ),
  mul: binary(
    (a, b) => `${a} * ${b}`,
    (g, _a, b) => `${g} * ${b}`,
    (g, a) => `${g} * ${a}`,
  ),
  div: binary(
    (a, b) => `${a} / ${b}`,
    (g, _a, b) => `${g} / ${b}`,
    (g, _a, b, y) => `-(${g} * ${y}) / ${b}`,
  ),
  neg: unary(
    (a) => `-${a}`,
    (g) => `-${g}`,
  ),
  exp: unary(
    (a) => `Math.exp(${a})`,
    (g, _a, y) => `${g} * ${y}`,
  ),
  log: unary(
    (a) => `Math.log(${a})`,
    (g, a) => `${g} / ${a}`,
  ),
  log1p: unary(
    (a) => `Math.log1p(${a})`,
    (g, a) => `${g} / (${a} + 1)`,
  ),
  expm1: unary(
    (a) => `Math.expm1(${a})`,
    (g, _a, y) => `${g} * (${y} + 1)`,
  ),
  sqrt: unary(
    (a) => `Math.sqrt(${a})`,
    (g, _a, y) => `${g} / (${y} * 2)`,
  ),
  square: unary(
    (a) => `${a} * ${a}`,
    (g, a) => `${g} * (${a} * 2)`,
  ),
  reciprocal: unary(
    (a) => `1 / ${a}`,
    (g, _a, y) => `-(${g} * (${y} * ${y}))`,
  ),
  abs: unary(
    (a) => `Math.abs(${a})`,
    (g, a) => `${g} * Math.sign(${a})`,
  ),
  sin: unary(
    (a) => `Math.sin(${a})`,
    (g, a) => `${g} * Math.cos(${a})`,
  ),
  cos: unary(
    (a) => `Math.cos(${a})`,
    (g, a) => `-(${g} * Math.sin(${a}))`,
  ),
  tanh: unary(
    (a) => `Math.tanh(${a})`,
    (g, _a, y) => `${g} * (1 - ${y} * ${y})`,
  ),
  erf: unary(
    (a) => `erf(${a})`,
    (g, a) => `${g} * (Math.exp(-(${a} * ${a})) * ${2 / Math.sqrt(Math.PI)})`,
  ),
  sigmoid: unary(
    (a) => `sigmoid(${a})`,
    (g, _a, y) => `${g} * (${y} * (1 - ${y}))`,
  ),
  relu: unary(
    (a) => `${a} > 0 ? ${a} : 0`,
    (g, a) => `${a} > 0 ? ${g} : 0`,
  ),
  pow: powScalar,
  // The larger (smaller) of a and b, NaN if a is NaN, as the kernels; the gradient goes to the
  // larger (smaller), split evenly on ties.
  maximum: binary(
    (a, b) => `(${a} > ${b} || ${a} !== ${a} ? ${a} : ${b})`,
    (g, a, b) => `${g} * (${a} > ${b} ? 1 : ${a} === ${b} ? 0.5 : 0)`,
    (g, a, b) => `${g} * (1 - (${a} > ${b} ? 1 : ${a} === ${b} ? 0.5 : 0))`,
  ),
  minimum: binary(
    (a, b) => `(${a} < ${b} || ${a} !== ${a} ? ${a} : ${b})`,
    (g, a, b) => `${g} * (${a} < ${b} ? 1 : ${a} === ${b} ? 0.5 : 0)`,
    (g, a, b) => `${g} * (1 - (${a} < ${b} ? 1 : ${a} === ${b} ? 0.5 : 0))`,
  ),
  // Limited to [min, max]; the gradient passes where min ≤ x ≤ max.
  clamp: {
    forward: ({ out, inputs: [x], attrs }) =>
      flat(
        out.size,
        (i) =>
          `${out.value}[${i}] = Math.min(Math.max(${x.value}[${i}], ${literal(attrs.min as number)}), ${literal(attrs.max as number)});`,
      ),
    backward: ({ out, inputs: [x], attrs }) =>
      x.grad === null
        ? ''
        : flat(
            out.size,
            (i) =>
              `const a = ${x.value}[${i}]; ${x.grad}[${i}] += ${out.grad}[${i}] * (a >= ${literal(attrs.min as number)} && a <= ${literal(attrs.max as number)} ? 1 : 0);`,
          ),
  },
  softmax: softmaxOp(false),
  logSoftmax: softmaxOp(true),
  sum,
  reshape: { alias: true, forward: () => '', backward: () => '' },
  // `detach()`: the same values, and no gradient back (its output requires none).
  detach: { alias: true, forward: () => '', backward: () => '' },
};

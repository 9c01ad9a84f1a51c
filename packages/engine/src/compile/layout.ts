import {
  broadcastStrides,
  resolveSlice,
  type SliceSpec,
  sizeOf,
  stridesOf,
  type WindowGeometry,
  type WindowOptions,
  windowGeometry,
} from '@backprop/tensor';
import { type CompiledOp, type CompiledSlot, type EmitContext, literal, nest } from './emit.js';

// Code generation for the ops that move values rather than compute them: sliding windows
// (im2col, col2im, max pooling), strided views (slices, permutations, broadcasting and its
// transpose), concatenation and index lookups. Each forward copies (or picks the maximum); each
// backward adds the gradient back where the value came from.

/** The window an op recorded (`attrs`: kernelSize, stride, padding, dilation) over an NCHW input of `shape`. */
const geometryOf = (shape: readonly number[], attrs: Readonly<Record<string, unknown>>): WindowGeometry =>
  windowGeometry(shape, attrs as unknown as WindowOptions, 'compileBackward');

/**
 * Every tap of every window, as unfold2d lays them out: `body` runs with `col`, the flat index in
 * the columns `[N, C·kH·kW, outH·outW]`, `img`, the flat index in the NCHW image, and `inside`,
 * whether the tap falls on the image (outside, `img` must not be read).
 */
function taps(g: WindowGeometry, body: string): string {
  const area = g.outH * g.outW;
  const [h, w] = [g.height, g.width];
  return [
    `for (let p = 0; p < ${g.batch * g.channels}; p++) for (let ki = 0; ki < ${g.kernelH}; ki++) for (let kj = 0; kj < ${g.kernelW}; kj++) {`,
    `const r = ((p * ${g.kernelH} + ki) * ${g.kernelW} + kj) * ${area};`,
    `for (let oy = 0; oy < ${g.outH}; oy++) { const iy = oy * ${g.strideH} + ki * ${g.dilationH} - ${g.padH};`,
    `for (let ox = 0; ox < ${g.outW}; ox++) { const ix = ox * ${g.strideW} + kj * ${g.dilationW} - ${g.padW};`,
    `const col = r + oy * ${g.outW} + ox, img = (p * ${h} + iy) * ${w} + ix, inside = iy >= 0 && iy < ${h} && ix >= 0 && ix < ${w};`,
    `${body} } } }`,
  ].join(' ');
}

/** im2col (`attrs.padValue` outside the image); its backward adds each column entry back to its pixel. */
export const unfold2d: CompiledOp = {
  forward: ({ out, inputs: [x], attrs }) =>
    taps(geometryOf(x.shape, attrs), `${out.value}[col] = inside ? ${x.value}[img] : ${literal((attrs.padValue as number) ?? 0)};`),
  backward: ({ out, inputs: [x], attrs }) =>
    x.grad === null ? '' : taps(geometryOf(x.shape, attrs), `if (inside) ${x.grad}[img] += ${out.grad}[col];`),
};

/** col2im, the adjoint of unfold2d: columns summed into the image; its backward is unfold2d of the gradient. */
export const fold2d: CompiledOp = {
  forward: ({ out, inputs: [columns], attrs }) =>
    `${out.value}.fill(0); ${taps(geometryOf(out.shape, attrs), `if (inside) ${out.value}[img] += ${columns.value}[col];`)}`,
  backward: ({ out, inputs: [columns], attrs }) =>
    columns.grad === null ? '' : taps(geometryOf(out.shape, attrs), `if (inside) ${columns.grad}[col] += ${out.grad}[img];`),
};

/**
 * Each window's maximum, found as the JS backend finds it (padding is −∞; the first maximum on
 * ties, the first NaN over any number); the backward finds it again and adds the gradient there.
 */
function maxPoolScan(x: CompiledSlot, g: WindowGeometry, body: string): string {
  const [h, w] = [g.height, g.width];
  return [
    `for (let p = 0; p < ${g.batch * g.channels}; p++) for (let oy = 0; oy < ${g.outH}; oy++) for (let ox = 0; ox < ${g.outW}; ox++) {`,
    `const o = (p * ${g.outH} + oy) * ${g.outW} + ox; let best = -Infinity, at = -1;`,
    `for (let ki = 0; ki < ${g.kernelH}; ki++) { const iy = oy * ${g.strideH} + ki * ${g.dilationH} - ${g.padH}; if (iy < 0 || iy >= ${h}) continue;`,
    `for (let kj = 0; kj < ${g.kernelW}; kj++) { const ix = ox * ${g.strideW} + kj * ${g.dilationW} - ${g.padW}; if (ix < 0 || ix >= ${w}) continue;`,
    `const q = (p * ${h} + iy) * ${w} + ix, v = ${x.value}[q];`,
    'if (v > best || (at < 0 && v === best) || (v !== v && best === best)) { best = v; at = q; } } }',
    `${body} }`,
  ].join(' ');
}

export const maxPool2d: CompiledOp = {
  forward: ({ out, inputs: [x], attrs }) => maxPoolScan(x, geometryOf(x.shape, attrs), `${out.value}[o] = best;`),
  backward: ({ out, inputs: [x], attrs }) =>
    x.grad === null ? '' : maxPoolScan(x, geometryOf(x.shape, attrs), `if (at >= 0) ${x.grad}[at] += ${out.grad}[o];`),
};

/**
 * An op whose output reads its input through fixed strides (`view`: the strides of each output
 * axis in the input, an offset, and the output's shape with any picked axis as 1): its forward
 * copies, its backward adds each gradient back where the value came from.
 */
function strided(view: (context: EmitContext) => { strides: readonly number[]; offset: number; shape: readonly number[] }): CompiledOp {
  const loop = (c: EmitContext, body: (o: string, a: string) => string) => {
    const v = view(c);
    return nest(v.shape, [stridesOf(v.shape), v.strides], ([o, a]) => body(o, `${v.offset} + ${a}`));
  };
  return {
    forward: (c) => loop(c, (o, a) => `${c.out.value}[${o}] = ${c.inputs[0].value}[${a}];`),
    backward: (c) => (c.inputs[0].grad === null ? '' : loop(c, (o, a) => `${c.inputs[0].grad}[${a}] += ${c.out.grad}[${o}];`)),
  };
}

/** Python-style slicing (`attrs.specs`; an index drops its axis). */
export const slice = strided(({ inputs: [x], attrs }) => {
  const view = resolveSlice(x.shape, attrs.specs as SliceSpec[]);
  return { strides: view.strides, offset: view.offset, shape: view.shape };
});

/** Axes reordered (`attrs.order`): output axis d is input axis order[d]. */
export const permute = strided(({ inputs: [x], attrs }) => {
  const source = stridesOf(x.shape);
  return { strides: (attrs.order as number[]).map((d) => source[d]), offset: 0, shape: (attrs.order as number[]).map((d) => x.shape[d]) };
});

/** The input repeated along broadcast axes; the backward sums over them. */
export const broadcastTo = strided(({ out, inputs: [x] }) => ({
  strides: broadcastStrides(x.shape, out.shape),
  offset: 0,
  shape: out.shape,
}));

/** The input summed down to the output's shape (the transpose of broadcasting). */
export const sumTo: CompiledOp = {
  forward: ({ out, inputs: [x] }) =>
    `${out.value}.fill(0); ${nest(x.shape, [broadcastStrides(out.shape, x.shape), stridesOf(x.shape)], ([o, a]) => `${out.value}[${o}] += ${x.value}[${a}];`)}`,
  backward: ({ out, inputs: [x] }) =>
    x.grad === null
      ? ''
      : nest(x.shape, [broadcastStrides(out.shape, x.shape), stridesOf(x.shape)], ([o, a]) => `${x.grad}[${a}] += ${out.grad}[${o}];`),
};

/** Inputs joined along `attrs.axis`: each is copied to its place; each gradient is its part. */
export const concat: CompiledOp = {
  forward: ({ out, inputs, attrs }) =>
    concatParts(out, inputs, attrs.axis as number, (part, o, a) => `${out.value}[${o}] = ${part.value}[${a}];`),
  backward: ({ out, inputs, attrs }) =>
    concatParts(out, inputs, attrs.axis as number, (part, o, a) => (part.grad === null ? '' : `${part.grad}[${a}] += ${out.grad}[${o}];`)),
};

function concatParts(
  out: CompiledSlot,
  inputs: readonly CompiledSlot[],
  axis: number,
  body: (part: CompiledSlot, o: string, a: string) => string,
): string {
  const outStrides = stridesOf(out.shape);
  let start = 0;
  const code: string[] = [];
  for (const part of inputs) {
    const offset = start * outStrides[axis];
    start += part.shape[axis];
    if (body(part, '0', '0') === '') continue;
    code.push(`{ ${nest(part.shape, [stridesOf(part.shape), outStrides], ([a, o]) => body(part, `${offset} + ${o}`, a))} }`);
  }
  return code.join(' ');
}

/**
 * Entries picked along `attrs.axis` by the indices (the second input, read on every call and
 * checked as the eager op checks them; negative ones count from the end); the backward adds the
 * gradient back at them (repeated indices accumulate).
 */
export const take: CompiledOp = {
  forward: ({ out, inputs: [x, indices], attrs }) => {
    const axis = attrs.axis as number;
    const [outer, n, inner] = [sizeOf(x.shape.slice(0, axis)), x.shape[axis], sizeOf(x.shape.slice(axis + 1))];
    const check = `for (let i = 0; i < ${indices.size}; i++) { const v = ${indices.value}[i]; if (!(Number.isInteger(v) && v >= ${-n} && v < ${n})) badIndex('take', v, i, ${axis}, ${n}); }`;
    return `${check} ${pick(outer, n, inner, indices, `${out.value}[o] = ${x.value}[s];`)}`;
  },
  backward: ({ out, inputs: [x, indices], attrs }) => {
    if (x.grad === null) return '';
    const axis = attrs.axis as number;
    return pick(sizeOf(x.shape.slice(0, axis)), x.shape[axis], sizeOf(x.shape.slice(axis + 1)), indices, `${x.grad}[s] += ${out.grad}[o];`);
  },
};

/** `body` for every picked entry: `o` its flat index in the output, `s` in the source. */
function pick(outer: number, n: number, inner: number, indices: CompiledSlot, body: string): string {
  const m = indices.size;
  return `for (let a = 0; a < ${outer}; a++) for (let i = 0; i < ${m}; i++) { const v = ${indices.value}[i], j = v < 0 ? v + ${n} : v; for (let r = 0; r < ${inner}; r++) { const o = (a * ${m} + i) * ${inner} + r, s = (a * ${n} + j) * ${inner} + r; ${body} } }`;
}

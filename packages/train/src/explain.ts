import { fromArray, NDArray, type Tensor } from '@backprop/engine';
import { activationFunction, Dense, type Module, Sequential } from '@backprop/layers';
import { formatShape } from '@backprop/tensor';
import { badOption } from './errors.js';
import { type LossFunction, resolveLoss } from './loss-names.js';

/** One layer of a traced network: a Dense layer followed by an activation (by name). */
export interface TracedLayer {
  /** `[in, out]`: row = input unit, column = output unit. */
  weight: number[][];
  bias: number[];
  /** Activation name (`'sigmoid'`, as `activation()` of @backprop/layers accepts) or layer type for display. */
  activation: string;
  /** The activation itself, when it carries options (e.g. a LeakyReLU's slope); default: by name. */
  apply?: (z: Tensor) => Tensor;
}

/** Every quantity of one forward and backward pass and one SGD step, in float64. Layer `l` is 1-based in names (`z1` = first layer). */
export interface BackpropTrace {
  input: number[];
  target: number[];
  learningRate: number;
  layers: TracedLayer[];
  /** Per layer: weighted inputs z = a_prev·W + b, and activations a = f(z). */
  z: number[][];
  a: number[][];
  loss: number;
  /** ∂L/∂a of the output layer (the output error). */
  outputError: number[];
  /** Per layer: ∂L/∂a, the error arriving at each unit's output. */
  dA: number[][];
  /** Per layer: error signal δ = ∂L/∂z. */
  delta: number[][];
  /** Per layer: ∂L/∂W (= a_prevᵀ·δ) and ∂L/∂b (= δ). */
  dW: number[][][];
  db: number[][];
  /** Per layer: values after one SGD step θ − lr·∂L/∂θ. */
  newW: number[][][];
  newB: number[][];
  /** Output and loss of the updated network on the same input. */
  newPrediction: number[];
  newLoss: number;
}

const activationTypes = new Set([
  'Sigmoid',
  'Tanh',
  'ReLU',
  'LeakyReLU',
  'ELU',
  'SELU',
  'GELU',
  'Softplus',
  'SiLU',
  'Softmax',
  'LogSoftmax',
  'Identity',
]);

/** Reads a `Sequential` of `Dense` layers, each optionally followed by an activation layer, as traced layers. */
export function tracedLayers(model: Module): TracedLayer[] {
  if (typeof model?.forward !== 'function' || typeof model.getConfig !== 'function')
    throw badOption('explain', 'model', 'model must be a Module');
  const children = model instanceof Sequential ? model.layers : [model];
  const layers: TracedLayer[] = [];
  for (const child of children) {
    if (child instanceof Dense) {
      const w = child.weight.value;
      layers.push({
        weight: Array.from({ length: child.inFeatures }, (_, i) =>
          Array.from({ length: child.outFeatures }, (_, j) => w.data[i * child.outFeatures + j]),
        ),
        bias: child.bias ? [...child.bias.value.data] : new Array(child.outFeatures).fill(0),
        activation: 'identity',
      });
      continue;
    }
    const type = child.typeName;
    const last = layers[layers.length - 1];
    if (!activationTypes.has(type) || !last || last.apply) {
      throw badOption(
        'explain',
        'model',
        `can trace only Dense layers each followed by at most one activation; found ${type} at '${child.path}'`,
      );
    }
    last.activation = type;
    last.apply = (z) => child.forward(z);
  }
  if (layers.length === 0) throw badOption('explain', 'model', 'the model has no Dense layer to trace');
  return layers;
}

const asTensor = (rows: number[][]) => fromArray(new NDArray(Float64Array.from(rows.flat()), [rows.length, rows[0]?.length ?? 0]));
const vector = (values: number[]) => fromArray(new NDArray(Float64Array.from(values), [1, values.length]));

function forward(layers: TracedLayer[], params: Tensor[], x: Tensor, keep?: { z: Tensor[]; a: Tensor[] }): Tensor {
  let a = x;
  layers.forEach((layer, l) => {
    const z = a.matmul(params[2 * l]).add(params[2 * l + 1]);
    a = (layer.apply ?? activationFunction(layer.activation))(z);
    if (keep) {
      z.retainGrad();
      a.retainGrad();
      keep.z.push(z);
      keep.a.push(a);
    }
  });
  return a;
}

/**
 * One forward pass, one backward pass and one SGD step, with every intermediate value, the way
 * textbooks teach backpropagation — computed by the engine in float64 (the δs are the engine's
 * gradients with respect to each z).
 * @example traceBackprop(layers, [1, 0], [1], { learningRate: 0.5, loss: 'halfSquaredError' })
 */
export function traceBackprop(
  layers: TracedLayer[],
  input: number[],
  target: number[],
  options: { learningRate?: number; loss?: string | LossFunction } = {},
): BackpropTrace {
  options ??= {};
  if (
    !Array.isArray(layers) ||
    layers.length === 0 ||
    layers.some(
      (l) =>
        typeof l !== 'object' ||
        l === null ||
        !Array.isArray(l.weight) ||
        !Array.isArray(l.bias) ||
        l.weight.some((row) => !Array.isArray(row)),
    )
  ) {
    throw badOption('explain', 'layers', 'layers must be a non-empty list of { weight: number[][], bias: number[], activation }');
  }
  const finite = (values: unknown[]) => values.length > 0 && values.every((v) => typeof v === 'number' && Number.isFinite(v));
  layers.forEach((layer, l) => {
    if (!layer.weight.every(finite) || !finite(layer.bias))
      throw badOption('explain', 'weights', `layer ${l + 1}: weight and bias must hold finite numbers (and at least one unit)`);
  });
  for (const [name, values] of [
    ['input', input],
    ['target', target],
  ] as const) {
    if (!Array.isArray(values) || !finite(values)) throw badOption('explain', name, `${name} must be a non-empty list of finite numbers`);
  }
  const lossFn = resolveLoss(options.loss ?? 'halfSquaredError');
  const learningRate = options.learningRate ?? 0.5;
  if (!(typeof learningRate === 'number' && learningRate > 0 && Number.isFinite(learningRate)))
    throw badOption('explain', 'learningRate', `the learning rate must be a positive number, got ${String(learningRate)}`);
  let width = input.length;
  layers.forEach((layer, l) => {
    if (layer.weight.length !== width || layer.weight.some((row) => row.length !== layer.bias.length)) {
      throw badOption(
        'explain',
        'weights',
        `layer ${l + 1}: weight must be [${width}, ${layer.bias.length}] (rows = inputs, columns = units), got ${formatShape([layer.weight.length, layer.weight[0]?.length ?? 0])}`,
      );
    }
    width = layer.bias.length;
  });
  if (target.length !== width)
    throw badOption('explain', 'target', `the network has ${width} outputs but the target has ${target.length} values`);
  const params = layers.flatMap((layer) => [asTensor(layer.weight).setRequiresGrad(), vector(layer.bias).setRequiresGrad()]);
  const x = vector(input);
  const y = vector(target);
  const keep = { z: [] as Tensor[], a: [] as Tensor[] };
  const output = forward(layers, params, x, keep);
  const loss = lossFn(output, y);
  loss.backward();
  const rows = (t: Tensor) => [...t.value.data];
  const matrix = (t: Tensor) =>
    Array.from({ length: t.shape[0] }, (_, i) => Array.from(t.value.data.subarray(i * t.shape[1], (i + 1) * t.shape[1])));
  const dW = layers.map((_, l) => matrix(params[2 * l].grad as Tensor));
  const db = layers.map((_, l) => rows(params[2 * l + 1].grad as Tensor));
  const newW = layers.map((layer, l) => layer.weight.map((row, i) => row.map((w, j) => w - learningRate * dW[l][i][j])));
  const newB = layers.map((layer, l) => layer.bias.map((b, j) => b - learningRate * db[l][j]));
  const updated = layers.flatMap((_, l) => [asTensor(newW[l]), vector(newB[l])]);
  const newOutput = forward(layers, updated, x);
  return {
    input,
    target,
    learningRate,
    layers,
    z: keep.z.map(rows),
    a: keep.a.map(rows),
    loss: loss.item(),
    outputError: rows(keep.a[keep.a.length - 1].grad as Tensor),
    dA: keep.a.map((a) => rows(a.grad as Tensor)),
    delta: keep.z.map((z) => rows(z.grad as Tensor)),
    dW,
    db,
    newW,
    newB,
    newPrediction: rows(newOutput),
    newLoss: lossFn(newOutput, y).item(),
  };
}

function checkTraceArg(trace: unknown, where: string): void {
  const t = trace as Partial<BackpropTrace> | null;
  if (typeof t !== 'object' || t === null || !Array.isArray(t.layers) || !Array.isArray(t.z) || !Array.isArray(t.delta))
    throw badOption(where, 'trace', 'trace must be what traceBackprop returns');
}

/** One named quantity of a trace, in the order a learner computes them. */
export interface TraceStep {
  /** Key in a check file, e.g. `z2`, `dW1`, `newLoss`. */
  key: string;
  /** What it is, e.g. `output pre-activation z2`. */
  label: string;
  value: number | number[] | number[][];
}

/** The trace as an ordered list of steps: forward (z, a per layer), loss, output error, δ from the top, gradients, updates, new prediction and loss. */
export function traceSteps(trace: BackpropTrace): TraceStep[] {
  checkTraceArg(trace, 'traceSteps');
  const L = trace.layers.length;
  const name = (l: number) => (l === L ? 'output' : L === 2 ? 'hidden' : `layer ${l}`);
  const steps: TraceStep[] = [];
  for (let l = 1; l <= L; l++) {
    steps.push({ key: `z${l}`, label: `${name(l)} pre-activation z${l}`, value: trace.z[l - 1] });
    steps.push({ key: `a${l}`, label: `${name(l)} activation a${l}`, value: trace.a[l - 1] });
  }
  steps.push({ key: 'loss', label: 'loss', value: trace.loss });
  steps.push({ key: 'outputError', label: 'output error ∂L/∂a', value: trace.outputError });
  for (let l = L; l >= 1; l--)
    steps.push({ key: `delta${l}`, label: `${name(l)} error signal δ${l} = ∂L/∂z${l}`, value: trace.delta[l - 1] });
  for (let l = L; l >= 1; l--) {
    steps.push({ key: `dW${l}`, label: `${name(l)} weight gradients ∂L/∂W${l}`, value: trace.dW[l - 1] });
    steps.push({ key: `db${l}`, label: `${name(l)} bias gradients ∂L/∂b${l}`, value: trace.db[l - 1] });
  }
  for (let l = 1; l <= L; l++) {
    steps.push({ key: `newW${l}`, label: `updated weights W${l}`, value: trace.newW[l - 1] });
    steps.push({ key: `newB${l}`, label: `updated biases b${l}`, value: trace.newB[l - 1] });
  }
  steps.push({ key: 'newPrediction', label: 'new prediction', value: trace.newPrediction });
  steps.push({ key: 'newLoss', label: 'new loss', value: trace.newLoss });
  return steps;
}

/** The first place where a learner's values differ from the correct ones. */
export interface TraceDifference {
  key: string;
  label: string;
  /** Index inside the quantity, e.g. `[0]` or `[1, 0]` (empty for a scalar). */
  index: number[];
  given: number;
  correct: number;
}

/**
 * Compares hand-computed values (any subset of the trace's keys; arrays may hold `null` to skip
 * an element) with the correct ones, in the order of {@link traceSteps}, and returns the first
 * that differs by more than `tolerance` (default 5e-5: values given to 4 decimals).
 * @example checkTrace(trace, { z2: [1.1122] }) // { key: 'z2', given: 1.1122, correct: 1.1270… }
 */
export function checkTrace(
  trace: BackpropTrace,
  values: Record<string, unknown>,
  tolerance = 5e-5,
): { checked: number; difference: TraceDifference | undefined } {
  const steps = traceSteps(trace);
  const known = new Set(steps.map((s) => s.key));
  if (typeof values !== 'object' || values === null || Array.isArray(values))
    throw badOption('checkTrace', 'values', `the values must be an object of quantities by name, got ${JSON.stringify(values)}`);
  for (const key of Object.keys(values)) {
    if (!known.has(key)) throw badOption('checkTrace', key, `unknown quantity '${key}'; known: ${[...known].join(', ')}`);
  }
  let checked = 0;
  for (const step of steps) {
    if (!(step.key in values)) continue;
    const compare = (given: unknown, correct: number | number[] | number[][], index: number[]): TraceDifference | undefined => {
      if (given === null) return undefined;
      if (typeof correct === 'number') {
        if (typeof given !== 'number' || !Number.isFinite(given))
          throw badOption(
            'checkTrace',
            step.key,
            `${step.key}${index.length ? `[${index.join('][')}]` : ''} must be a number, got ${JSON.stringify(given)}`,
          );
        checked++;
        return Math.abs(given - correct) > tolerance ? { key: step.key, label: step.label, index, given, correct } : undefined;
      }
      const list = Array.isArray(given) ? given : correct.length === 1 && typeof given === 'number' ? [given] : undefined;
      if (!list || list.length !== correct.length)
        throw badOption('checkTrace', step.key, `${step.key} must have ${correct.length} entries, got ${JSON.stringify(given)}`);
      for (let i = 0; i < correct.length; i++) {
        const found = compare(list[i], correct[i], [...index, i]);
        if (found) return found;
      }
      return undefined;
    };
    const difference = compare(values[step.key], step.value, []);
    if (difference) return { checked, difference };
  }
  return { checked, difference: undefined };
}

const fmt = (v: number) => (Math.abs(v) < 5e-5 && v !== 0 ? v.toExponential(2) : v.toFixed(4));
const term = (v: number) => (v < 0 ? `(${fmt(v)})` : fmt(v));

/**
 * The trace as text, the way a textbook works backpropagation by hand: each weighted input with
 * its sum written out, each activation, the loss, the output error, each layer's δ, every
 * gradient, every updated value, and the new prediction and loss. Units are numbered from 1.
 * @example console.log(formatTrace(traceBackprop(layers, [1, 0], [1])))
 */
export function formatTrace(trace: BackpropTrace, lossName = 'loss'): string {
  checkTraceArg(trace, 'formatTrace');
  const L = trace.layers.length;
  const lines: string[] = [];
  const role = (l: number) => (l === L ? 'output layer' : `hidden layer ${l}`);
  const prev = (l: number) => (l === 1 ? trace.input : trace.a[l - 2]);
  const prevName = (l: number, i: number) => (l === 1 ? `x${i + 1}` : `a${l - 1}[${i + 1}]`);
  lines.push('FORWARD PASS');
  lines.push(`  input x = (${trace.input.map(fmt).join(', ')}), target y = (${trace.target.map(fmt).join(', ')})`);
  trace.layers.forEach((layer, k) => {
    const l = k + 1;
    lines.push(`  ${role(l)} (${layer.activation})`);
    layer.bias.forEach((b, j) => {
      const sum = prev(l)
        .map((v, i) => `${term(v)}·${term(layer.weight[i][j])}`)
        .join(' + ');
      lines.push(`    z${l}[${j + 1}] = ${sum} + ${term(b)} = ${fmt(trace.z[k][j])}`);
      lines.push(`    a${l}[${j + 1}] = ${layer.activation}(z${l}[${j + 1}]) = ${fmt(trace.a[k][j])}`);
    });
  });
  lines.push(`  ${lossName} L = ${fmt(trace.loss)}`);
  lines.push('BACKWARD PASS');
  lines.push(`  output error ∂L/∂a${L} = (${trace.outputError.map(fmt).join(', ')})`);
  for (let l = L; l >= 1; l--) {
    const k = l - 1;
    trace.delta[k].forEach((d, j) => {
      const upstream = trace.dA[k][j];
      const how =
        l === L ? `∂L/∂a${l}[${j + 1}]` : trace.delta[l].map((dn, n) => `${term(trace.layers[l].weight[j][n])}·${term(dn)}`).join(' + ');
      const slope = upstream !== 0 ? ` · f'(z${l}[${j + 1}]) = ${term(upstream)} · ${fmt(d / upstream)}` : '';
      lines.push(`    δ${l}[${j + 1}] = (${how})${slope} = ${fmt(d)}`);
    });
  }
  for (let l = L; l >= 1; l--) {
    const k = l - 1;
    trace.dW[k].forEach((row, i) =>
      row.forEach((g, j) =>
        lines.push(
          `    ∂L/∂W${l}[${i + 1}][${j + 1}] = ${prevName(l, i)}·δ${l}[${j + 1}] = ${term(prev(l)[i])}·${term(trace.delta[k][j])} = ${fmt(g)}`,
        ),
      ),
    );
    trace.db[k].forEach((g, j) => lines.push(`    ∂L/∂b${l}[${j + 1}] = δ${l}[${j + 1}] = ${fmt(g)}`));
  }
  lines.push(`SGD STEP (learning rate ${trace.learningRate})`);
  trace.layers.forEach((layer, k) => {
    const l = k + 1;
    layer.weight.forEach((row, i) =>
      row.forEach((w, j) =>
        lines.push(
          `    W${l}[${i + 1}][${j + 1}] ← ${fmt(w)} − ${trace.learningRate}·${term(trace.dW[k][i][j])} = ${fmt(trace.newW[k][i][j])}`,
        ),
      ),
    );
    layer.bias.forEach((b, j) =>
      lines.push(`    b${l}[${j + 1}] ← ${fmt(b)} − ${trace.learningRate}·${term(trace.db[k][j])} = ${fmt(trace.newB[k][j])}`),
    );
  });
  lines.push('AFTER THE STEP');
  lines.push(`  new prediction (${trace.newPrediction.map(fmt).join(', ')}), ${lossName} ${fmt(trace.newLoss)} (was ${fmt(trace.loss)})`);
  return lines.join('\n');
}

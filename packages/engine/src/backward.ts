import { allocate, checkOptionKeys, formatShape, optionKeys, sameShape, wrapChecked } from '@backprop/tensor';
import { AnomalyError, GraphError } from './errors.js';
import { isAnomalyEnabled, setGradEnabled } from './mode.js';
import type { Backward } from './node.js';
import { add } from './ops/arithmetic.js';
import { describeBad, setBackwardContext } from './record.js';
import { isTensor, Tensor } from './tensor.js';

/** Options of a backward pass. */
export interface BackwardOptions {
  /** Keep the graph so that backward can run through it again (default false: it is freed). */
  retainGraph?: boolean;
  /** Record the backward pass itself, so gradients can be differentiated again (implies `retainGraph`). */
  createGraph?: boolean;
}

let passes = 0;
let depth = 0;

/**
 * Every tensor reachable from `root` through recorded ops, inputs before the tensors made from
 * them. Visited tensors are marked with the pass number instead of being kept in a set.
 */
function topologicalOrder(root: Tensor, pass: number): Tensor[] {
  const order: Tensor[] = [];
  const stack: Tensor[] = [root];
  const next: number[] = [0];
  root.visitedBy = pass;
  while (stack.length > 0) {
    const top = stack.length - 1;
    const t = stack[top];
    const inputs = t.node?.inputs;
    const k = next[top];
    if (inputs !== undefined && k < inputs.length) {
      next[top] = k + 1;
      const input = inputs[k];
      if (input.requiresGrad && input.visitedBy !== pass) {
        input.visitedBy = pass;
        stack.push(input);
        next.push(0);
      }
    } else {
      stack.pop();
      next.pop();
      order.push(t);
    }
  }
  return order;
}

/**
 * The shared core of `backward()` and the functional API: propagates `seed` from `root`.
 * With `targets`, gradients are returned for those tensors and no `.grad` is touched;
 * otherwise they are accumulated into the `.grad` of leaves.
 */
export function propagate(
  root: Tensor,
  seed: Tensor | undefined,
  options: BackwardOptions | undefined,
  targets?: readonly Tensor[],
): (Tensor | null)[] {
  const gradient = seedOf(root, seed);
  const createGraph = options?.createGraph === true;
  const retain = createGraph || options?.retainGraph === true;
  const pass = ++passes;
  const order = topologicalOrder(root, pass);
  // Pending gradients live on the tensors themselves (no map lookups). A backward pass started
  // from inside another one (a hook or a custom backward calling grad()) sets aside the outer
  // pass's pending gradients of the tensors it walks and gives them back when it ends.
  const outer = depth > 0 ? setAside(order) : null;
  root.pendingGrad = gradient;
  // With targets: their gradients, collected here instead of in `.grad`.
  const found = targets ? new Map<Tensor, Tensor | null>(targets.map((t) => [t, null])) : null;
  const anomaly = isAnomalyEnabled();
  const previous = setGradEnabled(createGraph);
  depth++;
  try {
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i];
      let g = t.pendingGrad;
      if (g === undefined) continue;
      t.pendingGrad = undefined;
      g = t.applyHooks(g);
      if (found?.has(t)) found.set(t, g);
      const node = t.node;
      if (node === null) {
        if (!found) t.grad = t.grad === null ? g : add(t.grad, g);
        continue;
      }
      if (t.retainsGrad && !found) t.grad = g;
      const vjp = node.backward;
      if (vjp === null) throw freedGraph(node.op);
      // Anomaly mode names the op whose backward is running (its checks run in record()).
      const inputGrads = anomaly ? withBackwardContext(node.op, vjp, g, t) : vjp(g, t);
      if (!retain) node.backward = null;
      const inputs = node.inputs;
      for (let k = 0; k < inputs.length; k++) {
        const input = inputs[k];
        const ig = inputGrads[k];
        if (ig === null || ig === undefined || !input.requiresGrad) continue;
        if (anomaly) checkBackward(node.op, k, ig, node.stack);
        const prior = input.pendingGrad;
        input.pendingGrad = prior === undefined ? ig : add(prior, ig);
      }
    }
  } finally {
    depth--;
    setGradEnabled(previous);
    // After an error, leave no pending gradient of this pass behind on the tensors; give an outer
    // pass its own back.
    for (let i = 0; i < order.length; i++) order[i].pendingGrad = outer === null ? undefined : outer[i];
  }
  // Mapped over targets, not the map's values: a tensor may be asked for twice.
  return targets && found ? targets.map((t) => found.get(t) ?? null) : [];
}

/** The gradient a pass starts from: `seed`, checked against `root`, or 1 for a one-element root. */
function seedOf(root: Tensor, seed: Tensor | undefined): Tensor {
  if (!root.requiresGrad) {
    throw new GraphError(
      'backward: this tensor does not require a gradient: no input of the ops that made it has requiresGrad (or it was computed inside noGrad)',
      { where: 'backward' },
    );
  }
  if (seed === undefined || seed === null) {
    if (root.size !== 1) {
      throw new GraphError(
        `backward: a gradient seed is needed for a non-scalar output of shape ${formatShape(root.shape)}; pass backward(seed) with a tensor of that shape, or reduce to a scalar first`,
        { where: 'backward' },
      );
    }
    const one = allocate(root.dtype, 1);
    one[0] = 1;
    return new Tensor(wrapChecked(one, root.shape));
  }
  if (!isTensor(seed)) {
    throw new GraphError(`backward: the seed must be a Tensor of the output's shape ${formatShape(root.shape)}`, { where: 'backward' });
  }
  if (!sameShape(seed.shape, root.shape)) {
    throw new GraphError(`backward: the seed has shape ${formatShape(seed.shape)} but the output has ${formatShape(root.shape)}`, {
      where: 'backward',
    });
  }
  return seed;
}

/** Takes the pending gradients of `order`'s tensors off them (an outer pass's), to give back later. */
function setAside(order: readonly Tensor[]): (Tensor | undefined)[] {
  const kept: (Tensor | undefined)[] = [];
  for (let i = 0; i < order.length; i++) {
    kept.push(order[i].pendingGrad);
    order[i].pendingGrad = undefined;
  }
  return kept;
}

function freedGraph(op: string): GraphError {
  return new GraphError(
    `backward: trying to go back through '${op}' a second time, but its graph was freed by the first backward; pass { retainGraph: true } to the first call`,
    { where: op },
  );
}

function withBackwardContext(op: string, vjp: Backward, g: Tensor, t: Tensor): readonly (Tensor | null | undefined)[] {
  const outer = setBackwardContext(op);
  try {
    return vjp(g, t);
  } finally {
    setBackwardContext(outer);
  }
}

function checkBackward(op: string, index: number, grad: Tensor, stack: string | undefined): void {
  const data = grad.value.data;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      const where = stack ? `\nthe forward call was:\n${stack}` : '';
      throw new AnomalyError(
        `anomaly: the backward of '${op}' produced ${describeBad(grad.value)} in the gradient of input #${index} (shape ${formatShape(grad.shape)})${where}`,
        { op, pass: 'backward' },
      );
    }
  }
}

/**
 * The VJP of a fused op as the VJP of its composition, itself recorded (for higher derivatives):
 * runs `composed` (the op as recorded ops) again and propagates `dy` through it to `inputs`;
 * `null` for inputs that do not require a gradient.
 */
export function composedVjp(composed: () => Tensor, inputs: readonly Tensor[], dy: Tensor): (Tensor | null)[] {
  const targets = inputs.filter((t) => t.requiresGrad);
  const found = propagate(composed(), dy, { createGraph: true }, targets);
  return inputs.map((t) => (t.requiresGrad ? (found[targets.indexOf(t)] ?? null) : null));
}

const backwardKeys = optionKeys({ retainGraph: true, createGraph: true } satisfies Record<keyof BackwardOptions, true>);

/** Runs a backward pass from `root`, accumulating into leaves' `.grad`. */
export function backward(root: Tensor, seed: Tensor | undefined, options: BackwardOptions | undefined): void {
  if (options !== undefined) checkOptionKeys(options, backwardKeys, 'backward');
  propagate(root, seed, options);
}

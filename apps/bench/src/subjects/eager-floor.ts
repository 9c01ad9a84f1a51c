import { lcg, type Measurement, type Subject, xorEpochs, xorResult } from './types.js';

// W3 on the least an eager, define-by-run autograd engine has to do: every op allocates its
// output, records its inputs and a backward closure, and `backward` walks the graph in reverse
// topological order. No shape checks, no broadcasting, no dtypes, no hooks — only the three ops
// W3 needs. It is not a product: it measures how close *any* eager engine can get to the scalar
// loop on this machine, to put the eager row of the table in proportion.

interface Node {
  inputs: Var[];
  backward: (grad: Float32Array) => (Float32Array | null)[];
}

class Var {
  grad: Float32Array | null = null;
  /** The gradient collected during a backward pass (intermediates), and that pass's number. */
  pending: Float32Array | null = null;
  visited = 0;
  constructor(
    readonly data: Float32Array,
    readonly rows: number,
    readonly cols: number,
    readonly node: Node | null,
    readonly requiresGrad = node !== null,
  ) {}
}

/** x·W + b for x [m, k], W [k, n], b [n]. */
function linear(x: Var, w: Var, b: Var): Var {
  const [m, k, n] = [x.rows, x.cols, w.cols];
  const out = new Float32Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = b.data[j];
      for (let p = 0; p < k; p++) s += x.data[i * k + p] * w.data[p * n + j];
      out[i * n + j] = s;
    }
  return new Var(out, m, n, {
    inputs: [x, w, b],
    backward: (g) => {
      const dx = x.requiresGrad ? new Float32Array(m * k) : null;
      const dw = new Float32Array(k * n);
      const db = new Float32Array(n);
      for (let i = 0; i < m; i++)
        for (let j = 0; j < n; j++) {
          const d = g[i * n + j];
          db[j] += d;
          for (let p = 0; p < k; p++) {
            if (dx !== null) dx[i * k + p] += d * w.data[p * n + j];
            dw[p * n + j] += x.data[i * k + p] * d;
          }
        }
      return [dx, dw, db];
    },
  });
}

function sigmoid(x: Var): Var {
  const out = x.data.map((v) => 1 / (1 + Math.exp(-v)));
  return new Var(out, x.rows, x.cols, { inputs: [x], backward: (g) => [g.map((d, i) => d * out[i] * (1 - out[i]))] });
}

/** ½ mean (ŷ − y)². */
function halfSquaredError(p: Var, y: Var): Var {
  const n = p.data.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += (p.data[i] - y.data[i]) ** 2;
  return new Var(Float32Array.of((0.5 * s) / n), 1, 1, {
    inputs: [p, y],
    backward: (g) => [p.data.map((v, i) => ((v - y.data[i]) * g[0]) / n), null],
  });
}

let passes = 0;
function backward(loss: Var): void {
  const pass = ++passes;
  const order: Var[] = [];
  const visit = (v: Var) => {
    if (v.node === null || v.visited === pass) return;
    v.visited = pass;
    for (const input of v.node.inputs) visit(input);
    order.push(v);
  };
  visit(loss);
  loss.pending = Float32Array.of(1);
  for (let i = order.length - 1; i >= 0; i--) {
    const v = order[i];
    const node = v.node as Node;
    const grads = node.backward(v.pending as Float32Array);
    v.pending = null;
    node.inputs.forEach((input, k) => {
      const g = grads[k];
      if (g === null || !input.requiresGrad) return;
      const target = input.node === null ? input.grad : input.pending;
      if (target === null) {
        if (input.node === null) input.grad = g;
        else input.pending = g;
      } else for (let j = 0; j < g.length; j++) target[j] += g[j];
    });
  }
}

export const eagerFloor: Subject = {
  w3(epochs = xorEpochs): Measurement {
    // The scalar loop's initial weights, so both train the same network.
    const rand = lcg(12345);
    const param = (rows: number, cols: number, init: () => number) =>
      new Var(Float32Array.from({ length: rows * cols }, init), rows, cols, null, true);
    const params = [param(2, 4, rand), param(1, 4, () => 0), param(4, 1, rand), param(1, 1, () => 0)];
    const [w1, b1, w2, b2] = params;
    const x = new Var(Float32Array.of(0, 0, 0, 1, 1, 0, 1, 1), 4, 2, null);
    const y = new Var(Float32Array.of(0, 1, 1, 0), 4, 1, null);
    const start = performance.now();
    for (let epoch = 0; epoch < epochs; epoch++) {
      for (const p of params) p.grad = null;
      backward(halfSquaredError(sigmoid(linear(sigmoid(linear(x, w1, b1)), w2, b2)), y));
      for (const p of params) {
        const g = p.grad as Float32Array;
        for (let i = 0; i < g.length; i++) p.data[i] -= 0.5 * g[i];
      }
    }
    const ms = performance.now() - start;
    return xorResult(ms, sigmoid(linear(sigmoid(linear(x, w1, b1)), w2, b2)).data);
  },
};

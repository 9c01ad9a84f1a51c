import { describe, expect, it } from 'vitest';
import type { Tensor } from './index.js';
import {
  compileBackward,
  customOp,
  enableGrad,
  GraphError,
  gradients,
  isGradEnabled,
  noGrad,
  noGradScope,
  randn,
  tensor,
} from './index.js';

describe('backward', () => {
  it('accumulates when a value is used several times', () => {
    const x = tensor([3], { dtype: 'float64', requiresGrad: true });
    // f = x·x + x  ⇒  f' = 2x + 1 = 7
    x.mul(x).add(x).sum().backward();
    expect(x.grad?.item()).toBe(7);
    // a second, separate backward accumulates into .grad, as in PyTorch
    x.mul(2).sum().backward();
    expect(x.grad?.item()).toBe(9);
  });

  it('handles diamonds: shared intermediate results', () => {
    const x = tensor([2], { dtype: 'float64', requiresGrad: true });
    const h = x.square(); // h = x²
    const y = h.mul(h).add(h.mul(3)); // y = h² + 3h ⇒ dy/dx = (2h + 3)·2x = (8 + 3)·4 = 44
    y.sum().backward();
    expect(x.grad?.item()).toBe(44);
  });

  it('frees the graph: a second backward needs retainGraph and says so', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const loss = x.sigmoid().sum();
    loss.backward();
    expect(() => loss.backward()).toThrow(GraphError);
    expect(() => loss.backward()).toThrow(/second time.*retainGraph: true/);
    x.grad = null as Tensor | null;
    const y = x.sigmoid().sum();
    y.backward(undefined, { retainGraph: true });
    const first = [...(x.grad?.data ?? [])];
    y.backward();
    [...(x.grad?.data ?? [])].forEach((v, i) => expect(v).toBeCloseTo(2 * first[i], 6));
  });

  it('asks for a seed for non-scalar outputs and checks its shape', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    expect(() => x.mul(2).backward()).toThrow('backward: a gradient seed is needed for a non-scalar output of shape [2]');
    expect(() => x.mul(2).backward(tensor([1, 1, 1]))).toThrow('the seed has shape [3] but the output has [2]');
    x.mul(2).backward(tensor([1, 10]));
    expect([...(x.grad?.data ?? [])]).toEqual([2, 20]);
  });

  it('refuses backward from a tensor that does not require a gradient', () => {
    expect(() => tensor([1]).mul(2).sum().backward()).toThrow(GraphError);
  });

  it('only float tensors may require gradients', () => {
    expect(() => tensor([1], { dtype: 'int32', requiresGrad: true })).toThrow('only float32 and float64 tensors can require gradients');
  });

  it('noGrad, noGradScope and enableGrad control recording', () => {
    const w = randn([3], { requiresGrad: true });
    expect(noGrad(() => w.mul(2)).requiresGrad).toBe(false);
    expect(noGrad(() => enableGrad(() => w.mul(2))).requiresGrad).toBe(true);
    const scope = noGradScope();
    expect(isGradEnabled()).toBe(false);
    expect(w.mul(2).node).toBeNull();
    scope.restore();
    expect(isGradEnabled()).toBe(true);
    {
      using _scope = noGradScope();
      expect(isGradEnabled()).toBe(false);
    }
    expect(isGradEnabled()).toBe(true);
  });

  it('hooks see and may replace gradients; retainGrad keeps a non-leaf gradient', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const seen: number[][] = [];
    const h = x.mul(2).retainGrad();
    h.registerHook((g) => {
      seen.push([...g.data]);
    });
    const remove = x.registerHook((g) => g.clamp(0, 1));
    h.mul(h).sum().backward(); // d/dh = 2h = [4, 8, 12], d/dx = 2·2h = [8, 16, 24] → clamped to 1
    expect(seen).toEqual([[4, 8, 12]]);
    expect([...(h.grad?.data ?? [])]).toEqual([4, 8, 12]);
    expect([...(x.grad?.data ?? [])]).toEqual([1, 1, 1]);
    remove();
    x.grad = null as Tensor | null;
    x.mul(3).sum().backward();
    expect([...(x.grad?.data ?? [])]).toEqual([3, 3, 3]);
  });

  it('a hook that returns something other than a gradient of the same shape is refused, on leaves and inside the graph, compiled too', () => {
    const message = (got: string) =>
      `backward: gradient hook #1 of a tensor of shape [3] returned ${got}; a hook returns nothing (keeping the gradient) or a tensor of the gradient's shape`;
    for (const [bad, got] of [
      [(g: Tensor) => g.sum(), 'a tensor of shape []'],
      [() => 5, 'number 5'],
      [() => [1, 2, 3], 'object 1,2,3'],
    ] as const) {
      const w = tensor([1, 2, 3], { requiresGrad: true });
      w.registerHook(() => undefined);
      w.registerHook(bad as never);
      expect(() => w.mul(2).sum().backward()).toThrow(message(got));
      expect(w.grad).toBeNull();
      const h = w.mul(2);
      h.registerHook(() => undefined);
      h.registerHook(bad as never);
      expect(() => h.sum().backward()).toThrow(message(got));
      expect(() => compileBackward(() => w.mul(2).sum())()).toThrow(message(got));
    }
  });

  it("a backward pass started inside another leaves the outer pass's pending gradients alone", () => {
    const x = tensor([1, 2, 3], { dtype: 'float64', requiresGrad: true });
    const h = x.mul(x);
    let inner: number[] = [];
    // An op whose backward runs a second pass through h (6x) while the outer pass has a gradient
    // for h waiting — from sum(h), whose backward runs first (it comes last in the sum below).
    const probe = customOp({
      name: 'probe',
      forward: ([a]) => a.mul(1),
      backward: (_inputs, dy) => {
        const [g] = enableGrad(() => gradients(h.mul(3).sum(), [x], { retainGraph: true }));
        inner = [...g.data];
        return [dy];
      },
    });
    probe(h).sum().add(h.sum()).backward();
    expect(inner).toEqual([6, 12, 18]);
    // d/dx (Σ x² + Σ x²) = 4x: the outer pass kept h's waiting gradient.
    expect([...(x.grad?.data ?? [])]).toEqual([4, 8, 12]);
  });

  it('detach cuts the graph', () => {
    const x = tensor([2], { requiresGrad: true });
    const y = x.mul(x.detach()); // only the first factor is differentiated: dy/dx = x.detach() = 2
    y.sum().backward();
    expect(x.grad?.item()).toBe(2);
  });

  it('survives deep graphs without recursion limits', () => {
    const x = tensor([1], { dtype: 'float64', requiresGrad: true });
    let y = x;
    for (let i = 0; i < 20_000; i++) y = y.mul(1.0001);
    y.sum().backward();
    expect(x.grad?.item()).toBeCloseTo(1.0001 ** 20_000, 6);
  });
});

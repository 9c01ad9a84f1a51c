import { describe, expect, it } from 'vitest';
import { GraphError, grad, gradients, type Tensor, tensor, valueAndGrad } from './index.js';

describe('functional API', () => {
  const f = (w: Tensor) => w.mul(w).sum();

  it('grad and valueAndGrad return gradients without touching .grad', () => {
    const w = tensor([1, 2, 3], { requiresGrad: true });
    expect([...grad(f)(w).data]).toEqual([2, 4, 6]);
    const [value, g] = valueAndGrad(f)(tensor([1, 2, 3]));
    expect(value.item()).toBe(14);
    expect([...g.data]).toEqual([2, 4, 6]);
    expect(w.grad).toBeNull();
  });

  it('argnums picks which arguments to differentiate', () => {
    const h = (a: Tensor, b: Tensor) => a.mul(b).sum();
    const [ga, gb] = grad(h, { argnums: [0, 1] })(tensor([1, 2]), tensor([3, 4]));
    expect([...ga.data]).toEqual([3, 4]);
    expect([...gb.data]).toEqual([1, 2]);
    expect([...grad(h, { argnums: 1 })(tensor([1, 2]), tensor([3, 4])).data]).toEqual([1, 2]);
    expect(() => grad(h, { argnums: 2 })(tensor([1]), tensor([1]))).toThrow('argnums names argument 2, but the function got 2 arguments');
  });

  it('second order through grad(grad(...))', () => {
    const d2 = grad((w: Tensor) => grad(f, { createGraph: true })(w).sum());
    expect([...d2(tensor([1, 2, 3])).data]).toEqual([2, 2, 2]);
  });

  it('requires scalar outputs and inputs that require gradients', () => {
    expect(() => grad((w: Tensor) => w.mul(2))(tensor([1, 2]))).toThrow('grad: the function must return a scalar tensor, got shape [2]');
    expect(() => gradients(tensor([1]).sum(), [tensor([1])])).toThrow(GraphError);
  });

  it('unused inputs get zero gradients', () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([5], { requiresGrad: true });
    const [, gb] = gradients(a.sum(), [a, b]);
    expect([...gb.data]).toEqual([0]);
  });
});

import { manualSeed } from '@backprop/engine';
import { Generator, type NDArray } from '@backprop/tensor';
import { describe, expect, it } from 'vitest';
import { Conv2d, Dense, type InitContext, type Initializer, initializers, resolveInitializer } from './index.js';

// 100,000 draws: the sample variance is then within 0.3% (uniform) and 0.45% (normal) of the
// true one at one standard error, so the 2% tolerances below are over 4 standard errors wide.
const fanIn = 300;
const fanOut = 200;
const context = (seed = 1): InitContext => ({ shape: [400, 250], fanIn, fanOut, generator: new Generator(seed) });

function stats(a: NDArray) {
  const d = a.data;
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < d.length; i++) {
    sum += d[i];
    min = Math.min(min, d[i]);
    max = Math.max(max, d[i]);
  }
  const mean = sum / d.length;
  let squares = 0;
  for (let i = 0; i < d.length; i++) squares += (d[i] - mean) ** 2;
  return { mean, std: Math.sqrt(squares / d.length), min, max };
}

/** U(−bound, bound): every draw inside, the extremes reached, the moments of the distribution. */
function expectUniform(init: Initializer, bound: number) {
  const { mean, std, min, max } = stats(init(context()));
  expect(min).toBeGreaterThanOrEqual(-bound);
  expect(max).toBeLessThanOrEqual(bound);
  expect(min).toBeLessThan(-0.999 * bound);
  expect(max).toBeGreaterThan(0.999 * bound);
  expect(Math.abs(mean)).toBeLessThan(0.01 * bound);
  expect(std / (bound / Math.sqrt(3))).toBeCloseTo(1, 1.7);
}

/** N(0, std²). */
function expectNormal(init: Initializer, expectedStd: number) {
  const { mean, std } = stats(init(context()));
  expect(Math.abs(mean)).toBeLessThan(0.02 * expectedStd);
  expect(std / expectedStd).toBeCloseTo(1, 1.7);
}

describe('initializers', () => {
  it('zeros, ones and constant fill exactly, in the requested dtype', () => {
    const c = { shape: [2, 3], fanIn: 2, fanOut: 3 };
    expect([...initializers.zeros()(c).data]).toEqual([0, 0, 0, 0, 0, 0]);
    expect([...initializers.ones()(c).data]).toEqual([1, 1, 1, 1, 1, 1]);
    const filled = initializers.constant({ value: 0.1 })({ ...c, dtype: 'float64' });
    expect(filled.dtype).toBe('float64');
    expect(filled.shape).toEqual([2, 3]);
    expect([...filled.data]).toEqual(new Array(6).fill(0.1));
    expect(initializers.constant({ value: 0.1 })(c).data[0]).toBe(Math.fround(0.1));
  });

  it('uniform and normal take their parameters', () => {
    const u = stats(initializers.uniform({ low: 2, high: 5 })(context()));
    expect(u.min).toBeGreaterThanOrEqual(2);
    expect(u.max).toBeLessThan(5);
    expect(u.mean).toBeCloseTo(3.5, 1);
    expect(u.std / (3 / Math.sqrt(12))).toBeCloseTo(1, 1.7);
    const n = stats(initializers.normal({ mean: 3, std: 0.5 })(context()));
    expect(n.mean).toBeCloseTo(3, 2);
    expect(n.std / 0.5).toBeCloseTo(1, 1.7);
  });

  // The bounds and deviations as the papers and torch.nn.init state them.
  it('Glorot/Xavier: U(±√6/√(fanIn + fanOut)) and N(0, 2/(fanIn + fanOut)), times the gain', () => {
    expectUniform(initializers.glorotUniform(), Math.sqrt(6) / Math.sqrt(fanIn + fanOut));
    expectUniform(initializers.glorotUniform({ gain: 2 }), (2 * Math.sqrt(6)) / Math.sqrt(fanIn + fanOut));
    expectNormal(initializers.glorotNormal(), Math.sqrt(2 / (fanIn + fanOut)));
    expectNormal(initializers.glorotNormal({ gain: 0.5 }), 0.5 * Math.sqrt(2 / (fanIn + fanOut)));
  });

  it('He/Kaiming (fan-in, ReLU gain √2 by default): U(±√(6/fanIn)) and N(0, 2/fanIn)', () => {
    expectUniform(initializers.heUniform(), Math.sqrt(6 / fanIn));
    expectNormal(initializers.heNormal(), Math.sqrt(2 / fanIn));
    expectNormal(initializers.heNormal({ gain: 1 }), 1 / Math.sqrt(fanIn));
  });

  it('LeCun: U(±√(3/fanIn)) and N(0, 1/fanIn); uniformFanIn: U(±1/√fanIn)', () => {
    expectUniform(initializers.lecunUniform(), Math.sqrt(3 / fanIn));
    expectNormal(initializers.lecunNormal(), Math.sqrt(1 / fanIn));
    expectUniform(initializers.uniformFanIn(), 1 / Math.sqrt(fanIn));
  });

  it('the same generator seed gives the same values; the global generator follows manualSeed', () => {
    const a = initializers.heNormal()(context(7));
    const b = initializers.heNormal()(context(7));
    const c = initializers.heNormal()(context(8));
    expect([...a.data]).toEqual([...b.data]);
    expect([...a.data]).not.toEqual([...c.data]);
    const global = { shape: [3, 4], fanIn: 3, fanOut: 4, dtype: 'float64' as const };
    manualSeed(11);
    const first = initializers.glorotUniform()(global);
    manualSeed(11);
    expect([...initializers.glorotUniform()(global).data]).toEqual([...first.data]);
    expect(first.dtype).toBe('float64');
  });
});

describe('resolveInitializer', () => {
  it('takes names, aliases, { type, ...options } and functions', () => {
    const small = (): InitContext => ({ shape: [20, 10], fanIn: 20, fanOut: 10, generator: new Generator(3) });
    const same = (spec: Parameters<typeof resolveInitializer>[0], reference: Initializer) =>
      expect([...resolveInitializer(spec)(small()).data]).toEqual([...reference(small()).data]);
    same('heNormal', initializers.heNormal());
    same('kaimingNormal', initializers.heNormal());
    same('kaimingUniform', initializers.heUniform());
    same('xavierUniform', initializers.glorotUniform());
    same('xavierNormal', initializers.glorotNormal());
    same({ type: 'glorotUniform', gain: 3 }, initializers.glorotUniform({ gain: 3 }));
    same({ type: 'xavierNormal', gain: 3 }, initializers.glorotNormal({ gain: 3 }));
    const own: Initializer = (c) => initializers.ones()(c);
    expect(resolveInitializer(own)).toBe(own);
  });

  it('an unknown name says where and lists the known ones', () => {
    expect(() => resolveInitializer('glorot' as never, 'Dense')).toThrow(
      'Dense: unknown initializer "glorot"; known: zeros, ones, constant, uniform, normal, glorotUniform, glorotNormal, heUniform, heNormal, lecunUniform, lecunNormal, uniformFanIn, xavierUniform, xavierNormal, kaimingUniform, kaimingNormal',
    );
    expect(() => resolveInitializer({ type: 'nope' } as never)).toThrow('initializer: unknown initializer "nope"');
    expect(() => resolveInitializer(null as never)).toThrow('unknown initializer "null"');
  });
});

describe('the fans layers give their initializers', () => {
  const spy = (seen: InitContext[]): Initializer => {
    return (c) => {
      seen.push(c);
      return initializers.zeros()(c);
    };
  };

  it('Dense: fanIn = inFeatures, fanOut = outFeatures, and PyTorch’s U(±1/√inFeatures) by default', () => {
    const seen: InitContext[] = [];
    new Dense(30, 20, { weightInitializer: spy(seen), biasInitializer: spy(seen), dtype: 'float64' });
    expect(seen.map((c) => [c.shape, c.fanIn, c.fanOut, c.dtype])).toEqual([
      [[30, 20], 30, 20, 'float64'],
      [[20], 30, 20, 'float64'],
    ]);
    const dense = new Dense(400, 300, { generator: new Generator(1) });
    const w = stats(dense.weight.value);
    const b = stats(dense.bias?.value as NDArray);
    const bound = 1 / Math.sqrt(400);
    expect(Math.max(-w.min, w.max, -b.min, b.max)).toBeLessThanOrEqual(bound);
    expect(w.max).toBeGreaterThan(0.999 * bound);
  });

  it('Conv2d: the fans PyTorch computes from the weight [out, in/groups, kH, kW]', () => {
    const seen: InitContext[] = [];
    new Conv2d(4, 6, [3, 2], { groups: 2, weightInitializer: spy(seen), biasInitializer: spy(seen) });
    // torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(6, 2, 3, 2)) == (12, 36)
    expect(seen.map((c) => [c.shape, c.fanIn, c.fanOut])).toEqual([
      [[6, 2, 3, 2], 12, 36],
      [[6], 12, 36],
    ]);
  });
});

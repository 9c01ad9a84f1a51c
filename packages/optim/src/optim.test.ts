import { ArgumentError, type Tensor, tensor } from '@backprop/engine';
import { damageJson, damagingValues, fuzzSettings } from '@backprop/engine/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import reference from '../fixtures/optim-reference.json' with { type: 'json' };
import * as optim from './index.js';

type AnyOptimizer = optim.Optimizer<optim.BaseOptions>;
const f64 = { dtype: 'float64' } as const;
const x = tensor(reference.x, f64).reshape([5, 3]);
const t = tensor(reference.t, f64).reshape([5, 2]);

function fresh(): [Tensor, Tensor] {
  return [
    tensor(reference.w0, { ...f64, requiresGrad: true })
      .reshape([3, 2])
      .detach()
      .setRequiresGrad(),
    tensor(reference.b0, { ...f64, requiresGrad: true }),
  ];
}

function lossStep(opt: AnyOptimizer, w: Tensor, b: Tensor): void {
  opt.zeroGrad();
  x.matmul(w).add(b).sub(t).square().mean().add(w.pow(4).sum().mul(0.01)).backward();
  opt.step();
}

function make(name: string, params: optim.ParamsInput<never> | Tensor[], options: object): AnyOptimizer {
  const Class = (optim as unknown as Record<string, new (p: unknown, o: unknown) => AnyOptimizer>)[name];
  return new Class(params, options);
}

function relativeError(actual: ArrayLike<number>, expected: readonly number[]): number {
  let worst = 0;
  for (let i = 0; i < expected.length; i++)
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / Math.max(Math.abs(expected[i]), 1e-12));
  return worst;
}

describe('update rules match PyTorch over 10 steps in float64 (fixtures/make-fixtures.py)', () => {
  for (const trajectory of reference.trajectories) {
    const groups = (trajectory as { groups?: object[] }).groups;
    it(`${trajectory.optimizer} ${JSON.stringify(trajectory.options)}${groups ? ` groups ${JSON.stringify(groups)}` : ''}`, () => {
      const [w, b] = fresh();
      const params = groups
        ? [
            { params: [w], ...groups[0] },
            { params: [b], ...groups[1] },
          ]
        : [w, b];
      const opt = make(trajectory.optimizer, params as Tensor[], trajectory.options);
      let worst = 0;
      for (const expected of trajectory.path) {
        lossStep(opt, w, b);
        worst = Math.max(worst, relativeError(w.value.data, expected.w), relativeError(b.value.data, expected.b));
      }
      expect(worst).toBeLessThan(1e-6);
      expect(worst).toBeLessThan(1e-12); // in practice the agreement is to rounding
    });
  }
});

describe('state save/load resumes training exactly', () => {
  for (const [name, options] of [
    ['SGD', { lr: 0.05, momentum: 0.9, nesterov: true }],
    ['Adam', { lr: 0.02, amsgrad: true }],
    ['AdamW', { lr: 0.02 }],
    ['RMSprop', { lr: 0.01, momentum: 0.5, centered: true }],
    ['Adagrad', { lr: 0.1, lrDecay: 0.1 }],
  ] as const) {
    it(name, () => {
      const [w1, b1] = fresh();
      const straight = make(name, [w1, b1], options);
      for (let i = 0; i < 10; i++) lossStep(straight, w1, b1);

      const [w2, b2] = fresh();
      const first = make(name, [w2, b2], options);
      for (let i = 0; i < 5; i++) lossStep(first, w2, b2);
      const saved = JSON.parse(JSON.stringify(first.stateDict(), (_, v) => (v?.data ? { shape: v.shape, data: [...v.data] } : v)));
      const resumed = make(name, [w2, b2], { lr: 123 });
      resumed.loadStateDict(saved);
      for (let i = 0; i < 5; i++) lossStep(resumed, w2, b2);
      expect([...w2.value.data]).toEqual([...w1.value.data]);
      expect([...b2.value.data]).toEqual([...b1.value.data]);
    });
  }
  it('rejects a state of another optimizer or shape', () => {
    const [w, b] = fresh();
    const adam = new optim.Adam([w, b]);
    lossStep(adam, w, b);
    expect(() => new optim.SGD([w, b], { lr: 1 }).loadStateDict(adam.stateDict())).toThrow(
      'SGD.loadStateDict: the state belongs to "Adam", not SGD',
    );
    expect(() => new optim.Adam([w]).loadStateDict(adam.stateDict())).toThrow(/group 0 has 2 parameters in the state, 1 here/);
  });

  it('rejects a damaged state (a file edited by hand) with a message naming the part, and changes nothing', () => {
    const [w, b] = fresh();
    const source = new optim.Adam([{ params: [w] }, { params: [b], lr: 0.01 }], { lr: 0.02 });
    for (let i = 0; i < 3; i++) lossStep(source, w, b);
    const good = () => JSON.parse(JSON.stringify(source.stateDict(), (_, v) => (v?.data ? { shape: v.shape, data: [...v.data] } : v)));
    const damaged: [string, (s: ReturnType<typeof good>) => void, RegExp][] = [
      ['a group that is null', (s) => (s.paramGroups[1] = null), /group 1 is not an object of options and params/],
      ['a group without params', (s) => delete s.paramGroups[0].params, /group 0 has no list of parameters in the state, 1 here/],
      ['a bad option in the second group', (s) => (s.paramGroups[1].lr = -1), /'lr' must be/],
      ['a parameter state that is null', (s) => (s.state[1] = null), /the state of parameter 1 is not an object/],
      ['a missing buffer', (s) => delete s.state[0].expAvgSq, /the state of parameter 0 lacks 'expAvgSq'/],
      ['an unknown entry', (s) => (s.state[1].momentum = 3), /the state of parameter 1 has unexpected 'momentum'/],
      ['a fractional step', (s) => (s.state[0].step = 2.5), /'step' of parameter 0 must be a non-negative integer, got 2.5/],
      ['a negative step', (s) => (s.state[0].step = -1), /'step' of parameter 0 must be a non-negative integer, got -1/],
      [
        'a buffer of the wrong size',
        (s) => s.state[0].expAvg.data.pop(),
        /buffer 'expAvg' of parameter 0 does not match its shape \[3, 2\]/,
      ],
      ['NaN in a buffer', (s) => (s.state[1].expAvg.data[0] = null), /buffer 'expAvg' of parameter 1 does not match/],
      ['a state for a parameter that is not there', (s) => (s.state[7] = {}), /state for parameter 7, but there are only 2/],
    ];
    for (const [what, damage, message] of damaged) {
      // The target has trained a different number of steps: a failed load must leave it exactly so.
      const [w2, b2] = fresh();
      const target = new optim.Adam([{ params: [w2] }, { params: [b2], lr: 0.01 }], { lr: 0.02 });
      lossStep(target, w2, b2);
      const before = JSON.stringify(target.stateDict());
      const state = good();
      damage(state);
      expect(() => target.loadStateDict(state), what).toThrow(message);
      expect(JSON.stringify(target.stateDict()), what).toBe(before);
    }
  });
});

describe('learning-rate schedules match PyTorch', () => {
  for (const s of reference.schedules) {
    it(`${s.scheduler} ${JSON.stringify(s.options)}`, () => {
      const [w] = fresh();
      const opt = new optim.SGD([w], { lr: 0.5 });
      const Class = (optim as unknown as Record<string, new (o: unknown, p: unknown) => { step(m?: number): void }>)[s.scheduler];
      const scheduler = new Class(opt, s.options);
      const metrics = (s as { metrics?: number[] }).metrics;
      const lrs = s.lrs.map((_, epoch) => {
        scheduler.step(metrics?.[epoch]);
        return opt.paramGroups[0].lr;
      });
      expect(relativeError(lrs, s.lrs)).toBeLessThan(1e-12);
    });
  }
  // Schedules stepping one optimizer together, or after a rate was set by hand: each applies its
  // change to the current rate (PyTorch's chaining), instead of undoing the others' with its own.
  for (const c of reference.chains) {
    const { manual, metrics } = c as { manual?: [number, number]; metrics?: number[] };
    it(`chained: ${c.schedulers.map(([name, options]) => `${name} ${JSON.stringify(options)}`).join(' + ')}${manual ? `, lr set to ${manual[1]} after epoch ${manual[0] + 1}` : ''}`, () => {
      const [w] = fresh();
      const opt = new optim.SGD([w], { lr: 0.5 });
      const schedulers = c.schedulers.map(([name, options]) => {
        const Class = (optim as unknown as Record<string, new (o: unknown, p: unknown) => { step(m?: number): void }>)[name as string];
        return new Class(opt, options);
      });
      const lrs = c.lrs.map((_, epoch) => {
        for (const scheduler of schedulers) scheduler.step(metrics?.[epoch]);
        if (manual && epoch === manual[0]) opt.paramGroups[0].lr = manual[1];
        return opt.paramGroups[0].lr;
      });
      expect(relativeError(lrs, c.lrs)).toBeLessThan(1e-12);
    });
  }

  it('a chained schedule resumes chained, from its optimizer’s rates', () => {
    const run = (from: number, to: number, opt: AnyOptimizer, schedulers: optim.LRScheduler[]) =>
      Array.from({ length: to - from }, () => {
        for (const s of schedulers) s.step();
        return opt.paramGroups[0].lr;
      });
    const make = () => {
      const [w] = fresh();
      const opt = new optim.SGD([w], { lr: 0.5 });
      return {
        opt,
        schedulers: [new optim.LinearLR(opt, { startFactor: 0.25, totalIters: 4 }), new optim.ExponentialLR(opt, { gamma: 0.9 })],
      };
    };
    const whole = make();
    const all = run(0, 10, whole.opt, whole.schedulers);
    const first = make();
    const head = run(0, 6, first.opt, first.schedulers);
    expect(first.schedulers.every((s) => s.chained)).toBe(true);
    const saved = JSON.parse(JSON.stringify({ optimizer: first.opt.stateDict(), schedulers: first.schedulers.map((s) => s.stateDict()) }));
    const second = make();
    second.schedulers.forEach((s, i) => s.loadStateDict(saved.schedulers[i]));
    second.opt.loadStateDict(saved.optimizer);
    expect([...head, ...run(6, 10, second.opt, second.schedulers)]).toEqual(all);
  });

  it('a schedule resumes from its state', () => {
    const [w] = fresh();
    const opt = new optim.SGD([w], { lr: 1 });
    const a = new optim.CosineAnnealingLR(opt, { tMax: 10 });
    for (let i = 0; i < 4; i++) a.step();
    const opt2 = new optim.SGD([w], { lr: 1 });
    const b = new optim.CosineAnnealingLR(opt2, { tMax: 10 });
    b.loadStateDict(a.stateDict());
    a.step();
    b.step();
    expect(opt2.paramGroups[0].lr).toBe(opt.paramGroups[0].lr);
  });

  it('ReduceLROnPlateau resumes from its state (best value, counters, cooldown) with its optimizer', () => {
    const plateau = reference.schedules.find((s) => s.scheduler === 'ReduceLROnPlateau' && 'cooldown' in s.options);
    if (plateau === undefined) throw new Error('the fixtures lost their ReduceLROnPlateau case with a cooldown');
    const metrics = (plateau as { metrics: number[] }).metrics;
    const options = plateau.options as optim.PlateauOptions;
    const run = (opt: AnyOptimizer, scheduler: optim.ReduceLROnPlateau, from: number, to: number) =>
      metrics.slice(from, to).map((m) => {
        scheduler.step(m);
        return opt.paramGroups[0].lr;
      });
    const [w] = fresh();
    const first = new optim.SGD([w], { lr: 0.5 });
    const before = new optim.ReduceLROnPlateau(first, options);
    // Cut where a reduction has happened and the cooldown is running, so every counter matters.
    const cut = plateau.lrs.findIndex((lr) => lr < 0.5) + 1;
    expect(cut).toBeGreaterThan(0);
    const head = run(first, before, 0, cut);
    const state = JSON.parse(JSON.stringify({ optimizer: first.stateDict(), scheduler: before.stateDict() }));
    const second = new optim.SGD([w], { lr: 0.5 });
    second.loadStateDict(state.optimizer);
    const after = new optim.ReduceLROnPlateau(second, options);
    after.loadStateDict(state.scheduler);
    const tail = run(second, after, cut, metrics.length);
    expect(relativeError([...head, ...tail], plateau.lrs)).toBeLessThan(1e-12);
    expect(after.lastLr).toEqual([second.paramGroups[0].lr]);
    expect(() => after.loadStateDict(new optim.StepLR(second, { stepSize: 1 }).stateDict())).toThrow(
      'ReduceLROnPlateau.loadStateDict: not a ReduceLROnPlateau state',
    );
  });
});

describe('gradient clipping matches PyTorch', () => {
  for (const c of reference.clipping.cases) {
    it(`${c.kind} ${c.value} ${c.normType ?? ''}`, () => {
      const a = tensor(reference.clipping.grads[0], { ...f64, requiresGrad: true });
      const d = tensor(reference.clipping.grads[1], { ...f64, requiresGrad: true });
      a.grad = tensor(reference.clipping.grads[0], f64);
      d.grad = tensor(reference.clipping.grads[1], f64);
      if (c.kind === 'norm') {
        const total = optim.clipGradNorm([a, d], c.value, c.normType === 'inf' ? Number.POSITIVE_INFINITY : (c.normType as number));
        expect(Math.abs(total - (c.total as number)) / (c.total as number)).toBeLessThan(1e-12);
      } else optim.clipGradValue([a, d], c.value);
      expect(relativeError((a.grad as Tensor).value.data, c.grads[0])).toBeLessThan(1e-12);
      expect(relativeError((d.grad as Tensor).value.data, c.grads[1])).toBeLessThan(1e-12);
    });
  }
  it('never scales a gradient shared by two parameters twice', () => {
    const a = tensor([0, 0], { ...f64, requiresGrad: true });
    const b = tensor([0, 0], { ...f64, requiresGrad: true });
    const g = tensor([3, 4], f64);
    a.grad = g;
    b.grad = g;
    optim.clipGradNorm([a, b], 1);
    expect((a.grad as Tensor).value.data[0]).toBeCloseTo(3 / Math.sqrt(50), 5);
    expect((b.grad as Tensor).value.data[0]).toBeCloseTo(3 / Math.sqrt(50), 5);
    expect(g.value.data[0]).toBe(3);
  });
});

describe('bad options get clear errors', () => {
  it('no parameters, negative or NaN learning rate, bad betas', () => {
    expect(() => new optim.SGD([], { lr: 0.1 })).toThrow('SGD: no parameters to optimize (got an empty list); pass model.parameters()');
    const [w] = fresh();
    expect(() => new optim.SGD([w], { lr: -0.1 })).toThrow("SGD: 'lr' must be a number ≥ 0, got -0.1");
    expect(() => new optim.Adam([w], { lr: Number.NaN })).toThrow("Adam: 'lr' must be a number ≥ 0, got NaN");
    expect(() => new optim.Adam([w], { betas: [0.9, 1] })).toThrow(/'betas' must be two numbers in \[0, 1\)/);
    expect(() => new optim.SGD([w], { lr: 0.1, nesterov: true })).toThrow(
      "SGD: 'nesterov' needs momentum > 0 and dampening 0, got momentum 0 and dampening 0",
    );
    expect(() => new optim.SGD([w.mul(2)], { lr: 0.1 })).toThrow(
      "SGD: parameter 0 of group 0 was computed by 'mul', but optimizers update leaf tensors (pass model.parameters(), or detach() it)",
    );
    expect(() => new optim.SGD([tensor([1], { dtype: 'int32' })], { lr: 0.1 })).toThrow(
      'SGD: parameter 0 of group 0 is an int32 tensor; only float32 and float64 tensors can be optimized',
    );
    expect(() => new optim.SGD([w, 'w' as never], { lr: 0.1 })).toThrow('SGD: parameter 1 of group 0 must be a Tensor, got string');
  });
  it('takes frozen parameters (requiresGrad false) and leaves them alone until they are unfrozen', () => {
    const [w, b] = fresh();
    w.requiresGrad = false;
    const opt = new optim.Adam([w, b], { lr: 0.1 });
    const before = [...w.data];
    lossStep(opt, w, b);
    expect([...w.data]).toEqual(before);
    expect(w.grad).toBeNull();
    expect([...b.data]).not.toEqual(reference.b0);
    w.requiresGrad = true;
    lossStep(opt, w, b);
    expect([...w.data]).not.toEqual(before);
  });
  it('a learning rate set to NaN between steps is caught at the next step', () => {
    const [w, b] = fresh();
    const opt = new optim.SGD([w, b], { lr: 0.1 });
    opt.paramGroups[0].lr = Number.NaN;
    expect(() => lossStep(opt, w, b)).toThrow(/'lr' must be a number ≥ 0, got NaN/);
  });
});

describe('createOptimizer', () => {
  it('builds each optimizer by name and rejects unknown names', () => {
    const [w] = fresh();
    for (const name of ['sgd', 'Adam', 'adamw', 'rmsprop', 'adagrad'])
      expect(optim.createOptimizer(name, [w], { lr: 0.1 }).type.toLowerCase()).toBe(name.toLowerCase());
    expect(() => optim.createOptimizer('adamax', [w])).toThrow(
      'createOptimizer: unknown optimizer "adamax"; known: sgd, adam, adamw, rmsprop, adagrad',
    );
  });
});

describe('states saved as JSON and edited by hand', () => {
  it('ReduceLROnPlateau before its first metric: best = ±∞ goes through JSON as null and comes back as ±∞', () => {
    for (const mode of ['min', 'max'] as const) {
      const [w] = fresh();
      const scheduler = new optim.ReduceLROnPlateau(new optim.SGD([w], { lr: 1 }), { mode, patience: 0 });
      const saved = JSON.parse(JSON.stringify(scheduler.stateDict()));
      expect(saved.best).toBeNull();
      const resumed = new optim.ReduceLROnPlateau(new optim.SGD([w], { lr: 1 }), { mode, patience: 0 });
      resumed.loadStateDict(saved);
      expect(resumed.best).toBe(mode === 'min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY);
      // The first metric is an improvement, however large (with best read as 0 it was not: a spurious reduction).
      resumed.step(mode === 'min' ? 5 : -5);
      expect(resumed.lastLr).toEqual([1]);
    }
  });

  const optimizers: [string, object][] = [
    ['SGD', { lr: 0.05, momentum: 0.9 }],
    ['SGD', { lr: 0.05 }],
    ['Adam', { lr: 0.02, amsgrad: true }],
    ['AdamW', { lr: 0.02 }],
    ['RMSprop', { lr: 0.01, momentum: 0.5, centered: true }],
    ['Adagrad', { lr: 0.1 }],
  ];
  const edits = fc.array(fc.tuple(fc.nat(10_000), fc.constantFrom(...damagingValues, undefined)), { minLength: 1, maxLength: 3 });
  const settings = fuzzSettings(300);

  it('an optimizer loads a damaged state or refuses it with an ArgumentError, unchanged; what it loads, it can step with', () => {
    fc.assert(
      fc.property(fc.nat(optimizers.length - 1), edits, (which, damage) => {
        const [name, options] = optimizers[which];
        const [w, b] = fresh();
        const source = make(name, [{ params: [w] }, { params: [b], lr: 0.01 }] as never, options);
        for (let i = 0; i < 2; i++) lossStep(source, w, b);
        const json = JSON.parse(JSON.stringify(source.stateDict(), (_, v) => (v?.data ? { shape: v.shape, data: [...v.data] } : v)));
        const { value, changed } = damageJson(json, damage);
        const [w2, b2] = fresh();
        const target = make(name, [{ params: [w2] }, { params: [b2], lr: 0.01 }] as never, options);
        lossStep(target, w2, b2);
        const before = JSON.stringify(target.stateDict());
        try {
          target.loadStateDict(value);
        } catch (error) {
          if (!ArgumentError.isInstance(error)) throw new Error(`${name} after ${changed.join(', ')}: ${error}`);
          expect(JSON.stringify(target.stateDict()), changed.join(', ')).toBe(before);
          return;
        }
        try {
          lossStep(target, w2, b2);
        } catch (error) {
          if (!ArgumentError.isInstance(error)) throw new Error(`${name} stepping after ${changed.join(', ')}: ${error}`);
        }
      }),
      settings,
    );
  });

  it('a schedule loads a damaged state or refuses it with an ArgumentError', () => {
    fc.assert(
      fc.property(fc.nat(2), edits, (which, damage) => {
        const [w, b] = fresh();
        const opt = new optim.SGD([{ params: [w] }, { params: [b], lr: 0.01 }], { lr: 0.1 });
        const make = () =>
          [
            () => new optim.StepLR(opt, { stepSize: 2 }),
            () => new optim.CosineAnnealingLR(opt, { tMax: 5 }),
            () => new optim.ReduceLROnPlateau(opt, { patience: 1 }),
          ][which]();
        const source = make();
        for (let i = 0; i < 3; i++) source instanceof optim.ReduceLROnPlateau ? source.step(1 / (i + 1)) : source.step();
        const { value, changed } = damageJson(JSON.parse(JSON.stringify(source.stateDict())), damage);
        const target = make();
        try {
          target.loadStateDict(value);
        } catch (error) {
          if (!ArgumentError.isInstance(error)) throw new Error(`after ${changed.join(', ')}: ${error}`);
          return;
        }
        target instanceof optim.ReduceLROnPlateau ? target.step(0.5) : target.step();
        for (const lr of target.lastLr) expect(Number.isFinite(lr), changed.join(', ')).toBe(true);
      }),
      settings,
    );
  });
});

describe('an optimizer of one’s own', () => {
  /** Sign descent with momentum (Lion-like): keeps a step counter and one buffer. */
  interface SignOptions extends optim.BaseOptions {
    beta: number;
  }
  class SignDescent extends optim.Optimizer<SignOptions> {
    constructor(
      params: Tensor[],
      options: Partial<SignOptions> = {},
      private readonly declared = true,
    ) {
      super('SignDescent', params, { lr: 0.01, beta: 0.9 }, options);
    }
    protected override stateLayout(): optim.StateLayout | null {
      return this.declared ? { counters: ['step'], buffers: ['velocity'] } : null;
    }
    protected update(
      param: Float32Array | Float64Array,
      grad: Float32Array | Float64Array,
      state: optim.ParamState,
      group: optim.Group<SignOptions>,
    ): void {
      state.step = ((state.step as number | undefined) ?? 0) + 1;
      state.velocity ??= this.buffer(param);
      const v = state.velocity as Float64Array;
      for (let i = 0; i < param.length; i++) {
        v[i] = group.beta * v[i] + (1 - group.beta) * grad[i];
        param[i] -= group.lr * Math.sign(v[i]);
      }
    }
  }

  it('has its options checked against its defaults, in the options and in parameter groups', () => {
    const [w, b] = fresh();
    expect(() => new SignDescent([w, b], { bta: 0.5 } as never)).toThrow("SignDescent: unknown option 'bta' (did you mean 'beta'?)");
    expect(new SignDescent([w, b], { beta: 0.5 }).paramGroups[0]).toMatchObject({ lr: 0.01, beta: 0.5 });
    // The older form, defaults and options merged by the subclass, still builds.
    class Merged extends optim.Optimizer<SignOptions> {
      constructor(params: Tensor[], options: Partial<SignOptions> = {}) {
        super('Merged', params, { lr: 0.01, beta: 0.9, ...options });
      }
      protected update(): void {}
    }
    expect(new Merged([w], { lr: 0.2 }).paramGroups[0]).toMatchObject({ lr: 0.2, beta: 0.9 });
  });

  it('resumes exactly, and its declared layout is checked; without one, numbers and buffer sizes are', () => {
    const [w, b] = fresh();
    const first = new SignDescent([w, b]);
    for (let i = 0; i < 3; i++) lossStep(first as never, w, b);
    const saved = JSON.parse(JSON.stringify(first.stateDict(), (_, v) => (v?.data ? { shape: v.shape, data: [...v.data] } : v)));
    const [w2, b2] = fresh();
    const again = new SignDescent([w2, b2]);
    again.loadStateDict(saved);
    expect(again.stateDict()).toEqual(first.stateDict());
    const lacking = JSON.parse(JSON.stringify(saved));
    delete lacking.state[1].velocity;
    expect(() => again.loadStateDict(lacking)).toThrow("SignDescent.loadStateDict: the state of parameter 1 lacks 'velocity'");
    // Undeclared: a missing buffer is not noticed, but a wrong one is.
    const loose = new SignDescent([w2, b2], {}, false);
    loose.loadStateDict(lacking);
    const wrong = JSON.parse(JSON.stringify(saved));
    wrong.state[0].velocity.data.pop();
    expect(() => loose.loadStateDict(wrong)).toThrow("buffer 'velocity' of parameter 0 does not match its shape [3, 2]");
  });
});

describe('a schedule of one’s own', () => {
  // The example of LRScheduler's TSDoc.
  class WarmupInverseSqrt extends optim.LRScheduler {
    constructor(
      optimizer: optim.Optimizer<optim.BaseOptions>,
      readonly warmup: number,
    ) {
      super('WarmupInverseSqrt', optimizer);
      this.applyRates();
    }
    protected rate(base: number, epoch: number): number {
      return epoch < this.warmup ? (base * (epoch + 1)) / this.warmup : base * Math.sqrt(this.warmup / (epoch + 1));
    }
  }

  it('starts at its epoch-0 rate, follows its rule for every group, and resumes from its state', () => {
    const [w, b] = fresh();
    const opt = new optim.SGD([{ params: [w], lr: 0.4 }, { params: [b] }], { lr: 0.2 });
    const schedule = new WarmupInverseSqrt(opt, 4);
    const lrs = [schedule.lastLr];
    for (let epoch = 1; epoch < 9; epoch++) {
      schedule.step();
      lrs.push(schedule.lastLr);
    }
    const expected = (base: number, epoch: number) => (epoch < 4 ? (base * (epoch + 1)) / 4 : base * Math.sqrt(4 / (epoch + 1)));
    expect(lrs).toEqual(lrs.map((_, epoch) => [expected(0.4, epoch), expected(0.2, epoch)]));
    expect(lrs[0]).toEqual([0.1, 0.05]);
    const again = new WarmupInverseSqrt(new optim.SGD([{ params: [w], lr: 0.4 }, { params: [b] }], { lr: 0.2 }), 4);
    again.loadStateDict(JSON.parse(JSON.stringify(schedule.stateDict())));
    schedule.step();
    again.step();
    expect(again.lastLr).toEqual(schedule.lastLr);
  });

  it('chains with another schedule: its closed form’s change each epoch, applied to the current rate', () => {
    const [w] = fresh();
    const opt = new optim.SGD([w], { lr: 0.4 });
    const warmup = new WarmupInverseSqrt(opt, 4);
    const decay = new optim.ExponentialLR(opt, { gamma: 0.9 });
    const expected = (epoch: number) => (epoch < 4 ? (0.4 * (epoch + 1)) / 4 : 0.4 * Math.sqrt(4 / (epoch + 1))) * 0.9 ** epoch;
    for (let epoch = 1; epoch < 10; epoch++) {
      warmup.step();
      decay.step();
      expect(opt.paramGroups[0].lr, `epoch ${epoch}`).toBeCloseTo(expected(epoch), 14);
    }
    expect([warmup.chained, decay.chained]).toEqual([true, true]);
  });
});

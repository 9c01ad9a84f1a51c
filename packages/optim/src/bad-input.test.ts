import { ArgumentError, type Tensor, tensor } from '@backprop/engine';
import { damageJson, damagingValues, fuzzSettings, garbageCalls } from '@backprop/engine/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as api from './index.js';

describe('optim: bad input never escapes as a bare TypeError', () => {
  it('every optimizer, schedule and clipping function, called with garbage', () => {
    const p = tensor([1, 2], { requiresGrad: true });
    const sgd = new api.SGD([p], { lr: 0.1 });
    // Optimizer and LRScheduler are abstract bases; schedules take an optimizer first.
    expect(garbageCalls(api, { skip: ['Optimizer', 'LRScheduler'], leads: [[p], sgd] })).toEqual([]);
  });
});

describe('optim: options from a hand-written config', () => {
  it('every optimizer and schedule takes damaged options or refuses them with an ArgumentError; what it takes, steps', () => {
    const optimizers: [string, object][] = [
      ['sgd', { lr: 0.1, momentum: 0.9, dampening: 0, nesterov: true, weightDecay: 0.01 }],
      ['adam', { lr: 0.01, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: true }],
      ['adamw', { lr: 0.01, betas: [0.8, 0.99], weightDecay: 0.01 }],
      ['rmsprop', { lr: 0.01, alpha: 0.9, eps: 1e-8, momentum: 0.5, centered: true }],
      ['adagrad', { lr: 0.1, lrDecay: 0.01, initialAccumulatorValue: 0.1, eps: 1e-10 }],
    ];
    const schedules: [string, object][] = [
      ['StepLR', { stepSize: 2, gamma: 0.5 }],
      ['MultiStepLR', { milestones: [1, 3], gamma: 0.1 }],
      ['ExponentialLR', { gamma: 0.9 }],
      ['CosineAnnealingLR', { tMax: 4, etaMin: 0.001 }],
      ['LinearLR', { startFactor: 0.5, endFactor: 1, totalIters: 3 }],
      [
        'ReduceLROnPlateau',
        { mode: 'min', factor: 0.5, patience: 1, threshold: 1e-4, thresholdMode: 'rel', cooldown: 1, minLr: 0, eps: 1e-8 },
      ],
    ];
    const edits = fc.array(fc.tuple(fc.nat(10_000), fc.constantFrom(...damagingValues, 'max', 'abs', undefined)), {
      minLength: 1,
      maxLength: 3,
    });
    const step = (optimizer: { zeroGrad(): void; step(): void }, p: Tensor) => {
      optimizer.zeroGrad();
      p.square().sum().backward();
      optimizer.step();
    };
    fc.assert(
      fc.property(fc.nat(optimizers.length - 1), fc.nat(schedules.length - 1), edits, edits, (o, s, optimizerDamage, scheduleDamage) => {
        const p = tensor([1, -2, 0.5], { requiresGrad: true });
        const [name, options] = optimizers[o];
        const damagedOptions = damageJson(options, optimizerDamage);
        const context = `${name} with ${damagedOptions.changed.join(', ')}`;
        let optimizer: ReturnType<typeof api.createOptimizer>;
        try {
          optimizer = api.createOptimizer(name, [p], damagedOptions.value as Record<string, unknown>);
          step(optimizer, p);
        } catch (error) {
          if (!ArgumentError.isInstance(error)) throw new Error(`${context}: ${error}`);
          return;
        }
        const [schedule, scheduleOptions] = schedules[s];
        const damagedSchedule = damageJson(scheduleOptions, scheduleDamage);
        const Schedule = (
          api as unknown as Record<string, new (o: unknown, options: unknown) => { step(metric?: number): void; lastLr: number[] }>
        )[schedule];
        try {
          const scheduler = new Schedule(optimizer, damagedSchedule.value);
          for (let i = 0; i < 4; i++) {
            step(optimizer, p);
            scheduler.step(1 / (i + 1));
          }
          // Never NaN or negative; a growing schedule may overflow to ∞, which the optimizer's next step refuses.
          for (const lr of scheduler.lastLr)
            expect(lr >= 0, `${context}; ${schedule} with ${damagedSchedule.changed.join(', ')}`).toBe(true);
          step(optimizer, p);
        } catch (error) {
          if (!ArgumentError.isInstance(error))
            throw new Error(`${context}; ${schedule} with ${damagedSchedule.changed.join(', ')}: ${error}`);
        }
      }),
      fuzzSettings(400),
    );
  });
});

describe('misspelt optimizer and schedule options', () => {
  it('are refused by name instead of being ignored, in options and in parameter groups', () => {
    const w = tensor([1, 2]).setRequiresGrad();
    const cases: [() => unknown, string][] = [
      [() => new api.SGD([w], { lr: 0.1, momentm: 0.9 } as never), "SGD: unknown option 'momentm' (did you mean 'momentum'?)"],
      [() => new api.Adam([w], { beta1: 0.5 } as never), "Adam: unknown option 'beta1' (did you mean 'betas'?)"],
      [() => new api.AdamW([w], { weight_decay: 0.1 } as never), "AdamW: unknown option 'weight_decay' (did you mean 'weightDecay'?)"],
      [() => new api.RMSprop([w], { centred: true } as never), "RMSprop: unknown option 'centred' (did you mean 'centered'?)"],
      [() => new api.Adagrad([w], { lr_decay: 0.1 } as never), "Adagrad: unknown option 'lr_decay' (did you mean 'lrDecay'?)"],
      [
        () => new api.SGD([{ params: [w], lt: 0.1 }] as never, { lr: 0.1 }),
        "SGD (parameter group 0): unknown option 'lt' (did you mean 'lr'?)",
      ],
      [() => api.createOptimizer('adam', [w], { learningRate: 0.1 }), "Adam: unknown option 'learningRate'"],
      [() => new api.StepLR(new api.SGD([w], { lr: 1 }), { step: 3 } as never), "StepLR: unknown option 'step'"],
      [
        () => new api.CosineAnnealingLR(new api.SGD([w], { lr: 1 }), { tMax: 3, eta_min: 0 } as never),
        "CosineAnnealingLR: unknown option 'eta_min'",
      ],
      [
        () => new api.ReduceLROnPlateau(new api.SGD([w], { lr: 1 }), { patient: 3 } as never),
        "ReduceLROnPlateau: unknown option 'patient' (did you mean 'patience'?)",
      ],
    ];
    for (const [call, message] of cases) expect(call).toThrow(message);
    // A group may override any option; SGD still reports a missing rate by name.
    expect(new api.SGD([{ params: [w], lr: 0.5, momentum: 0.9 }], { lr: 0.1 }).paramGroups[0]).toMatchObject({ lr: 0.5, momentum: 0.9 });
    expect(() => new api.SGD([w], {} as never)).toThrow("SGD: 'lr' must be a number ≥ 0, got undefined");
  });
});

describe('a .grad set by hand that does not fit its parameter', () => {
  it('is refused by step(), naming the parameter, before any parameter changes', () => {
    for (const make of [(p: Tensor[]) => new api.SGD(p, { lr: 0.1 }), (p: Tensor[]) => new api.Adam(p)]) {
      const [a, b] = [tensor([1, 2]).setRequiresGrad(), tensor([1, 2, 3]).setRequiresGrad()];
      const optimizer = make([a, b]);
      a.grad = tensor([1, 1]);
      b.grad = tensor([1]);
      expect(() => optimizer.step()).toThrow(
        `${optimizer.type}.step: parameter 1 has shape [3] but a gradient of shape [1]; .grad must be null or a tensor of the parameter's shape`,
      );
      (b as { grad: unknown }).grad = [1, 2, 3];
      expect(() => optimizer.step()).toThrow(`${optimizer.type}.step: parameter 1 has shape [3] but .grad = 1,2,3`);
      expect([...a.data, ...b.data]).toEqual([1, 2, 1, 2, 3]);
      b.grad = tensor([1, 1, 1]);
      optimizer.step();
      expect([...b.data].every((v, i) => v < [1, 2, 3][i])).toBe(true);
    }
  });
});

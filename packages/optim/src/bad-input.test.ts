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

import { ArgumentError } from '@backprop/engine';
import { checkOptionKeys, optionKeys } from '@backprop/tensor';
import type { BaseOptions, Optimizer } from './optimizer.js';

/** A serialisable snapshot of a scheduler. */
export interface SchedulerState {
  type: string;
  [field: string]: unknown;
}

/** Throws `fail(…)` unless `value` is a non-negative integer (a count of epochs or steps). */
function checkCounter(value: unknown, name: string, fail: (why: string) => Error): asserts value is number {
  if (!Number.isSafeInteger(value) || (value as number) < 0)
    throw fail(`'${name}' must be a non-negative integer, got ${JSON.stringify(value)}`);
}

function checkPositive(value: unknown, type: string, option: string, allowZero = false): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new ArgumentError(`${type}: '${option}' must be a ${allowZero ? 'non-negative' : 'positive'} number, got ${String(value)}`, {
      where: type,
      argument: option,
    });
  }
  return value;
}

/**
 * Base class of the epoch-based schedules (PyTorch's `LRScheduler` semantics): construction
 * records each group's base rate; every `step()` advances one epoch and sets each group's `lr`
 * to `rate(baseLr, epoch)`. A schedule of one's own implements `rate`; if epoch 0's rate is not
 * the base rate, its constructor ends with {@link LRScheduler.applyRates}.
 *
 * Schedules chain as PyTorch's do. Once something else has changed a rate this schedule set —
 * another schedule stepping the same optimizer (a warm-up and a decay), `ReduceLROnPlateau`, or
 * an assignment to `lr` — the schedule stops setting its own closed-form rate (which would undo
 * that change) and from then on applies each epoch's change to the current rate instead
 * ({@link LRScheduler.chain}: PyTorch's recursive forms for the built-in schedules). So two
 * schedules on one optimizer multiply, and a plateau's reduction is kept.
 * @example
 * // Linear warm-up over `warmup` epochs, then 1/√epoch decay.
 * class WarmupInverseSqrt extends LRScheduler {
 *   constructor(optimizer: Optimizer<BaseOptions>, readonly warmup: number) {
 *     super('WarmupInverseSqrt', optimizer);
 *     this.applyRates(); // epoch 0 starts at base / warmup
 *   }
 *   protected rate(base: number, epoch: number): number {
 *     return epoch < this.warmup ? (base * (epoch + 1)) / this.warmup : base * Math.sqrt(this.warmup / (epoch + 1));
 *   }
 * }
 */
export abstract class LRScheduler {
  /** Completed epochs. */
  epoch = 0;
  /** Each group's learning rate when the scheduler was created. */
  readonly baseLrs: number[];
  /**
   * Whether something else has changed a rate this schedule set: it then chains its changes onto
   * the current rates (see the class description).
   */
  chained = false;
  /** The rate of each group as this schedule left it: another rate at the next step means something else changed it. */
  private lastLrs: number[];

  protected constructor(
    readonly type: string,
    readonly optimizer: Optimizer<BaseOptions>,
  ) {
    if (!optimizer || !Array.isArray(optimizer.paramGroups))
      throw new ArgumentError(`${type}: expected an optimizer`, { where: type, argument: 'optimizer' });
    this.baseLrs = optimizer.paramGroups.map((g) => g.lr);
    this.lastLrs = [...this.baseLrs];
  }

  /** The learning rate of a group with base rate `baseLr` after `epoch` epochs. */
  protected abstract rate(baseLr: number, epoch: number): number;

  /**
   * The rate for `epoch` of a group whose rate is `current` after `epoch − 1`, when the schedule
   * chains onto rates something else changed. This default applies the closed form's change over
   * the epoch: `current · rate(base, epoch) / rate(base, epoch − 1)` (or the closed-form rate
   * when the previous one is 0, which no factor can change); the built-in schedules override it
   * with PyTorch's recursive forms.
   */
  protected chain(current: number, base: number, epoch: number): number {
    const before = this.rate(base, epoch - 1);
    const after = this.rate(base, epoch);
    if (after === before) return current;
    return before === 0 ? after : current * (after / before);
  }

  /** Advances one epoch and updates the optimizer's learning rates. */
  step(): void {
    this.epoch++;
    const groups = this.optimizer.paramGroups;
    if (!this.chained && groups.some((g, i) => g.lr !== this.lastLrs[i])) this.chained = true;
    if (!this.chained) {
      this.applyRates();
      return;
    }
    groups.forEach((g, i) => {
      g.lr = this.chain(g.lr, this.baseLrs[i], this.epoch);
    });
    this.lastLrs = groups.map((g) => g.lr);
  }

  /**
   * Sets each group's `lr` to `rate(baseLr, epoch)` for the current epoch. `step()` calls it; a
   * schedule whose first rate is not the base rate calls it at the end of its constructor (in
   * the base constructor, the subclass's fields that `rate` reads are not set yet).
   */
  protected applyRates(): void {
    this.optimizer.paramGroups.forEach((g, i) => {
      g.lr = this.rate(this.baseLrs[i], this.epoch);
    });
    this.lastLrs = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** The current learning rate of each group. */
  get lastLr(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** Epoch, base rates, and whether (and from which rates) it chains, to resume a schedule. */
  stateDict(): SchedulerState {
    return { type: this.type, epoch: this.epoch, baseLrs: [...this.baseLrs], chained: this.chained, lastLrs: [...this.lastLrs] };
  }

  /**
   * Restores a {@link stateDict}: checks it whole first (a saved file may have been edited), then
   * changes the schedule. An unchained schedule also sets the optimizer's rates to its rates for
   * the loaded epoch (they follow from it); a chained one leaves them to the optimizer's own state
   * (`optimizer.loadStateDict`), which holds what the chain made of them.
   */
  loadStateDict(state: SchedulerState): void {
    const fail = (why: string) => new ArgumentError(`${this.type}.loadStateDict: ${why}`, { where: this.type, argument: 'state' });
    if (state?.type !== this.type || !Array.isArray(state.baseLrs) || state.baseLrs.length !== this.baseLrs.length)
      throw fail(`not a ${this.type} state for ${this.baseLrs.length} parameter groups`);
    checkCounter(state.epoch, 'epoch', fail);
    const rates = (name: string, value: unknown) => {
      if (!Array.isArray(value) || value.length !== this.baseLrs.length)
        throw fail(`'${name}' must list ${this.baseLrs.length} rates, got ${JSON.stringify(value)}`);
      value.forEach((lr, i) => {
        if (typeof lr !== 'number' || !Number.isFinite(lr) || lr < 0)
          throw fail(`'${name}[${i}]' must be a non-negative number, got ${JSON.stringify(lr)}`);
      });
      return value as number[];
    };
    const baseLrs = rates('baseLrs', state.baseLrs);
    // States saved before schedules chained have neither: the schedule then resumes unchained,
    // from the rates it would have set.
    const lastLrs = state.lastLrs === undefined ? undefined : rates('lastLrs', state.lastLrs);
    if (state.chained !== undefined && typeof state.chained !== 'boolean')
      throw fail(`'chained' must be true or false, got ${JSON.stringify(state.chained)}`);
    this.epoch = state.epoch;
    this.baseLrs.splice(0, this.baseLrs.length, ...baseLrs);
    this.chained = state.chained === true;
    if (this.chained) this.lastLrs = [...(lastLrs ?? baseLrs)];
    else this.applyRates();
  }
}

/**
 * lr = base·γ^⌊epoch/stepSize⌋.
 * @example new StepLR(opt, { stepSize: 30, gamma: 0.1 })
 */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;
  constructor(optimizer: Optimizer<BaseOptions>, options: { stepSize: number; gamma?: number }) {
    super('StepLR', optimizer);
    checkOptionKeys(options, ['stepSize', 'gamma'], 'StepLR');
    this.stepSize = checkPositive(options?.stepSize, 'StepLR', 'stepSize');
    this.gamma = checkPositive(options.gamma ?? 0.1, 'StepLR', 'gamma', true);
  }
  protected rate(base: number, epoch: number): number {
    return base * this.gamma ** Math.floor(epoch / this.stepSize);
  }
  protected override chain(current: number, _base: number, epoch: number): number {
    return epoch % this.stepSize === 0 ? current * this.gamma : current;
  }
}

/**
 * lr = base·γ^(number of milestones ≤ epoch).
 * @example new MultiStepLR(opt, { milestones: [30, 80], gamma: 0.1 })
 */
export class MultiStepLR extends LRScheduler {
  readonly milestones: number[];
  readonly gamma: number;
  constructor(optimizer: Optimizer<BaseOptions>, options: { milestones: readonly number[]; gamma?: number }) {
    super('MultiStepLR', optimizer);
    checkOptionKeys(options, ['milestones', 'gamma'], 'MultiStepLR');
    if (!Array.isArray(options?.milestones) || options.milestones.some((m) => !Number.isInteger(m) || m < 0)) {
      throw new ArgumentError(
        `MultiStepLR: 'milestones' must be an array of non-negative integers, got ${JSON.stringify(options?.milestones)}`,
        {
          where: 'MultiStepLR',
          argument: 'milestones',
        },
      );
    }
    this.milestones = [...options.milestones].sort((a, b) => a - b);
    this.gamma = checkPositive(options.gamma ?? 0.1, 'MultiStepLR', 'gamma', true);
  }
  protected rate(base: number, epoch: number): number {
    return base * this.gamma ** this.milestones.filter((m) => m <= epoch).length;
  }
  protected override chain(current: number, _base: number, epoch: number): number {
    const reached = this.milestones.filter((m) => m === epoch).length;
    return reached === 0 ? current : current * this.gamma ** reached;
  }
}

/**
 * lr = base·γ^epoch.
 * @example new ExponentialLR(opt, { gamma: 0.95 })
 */
export class ExponentialLR extends LRScheduler {
  readonly gamma: number;
  constructor(optimizer: Optimizer<BaseOptions>, options: { gamma: number }) {
    super('ExponentialLR', optimizer);
    checkOptionKeys(options, ['gamma'], 'ExponentialLR');
    this.gamma = checkPositive(options?.gamma, 'ExponentialLR', 'gamma', true);
  }
  protected rate(base: number, epoch: number): number {
    return base * this.gamma ** epoch;
  }
  protected override chain(current: number): number {
    return current * this.gamma;
  }
}

/**
 * Cosine annealing: lr = ηmin + (base − ηmin)(1 + cos(π·epoch/tMax))/2 (continuing periodically
 * past tMax, as PyTorch's closed form).
 * @example new CosineAnnealingLR(opt, { tMax: 50, etaMin: 1e-5 })
 */
export class CosineAnnealingLR extends LRScheduler {
  readonly tMax: number;
  readonly etaMin: number;
  constructor(optimizer: Optimizer<BaseOptions>, options: { tMax: number; etaMin?: number }) {
    super('CosineAnnealingLR', optimizer);
    checkOptionKeys(options, ['tMax', 'etaMin'], 'CosineAnnealingLR');
    this.tMax = checkPositive(options?.tMax, 'CosineAnnealingLR', 'tMax');
    this.etaMin = checkPositive(options.etaMin ?? 0, 'CosineAnnealingLR', 'etaMin', true);
  }
  protected rate(base: number, epoch: number): number {
    return this.etaMin + ((base - this.etaMin) * (1 + Math.cos((Math.PI * epoch) / this.tMax))) / 2;
  }
  protected override chain(current: number, base: number, epoch: number): number {
    const { tMax, etaMin } = this;
    // Leaving a minimum (epoch tMax + 1, 3·tMax + 1, …), where the ratio below would divide by 0.
    if ((epoch - 1 - tMax) % (2 * tMax) === 0) return current + ((base - etaMin) * (1 - Math.cos(Math.PI / tMax))) / 2;
    return ((1 + Math.cos((Math.PI * epoch) / tMax)) / (1 + Math.cos((Math.PI * (epoch - 1)) / tMax))) * (current - etaMin) + etaMin;
  }
}

/**
 * Linear warm-up (PyTorch's `LinearLR`): the factor goes linearly from `startFactor` (default 1/3)
 * to `endFactor` (default 1) over `totalIters` (default 5) epochs, then stays.
 * @example new LinearLR(opt, { startFactor: 0.1, totalIters: 10 }) // 10 epochs of warm-up
 */
export class LinearLR extends LRScheduler {
  readonly startFactor: number;
  readonly endFactor: number;
  readonly totalIters: number;
  constructor(optimizer: Optimizer<BaseOptions>, options: { startFactor?: number; endFactor?: number; totalIters?: number } = {}) {
    super('LinearLR', optimizer);
    options ??= {};
    checkOptionKeys(options, ['startFactor', 'endFactor', 'totalIters'], 'LinearLR');
    this.startFactor = checkPositive(options.startFactor ?? 1 / 3, 'LinearLR', 'startFactor');
    this.endFactor = checkPositive(options.endFactor ?? 1, 'LinearLR', 'endFactor', true);
    this.totalIters = checkPositive(options.totalIters ?? 5, 'LinearLR', 'totalIters');
    this.applyRates();
  }
  protected rate(base: number, epoch: number): number {
    const progress = Math.min(epoch, this.totalIters) / this.totalIters;
    return base * (this.startFactor + (this.endFactor - this.startFactor) * progress);
  }
  protected override chain(current: number, _base: number, epoch: number): number {
    if (epoch > this.totalIters) return current;
    const { startFactor: s, endFactor: e, totalIters: n } = this;
    return current * (1 + (e - s) / (n * s + (epoch - 1) * (e - s)));
  }
}

/** Options of {@link ReduceLROnPlateau}. */
export interface PlateauOptions {
  /** `'min'` (default: lower metric is better, e.g. a loss) or `'max'` (e.g. accuracy). */
  mode?: 'min' | 'max';
  /** Multiply the rate by this on a plateau (default 0.1). */
  factor?: number;
  /** Epochs without improvement tolerated before reducing (default 10). */
  patience?: number;
  /** What counts as an improvement (default 1e-4). */
  threshold?: number;
  /** `'rel'` (default: better by a factor of 1 ± threshold) or `'abs'` (by threshold). */
  thresholdMode?: 'rel' | 'abs';
  /** Epochs to wait after a reduction before counting again (default 0). */
  cooldown?: number;
  /** Lower bound of the rate (default 0). */
  minLr?: number;
  /** Reductions smaller than this are skipped (default 1e-8). */
  eps?: number;
}

const plateauKeys = optionKeys({
  mode: true,
  factor: true,
  patience: true,
  threshold: true,
  thresholdMode: true,
  cooldown: true,
  minLr: true,
  eps: true,
} satisfies Record<keyof PlateauOptions, true>);

/**
 * Reduces the learning rate by `factor` when a metric stops improving for `patience` epochs
 * (PyTorch's semantics): call `step(metric)` once per epoch.
 * @example const plateau = new ReduceLROnPlateau(opt, { patience: 3 }); plateau.step(validationLoss);
 */
export class ReduceLROnPlateau {
  readonly type = 'ReduceLROnPlateau';
  readonly mode: 'min' | 'max';
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: 'rel' | 'abs';
  readonly cooldown: number;
  readonly minLr: number;
  readonly eps: number;
  best: number;
  badEpochs = 0;
  cooldownCounter = 0;
  epoch = 0;

  constructor(
    readonly optimizer: Optimizer<BaseOptions>,
    options: PlateauOptions = {},
  ) {
    options ??= {};
    const type = 'ReduceLROnPlateau';
    checkOptionKeys(options, plateauKeys, type);
    this.mode = options.mode ?? 'min';
    this.thresholdMode = options.thresholdMode ?? 'rel';
    if (this.mode !== 'min' && this.mode !== 'max')
      throw new ArgumentError(`${type}: 'mode' must be 'min' or 'max'`, { where: type, argument: 'mode' });
    if (this.thresholdMode !== 'rel' && this.thresholdMode !== 'abs')
      throw new ArgumentError(`${type}: 'thresholdMode' must be 'rel' or 'abs'`, { where: type, argument: 'thresholdMode' });
    this.factor = checkPositive(options.factor ?? 0.1, type, 'factor');
    if (this.factor >= 1)
      throw new ArgumentError(`${type}: 'factor' must be below 1, got ${this.factor}`, { where: type, argument: 'factor' });
    this.patience = checkPositive(options.patience ?? 10, type, 'patience', true);
    this.threshold = checkPositive(options.threshold ?? 1e-4, type, 'threshold', true);
    this.cooldown = checkPositive(options.cooldown ?? 0, type, 'cooldown', true);
    this.minLr = checkPositive(options.minLr ?? 0, type, 'minLr', true);
    this.eps = checkPositive(options.eps ?? 1e-8, type, 'eps', true);
    this.best = this.mode === 'min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  }

  private isBetter(value: number): boolean {
    if (this.mode === 'min')
      return this.thresholdMode === 'rel' ? value < this.best * (1 - this.threshold) : value < this.best - this.threshold;
    return this.thresholdMode === 'rel' ? value > this.best * (1 + this.threshold) : value > this.best + this.threshold;
  }

  /** Records one epoch's metric and reduces the rate if it has stalled. */
  step(metric: number): void {
    if (typeof metric !== 'number' || Number.isNaN(metric)) {
      throw new ArgumentError(`ReduceLROnPlateau.step: the metric must be a number, got ${String(metric)}`, {
        where: this.type,
        argument: 'metric',
      });
    }
    this.epoch++;
    if (this.isBetter(metric)) {
      this.best = metric;
      this.badEpochs = 0;
    } else this.badEpochs++;
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.badEpochs = 0;
    }
    if (this.badEpochs > this.patience) {
      for (const g of this.optimizer.paramGroups) {
        const reduced = Math.max(g.lr * this.factor, this.minLr);
        if (g.lr - reduced > this.eps) g.lr = reduced;
      }
      this.cooldownCounter = this.cooldown;
      this.badEpochs = 0;
    }
  }

  /** The current learning rate of each group. */
  get lastLr(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  /**
   * Counters and best value, to resume. Before the first metric the best value is ±∞, which JSON
   * cannot hold: it is `null` then, and {@link loadStateDict} reads `null` back as ±∞.
   */
  stateDict(): SchedulerState {
    const best = Number.isFinite(this.best) ? this.best : null;
    return { type: this.type, best, badEpochs: this.badEpochs, cooldownCounter: this.cooldownCounter, epoch: this.epoch };
  }

  /** Restores a {@link stateDict}: checks it whole first (a saved file may have been edited), then changes the counters. */
  loadStateDict(state: SchedulerState): void {
    const fail = (why: string) => new ArgumentError(`ReduceLROnPlateau.loadStateDict: ${why}`, { where: this.type, argument: 'state' });
    if (state?.type !== this.type) throw fail('not a ReduceLROnPlateau state');
    const best = state.best ?? (this.mode === 'min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY);
    if (typeof best !== 'number' || Number.isNaN(best))
      throw fail(`'best' must be a number (or null before the first metric), got ${JSON.stringify(best)}`);
    for (const key of ['badEpochs', 'cooldownCounter', 'epoch'] as const) checkCounter(state[key], key, fail);
    this.best = best;
    this.badEpochs = state.badEpochs as number;
    this.cooldownCounter = state.cooldownCounter as number;
    this.epoch = state.epoch as number;
  }
}

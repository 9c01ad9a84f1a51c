import { ArgumentError, fromArray, NDArray, type Tensor } from '@backprop/engine';
import { jacobians } from '@backprop/engine/testing';
import {
  checkSettings,
  finishReport,
  type GradcheckOptions,
  type GradcheckReport,
  gradcheckKeys,
  refuseRandom,
  toInputReport,
  withFixedDraws,
} from './gradcheck.js';

/** Anything with named parameters and a forward pass — a `Module` of `@backprop/layers`, structurally. */
export interface CheckableModule {
  namedParameters(): [string, Tensor][];
  /** State that forward passes may update (batch normalisation's running statistics): put back after the check. */
  namedBuffers?(): [string, Tensor][];
  forward(...inputs: Tensor[]): Tensor;
}

/** Options of {@link gradcheckModule}. */
export interface GradcheckModuleOptions extends Omit<GradcheckOptions, 'inputs'> {
  /** Turns the module's output into the function checked (default: the output itself). E.g. a loss. */
  output?: (y: Tensor) => Tensor;
  /** Also check the gradients with respect to the (float) inputs (default true). */
  checkInputs?: boolean;
}

const moduleKeys = [...gradcheckKeys.filter((key) => key !== 'inputs'), 'output', 'checkInputs'];

/**
 * Gradient check of a whole module: the gradient of its output (or of `options.output(y)`, e.g.
 * a loss) with respect to every parameter and the inputs, against central differences. The
 * module's parameters must be float64 (build layers with `{ dtype: 'float64' }`); they are
 * perturbed in place and restored, and so are its buffers, which the many forward passes of a
 * check in training mode would move (batch normalisation's running statistics), and the global
 * random generator. Each row of the report is named (`input 0`, `fc1.weight`). Draws from the
 * global generator (dropout in training mode) are the same in every forward pass of the check,
 * so such a module is checked for one fixed mask; a module random otherwise (a generator of its
 * own, such as a seeded `Dropout`) is refused before checking — two forward passes on the same
 * input must agree — rather than reported as wrong gradients: put it in eval mode.
 * @example
 * gradcheckModule(new Dense(3, 2, { dtype: 'float64' }), [randn([4, 3], { dtype: 'float64' })]);
 */
export function gradcheckModule(module: CheckableModule, inputs: readonly Tensor[], options: GradcheckModuleOptions = {}): GradcheckReport {
  if (typeof module?.namedParameters !== 'function' || typeof module.forward !== 'function') {
    throw new ArgumentError('gradcheckModule: module must have namedParameters() and forward()', {
      where: 'gradcheckModule',
      argument: 'module',
    });
  }
  if (!Array.isArray(inputs))
    throw new ArgumentError('gradcheckModule: inputs must be an array of tensors', { where: 'gradcheckModule', argument: 'inputs' });
  const named = module.namedParameters().filter(([, p]) => p.requiresGrad);
  const wrong = named.filter(([, p]) => p.dtype !== 'float64').map(([name]) => name);
  if (wrong.length) {
    throw new ArgumentError(
      `gradcheckModule: parameters must be float64 for a meaningful check, but ${wrong.join(', ')} ${wrong.length > 1 ? 'are' : 'is'} not (build layers with { dtype: 'float64' })`,
      { where: 'gradcheckModule', argument: 'module' },
    );
  }
  const checkInputs = options.checkInputs ?? true;
  // Fresh float64 copies of the inputs (perturbed in place during the check, never the caller's).
  const xs = inputs.map((t) =>
    t.dtype === 'int32' ? t : fromArray(new NDArray(Float64Array.from(t.value.data), t.shape), { requiresGrad: checkInputs }),
  );
  const all = [...xs, ...named.map(([, p]) => p)];
  const checked = all.map((_, i) => i).filter((i) => (i < xs.length ? checkInputs && xs[i].dtype !== 'int32' : true));
  const names = all.map((_, i) => (i < xs.length ? `input ${i}` : named[i - xs.length][0]));
  const output = options.output ?? ((y: Tensor) => y);
  const settings = checkSettings(options, moduleKeys, 'gradcheckModule');
  const run = (...args: Tensor[]) => output(module.forward(...args.slice(0, xs.length)));
  const buffers = (module.namedBuffers?.() ?? []).map(([, t]) => [t, t.value.data.slice()] as const);
  let pairs: ReturnType<typeof jacobians>;
  try {
    pairs = withFixedDraws(run, (fixed) => {
      refuseRandom(fixed, all, 'gradcheckModule', 'module', 'call eval() on it first');
      return jacobians(fixed, all, { eps: settings.eps, mode: settings.mode, seed: options.seed, check: checked, inPlace: true });
    });
  } finally {
    for (const [t, data] of buffers) t.value.data.set(data);
  }
  const results = pairs.map((pair) => ({ ...toInputReport(pair, settings.atol, settings.rtol), name: names[pair.input] }));
  return finishReport(results, settings, options.raiseException !== false);
}

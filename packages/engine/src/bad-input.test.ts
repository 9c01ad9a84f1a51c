import fc from 'fast-check';
import { describe, it } from 'vitest';
import * as api from './index.js';

// Every public function and Tensor method, called with garbage, either works or throws a
// BackpropError — never a bare TypeError from deep inside.

const x = api.tensor([
  [1, 2, 3],
  [4, 5, 6],
]);
const garbage = [undefined, null, Number.NaN, -1, 1.5, 1e12, 'abc', {}, [], [Number.NaN], [-1], ['a'], x, true];

const skip = new Set([
  'Tensor',
  'NDArray',
  'Generator',
  'BackpropError',
  'ShapeError',
  'DTypeError',
  'ArgumentError',
  'GraphError',
  'AnomalyError',
  'CompileError',
  'isTensor',
  'isGradEnabled',
  'isAnomalyEnabled',
  'setGradEnabled',
  'setAnomalyMode',
  'noGradScope',
  // These take a callback and call it: garbage callbacks are the caller's TypeError.
  'noGrad',
  'enableGrad',
  'detectAnomaly',
  'grad',
  'valueAndGrad',
  // @internal, for the @backprop packages' own ops: unchecked by design (customOp is the checked door).
  'record',
]);

function expectClean(label: string, run: () => unknown): void {
  try {
    run();
  } catch (error) {
    if (!api.BackpropError.isInstance(error)) throw new Error(`${label} threw ${String(error)}`);
  }
}

const show = (args: unknown[]) => args.map((a) => (a === x ? 'x' : (JSON.stringify(a) ?? String(a)))).join(', ');

describe('engine: bad input never escapes as a bare TypeError', () => {
  const functions = Object.entries(api).filter(([name, value]) => typeof value === 'function' && !skip.has(name)) as [
    string,
    (...args: unknown[]) => unknown,
  ][];
  for (const [name, fn] of functions) {
    it(name, () => {
      fc.assert(
        fc.property(fc.array(fc.constantFrom(...garbage), { maxLength: 4 }), fc.boolean(), (args, lead) => {
          const call = lead ? [x, ...args] : args;
          expectClean(`${name}(${show(call)})`, () => fn(...call));
        }),
        { numRuns: 100 },
      );
    });
  }

  const methods = Object.getOwnPropertyNames(api.Tensor.prototype).filter(
    (m) =>
      m !== 'constructor' &&
      typeof (x as unknown as Record<string, unknown>)[m] === 'function' &&
      !['applyHooks', 'registerHook'].includes(m),
  );
  it(`Tensor methods (${methods.length})`, () => {
    for (const method of methods) {
      fc.assert(
        fc.property(fc.array(fc.constantFrom(...garbage), { maxLength: 3 }), (args) => {
          const t = api.tensor(
            [
              [1, 2],
              [3, 4],
            ],
            { requiresGrad: true },
          );
          expectClean(`tensor.${method}(${show(args)})`, () =>
            (t as unknown as Record<string, (...a: unknown[]) => unknown>)[method](...args),
          );
        }),
        { numRuns: 60 },
      );
    }
  });
});

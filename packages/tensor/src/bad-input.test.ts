import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BackpropError } from './errors.js';
import * as api from './index.js';

// Every public function, called with garbage, either works or throws a BackpropError —
// never a bare TypeError/RangeError from deep inside.

const x = api.array([
  [1, 2, 3],
  [4, 5, 6],
]);
const garbage = [undefined, null, Number.NaN, -1, 1.5, 1e12, 'abc', {}, [], [Number.NaN], [-1], ['a'], [1.5], x, true, () => 0];

const skip = new Set([
  // Classes, types and registry plumbing are not "ops".
  'NDArray',
  // @internal: the engine's tiny paths hand it arrays they have checked; unchecked by design.
  'wrapChecked',
  'Generator',
  'BackpropError',
  'ShapeError',
  'DTypeError',
  'ArgumentError',
  'FileFormatError',
  'jsBackend',
  'getBackend',
  'globalGenerator',
  // Pure predicates and formatters: total functions of their input.
  'isNDArray',
  'isDType',
  'formatShape',
  'formatNumber',
  'formatArray',
  'sizeOf',
  'stridesOf',
  'sameShape',
  'broadcastStrides',
  'reducedShape',
  'vectorProductShape',
  'promoteTypes',
  'isFloating',
  'allocate',
  'inversePermutation',
]);

const functions = Object.entries(api).filter(([name, value]) => typeof value === 'function' && !skip.has(name)) as [
  string,
  (...args: unknown[]) => unknown,
][];

describe('bad input never escapes as a bare TypeError', () => {
  for (const [name, fn] of functions) {
    it(name, () => {
      fc.assert(
        fc.property(fc.array(fc.constantFrom(...garbage), { minLength: 0, maxLength: 4 }), fc.boolean(), (args, leadWithArray) => {
          const call = leadWithArray ? [x, ...args] : args;
          try {
            fn(...call);
          } catch (error) {
            if (!BackpropError.isInstance(error)) {
              throw new Error(
                `${name}(${call.map((a) => (a === x ? 'x' : (JSON.stringify(a) ?? String(a)))).join(', ')}) threw ${String(error)}`,
              );
            }
          }
        }),
        { numRuns: 150 },
      );
    });
  }

  it('specific bad inputs name the op and the value', () => {
    expect(() => api.reshape(x, [Number.NaN, 2])).toThrow('reshape: invalid dimension NaN at index 0');
    expect(() => api.take(x, [0, 7], 1)).toThrow('take: index 7 at position 1 is out of range for axis 1 of size 3');
    // A fractional index in a plain list was truncated (1.5 picked 1) before the check.
    expect(() => api.take(x, [0, 1.5], 1)).toThrow('take: index 1.5 at position 1 is not an integer');
    expect(() => api.indexAdd(x, 1, [Number.NaN], api.zeros([2, 1]))).toThrow('indexAdd: index NaN at position 0 is not an integer');
    expect(() => api.softmax(x, 5)).toThrow('softmax: axis 5 is out of range for a tensor of rank 2');
    expect(() => api.astype(x, 'bool' as never)).toThrow('astype: unknown dtype "bool"');
    expect(() => api.concat([x, 'y' as never])).toThrow("concat: argument 'arrays[1]' must be an NDArray");
  });
});

describe('array from nested lists (a JSON file, a hand-typed literal)', () => {
  // Nested lists of numbers, some ragged, some with strings, null, booleans, NaN or objects in them.
  const leaf = fc.oneof(
    { weight: 8, arbitrary: fc.double({ noNaN: false }) },
    { weight: 1, arbitrary: fc.constantFrom<unknown>(null, 'x', true, {}, undefined, -0, Number.POSITIVE_INFINITY) },
  );
  const nested = fc.letrec<{ node: unknown }>((tie) => ({
    node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, fc.array(tie('node'), { maxLength: 4 })),
  })).node;

  it('gives an array whose shape and values follow the lists, or a BackpropError', () => {
    fc.assert(
      fc.property(nested, fc.constantFrom(undefined, 'float32', 'float64', 'int32'), (values, dtype) => {
        let made: api.NDArray;
        try {
          made = api.array(values as never, dtype === undefined ? undefined : { dtype });
        } catch (error) {
          if (!BackpropError.isInstance(error)) throw new Error(`${JSON.stringify(values)}: ${error}`);
          return;
        }
        // The shape is the lists' nesting, and the data their leaves in order.
        const leaves: unknown[] = [];
        const shape: number[] = [];
        const walk = (v: unknown, depth: number) => {
          if (Array.isArray(v)) {
            shape[depth] = v.length;
            for (const item of v) walk(item, depth + 1);
          } else leaves.push(v);
        };
        walk(values, 0);
        expect(made.size, JSON.stringify(values)).toBe(leaves.length);
        expect(made.shape.reduce((a, b) => a * b, 1)).toBe(made.size);
        leaves.forEach((v, i) => {
          expect(typeof v === 'number' || typeof v === 'boolean', `${JSON.stringify(values)} leaf ${i}`).toBe(true);
          if (dtype === 'int32') return;
          const want = dtype === 'float64' ? Number(v) : Math.fround(Number(v));
          const got = made.data[i];
          expect(Object.is(got, want) || (Number.isNaN(got) && Number.isNaN(want)), `${JSON.stringify(values)} leaf ${i}: ${got}`).toBe(
            true,
          );
        });
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 1000), seed: Number(process.env.FUZZ_SEED ?? 20261207) },
    );
  });
});

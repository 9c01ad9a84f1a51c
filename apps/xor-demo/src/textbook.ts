import { readFileSync } from 'node:fs';
import type { TracedLayer } from '@backprop/train';

/**
 * The textbook example of `--explain`: 2 inputs, 2 sigmoid hidden units, 1 sigmoid output,
 * loss ½(y − f)², x = (1, 0), y = 1, learning rate 0.5. Weights: row = input, column = hidden unit.
 */
export const textbookExample = {
  layers: [
    {
      weight: [
        [-0.07, 0.94],
        [0.22, 0.46],
      ],
      bias: [-0.46, 0.1],
      activation: 'sigmoid',
    },
    { weight: [[-0.22], [0.58]], bias: [0.78], activation: 'sigmoid' },
  ] as TracedLayer[],
  input: [1, 0],
  target: [1],
  learningRate: 0.5,
  loss: 'halfSquaredError',
};

/** What `--weights file.json` may hold: any of the fields of {@link textbookExample}. */
export type ExplainSetup = typeof textbookExample;

/** Reads `--weights`, checking each field; a problem is one line naming the file and the field. */
export function readSetup(file: string): ExplainSetup {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(
      `--weights ${file}: ${(error as NodeJS.ErrnoException).code ? `cannot read the file (${(error as NodeJS.ErrnoException).code})` : `invalid JSON (${(error as Error).message})`}`,
    );
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new Error(`--weights ${file}: expected an object with layers, input, target, learningRate, loss`);
  const setup = { ...textbookExample, ...json } as ExplainSetup;
  const numbers = (v: unknown) => Array.isArray(v) && v.length > 0 && v.every((n) => typeof n === 'number' && Number.isFinite(n));
  if (!Array.isArray(setup.layers) || setup.layers.length === 0)
    throw new Error(`--weights ${file}: 'layers' must be a non-empty list of { weight, bias, activation }`);
  setup.layers.forEach((layer, i) => {
    if (!Array.isArray(layer?.weight) || !layer.weight.every(numbers) || !numbers(layer.bias) || typeof layer.activation !== 'string') {
      throw new Error(`--weights ${file}: layers[${i}] must have 'weight' (rows of numbers), 'bias' (numbers) and 'activation' (a name)`);
    }
  });
  if (!numbers(setup.input)) throw new Error(`--weights ${file}: 'input' must be a list of numbers`);
  if (!numbers(setup.target)) throw new Error(`--weights ${file}: 'target' must be a list of numbers`);
  return setup;
}

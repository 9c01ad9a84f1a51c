import { NDArray } from '@backprop/tensor';
import { formatTrace, traceBackprop, tracedLayers, traceSteps } from '@backprop/train';
import type { Schema } from '../data.js';
import { parseDecimal } from '../decimal.js';
import { badInput, exitCodes } from '../errors.js';
import { labels } from '../labels.js';
import { openModel } from '../model-dir.js';
import { numberFlag, numbersFlag } from '../options.js';
import type { Io } from '../output.js';

/**
 * `--input` as the model's input values: one value per column of its data — numbers, and category
 * names for categorical columns, encoded as the model's data was (`encoded` holds them) — or
 * already the encoded numbers, one per input.
 */
function inputValues(text: string, schema: Schema | undefined, width: number): { values: number[]; encoded?: string[] } {
  const parts = text.split(',').map((part) => part.trim());
  const features = schema?.features;
  if (features && parts.length === features.length && features.some((f) => f.kind === 'categorical')) {
    const values: number[] = [];
    features.forEach((feature, i) => {
      const part = parts[i];
      if (feature.kind === 'categorical') {
        const k = feature.categories.indexOf(part);
        if (k < 0)
          throw badInput(
            `--input: item ${i + 1}, '${part}', is not a category of column '${feature.name}' (known: ${labels(feature.categories)})`,
          );
        values.push(...feature.categories.map((_, j) => (j === k ? 1 : 0)));
      } else {
        const n = parseDecimal(part);
        if (n === undefined) throw badInput(`--input: item ${i + 1}, '${part}', of column '${feature.name}' must be a number`);
        values.push(n);
      }
    });
    return { values, encoded: parts };
  }
  const values = numbersFlag('--input', text) as number[];
  if (values.length !== width) {
    const columns = features && features.length !== width ? `, or one value per column (${features.map((f) => f.name).join(', ')})` : '';
    throw badInput(`--input has ${values.length} values, but the model takes ${width}${columns}`);
  }
  return { values };
}

/** `backprop explain`: one forward and backward pass and one SGD step of a saved model, step by step. */
export async function explain(
  flags: { model?: string; input?: string; target?: string; lr?: string; json?: boolean },
  io: Io,
): Promise<number> {
  if (flags.input === undefined) throw badInput('--input is required: the input values, e.g. --input 1,0');
  if (flags.target === undefined) throw badInput('--target is required: the desired output, e.g. --target 1 (or a class name)');
  const learningRate = numberFlag('--lr', flags.lr ?? '0.5') as number;
  const opened = await openModel(flags.model);
  const layers = tracedLayers(opened.model);
  const schema = opened.metadata.schema;
  const { values: input, encoded } = inputValues(flags.input, schema, layers[0].weight.length);
  const scaled = opened.scaler ? [...opened.scaler.transform(new NDArray(Float64Array.from(input), [1, input.length])).data] : input;
  const outputs = layers[layers.length - 1].bias.length;
  let target: number[];
  if (schema !== undefined && (schema.target.kind === 'classes' || schema.target.kind === 'binary')) {
    const classes: readonly string[] = schema.target.classes;
    const k = classes.indexOf(flags.target.trim());
    const byNumber = classes.indexOf(String(Number(flags.target)));
    const index = k >= 0 ? k : byNumber;
    if (index < 0) throw badInput(`--target '${flags.target}': not a class of this model (classes: ${labels(classes)})`);
    target =
      schema.target.kind === 'binary' ? [schema.target.labels[index]] : Array.from({ length: outputs }, (_, i) => (i === index ? 1 : 0));
  } else {
    target = numbersFlag('--target', flags.target) as number[];
    if (target.length !== outputs) throw badInput(`--target has ${target.length} values, but the model has ${outputs} outputs`);
  }
  const loss = opened.metadata.loss ?? 'halfSquaredError';
  const trace = traceBackprop(layers, scaled, target, { learningRate, loss });
  if (flags.json) {
    io.stdout(`${JSON.stringify({ loss, steps: traceSteps(trace) })}\n`);
    return exitCodes.ok;
  }
  if (encoded) io.stdout(`(the columns (${encoded.join(', ')}) are encoded as (${input.join(', ')}))\n`);
  if (opened.scaler)
    io.stdout(`(the model standardises its input: (${input.join(', ')}) enters as (${scaled.map((v) => v.toFixed(4)).join(', ')}))\n`);
  io.stdout(`${formatTrace(trace, loss)}\n`);
  return exitCodes.ok;
}

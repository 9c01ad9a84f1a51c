import { exitCodes } from '../errors.js';
import { label, labels } from '../labels.js';
import { openModel } from '../model-dir.js';
import { cliLossName } from '../options.js';
import type { Io } from '../output.js';

/** `backprop summary`: layers, output shapes and parameter counts of a saved model. */
export async function summary(flags: { model?: string; json?: boolean }, io: Io): Promise<number> {
  const opened = await openModel(flags.model);
  const inputShape = opened.loaded.inputShape;
  const meta = opened.metadata;
  if (flags.json) {
    const shapes = inputShape ? opened.model.outputShapes([1, ...inputShape]) : {};
    const layers = opened.model.namedModules().map(([path, m]) => ({
      path,
      type: m.typeName,
      outputShape: shapes[path] ?? null,
      parameters: m
        .namedParameters()
        .filter(([n]) => !n.includes('.'))
        .reduce((n, [, p]) => n + p.size, 0),
    }));
    io.stdout(
      `${JSON.stringify({ inputShape, parameters: opened.model.parameterCount(), layers, target: meta.schema?.target ?? null, loss: meta.loss ?? null, epochs: meta.epochs ?? null })}\n`,
    );
    return exitCodes.ok;
  }
  io.stdout(`${opened.model.summary(inputShape ? [1, ...inputShape] : undefined)}\n`);
  if (meta.schema) {
    const target = meta.schema.target;
    io.stdout(
      `input: ${meta.schema.features.length} columns → ${meta.schema.inputWidth} values${opened.scaler ? ` (${(opened.loaded.preprocessing as { type: string }).type})` : ''}\n`,
    );
    io.stdout(
      `target: '${target.name}' ${target.kind === 'numeric' ? '(numeric)' : target.kind === 'probability' ? '(probabilities from 0 to 1; one output, a logit)' : `(${target.classes.length} classes: ${labels(target.classes.slice(0, 10))}${target.classes.length > 10 ? ', …' : ''}${target.kind === 'binary' ? `; one output, ${label(target.classes[1])} above 0` : ''})`}\n`,
    );
  }
  if (meta.loss) io.stdout(`trained ${meta.epochs} epochs with ${cliLossName(meta.loss)} and ${meta.optimizer}\n`);
  return exitCodes.ok;
}

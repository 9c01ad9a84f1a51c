import { confusionMatrix, type Dataset, defaultThreshold, evaluate as evaluateModel, predict } from '@backprop/train';
import { encode, loadTable, probabilityOf } from '../data.js';
import { badInput, exitCodes } from '../errors.js';
import { label } from '../labels.js';
import { openModel, requireSchema } from '../model-dir.js';
import { type Io, table } from '../output.js';

export async function evaluate(flags: { model?: string; data?: string; json?: boolean }, io: Io): Promise<number> {
  if (!flags.data) throw badInput('--data is required: a CSV or JSON file with the target column, or builtin:…');
  const opened = await openModel(flags.model);
  const schema = requireSchema(opened, flags.model as string);
  const data = loadTable(flags.data);
  const { x, y } = encode(data, schema, true);
  const inputs = opened.scaler ? opened.scaler.transform(x) : x;
  const set: Dataset = { x: inputs, y: y as NonNullable<typeof y>, length: data.rows };
  const target = schema.target;
  const classes = target.kind === 'classes' || target.kind === 'binary' ? target.classes : null;
  const metrics =
    target.kind === 'numeric'
      ? (['mse', 'mae', 'r2'] as const)
      : target.kind === 'probability'
        ? (['accuracy'] as const)
        : (['accuracy', 'precision', 'recall', 'f1'] as const);
  const result: Record<string, number> = evaluateModel(opened.model, set, { loss: opened.metadata.loss, metrics });
  // Soft targets: how far the predicted probabilities are from the targets, on average (accuracy
  // compares the sides of 0.5).
  if (target.kind === 'probability') result.probabilityMae = probabilityError(predict(opened.model, inputs).data, set.y.data);
  const matrix = classes
    ? confusionMatrix(predict(opened.model, inputs), set.y, {
        numClasses: classes.length,
        threshold: defaultThreshold(opened.metadata.loss),
      })
    : undefined;
  if (flags.json) {
    io.stdout(`${JSON.stringify({ samples: data.rows, ...result, confusionMatrix: matrix ?? null, classes })}\n`);
    return exitCodes.ok;
  }
  io.stdout(`${data.rows} samples from ${data.source}\n`);
  io.stdout(
    `${Object.entries(result)
      .map(([k, v]) => `${k} ${v.toFixed(4)}`)
      .join('  ')}\n`,
  );
  if (matrix && classes) {
    io.stdout('\nconfusion matrix (rows: true class, columns: predicted)\n');
    const names = classes.map(label);
    io.stdout(`${table([['', ...names], ...matrix.map((row, i) => [names[i], ...row.map(String)])])}\n`);
  }
  return exitCodes.ok;
}

/** The mean absolute difference between the sigmoid of each logit and its target probability. */
function probabilityError(logits: ArrayLike<number>, targets: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < logits.length; i++) total += Math.abs(probabilityOf(logits[i]) - targets[i]);
  return logits.length === 0 ? 0 : total / logits.length;
}

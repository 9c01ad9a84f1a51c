import { confusionMatrix, type Dataset, defaultThreshold, evaluate as evaluateModel, predict } from '@backprop/train';
import { encode, loadTable } from '../data.js';
import { badInput, exitCodes } from '../errors.js';
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
  const classification = schema.target.kind !== 'numeric';
  const metrics = classification ? (['accuracy', 'precision', 'recall', 'f1'] as const) : (['mse', 'mae', 'r2'] as const);
  const result = evaluateModel(opened.model, set, { loss: opened.metadata.loss, metrics });
  const matrix = classification
    ? confusionMatrix(predict(opened.model, inputs), set.y, {
        numClasses: (schema.target as { classes: string[] }).classes.length,
        threshold: defaultThreshold(opened.metadata.loss),
      })
    : undefined;
  if (flags.json) {
    io.stdout(
      `${JSON.stringify({ samples: data.rows, ...result, confusionMatrix: matrix ?? null, classes: classification ? (schema.target as { classes: string[] }).classes : null })}\n`,
    );
    return exitCodes.ok;
  }
  io.stdout(`${data.rows} samples from ${data.source}\n`);
  io.stdout(
    `${Object.entries(result)
      .map(([k, v]) => `${k} ${v.toFixed(4)}`)
      .join('  ')}\n`,
  );
  if (matrix) {
    const classes = (schema.target as { classes: string[] }).classes;
    io.stdout('\nconfusion matrix (rows: true class, columns: predicted)\n');
    io.stdout(`${table([['', ...classes], ...matrix.map((row, i) => [classes[i], ...row.map(String)])])}\n`);
  }
  return exitCodes.ok;
}

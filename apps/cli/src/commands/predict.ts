import { existsSync, statSync } from 'node:fs';
import { writeFileAtomic } from '@backprop/io/node';
import { predict as predictModel } from '@backprop/train';
import { encode, loadTable, probabilityOf } from '../data.js';
import { badInput, exitCodes } from '../errors.js';
import { openModel, requireSchema } from '../model-dir.js';
import type { Io } from '../output.js';

const quote = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

export async function predict(flags: { model?: string; data?: string; out?: string; json?: boolean }, io: Io): Promise<number> {
  if (!flags.data) throw badInput('--data is required: a CSV or JSON file with the feature columns, or builtin:…');
  if (flags.out && existsSync(flags.out) && statSync(flags.out).isDirectory())
    throw badInput(`--out ${flags.out}: is a folder; give a file name like preds.csv`);
  const opened = await openModel(flags.model);
  const schema = requireSchema(opened, flags.model as string);
  const data = loadTable(flags.data);
  const { x } = encode(data, schema, false);
  const outputs = predictModel(opened.model, opened.scaler ? opened.scaler.transform(x) : x);
  const width = outputs.size / data.rows;
  const rows: Record<string, string | number>[] = [];
  for (let r = 0; r < data.rows; r++) {
    const values = Array.from(outputs.data.subarray(r * width, (r + 1) * width));
    if (schema.target.kind === 'classes') {
      const max = Math.max(...values);
      const exps = values.map((v) => Math.exp(v - max));
      const total = exps.reduce((a, b) => a + b, 0);
      const best = values.indexOf(max);
      const row: Record<string, string | number> = { prediction: schema.target.classes[best] };
      schema.target.classes.forEach((c, k) => {
        row[`p_${c}`] = Number((exps[k] / total).toFixed(6));
      });
      rows.push(row);
    } else if (schema.target.kind === 'binary') {
      // One output with its boundary at 0: a logit (bce-with-logits), whose sigmoid is the
      // probability of the second class, or a hinge loss's margin, which is no probability.
      const [negative, positive] = schema.target.classes;
      const score = values[0];
      const row: Record<string, string | number> = { prediction: score > 0 ? positive : negative };
      if (opened.metadata.loss === 'hinge') row.score = Number(score.toPrecision(7));
      else {
        const p = probabilityOf(score);
        row[`p_${negative}`] = Number((1 - p).toFixed(6));
        row[`p_${positive}`] = Number(p.toFixed(6));
      }
      rows.push(row);
    } else if (schema.target.kind === 'probability') {
      rows.push({ prediction: Number(probabilityOf(values[0]).toFixed(6)) });
    } else rows.push({ prediction: Number(values[0].toPrecision(7)) });
  }
  const header = Object.keys(rows[0] ?? { prediction: '' });
  const csv = `${[header.map(quote).join(','), ...rows.map((row) => header.map((h) => quote(String(row[h]))).join(','))].join('\n')}\n`;
  if (flags.out) {
    await writeFileAtomic(flags.out, csv);
    if (!flags.json) io.stdout(`wrote ${rows.length} predictions to ${flags.out}\n`);
  }
  if (flags.json) io.stdout(`${JSON.stringify({ predictions: rows })}\n`);
  else if (!flags.out) io.stdout(csv);
  return exitCodes.ok;
}

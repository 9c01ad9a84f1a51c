import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BackpropError, manualSeed } from '@backprop/engine';
import { saveModel } from '@backprop/io/node';
import { activation, Dense, type Module, Sequential } from '@backprop/layers';
import { type BaseOptions, createOptimizer, type Optimizer, type OptimizerState } from '@backprop/optim';
import { type Dataset, type EpochLogs, fitAsync, type History, MinMaxScaler, type Scaler, Standardizer, split } from '@backprop/train';
import { encode, inferSchema, loadTable, looksLikeClasses, type Schema, type Table, type Task } from '../data.js';
import { badInput, CliError, exitCodes } from '../errors.js';
import { type CliMetadata, type OpenedModel, openModel, requireSchema } from '../model-dir.js';
import { activationFlag, cliLossName, integerFlag, layersFlag, lossFlag, numberFlag, optimizerFlag } from '../options.js';
import { chart, type Io, progressReporter } from '../output.js';

/** Flags of `backprop train` as commander hands them over (strings, validated here). */
export interface TrainFlags {
  data?: string;
  target?: string;
  layers?: string;
  activation?: string;
  loss?: string;
  optimizer?: string;
  lr?: string;
  epochs?: string;
  batchSize?: string;
  validationSplit?: string;
  seed?: string;
  scale?: string;
  out?: string;
  resume?: string;
  force?: boolean;
  compile?: boolean;
  json?: boolean;
}

const classificationLosses = new Set(['crossEntropy']);
/** Single-output losses of two classes, and the numbers they take as the two classes' targets. */
const binaryLosses: Record<string, [number, number]> = { binaryCrossEntropyWithLogits: [0, 1], hinge: [-1, 1] };

/** What a loss named on the command line makes of the target (without one: classes if it looks like classes). */
function taskOf(lossName: string | undefined, table: Table, target: string | undefined): Task {
  if (lossName === undefined) return looksLikeClasses(table, target) ? { kind: 'classification' } : { kind: 'regression' };
  if (classificationLosses.has(lossName)) return { kind: 'classification' };
  if (Object.hasOwn(binaryLosses, lossName)) return { kind: 'binary', labels: binaryLosses[lossName], loss: cliLossName(lossName) };
  return { kind: 'regression' };
}

const scales = ['standardize', 'minmax', 'none'];

/** The settings of a run that a resumed run continues with unless told otherwise. */
interface Settings {
  batchSize: number | undefined;
  validationSplit: number | undefined;
  seed: number | undefined;
}

/**
 * What `--resume` continues with: the saved run's split and the seed that drew it (its validation
 * rows must stay out of training), its batch size unless given; the model keeps its layers,
 * activation, scaling and target. A flag that contradicts the saved run is refused before
 * training, rather than ignored or half-applied.
 */
function resumedSettings(flags: TrainFlags, given: Settings, opened: OpenedModel, dir: string): { [K in keyof Settings]-?: number } {
  const meta = opened.metadata;
  const refuse = (flag: string, saved: string, why: string): never => {
    throw badInput(`${flag} ${flagValue(flags, flag)}: the model in ${dir} was trained with ${flag} ${saved}; ${why}`);
  };
  const keep = 'a resumed model keeps it (leave the flag out, or train a new model with --out)';
  if (flags.layers !== undefined && layersFlag(flags.layers).join(',') !== meta.hidden?.join(','))
    refuse('--layers', meta.hidden ? meta.hidden.join(',') || "'' (no hidden layer)" : 'layers it does not record', keep);
  if (flags.activation !== undefined && flags.activation !== meta.activation)
    refuse('--activation', meta.activation ?? 'an activation it does not record', keep);
  if (flags.target !== undefined && flags.target !== meta.schema?.target.name) refuse('--target', `${meta.schema?.target.name}`, keep);
  const scaling = opened.scaler ? (opened.scaler.toJSON().type === 'standardize' ? 'standardize' : 'minmax') : 'none';
  if (flags.scale !== undefined && flags.scale !== scaling) refuse('--scale', scaling, keep);
  const validationSplit = meta.validationSplit ?? 0;
  if (given.validationSplit !== undefined && given.validationSplit !== validationSplit)
    refuse('--validation-split', `${validationSplit}`, 'a different split would train on rows it validated on');
  const seed = meta.seed ?? 1;
  if (given.seed !== undefined && given.seed !== seed && validationSplit > 0)
    refuse('--seed', `${seed}`, 'the seed drew its validation rows, and another would train on them');
  return { validationSplit, seed: given.seed ?? seed, batchSize: given.batchSize ?? meta.batchSize ?? 32 };
}

/** A flag's value as given, for messages (`--validation-split` is `flags.validationSplit`). */
function flagValue(flags: TrainFlags, flag: string): string {
  const key = flag.slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()) as keyof TrainFlags;
  return JSON.stringify(flags[key]);
}

/** Refuses to replace an existing model unless --force (checked before any work is done). */
function checkOut(out: string | undefined, force: boolean | undefined, resume: string | undefined): void {
  if (!out) return;
  if (out.endsWith('.json'))
    throw badInput(`--out ${out}: a model is saved as a folder (model.json and its weights); give a folder name like models/iris`);
  if (existsSync(out)) {
    if (!statSync(out).isDirectory()) throw badInput(`--out ${out}: exists and is not a folder`);
    const isModel = existsSync(join(out, 'model.json'));
    if (isModel && !force && out !== resume) throw badInput(`--out ${out}: a model already exists there; pass --force to overwrite it`);
    if (!isModel && readdirSync(out).length > 0 && !force)
      throw badInput(`--out ${out}: the folder is not empty; pass --force to write the model into it`);
  }
}

/** `data` split into training and validation rows by `--validation-split` (none when it is 0). */
function holdOut(data: Dataset, fraction: number, seed: number): [Dataset, Dataset | undefined] {
  if (fraction === 0) return [data, undefined];
  try {
    const [kept, held] = split(data, [1 - fraction, fraction], { seed });
    return [kept, held];
  } catch (error) {
    if (!BackpropError.isInstance(error)) throw error;
    throw badInput(`--validation-split ${fraction}: ${error.message.replace(/^split: /, '')}`);
  }
}

export async function train(flags: TrainFlags, io: Io): Promise<number> {
  // Validate every flag before reading data or touching files.
  const epochs = integerFlag('--epochs', flags.epochs ?? '20') as number;
  // Unset flags stay undefined here: a resumed run takes them from the saved one.
  const given: Settings = {
    batchSize: integerFlag('--batch-size', flags.batchSize),
    validationSplit: numberFlag('--validation-split', flags.validationSplit, { allowZero: true, max: 1, maxExclusive: true }),
    seed: integerFlag('--seed', flags.seed, 0),
  };
  const lr = numberFlag('--lr', flags.lr);
  const hidden = layersFlag(flags.layers);
  const activationName = activationFlag(flags.activation);
  const lossName = lossFlag(flags.loss);
  const optimizerName = optimizerFlag(flags.optimizer);
  const scale = flags.scale ?? 'standardize';
  if (!scales.includes(scale)) throw badInput(`--scale must be ${scales.join(', ').replace(/, (?=[^,]*$)/, ' or ')}, got '${scale}'`);
  if (!flags.data) throw badInput('--data is required: a CSV or JSON file, or builtin:xor, builtin:iris, builtin:mnist');
  const out = flags.out ?? flags.resume;
  if (!out) throw badInput('--out is required: the folder to save the model in');
  checkOut(flags.out, flags.force, flags.resume);

  const table = loadTable(flags.data);
  let model: Module | undefined;
  let schema: Schema;
  let scaler: Scaler | undefined;
  let meta: Partial<CliMetadata> = {};
  let optimizerState: OptimizerState | undefined;
  let settings: { [K in keyof Settings]-?: number };
  if (flags.resume) {
    const opened = await openModel(flags.resume, '--resume');
    schema = requireSchema(opened, flags.resume);
    model = opened.model;
    scaler = opened.scaler;
    meta = opened.metadata;
    optimizerState = opened.loaded.optimizer as OptimizerState | undefined;
    settings = resumedSettings(flags, given, opened, flags.resume);
  } else {
    schema = inferSchema(table, flags.target, taskOf(lossName, table, flags.target));
    settings = { batchSize: given.batchSize ?? 32, validationSplit: given.validationSplit ?? 0, seed: given.seed ?? 1 };
  }
  const { batchSize, validationSplit, seed } = settings;
  const loss = lossName ?? meta.loss ?? (schema.target.kind === 'classes' ? 'crossEntropy' : 'mse');
  if (schema.target.kind === 'classes' && loss !== 'crossEntropy')
    throw badInput(`--loss: the target '${schema.target.name}' holds classes; use --loss cross-entropy`);
  if (schema.target.kind === 'binary' && binaryLosses[loss]?.join() !== schema.target.labels.join())
    throw badInput(
      `--loss: the model was trained for two classes with --loss ${cliLossName(meta.loss ?? '')}; resume it with the same loss`,
    );
  if (schema.target.kind === 'probability' && loss !== 'binaryCrossEntropyWithLogits')
    throw badInput(
      `--loss: the model was trained on the probabilities in '${schema.target.name}' with --loss bce-with-logits; resume it with the same loss`,
    );
  const { x, y } = encode(table, schema, true);
  if (!y) throw badInput(`${table.source}: no target column '${schema.target.name}'`);
  // The rows held out for validation, drawn as fit's validationSplit draws them (the same seed, so
  // a resumed run holds out the same rows) but here, so that the scaler is fitted on the training
  // rows alone: fitted on every row, it would carry the validation rows' statistics into training.
  const [trainRows, validationRows] = holdOut({ x, y, length: table.rows }, validationSplit, seed);
  if (!flags.resume) {
    const fitted = trainRows.x;
    scaler = scale === 'standardize' ? Standardizer.fit(fitted) : scale === 'minmax' ? MinMaxScaler.fit(fitted) : undefined;
    manualSeed(seed);
    const outputs = schema.target.kind === 'classes' ? schema.target.classes.length : 1;
    const widths = [schema.inputWidth, ...hidden, outputs];
    const layers: Module[] = [];
    for (let i = 0; i + 1 < widths.length; i++) {
      layers.push(new Dense(widths[i], widths[i + 1]));
      if (i + 2 < widths.length) layers.push(activation(activationName ?? 'relu'));
    }
    model = new Sequential(...layers);
  }
  if (!model) throw new CliError('internal error: no model', exitCodes.failure);
  const net: Module = model;
  const scaled = (rows: Dataset): Dataset => (scaler ? { ...rows, x: scaler.transform(rows.x) } : rows);
  const data = scaled(trainRows);
  const validationData = validationRows && scaled(validationRows);
  const optimizerType = optimizerName ?? meta.optimizer ?? 'adam';
  const optimizer: Optimizer<BaseOptions> = createOptimizer(optimizerType, net.parameters(), lr === undefined ? {} : { lr });
  if (optimizerState && optimizerState.type.toLowerCase() === optimizerType) {
    try {
      optimizer.loadStateDict(optimizerState);
    } catch (error) {
      if (!BackpropError.isInstance(error)) throw error;
      throw badInput(`--resume ${flags.resume}: the optimizer state in model.json does not fit the model: ${error.message}`);
    }
    if (lr !== undefined) for (const g of optimizer.paramGroups) g.lr = lr;
  }
  const metric = schema.target.kind === 'numeric' ? 'mae' : 'accuracy';
  const previous = meta.history ?? [];
  const metadata = (history: EpochLogs[]): CliMetadata => ({
    tool: 'backprop',
    schema,
    loss,
    activation: activationName ?? meta.activation ?? 'relu',
    hidden: meta.hidden ?? hidden,
    optimizer: optimizerType,
    epochs: previous.length + history.length,
    seed,
    validationSplit,
    batchSize,
    history: [...previous, ...history],
  });
  const save = (history: EpochLogs[]) =>
    saveModel(net, out, {
      inputShape: [schema.inputWidth],
      preprocessing: scaler?.toJSON(),
      metadata: metadata(history) as unknown as Record<string, unknown>,
      optimizer: optimizer.stateDict(),
    });

  const reporter = flags.json ? undefined : progressReporter(io, metric);
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  io.signal?.addEventListener('abort', onAbort);
  // A checkpoint after every epoch, one save at a time: Ctrl-C or a crash keeps the last good one.
  let saving: Promise<unknown> = Promise.resolve();
  const logs: EpochLogs[] = [];
  const started = performance.now();
  let history: History;
  try {
    history = await fitAsync(net, data, {
      epochs,
      batchSize,
      seed,
      loss,
      optimizer,
      metrics: [metric],
      validationData,
      initialEpoch: previous.length,
      compile: flags.compile === true,
      signal: controller.signal,
      onProgress: reporter?.update,
      callbacks: [
        {
          onEpochEnd: (l) => {
            logs.push(l);
            const snapshot = [...logs];
            saving = saving.then(() => save(snapshot));
          },
        },
      ],
    });
  } finally {
    reporter?.stop();
    io.signal?.removeEventListener('abort', onAbort);
  }
  await saving;
  await save(history.epochs);
  const seconds = (performance.now() - started) / 1000;
  const last = history.epochs.at(-1);
  const interrupted = history.stopReason === 'aborted';
  if (flags.json) {
    io.stdout(
      `${JSON.stringify({ out, interrupted, epochs: history.epochs.length, seconds, final: last ?? null, history: history.epochs })}\n`,
    );
  } else {
    const losses = [...previous, ...history.epochs].map((e) => e.loss);
    io.stdout(
      `${interrupted ? 'interrupted after' : 'trained'} ${history.epochs.length} epoch${history.epochs.length === 1 ? '' : 's'} in ${seconds.toFixed(1)} s on ${data.length} samples${validationData ? `, validated on ${validationData.length} held out` : ''} (${net.parameterCount().toLocaleString('en-US')} parameters)\n`,
    );
    if (last) {
      const parts = [`loss ${last.loss.toFixed(4)}`, `${metric} ${last[metric]?.toFixed(4)}`];
      if (last.valLoss !== undefined)
        parts.push(
          `val loss ${last.valLoss.toFixed(4)}`,
          `val ${metric} ${last[`val${metric[0].toUpperCase()}${metric.slice(1)}`]?.toFixed(4)}`,
        );
      io.stdout(`final: ${parts.join('  ')}\n`);
    }
    const picture = chart(losses);
    if (picture) io.stdout(`\nloss per epoch\n${picture}\n\n`);
    io.stdout(`saved the model to ${out}${interrupted ? ' (the state after the last finished batch)' : ''}\n`);
  }
  if (interrupted) throw new CliError('interrupted: training stopped cleanly after the current batch', exitCodes.interrupted);
  return exitCodes.ok;
}

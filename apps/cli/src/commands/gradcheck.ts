import { fromArray, NDArray, randn } from '@backprop/engine';
import { formatReport, gradcheckModule } from '@backprop/gradcheck';
import { type LayerConfig, layerFromConfig } from '@backprop/layers';
import { resolveLoss } from '@backprop/train';
import { encode, loadTable, type Schema } from '../data.js';
import { badInput, exitCodes } from '../errors.js';
import { openModel } from '../model-dir.js';
import { integerFlag, numberFlag } from '../options.js';
import { type Io, table } from '../output.js';

/** Every `dtype` in a layer config set to float64, so the check runs in double precision. */
function asFloat64(config: unknown): unknown {
  if (Array.isArray(config)) return config.map(asFloat64);
  if (typeof config !== 'object' || config === null) return config;
  return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, k === 'dtype' ? 'float64' : asFloat64(v)]));
}

/**
 * Targets for made-up inputs that the model's loss takes: class labels for cross-entropy, the two
 * labels in turn for a two-class target (0 and 1, or −1 and 1 for hinge), probabilities for a
 * probability target, and normal draws for numbers.
 */
function madeUpTargets(rows: number, outputs: number, lossName: string, target: Schema['target'] | undefined): NDArray {
  if (lossName === 'crossEntropy')
    return new NDArray(
      Int32Array.from({ length: rows }, (_, i) => i % outputs),
      [rows],
    );
  const labels = target?.kind === 'binary' ? target.labels : lossName === 'hinge' ? [-1, 1] : undefined;
  if (labels)
    return new NDArray(
      Float64Array.from({ length: rows * outputs }, (_, i) => labels[Math.floor(i / outputs) % 2]),
      [rows, outputs],
    );
  if (target?.kind === 'probability' || lossName === 'binaryCrossEntropyWithLogits')
    return new NDArray(
      Float64Array.from({ length: rows * outputs }, (_, i) => (i + 1) / (rows * outputs + 1)),
      [rows, outputs],
    );
  return randn([rows, outputs], { dtype: 'float64', seed: 2 }).value;
}

/** `backprop gradcheck`: the model's loss gradients against central differences, per parameter. Exit 1 on failure. */
export async function gradcheck(
  flags: { model?: string; data?: string; samples?: string; atol?: string; rtol?: string; json?: boolean },
  io: Io,
): Promise<number> {
  const samples = integerFlag('--samples', flags.samples ?? '4') as number;
  const atol = numberFlag('--atol', flags.atol ?? '1e-5') as number;
  const rtol = numberFlag('--rtol', flags.rtol ?? '1e-3') as number;
  const opened = await openModel(flags.model);
  const config = asFloat64(opened.model.getConfig()) as LayerConfig;
  const model = layerFromConfig({ ...config, ...(config.type === 'Sequential' ? {} : { dtype: 'float64' }) });
  model.loadStateDict(opened.model.stateDict());
  model.eval();
  const schema = opened.metadata.schema;
  const width = schema?.inputWidth ?? opened.loaded.inputShape?.[0];
  if (!width) throw badInput(`--model ${flags.model}: the model records no input shape, so inputs cannot be made up`);
  let x: NDArray;
  let y: NDArray | undefined;
  if (flags.data) {
    if (!schema) throw badInput(`--data: the model has no data schema, so the file's columns cannot be encoded`);
    const table = loadTable(flags.data);
    const encoded = encode(table, schema, false);
    const n = Math.min(samples, table.rows);
    x = new NDArray(Float64Array.from(encoded.x.data.subarray(0, n * width)), [n, width]);
    if (opened.scaler) x = new NDArray(Float64Array.from(opened.scaler.transform(x).data), [n, width]);
    y = encoded.y ? new NDArray(encoded.y.data.slice(0, n * (encoded.y.size / table.rows)), [n, ...encoded.y.shape.slice(1)]) : undefined;
  } else {
    x = randn([samples, width], { dtype: 'float64', seed: 1 }).value;
  }
  const outputs = model.forward(fromArray(x)).shape[1] ?? 1;
  const lossName = opened.metadata.loss ?? 'mse';
  y ??= madeUpTargets(x.shape[0], outputs, lossName, schema?.target);
  const target = fromArray(y.dtype === 'int32' ? y : new NDArray(Float64Array.from(y.data), y.shape));
  const loss = resolveLoss(lossName);
  const report = gradcheckModule(model, [fromArray(x)], {
    output: (out) => loss(out, target),
    checkInputs: false,
    atol,
    rtol,
    raiseException: false,
  });
  if (flags.json)
    io.stdout(
      `${JSON.stringify({ passed: report.passed, atol, rtol, parameters: report.inputs.map((r) => ({ name: r.name, shape: r.shape, maxAbsError: r.maxAbsError, maxRelError: r.maxRelError, passed: r.passed })) })}\n`,
    );
  else {
    io.stdout(
      `gradient check of ${lossName} on ${x.shape[0]} ${flags.data ? 'samples' : 'random inputs'}, float64, atol ${atol}, rtol ${rtol}\n`,
    );
    io.stdout(
      `${table([
        ['parameter', 'shape', 'max abs error', 'max rel error', 'result'],
        ...report.inputs.map((r) => [
          r.name ?? `#${r.input}`,
          `[${r.shape.join(', ')}]`,
          r.maxAbsError.toExponential(2),
          r.maxRelError.toExponential(2),
          r.passed ? 'ok' : 'FAIL',
        ]),
      ])}\n`,
    );
    io.stdout(report.passed ? 'all gradients agree with finite differences\n' : `${formatReport(report).split('\n')[0]}\n`);
  }
  return report.passed ? exitCodes.ok : exitCodes.failure;
}

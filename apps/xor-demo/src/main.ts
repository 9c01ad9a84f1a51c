#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { activationNames } from '@backprop/layers';
import { checkTrace, formatTrace, traceBackprop } from '@backprop/train';
import * as asciichart from 'asciichart';
import { Command, CommanderError } from 'commander';
import { readSetup, textbookExample } from './textbook.js';
import { inputs, solveRate, targets, trainXor } from './xor.js';

// `pnpm xor`: the XOR networks of the textbooks, trained, charted, explained and checked.

class UsageError extends Error {}

/** Decimal notation only (`Number()` would also take '', '0x10', '0b11' and 'Infinity'). */
const integerText = /^\s*\+?\d+\s*$/;
const decimalText = /^\s*\+?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

/** A flag's value as an integer ≥ `min`, or (`integer` false) a finite number > 0. */
const numeric =
  (flag: string, integer: boolean, min = 1) =>
  (value: string): number => {
    const n = Number(value);
    const ok =
      (integer ? integerText : decimalText).test(value) && Number.isFinite(n) && (integer ? n >= min && Number.isSafeInteger(n) : n > 0);
    if (!ok) {
      const wanted = integer ? (min === 0 ? 'an integer ≥ 0' : 'a positive integer') : 'a positive number';
      throw new UsageError(`${flag} must be ${wanted}, got '${value}'`);
    }
    return n;
  };
const positive = (flag: string, integer: boolean) => numeric(flag, integer);

function chart(losses: number[]): string {
  const points = 60;
  const step = Math.max(1, Math.floor(losses.length / points));
  const sampled = losses.filter((_, i) => i % step === 0);
  return asciichart.plot(sampled, { height: 8, format: (v: number) => v.toFixed(4).padStart(8) });
}

function train(options: {
  hidden?: number;
  activation: string;
  loss: 'half-squared-error' | 'cross-entropy';
  lr: number;
  epochs: number;
  seed: number;
}): number {
  const architectures = options.hidden ? [options.hidden] : [2, 4];
  let failures = 0;
  for (const hidden of architectures) {
    const result = trainXor({
      hidden,
      activation: options.activation,
      loss: options.loss,
      learningRate: options.lr,
      epochs: options.epochs,
      seed: options.seed,
    });
    console.log(
      `\n2-${hidden}-1 ${options.activation} network, ${options.loss === 'cross-entropy' ? 'binary cross-entropy' : '½(y − f)²'}, SGD lr ${options.lr}, ${options.epochs} epochs, seed ${options.seed}`,
    );
    console.log('input  target  output  class');
    inputs.forEach((x, i) =>
      console.log(`${x.join(' ')}    ${targets[i]}       ${result.outputs[i].toFixed(4)}  ${result.outputs[i] > 0.5 ? 1 : 0}`),
    );
    console.log(`\nloss per epoch (every ${Math.max(1, Math.floor(options.epochs / 60))}th)\n${chart(result.losses)}`);
    console.log(
      `\n${result.solved ? 'solved XOR' : 'did NOT solve XOR (a local minimum: try another --seed)'} in ${options.epochs} epochs, ${result.milliseconds.toFixed(0)} ms; final loss ${result.losses.at(-1)?.toFixed(6)}`,
    );
    if (!result.solved) failures++;
  }
  return failures === architectures.length ? 1 : 0;
}

async function main(argv: string[]): Promise<number> {
  const program = new Command('xor')
    .description('Trains the classic XOR networks (2-2-1 and 2-4-1) and explains backpropagation step by step.')
    .option('--hidden <units>', 'hidden units (default: train both 2 and 4)', positive('--hidden', true))
    .option('--activation <name>', 'hidden activation', 'sigmoid')
    .option('--loss <name>', 'half-squared-error or cross-entropy', 'half-squared-error')
    .option('--lr <rate>', 'SGD learning rate', positive('--lr', false), 0.5)
    .option('--epochs <n>', 'full-batch epochs', positive('--epochs', true), 10_000)
    .option('--seed <n>', 'seed of the initial weights', numeric('--seed', true, 0), 42)
    .option('--seeds <n>', 'train from seeds 1..n and count how many solve XOR, per architecture', positive('--seeds', true))
    .option('--explain', 'print one forward and backward pass and one SGD step, step by step (default: the textbook example)')
    .option('--weights <file>', 'with --explain or --check: the network, input, target, learning rate and loss to use (JSON)')
    .option('--check <values.json>', 'compare hand-computed values with the correct ones and point at the first that differs')
    .exitOverride()
    .configureOutput({ outputError: () => {} });
  try {
    program.parse(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return 0;
      console.error(`xor: ${error.message.replace(/^error: /, '')}`);
      return 2;
    }
    if (error instanceof UsageError) {
      console.error(`xor: ${error.message}`);
      return 2;
    }
    throw error;
  }
  const o = program.opts();
  if (!activationNames.includes(o.activation)) {
    console.error(`xor: --activation: unknown activation '${o.activation}'; known: ${activationNames.join(', ')}`);
    return 2;
  }
  if (o.loss !== 'half-squared-error' && o.loss !== 'cross-entropy') {
    console.error(`xor: --loss must be half-squared-error or cross-entropy, got '${o.loss}'`);
    return 2;
  }
  if (o.explain || o.check || o.weights) {
    let setup = textbookExample;
    try {
      if (o.weights) setup = readSetup(o.weights);
      const trace = traceBackprop(setup.layers, setup.input, setup.target, { learningRate: setup.learningRate, loss: setup.loss });
      if (o.explain || !o.check) console.log(formatTrace(trace, setup.loss === 'halfSquaredError' ? '½(y − f)²' : setup.loss));
      if (o.check) {
        let values: Record<string, unknown>;
        try {
          values = JSON.parse(readFileSync(o.check, 'utf8'));
        } catch (error) {
          throw new Error(
            `--check ${o.check}: ${(error as NodeJS.ErrnoException).code ? `cannot read the file (${(error as NodeJS.ErrnoException).code})` : `invalid JSON (${(error as Error).message})`}`,
          );
        }
        const { checked, difference } = checkTrace(trace, values);
        if (!difference) {
          console.log(`\ncheck: all ${checked} values in ${o.check} agree with the correct ones (to 4 decimals)`);
          return 0;
        }
        const at = difference.index.length ? `[${difference.index.map((i) => i + 1).join('][')}]` : '';
        console.log(
          `\ncheck: ${checked - 1} value${checked === 2 ? '' : 's'} agree, then the first difference is the ${difference.label}${at}: ` +
            `you have ${difference.given}, the correct value is ${difference.correct.toFixed(4)} (off by ${(difference.given - difference.correct).toFixed(4)}); every value computed from it inherits the slip`,
        );
        return 1;
      }
      return 0;
    } catch (error) {
      console.error(`xor: ${(error as Error).message.split('\n')[0]}`);
      return 2;
    }
  }
  if (o.seeds) {
    const architectures = o.hidden ? [o.hidden] : [2, 4];
    console.log(
      `training XOR from seeds 1..${o.seeds} (${o.activation}, ${o.loss}, lr ${o.lr}, ${o.epochs} epochs); solved = all four outputs on the right side of 0.5`,
    );
    for (const hidden of architectures) {
      const rate = solveRate(o.seeds, { hidden, activation: o.activation, loss: o.loss, learningRate: o.lr, epochs: o.epochs });
      console.log(
        `2-${hidden}-1: ${rate.solved}/${rate.runs} seeds solve XOR (${((rate.solved / rate.runs) * 100).toFixed(0)}%), ${(rate.milliseconds / 1000).toFixed(1)} s`,
      );
    }
    return 0;
  }
  return train({ hidden: o.hidden, activation: o.activation, loss: o.loss, lr: o.lr, epochs: o.epochs, seed: o.seed });
}

process.exitCode = await main(process.argv.slice(2));

import { Command, CommanderError, Option } from 'commander';
import { evaluate } from './commands/evaluate.js';
import { explain } from './commands/explain.js';
import { gradcheck } from './commands/gradcheck.js';
import { predict } from './commands/predict.js';
import { summary } from './commands/summary.js';
import { train } from './commands/train.js';
import { describeError, exitCodes } from './errors.js';
import type { Io } from './output.js';

export const version = '0.1.0';

const exitCodeHelp = `
Exit codes:
  0    success
  1    failure: a failed gradient check, a loss that became NaN, an internal error
  2    bad usage or bad input (flags, data files, model folders); nothing is written
  130  interrupted (Ctrl-C): training stopped after the current batch and the model was saved`;

/**
 * Runs the `backprop` command with `argv` (without `node` and the script) and returns the exit
 * code; all output goes through `io`, so tests run it in-process.
 */
export async function run(argv: readonly string[], io: Io): Promise<number> {
  let code: number = exitCodes.ok;
  const program = new Command('backprop')
    .description('Train, evaluate, explain and check neural networks built with the @backprop packages.')
    .version(version, '-v, --version')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr, outputError: () => {} })
    .showSuggestionAfterError(true)
    .addHelpText('after', exitCodeHelp);
  const action =
    <F>(fn: (flags: F, io: Io) => Promise<number>) =>
    async (flags: F) => {
      code = await fn(flags, io);
    };
  const json = new Option('--json', 'print one JSON document for scripts instead of text');
  program
    .command('train')
    .description('train a network on a CSV/JSON file or a built-in data set and save it')
    .option('--data <source>', 'file.csv, file.json, builtin:xor, builtin:iris or builtin:mnist')
    .option('--target <column>', 'the column to predict (default: the last one)')
    .option('--layers <sizes>', 'hidden layer sizes, e.g. 64,32 (default: none)')
    .option('--activation <name>', 'hidden activation (default relu)')
    .option(
      '--loss <name>',
      'cross-entropy, mse, half-squared-error, mae, huber, smooth-l1, bce-with-logits, hinge (default: cross-entropy for classes, mse for numbers; bce-with-logits and hinge need exactly two classes)',
    )
    .option('--optimizer <name>', 'sgd, adam, adamw, rmsprop, adagrad (default adam)')
    .option('--lr <rate>', "learning rate (default: the optimizer's)")
    .option('--epochs <n>', 'passes over the data', '20')
    .option('--batch-size <n>', "samples per step (default 32; with --resume, the saved run's)")
    .option('--validation-split <fraction>', "hold out this fraction for validation (default 0; with --resume, the saved run's)")
    .option('--seed <n>', "seed of initialisation, shuffling and the split (default 1; with --resume, the saved run's)")
    .option(
      '--scale <how>',
      'input scaling: standardize, minmax or none (default standardize), fitted on the training rows (not the validation ones)',
    )
    .option('--out <dir>', 'folder to save the model in (refuses an existing model without --force)')
    .option('--resume <dir>', 'continue training a saved model: its optimizer state, validation split, seed and batch size')
    .option('--force', 'overwrite an existing model in --out')
    .option('--compile', 'run each training step as one generated function: faster for small networks, slower for large layers')
    .addOption(json)
    .addHelpText(
      'after',
      '\nExample:\n  backprop train --data builtin:iris --layers 16 --activation relu --loss cross-entropy --epochs 50 --out models/iris',
    )
    .action(action(train));
  program
    .command('evaluate')
    .description('metrics of a saved model on labelled data, with a confusion matrix for classes')
    .option('--model <dir>', 'the saved model')
    .option('--data <source>', 'a file or builtin:… with the target column')
    .addOption(json)
    .addHelpText('after', '\nExample:\n  backprop evaluate --model models/iris --data builtin:iris')
    .action(action(evaluate));
  program
    .command('predict')
    .description("a saved model's predictions for each row of a file")
    .option('--model <dir>', 'the saved model')
    .option('--data <source>', 'a file or builtin:… with the feature columns')
    .option('--out <file>', 'write the predictions as CSV (default: print them)')
    .addOption(json)
    .addHelpText('after', '\nExample:\n  backprop predict --model models/iris --data flowers.csv --out preds.csv')
    .action(action(predict));
  program
    .command('explain')
    .description('one forward and backward pass and one SGD step, printed step by step')
    .option('--model <dir>', 'the saved model (Dense layers with activations)')
    .option('--input <values>', 'the input, e.g. 1,0: one value per column of the data (categories by name), or the encoded values')
    .option('--target <value>', 'the desired output, e.g. 1, or a class name')
    .option('--lr <rate>', 'learning rate of the step', '0.5')
    .addOption(json)
    .addHelpText('after', '\nExample:\n  backprop explain --model models/xor --input 1,0 --target 1 --lr 0.5')
    .action(action(explain));
  program
    .command('gradcheck')
    .description("checks the model's gradients against finite differences, per parameter (exit 1 if any disagrees)")
    .option('--model <dir>', 'the saved model')
    .option('--data <source>', 'take inputs and targets from this data (default: random inputs)')
    .option('--samples <n>', 'how many samples', '4')
    .option('--atol <tolerance>', 'absolute tolerance', '1e-5')
    .option('--rtol <tolerance>', 'relative tolerance', '1e-3')
    .addOption(json)
    .addHelpText('after', '\nExample:\n  backprop gradcheck --model models/iris')
    .action(action(gradcheck));
  program
    .command('summary')
    .description('layers, output shapes and parameter counts of a saved model')
    .option('--model <dir>', 'the saved model')
    .addOption(json)
    .addHelpText('after', '\nExample:\n  backprop summary --model models/iris')
    .action(action(summary));
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0 || error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return exitCodes.ok;
      io.stderr(`${error.message.replace(/^error: /, 'backprop: ')}\n`);
      return exitCodes.badInput;
    }
    const { message, exitCode } = describeError(error);
    io.stderr(`backprop: ${message}\n`);
    return exitCode;
  }
}

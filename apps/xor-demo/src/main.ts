#!/usr/bin/env node
/**
 * The XOR demo: trains a 2-4-1 sigmoid network on XOR and prints what it learned.
 * Usage: pnpm xor
 */
import { inputs, targets, trainXor } from './xor.js';

const result = trainXor({
  onProgress: (epoch, loss) => console.log(`epoch ${String(epoch).padStart(6)}  loss ${loss.toFixed(6)}`),
  every: 2000,
});
console.log('\ninput  target  output  class');
result.outputs.forEach((o, i) => {
  console.log(`${inputs[i].join(' ')}    ${targets[i]}       ${o.toFixed(4)}  ${o > 0.5 ? 1 : 0}`);
});
console.log(`\n${result.solved ? 'solved' : 'NOT solved'} XOR in ${result.losses.length} epochs, ${result.milliseconds.toFixed(0)} ms`);
process.exitCode = result.solved ? 0 : 1;

import { arithmeticOps, type CompiledOp } from './emit.js';
import { broadcastTo, concat, fold2d, maxPool2d, permute, slice, sumTo, take, unfold2d } from './layout.js';
import { linear, matmul } from './products.js';

/** The built-in ops `compileBackward` can compile, by recorded name. */
export const builtinOps: Readonly<Record<string, CompiledOp>> = {
  ...arithmeticOps,
  matmul,
  linear,
  unfold2d,
  fold2d,
  maxPool2d,
  take,
  slice,
  permute,
  broadcastTo,
  sumTo,
  concat,
};

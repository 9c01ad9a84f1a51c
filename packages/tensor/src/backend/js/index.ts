import type { Backend } from '../backend.js';
import { convolutionsOf } from './conv.js';
import { binary, unary, where } from './elementwise.js';
import { gemm, withRowBias } from './gemm.js';
import { im2col } from './im2col.js';
import { copy, gather, take } from './indexing.js';
import { adam } from './optim.js';
import { maxPool } from './pool.js';
import { argReduce, reduce } from './reduce.js';
import { softmax } from './softmax.js';

/**
 * The plain-TypeScript backend: runs everywhere, and is the reference every faster backend is
 * tested against.
 */
export const jsBackend: Backend = {
  name: 'js',
  ...convolutionsOf({ im2col, gemm }),
  unary,
  binary,
  where,
  gemm,
  gemmRowBias: withRowBias(gemm),
  reduce,
  argReduce,
  softmax,
  copy,
  take,
  gather,
  im2col,
  maxPool,
  adam,
};

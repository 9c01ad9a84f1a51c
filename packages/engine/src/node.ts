import type { Tensor } from './tensor.js';

/**
 * The vector-Jacobian product of one recorded op: given the gradient `dy` of its output `y`,
 * returns one gradient per input (`null` where an input needs none). It is written with engine
 * ops, so with `createGraph` the backward pass is itself recorded.
 */
export type Backward = (dy: Tensor, y: Tensor) => readonly (Tensor | null | undefined)[];

/** One recorded op in the graph: what produced a tensor, from which inputs, and how to go back. */
export interface GraphNode {
  /** The op's name, for errors and anomaly reports. */
  readonly op: string;
  /** The op's inputs, in argument order. */
  readonly inputs: readonly Tensor[];
  /** The VJP; `null` once the graph has been freed by a backward pass. */
  backward: Backward | null;
  /** The call site of the forward pass, kept only in anomaly mode. */
  readonly stack?: string;
}

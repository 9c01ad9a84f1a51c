/**
 * Recording state: whether ops are recorded for backward (grad mode) and whether every op is
 * checked for NaN/Inf (anomaly mode). Both are plain module state, changed only by calls.
 */

let gradEnabled = true;
let anomalyEnabled = false;

/** True while ops are recorded for backward. */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Turns recording on or off; returns the previous setting. Prefer {@link noGrad} or {@link noGradScope}. */
export function setGradEnabled(enabled: boolean): boolean {
  const previous = gradEnabled;
  gradEnabled = enabled;
  return previous;
}

/**
 * Runs `fn` with recording off: nothing it computes keeps a graph (evaluation, optimizer updates).
 * @example const predictions = noGrad(() => model.forward(x));
 */
export function noGrad<T>(fn: () => T): T {
  const previous = setGradEnabled(false);
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}

/** Runs `fn` with recording on, even inside {@link noGrad}. */
export function enableGrad<T>(fn: () => T): T {
  const previous = setGradEnabled(true);
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}

/** A scope that restores the previous grad mode when disposed. */
export interface GradScope {
  /** Restores the grad mode that was in force when the scope was opened. */
  restore(): void;
  [Symbol.dispose](): void;
}

function scope(enabled: boolean): GradScope {
  const previous = setGradEnabled(enabled);
  let open = true;
  const restore = () => {
    if (open) {
      gradEnabled = previous;
      open = false;
    }
  };
  // Symbol.dispose exists in Node 20 and recent browsers; elsewhere `restore()` is the way.
  return typeof Symbol.dispose === 'symbol' ? { restore, [Symbol.dispose]: restore } : ({ restore } as GradScope);
}

/**
 * Turns recording off for a block; close it with `restore()` (or let `using` do it).
 * @example
 * const scope = noGradScope();
 * try { update(params); } finally { scope.restore(); }
 * // or, with TypeScript 5.2+ explicit resource management:
 * { using _ = noGradScope(); update(params); }
 */
export function noGradScope(): GradScope {
  return scope(false);
}

/** True while anomaly detection is on. */
export function isAnomalyEnabled(): boolean {
  return anomalyEnabled;
}

/**
 * Turns anomaly detection on or off for all later ops; returns the previous setting. While on,
 * the first op whose forward or backward produces NaN or ±Infinity throws an `AnomalyError`
 * naming the op and its operands' shapes. It costs a scan of every result: use it to debug.
 */
export function setAnomalyMode(enabled: boolean): boolean {
  const previous = anomalyEnabled;
  anomalyEnabled = enabled;
  return previous;
}

/**
 * Runs `fn` with anomaly detection on.
 * @example detectAnomaly(() => loss(model.forward(x), y).backward());
 */
export function detectAnomaly<T>(fn: () => T): T {
  const previous = setAnomalyMode(true);
  try {
    return fn();
  } finally {
    anomalyEnabled = previous;
  }
}

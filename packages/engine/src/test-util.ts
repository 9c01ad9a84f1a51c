import * as T from '@backprop/tensor';

/**
 * For tests: runs `fn` on a backend of the user's own (the JS backend, counting its matrix
 * products) and returns how many products it ran; the previous backend is restored.
 */
export function countProducts(fn: () => void): number {
  const original = T.getBackend();
  let products = 0;
  T.setBackend({
    ...T.jsBackend,
    name: 'counting',
    gemm: (...args: Parameters<T.Backend['gemm']>) => {
      products++;
      T.jsBackend.gemm(...args);
    },
  });
  try {
    fn();
  } finally {
    T.setBackend(original);
  }
  return products;
}

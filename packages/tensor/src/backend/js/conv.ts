import { allocate, dtypeOf, type TypedArray } from '../../dtype.js';
import type { Backend, WindowGeometry } from '../backend.js';
import { rowBiasGemmOf } from './gemm.js';

/** The kernels a convolution is made of. */
type ConvKernels = Pick<Backend, 'im2col' | 'gemm' | 'gemmRowBias'>;

/**
 * `Backend.conv2d` and `Backend.conv2dWeightGrad` made of a backend's own `im2col` and `gemm`,
 * one image at a time (so the same bits as the whole batch's im2col and then the batched
 * product): the JS backend's, and the WebAssembly backend's for what its fused form does not take.
 */
export function convolutionsOf(kernels: ConvKernels): Required<Pick<Backend, 'conv2d' | 'conv2dWeightGrad'>> {
  const gemmRowBias = rowBiasGemmOf(kernels);
  /** Each image's columns `[taps, area]` into one scratch array, handed to `use` with the image's number. */
  const eachImage = (g: WindowGeometry, image: TypedArray, use: (columns: TypedArray, n: number) => void) => {
    const imageSize = g.channels * g.height * g.width;
    const columns = allocate(dtypeOf(image), taps(g) * g.outH * g.outW);
    const one = { ...g, batch: 1 };
    for (let n = 0; n < g.batch; n++) {
      kernels.im2col(one, image.subarray(n * imageSize, (n + 1) * imageSize), columns, 0, false);
      use(columns, n);
    }
  };
  return {
    conv2d(g, image, weight, outChannels, bias, out) {
      const k = taps(g);
      const area = g.outH * g.outW;
      eachImage(g, image, (columns, n) => {
        const at = n * outChannels * area;
        if (bias === null) kernels.gemm(false, false, outChannels, area, k, weight, 0, columns, 0, out, at);
        else gemmRowBias(false, false, outChannels, area, k, weight, 0, columns, 0, out, at, bias, 0);
      });
    },
    conv2dWeightGrad(g, image, dy, outChannels, out) {
      const k = taps(g);
      const area = g.outH * g.outW;
      eachImage(g, image, (columns, n) => {
        kernels.gemm(false, true, outChannels, k, area, dy, n * outChannels * area, columns, 0, out, n * outChannels * k);
      });
    },
  };
}

/** Rows of one image's columns: channels·kH·kW. */
export function taps(g: WindowGeometry): number {
  return g.channels * g.kernelH * g.kernelW;
}

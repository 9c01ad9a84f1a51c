import type { TypedArray } from '../../dtype.js';
import type { WindowGeometry } from '../backend.js';

/**
 * Copies every sliding window of `[batch, channels, height, width]` into columns
 * `[batch, channels·kH·kW, outH·outW]` (PyTorch's `unfold` layout); out-of-image positions read
 * `padValue`. With `accumulate`, the reverse (col2im): columns are added back into the image.
 * For each kernel tap and output row, the output columns whose input lies inside the image form
 * one contiguous range, computed once, so the inner loop has no bounds checks.
 */
export function im2col(g: WindowGeometry, image: TypedArray, columns: TypedArray, padValue: number, accumulate: boolean): void {
  const { batch, channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW, outH, outW } = g;
  const imageArea = height * width;
  let col = 0;
  for (let plane = 0; plane < batch * channels; plane++) {
    const base = plane * imageArea;
    for (let ki = 0; ki < kernelH; ki++) {
      for (let kj = 0; kj < kernelW; kj++) {
        const shift = kj * dilationW - padW; // ix = ox·strideW + shift
        const lo = Math.min(outW, Math.max(0, Math.ceil(-shift / strideW)));
        const hi = Math.max(lo, Math.min(outW, Math.floor((width - 1 - shift) / strideW) + 1));
        for (let oy = 0; oy < outH; oy++, col += outW) {
          const iy = oy * strideH - padH + ki * dilationH;
          if (iy < 0 || iy >= height) {
            if (!accumulate) columns.fill(padValue, col, col + outW);
            continue;
          }
          const row = base + iy * width + shift;
          if (accumulate) {
            for (let ox = lo; ox < hi; ox++) image[row + ox * strideW] += columns[col + ox];
            continue;
          }
          if (lo > 0) columns.fill(padValue, col, col + lo);
          if (strideW === 1) columns.set(image.subarray(row + lo, row + hi), col + lo);
          else for (let ox = lo; ox < hi; ox++) columns[col + ox] = image[row + ox * strideW];
          if (hi < outW) columns.fill(padValue, col + hi, col + outW);
        }
      }
    }
  }
}

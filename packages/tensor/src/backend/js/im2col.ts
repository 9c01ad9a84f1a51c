import type { TypedArray } from '../../dtype.js';
import type { WindowGeometry } from '../backend.js';

/**
 * Copies every sliding window of `[batch, channels, height, width]` into columns
 * `[batch, channels·kH·kW, outH·outW]` (PyTorch's `unfold` layout); out-of-image positions read
 * `padValue`. With `accumulate`, the reverse (col2im): columns are added back into the image.
 */
export function im2col(g: WindowGeometry, image: TypedArray, columns: TypedArray, padValue: number, accumulate: boolean): void {
  const { batch, channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW, outH, outW } = g;
  const imageArea = height * width;
  let col = 0;
  for (let n = 0; n < batch; n++) {
    for (let c = 0; c < channels; c++) {
      const plane = (n * channels + c) * imageArea;
      for (let ki = 0; ki < kernelH; ki++) {
        for (let kj = 0; kj < kernelW; kj++) {
          for (let oy = 0; oy < outH; oy++) {
            const iy = oy * strideH - padH + ki * dilationH;
            const rowInside = iy >= 0 && iy < height;
            const row = plane + iy * width;
            let ix = kj * dilationW - padW;
            for (let ox = 0; ox < outW; ox++, ix += strideW, col++) {
              const inside = rowInside && ix >= 0 && ix < width;
              if (accumulate) {
                if (inside) image[row + ix] += columns[col];
              } else {
                columns[col] = inside ? image[row + ix] : padValue;
              }
            }
          }
        }
      }
    }
  }
}

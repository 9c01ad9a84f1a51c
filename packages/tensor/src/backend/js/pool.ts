import type { TypedArray } from '../../dtype.js';
import type { WindowGeometry } from '../backend.js';

/**
 * Max pooling over NCHW windows: `out[n, c, oy, ox]` is the largest value in the window (positions
 * outside the image are −∞) and `argmax` its flat index in `image` (the first maximum in row-major
 * window order; NaN counts as the maximum). A window entirely in the padding gives −∞ and index −1.
 */
export function maxPool(g: WindowGeometry, image: TypedArray, out: TypedArray, argmax: Int32Array): void {
  const { batch, channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW, outH, outW } = g;
  if (padH === 0 && padW === 0) {
    maxPoolInside(g, image, out, argmax);
    return;
  }
  let o = 0;
  for (let plane = 0; plane < batch * channels; plane++) {
    const base = plane * height * width;
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++, o++) {
        let best = Number.NEGATIVE_INFINITY;
        let at = -1;
        for (let ki = 0; ki < kernelH; ki++) {
          const iy = oy * strideH - padH + ki * dilationH;
          if (iy < 0 || iy >= height) continue;
          const row = base + iy * width;
          for (let kj = 0; kj < kernelW; kj++) {
            const ix = ox * strideW - padW + kj * dilationW;
            if (ix < 0 || ix >= width) continue;
            const v = image[row + ix];
            if (v > best || (at < 0 && v === best) || (v !== v && best === best)) {
              best = v;
              at = row + ix;
            }
          }
        }
        out[o] = best;
        argmax[o] = at;
      }
    }
  }
}

/**
 * Max pooling without padding, where every window lies inside the image: the comparisons are
 * turned into 0/1 numbers and the index of the best value moves by arithmetic, with no branch
 * (on random data the branchy loop above mispredicts about every other comparison).
 */
function maxPoolInside(g: WindowGeometry, image: TypedArray, out: TypedArray, argmax: Int32Array): void {
  const { batch, channels, height, width, kernelH, kernelW, strideH, strideW, dilationH, dilationW, outH, outW } = g;
  const rowStep = dilationH * width;
  let o = 0;
  for (let plane = 0; plane < batch * channels; plane++) {
    const base = plane * height * width;
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++, o++) {
        const start = base + oy * strideH * width + ox * strideW;
        let at = start;
        let best = image[at];
        for (let ki = 0; ki < kernelH; ki++) {
          const row = start + ki * rowStep;
          for (let kj = ki === 0 ? 1 : 0; kj < kernelW; kj++) {
            const index = row + kj * dilationW;
            const v = image[index];
            // Take v if it is larger, or if it is the first NaN (NaN counts as the maximum).
            const take = +(v > best) | (+(v !== v) & +(best === best));
            at += take * (index - at);
            best = image[at];
          }
        }
        out[o] = best;
        argmax[o] = at;
      }
    }
  }
}

import { type WindowOptions, windowGeometry } from '../ops/window.js';
import { Generator } from '../random/generator.js';
import { type ConformanceCase, expectClose, randomArray } from './check.js';

/** One case's image `[batch, channels, height, width]` and window. */
interface WindowCase extends Omit<WindowOptions, 'kernelSize'> {
  readonly dims: readonly [number, number, number, number];
  readonly kernel: readonly [number, number];
}

/** A case's geometry, as the ops compute it, with its image and kernel sizes by name. */
function geometryOf({ dims, kernel, stride, padding, dilation }: WindowCase) {
  const [batch, channels, height, width] = dims;
  const [kernelH, kernelW] = kernel;
  const geometry = windowGeometry(dims, { kernelSize: kernel, stride, padding, dilation }, 'conformance');
  return { batch, channels, height, width, kernelH, kernelW, geometry };
}

/** Sliding windows: im2col/col2im and max pooling, against the naive loops over every window position. */
export function windowCases(): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  // The float32 cases are large enough for the WebAssembly backend's kernel.
  const unfolds = [
    { dims: [2, 3, 6, 5], kernel: [3, 2], stride: [2, 1], padding: [1, 2], dilation: [1, 2], float32: false },
    { dims: [3, 4, 13, 17], kernel: [3, 3], stride: [1, 1], padding: [1, 1], dilation: [1, 1], float32: true },
    { dims: [3, 3, 14, 17], kernel: [2, 3], stride: [2, 2], padding: [0, 2], dilation: [2, 1], float32: true },
    // Rows of 75 (copied in one block) next to the short rows above (copied 4 floats at a time).
    { dims: [2, 2, 5, 75], kernel: [2, 3], stride: [1, 1], padding: [0, 1], dilation: [1, 1], float32: true },
  ] as const;
  for (const unfold of unfolds) {
    cases.push({
      name: `im2col and col2im over ${unfold.float32 ? 'float32' : 'float64'} ${JSON.stringify(unfold.dims)} windows ${JSON.stringify(unfold.kernel)}, stride ${JSON.stringify(unfold.stride)}, padding ${JSON.stringify(unfold.padding)}, dilation ${JSON.stringify(unfold.dilation)}`,
      run(backend) {
        const g = new Generator(11);
        const { batch, channels, height, width, kernelH, kernelW, geometry } = geometryOf(unfold);
        const { strideH, strideW, padH, padW, dilationH, dilationW, outH, outW } = geometry;
        const make = (values: Float64Array) => (unfold.float32 ? Float32Array.from(values) : values);
        const image = make(randomArray(g, batch * channels * height * width));
        const rows = channels * kernelH * kernelW;
        const expected = new Float64Array(batch * rows * outH * outW);
        const folded = new Float64Array(image.length);
        const columnsIn = make(randomArray(g, expected.length));
        for (let n = 0; n < batch; n++)
          for (let c = 0; c < channels; c++)
            for (let ki = 0; ki < kernelH; ki++)
              for (let kj = 0; kj < kernelW; kj++)
                for (let oy = 0; oy < outH; oy++)
                  for (let ox = 0; ox < outW; ox++) {
                    const y = oy * strideH - padH + ki * dilationH;
                    const x = ox * strideW - padW + kj * dilationW;
                    const row = (c * kernelH + ki) * kernelW + kj;
                    const at = (n * rows + row) * outH * outW + oy * outW + ox;
                    const inside = y >= 0 && y < height && x >= 0 && x < width;
                    const pixel = ((n * channels + c) * height + y) * width + x;
                    expected[at] = inside ? image[pixel] : -7;
                    if (inside) folded[pixel] += columnsIn[at];
                  }
        const columns = make(new Float64Array(expected.length));
        backend.im2col(geometry, image, columns, -7, false);
        expectClose('im2col', columns, expected, 0, 0);
        const back = make(new Float64Array(image.length));
        backend.im2col(geometry, back, columnsIn, 0, true);
        expectClose('col2im', back, folded, unfold.float32 ? 1e-6 : 1e-12, unfold.float32 ? 1e-6 : 1e-12);
      },
    });
  }
  // Float32 images of a few thousand values reach the SIMD kernels of the WebAssembly backend.
  const poolings = [
    { label: 'with padding, stride and dilation', dims: [2, 2, 7, 6], kernel: [3, 2], stride: [2, 1], padding: [1, 1], dilation: [1, 2] },
    { label: 'without padding, with NaN and −∞', dims: [3, 4, 15, 14], kernel: [3, 2], stride: [2, 2], padding: [0, 0], dilation: [2, 1] },
    { label: '2×2 stride 2, with NaN and −∞', dims: [3, 5, 14, 22], kernel: [2, 2], stride: [2, 2], padding: [0, 0], dilation: [1, 1] },
  ] as const;
  for (const pooling of poolings) {
    cases.push({
      name: `max pooling ${pooling.label}, first maximum on ties`,
      run(backend) {
        const g = new Generator(12);
        const { batch, channels, height, width, kernelH, kernelW, geometry } = geometryOf(pooling);
        const special = pooling.padding[0] === 0;
        const { strideH, strideW, padH, padW, dilationH, dilationW, outH, outW } = geometry;
        // Values on a coarse grid so that ties happen.
        const image = Float32Array.from(randomArray(g, batch * channels * height * width), (v) => Math.round(v * 2) / 2);
        if (special) {
          for (let i = 0; i < image.length; i += 7) image[i] = Number.NaN;
          for (let i = 3; i < image.length; i += 5) image[i] = Number.NEGATIVE_INFINITY;
        }
        const expectedValues: number[] = [];
        const expectedIndex: number[] = [];
        for (let plane = 0; plane < batch * channels; plane++)
          for (let oy = 0; oy < outH; oy++)
            for (let ox = 0; ox < outW; ox++) {
              let best = Number.NEGATIVE_INFINITY;
              let at = -1;
              for (let ki = 0; ki < kernelH; ki++)
                for (let kj = 0; kj < kernelW; kj++) {
                  const y = oy * strideH - padH + ki * dilationH;
                  const x = ox * strideW - padW + kj * dilationW;
                  if (y < 0 || y >= height || x < 0 || x >= width) continue;
                  const i = (plane * height + y) * width + x;
                  const v = image[i];
                  // The first position wins ties; the first NaN beats every number.
                  if (at < 0 || v > best || (Number.isNaN(v) && !Number.isNaN(best))) {
                    best = v;
                    at = i;
                  }
                }
              expectedValues.push(best);
              expectedIndex.push(at);
            }
        const out = new Float32Array(expectedValues.length);
        const argmax = new Int32Array(expectedValues.length);
        backend.maxPool(geometry, image, out, argmax);
        expectClose('maxPool values', out, expectedValues, 0, 0);
        expectClose('maxPool argmax', argmax, expectedIndex, 0, 0);
      },
    });
  }
  return cases;
}

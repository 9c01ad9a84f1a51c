import type { Points } from './playground.js';

/** Orange for class 0, blue for class 1, mixed by probability. */
function colour(p: number): [number, number, number] {
  const a: [number, number, number] = [245, 146, 62];
  const b: [number, number, number] = [50, 120, 220];
  return [0, 1, 2].map((k) => Math.round(a[k] + (b[k] - a[k]) * p)) as [number, number, number];
}

/** The decision surface as a heat map, with the data points on top. */
export function drawBoundary(canvas: HTMLCanvasElement, surface: Float32Array, size: number, points: Points): void {
  const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
  const image = ctx.createImageData(size, size);
  for (let i = 0; i < size * size; i++) {
    const [r, g, b] = colour(surface[i]);
    image.data.set([r, g, b, 150], i * 4);
  }
  const scratch = new OffscreenCanvas(size, size);
  (scratch.getContext('2d') as OffscreenCanvasRenderingContext2D).putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(scratch, 0, 0, canvas.width, canvas.height);
  for (let i = 0; i < points.n; i++) {
    const [r, g, b] = colour(points.y[i]);
    ctx.beginPath();
    ctx.arc(((points.x[2 * i] + 1) / 2) * canvas.width, ((1 - points.x[2 * i + 1]) / 2) * canvas.height, 3.5, 0, 2 * Math.PI);
    ctx.fillStyle = `rgb(${r},${g},${b})`;
    ctx.strokeStyle = 'white';
    ctx.fill();
    ctx.stroke();
  }
}

/** The network: units as circles, each weight a line whose colour is its sign and width its size. */
export function drawNetwork(canvas: HTMLCanvasElement, weights: number[][][]): void {
  const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const widths = [weights[0].length, ...weights.map((w) => w[0].length)];
  const x = (layer: number) => 30 + (layer * (canvas.width - 60)) / (widths.length - 1);
  const y = (layer: number, unit: number) => ((unit + 1) * canvas.height) / (widths[layer] + 1);
  const largest = Math.max(1e-9, ...weights.flat(2).map(Math.abs));
  weights.forEach((w, l) =>
    w.forEach((row, i) =>
      row.forEach((value, j) => {
        ctx.beginPath();
        ctx.moveTo(x(l), y(l, i));
        ctx.lineTo(x(l + 1), y(l + 1, j));
        ctx.strokeStyle = value >= 0 ? 'rgba(50,120,220,0.8)' : 'rgba(245,146,62,0.8)';
        ctx.lineWidth = 0.5 + (5 * Math.abs(value)) / largest;
        ctx.stroke();
      }),
    ),
  );
  widths.forEach((count, l) => {
    for (let u = 0; u < count; u++) {
      ctx.beginPath();
      ctx.arc(x(l), y(l, u), 9, 0, 2 * Math.PI);
      ctx.fillStyle = '#fff';
      ctx.strokeStyle = '#333';
      ctx.lineWidth = 1.5;
      ctx.fill();
      ctx.stroke();
    }
  });
}

/** The loss per epoch as a line (log scale), with the current value. */
export function drawLoss(canvas: HTMLCanvasElement, losses: readonly number[]): void {
  const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  if (losses.length < 2) return;
  const logs = losses.map((v) => Math.log10(Math.max(v, 1e-6)));
  const hi = Math.max(...logs);
  const lo = Math.min(...logs);
  ctx.beginPath();
  logs.forEach((v, i) => {
    const px = (i / (logs.length - 1)) * (canvas.width - 10) + 5;
    const py = 5 + ((hi - v) / Math.max(hi - lo, 1e-9)) * (canvas.height - 10);
    if (i === 0) ctx.moveTo(px, py);
    else ctx.lineTo(px, py);
  });
  ctx.strokeStyle = '#c0392b';
  ctx.lineWidth = 2;
  ctx.stroke();
}

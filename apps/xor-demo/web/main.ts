import { drawBoundary, drawLoss, drawNetwork } from './draw.js';
import { type DatasetName, makePoints, Playground } from './playground.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const grid = 64;
let playground: Playground | undefined;
let running = false;

function settings(): { hidden: number[]; activation: string; learningRate: number } | string {
  const hidden = $<HTMLInputElement>('hidden')
    .value.split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  if (hidden.some((h) => !Number.isInteger(h) || h < 1 || h > 64) || hidden.length > 4)
    return 'hidden layers: up to 4 comma-separated sizes from 1 to 64';
  const learningRate = Number($<HTMLInputElement>('lr').value);
  if (!(learningRate > 0 && learningRate <= 10)) return 'learning rate: a number above 0 and at most 10';
  return { hidden, activation: $<HTMLSelectElement>('activation').value, learningRate };
}

function reset(): void {
  running = false;
  const s = settings();
  $('message').textContent = typeof s === 'string' ? `— ${s}` : '';
  if (typeof s === 'string') return;
  playground = new Playground(makePoints($<HTMLSelectElement>('dataset').value as DatasetName), { ...s, seed: 1 });
  render();
  buttons();
}

function render(): void {
  if (!playground) return;
  drawBoundary($('boundary'), playground.surface(grid), grid, playground.points);
  drawNetwork($('network'), playground.weights());
  drawLoss($('loss'), playground.losses);
  const last = playground.losses.at(-1);
  $('epoch').textContent = String(playground.losses.length);
  $('loss-value').textContent = last === undefined ? '–' : last.toFixed(4);
  $('accuracy').textContent = `${(playground.accuracy() * 100).toFixed(1)}%`;
}

function buttons(): void {
  $<HTMLButtonElement>('start').disabled = running;
  $<HTMLButtonElement>('pause').disabled = !running;
  $<HTMLButtonElement>('step').disabled = running;
}

// Training runs in slices of at most ~12 ms per animation frame, so the page never freezes.
function frame(): void {
  if (!running || !playground) return;
  const until = performance.now() + 12;
  while (performance.now() < until) playground.step();
  render();
  requestAnimationFrame(frame);
}

$('start').addEventListener('click', () => {
  if (!playground) reset();
  running = true;
  buttons();
  requestAnimationFrame(frame);
});
$('pause').addEventListener('click', () => {
  running = false;
  buttons();
});
$('step').addEventListener('click', () => {
  playground?.step();
  render();
});
$('reset').addEventListener('click', reset);
for (const id of ['dataset', 'hidden', 'activation', 'lr']) $(id).addEventListener('change', reset);
reset();

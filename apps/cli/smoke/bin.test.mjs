import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const main = new URL('../dist/main.js', import.meta.url).pathname;
const backprop = (...args) => spawnSync(process.execPath, [main, ...args], { encoding: 'utf8' });

test('the built command: bad input is one line on stderr, no stack trace, exit 2', () => {
  const result = backprop('train', '--data', '/nonexistent/data.csv', '--out', '/tmp/never-written');
  assert.equal(result.status, 2);
  assert.deepEqual(result.stderr.trim().split('\n').length, 1);
  assert.match(result.stderr, /^backprop: --data \/nonexistent\/data\.csv: cannot read the file \(ENOENT\)/);
});

test('the built command: trains and summarises a model end to end', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cli-smoke-'));
  try {
    const trained = backprop('train', '--data', 'builtin:iris', '--layers', '8', '--epochs', '3', '--out', join(dir, 'iris'), '--json');
    assert.equal(trained.status, 0, trained.stderr);
    assert.equal(JSON.parse(trained.stdout).epochs, 3);
    const summary = backprop('summary', '--model', join(dir, 'iris'));
    assert.match(summary.stdout, /Total parameters: 67/);
    assert.equal(backprop('--version').stdout.trim(), '0.1.0');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the built command: Ctrl-C (SIGINT) stops training after the current batch, saves the model and exits 130', async () => {
  const { spawn } = await import('node:child_process');
  const { existsSync } = await import('node:fs');
  const dir = mkdtempSync(join(tmpdir(), 'cli-sigint-'));
  try {
    const out = join(dir, 'model');
    const child = spawn(
      process.execPath,
      [main, 'train', '--data', 'builtin:iris', '--layers', '32,32', '--epochs', '100000', '--batch-size', '1', '--out', out],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    // Wait for the first epoch line, then press Ctrl-C.
    await new Promise((resolve) => {
      const poll = setInterval(() => {
        if (stderr.includes('epoch 1/')) {
          clearInterval(poll);
          resolve();
        }
      }, 20);
    });
    child.kill('SIGINT');
    const code = await new Promise((resolve) => child.on('exit', resolve));
    assert.equal(code, 130, stderr);
    assert.match(stderr, /stopping after the current batch/);
    assert.match(stderr, /interrupted: training stopped cleanly after the current batch/);
    assert.ok(existsSync(join(out, 'model.json')));
    assert.equal(backprop('summary', '--model', out).status, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the built command: a reader that closes the pipe early (| head) ends it quietly with exit 0', async () => {
  const { spawn } = await import('node:child_process');
  const dir = mkdtempSync(join(tmpdir(), 'cli-epipe-'));
  try {
    const model = join(dir, 'mnist');
    assert.equal(backprop('train', '--data', 'builtin:mnist', '--epochs', '1', '--out', model, '--json').status, 0);
    // Thousands of prediction lines; the reader takes the first chunk and closes its end.
    const child = spawn(process.execPath, [main, 'predict', '--model', model, '--data', 'builtin:mnist'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise((resolve) => child.on('exit', resolve));
    assert.equal(stderr, '');
    assert.equal(code, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

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

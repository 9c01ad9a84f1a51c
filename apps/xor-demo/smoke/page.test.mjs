import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { launchChromium, serve } from './browser.mjs';

// End to end in a real browser: the page is the production build in dist-web, served on localhost.

const root = fileURLToPath(new URL('../dist-web/', import.meta.url));
let server;
let browser;
let url;

before(async () => {
  assert.ok(existsSync(join(root, 'index.html')), 'dist-web/index.html is missing: run the build first');
  server = await serve({ '/': root });
  url = server.url;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('the playground trains live: the loss falls, the boundary changes, the page stays responsive', async () => {
  const page = await browser.newPage({ viewport: { width: 1120, height: 580 } });
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(url);
  await page.waitForFunction(() => document.getElementById('accuracy').textContent !== '–');
  const boundaryBefore = await page.evaluate(() => document.getElementById('boundary').toDataURL());
  await page.click('#start');
  await page.waitForFunction(() => Number(document.getElementById('epoch').textContent) >= 20);
  const early = Number(await page.textContent('#loss-value'));
  // While training runs, the page answers at once (training yields every animation frame).
  const started = Date.now();
  await page.evaluate(() => document.title);
  const responseMs = Date.now() - started;
  await page.waitForFunction(() => Number(document.getElementById('epoch').textContent) >= 600, undefined, { timeout: 60_000 });
  const late = Number(await page.textContent('#loss-value'));
  await page.click('#pause');
  const boundaryAfter = await page.evaluate(() => document.getElementById('boundary').toDataURL());
  const accuracy = Number((await page.textContent('#accuracy')).replace('%', ''));
  await page.screenshot({ path: join(root, 'screenshot.png') });
  assert.deepEqual(errors, []);
  assert.ok(late < early * 0.7, `loss should fall: ${early} → ${late}`);
  assert.notEqual(boundaryAfter, boundaryBefore, 'the decision boundary picture should change');
  assert.ok(accuracy > 90, `XOR accuracy ${accuracy}%`);
  assert.ok(responseMs < 1000, `the page took ${responseMs} ms to answer while training`);
  // Pause really stops; step advances one epoch; another data set trains too.
  const paused = Number(await page.textContent('#epoch'));
  await page.waitForTimeout(200);
  assert.equal(Number(await page.textContent('#epoch')), paused);
  await page.click('#step');
  assert.equal(Number(await page.textContent('#epoch')), paused + 1);
  await page.selectOption('#dataset', 'circles');
  assert.equal(await page.textContent('#epoch'), '0');
  await page.close();
});

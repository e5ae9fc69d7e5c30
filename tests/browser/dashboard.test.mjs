// SPDX-License-Identifier: MIT
// The web dashboard in Debian's headless Chromium, driven by playwright-core.
//   node dashboard.test.mjs --serve PATH/TO/opsdeck-serve   against `opsdeck-serve --demo`
//   node dashboard.test.mjs --fake                           against FakeFeedServer (seq gaps,
//                                                            dropped connections, a token, markup)
// OPSDECK_SCREENSHOT_DIR set: saves dashboard.png there (--serve only). OPSDECK_CHROMIUM
// overrides /usr/bin/chromium. Everything it starts is stopped by pid.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { FakeFeedServer, HOSTILE_NAME } from './fakeserver.mjs';
import { freePort, log, requireModule, runTest, startProcess, waitFor } from './support.mjs';

const { chromium } = requireModule('playwright-core');

const mode = process.argv[2];
const serveBinary = process.argv[3];
const screenshotDir = process.env.OPSDECK_SCREENSHOT_DIR || '';
// The demo estate needs a few Kafka refreshes and restarts before everything shows; an ASan
// build is several times slower than a release one.
const LIVE_TIMEOUT_MS = 90000;

async function launchBrowser(profileDir) {
  return chromium.launchPersistentContext(profileDir, {
    executablePath: process.env.OPSDECK_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1500, height: 1100 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

async function withBrowser(body) {
  const profileDir = mkdtempSync(path.join(os.tmpdir(), 'opsdeck-chromium-'));
  const context = await launchBrowser(profileDir);
  try {
    const page = context.pages()[0] || await context.newPage();
    const problems = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error')
        problems.push(`console error: ${m.text()}`);
    });
    await body(page, problems);
  } finally {
    await context.close();
    rmSync(profileDir, { recursive: true, force: true });
  }
}

const tabNames = (page) => page.$$eval('#env-tabs .env-tab', (tabs) => tabs.map((t) => t.dataset.env));
const chartPoints = (page) => page.$eval('#kafka-chart', (c) => Number(c.dataset.points || 0));

async function assertTabs(page) {
  await waitFor('three environment tabs', async () => (await tabNames(page)).length === 3, LIVE_TIMEOUT_MS);
  assert.deepEqual(await tabNames(page), ['Integration', 'Staging', 'Production']);
  const productionBadge = await page.$eval('#env-tabs .env-tab[data-env="Production"]', (t) => t.classList.contains('production') && t.textContent.includes('PRODUCTION'));
  assert.ok(productionBadge, 'the Production tab is marked PRODUCTION');
}

async function selectProduction(page) {
  await page.click('#env-tabs .env-tab[data-env="Production"]');
  await waitFor('the Production tab selected', () => page.$eval('#env-tabs .env-tab[data-env="Production"]', (t) => t.getAttribute('aria-selected') === 'true'), 5000);
  assert.equal(await page.isVisible('#production-banner'), true, 'the production banner shows');
}

async function waitForCrashLoop(page, name) {
  await waitFor(`a crash-loop row for ${name}`, () => page.$$eval('#containers tr.crash-loop', (rows, n) => rows.some((r) => r.dataset.name === n && r.textContent.includes('CRASH LOOP')), name), LIVE_TIMEOUT_MS);
}

async function waitForKafka(page, group) {
  await waitFor(`Kafka group ${group}`, () => page.$$eval('#kafka-groups tbody tr', (rows, g) => rows.some((r) => r.children[1].textContent === g), group), LIVE_TIMEOUT_MS);
}

// Live content keeps moving: new Kafka lag samples arrive and extend the chart.
async function assertUpdates(page) {
  const before = await chartPoints(page);
  const lagBefore = await page.$$eval('#kafka-groups td.lag', (cells) => cells.map((c) => c.textContent).join('|'));
  // Two new points: more than a late snapshot could explain, so deltas are being applied.
  const changed = await waitFor('the Kafka chart to get new points', async () => (await chartPoints(page)) >= before + 2, LIVE_TIMEOUT_MS, 500);
  const lagAfter = await page.$$eval('#kafka-groups td.lag', (cells) => cells.map((c) => c.textContent).join('|'));
  log(`chart points ${before} -> ${await chartPoints(page)}, lag ${lagBefore} -> ${lagAfter}`);
  assert.ok(changed);
}

async function againstServe() {
  assert.ok(serveBinary, 'usage: dashboard.test.mjs --serve PATH/TO/opsdeck-serve');
  const port = await freePort();
  const serve = startProcess(serveBinary, ['--demo', '--listen', `127.0.0.1:${port}`]);
  const base = `http://127.0.0.1:${port}`;
  await waitFor('opsdeck-serve to answer /healthz', async () => {
    if (serve.exitCode !== null)
      throw new Error(`opsdeck-serve exited with ${serve.exitCode}`);
    return (await fetch(`${base}/healthz`)).status === 200;
  }, 60000, 250);
  log(`opsdeck-serve --demo up on ${base} (pid ${serve.pid})`);

  await withBrowser(async (page, problems) => {
    await page.goto(`${base}/`);
    await assertTabs(page);
    await waitFor('the connection to be live', () => page.$eval('#conn-state', (e) => e.dataset.state === 'live'), 20000);
    await selectProduction(page);
    await waitForCrashLoop(page, 'ledger-sync');
    await waitForKafka(page, 'billing');
    await waitFor('an alert in the list', () => page.$$eval('#alerts tbody tr', (rows) => rows.length > 0), LIVE_TIMEOUT_MS);
    await assertUpdates(page);
    if (screenshotDir) {
      const file = path.join(screenshotDir, 'dashboard.png');
      await page.screenshot({ path: file, fullPage: true });
      log(`screenshot saved to ${file}`);
    }
    assert.deepEqual(problems, [], 'no page errors');
  });
}

async function againstFake() {
  const fake = new FakeFeedServer({ token: 'secret-token-1' });
  const port = await fake.listen();
  const base = `http://127.0.0.1:${port}`;
  const sent = (predicate) => fake.received.filter((r) => predicate(r.message));
  try {
    await withBrowser(async (page, problems) => {
      // The token comes from the fragment, is sent as the first message, and leaves the URL.
      await page.goto(`${base}/#token=secret-token-1&env=Production`);
      await assertTabs(page);
      assert.equal(fake.received[0].message.type, 'auth', 'auth is the first message');
      assert.ok(!page.url().includes('secret-token-1'), `the token left the address bar: ${page.url()}`);
      assert.equal(await page.$eval('#env-tabs .env-tab[aria-selected="true"]', (t) => t.dataset.env), 'Production', 'env from the fragment');

      await waitForCrashLoop(page, 'ledger-sync');
      await waitForKafka(page, 'billing');
      await assertUpdates(page);

      // Alerts: every environment, critical first.
      await waitFor('alerts of all three environments', () => page.$$eval('#alerts tbody tr', (rows) => rows.length === 4), 10000);
      const severities = await page.$$eval('#alerts tbody tr td:first-child', (cells) => cells.map((c) => c.textContent));
      assert.deepEqual(severities, ['critical', 'warning', 'warning', 'warning']);

      // Text from the server is text: the hostile container name shows as written, runs nothing.
      const hostile = await page.$$eval('#containers tbody tr', (rows, n) => rows.filter((r) => r.dataset.name === n).map((r) => r.querySelector('.name').textContent), HOSTILE_NAME);
      assert.deepEqual(hostile, [HOSTILE_NAME]);
      assert.equal(await page.evaluate(() => window.__pwned), undefined, 'no markup was executed');
      assert.equal(await page.$$eval('main img', (imgs) => imgs.length), 0, 'no element made from data');

      // A lost delta: the client notices the gap, asks for a resync and keeps following.
      const restarts = () => page.$eval('#containers tr.crash-loop td.restarts', (c) => Number(c.textContent.replace(/\D/g, '')));
      fake.injectGap('Production', 'containers');
      await waitFor('a resync of Production/containers', () => sent((m) => m.type === 'resync' && m.env === 'Production' && m.topic === 'containers').length === 1, 10000);
      const afterResync = await restarts();
      await waitFor('restart counts to move on after the resync', async () => (await restarts()) > afterResync, 10000);

      // The server goes away: the page says so, reconnects, authenticates and subscribes again.
      const connectionsBefore = fake.connections;
      fake.dropClients();
      await waitFor('the page to show it is reconnecting', () => page.$eval('#conn-state', (e) => e.dataset.state === 'reconnecting'), 10000, 50);
      await waitFor('a new connection', () => fake.connections > connectionsBefore, 15000);
      await waitFor('live again', () => page.$eval('#conn-state', (e) => e.dataset.state === 'live'), 10000);
      const again = fake.received.filter((r) => r.connection === fake.connections).map((r) => r.message.type);
      assert.equal(again[0], 'auth', 'the new connection authenticates first');
      await waitFor('a fresh subscription', () => fake.received.some((r) => r.connection === fake.connections && r.message.type === 'subscribe' && r.message.env === 'Production'), 5000);
      await waitForCrashLoop(page, 'ledger-sync');
      await assertUpdates(page);

      // Switching tabs: Production's topics are dropped (alerts kept), Staging's subscribed.
      await page.click('#env-tabs .env-tab[data-env="Staging"]');
      await waitFor('the Staging subscription', () => sent((m) => m.type === 'subscribe' && m.env === 'Staging' && m.topics.includes('containers')).length > 0, 5000);
      const unsub = sent((m) => m.type === 'unsubscribe' && m.env === 'Production').pop();
      assert.ok(unsub && !unsub.message.topics.includes('alerts'), 'Production alerts stay subscribed');
      await waitFor('the stuck deployment in Staging', () => page.$$eval('#deployments tr.deployment.stuck', (rows) => rows.length === 1), 5000);
      assert.equal(await page.isVisible('#production-banner'), false);
      assert.deepEqual(problems, [], 'no page errors');
    });
  } finally {
    await fake.close();
  }
}

if (mode === '--serve')
  runTest('browser_dashboard', 240000, againstServe);
else if (mode === '--fake')
  runTest('browser_dashboard_fake', 180000, againstFake);
else {
  console.error('usage: dashboard.test.mjs --serve PATH/TO/opsdeck-serve | --fake');
  process.exit(2);
}

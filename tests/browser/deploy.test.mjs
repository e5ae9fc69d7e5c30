// SPDX-License-Identifier: MIT
// deploy/marathon/opsdeck-serve.json is a valid Marathon app that deploys: it is posted to the
// simulated Marathon of the demo estate (opsdeck-sim) and must end with every instance running
// and healthy, its health check, limits and secret volumes as written.
// Usage: node deploy.test.mjs PATH/TO/opsdeck-sim
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { log, runTest, sourceDir, startProcess, waitFor } from './support.mjs';

const simBinary = process.argv[2] || process.env.OPSDECK_SIM_BINARY;

runTest('deploy_marathon_app', 120000, async () => {
  assert.ok(simBinary, 'usage: deploy.test.mjs PATH/TO/opsdeck-sim');
  const definition = JSON.parse(readFileSync(path.join(sourceDir, 'deploy', 'marathon', 'opsdeck-serve.json'), 'utf8'));

  const sim = startProcess(simBinary, ['--no-kafka', '--time-scale', '10']);
  const endpoints = await waitFor('opsdeck-sim to print its endpoints', () => {
    const line = sim.output.split('\n').find((l) => l.startsWith('{'));
    return line && sim.output.includes(`${line}\n`) ? JSON.parse(line) : null;
  }, 60000);
  const production = endpoints.environments.find((e) => e.production);
  assert.ok(production && production.marathon.length, 'the demo estate has a Marathon in Production');
  const marathon = production.marathon[0];
  log(`posting ${definition.id} to ${marathon}`);

  const created = await fetch(`${marathon}/v2/apps`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(definition),
  });
  const createdBody = await created.text();
  assert.equal(created.status, 201, `POST /v2/apps answered ${created.status}: ${createdBody}`);

  const appUrl = `${marathon}/v2/apps${definition.id}`;
  const app = await waitFor(`${definition.id} to run ${definition.instances} healthy instance(s)`, async () => {
    const reply = await fetch(appUrl);
    if (reply.status !== 200)
      return null;
    const { app: a } = await reply.json();
    log(`running ${a.tasksRunning}/${a.instances}, healthy ${a.tasksHealthy}, deployments ${a.deployments.length}`);
    return a.tasksRunning === a.instances && a.tasksHealthy === a.instances && a.deployments.length === 0 ? a : null;
  }, 60000, 1000);

  assert.equal(app.instances, definition.instances);
  assert.equal(app.cpus, definition.cpus);
  assert.equal(app.mem, definition.mem);
  assert.equal(app.container.docker.image, definition.container.docker.image);
  assert.deepEqual(app.healthChecks.map((h) => h.path), ['/healthz']);
  assert.deepEqual(app.container.volumes.map((v) => v.secret).sort(), ['environments', 'tokens']);
  assert.deepEqual(Object.keys(app.secrets).sort(), ['environments', 'tokens']);
  assert.equal(app.upgradeStrategy.minimumHealthCapacity, 0);
  assert.equal(app.upgradeStrategy.maximumOverCapacity, 0);
  log(`${definition.id} deployed: ${app.tasksRunning} running, ${app.tasksHealthy} healthy`);
});

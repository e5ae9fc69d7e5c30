// SPDX-License-Identifier: MIT
// Helpers shared by the node tests: free ports, child processes tracked by pid, bounded waits.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const here = path.dirname(fileURLToPath(import.meta.url));
export const sourceDir = path.resolve(here, '..', '..');

/// A CommonJS package from the node_modules that run.sh installed (OPSDECK_NODE_MODULES), or
/// from tests/browser/node_modules when run by hand.
export function requireModule(name) {
  const base = process.env.OPSDECK_NODE_MODULES || here;
  return createRequire(path.join(base, 'noop.js'))(name);
}

export function log(...args) {
  console.log(`[${new Date().toISOString().slice(11, 23)}]`, ...args);
}

/// A TCP port on 127.0.0.1 that nothing listens on right now.
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/// Polls @p probe (async, returns a truthy value when done) until @p timeoutMs.
export async function waitFor(what, probe, timeoutMs, intervalMs = 250) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const value = await probe();
      if (value)
        return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${last.message})` : ''}`);
    await sleep(intervalMs);
  }
}

const children = new Set();

/// Starts @p command; its stdout and stderr are kept (last 64 KiB) for failure reports.
export function startProcess(command, args, options = {}) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  child.output = '';
  const keep = (chunk) => {
    child.output = (child.output + chunk.toString()).slice(-65536);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  child.once('error', (e) => keep(`spawn error: ${e.message}\n`));
  children.add(child);
  return child;
}

/// SIGTERM to the child's pid, SIGKILL after @p graceMs; resolves when it has exited.
export async function stopProcess(child, graceMs = 10000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) {
    children.delete(child);
    return;
  }
  process.kill(child.pid, 'SIGTERM');
  const timer = setTimeout(() => {
    if (child.exitCode === null && child.signalCode === null)
      process.kill(child.pid, 'SIGKILL');
  }, graceMs);
  await child.exited;
  clearTimeout(timer);
  children.delete(child);
}

export async function stopAll() {
  await Promise.all([...children].map((c) => stopProcess(c)));
}

/// Runs @p body with a hard time limit; every child it started is stopped by pid whatever
/// happens, and the process exits 0 on success, 1 on failure.
export async function runTest(name, limitMs, body) {
  const watchdog = setTimeout(async () => {
    console.error(`${name}: FAILED, over its time limit of ${limitMs} ms`);
    await stopAll();
    process.exit(1);
  }, limitMs);
  let failed = false;
  try {
    await body();
  } catch (e) {
    failed = true;
    console.error(`${name}: FAILED: ${e && e.stack ? e.stack : e}`);
    for (const c of children)
      console.error(`--- output of ${c.spawnfile} (pid ${c.pid}) ---\n${c.output}`);
  }
  await stopAll();
  clearTimeout(watchdog);
  console.log(failed ? `${name}: 0 passed, 1 failed` : `${name}: 1 passed, 0 failed`);
  process.exit(failed ? 1 : 0);
}

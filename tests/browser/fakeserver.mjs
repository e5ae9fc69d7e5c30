// SPDX-License-Identifier: MIT
// A small stand-in for opsdeck serve that speaks the feed protocol v1 (docs/protocol.md) with
// the `ws` package, serves resources/web, and lets the test break things on purpose: a seq gap,
// every connection dropped, a token required, text that would be markup if put in innerHTML.
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';

import { requireModule, sourceDir } from './support.mjs';

const { WebSocketServer } = requireModule('ws');

const webRoot = path.join(sourceDir, 'resources', 'web');
const contentTypes = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };
export const HOSTILE_NAME = '<img src=x onerror="window.__pwned=1">evil';

function container(host, id, name, extra = {}) {
  return {
    key: `${host}/${id}`, host, id, name, image: `${name}:1.0.0`, state: 'running', displayState: 'running',
    health: 'healthy', restartPolicy: 'unless-stopped', restartCount: 0, exitCode: 0, ports: '',
    severity: 'none', flags: [], mounts: [], startedAt: new Date().toISOString(), ...extra,
  };
}

function initialState(env, production) {
  const now = Date.now();
  const containers = {};
  for (const c of [container('host1', 'a1', 'web'), container('host2', 'b2', 'orders'),
    container('host2', 'c3', HOSTILE_NAME)])
    containers[c.key] = c;
  if (production) {
    const loop = container('host1', 'f5', 'ledger-sync', {
      state: 'restarting', displayState: 'restarting', health: 'none', restartPolicy: 'always',
      restartCount: 17, exitCode: 1, severity: 'critical',
      flags: [{ flag: 'crash-loop', label: 'crash loop', severity: 'critical', description: 'keeps exiting' }],
    });
    containers[loop.key] = loop;
  }
  const point = (t, lag) => ({ timeMs: t, lag, timeLagS: lag / 50, produceRate: 50, consumeRate: 40 });
  const groups = {};
  const history = {};
  for (const [name, lag] of [['billing', 2100], ['search', 40]]) {
    const key = `main/${name}`;
    const points = [0, 1, 2, 3, 4].map((i) => point(now - (5 - i) * 1000, lag + i * 10));
    history[key] = { key, points };
    groups[key] = {
      key, cluster: 'main', group: name, status: lag > 1000 ? 'WARN' : 'OK', lag: lag + 40,
      maxPartitionLag: lag, timeLagS: 4, timeLagIsLowerBound: false, produceRate: 50, consumeRate: 40,
      trend: 10, catchUpS: null, threshold: lag > 2000 ? 'warning' : 'none',
      thresholds: { lag: { warning: 2000, critical: 5000 } }, topics: [], point: points[4],
    };
  }
  const alerts = {};
  if (production) {
    alerts['1'] = { id: 1, key: 'docker/host1/ledger-sync/crash-loop', environment: env, source: 'docker',
      subject: 'ledger-sync', severity: 'critical', message: 'ledger-sync keeps restarting',
      since: new Date(now - 90000).toISOString(), start: new Date(now - 88000).toISOString(), end: null };
  }
  alerts['2'] = { id: production ? 2 : 3, key: `kafka/main/billing/threshold/${env}`, environment: env, source: 'kafka',
    subject: 'billing', severity: 'warning', message: 'lag over warning', since: new Date(now - 30000).toISOString(),
    start: new Date(now - 30000).toISOString(), end: null };
  return {
    hosts: { hosts: { host1: { id: 'host1', displayName: 'host1', url: 'tcp://127.0.0.1:1', state: 'connected' } } },
    containers: { containers },
    marathon: {
      status: { marathon: { url: 'http://127.0.0.1:2', state: 'connected' } },
      apps: { '/shop/orders': { id: '/shop/orders', instances: 3, running: 4, staged: 0, healthy: 3, unhealthy: 1,
        image: 'orders:1.4.3', deployments: ['d-1'] } },
      tasks: {},
      deployments: { 'd-1': { id: 'd-1', affectedApps: ['/shop/orders'], currentStep: 1, totalSteps: 1,
        progress: 0.25, stuck: true, ageMs: 600000 } },
    },
    kafka: { clusters: { main: { name: 'main', url: '127.0.0.1:3', state: 'connected' } }, groups, history },
    alerts: { alerts },
  };
}

export class FakeFeedServer {
  constructor({ token = '' } = {}) {
    this.token = token;
    this.received = [];      // every client message, in order, with the time it arrived
    this.connections = 0;
    this.environments = [
      { name: 'Integration', production: false, colour: '#2e7d32' },
      { name: 'Staging', production: false, colour: '#f9a825' },
      { name: 'Production', production: true, colour: '#c62828' },
    ].map((e) => ({ ...e, topics: e.production ? ['hosts', 'containers', 'kafka', 'alerts'] : ['hosts', 'containers', 'marathon', 'kafka', 'alerts'] }));
    this.state = new Map(this.environments.map((e) => [e.name, initialState(e.name, e.production)]));
    this.seq = new Map();   // "env/topic" -> seq
    this.gaps = new Set();  // "env/topic": the next delta skips a number
    this.clients = new Set();
  }

  async listen() {
    this.http = http.createServer((req, res) => this.serveFile(req, res));
    this.wss = new WebSocketServer({ noServer: true, maxPayload: 65536 });
    this.http.on('upgrade', (req, socket, head) => {
      if (new URL(req.url, 'http://x').pathname !== '/ws') {
        socket.destroy();
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
    });
    await new Promise((resolve) => this.http.listen(0, '127.0.0.1', resolve));
    this.port = this.http.address().port;
    this.ticker = setInterval(() => this.tick(), 500);
    return this.port;
  }

  async close() {
    clearInterval(this.ticker);
    for (const ws of this.clients)
      ws.terminate();
    await new Promise((resolve) => this.wss.close(resolve));
    await new Promise((resolve) => this.http.close(resolve));
  }

  async serveFile(req, res) {
    let name = new URL(req.url, 'http://x').pathname.replace(/^\/+/, '') || 'index.html';
    if (!/^[a-z]+\.(html|js|css)$/.test(name)) {
      res.writeHead(404).end();
      return;
    }
    try {
      const body = await readFile(path.join(webRoot, name));
      res.writeHead(200, { 'Content-Type': contentTypes[path.extname(name)] }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  }

  accept(ws) {
    ++this.connections;
    ws.subs = new Set();
    ws.role = this.token ? 'none' : 'viewer';
    this.clients.add(ws);
    ws.on('close', () => this.clients.delete(ws));
    ws.on('message', (data) => this.onMessage(ws, data.toString()));
    this.hello(ws);
  }

  hello(ws) {
    this.send(ws, { type: 'hello', protocol: 1, server: 'fake', role: ws.role,
      capabilities: ['snapshot', 'delta', 'resync', 'ping', 'alerts'], maxMessageBytes: 65536,
      topics: ['hosts', 'containers', 'marathon', 'mesos', 'kafka', 'alerts'], environments: this.environments });
  }

  send(ws, message) {
    if (ws.readyState === ws.OPEN)
      ws.send(JSON.stringify(message));
  }

  onMessage(ws, text) {
    let m;
    try {
      m = JSON.parse(text);
    } catch {
      this.send(ws, { type: 'error', code: 'bad-json', message: 'not JSON', ref: '' });
      return;
    }
    this.received.push({ at: Date.now(), connection: this.connections, message: m });
    if (m.type === 'auth') {
      if (m.token !== this.token) {
        this.send(ws, { type: 'error', code: 'unauthorized', message: 'wrong token', ref: 'auth' });
        ws.close(1008, 'unauthorized');
        return;
      }
      ws.role = 'viewer';
      this.hello(ws);
      return;
    }
    if (m.type === 'ping') {
      this.send(ws, { type: 'pong', id: m.id, timeMs: Date.now() });
      return;
    }
    if (ws.role === 'none') {
      this.send(ws, { type: 'error', code: 'unauthenticated', message: 'auth first', ref: m.type });
      return;
    }
    const env = this.environments.find((e) => e.name === m.env);
    if (m.type === 'subscribe' || m.type === 'unsubscribe' || m.type === 'resync') {
      if (!env) {
        this.send(ws, { type: 'error', code: 'unknown-env', message: `unknown environment '${m.env}'`, ref: m.type });
        return;
      }
      const topics = m.type === 'resync' ? [m.topic] : (m.topics || env.topics);
      for (const topic of topics) {
        const k = `${m.env}/${topic}`;
        if (m.type === 'unsubscribe')
          ws.subs.delete(k);
        else if (m.type === 'resync' && !ws.subs.has(k))
          this.send(ws, { type: 'error', code: 'not-subscribed', message: k, ref: 'resync' });
        else {
          ws.subs.add(k);
          this.send(ws, { type: 'snapshot', env: m.env, topic, seq: this.seq.get(k) || 0, data: this.state.get(m.env)[topic] });
        }
      }
      if (m.type === 'unsubscribe')
        this.send(ws, { type: 'unsubscribed', env: m.env, topics });
      return;
    }
    this.send(ws, { type: 'error', code: 'unknown-type', message: `unknown type '${m.type}'`, ref: String(m.type) });
  }

  delta(env, topic, changes) {
    const k = `${env}/${topic}`;
    let seq = (this.seq.get(k) || 0) + 1;
    if (this.gaps.delete(k))
      ++seq; // the delta the client should have had is "lost"
    this.seq.set(k, seq);
    for (const ws of this.clients) {
      if (ws.subs.has(k))
        this.send(ws, { type: 'delta', env, topic, seq, changes });
    }
  }

  // Kafka lag moves every tick; the crash loop restarts every other tick.
  tick() {
    this.ticks = (this.ticks || 0) + 1;
    for (const e of this.environments) {
      const s = this.state.get(e.name);
      const upsert = {};
      for (const [key, g] of Object.entries(s.kafka.groups)) {
        g.lag += Math.round(Math.random() * 40) + 1;
        g.point = { timeMs: Date.now(), lag: g.lag, timeLagS: g.lag / 50, produceRate: 50, consumeRate: 40 };
        upsert[key] = g;
      }
      this.delta(e.name, 'kafka', { groups: { upsert } });
      const loop = s.containers.containers['host1/f5'];
      if (loop && this.ticks % 2 === 0) {
        ++loop.restartCount;
        this.delta(e.name, 'containers', { containers: { upsert: { [loop.key]: loop } } });
      }
    }
  }

  injectGap(env, topic) {
    this.gaps.add(`${env}/${topic}`);
  }

  dropClients() {
    for (const ws of this.clients)
      ws.terminate();
  }
}

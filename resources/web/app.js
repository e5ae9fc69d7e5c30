// SPDX-License-Identifier: MIT
// The Opsdeck web dashboard: one WebSocket to /ws speaking the feed protocol v1
// (docs/protocol.md), the state of each (environment, topic) stream kept here, the page redrawn
// from it. Every text from the server goes through textContent, never innerHTML.

const PROTOCOL = 1;
const PING_INTERVAL_MS = 20000;
// No frame at all for this long (pongs included) means the connection is dead even if the
// socket has not noticed yet: close it and reconnect.
const SILENCE_LIMIT_MS = 60000;
const RECONNECT_MIN_MS = 1000;
const RECONNECT_MAX_MS = 30000;
// The chart keeps one hour per group, as the console does by default.
const HISTORY_SPAN_MS = 60 * 60 * 1000;
const HISTORY_MAX_POINTS = 3600;
const SEVERITY_RANK = { critical: 0, warning: 1, info: 2, none: 3, ok: 3 };
const GROUP_COLOURS = ['#2e86c1', '#d35400', '#27ae60', '#8e44ad', '#c0392b', '#16a085', '#7f8c8d', '#f39c12'];

// ---------------------------------------------------------------------------------------------
// State

const state = {
  socket: null,
  role: '',
  environments: [],     // from hello: [{name, production, colour, topics}]
  current: '',          // the environment shown
  streams: new Map(),   // "env\u0000topic" -> {seq, data, resyncing}
  history: new Map(),   // env -> Map(groupKey -> [{timeMs, lag, …}])
  reconnectDelay: RECONNECT_MIN_MS,
  reconnectTimer: 0,
  countdown: 0,
  pingTimer: 0,
  lastFrameAt: 0,
  pingSerial: 0,
  lastUpdateAt: 0,
  token: '',
  renderPending: false,
};

const $ = (id) => document.getElementById(id);

function streamKey(env, topic) {
  return `${env}\u0000${topic}`;
}

function stream(env, topic) {
  return state.streams.get(streamKey(env, topic));
}

function collection(env, topic, name) {
  const s = stream(env, topic);
  return (s && s.data && s.data[name]) || {};
}

// ---------------------------------------------------------------------------------------------
// Token: from the URL fragment (#token=…), kept for this tab only, or asked for.

function readFragment() {
  const params = new URLSearchParams(location.hash.replace(/^#/, ''));
  const token = params.get('token');
  if (token) {
    sessionStorage.setItem('opsdeck.token', token);
    params.delete('token');
    // Keep the token out of the address bar, the history and screenshots.
    const rest = params.toString();
    history.replaceState(null, '', location.pathname + location.search + (rest ? `#${rest}` : ''));
  }
  state.token = sessionStorage.getItem('opsdeck.token') || '';
  const env = params.get('env');
  if (env)
    state.current = env;
}

function askForToken(why) {
  const token = window.prompt(`${why}\nAccess token for this Opsdeck server:`, '');
  if (token === null)
    return false;
  state.token = token.trim();
  sessionStorage.setItem('opsdeck.token', state.token);
  return state.token !== '';
}

// ---------------------------------------------------------------------------------------------
// Connection

function setConnState(kind, text) {
  const el = $('conn-state');
  el.dataset.state = kind;
  el.textContent = text;
  $('reconnect').hidden = kind !== 'reconnecting' && kind !== 'closed';
}

function send(message) {
  if (state.socket && state.socket.readyState === WebSocket.OPEN)
    state.socket.send(JSON.stringify(message));
}

function connect() {
  clearTimeout(state.reconnectTimer);
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  setConnState('connecting', 'connecting…');
  let socket;
  try {
    socket = new WebSocket(`${scheme}//${location.host}/ws`);
  } catch (e) {
    scheduleReconnect(String(e));
    return;
  }
  state.socket = socket;
  socket.addEventListener('open', () => {
    state.lastFrameAt = Date.now();
    // A browser cannot set an Authorization header on the upgrade: the token goes first.
    if (state.token)
      send({ type: 'auth', token: state.token });
    clearInterval(state.pingTimer);
    state.pingTimer = setInterval(keepAlive, PING_INTERVAL_MS);
  });
  socket.addEventListener('message', (event) => {
    state.lastFrameAt = Date.now();
    let message;
    try {
      message = JSON.parse(event.data);
    } catch {
      console.warn('opsdeck: frame is not JSON');
      return;
    }
    if (message && typeof message === 'object')
      handle(message);
  });
  socket.addEventListener('close', (event) => {
    if (state.socket !== socket)
      return;
    state.socket = null;
    clearInterval(state.pingTimer);
    const why = event.code === 1008 ? 'refused by the server' : `closed (${event.code})`;
    scheduleReconnect(why);
  });
}

function keepAlive() {
  if (Date.now() - state.lastFrameAt > SILENCE_LIMIT_MS && state.socket) {
    state.socket.close(4000, 'silent');
    return;
  }
  send({ type: 'ping', id: `p-${++state.pingSerial}` });
}

function scheduleReconnect(why) {
  const delay = state.reconnectDelay;
  state.reconnectDelay = Math.min(RECONNECT_MAX_MS, state.reconnectDelay * 2);
  // Spread reconnects of many wall screens after a server restart.
  const jittered = Math.round(delay * (0.8 + Math.random() * 0.4));
  const until = Date.now() + jittered;
  const tick = () => {
    const left = Math.max(0, Math.ceil((until - Date.now()) / 1000));
    setConnState('reconnecting', `${why}: reconnecting in ${left} s`);
  };
  tick();
  clearTimeout(state.reconnectTimer);
  clearInterval(state.countdown);
  state.countdown = setInterval(tick, 1000);
  state.reconnectTimer = setTimeout(() => {
    clearInterval(state.countdown);
    connect();
  }, jittered);
}

function reconnectNow() {
  clearInterval(state.countdown);
  state.reconnectDelay = RECONNECT_MIN_MS;
  if (state.socket)
    state.socket.close(1000, 'reconnect');
  else
    connect();
}

// ---------------------------------------------------------------------------------------------
// Messages

function handle(message) {
  switch (message.type) {
  case 'hello':
    onHello(message);
    break;
  case 'snapshot':
    onSnapshot(message);
    break;
  case 'delta':
    onDelta(message);
    break;
  case 'alert':
    // The alerts stream's delta carries the same change for the table.
    break;
  case 'pong':
    break;
  case 'error':
    onError(message);
    break;
  case 'unsubscribed':
    for (const topic of message.topics || [])
      state.streams.delete(streamKey(message.env, topic));
    scheduleRender();
    break;
  default:
    console.warn('opsdeck: unknown message type', String(message.type));
  }
}

function onHello(hello) {
  if (hello.protocol !== PROTOCOL) {
    setConnState('closed', `server speaks protocol ${hello.protocol}, this page ${PROTOCOL}`);
    const socket = state.socket;
    state.socket = null; // no reconnect: a reload after the upgrade brings the matching page
    socket.close(1000, 'protocol');
    return;
  }
  state.role = String(hello.role || '');
  $('role').textContent = state.role && state.role !== 'none' ? state.role : '';
  if (state.role === 'none') {
    setConnState('auth', 'sign-in needed');
    if (askForToken('This server needs a token.'))
      send({ type: 'auth', token: state.token });
    return;
  }
  state.reconnectDelay = RECONNECT_MIN_MS;
  state.environments = Array.isArray(hello.environments) ? hello.environments : [];
  if (!state.environments.some((e) => e.name === state.current))
    state.current = state.environments.length ? state.environments[0].name : '';
  // A new connection (or a new role) starts from snapshots: drop what the old one had.
  state.streams.clear();
  setConnState('live', 'live');
  renderTabs();
  subscribeAll();
  scheduleRender();
}

function topicsOf(env) {
  const e = state.environments.find((x) => x.name === env);
  return e && Array.isArray(e.topics) ? e.topics : [];
}

// Alerts of every environment (for the list and the tabs), everything else of the one shown.
function subscribeAll() {
  for (const e of state.environments) {
    const wanted = e.name === state.current
      ? topicsOf(e.name).filter((t) => t !== 'config')
      : topicsOf(e.name).filter((t) => t === 'alerts');
    if (wanted.length)
      send({ type: 'subscribe', env: e.name, topics: wanted });
  }
}

function selectEnvironment(name) {
  if (name === state.current)
    return;
  const old = state.current;
  state.current = name;
  const params = new URLSearchParams(location.hash.replace(/^#/, ''));
  params.set('env', name);
  history.replaceState(null, '', `#${params.toString()}`);
  const oldTopics = topicsOf(old).filter((t) => t !== 'alerts');
  if (oldTopics.length) {
    send({ type: 'unsubscribe', env: old, topics: oldTopics });
    for (const t of oldTopics)
      state.streams.delete(streamKey(old, t));
  }
  const newTopics = topicsOf(name).filter((t) => t !== 'alerts' && t !== 'config');
  if (newTopics.length)
    send({ type: 'subscribe', env: name, topics: newTopics });
  renderTabs();
  scheduleRender();
}

function onSnapshot(m) {
  const data = m.data && typeof m.data === 'object' ? m.data : {};
  state.streams.set(streamKey(m.env, m.topic), { seq: m.seq, data, resyncing: false });
  if (m.topic === 'kafka')
    seedHistory(m.env, data);
  noteUpdate();
}

function onDelta(m) {
  const s = stream(m.env, m.topic);
  if (!s || s.resyncing)
    return; // waiting for a snapshot: deltas before it are meaningless
  if (m.seq !== s.seq + 1) {
    // A gap (or a repeat): ask for the whole stream again, ignore deltas until it comes.
    s.resyncing = true;
    setConnState('resync', `resyncing ${m.env} ${m.topic}`);
    send({ type: 'resync', env: m.env, topic: m.topic });
    return;
  }
  s.seq = m.seq;
  for (const [name, change] of Object.entries(m.changes || {})) {
    const target = s.data[name] || (s.data[name] = {});
    for (const key of change.remove || [])
      delete target[key];
    for (const [key, value] of Object.entries(change.upsert || {}))
      target[key] = value;
    if (m.topic === 'kafka' && name === 'groups')
      appendPoints(m.env, change.upsert || {});
  }
  noteUpdate();
}

function noteUpdate() {
  state.lastUpdateAt = Date.now();
  const c = $('conn-state');
  const anyResyncing = [...state.streams.values()].some((s) => s.resyncing);
  if (!anyResyncing && (c.dataset.state === 'resync'))
    setConnState('live', 'live');
  scheduleRender();
}

function onError(m) {
  console.warn('opsdeck: server error', String(m.code), String(m.message));
  if (m.code === 'unauthorized') {
    sessionStorage.removeItem('opsdeck.token');
    state.token = '';
    setConnState('auth', 'token refused');
    // The server closes the connection; the reconnect asks again.
    setTimeout(() => askForToken('The token was refused.'), 0);
  } else if (m.code === 'unauthenticated') {
    setConnState('auth', 'sign-in needed');
  } else if (m.code === 'not-subscribed') {
    // A resync the server would not take: subscribe to those streams again (a new snapshot).
    for (const [key, s] of state.streams) {
      if (!s.resyncing)
        continue;
      const [env, topic] = key.split('\u0000');
      send({ type: 'subscribe', env, topics: [topic] });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Kafka history: the snapshot seeds it, each upserted group's newest point extends it.

function historyOf(env) {
  let h = state.history.get(env);
  if (!h) {
    h = new Map();
    state.history.set(env, h);
  }
  return h;
}

function trimHistory(points) {
  const cutoff = (points.length ? points[points.length - 1].timeMs : 0) - HISTORY_SPAN_MS;
  let drop = 0;
  while (drop < points.length && points[drop].timeMs < cutoff)
    ++drop;
  drop = Math.max(drop, points.length - HISTORY_MAX_POINTS);
  if (drop > 0)
    points.splice(0, drop);
}

function seedHistory(env, data) {
  const h = historyOf(env);
  for (const [key, entry] of Object.entries(data.history || {})) {
    const points = (entry.points || []).filter((p) => Number.isFinite(p.timeMs));
    h.set(key, points);
    trimHistory(points);
  }
  appendPoints(env, data.groups || {});
}

function appendPoints(env, groups) {
  const h = historyOf(env);
  for (const [key, group] of Object.entries(groups)) {
    const p = group && group.point;
    if (!p || !Number.isFinite(p.timeMs))
      continue;
    let points = h.get(key);
    if (!points) {
      points = [];
      h.set(key, points);
    }
    if (points.length && points[points.length - 1].timeMs >= p.timeMs)
      continue; // already have it
    points.push(p);
    trimHistory(points);
  }
}

// ---------------------------------------------------------------------------------------------
// Rendering helpers: elements and text only.

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'className')
      node.className = v;
    else if (k === 'dataset')
      Object.assign(node.dataset, v);
    else if (k === 'title')
      node.title = v;
    else
      node.setAttribute(k, v);
  }
  for (const child of children) {
    if (child === null || child === undefined)
      continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function text(value, fallback = '—') {
  return value === null || value === undefined || value === '' ? fallback : String(value);
}

function number(value, digits = 0) {
  if (value === null || value === undefined || !Number.isFinite(Number(value)))
    return '—';
  return Number(value).toLocaleString(undefined, { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function duration(seconds) {
  if (!Number.isFinite(seconds) || seconds < 0)
    return '—';
  const s = Math.floor(seconds);
  if (s < 60)
    return `${s}s`;
  if (s < 3600)
    return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  if (s < 86400)
    return `${Math.floor(s / 3600)}h ${String(Math.floor(s / 60) % 60).padStart(2, '0')}m`;
  return `${Math.floor(s / 86400)}d ${Math.floor(s / 3600) % 24}h`;
}

function localTime(iso) {
  const t = Date.parse(iso);
  if (!Number.isFinite(t))
    return '—';
  const d = new Date(t);
  const sameDay = d.toDateString() === new Date().toDateString();
  return sameDay ? d.toLocaleTimeString() : d.toLocaleString();
}

function ageOf(iso) {
  const t = Date.parse(iso);
  return Number.isFinite(t) ? duration((Date.now() - t) / 1000) : '—';
}

function safeColour(colour) {
  return typeof colour === 'string' && /^#[0-9a-fA-F]{3,8}$/.test(colour) ? colour : '#7f8c8d';
}

function replaceRows(table, rows) {
  const body = $(table).tBodies[0];
  body.replaceChildren(...rows);
}

function isCrashLoop(flag) {
  const name = String((flag && flag.flag) || '').toLowerCase().replace(/[\s_]+/g, '-');
  return name === 'crash-loop';
}

// ---------------------------------------------------------------------------------------------
// Rendering, coalesced to one pass per animation frame.

function scheduleRender() {
  if (state.renderPending)
    return;
  state.renderPending = true;
  requestAnimationFrame(() => {
    state.renderPending = false;
    render();
  });
}

function render() {
  renderTabs();
  renderAlerts();
  renderSources();
  renderContainers();
  renderMarathon();
  renderKafka();
  const env = state.environments.find((e) => e.name === state.current);
  $('production-banner').hidden = !(env && env.production);
  document.body.classList.toggle('is-production', !!(env && env.production));
  $('env-name').textContent = state.current;
  $('last-update').textContent = state.lastUpdateAt
    ? `last update ${new Date(state.lastUpdateAt).toLocaleTimeString()}`
    : 'no data yet';
}

function alertsOf(env) {
  return Object.values(collection(env, 'alerts', 'alerts')).filter((a) => a && !a.end);
}

function renderTabs() {
  const nav = $('env-tabs');
  // Rebuilt only when something on them changed: keeps focus and hover on a wall screen.
  const counts = state.environments.map((e) => {
    const alerts = alertsOf(e.name);
    return { total: alerts.length, critical: alerts.filter((a) => a.severity === 'critical').length };
  });
  const signature = JSON.stringify([state.current, state.environments, counts]);
  if (signature === state.tabsSignature)
    return;
  state.tabsSignature = signature;
  const tabs = state.environments.map((e, i) => {
    const alerts = { length: counts[i].total };
    const critical = counts[i].critical;
    const button = el('button', {
      type: 'button',
      role: 'tab',
      className: `env-tab${e.production ? ' production' : ''}`,
      'aria-selected': String(e.name === state.current),
      dataset: { env: e.name },
    });
    button.style.setProperty('--env-colour', safeColour(e.colour));
    button.append(el('span', { className: 'env-swatch' }), e.name);
    if (e.production)
      button.append(el('span', { className: 'badge production-badge' }, 'PRODUCTION'));
    if (alerts.length) {
      button.append(el('span', {
        className: `badge alert-badge ${critical ? 'critical' : 'warning'}`,
        title: `${alerts.length} active alert(s), ${critical} critical`,
      }, String(alerts.length)));
    }
    button.addEventListener('click', () => selectEnvironment(e.name));
    return button;
  });
  nav.replaceChildren(...tabs);
}

function renderAlerts() {
  const all = state.environments.flatMap((e) => alertsOf(e.name).map((a) => ({ ...a, env: e.name, colour: e.colour })));
  all.sort((a, b) => (SEVERITY_RANK[a.severity] ?? 9) - (SEVERITY_RANK[b.severity] ?? 9)
    || Date.parse(b.start || b.since) - Date.parse(a.start || a.since));
  const rows = all.map((a) => {
    const since = a.since || a.start;
    const envCell = el('td', {}, el('span', { className: 'env-swatch' }), a.env);
    envCell.style.setProperty('--env-colour', safeColour(a.colour));
    return el('tr', { className: `alert ${a.severity === 'critical' ? 'critical' : 'warning'}` },
      el('td', {}, el('span', { className: `sev ${a.severity === 'critical' ? 'critical' : 'warning'}` }, text(a.severity))),
      envCell,
      el('td', {}, text(a.source)),
      el('td', {}, text(a.subject)),
      el('td', {}, text(a.message)),
      el('td', { title: text(since, '') }, localTime(since)),
      el('td', { className: 'age' }, ageOf(since)));
  });
  replaceRows('alerts', rows);
  $('alerts-empty').hidden = rows.length > 0;
  $('alert-count').textContent = rows.length ? `(${rows.length})` : '';
  const critical = all.filter((a) => a.severity === 'critical').length;
  document.title = critical ? `(${critical}) Opsdeck` : 'Opsdeck';
}

function renderSources() {
  const env = state.current;
  const items = [];
  for (const h of Object.values(collection(env, 'hosts', 'hosts')))
    items.push({ kind: 'Docker', name: h.displayName || h.id, state: h.state, error: h.error });
  for (const s of Object.values(collection(env, 'marathon', 'status')))
    items.push({ kind: 'Marathon', name: s.url, state: s.state, error: s.error });
  for (const s of Object.values(collection(env, 'mesos', 'status')))
    items.push({ kind: 'Mesos', name: s.url, state: s.state, error: s.error });
  for (const c of Object.values(collection(env, 'kafka', 'clusters')))
    items.push({ kind: 'Kafka', name: c.name, state: c.state, error: c.error });
  const list = items.map((i) => {
    const ok = i.state === 'connected' || i.state === 'up' || i.state === 'ok';
    return el('li', { className: `source ${ok ? 'up' : 'down'}`, title: text(i.error, '') },
      el('span', { className: 'dot' }), `${i.kind} ${text(i.name)}: `, text(i.state));
  });
  $('sources').replaceChildren(...list);
}

function renderContainers() {
  const containers = Object.values(collection(state.current, 'containers', 'containers'));
  containers.sort((a, b) => (SEVERITY_RANK[a.severity] ?? 3) - (SEVERITY_RANK[b.severity] ?? 3)
    || String(a.name).localeCompare(String(b.name)));
  const rows = containers.map((c) => {
    const flags = Array.isArray(c.flags) ? c.flags : [];
    const crashLoop = flags.some(isCrashLoop);
    const row = el('tr', {
      className: `container sev-${c.severity || 'none'}${crashLoop ? ' crash-loop' : ''}`,
      dataset: { key: text(c.key, ''), name: text(c.name, '') },
    });
    const nameCell = el('td', { className: 'name' });
    if (crashLoop)
      nameCell.append(el('span', { className: 'badge crash-badge' }, 'CRASH LOOP'));
    nameCell.append(text(c.name));
    row.append(nameCell,
      el('td', {}, text(c.host)),
      el('td', { className: 'image' }, text(c.image)),
      el('td', { className: `state state-${text(c.state, 'unknown')}` }, text(c.displayState || c.state)),
      el('td', { className: `health health-${text(c.health, 'none')}` }, text(c.health)),
      el('td', {}, text(c.restartPolicy)),
      el('td', { className: `num restarts${crashLoop ? ' hot' : ''}` }, number(c.restartCount)));
    const flagCell = el('td', { className: 'flags' });
    for (const f of flags) {
      flagCell.append(el('span', {
        className: `flag ${f.severity === 'critical' ? 'critical' : 'warning'}`,
        title: text(f.description, ''),
      }, text(f.label || f.flag)));
    }
    row.append(flagCell);
    return row;
  });
  replaceRows('containers', rows);
  $('containers-empty').hidden = rows.length > 0;
  const loops = rows.filter((r) => r.classList.contains('crash-loop')).length;
  $('container-count').textContent = rows.length
    ? `(${rows.length}${loops ? `, ${loops} crash-looping` : ''})`
    : '';
}

function renderMarathon() {
  const env = state.current;
  const has = topicsOf(env).includes('marathon');
  $('marathon-panel').hidden = !has;
  if (!has)
    return;
  const deployments = collection(env, 'marathon', 'deployments');
  const apps = Object.values(collection(env, 'marathon', 'apps'));
  apps.sort((a, b) => String(a.id).localeCompare(String(b.id)));
  replaceRows('apps', apps.map((a) => {
    const ids = Array.isArray(a.deployments) ? a.deployments : [];
    const stuck = ids.some((id) => deployments[id] && deployments[id].stuck);
    const degraded = Number(a.unhealthy) > 0 || Number(a.running) < Number(a.instances);
    return el('tr', { className: `app${degraded ? ' degraded' : ''}`, dataset: { app: text(a.id, '') } },
      el('td', {}, text(a.id)),
      el('td', { className: 'num' }, number(a.instances)),
      el('td', { className: 'num' }, number(a.running)),
      el('td', { className: 'num' }, number(a.staged)),
      el('td', { className: 'num' }, number(a.healthy)),
      el('td', { className: `num${Number(a.unhealthy) > 0 ? ' hot' : ''}` }, number(a.unhealthy)),
      el('td', { className: 'image' }, text(a.image)),
      el('td', {}, ids.length ? el('span', { className: `badge ${stuck ? 'stuck' : 'deploying'}` }, stuck ? 'STUCK' : 'deploying') : ''));
  }));
  const list = Object.values(deployments);
  list.sort((a, b) => (Number(b.ageMs) || 0) - (Number(a.ageMs) || 0));
  replaceRows('deployments', list.map((d) => {
    const progress = Math.max(0, Math.min(1, Number(d.progress) || 0));
    const bar = el('div', { className: 'progress' }, el('div', { className: 'progress-fill' }));
    bar.firstChild.style.width = `${Math.round(progress * 100)}%`;
    return el('tr', { className: `deployment${d.stuck ? ' stuck' : ''}` },
      el('td', {}, text(d.id)),
      el('td', {}, text((d.affectedApps || []).join(', '))),
      el('td', {}, `${number(d.currentStep)} / ${number(d.totalSteps)}`),
      el('td', {}, bar, ` ${Math.round(progress * 100)}%`, d.stuck ? el('span', { className: 'badge stuck' }, 'STUCK') : null),
      el('td', {}, duration((Number(d.ageMs) || 0) / 1000)));
  }));
  $('deployments-empty').hidden = list.length > 0;
}

// Warning and critical lag levels of a group: from its thresholds when the server sends them,
// else from the reason of the level it is at ("lag 2,150 ≥ warning 2,000").
function lagThresholds(group) {
  const t = group.thresholds && group.thresholds.lag;
  const out = {};
  if (t && Number.isFinite(t.warning))
    out.warning = t.warning;
  if (t && Number.isFinite(t.critical))
    out.critical = t.critical;
  const m = /^lag [\d,. ]+\S+ (warning|critical) ([\d,]+)/.exec(String(group.thresholdReason || ''));
  if (m && out[m[1]] === undefined)
    out[m[1]] = Number(m[2].replace(/,/g, ''));
  return out;
}

function groupColours(keys) {
  const colours = new Map();
  [...keys].sort().forEach((k, i) => colours.set(k, GROUP_COLOURS[i % GROUP_COLOURS.length]));
  return colours;
}

function renderKafka() {
  const env = state.current;
  const has = topicsOf(env).includes('kafka');
  $('kafka-panel').hidden = !has;
  if (!has)
    return;
  const groups = collection(env, 'kafka', 'groups');
  const colours = groupColours(Object.keys(groups));
  const list = Object.entries(groups);
  list.sort(([, a], [, b]) => (Number(b.lag) || 0) - (Number(a.lag) || 0));
  replaceRows('kafka-groups', list.map(([key, g]) => {
    const swatch = el('span', { className: 'swatch' });
    swatch.style.background = colours.get(key);
    const level = text(g.threshold, 'none');
    return el('tr', { className: `group level-${level}`, dataset: { group: key } },
      el('td', {}, swatch),
      el('td', {}, text(g.group)),
      el('td', {}, text(g.cluster)),
      el('td', { className: `status status-${text(g.status, 'unknown')}`, title: text(g.error, '') }, text(g.status)),
      el('td', { className: 'num lag' }, number(g.lag)),
      el('td', { className: 'num' }, g.timeLagS === null || g.timeLagS === undefined ? '—' : `${g.timeLagIsLowerBound ? '≥ ' : ''}${duration(Number(g.timeLagS))}`),
      el('td', { className: 'num' }, number(g.produceRate, 1)),
      el('td', { className: 'num' }, number(g.consumeRate, 1)),
      el('td', { className: 'num' }, g.ratesKnown === false && g.lag !== 0 ? '—'
        : g.catchUpS === null || g.catchUpS === undefined ? '∞' : duration(Number(g.catchUpS))),
      el('td', { className: `level level-${level}`, title: text(g.thresholdReason, '') }, level === 'none' ? '' : level));
  }));
  drawChart(env, groups, colours);
}

// ---------------------------------------------------------------------------------------------
// The lag chart: one line per group, dashed threshold lines, local-time axis.

function niceStep(range, ticks) {
  const raw = range / Math.max(1, ticks);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) {
    if (raw <= m * magnitude)
      return m * magnitude;
  }
  return 10 * magnitude;
}

function drawChart(env, groups, colours) {
  const canvas = $('kafka-chart');
  const ratio = window.devicePixelRatio || 1;
  const cssWidth = canvas.clientWidth || 960;
  const cssHeight = canvas.clientHeight || 260;
  if (canvas.width !== Math.round(cssWidth * ratio) || canvas.height !== Math.round(cssHeight * ratio)) {
    canvas.width = Math.round(cssWidth * ratio);
    canvas.height = Math.round(cssHeight * ratio);
  }
  const ctx = canvas.getContext('2d');
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, cssWidth, cssHeight);
  const style = getComputedStyle(document.body);
  const fg = style.getPropertyValue('--fg').trim() || '#222';
  const grid = style.getPropertyValue('--grid').trim() || '#ddd';

  const history = historyOf(env);
  const series = Object.keys(groups).map((key) => ({ key, points: history.get(key) || [], group: groups[key] }));
  let points = 0;
  let tMin = Infinity;
  let tMax = -Infinity;
  let yMax = 0;
  const thresholds = [];
  for (const s of series) {
    points += s.points.length;
    for (const p of s.points) {
      tMin = Math.min(tMin, p.timeMs);
      tMax = Math.max(tMax, p.timeMs);
      yMax = Math.max(yMax, Number(p.lag) || 0);
    }
    for (const [level, value] of Object.entries(lagThresholds(s.group))) {
      thresholds.push({ key: s.key, level, value, name: s.group.group });
      yMax = Math.max(yMax, value);
    }
  }
  canvas.dataset.points = String(points);
  canvas.dataset.series = String(series.length);

  const left = 64;
  const right = 12;
  const top = 12;
  const bottom = 28;
  const w = cssWidth - left - right;
  const h = cssHeight - top - bottom;
  ctx.font = '11px system-ui, sans-serif';
  ctx.fillStyle = fg;
  if (points === 0) {
    ctx.fillText('waiting for lag samples…', left + 8, top + 20);
    return;
  }
  // The curves fill the width while the history is short (as in the console's plot); a single
  // sample still gets ten seconds of axis.
  if (tMax - tMin < 10000)
    tMin = tMax - 10000;
  yMax = yMax > 0 ? yMax * 1.1 : 1;
  const x = (t) => left + ((t - tMin) / (tMax - tMin)) * w;
  const y = (v) => top + h - (v / yMax) * h;

  // Grid and axes.
  ctx.strokeStyle = grid;
  ctx.lineWidth = 1;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  const yStep = niceStep(yMax, 5);
  for (let v = 0; v <= yMax; v += yStep) {
    ctx.beginPath();
    ctx.moveTo(left, y(v));
    ctx.lineTo(left + w, y(v));
    ctx.stroke();
    ctx.fillText(v.toLocaleString(), left - 6, y(v));
  }
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  const tStep = niceStep(tMax - tMin, 6);
  for (let t = Math.ceil(tMin / tStep) * tStep; t <= tMax; t += tStep) {
    ctx.beginPath();
    ctx.moveTo(x(t), top);
    ctx.lineTo(x(t), top + h);
    ctx.stroke();
    ctx.fillText(new Date(t).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' }), x(t), top + h + 6);
  }

  // Threshold lines, dashed, in the group's colour; critical thicker.
  ctx.textAlign = 'left';
  ctx.textBaseline = 'bottom';
  for (const th of thresholds) {
    ctx.save();
    ctx.setLineDash(th.level === 'critical' ? [8, 4] : [3, 4]);
    ctx.strokeStyle = colours.get(th.key);
    ctx.lineWidth = th.level === 'critical' ? 2 : 1;
    ctx.beginPath();
    ctx.moveTo(left, y(th.value));
    ctx.lineTo(left + w, y(th.value));
    ctx.stroke();
    ctx.fillStyle = colours.get(th.key);
    ctx.fillText(`${th.name} ${th.level} ${th.value.toLocaleString()}`, left + 4, y(th.value) - 2);
    ctx.restore();
  }

  // One line per group.
  ctx.lineWidth = 2;
  for (const s of series) {
    if (!s.points.length)
      continue;
    ctx.strokeStyle = colours.get(s.key);
    ctx.beginPath();
    s.points.forEach((p, i) => {
      const px = x(p.timeMs);
      const py = y(Number(p.lag) || 0);
      if (i === 0)
        ctx.moveTo(px, py);
      else
        ctx.lineTo(px, py);
    });
    ctx.stroke();
  }
}

// ---------------------------------------------------------------------------------------------

function start() {
  readFragment();
  $('reconnect').addEventListener('click', reconnectNow);
  // Ages and the reconnect countdown move even when no frame arrives.
  setInterval(scheduleRender, 1000);
  window.addEventListener('resize', scheduleRender);
  connect();
}

start();

// ZkActors admin dashboard: tree browser, ensemble, sessions and live charts, all from this admin port's
// /api/* and /metrics. Plain browser JS, no dependencies; single-threaded like any page script.
'use strict';

const $ = (sel) => document.querySelector(sel);
const el = (tag, props = {}, ...children) => {
  const e = document.createElement(tag);
  Object.assign(e, props);
  for (const c of children) e.append(c);
  return e;
};

const state = { path: '/', node: null, tab: 'tree' };

async function api(url) {
  const r = await fetch(url, { cache: 'no-store' });
  const body = await r.json().catch(() => ({ error: `HTTP ${r.status}` }));
  return { status: r.status, body };
}

// ---------- tree ----------

function parentOf(path) {
  if (path === '/') return null;
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

function join(parent, name) {
  return parent === '/' ? '/' + name : parent + '/' + name;
}

async function browse(path, pushHash = true) {
  state.path = path;
  $('#path-input').value = path;
  if (pushHash) history.replaceState(null, '', '#path=' + encodeURIComponent(path));
  const { status, body } = await api('/api/node?path=' + encodeURIComponent(path));
  renderBreadcrumbs(path);
  $('#node-path').textContent = path;
  const err = $('#node-error');
  if (status !== 200) {
    state.node = null;
    err.textContent = body.error || `HTTP ${status}`;
    err.classList.remove('hidden');
    $('#children').replaceChildren();
    $('#children-count').textContent = '';
    $('#node-data').textContent = '';
    $('#stat-table').replaceChildren();
    $('#acl-table tbody').replaceChildren();
    $('#node-kind').textContent = '';
    $('#data-length').textContent = '';
    return;
  }
  err.classList.add('hidden');
  state.node = body;
  renderChildren(body);
  renderData();
  renderStat(body.stat);
  renderAcl(body.acl);
  $('#node-kind').textContent = body.kind;
}

function renderBreadcrumbs(path) {
  const crumbs = $('#breadcrumbs');
  crumbs.replaceChildren();
  const link = (label, target) => {
    const a = el('a', { textContent: label });
    a.dataset.path = target;
    a.addEventListener('click', () => browse(target));
    return a;
  };
  crumbs.append(link('/', '/'));
  let acc = '';
  const parts = path.split('/').filter(Boolean);
  parts.forEach((part, i) => {
    acc += '/' + part;
    crumbs.append(' ', link(part, acc), i < parts.length - 1 ? ' /' : '');
  });
}

function renderChildren(node) {
  const list = $('#children');
  list.replaceChildren();
  const up = parentOf(node.path);
  if (up !== null) list.append(childItem('..', up, 'up'));
  for (const name of node.children) list.append(childItem(name, join(node.path, name), 'child'));
  $('#children-count').textContent = `(${node.num_children}${node.children_truncated ? ', first ' + node.children.length + ' shown' : ''})`;
}

function childItem(label, path, cls) {
  const a = el('a', { textContent: label, className: cls, href: '#path=' + encodeURIComponent(path) });
  a.dataset.path = path;
  a.addEventListener('click', (e) => { e.preventDefault(); browse(path); });
  return el('li', {}, a);
}

function bytesOf(node) {
  const bin = atob(node.data_base64 || '');
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function hexDump(bytes) {
  const lines = [];
  for (let off = 0; off < bytes.length; off += 16) {
    const row = bytes.slice(off, off + 16);
    const hex = Array.from(row, (b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = Array.from(row, (b) => (b >= 32 && b < 127 ? String.fromCharCode(b) : '.')).join('');
    lines.push(off.toString(16).padStart(8, '0') + '  ' + hex.padEnd(48) + ' |' + ascii + '|');
  }
  return lines.join('\n');
}

function renderData() {
  const node = state.node;
  const out = $('#node-data');
  if (!node) return;
  if (node.data_is_null) {
    out.textContent = '(null)';
    $('#data-length').textContent = '';
    return;
  }
  const bytes = bytesOf(node);
  $('#data-length').textContent = `${bytes.length} bytes`;
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  const mode = $('#data-mode').value;
  if (mode === 'hex') out.textContent = hexDump(bytes) || '(empty)';
  else if (mode === 'json') {
    try { out.textContent = JSON.stringify(JSON.parse(text), null, 2); }
    catch (e) { out.textContent = `not JSON: ${e.message}\n\n${text}`; }
  } else out.textContent = text.length ? text : '(empty)';
}

function renderStat(stat) {
  const table = $('#stat-table');
  table.replaceChildren();
  const fmtTime = (ms) => (ms ? `${ms} (${new Date(ms).toISOString()})` : '0');
  for (const [k, v] of Object.entries(stat)) {
    const value = k === 'ctime' || k === 'mtime' ? fmtTime(v) : String(v);
    const row = el('tr', {}, el('td', { textContent: k }), el('td', { textContent: value }));
    row.dataset.stat = k;
    table.append(row);
  }
}

function renderAcl(acl) {
  const body = $('#acl-table tbody');
  body.replaceChildren();
  for (const a of acl) body.append(el('tr', {}, el('td', { textContent: a.scheme }), el('td', { textContent: a.id }), el('td', { textContent: a.perms })));
}

async function search(prefix) {
  const { status, body } = await api('/api/search?limit=200&prefix=' + encodeURIComponent(prefix));
  const list = $('#search-results');
  list.replaceChildren();
  if (status !== 200) { list.append(el('li', { textContent: body.error || `HTTP ${status}`, className: 'error' })); return; }
  for (const p of body.paths) list.append(childItem(p, p, 'result'));
  if (body.truncated) list.append(el('li', { className: 'muted', textContent: '… more (refine the prefix)' }));
  if (!body.paths.length) list.append(el('li', { className: 'muted', textContent: 'no match' }));
}

// ---------- summary, ensemble, sessions ----------

function fmtUptime(ms) {
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
  return h ? `${h}h ${m}m` : m ? `${m}m ${s % 60}s` : `${s}s`;
}

async function refreshSummary() {
  const { body } = await api('/api/self');
  $('#sum-id').textContent = body.server_id;
  $('#sum-mode').textContent = body.mode;
  $('#sum-mode').className = body.serving ? 'ok' : 'bad';
  $('#sum-zxid').textContent = body.zxid ?? '–';
  $('#sum-epoch').textContent = body.epoch;
  $('#sum-nodes').textContent = body.node_count ?? '–';
  $('#sum-sessions').textContent = body.sessions ?? '–';
  $('#sum-conns').textContent = body.connections;
  $('#sum-uptime').textContent = fmtUptime(body.uptime_ms);
}

async function refreshEnsemble() {
  const { body } = await api('/api/ensemble');
  const tbody = $('#ensemble-table tbody');
  tbody.replaceChildren();
  for (const s of body.servers || []) {
    const role = s.reachable ? s.mode : 'unreachable';
    const row = el('tr', {},
      el('td', { textContent: s.server_id + (s.source === 'self' ? ' (this)' : '') }),
      el('td', { textContent: s.host }),
      el('td', { textContent: s.type }),
      el('td', { textContent: role, className: s.reachable ? '' : 'bad', title: s.error || '' }),
      el('td', { textContent: s.serving === undefined || s.serving === null ? '–' : String(s.serving) }),
      el('td', { textContent: s.epoch ?? '–' }),
      el('td', { textContent: s.zxid ?? s.acked_zxid ?? '–' }),
      el('td', { textContent: s.lag_txns ?? '–' }),
      el('td', { textContent: s.lag_source ? `${s.source}, lag from ${s.lag_source}` : s.source }));
    row.dataset.server = s.server_id;
    tbody.append(row);
  }
}

async function refreshSessions() {
  const { status, body } = await api('/api/sessions');
  const tbody = $('#sessions-table tbody');
  tbody.replaceChildren();
  if (status !== 200) { $('#sessions-count').textContent = body.error || ''; return; }
  $('#sessions-count').textContent = `(${body.count})`;
  const list = (items) => {
    const ul = el('ul');
    for (const p of items) {
      const a = el('a', { textContent: p, href: '#path=' + encodeURIComponent(p) });
      a.addEventListener('click', (e) => { e.preventDefault(); showTab('tree'); browse(p); });
      ul.append(el('li', {}, a));
    }
    return ul;
  };
  for (const s of body.sessions) {
    tbody.append(el('tr', {},
      el('td', { textContent: s.session_id }),
      el('td', { textContent: s.timeout_ms + ' ms' }),
      el('td', { textContent: s.client ?? '(another server)' }),
      el('td', { textContent: s.last_operation ?? '–' }),
      el('td', {}, list(s.ephemerals)),
      el('td', {}, list(s.watches))));
  }
}

// ---------- metrics and charts ----------

function parseMetrics(text) {
  const samples = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels = {};
    if (m[2]) for (const l of m[2].matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return samples;
}

const sum = (samples, name) => samples.filter((s) => s.name === name).reduce((a, s) => a + s.value, 0);
const series = { throughput: [], latency: [], fsync: [], commits: [] };
let previous = null;

async function pollMetrics() {
  const r = await fetch('/metrics', { cache: 'no-store' });
  const samples = parseMetrics(await r.text());
  const now = {
    t: performance.now() / 1000,
    reqCount: sum(samples, 'zk_request_latency_seconds_count'),
    reqSum: sum(samples, 'zk_request_latency_seconds_sum'),
    fsyncCount: sum(samples, 'zk_fsync_seconds_count'),
    fsyncSum: sum(samples, 'zk_fsync_seconds_sum'),
    commits: sum(samples, 'zk_commits_total'),
  };
  if (previous) {
    const dt = Math.max(0.001, now.t - previous.t);
    const dReq = now.reqCount - previous.reqCount;
    const dFsync = now.fsyncCount - previous.fsyncCount;
    push('throughput', dReq / dt);
    push('latency', dReq > 0 ? ((now.reqSum - previous.reqSum) / dReq) * 1000 : 0);
    push('fsync', dFsync > 0 ? ((now.fsyncSum - previous.fsyncSum) / dFsync) * 1000 : 0);
    push('commits', (now.commits - previous.commits) / dt);
  }
  previous = now;
  draw('#chart-throughput', series.throughput, '#2f6fdb');
  draw('#chart-latency', series.latency, '#d9822b');
  draw('#chart-fsync', series.fsync, '#8e44ad');
  draw('#chart-commits', series.commits, '#1e8e3e');
}

function push(name, v) {
  const s = series[name];
  s.push(Number.isFinite(v) ? v : 0);
  if (s.length > 90) s.shift();
}

function draw(sel, data, color) {
  const canvas = $(sel);
  const ctx = canvas.getContext('2d');
  const w = canvas.width, h = canvas.height, pad = 34;
  ctx.clearRect(0, 0, w, h);
  ctx.font = '11px sans-serif';
  ctx.strokeStyle = '#dde1e8';
  ctx.fillStyle = '#6b7385';
  const top = Math.max(0, ...data);
  const max = top > 0 ? top * 1.15 : 1;
  for (let i = 0; i <= 4; i++) {
    const y = h - pad / 2 - ((h - pad) * i) / 4;
    ctx.beginPath(); ctx.moveTo(pad, y); ctx.lineTo(w - 4, y); ctx.stroke();
    ctx.fillText(fmt((max * i) / 4), 2, y + 4);
  }
  if (data.length < 2) { ctx.fillText('collecting…', w / 2 - 30, h / 2); return; }
  ctx.strokeStyle = color;
  ctx.lineWidth = 2;
  ctx.beginPath();
  const step = (w - pad - 6) / (data.length - 1);
  data.forEach((v, i) => {
    const x = pad + step * i;
    const y = h - pad / 2 - ((h - pad) * v) / max;
    if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
  });
  ctx.stroke();
  ctx.lineWidth = 1;
  ctx.fillStyle = color;
  ctx.fillText('now ' + fmt(data[data.length - 1]), w - 90, 12);
}

function fmt(v) {
  if (v >= 1000) return (v / 1000).toFixed(1) + 'k';
  if (v >= 10) return v.toFixed(0);
  if (v >= 1) return v.toFixed(1);
  return v.toFixed(2);
}

// ---------- wiring ----------

function showTab(name) {
  state.tab = name;
  for (const b of document.querySelectorAll('.tab')) b.classList.toggle('active', b.dataset.tab === name);
  for (const p of document.querySelectorAll('.panel')) p.classList.toggle('active', p.id === 'tab-' + name);
  if (name === 'ensemble') refreshEnsemble();
  if (name === 'sessions') refreshSessions();
}

function every(ms, fn) {
  const run = () => Promise.resolve().then(fn).catch((e) => console.warn(e)).finally(() => setTimeout(run, ms));
  run();
}

function initialPath() {
  const m = /#path=(.*)$/.exec(location.hash);
  return m ? decodeURIComponent(m[1]) : '/';
}

document.addEventListener('DOMContentLoaded', () => {
  for (const b of document.querySelectorAll('.tab')) b.addEventListener('click', () => showTab(b.dataset.tab));
  $('#path-form').addEventListener('submit', (e) => { e.preventDefault(); browse($('#path-input').value.trim() || '/'); });
  $('#search-form').addEventListener('submit', (e) => { e.preventDefault(); search($('#search-input').value.trim()); });
  $('#data-mode').addEventListener('change', renderData);
  browse(initialPath(), false);
  every(2000, refreshSummary);
  every(2000, pollMetrics);
  every(5000, () => (state.tab === 'ensemble' ? refreshEnsemble() : state.tab === 'sessions' ? refreshSessions() : null));
});

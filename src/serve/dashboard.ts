/**
 * The dashboard: one page, no build step. The server fills in only the token and a nonce (both
 * escaped); everything else comes from /api/dashboard and is put in the page with textContent,
 * never as HTML, so nothing a log or a probe says can run in the browser.
 */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

export function dashboardPage(opts: { token: string; nonce: string; title: string }): string {
  const nonce = escapeHtml(opts.nonce);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="mechanic-token" content="${escapeHtml(opts.token)}">
<link rel="icon" href="data:,">
<title>${escapeHtml(opts.title)}</title>
<style nonce="${nonce}">${STYLE}</style>
</head>
<body>
<header>
  <h1>code-mechanic</h1>
  <div id="project" class="dim"></div>
  <div id="daemon"></div>
  <div id="failing" class="down" role="alert" hidden></div>
  <button id="run-cycle" type="button">Run a cycle now</button>
  <div id="message" role="status" aria-live="polite"></div>
</header>
<main>
  <section><h2>Probes</h2><table id="probes"><thead><tr><th>probe</th><th>kind</th><th>status</th><th>history</th><th>uptime</th><th>latency</th><th>reason</th></tr></thead><tbody></tbody></table><p class="empty" id="probes-empty" hidden>No probe results yet.</p></section>
  <section><h2>Needs a person</h2><ul id="needs"></ul></section>
  <section><h2>Open bugs</h2><table id="bugs"><thead><tr><th>file</th><th>kind</th><th>error</th><th>last attempt</th><th></th></tr></thead><tbody></tbody></table><p class="empty" id="bugs-empty" hidden>The last cycle left no bug open.</p></section>
  <section><h2>Recent fixes</h2><div id="fixes"></div><p class="empty" id="fixes-empty" hidden>No fix attempts in the log.</p></section>
  <section><h2>Notifications</h2><div id="notify" class="dim"></div></section>
</main>
<footer class="dim" id="footer"></footer>
<script nonce="${nonce}">${SCRIPT}</script>
</body>
</html>
`;
}

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1d232a;background:#f6f7f9}
header{background:#1d232a;color:#fff;padding:12px 20px;display:flex;flex-wrap:wrap;gap:8px 20px;align-items:center}
header h1{font-size:18px;margin:0}
header .dim{color:#aab}
main{padding:8px 20px;max-width:1200px}
section{background:#fff;border:1px solid #dde;border-radius:6px;margin:12px 0;padding:8px 14px}
h2{font-size:15px;margin:6px 0 8px}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eef;vertical-align:top}
th{font-weight:600;color:#556}
.dim{color:#778}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600}
.healthy,.applied{background:#d9f5df;color:#175c2a}
.degraded,.proposed,.skipped{background:#fff1cc;color:#7a5600}
.down,.failed,.reverted{background:#fbdcdc;color:#8a1c1c}
.strip{display:flex;gap:2px}
.strip span{width:8px;height:16px;border-radius:2px;display:inline-block}
.strip .healthy{background:#2e9d4f}.strip .degraded{background:#e0a800}.strip .down{background:#d23c3c}
.fix{border-top:1px solid #eef;padding:8px 0}
.fix:first-child{border-top:0}
pre.diff{background:#f3f4f7;padding:6px 8px;overflow:auto;font-size:12px;margin:4px 0}
pre.diff .add{color:#175c2a;background:#e4f7e8;display:block}
pre.diff .del{color:#8a1c1c;background:#fbe6e6;display:block}
button{font:inherit;padding:2px 10px;border-radius:4px;border:1px solid #99a;background:#fff;cursor:pointer}
button:disabled{opacity:.5;cursor:default}
header button{background:#3b82f6;color:#fff;border-color:#3b82f6}
#message{flex-basis:100%;min-height:1em}
#message.error{color:#ffb4b4}
.empty{color:#778;margin:4px 0}
footer{padding:4px 20px 16px}
`;

// Plain ES2017 with no template literals (this file is itself one). Everything from the API goes
// in with textContent.
const SCRIPT = `
'use strict';
var TOKEN = document.querySelector('meta[name="mechanic-token"]').getAttribute('content');
function el(tag, props, children) {
  var e = document.createElement(tag);
  if (props) for (var k in props) {
    if (k === 'text') e.textContent = props[k];
    else if (k === 'cls') e.className = props[k];
    else if (k === 'title') e.title = props[k];
    else e.setAttribute(k, props[k]);
  }
  (children || []).forEach(function (c) { if (c) e.appendChild(c); });
  return e;
}
function txt(s) { return document.createTextNode(s == null ? '' : String(s)); }
function badge(s) { return el('span', { cls: 'badge ' + s, text: s }); }
function when(iso) { if (!iso) return ''; var d = new Date(iso); return d.toLocaleString(); }
function say(text, isError) { var m = document.getElementById('message'); m.textContent = text; m.className = isError ? 'error' : ''; }

function act(name, body, button) {
  if (button) button.disabled = true;
  say(name + '…');
  return fetch('api/actions/' + name, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Mechanic-Token': TOKEN },
    body: JSON.stringify(body || {}),
    credentials: 'same-origin'
  }).then(function (r) {
    return r.json().then(function (j) {
      if (!r.ok) throw new Error(j.error || ('HTTP ' + r.status));
      say(j.message || (name + ': done'));
    });
  }).catch(function (e) { say(name + ' failed: ' + e.message, true); })
    .then(function () { if (button) button.disabled = false; return refresh(); });
}
function button(label, name, body) {
  var b = el('button', { type: 'button', text: label, 'data-action': name });
  b.addEventListener('click', function () { act(name, body, b); });
  return b;
}

function renderHeader(d) {
  document.getElementById('project').textContent = d.project.roots.join(', ') + ' · ' + d.project.config;
  var dm = d.daemon, parts = [];
  if (dm.inProcess) parts.push('daemon (this process): ' + (dm.phase === 'cycle' ? 'cycle under way' : dm.phase));
  else if (dm.running) parts.push(dm.running.command + ' running: pid ' + dm.running.pid + ' since ' + when(dm.running.since));
  else parts.push('no daemon running');
  if (dm.nextCycleDue) parts.push('next cycle ' + when(dm.nextCycleDue));
  var t = d.totals;
  parts.push(t.totalCycles + ' cycles, ' + t.totalFixes + ' fixes, ' + t.totalReverts + ' reverts');
  if (d.lastCycle) parts.push('last cycle ' + when(d.lastCycle.finishedAt) + ': ' + d.lastCycle.summary);
  document.getElementById('daemon').textContent = parts.join(' · ');
  var f = d.cycleFailure, failing = document.getElementById('failing');
  failing.hidden = !f;
  failing.textContent = f ? 'cycles failing since ' + when(f.since) + ' (' + f.cycles + ' in a row): ' + f.message : '';
}

function renderProbes(d) {
  var body = document.querySelector('#probes tbody');
  body.replaceChildren();
  document.getElementById('probes-empty').hidden = d.probes.length > 0;
  d.probes.forEach(function (p) {
    var strip = el('span', { cls: 'strip' });
    p.history.forEach(function (h) { strip.appendChild(el('span', { cls: h.status, title: when(h.at) + ': ' + h.status + (h.reason ? ' (' + h.reason + ')' : '') })); });
    var pct = function (r) { return (Math.round(r * 1000) / 10) + '%'; };
    var up = p.uptime.ratio == null ? '' : pct(p.uptime.ratio) + ' of ' + p.uptime.results;
    if (p.uptime24h && p.uptime24h.ratio != null) up += ' · 24 h ' + pct(p.uptime24h.ratio);
    if (p.uptime7d && p.uptime7d.ratio != null) up += ' · 7 d ' + pct(p.uptime7d.ratio);
    body.appendChild(el('tr', { 'data-probe': p.name }, [
      el('td', { text: p.name }), el('td', { text: p.kind }), el('td', null, [badge(p.status)]),
      el('td', null, [strip]), el('td', { text: up }), el('td', { text: Math.round(p.latencySeconds * 1000) + ' ms' }),
      el('td', { text: p.reason })
    ]));
  });
}

function renderNeeds(d) {
  var ul = document.getElementById('needs'), n = d.needsPerson;
  ul.replaceChildren();
  n.escalated.forEach(function (b) {
    ul.appendChild(el('li', null, [txt('escalated: ' + b.file + ':' + b.line + ' ' + b.error + ' after ' + b.attempts + ' attempts (since ' + when(b.since) + ') '), button('Retry', 'retry', { target: b.file })]));
  });
  n.proposed.forEach(function (p) {
    ul.appendChild(el('li', null, [txt('proposed fix ' + p.fixId + ' for ' + p.file + ': ' + p.error + ' '), button('Apply', 'apply', { fixId: p.fixId })]));
  });
  n.leftForPerson.forEach(function (p) {
    ul.appendChild(el('li', null, [txt('fix ' + p.fixId + ' in ' + p.file + ' left work: ' + p.what)]));
  });
  if (!ul.children.length) ul.appendChild(el('li', { cls: 'dim', text: 'Nothing needs a person.' }));
}

function renderBugs(d) {
  var body = document.querySelector('#bugs tbody');
  body.replaceChildren();
  document.getElementById('bugs-empty').hidden = d.bugs.length > 0;
  d.bugs.forEach(function (b) {
    var snoozeFor = el('select', { 'aria-label': 'snooze for' }, ['1h', '1d', '7d'].map(function (v) { return el('option', { value: v, text: v }); }));
    var snooze = el('button', { type: 'button', text: 'Snooze', 'data-action': 'snooze' });
    snooze.addEventListener('click', function () { act('snooze', { target: b.file, duration: snoozeFor.value }, snooze); });
    body.appendChild(el('tr', { 'data-bug': b.id }, [
      el('td', { text: b.rel + ':' + b.line }), el('td', { text: b.kind + (b.protected ? ' (protected)' : '') }),
      el('td', { text: b.errorType + ': ' + b.message }),
      el('td', null, b.outcome ? [badge(b.outcome), txt(' ' + (b.reason || ''))] : []),
      // A protected file is never touched: nothing to retry or snooze.
      el('td', null, b.protected ? [] : [button('Retry', 'retry', { target: b.file }), txt(' '), snoozeFor, snooze])
    ]));
  });
}

function renderDiff(diff) {
  var pre = el('pre', { cls: 'diff' });
  diff.split('\\n').forEach(function (line) {
    var c = line[0] === '+' && line.slice(0, 3) !== '+++' ? 'add' : line[0] === '-' && line.slice(0, 3) !== '---' ? 'del' : '';
    pre.appendChild(el('span', c ? { cls: c, text: line } : { text: line + '\\n' }));
  });
  return pre;
}

function renderFixes(d) {
  var box = document.getElementById('fixes');
  box.replaceChildren();
  document.getElementById('fixes-empty').hidden = d.fixes.length > 0;
  d.fixes.forEach(function (f) {
    var head = el('div', null, [
      badge(f.revertedAt ? 'reverted' : f.outcome), txt(' '), el('strong', { text: f.rel + ':' + f.line }),
      txt(' · ' + f.strategy + (f.confidence != null ? ' · confidence ' + f.confidence : '') + ' · ' + when(f.time) + ' · '),
      el('code', { text: f.id })
    ]);
    var actions = el('div');
    if (f.canRevert) actions.appendChild(button('Revert', 'revert', { fixId: f.id }));
    if (f.canApply) actions.appendChild(button('Apply', 'apply', { fixId: f.id }));
    var lines = [el('div', { cls: 'dim', text: f.error }), el('div', { text: f.reason })];
    if (f.validated && f.validated.length && f.reason.indexOf('validated:') < 0) lines.push(el('div', { cls: 'dim', text: 'validated: ' + f.validated.join(', ') }));
    if (f.revertedAt) lines.push(el('div', { cls: 'dim', text: 'reverted at ' + when(f.revertedAt) }));
    var diff = f.diff ? el('details', f.outcome === 'applied' && !f.revertedAt ? { open: '' } : null, [el('summary', { text: 'diff' }), renderDiff(f.diff)]) : null;
    box.appendChild(el('div', { cls: 'fix', 'data-fix': f.id, 'data-outcome': f.revertedAt ? 'reverted' : f.outcome }, [head].concat(lines, [diff, actions])));
  });
}

function renderNotify(d) {
  var n = d.notify;
  document.getElementById('notify').textContent = n.channels.length
    ? n.pending + ' notification(s) still owed; ' + n.channels.map(function (c) { return c.name + ': ' + c.pending + ' owed' + (c.lastError ? ' (last error: ' + c.lastError + ')' : ''); }).join('; ')
    : 'No channels configured.';
}

var lastSeen = null;
function refresh() {
  return fetch('api/dashboard', { credentials: 'same-origin' }).then(function (r) {
    return r.json().then(function (d) {
      if (!r.ok) throw new Error(d.error || ('HTTP ' + r.status));
      var seen = JSON.stringify(Object.assign({}, d, { generatedAt: null }));
      // Unchanged data: leave the page as it is (an open diff, a chosen snooze stay).
      if (seen !== lastSeen) { renderHeader(d); renderProbes(d); renderNeeds(d); renderBugs(d); renderFixes(d); renderNotify(d); }
      lastSeen = seen;
      document.getElementById('footer').textContent = 'updated ' + when(d.generatedAt);
      document.body.setAttribute('data-loaded', d.generatedAt);
    });
  }).catch(function (e) { say('cannot load: ' + e.message, true); });
}

var runButton = document.getElementById('run-cycle');
runButton.addEventListener('click', function () { act('run-cycle', {}, runButton); });
refresh();
setInterval(refresh, 5000);
`;

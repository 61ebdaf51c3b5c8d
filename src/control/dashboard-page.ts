/**
 * The dashboard: one self-contained HTML page (inline script and style, no framework, no
 * external requests) served by the control listener at {@link DASHBOARD_PATH}. It polls the
 * control API: the live request stream (`/requests`, IMDSv1 rows in red), the IMDSv1 caller
 * summary (`/audit`), the metadata tree (`/tree`) and buttons that post scenarios and settings.
 * Behind a proxy only the stream and the summary are shown (`/state` answers 404 there).
 *
 * @see docs/audit.md
 */

/** Where the control listener serves the page. */
export const DASHBOARD_PATH = '/dashboard';

const STYLE = `
body{font:14px system-ui,sans-serif;margin:1rem;color:#222}
h1{font-size:1.2rem;margin:0 0 .5rem} h2{font-size:1rem;margin:1rem 0 .3rem}
table{border-collapse:collapse;width:100%} td,th{padding:2px 6px;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}
th{background:#f3f3f3} tr.v1{background:#ffd6d6;color:#8a0000;font-weight:600} tr.v1 td:nth-child(2){color:#c00}
tr.bad-token{background:#fff2cc} code{font-size:12px}
#controls button{margin:0 .4rem .4rem 0;padding:.3rem .7rem} #status{color:#555}
.cols{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:1rem} section{min-width:0;overflow:hidden} #tree td,#callers td{word-break:break-all} #tree-section{max-height:420px;overflow:auto;font:12px monospace}
`;

const SCRIPT = `
const token = new URLSearchParams(location.search).get('token');
const headers = token ? { Authorization: 'Bearer ' + token } : {};
const $ = (id) => document.getElementById(id);
const text = (value) => document.createTextNode(value == null ? '' : String(value));
function row(cells, className) {
  const tr = document.createElement('tr');
  if (className) tr.className = className;
  for (const cell of cells) { const td = document.createElement('td'); td.appendChild(text(cell)); tr.appendChild(td); }
  return tr;
}
async function api(path, init) {
  const response = await fetch(path, { ...init, headers: { ...headers, ...(init && init.body ? { 'Content-Type': 'application/json' } : {}) } });
  if (!response.ok) throw Object.assign(new Error(path + ': ' + response.status), { status: response.status });
  return response.status === 204 ? undefined : response.json();
}
function who(caller) {
  if (!caller) return '';
  if (caller.status !== 'resolved') return '(' + caller.status + ')';
  return caller.exe + ' pid ' + caller.pid + (caller.user ? ' ' + caller.user : '') + (caller.containerId ? ' ctr ' + caller.containerId.slice(0, 12) : '');
}
let emulator = true;
async function refresh() {
  const { total, requests } = await api('/requests?since=0');
  const recent = requests.slice(-200).reverse();
  const body = $('stream');
  body.replaceChildren(...recent.map((r) => row([r.time.slice(11, 23), r.version, r.method, r.path, r.status, who(r.caller), r.userAgent || '', r.enforced || ''], r.version)));
  $('count').textContent = total + ' requests';
  const report = await api('/audit');
  $('callers').replaceChildren(...report.v1Callers.map((c) => row([c.count, c.exe, c.pids.join(','), c.users.join(','), c.containerId ? c.containerId.slice(0, 12) : '', c.userAgent || '', c.firstSeen.slice(11, 19), c.lastSeen.slice(11, 19), c.paths.join(' ')])));
  if (!emulator) return;
  try {
    const state = await api('/state');
    $('mode').textContent = 'emulator, HttpTokens=' + state.httpTokens.served;
    const tree = await api('/tree');
    $('tree').replaceChildren(...Object.entries(tree).map(([path, value]) => row([path, value])));
  } catch (error) {
    if (error.status !== 404) throw error;
    emulator = false;
    $('mode').textContent = 'proxy';
    for (const id of ['controls', 'tree-section']) $(id).hidden = true;
  }
}
async function loop() {
  try { await refresh(); $('status').textContent = 'live'; } catch (error) { $('status').textContent = String(error.message || error); }
  setTimeout(loop, 500);
}
const actions = {
  spot: () => api('/scenarios', { method: 'POST', body: JSON.stringify({ type: 'spot-interruption', action: 'terminate' }) }),
  rebalance: () => api('/scenarios', { method: 'POST', body: JSON.stringify({ type: 'rebalance-recommendation' }) }),
  maintenance: () => api('/scenarios', { method: 'POST', body: JSON.stringify({ type: 'maintenance-event', code: 'system-reboot', notBefore: '1d', notAfter: '1d2h' }) }),
  'v2-on': () => api('/settings', { method: 'PUT', body: JSON.stringify({ httpTokens: 'required' }) }),
  'v2-off': () => api('/settings', { method: 'PUT', body: JSON.stringify({ httpTokens: 'optional' }) }),
};
for (const [id, action] of Object.entries(actions)) {
  $(id).addEventListener('click', async () => {
    try { await action(); $('status').textContent = id + ': done'; await refresh(); } catch (error) { $('status').textContent = id + ': ' + error.message; }
  });
}
loop();
`;

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>IMDS dashboard</title><style>${STYLE}</style></head>
<body>
<h1>IMDS dashboard <small id="mode"></small> <small id="count"></small> <small id="status"></small></h1>
<div id="controls">
<button id="spot">Spot interruption</button><button id="rebalance">Rebalance recommendation</button><button id="maintenance">Maintenance event</button><button id="v2-on">IMDSv2 required</button><button id="v2-off">IMDSv2 optional (allow v1)</button>
</div>
<section><h2>Requests (newest first; IMDSv1 in red)</h2>
<table><thead><tr><th>time</th><th>version</th><th>method</th><th>path</th><th>status</th><th>caller</th><th>user agent</th><th>enforce</th></tr></thead><tbody id="stream"></tbody></table></section>
<div class="cols">
<section><h2>IMDSv1 callers</h2>
<table><thead><tr><th>count</th><th>executable</th><th>pids</th><th>user</th><th>container</th><th>user agent</th><th>first</th><th>last</th><th>paths</th></tr></thead><tbody id="callers"></tbody></table>
</section>
<section id="tree-section"><h2>Metadata (current values)</h2><table id="tree-table"><tbody id="tree"></tbody></table></section>
</div>
<script>${SCRIPT}</script>
</body></html>
`;

/** The page's HTML. */
export function dashboardPage(): string {
  return PAGE;
}

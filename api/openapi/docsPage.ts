// /docs: a self-contained API reference page (no CDN). It is a static shell: it fetches /openapi.json (no
// token needed) and renders endpoints, parameters, schemas and a "try it" form, which uses the bearer token
// asked for (or taken from the URL fragment, #token=..., which browsers never send to the server).
const STYLE = `
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{background:#1d2330;color:#fff;padding:14px 24px;display:flex;gap:16px;align-items:center}
header h1{font-size:18px;margin:0;flex:1}
main{max-width:1100px;margin:0 auto;padding:16px 24px}
input,textarea,button{font:inherit}textarea{width:100%;min-height:120px;font-family:monospace}
details.op{background:#fff;border:1px solid #d8dce3;border-radius:6px;margin:8px 0}
details.op>summary{padding:8px 12px;cursor:pointer;display:flex;gap:12px;align-items:baseline}
.m{font-weight:700;text-transform:uppercase;width:60px;font-family:monospace}
.get{color:#0a7}.post{color:#06c}.put{color:#a60}.patch{color:#a0a}.delete{color:#c22}
.path{font-family:monospace}.body{padding:4px 16px 12px}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #eee;padding:4px 6px;text-align:left;vertical-align:top}
pre{background:#f0f2f5;padding:8px;overflow:auto;max-height:360px}.err{color:#c22}
`;

const SCRIPT = `
const $ = (tag, attrs = {}, ...kids) => { const e = document.createElement(tag); for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v); for (const k of kids) e.append(k); return e; };
const frag = new URLSearchParams(location.hash.slice(1)).get('token');
if (frag) { sessionStorage.setItem('zkeToken', frag); history.replaceState(null, '', location.pathname); }
const tokenInput = document.getElementById('token');
tokenInput.value = sessionStorage.getItem('zkeToken') || '';
document.getElementById('load').onclick = () => { sessionStorage.setItem('zkeToken', tokenInput.value.trim()); load(); };
const auth = () => ({ Authorization: 'Bearer ' + (sessionStorage.getItem('zkeToken') || '') });
let doc;
const refName = (s) => s && s.$ref ? s.$ref.split('/').pop() : null;
function schemaText(s, depth = 0) {
  if (!s) return '';
  const name = refName(s);
  if (name) return depth > 0 ? name : schemaText(doc.components.schemas[name], depth);
  if (s.type === 'object' || s.properties) {
    const req = new Set(s.required || []);
    const rows = Object.entries(s.properties || {}).map(([k, v]) => '  '.repeat(depth + 1) + k + (req.has(k) ? '' : '?') + ': ' + schemaText(v, depth + 1) + (v.description ? '  // ' + v.description : ''));
    if (s.additionalProperties && typeof s.additionalProperties === 'object') rows.push('  '.repeat(depth + 1) + '[key]: ' + schemaText(s.additionalProperties, depth + 1));
    return '{\\n' + rows.join('\\n') + '\\n' + '  '.repeat(depth) + '}';
  }
  if (s.type === 'array') return schemaText(s.items, depth) + '[]';
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (s.anyOf || s.oneOf) return (s.anyOf || s.oneOf).map((x) => schemaText(x, depth)).join(' | ');
  return s.type || 'any';
}
function tryIt(path, method, op) {
  const form = $('form');
  const params = op.parameters || [];
  for (const p of params) form.append($('label', {}, p.name + ' (' + p.in + ') '), $('input', { name: p.name }), $('br'));
  const bodyType = op.requestBody ? Object.keys(op.requestBody.content)[0] : null;
  const body = $('textarea', { placeholder: bodyType || '' });
  if (bodyType) form.append(body);
  const out = $('pre');
  form.append($('button', { type: 'submit' }, 'Send'), out);
  form.onsubmit = async (ev) => {
    ev.preventDefault();
    let url = path, query = new URLSearchParams();
    for (const p of params) { const v = form.elements[p.name].value; if (p.in === 'path') url = url.replace('{' + p.name + '}', encodeURIComponent(v)); else if (v) query.set(p.name, v); }
    if ([...query].length) url += '?' + query;
    const init = { method: method.toUpperCase(), headers: auth() };
    if (bodyType && body.value) { init.headers['Content-Type'] = bodyType; init.body = body.value; }
    try { const res = await fetch(url, init); out.textContent = res.status + ' ' + res.statusText + '\\n\\n' + await res.text(); }
    catch (e) { out.textContent = String(e); }
  };
  return form;
}
function operation(path, method, op) {
  const d = $('details', { class: 'op' });
  d.append($('summary', {}, $('span', { class: 'm ' + method }, method), $('span', { class: 'path' }, path), $('span', {}, op.summary || '')));
  const b = $('div', { class: 'body' });
  if (op.description) b.append($('p', {}, op.description));
  if ((op.parameters || []).length) {
    const t = $('table', {}, $('tr', {}, $('th', {}, 'parameter'), $('th', {}, 'in'), $('th', {}, 'schema'), $('th', {}, 'description')));
    for (const p of op.parameters) t.append($('tr', {}, $('td', {}, p.name + (p.required ? ' *' : '')), $('td', {}, p.in), $('td', {}, schemaText(p.schema)), $('td', {}, p.description || '')));
    b.append($('h4', {}, 'Parameters'), t);
  }
  if (op.requestBody) for (const [type, c] of Object.entries(op.requestBody.content)) b.append($('h4', {}, 'Request body (' + type + ')'), $('pre', {}, schemaText(c.schema)));
  const rt = $('table', {}, $('tr', {}, $('th', {}, 'status'), $('th', {}, 'description'), $('th', {}, 'schema')));
  for (const [status, r] of Object.entries(op.responses || {})) {
    const c = r.content ? Object.entries(r.content)[0] : null;
    rt.append($('tr', {}, $('td', {}, status), $('td', {}, r.description), $('td', {}, c ? c[0] + ' ' + (refName(c[1].schema) || '') : '')));
  }
  b.append($('h4', {}, 'Responses'), rt, $('h4', {}, 'Try it'), tryIt(path, method, op));
  d.append(b);
  return d;
}
function render() {
  const main = document.getElementById('main');
  main.replaceChildren($('h2', {}, doc.info.title + ' ' + doc.info.version), $('p', {}, doc.info.description));
  const byTag = {};
  for (const [path, item] of Object.entries(doc.paths)) for (const [method, op] of Object.entries(item)) (byTag[(op.tags || ['other'])[0]] ??= []).push(operation(path, method, op));
  for (const [tag, ops] of Object.entries(byTag)) main.append($('h3', {}, tag), ...ops);
  main.append($('h3', {}, 'Schemas'));
  for (const [name, s] of Object.entries(doc.components.schemas)) main.append($('details', { class: 'op', id: 'schema-' + name }, $('summary', {}, $('span', { class: 'path' }, name), $('span', {}, s.description || '')), $('pre', {}, schemaText(s))));
}
async function load() {
  const main = document.getElementById('main');
  const res = await fetch('/openapi.json', { headers: auth() });
  if (!res.ok) { main.replaceChildren($('p', { class: 'err' }, res.status === 401 ? 'Enter a valid API token above (zke token create).' : 'Could not load /openapi.json: ' + res.status)); return; }
  doc = await res.json();
  render();
}
load();
`;

export function docsPage(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>zke API reference</title>
<meta name="viewport" content="width=device-width,initial-scale=1"><style>${STYLE}</style></head>
<body><header><h1>zke API reference</h1><label>Token <input id="token" type="password" size="40" autocomplete="off"></label><button id="load">Load</button></header>
<main id="main"><p>Loading /openapi.json…</p></main>
<script>${SCRIPT}</script></body></html>`;
}

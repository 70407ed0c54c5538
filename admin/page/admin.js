// cordon reviewers' page: /-/admin/ (docs/admin-api.md).
//
// Plain ES2020, no framework, served under a strict CSP (no inline script or
// style).  Everything the server returns is untrusted (package names,
// comments, justifications, user agents): the DOM is built with
// createElement and textContent only, never innerHTML.
//
// The token lives in sessionStorage (key cordon_token) and is sent as
// "Authorization: Bearer" to /-/api/... on this origin only.
//
// Hash routes: #held (default), #decisions, #approvals, #ECO/PKG/VER (PKG and
// VER may be percent-encoded; PKG may also contain raw slashes: first segment
// is the ecosystem, the last one the version, everything between the package),
// #lockfiles, #lockfiles/PROJECT and #lockfiles/PROJECT/ID (PROJECT is
// percent-encoded, '/' as %2F; a raw-slash PROJECT is read whole unless its
// last segment is all digits, which is then the submission id).

'use strict';

(() => {
  const TOKEN_KEY = 'cordon_token';
  const API = '/-/api';
  const ECO_NAMES = { npm: 'npm', pypi: 'PyPI', maven: 'Maven' };

  const $ = (id) => document.getElementById(id);

  const state = {
    me: null,              // {name, role}
    held: [],              // last GET /-/api/held
    heldSort: { key: null, dir: 1 },
    detail: null,          // {eco, pkg, ver}
    detailSeq: 0,          // guards against out-of-order answers
    decisions: { stack: [], before: null, next: null },
    lock: { seq: 0, projects: [], project: null, id: null, report: null, accepted: false, now: {}, busy: false },
  };

  // ------------------------------------------------------------------ DOM

  // el('td', {class: 'x', dataset: {key: 'v'}}, 'text', childNode, ...)
  // Strings become text nodes; null/undefined/false children are skipped.
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    if (attrs) {
      for (const [k, v] of Object.entries(attrs)) {
        if (v === null || v === undefined || v === false) continue;
        if (k === 'class') e.className = v;
        else if (k === 'dataset') Object.assign(e.dataset, v);
        else if (k === 'text') e.textContent = String(v);
        else if (k.startsWith('on') && typeof v === 'function') e.addEventListener(k.slice(2), v);
        else e.setAttribute(k, v === true ? '' : String(v));
      }
    }
    for (const c of children) {
      if (c === null || c === undefined || c === false) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function show(node, on) {
    node.hidden = !on;
  }

  // ------------------------------------------------------------------ status

  let statusTimer = null;

  // setStatus(text, kind): kind is 'ok', 'error' or 'info'.  Errors stay
  // until dismissed or replaced; the rest fade after a while.
  function setStatus(text, kind = 'info') {
    const box = $('status');
    $('status-text').textContent = text;
    box.className = 'status status-' + kind;
    box.dataset.kind = kind;
    show(box, true);
    if (statusTimer) clearTimeout(statusTimer);
    statusTimer = kind === 'error' ? null : setTimeout(clearStatus, 12000);
  }

  function clearStatus() {
    if (statusTimer) clearTimeout(statusTimer);
    statusTimer = null;
    show($('status'), false);
    $('status-text').textContent = '';
  }

  // ------------------------------------------------------------------ time

  function parseTime(iso) {
    if (!iso) return null;
    const t = Date.parse(iso);
    return Number.isNaN(t) ? null : t;
  }

  function span(ms) {
    const s = Math.round(Math.abs(ms) / 1000);
    if (s < 60) return s + ' s';
    const m = Math.round(s / 60);
    if (m < 60) return m + ' min';
    const h = s / 3600;
    if (h < 48) return (h < 10 ? Math.round(h * 10) / 10 : Math.round(h)) + ' h';
    const d = s / 86400;
    return (d < 10 ? Math.round(d * 10) / 10 : Math.round(d)) + ' d';
  }

  function relative(iso) {
    const t = parseTime(iso);
    if (t === null) return '';
    const diff = t - Date.now();
    if (Math.abs(diff) < 5000) return 'now';
    return diff < 0 ? span(diff) + ' ago' : 'in ' + span(diff);
  }

  function shortDate(iso) {
    const t = parseTime(iso);
    if (t === null) return String(iso);
    const d = new Date(t);
    const pad = (n) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
  }

  // A <time> element: local date, relative age, exact ISO in the tooltip.
  function timeEl(iso, opts = {}) {
    if (!iso) return el('span', { class: 'muted' }, opts.none || '—');
    const rel = relative(iso);
    return el('time', { datetime: iso, title: iso },
      opts.relativeFirst && rel ? rel : shortDate(iso),
      rel && !opts.relativeFirst ? el('span', { class: 'rel' }, rel) : null);
  }

  // ------------------------------------------------------------------ API

  class ApiError extends Error {
    constructor(status, message, reason) {
      super(message);
      this.status = status;
      this.reason = reason || '';
    }
  }

  function token() {
    try {
      return sessionStorage.getItem(TOKEN_KEY) || '';
    } catch (e) {
      return '';
    }
  }

  async function api(method, path, body) {
    const headers = { Accept: 'application/json' };
    const t = token();
    if (t) headers.Authorization = 'Bearer ' + t;
    const init = { method, headers, cache: 'no-store', credentials: 'omit', redirect: 'error' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(API + path, init);
    } catch (e) {
      throw new ApiError(0, 'cannot reach cordon (' + (e && e.message ? e.message : 'network error') + ')', 'network');
    }
    let data = null;
    const text = await res.text().catch(() => '');
    if (text) {
      try {
        data = JSON.parse(text);
      } catch (e) {
        data = null;
      }
    }
    if (!res.ok) {
      let msg = data && typeof data.error === 'string' && data.error ? data.error : (res.statusText || 'request failed');
      const reason = data && typeof data.reason === 'string' ? data.reason : '';
      if (res.status === 429) {
        const ra = res.headers.get('Retry-After');
        if (ra) msg += ' (retry after ' + ra + ' s)';
      }
      const err = new ApiError(res.status, msg, reason);
      if (res.status === 401 && state.me) {
        // the token was revoked while the page was open
        signOut('Your token is no longer accepted (401): sign in again.');
      }
      throw err;
    }
    if (data === null && text) throw new ApiError(res.status, 'the server answered something that is not JSON', 'bad_response');
    return data || {};
  }

  function errText(e) {
    if (e instanceof ApiError) {
      if (e.status === 0) return e.message;
      return 'HTTP ' + e.status + (e.reason ? ' ' + e.reason : '') + ': ' + e.message;
    }
    return String(e && e.message ? e.message : e);
  }

  const enc = encodeURIComponent;

  function versionPath(eco, pkg, ver) {
    return '/versions/' + enc(eco) + '/' + enc(pkg) + '/' + enc(ver);
  }

  function versionHash(eco, pkg, ver) {
    return '#' + enc(eco) + '/' + enc(pkg) + '/' + enc(ver);
  }

  function qs(params) {
    const parts = [];
    for (const [k, v] of Object.entries(params)) {
      if (v === null || v === undefined || v === '') continue;
      parts.push(enc(k) + '=' + enc(String(v)));
    }
    return parts.length ? '?' + parts.join('&') : '';
  }

  // ------------------------------------------------------------------ small widgets

  function ecoBadge(eco) {
    return el('span', { class: 'eco-badge eco-' + (ECO_NAMES[eco] ? eco : 'other') }, ECO_NAMES[eco] || String(eco || '?'));
  }

  function reasonBadge(reason) {
    const r = String(reason || 'unknown');
    const known = ['quarantine', 'blocked', 'install_script', 'manifest_confusion', 'typosquat',
      'missing_timestamp', 'denied', 'deny', 'snapshot', 'not_found', 'upstream_error', 'error'];
    const cls = known.includes(r) ? r : 'other';
    return el('span', { class: 'reason reason-' + cls }, r.replace(/_/g, ' '));
  }

  function decisionBadge(d) {
    const v = String(d || '?');
    return el('span', { class: 'decision decision-' + (['allow', 'deny', 'error'].includes(v) ? v : 'other') }, v);
  }

  function pkgLink(eco, pkg, ver) {
    return el('a', { href: versionHash(eco, pkg, ver), class: 'pkg' }, String(pkg));
  }

  // A two-step button: first click arms it ("Confirm …"), second acts.
  // No native confirm(): dialogs are reserved for nothing.
  function confirmButton(label, confirmLabel, cls, action) {
    let armed = false;
    let timer = null;
    const b = el('button', { type: 'button', class: 'btn btn-small ' + cls }, label);
    b.addEventListener('click', async (ev) => {
      ev.stopPropagation();
      if (!armed) {
        armed = true;
        b.textContent = confirmLabel;
        b.classList.add('armed');
        timer = setTimeout(() => {
          armed = false;
          b.textContent = label;
          b.classList.remove('armed');
        }, 4000);
        return;
      }
      clearTimeout(timer);
      b.disabled = true;
      try {
        await action();
      } finally {
        b.disabled = false;
        armed = false;
        b.textContent = label;
        b.classList.remove('armed');
      }
    });
    return b;
  }

  function ruleStatus(rec, kind) {
    if (rec.active) return el('span', { class: 'pill pill-ok' }, 'active');
    if (kind === 'approval' && rec.revoked_at) {
      return el('span', { class: 'pill pill-off', title: rec.revoked_at },
        'revoked' + (rec.revoked_by ? ' by ' + rec.revoked_by : ''));
    }
    if (kind === 'block' && rec.removed_at) {
      return el('span', { class: 'pill pill-off', title: rec.removed_at },
        'lifted' + (rec.removed_by ? ' by ' + rec.removed_by : ''));
    }
    if (kind === 'approval' && rec.expires_at && (parseTime(rec.expires_at) || 0) <= Date.now()) {
      return el('span', { class: 'pill pill-off', title: rec.expires_at }, 'expired');
    }
    return el('span', { class: 'pill pill-off' }, 'inactive');
  }

  async function revokeApproval(id) {
    try {
      await api('DELETE', '/approvals/' + enc(String(id)));
      setStatus('Approval #' + id + ' revoked.', 'ok');
    } catch (e) {
      setStatus('Could not revoke approval #' + id + ': ' + errText(e), 'error');
      return;
    }
    await refreshCurrent();
  }

  async function liftBlock(id) {
    try {
      await api('DELETE', '/blocks/' + enc(String(id)));
      setStatus('Block #' + id + ' lifted.', 'ok');
    } catch (e) {
      setStatus('Could not lift block #' + id + ': ' + errText(e), 'error');
      return;
    }
    await refreshCurrent();
  }

  // ------------------------------------------------------------------ sign in

  function showSignedIn(on) {
    show($('nav'), on);
    show($('who'), on);
  }

  function signOut(message) {
    try {
      sessionStorage.removeItem(TOKEN_KEY);
    } catch (e) { /* storage unavailable */ }
    state.me = null;
    state.held = [];
    showSignedIn(false);
    clear($('held-body'));
    clear($('decisions-body'));
    clear($('approvals-body'));
    clear($('blocks-body'));
    clear($('lockfiles-body'));
    clear($('lockhistory-body'));
    clear($('lockreport-changes-body'));
    state.lock.projects = [];
    state.lock.report = null;
    showView('signin');
    const msg = $('token-message');
    if (message) {
      msg.textContent = message;
      show(msg, true);
    } else {
      show(msg, false);
    }
    $('token-input').value = '';
    $('token-input').focus();
  }

  async function checkToken() {
    try {
      const me = await api('GET', '/whoami');
      state.me = { name: String(me.name || '?'), role: String(me.role || '?') };
    } catch (e) {
      state.me = null;
      let message;
      if (e.status === 401) message = 'That token was not accepted (401). Check that you pasted it whole, and that it was not revoked.';
      else message = 'Could not check the token: ' + errText(e);
      signOut(message);
      return false;
    }
    $('whoami-name').textContent = state.me.name;
    $('whoami-role').textContent = state.me.role;
    $('whoami-role').className = 'badge role-' + (['reviewer', 'auditor', 'ci'].includes(state.me.role) ? state.me.role : 'other');
    showSignedIn(true);
    show($('token-message'), false);
    return true;
  }

  async function onTokenSubmit(ev) {
    ev.preventDefault();
    const t = $('token-input').value.trim();
    if (!t) return;
    try {
      sessionStorage.setItem(TOKEN_KEY, t);
    } catch (e) {
      $('token-message').textContent = 'This browser refuses session storage; the page cannot keep the token.';
      show($('token-message'), true);
      return;
    }
    $('token-save').disabled = true;
    try {
      if (await checkToken()) {
        $('token-input').value = '';
        clearStatus();
        await route();
      }
    } finally {
      $('token-save').disabled = false;
    }
  }

  // ------------------------------------------------------------------ views

  const VIEWS = ['signin', 'held', 'detail', 'approvals', 'decisions', 'lockfiles', 'lockhistory', 'lockreport'];

  function showView(name) {
    for (const v of VIEWS) show($('view-' + v), v === name);
    for (const a of document.querySelectorAll('#nav a')) {
      const cur = a.dataset.view === name || (name === 'detail' && a.dataset.view === 'held') ||
        ((name === 'lockhistory' || name === 'lockreport') && a.dataset.view === 'lockfiles');
      if (cur) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
  }

  function safeDecode(s) {
    try {
      return decodeURIComponent(s);
    } catch (e) {
      return s;
    }
  }

  // parseHash('#npm/%40scope%2Fname/1.0.0') -> {view: 'detail', eco, pkg, ver}
  function parseHash(hash) {
    const h = (hash || '').replace(/^#/, '');
    if (h === '' || h === 'held' || h === '/') return { view: 'held' };
    if (h === 'decisions') return { view: 'decisions' };
    if (h === 'approvals') return { view: 'approvals' };
    if (h === 'lockfiles' || h === 'lockfiles/') return { view: 'lockfiles' };
    if (h.startsWith('lockfiles/')) {
      const segs = h.slice('lockfiles/'.length).split('/');
      if (segs[segs.length - 1] === '') segs.pop();
      const last = segs[segs.length - 1];
      if (segs.length >= 2 && /^[0-9]{1,15}$/.test(last) && Number(last) > 0) {
        return { view: 'lockreport', project: safeDecode(segs.slice(0, -1).join('/')), id: Number(last) };
      }
      return { view: 'lockhistory', project: safeDecode(segs.join('/')) };
    }
    const parts = h.split('/');
    if (parts.length >= 3 && parts[0] && parts[parts.length - 1]) {
      return {
        view: 'detail',
        eco: safeDecode(parts[0]),
        pkg: safeDecode(parts.slice(1, -1).join('/')),
        ver: safeDecode(parts[parts.length - 1]),
      };
    }
    return { view: 'held', unknown: h };
  }

  async function route() {
    if (!state.me) {
      showView('signin');
      return;
    }
    const r = parseHash(location.hash);
    if (r.unknown) setStatus('Unknown address #' + r.unknown + ': showing the held queue.', 'info');
    showView(r.view);
    document.title = 'cordon · ' + ({
      held: 'held',
      detail: r.pkg + '@' + r.ver,
      approvals: 'approvals & blocks',
      decisions: 'decisions',
      lockfiles: 'lockfiles',
      lockhistory: 'lockfile ' + r.project,
      lockreport: 'lockfile ' + r.project + ' #' + r.id,
    }[r.view]);
    if (r.view === 'held') await loadHeld();
    else if (r.view === 'detail') await loadDetail(r.eco, r.pkg, r.ver, true);
    else if (r.view === 'approvals') await loadRules();
    else if (r.view === 'decisions') await loadDecisions(null, true);
    else if (r.view === 'lockfiles') await loadLockProjects();
    else if (r.view === 'lockhistory') await loadLockHistory(r.project);
    else if (r.view === 'lockreport') await loadLockReport(r.project, r.id, true);
  }

  async function refreshCurrent() {
    const r = parseHash(location.hash);
    if (r.view === 'detail') await loadDetail(r.eco, r.pkg, r.ver, false);
    else if (r.view === 'approvals') await loadRules();
    else if (r.view === 'decisions') await loadDecisions(state.decisions.before, false);
    else if (r.view === 'lockfiles') await loadLockProjects();
    else if (r.view === 'lockhistory') await loadLockHistory(r.project);
    else if (r.view === 'lockreport') await loadLockReport(r.project, r.id, false);
    else await loadHeld();
  }

  // ------------------------------------------------------------------ held

  function heldSortValue(h, key) {
    switch (key) {
      case 'ecosystem': return String(h.ecosystem || '');
      case 'package': return String(h.package || '').toLowerCase();
      case 'reason': return String(h.reason || '');
      // age: younger first when ascending; unknown publish times last
      case 'age': { const t = parseTime(h.published_at); return t === null ? -Infinity : -t; }
      case 'eligible': { const t = parseTime(h.eligible_at); return t === null ? Infinity : t; }
      case 'requests': return Number(h.requests) || 0;
      case 'served': return Number(h.metadata_requests) || 0;
      case 'reviews': return Array.isArray(h.review_requests) ? h.review_requests.length : 0;
      default: return 0;
    }
  }

  function sortedHeld() {
    const rows = state.held.map((h, i) => ({ h, i }));
    const { key, dir } = state.heldSort;
    if (key) {
      rows.sort((a, b) => {
        const x = heldSortValue(a.h, key);
        const y = heldSortValue(b.h, key);
        if (x < y) return -dir;
        if (x > y) return dir;
        return a.i - b.i;   // stable: the server's order (newest hold first)
      });
    }
    return rows.map((r) => r.h);
  }

  function renderHeld() {
    const body = $('held-body');
    clear(body);
    const eco = $('held-filter-eco').value;
    const text = $('held-filter-text').value.trim().toLowerCase();
    let shown = 0;
    for (const h of sortedHeld()) {
      if (eco && h.ecosystem !== eco) continue;
      if (text && !String(h.package || '').toLowerCase().includes(text)) continue;
      shown++;
      const ecoS = String(h.ecosystem || '');
      const pkg = String(h.package || '');
      const ver = String(h.version || '');
      const reviews = Array.isArray(h.review_requests) ? h.review_requests.length : 0;
      const tr = el('tr', { dataset: { key: ecoS + '/' + pkg + '/' + ver }, tabindex: '0' },
        el('td', null, ecoBadge(ecoS)),
        el('td', { class: 'cell-pkg' }, pkgLink(ecoS, pkg, ver)),
        el('td', { class: 'mono' }, ver),
        el('td', null, reasonBadge(h.reason)),
        el('td', null, timeEl(h.published_at, { none: 'unknown' })),
        el('td', null, timeEl(h.eligible_at, { none: 'not set' })),
        el('td', { class: 'mono' }, h.alternative ? String(h.alternative) : el('span', { class: 'muted' }, 'none')),
        el('td', { class: 'num' }, String(Number(h.requests) || 0)),
        el('td', { class: 'num' }, String(Number(h.metadata_requests) || 0)),
        el('td', { class: 'num' }, reviews ? el('span', { class: 'pill pill-attn' }, String(reviews)) : '0'));
      const open = () => { location.hash = versionHash(ecoS, pkg, ver); };
      tr.addEventListener('click', (ev) => {
        if (ev.target.closest('a')) return;   // the link navigates by itself
        open();
      });
      tr.addEventListener('keydown', (ev) => {
        if (ev.key === 'Enter' && ev.target === tr) open();
      });
      body.append(tr);
    }
    $('held-count').textContent = state.held.length ? String(state.held.length) : '';
    const empty = $('held-empty');
    empty.textContent = state.held.length ? 'No held version matches the filter.' : 'Nothing is held right now.';
    show(empty, shown === 0);
    for (const th of document.querySelectorAll('#held-table th[data-sort]')) {
      const k = th.dataset.sort;
      if (k === state.heldSort.key) th.setAttribute('aria-sort', state.heldSort.dir > 0 ? 'ascending' : 'descending');
      else th.removeAttribute('aria-sort');
    }
  }

  async function loadHeld() {
    try {
      const d = await api('GET', '/held');
      state.held = Array.isArray(d.held) ? d.held : [];
    } catch (e) {
      if (!state.me) return;
      setStatus('Could not load the held queue: ' + errText(e), 'error');
      state.held = [];
    }
    renderHeld();
  }

  function onHeldSort(ev) {
    const th = ev.target.closest('th[data-sort]');
    if (!th) return;
    const k = th.dataset.sort;
    if (state.heldSort.key === k) state.heldSort.dir = -state.heldSort.dir;
    else state.heldSort = { key: k, dir: k === 'requests' || k === 'reviews' ? -1 : 1 };
    renderHeld();
  }

  // ------------------------------------------------------------------ detail

  function fact(dl, label, value) {
    dl.append(el('dt', null, label), el('dd', null, value));
  }

  function findingNode(f) {
    if (f === null || typeof f !== 'object') return el('li', { class: 'finding' }, String(f));
    const sev = f.action || f.severity || f.level || '';  // hold | warn | ignore
    const kind = f.kind || f.type || f.id || f.rule || '';
    const msg = f.message || f.detail || f.description || f.title || '';
    const li = el('li', { class: 'finding' + (sev ? ' sev-' + String(sev).replace(/[^a-z]/gi, '').toLowerCase() : '') });
    const head = el('div', { class: 'finding-head' });
    if (sev) head.append(el('span', { class: 'pill pill-attn' }, String(sev)));
    if (kind) head.append(el('strong', null, String(kind)));
    if (f.reason && f.reason !== kind) head.append(el('span', { class: 'muted' }, ' (reason ' + String(f.reason) + ')'));
    if (head.childNodes.length) li.append(head);
    if (msg) li.append(el('div', { class: 'finding-msg' }, typeof msg === 'string' ? msg : JSON.stringify(msg)));
    const rest = {};
    for (const [k, v] of Object.entries(f)) {
      if (!['action', 'reason', 'severity', 'level', 'kind', 'type', 'id', 'rule', 'message', 'detail', 'description', 'title'].includes(k)) rest[k] = v;
    }
    if (Object.keys(rest).length) li.append(el('pre', { class: 'finding-extra' }, JSON.stringify(rest, null, 2)));
    if (!head.childNodes.length && !msg && !Object.keys(rest).length) li.append('(empty finding)');
    return li;
  }

  function detailRuleRow(kind, rec) {
    const scope = kind === 'block'
      ? (rec.version === null || rec.version === undefined ? el('strong', null, 'whole package') : 'this version')
      : 'this version' + (rec.expires_at ? ' (expires ' + relative(rec.expires_at) + ')' : '');
    let action = null;
    if (rec.active) {
      action = kind === 'approval'
        ? confirmButton('Revoke', 'Confirm revoke', 'btn-danger-quiet', () => revokeApproval(rec.id))
        : confirmButton('Lift', 'Confirm lift', 'btn-danger-quiet', () => liftBlock(rec.id));
    }
    return el('tr', { dataset: { kind, id: String(rec.id) } },
      el('td', null, el('span', { class: 'pill ' + (kind === 'approval' ? 'pill-ok' : 'pill-bad') }, kind + ' #' + rec.id)),
      el('td', null, scope),
      el('td', { class: 'comment' }, String(rec.comment || '')),
      el('td', null, String(rec.by || '')),
      el('td', null, timeEl(rec.created_at)),
      el('td', null, ruleStatus(rec, kind)),
      el('td', { class: 'actions' }, action));
  }

  function renderDetail(v) {
    // held: its queue entry; history: the same record once it is no longer
    // held (what it was held for, who asked), so an approval keeps the past
    const queued = v.held && typeof v.held === 'object' ? v.held : null;
    const history = !queued && v.history && typeof v.history === 'object' ? v.history : null;
    const held = queued || history;
    const allowed = v.allowed === true;
    const by = v.approved_by && typeof v.approved_by === 'object' ? v.approved_by : null;

    const verdict = $('detail-verdict');
    verdict.textContent = allowed ? 'allowed' : (v.reason === 'blocked' ? 'blocked' : 'held');
    verdict.className = 'verdict ' + (allowed ? 'verdict-allowed' : v.reason === 'blocked' ? 'verdict-blocked' : 'verdict-held');
    verdict.dataset.allowed = allowed ? 'true' : 'false';

    const box = $('detail-error-box');
    box.className = 'callout ' + (allowed ? 'callout-ok' : 'callout-bad');
    $('detail-error-title').textContent = allowed ? 'Allowed' : v.reason === 'blocked' ? 'Why it is refused' : 'Why it is held';
    const errLine = v.error || (queued && queued.error) || '';
    $('detail-error').textContent = errLine || (allowed
      ? (by ? 'Approved by ' + String(by.by || '?') + ' (approval #' + by.id + ': ' + String(by.comment || '') + ')' +
          (history && history.reason ? '; it was held for ' + history.reason + '.' : '.')
        : 'This version is served to clients' + (v.reason ? ' (' + v.reason + ')' : '') + '.')
      : 'Refused (' + (v.reason || 'unknown reason') + ').');

    const dl = $('detail-facts');
    clear(dl);
    fact(dl, 'Ecosystem', ecoBadge(v.ecosystem));
    fact(dl, 'Decision', allowed ? decisionBadge('allow') : decisionBadge('deny'));
    fact(dl, 'Reason', !allowed ? reasonBadge(v.reason)
      : by ? el('span', { class: 'pill pill-ok' }, 'approved') : el('span', { class: 'muted' }, '—'));
    fact(dl, 'Policy', v.policy ? el('code', null, String(v.policy)) : el('span', { class: 'muted' }, '—'));
    fact(dl, 'Published', timeEl(v.published_at, { none: 'unknown' }));
    fact(dl, 'Eligible at', timeEl(v.eligible_at, { none: allowed ? '—' : 'not set' }));
    fact(dl, 'Known upstream', v.known_upstream === false
      ? el('span', { class: 'warn' }, 'no: cordon has not seen this version upstream')
      : v.known_upstream === true ? 'yes' : '—');
    if (by) {
      fact(dl, 'Approved by', el('span', null, String(by.by || '?'), ' ', timeEl(by.at),
        by.expires_at ? ' (expires ' + relative(by.expires_at) + ')' : ''));
    }
    if (history) {
      fact(dl, 'Was held for', reasonBadge(history.reason));
      fact(dl, 'Would have been eligible', timeEl(history.eligible_at, { none: 'not by age' }));
    }
    if (held) {
      if (!allowed) fact(dl, 'Allowed instead', held.alternative ? el('code', null, String(held.alternative)) : el('span', { class: 'muted' }, 'no allowed version yet'));
      fact(dl, 'First refused', timeEl(held.first_denied_at, { none: 'never' }));
      fact(dl, 'Last refused', timeEl(held.last_denied_at, { none: 'never' }));
      fact(dl, 'Refused requests', String(Number(held.requests) || 0));
      fact(dl, 'Served metadata without it', String(Number(held.metadata_requests) || 0) + ' request(s) from ' +
        String(Number(held.metadata_clients) || 0) + ' client(s)');
      if (held.last_served_at) fact(dl, 'Last served without it', timeEl(held.last_served_at));
    }

    // the version's own findings (warnings of an allowed version too), else its entry's
    const findings = Array.isArray(v.findings) ? v.findings : held && Array.isArray(held.findings) ? held.findings : [];
    const fl = $('detail-findings');
    clear(fl);
    for (const f of findings) fl.append(findingNode(f));
    $('detail-findings-count').textContent = findings.length ? String(findings.length) : '';
    show($('detail-findings-empty'), findings.length === 0);
    $('detail-findings-empty').textContent = 'No findings.';

    const reviews = held && Array.isArray(held.review_requests) ? held.review_requests : [];
    const rl = $('detail-reviews');
    clear(rl);
    for (const r of reviews) {
      rl.append(el('li', { class: 'review', dataset: { id: String(r.id) } },
        el('div', { class: 'review-meta' },
          el('span', { class: 'muted' }, '#' + r.id), ' ',
          timeEl(r.time), ' ',
          r.client ? el('span', { class: 'mono muted' }, 'from ' + r.client) : null,
          r.user_agent ? el('span', { class: 'muted ua' }, ' · ' + r.user_agent) : null),
        el('blockquote', { class: 'justification' }, String(r.justification || ''))));
    }
    $('detail-reviews-count').textContent = reviews.length ? String(reviews.length) : '';
    show($('detail-reviews-empty'), reviews.length === 0);

    const clients = held && Array.isArray(held.clients) ? held.clients : [];
    const cb = $('detail-clients');
    clear(cb);
    for (const c of clients) {
      cb.append(el('tr', null,
        el('td', { class: 'mono' }, String(c.address || '')),
        el('td', { class: 'ua' }, String(c.user_agent || '')),
        el('td', { class: 'num' }, String(Number(c.requests) || 0)),
        el('td', { class: 'num' }, String(Number(c.metadata_requests) || 0))));
    }
    show($('detail-clients-wrap'), clients.length > 0);
    show($('detail-clients-empty'), clients.length === 0);

    const rb = $('detail-rules');
    clear(rb);
    const approvals = Array.isArray(v.approvals) ? v.approvals : [];
    const blocks = Array.isArray(v.blocks) ? v.blocks : [];
    for (const b of blocks) rb.append(detailRuleRow('block', b));
    for (const a of approvals) rb.append(detailRuleRow('approval', a));
    show($('detail-rules-wrap'), approvals.length + blocks.length > 0);
    show($('detail-rules-empty'), approvals.length + blocks.length === 0);

    const note = $('detail-role-note');
    if (state.me && state.me.role !== 'reviewer') {
      note.textContent = 'You are signed in as ' + state.me.role + ': only reviewers may approve or block; the server will refuse it.';
      show(note, true);
    } else {
      show(note, false);
    }
    show($('detail-body'), true);
    show($('detail-loading'), false);
  }

  async function loadDetail(eco, pkg, ver, fresh) {
    const seq = ++state.detailSeq;
    state.detail = { eco, pkg, ver };
    $('detail-eco').textContent = ECO_NAMES[eco] || eco;
    $('detail-eco').className = 'eco eco-' + (ECO_NAMES[eco] ? eco : 'other');
    $('detail-package').textContent = pkg;
    $('detail-version').textContent = ver;
    const view = $('view-detail');
    view.dataset.key = eco + '/' + pkg + '/' + ver;
    if (fresh) {
      $('approve-comment').value = '';
      $('approve-expiry').value = '';
      $('block-comment').value = '';
      $('block-scope-version').checked = true;
      updateFormButtons();
      show($('detail-body'), false);
      $('detail-verdict').textContent = '';
      $('detail-verdict').className = 'verdict';
      const loading = $('detail-loading');
      loading.textContent = 'Loading…';
      show(loading, true);
    }
    let v;
    try {
      v = await api('GET', versionPath(eco, pkg, ver));
    } catch (e) {
      if (seq !== state.detailSeq || !state.me) return;
      const loading = $('detail-loading');
      loading.textContent = e.status === 404
        ? 'cordon knows nothing about ' + pkg + '@' + ver + ' (' + eco + ').'
        : 'Could not load this version: ' + errText(e);
      show(loading, true);
      show($('detail-body'), false);
      if (e.status !== 404) setStatus('Could not load ' + pkg + '@' + ver + ': ' + errText(e), 'error');
      return;
    }
    if (seq !== state.detailSeq) return;
    renderDetail(v);
    loadClosure(eco, pkg, ver, seq);
    loadChanges(eco, pkg, ver, seq);
  }

  // What changed against the version a client could install before it
  // (GET /-/api/changes): install scripts, dependencies, entry points,
  // links and files, from the archives cordon analysed.
  function sizeText(n) {
    n = Number(n || 0);
    if (n < 1024) return n + ' B';
    if (n < 1024 * 1024) return (n / 1024).toFixed(1) + ' kB';
    return (n / 1024 / 1024).toFixed(1) + ' MB';
  }

  // a link only to a web address (a manifest may name anything)
  function webLink(label, url) {
    let u = String(url || '').replace(/^git\+/, '');
    if (/^git:\/\//.test(u)) u = 'https://' + u.slice(6);
    if (!/^https?:\/\//.test(u)) return el('span', null, label + ': ', el('span', { class: 'mono' }, String(url || '')));
    return el('a', { href: u, rel: 'noopener noreferrer', target: '_blank' }, label);
  }

  // one group of a diff as a table: a row per added, removed and changed
  // element, its cells from cells(kind, x); null when nothing changed
  function changesTable(title, heads, group, cells) {
    const rows = [];
    for (const kind of ['added', 'removed', 'changed'])
      for (const x of group[kind] || [])
        rows.push(el('tr', { dataset: { change: kind } },
          el('td', null, el('span', { class: 'pill change-' + kind }, kind)), ...cells(kind, x)));
    if (!rows.length) return null;
    return el('div', { class: 'changes-group', dataset: { group: title } },
      el('h3', null, title),
      el('div', { class: 'table-wrap' }, el('table', { class: 'table' },
        el('thead', null, el('tr', null, ...['', ...heads].map((h) => el('th', { scope: 'col' }, h)))),
        el('tbody', null, ...rows))));
  }

  function changeRows(group, title) {
    return changesTable(title, ['Name', 'Now', 'Before'], group, (kind, x) => [
      el('td', { class: 'mono' }, String(x.name)),
      el('td', { class: 'mono' }, String(x.value || '')),
      el('td', { class: 'mono muted' }, kind === 'changed' ? String(x.previous || '') : '')]);
  }

  function fileRows(files) {
    return changesTable('Files', ['Path', 'Size'], files, (kind, x) => [
      el('td', { class: 'mono' }, String(x.path)),
      el('td', null, kind === 'changed' ? sizeText(x.previous_size) + ' → ' + sizeText(x.size) : sizeText(x.size))]);
  }

  async function loadChanges(eco, pkg, ver, seq) {
    const summary = $('detail-changes-summary');
    const body = $('detail-changes');
    const links = $('detail-changes-links');
    clear(body);
    clear(links);
    show(body, false);
    $('detail-changes-count').textContent = '';
    const c = await cardData(summary, 'Comparing it with the version before…', 'What changed could not be worked out: ',
      '/changes' + qs({ ecosystem: eco, package: pkg, version: ver }), seq);
    if (!c) return;
    if (c.upstream) links.append(webLink('upstream', c.upstream));
    if (c.repository) links.append(' ', webLink('repository', c.repository));
    if (!c.artifact) {
      summary.textContent = 'Nothing to compare: ' + String(c.artifact_note || 'its artifact has not been analysed');
      return;
    }
    const before = c.previous ? c.previous.version : null;
    const f = c.files || {};
    let text;
    if (!before) text = String(c.previous_note || 'No earlier release.');
    else if (!c.compared) text = 'Against ' + before + ': ' + String(c.previous_note || 'its artifact has not been analysed') + '. What ' + ver + ' declares:';
    else text = 'Against ' + before + ' (' + String(c.previous.chosen) + '): ' + Number(f.added_count || 0) + ' file(s) added, ' +
      Number(f.removed_count || 0) + ' removed, ' + Number(f.changed_count || 0) + ' changed, ' + Number(f.unchanged || 0) +
      ' unchanged; ' + sizeText(f.previous_bytes) + ' → ' + sizeText(f.bytes) + (f.partial ? ' (only the first entries were compared)' : '') + '.';
    summary.textContent = text;
    const groups = [['scripts', 'Install scripts'], ['dependencies', 'Dependencies'], ['entry_points', 'Entry points'], ['links', 'Links']];
    let n = 0;
    for (const [key, title] of groups) {
      const g = c[key] || {};
      const node = c.compared || !before ? changeRows(g, title) : changeRows({ added: g.now }, title);
      if (node) { body.append(node); n += (g.added || []).length + (g.removed || []).length + (g.changed || []).length; }
    }
    if (c.compared || !before) {
      const node = fileRows(f);
      if (node) body.append(node);
    }
    $('detail-changes-count').textContent = n ? String(n) : '';
    show(body, body.childNodes.length > 0);
  }

  // A version view card's data: summary says what is being worked out,
  // then why it failed; null when it failed or another version was opened
  // meanwhile (seq).
  async function cardData(summary, working, failed, path, seq) {
    summary.textContent = working;
    let c;
    try {
      c = await api('GET', path);
    } catch (e) {
      if (seq === state.detailSeq) summary.textContent = failed + errText(e);
      return null;
    }
    return seq === state.detailSeq ? c : null;
  }

  // The dependency closure: what installing the version pulls in that
  // cordon holds (GET /-/api/closure), and the action that approves them
  // with it as one change set.
  async function loadClosure(eco, pkg, ver, seq) {
    const summary = $('detail-closure-summary');
    const btn = $('approve-deps-button');
    state.closureHeld = 0;
    show(btn, false);
    show($('detail-closure-wrap'), false);
    $('detail-closure-count').textContent = '';
    const c = await cardData(summary, 'Working out its dependencies…', 'Its dependencies could not be worked out: ',
      '/closure' + qs({ ecosystem: eco, package: pkg, version: ver }), seq);
    if (!c) return;
    const root = (c.closure || [])[0] || {};
    const deps = (c.needs_approval || []).filter((n) => !(n.package === root.package && n.version === root.version));
    const body = $('detail-closure');
    clear(body);
    for (const n of deps) {
      body.append(el('tr', { dataset: { key: String(n.package) + '@' + String(n.version) } },
        el('td', null, pkgLink(eco, n.package, n.version), ' ', el('span', { class: 'mono' }, String(n.version || ''))),
        el('td', null, reasonBadge(n.reason), n.approvable === false ? el('span', { class: 'muted' }, ' (no approval admits it)') : null),
        el('td', null, timeEl(n.eligible_at, { none: 'not by age' })),
        el('td', { class: 'mono' }, String(n.required_by || '')),
        el('td', { class: 'mono' }, String(n.spec || ''))));
    }
    const unresolved = (c.closure || []).filter((n) => n.status === 'unresolved' || (n.error && n.status !== 'held' && n.status !== 'allowed'));
    const approvable = deps.filter((n) => n.approvable).length;
    state.closureHeld = approvable;
    $('detail-closure-count').textContent = deps.length ? String(deps.length) : '';
    let text = 'Installing it pulls in ' + Number(c.versions || 0) + ' version(s)' + (c.truncated ? ' (the walk was cut short)' : '') + ': ' +
      (deps.length ? deps.length + ' other held version(s) it needs.' : 'nothing else cordon holds.');
    if (root.error && root.status !== 'held') text += ' ' + root.error;
    if (unresolved.length) text += ' ' + unresolved.length + ' could not be resolved (' +
      unresolved.slice(0, 3).map((n) => String(n.package) + ' ' + String(n.spec || '')).join(', ') + ').';
    summary.textContent = text;
    show($('detail-closure-wrap'), deps.length > 0);
    btn.textContent = 'Approve with its ' + approvable + ' held dependenc' + (approvable === 1 ? 'y' : 'ies');
    show(btn, approvable > 0);
    updateFormButtons();
  }

  async function onApproveWithDependencies() {
    const d = state.detail;
    const comment = $('approve-comment').value.trim();
    if (!d || !comment) return;
    const body = { ecosystem: d.eco, package: d.pkg, version: d.ver, comment, with_dependencies: true };
    const exp = $('approve-expiry').value;
    if (exp) body.expires_in = exp;
    $('approve-deps-button').disabled = true;
    $('approve-button').disabled = true;
    let set;
    try {
      set = await api('POST', '/approvals', body);
    } catch (e) {
      setStatus('Approval refused: ' + errText(e), 'error');
      updateFormButtons();
      return;
    }
    const n = Array.isArray(set.approvals) ? set.approvals.length : 0;
    setStatus('Approved as one change set: ' + String(set.change_set || '') + ' (' + n + ' approval(s)).', 'ok');
    $('approve-comment').value = '';
    $('approve-expiry').value = '';
    updateFormButtons();
    await loadDetail(d.eco, d.pkg, d.ver, false);
  }

  function updateFormButtons() {
    $('approve-button').disabled = $('approve-comment').value.trim() === '';
    $('approve-deps-button').disabled = $('approve-comment').value.trim() === '' || !state.closureHeld;
    $('block-button').disabled = $('block-comment').value.trim() === '';
    $('block-button').textContent = $('block-scope-package').checked ? 'Block the whole package' : 'Block this version';
  }

  async function onApprove(ev) {
    ev.preventDefault();
    const d = state.detail;
    const comment = $('approve-comment').value.trim();
    if (!d || !comment) return;
    const body = { ecosystem: d.eco, package: d.pkg, version: d.ver, comment };
    const exp = $('approve-expiry').value;
    if (exp) body.expires_in = exp;
    const btn = $('approve-button');
    btn.disabled = true;
    let rec;
    try {
      rec = await api('POST', '/approvals', body);
    } catch (e) {
      setStatus('Approval refused: ' + errText(e), 'error');
      updateFormButtons();
      return;
    }
    let msg = 'Approved ' + d.pkg + '@' + d.ver + ' (approval #' + rec.id + (rec.expires_at ? ', expires ' + shortDate(rec.expires_at) : '') + ').';
    if (rec.warning) msg += ' Warning: ' + rec.warning;
    else if (rec.known_upstream === false) msg += ' Warning: cordon has never seen this version upstream.';
    setStatus(msg, rec.warning || rec.known_upstream === false ? 'info' : 'ok');
    $('approve-comment').value = '';
    $('approve-expiry').value = '';
    updateFormButtons();
    await loadDetail(d.eco, d.pkg, d.ver, false);
  }

  async function onBlock(ev) {
    ev.preventDefault();
    const d = state.detail;
    const comment = $('block-comment').value.trim();
    if (!d || !comment) return;
    const whole = $('block-scope-package').checked;
    const body = { ecosystem: d.eco, package: d.pkg, comment };
    if (!whole) body.version = d.ver;
    const btn = $('block-button');
    btn.disabled = true;
    let rec;
    try {
      rec = await api('POST', '/blocks', body);
    } catch (e) {
      setStatus('Block refused: ' + errText(e), 'error');
      updateFormButtons();
      return;
    }
    setStatus('Blocked ' + (whole ? 'every version of ' + d.pkg : d.pkg + '@' + d.ver) + ' (block #' + rec.id + ').', 'ok');
    $('block-comment').value = '';
    $('block-scope-version').checked = true;
    updateFormButtons();
    await loadDetail(d.eco, d.pkg, d.ver, false);
  }

  // ------------------------------------------------------------------ approvals & blocks

  async function loadRules() {
    const all = $('rules-show-inactive').checked;
    const [ar, br] = await Promise.allSettled([
      api('GET', '/approvals' + (all ? '' : '?active=1')),
      api('GET', '/blocks' + (all ? '' : '?active=1')),
    ]);
    if (!state.me) return;

    const abody = $('approvals-body');
    clear(abody);
    let approvals = [];
    if (ar.status === 'fulfilled') approvals = Array.isArray(ar.value.approvals) ? ar.value.approvals : [];
    else setStatus('Could not load approvals: ' + errText(ar.reason), 'error');
    if (!all) approvals = approvals.filter((a) => a.active !== false);
    for (const a of approvals) {
      abody.append(el('tr', { dataset: { kind: 'approval', id: String(a.id), key: a.ecosystem + '/' + a.package + '/' + a.version } },
        el('td', { class: 'muted' }, String(a.id)),
        el('td', null, ecoBadge(a.ecosystem), ' ', pkgLink(a.ecosystem, a.package, a.version), el('span', { class: 'at' }, '@'), el('span', { class: 'mono' }, String(a.version))),
        el('td', { class: 'comment' }, String(a.comment || '')),
        el('td', null, String(a.by || '')),
        el('td', null, timeEl(a.created_at)),
        el('td', null, a.expires_at ? timeEl(a.expires_at, { relativeFirst: true }) : el('span', { class: 'muted' }, 'never')),
        el('td', null, ruleStatus(a, 'approval')),
        el('td', { class: 'actions' }, a.active ? confirmButton('Revoke', 'Confirm revoke', 'btn-danger-quiet', () => revokeApproval(a.id)) : null)));
    }
    $('approvals-count').textContent = approvals.length ? String(approvals.length) : '';
    show($('approvals-wrap'), approvals.length > 0);
    show($('approvals-empty'), approvals.length === 0 && ar.status === 'fulfilled');
    $('approvals-empty').textContent = all ? 'No approvals.' : 'No active approvals.';

    const bbody = $('blocks-body');
    clear(bbody);
    let blocks = [];
    if (br.status === 'fulfilled') blocks = Array.isArray(br.value.blocks) ? br.value.blocks : [];
    else if (ar.status === 'fulfilled') setStatus('Could not load blocks: ' + errText(br.reason), 'error');
    if (!all) blocks = blocks.filter((b) => b.active !== false);
    for (const b of blocks) {
      const whole = b.version === null || b.version === undefined;
      bbody.append(el('tr', { dataset: { kind: 'block', id: String(b.id) } },
        el('td', { class: 'muted' }, String(b.id)),
        el('td', null, ecoBadge(b.ecosystem), ' ',
          whole ? el('span', { class: 'pkg' }, String(b.package)) : pkgLink(b.ecosystem, b.package, b.version),
          whole ? el('span', { class: 'pill pill-bad' }, 'all versions') : el('span', null, el('span', { class: 'at' }, '@'), el('span', { class: 'mono' }, String(b.version)))),
        el('td', { class: 'comment' }, String(b.comment || '')),
        el('td', null, String(b.by || '')),
        el('td', null, timeEl(b.created_at)),
        el('td', null, ruleStatus(b, 'block')),
        el('td', { class: 'actions' }, b.active ? confirmButton('Lift', 'Confirm lift', 'btn-danger-quiet', () => liftBlock(b.id)) : null)));
    }
    $('blocks-count').textContent = blocks.length ? String(blocks.length) : '';
    show($('blocks-wrap'), blocks.length > 0);
    show($('blocks-empty'), blocks.length === 0 && br.status === 'fulfilled');
    $('blocks-empty').textContent = all ? 'No blocks.' : 'No active blocks.';
  }

  // ------------------------------------------------------------------ decisions

  function detailText(d) {
    if (d === null || d === undefined || d === '') return '';
    return typeof d === 'string' ? d : JSON.stringify(d);
  }

  // before: the paging cursor (null = newest).  fresh: reset the page stack.
  async function loadDecisions(before, fresh) {
    const ds = state.decisions;
    if (fresh) ds.stack = [];
    const q = qs({
      limit: 100,
      ecosystem: $('decisions-eco').value,
      package: $('decisions-package').value.trim(),
      decision: $('decisions-decision').value,
      before,
    });
    let d;
    try {
      d = await api('GET', '/decisions' + q);
    } catch (e) {
      if (!state.me) return;
      setStatus('Could not load decisions: ' + errText(e), 'error');
      return;
    }
    ds.before = before;
    ds.next = d.next_before === null || d.next_before === undefined ? null : d.next_before;
    const body = $('decisions-body');
    clear(body);
    const recs = Array.isArray(d.decisions) ? d.decisions : [];
    for (const r of recs) {
      const hasVer = r.version !== null && r.version !== undefined && r.version !== '';
      body.append(el('tr', { dataset: { seq: String(r.seq) } },
        el('td', { class: 'nowrap' }, timeEl(r.time)),
        el('td', null, decisionBadge(r.decision)),
        el('td', null, ecoBadge(r.ecosystem), ' ', hasVer ? pkgLink(r.ecosystem, r.package, r.version) : el('span', { class: 'pkg' }, String(r.package || ''))),
        el('td', { class: 'mono' }, hasVer ? String(r.version) : ''),
        el('td', null, r.reason ? reasonBadge(r.reason) : ''),
        el('td', { class: 'mono small' }, String(r.rule || '')),
        el('td', { class: 'small', title: r.user_agent ? String(r.user_agent) : null }, String(r.client || '')),
        el('td', { class: 'small detail-cell' }, detailText(r.detail))));
    }
    show($('decisions-empty'), recs.length === 0);
    $('decisions-older').disabled = ds.next === null;
    $('decisions-newest').disabled = before === null || before === undefined;
  }

  function onDecisionsOlder() {
    const ds = state.decisions;
    if (ds.next === null) return;
    ds.stack.push(ds.before);
    loadDecisions(ds.next, false);
  }

  // ------------------------------------------------------------------ lockfiles

  function lockPath(project, id) {
    return '/lockfiles/' + enc(project) + (id ? '/' + enc(String(id)) : '');
  }

  function lockHash(project, id) {
    return '#lockfiles/' + enc(project) + (id ? '/' + enc(String(id)) : '');
  }

  // ok: nothing held, unknown or flagged (accepted at once); approved: a
  // reviewer approved the change set; review: waiting for one (only the
  // newest submission; older ones are just "not accepted").
  function lockState(s, newest) {
    if (s.ok === true) return { key: 'ok', label: 'ok', cls: 'pill-ok' };
    if (s.accepted === true) return { key: 'approved', label: 'approved', cls: 'pill-ok' };
    if (newest) return { key: 'review', label: 'needs review', cls: 'pill-attn' };
    return { key: 'not-accepted', label: 'not accepted', cls: 'pill-off' };
  }

  function lockStatePill(s, newest) {
    const st = lockState(s, newest);
    return el('span', { class: 'pill ' + st.cls, dataset: { state: st.key } }, st.label);
  }

  const CHANGE_LABELS = {
    added: 'added', removed: 'removed', upgraded: 'upgraded', downgraded: 'downgraded',
    integrity_changed: 'integrity changed', resolved_changed: 'resolved changed', unchanged: 'unchanged',
  };

  function num(x) {
    return Number(x) || 0;
  }

  // "2 added, 1 upgraded" (zeros left out)
  function changeSummary(sum) {
    if (!sum || typeof sum !== 'object') return el('span', { class: 'muted' }, '—');
    const parts = [];
    for (const k of ['added', 'removed', 'upgraded', 'downgraded', 'integrity_changed']) {
      if (num(sum[k])) parts.push(num(sum[k]) + ' ' + CHANGE_LABELS[k]);
    }
    if (num(sum.resolved_elsewhere)) parts.push(num(sum.resolved_elsewhere) + ' resolved elsewhere');
    return parts.length ? parts.join(', ') : el('span', { class: 'muted' }, 'no change');
  }

  function verdictSummary(sum) {
    if (!sum || typeof sum !== 'object') return el('span', { class: 'muted' }, '—');
    const out = el('span', { class: 'verdict-sum' });
    out.append(el('span', { class: 'pill pill-ok' }, num(sum.allowed) + ' allowed'));
    if (num(sum.held)) out.append(' ', el('span', { class: 'pill pill-attn' }, num(sum.held) + ' held'));
    if (num(sum.unknown)) out.append(' ', el('span', { class: 'pill pill-off' }, num(sum.unknown) + ' unknown'));
    return out;
  }

  function statusBadge(status) {
    const s = String(status || '?');
    const cls = { allowed: 'pill-ok', held: 'pill-attn', unknown: 'pill-unknown' }[s] || 'pill-off';
    return el('span', { class: 'pill lock-status ' + cls }, s);
  }

  function changeBadge(change) {
    const c = String(change || '?');
    return el('span', { class: 'change change-' + (CHANGE_LABELS[c] ? c : 'other') }, CHANGE_LABELS[c] || c);
  }

  function flagPill(flag, ch) {
    const f = String(flag);
    if (f === 'integrity_changed') {
      return el('span', { class: 'pill pill-bad', title: ch.integrity ? 'now ' + ch.integrity : null }, 'integrity changed');
    }
    if (f === 'resolved_elsewhere') {
      return el('span', { class: 'pill pill-bad', title: ch.resolved ? String(ch.resolved) : null }, 'resolved elsewhere');
    }
    return el('span', { class: 'pill pill-bad' }, f.replace(/_/g, ' '));
  }

  // -- projects

  async function loadLockProjects() {
    const seq = ++state.lock.seq;
    let d;
    try {
      d = await api('GET', '/lockfiles');
    } catch (e) {
      if (!state.me || seq !== state.lock.seq) return;
      setStatus('Could not load the lockfile projects: ' + errText(e), 'error');
      d = { projects: [] };
    }
    if (seq !== state.lock.seq) return;
    state.lock.projects = Array.isArray(d.projects) ? d.projects : [];
    renderLockProjects();
  }

  function renderLockProjects() {
    const projects = state.lock.projects || [];
    const text = $('lockfiles-filter').value.trim().toLowerCase();
    const body = $('lockfiles-body');
    clear(body);
    let shown = 0;
    for (const p of projects) {
      const name = String(p.project || '');
      if (text && !name.toLowerCase().includes(text)) continue;
      shown++;
      const latest = num(p.latest);
      const base = p.base === null || p.base === undefined ? null : num(p.base);
      const st = lockState(p, true);
      const tr = el('tr', { dataset: { project: name, latest: String(latest), state: st.key }, tabindex: '0' },
        el('td', { class: 'cell-pkg' }, el('a', { href: lockHash(name), class: 'pkg' }, name)),
        el('td', null, latest ? el('a', { href: lockHash(name, latest), class: 'mono' }, '#' + latest) : '—'),
        el('td', null, timeEl(p.time)),
        el('td', { class: 'mono small ref' }, String(p.ref || '')),
        el('td', null, lockStatePill(p, true)),
        el('td', null, base
          ? el('span', null, el('a', { href: lockHash(name, base), class: 'mono' }, '#' + base),
            base === latest ? el('span', { class: 'muted' }, ' (the latest)') : null)
          : el('span', { class: 'muted' }, 'none yet')));
      const open = () => { location.hash = lockHash(name); };
      tr.addEventListener('click', (ev) => {
        if (ev.target.closest('a')) return;
        open();
      });
      tr.addEventListener('keydown', (ev) => {
        if (ev.key === 'Enter' && ev.target === tr) open();
      });
      body.append(tr);
    }
    $('lockfiles-count').textContent = projects.length ? String(projects.length) : '';
    show($('lockfiles-wrap'), shown > 0);
    const empty = $('lockfiles-empty');
    empty.textContent = projects.length ? 'No project matches the filter.' : 'No lockfile was submitted yet.';
    show(empty, shown === 0);
  }

  // -- one project's history

  async function loadLockHistory(project) {
    const seq = ++state.lock.seq;
    state.lock.project = project;
    $('lockhistory-project').textContent = project;
    const empty = $('lockhistory-empty');
    if ($('view-lockhistory').dataset.project !== project) {
      clear($('lockhistory-body'));
      show($('lockhistory-wrap'), false);
      $('lockhistory-count').textContent = '';
      $('lockhistory-base').textContent = '';
      empty.textContent = 'Loading…';
      show(empty, true);
    }
    $('view-lockhistory').dataset.project = project;
    let d;
    try {
      d = await api('GET', lockPath(project));
    } catch (e) {
      if (!state.me || seq !== state.lock.seq) return;
      clear($('lockhistory-body'));
      show($('lockhistory-wrap'), false);
      empty.textContent = e.status === 404
        ? 'No lockfile was submitted for project ' + project + '.'
        : 'Could not load the history: ' + errText(e);
      show(empty, true);
      if (e.status !== 404) setStatus('Could not load the lockfile history of ' + project + ': ' + errText(e), 'error');
      return;
    }
    if (seq !== state.lock.seq) return;
    const subs = Array.isArray(d.submissions) ? d.submissions : [];
    const base = d.base === null || d.base === undefined ? null : num(d.base);
    $('lockhistory-base').textContent = base
      ? 'The accepted lockfile is #' + base + ': new submissions are compared with it. Click a row to see its report.'
      : 'No lockfile accepted yet: every entry of a submission counts as added. Click a row to see its report.';
    const body = $('lockhistory-body');
    clear(body);
    subs.forEach((s, i) => {
      const id = num(s.submission);
      const st = lockState(s, i === 0);
      const sum = s.summary && typeof s.summary === 'object' ? s.summary : null;
      const tr = el('tr', { dataset: { id: String(id), state: st.key }, tabindex: '0' },
        el('td', { class: 'nowrap' }, el('a', { href: lockHash(project, id), class: 'mono' }, '#' + id),
          id === base ? el('span', { class: 'pill pill-base', title: 'the accepted lockfile' }, 'base') : null),
        el('td', null, timeEl(s.time)),
        el('td', { class: 'mono small ref' }, String(s.ref || '')),
        el('td', null, String(s.format || '')),
        el('td', null, lockStatePill(s, i === 0)),
        el('td', { class: 'num' }, sum ? String(num(sum.entries)) : '—'),
        el('td', { class: 'small' }, changeSummary(sum)),
        el('td', null, verdictSummary(sum)));
      const open = () => { location.hash = lockHash(project, id); };
      tr.addEventListener('click', (ev) => {
        if (ev.target.closest('a')) return;
        open();
      });
      tr.addEventListener('keydown', (ev) => {
        if (ev.key === 'Enter' && ev.target === tr) open();
      });
      body.append(tr);
    });
    $('lockhistory-count').textContent = subs.length ? String(subs.length) : '';
    show($('lockhistory-wrap'), subs.length > 0);
    empty.textContent = 'No submission.';
    show(empty, subs.length === 0);
  }

  // -- one submission's report

  const STATS = [
    ['entries', 'entries', false],
    ['added', 'added', false],
    ['removed', 'removed', false],
    ['upgraded', 'upgraded', false],
    ['downgraded', 'downgraded', false],
    ['integrity_changed', 'integrity changed', true],
    ['resolved_elsewhere', 'resolved elsewhere', true],
    ['allowed', 'allowed', false],
    ['held', 'held', true],
    ['unknown', 'unknown', true],
    ['integrity_mismatch', 'integrity mismatch', true],
    ['not_found', 'not published upstream', true],
  ];

  function changeKey(ch) {
    return String(ch.ecosystem || '') + '/' + String(ch.package || '') + '/' + String(ch.version || '');
  }

  function needsAttention(ch) {
    const v = ch.verdict && typeof ch.verdict === 'object' ? ch.verdict : null;
    const flags = Array.isArray(ch.flags) ? ch.flags : [];
    return flags.length > 0 || ch.change === 'integrity_changed' || ch.change === 'resolved_changed' ||
      (v && v.status !== 'allowed');
  }

  function nowNode(ch) {
    const now = state.lock.now[changeKey(ch)];
    if (!now) return null;
    if (now.allowed === true) {
      return el('span', { class: 'pill pill-ok now', title: 'the verdict right now' + (now.reason ? ' (' + now.reason + ')' : '') }, 'now allowed');
    }
    if (now.reason === 'blocked') return el('span', { class: 'pill pill-bad now', title: 'the verdict right now' }, 'now blocked');
    return null;
  }

  function lockChangeRow(ch) {
    const eco = String(ch.ecosystem || '');
    const pkg = String(ch.package || '');
    const ver = String(ch.version || '');
    const removed = ch.change === 'removed';
    const v = ch.verdict && typeof ch.verdict === 'object' ? ch.verdict : null;
    const flags = Array.isArray(ch.flags) ? ch.flags : [];
    const tags = [];
    if (ch.direct === true) tags.push('direct');
    if (ch.dev === true) tags.push('dev');
    const status = el('td', { class: 'cell-status' });
    if (v) {
      const head = el('div', { class: 'status-head' }, statusBadge(v.status));
      if (v.status === 'held' && v.reason) head.append(' ', reasonBadge(v.reason));
      if (v.status !== 'allowed' && v.eligible_at) {
        head.append(' ', el('span', { class: 'muted small' }, 'eligible ', timeEl(v.eligible_at, { relativeFirst: true })));
      }
      const nowEl = nowNode(ch);
      if (nowEl) head.append(' ', nowEl);
      status.append(head);
      if (v.error) status.append(el('p', { class: 'error-line verdict-error' }, String(v.error)));
    } else {
      status.append(el('span', { class: 'muted' }, removed ? 'removed' : '—'));
    }
    return el('tr', {
      dataset: { key: changeKey(ch), change: String(ch.change || ''), status: v ? String(v.status || '') : '' },
      class: removed ? 'row-removed' : null,
    },
    el('td', null, changeBadge(ch.change)),
    el('td', null, ecoBadge(eco)),
    el('td', { class: 'cell-pkg', title: ch.line ? 'line ' + ch.line + ' of the lockfile' : null },
      removed ? el('span', { class: 'pkg' }, pkg) : pkgLink(eco, pkg, ver),
      tags.length ? el('span', { class: 'tags' }, ...tags.map((t) => el('span', { class: 'tag' }, t))) : null),
    el('td', { class: 'mono nowrap' },
      ch.from_version !== undefined && ch.from_version !== null
        ? el('span', { class: 'fromto' }, el('span', { class: 'from' }, String(ch.from_version)), el('span', { class: 'arrow' }, ' → '), el('span', { class: 'to' }, ver))
        : el('span', { class: removed ? 'from' : 'to' }, ver)),
    status,
    el('td', { class: 'cell-flags' }, ...flags.map((f) => flagPill(f, ch))));
  }

  function renderLockChanges() {
    const r = state.lock.report;
    const body = $('lockreport-changes-body');
    clear(body);
    if (!r) return;
    const changes = Array.isArray(r.changes) ? r.changes : [];
    const only = $('lockreport-attention').checked;
    let shown = 0;
    for (const ch of changes) {
      if (!ch || typeof ch !== 'object') continue;
      if (only && !needsAttention(ch)) continue;
      shown++;
      body.append(lockChangeRow(ch));
    }
    // the server lists every problem but only so many other changes
    const omitted = num(r.changes_omitted);
    const om = $('lockreport-omitted');
    om.textContent = omitted
      ? (omitted === 1 ? '1 more change' : omitted + ' more changes') + ' (allowed and unflagged) not listed by the server.'
      : '';
    show(om, omitted > 0);
    $('lockreport-changes-count').textContent = changes.length ? String(changes.length + omitted) : '';
    show($('lockreport-changes-wrap'), shown > 0);
    const empty = $('lockreport-changes-empty');
    empty.textContent = changes.length ? 'Nothing held, unknown or flagged.' : 'Nothing changed against the accepted lockfile.';
    show(empty, shown === 0);
  }

  function updateLockApproveButton() {
    $('lockapprove-button').disabled = state.lock.busy === true || $('lockapprove-comment').value.trim() === '';
  }

  function renderLockReport(r, hist) {
    const L = state.lock;
    const id = L.id;
    const project = L.project;
    const entry = hist && Array.isArray(hist.submissions) ? hist.submissions.find((s) => num(s.submission) === id) : null;
    const base = hist && hist.base !== null && hist.base !== undefined ? num(hist.base) : null;
    const newest = hist && Array.isArray(hist.submissions) && hist.submissions.length ? num(hist.submissions[0].submission) : id;
    // the stored report keeps the state of the check; the history (and the
    // base) know about a later approval of the change set
    const ok = r.ok === true;
    const accepted = ok || r.accepted === true || (entry && entry.accepted === true) || base === id;
    L.report = r;
    L.accepted = accepted;
    const sum = r.summary && typeof r.summary === 'object' ? r.summary : {};

    const st = lockState({ ok, accepted }, id === newest);
    const badge = $('lockreport-state');
    badge.textContent = st.label;
    badge.className = 'verdict ' + (st.key === 'review' || st.key === 'not-accepted' ? 'verdict-held' : 'verdict-allowed');
    badge.dataset.state = st.key;

    const box = $('lockreport-callout');
    const nbad = num(sum.held) + num(sum.unknown);
    const nflag = num(sum.integrity_changed) + num(sum.resolved_elsewhere);
    let title;
    let textMsg;
    if (ok) {
      title = 'OK';
      textMsg = 'Nothing held, unknown or flagged: this submission became the accepted lockfile at once.';
    } else if (accepted) {
      title = 'Change set approved';
      textMsg = 'A reviewer approved this change set; ' + (base === id
        ? 'it is the accepted lockfile (#' + id + '): new submissions are compared with it.'
        : 'a later submission was accepted since' + (base ? ' (#' + base + ')' : '') + '.');
    } else {
      title = 'Needs review';
      const parts = [];
      if (num(sum.held)) parts.push(num(sum.held) + ' held');
      if (num(sum.unknown)) parts.push(num(sum.unknown) + ' unknown');
      if (num(sum.integrity_changed)) parts.push(num(sum.integrity_changed) + ' with a changed integrity');
      if (num(sum.resolved_elsewhere)) parts.push(num(sum.resolved_elsewhere) + ' resolved elsewhere');
      textMsg = (parts.length ? parts.join(', ') : 'Something is not right') +
        (nbad || nflag ? ': a CI check of this lockfile fails until each version is admitted or the change set is approved.' : '.');
      if (id !== newest) textMsg += ' A newer submission exists (#' + newest + ').';
    }
    box.className = 'callout ' + (ok || accepted ? 'callout-ok' : 'callout-bad');
    $('lockreport-callout-title').textContent = title;
    $('lockreport-callout-text').textContent = textMsg;

    const stats = $('lockreport-stats');
    clear(stats);
    for (const [k, label, bad] of STATS) {
      const n = num(sum[k]);
      stats.append(el('div', { class: 'stat' + (bad && n > 0 ? ' stat-bad' : '') + (n === 0 ? ' stat-zero' : ''), dataset: { key: k } },
        el('span', { class: 'stat-n' }, String(n)),
        el('span', { class: 'stat-label' }, label)));
    }

    const dl = $('lockreport-facts');
    clear(dl);
    fact(dl, 'Project', el('a', { href: lockHash(project), class: 'pkg' }, project));
    fact(dl, 'Submitted', timeEl(r.time));
    fact(dl, 'Ref', r.ref ? el('code', null, String(r.ref)) : el('span', { class: 'muted' }, 'none given'));
    fact(dl, 'Format', String(r.format || '?'));
    fact(dl, 'SHA-256', el('code', { class: 'small hash' }, String(r.sha256 || '')));
    fact(dl, 'Compared with', r.base
      ? el('a', { href: lockHash(project, num(r.base)), class: 'mono' }, '#' + num(r.base))
      : el('span', { class: 'muted' }, 'nothing (no accepted lockfile then): every entry is added'));
    fact(dl, 'Accepted lockfile now', base
      ? el('span', null, el('a', { href: lockHash(project, base), class: 'mono' }, '#' + base), base === id ? el('span', { class: 'muted' }, ' (this one)') : null)
      : el('span', { class: 'muted' }, 'none yet'));

    const canApprove = !ok && !accepted;
    show($('lockreport-approve-card'), canApprove);
    const note = $('lockreport-role-note');
    if (canApprove && state.me && state.me.role !== 'reviewer') {
      note.textContent = 'You are signed in as ' + state.me.role + ': only reviewers may approve a change set; the server will refuse it.';
      show(note, true);
    } else {
      show(note, false);
    }
    updateLockApproveButton();
    renderLockChanges();
    show($('lockreport-body'), true);
    show($('lockreport-loading'), false);
  }

  // the verdict right now of the versions the check did not allow (bounded)
  async function refreshNowVerdicts(seq) {
    const r = state.lock.report;
    if (!r || !Array.isArray(r.changes)) return;
    const todo = r.changes.filter((ch) => ch && ch.change !== 'removed' && ch.verdict && ch.verdict.status !== 'allowed').slice(0, 50);
    if (!todo.length) return;
    const now = {};
    let next = 0;
    const worker = async () => {
      while (next < todo.length) {
        const ch = todo[next++];
        try {
          const v = await api('GET', versionPath(String(ch.ecosystem), String(ch.package), String(ch.version)));
          now[changeKey(ch)] = { allowed: v.allowed === true, reason: String(v.reason || '') };
        } catch (e) {
          if (!state.me) return;
        }
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    if (seq !== state.lock.seq) return;
    state.lock.now = now;
    renderLockChanges();
  }

  async function loadLockReport(project, id, fresh) {
    const seq = ++state.lock.seq;
    const L = state.lock;
    L.project = project;
    L.id = id;
    $('lockreport-project').textContent = project;
    $('lockreport-id').textContent = String(id);
    $('lockreport-history-link').href = lockHash(project);
    $('lockreport-history-link').textContent = project;
    $('view-lockreport').dataset.key = project + '#' + id;
    if (fresh) {
      L.report = null;
      L.now = {};
      L.busy = false;
      $('lockapprove-comment').value = '';
      $('lockapprove-expiry').value = '';
      $('lockreport-attention').checked = false;
      show($('lockreport-body'), false);
      $('lockreport-state').textContent = '';
      $('lockreport-state').className = 'verdict';
      delete $('lockreport-state').dataset.state;
      const loading = $('lockreport-loading');
      loading.textContent = 'Loading…';
      show(loading, true);
    }
    const [rr, hr] = await Promise.allSettled([api('GET', lockPath(project, id)), api('GET', lockPath(project))]);
    if (seq !== L.seq || !state.me) return;
    if (rr.status !== 'fulfilled') {
      const e = rr.reason;
      const loading = $('lockreport-loading');
      loading.textContent = e && e.status === 404
        ? 'Project ' + project + ' has no submission #' + id + '.'
        : 'Could not load this submission: ' + errText(e);
      show(loading, true);
      show($('lockreport-body'), false);
      if (!(e && e.status === 404)) setStatus('Could not load ' + project + ' #' + id + ': ' + errText(e), 'error');
      return;
    }
    renderLockReport(rr.value, hr.status === 'fulfilled' ? hr.value : null);
    await refreshNowVerdicts(seq);
  }

  async function onLockApprove(ev) {
    ev.preventDefault();
    const L = state.lock;
    const comment = $('lockapprove-comment').value.trim();
    if (L.project === null || !L.id || !comment || L.busy) return;
    const project = L.project;
    const id = L.id;
    const body = { comment };
    const exp = $('lockapprove-expiry').value;
    if (exp) body.expires_in = exp;
    L.busy = true;
    updateLockApproveButton();
    let rec;
    try {
      rec = await api('POST', lockPath(project, id) + '/approve', body);
    } catch (e) {
      L.busy = false;
      setStatus('Change set approval refused: ' + errText(e), 'error');
      updateLockApproveButton();
      return;
    }
    L.busy = false;
    const approvals = Array.isArray(rec.approvals) ? rec.approvals : [];
    const n = approvals.length;
    let msg = 'Approved the change set of ' + project + ' #' + id + ': ' +
      (n === 1 ? '1 approval created' : n + ' approvals created') +
      (n === 0 ? ' (every version was already admitted)' : '') +
      (approvals.length && approvals[0].expires_at ? ', expiring ' + shortDate(approvals[0].expires_at) : '') +
      '; #' + (rec.base !== undefined && rec.base !== null ? num(rec.base) : id) + ' is now the accepted lockfile.';
    const warned = approvals.filter((a) => a && (a.warning || a.known_upstream === false));
    if (warned.length) msg += ' Warning: cordon has never seen ' + warned.map((a) => a.package + '@' + a.version).join(', ') + ' upstream.';
    setStatus(msg, warned.length ? 'info' : 'ok');
    $('lockapprove-comment').value = '';
    $('lockapprove-expiry').value = '';
    updateLockApproveButton();
    if (L.project === project && L.id === id) await loadLockReport(project, id, false);
  }

  // ------------------------------------------------------------------ start

  function init() {
    $('token-form').addEventListener('submit', onTokenSubmit);
    $('sign-out').addEventListener('click', () => {
      clearStatus();
      signOut('Signed out. The token was removed from this tab.');
    });
    $('status-close').addEventListener('click', clearStatus);

    $('held-table').querySelector('thead').addEventListener('click', onHeldSort);
    $('held-filter-eco').addEventListener('change', renderHeld);
    $('held-filter-text').addEventListener('input', renderHeld);
    $('held-refresh').addEventListener('click', loadHeld);

    for (const id of ['approve-comment', 'block-comment']) $(id).addEventListener('input', updateFormButtons);
    for (const id of ['block-scope-version', 'block-scope-package']) $(id).addEventListener('change', updateFormButtons);
    $('approve-form').addEventListener('submit', onApprove);
    $('approve-deps-button').addEventListener('click', onApproveWithDependencies);
    $('block-form').addEventListener('submit', onBlock);

    $('rules-show-inactive').addEventListener('change', loadRules);
    $('rules-refresh').addEventListener('click', loadRules);

    $('decisions-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      loadDecisions(null, true);
    });
    $('decisions-older').addEventListener('click', onDecisionsOlder);
    $('decisions-newest').addEventListener('click', () => loadDecisions(null, true));

    $('lockfiles-filter').addEventListener('input', renderLockProjects);
    $('lockfiles-refresh').addEventListener('click', loadLockProjects);
    $('lockhistory-refresh').addEventListener('click', () => {
      if (state.lock.project !== null) loadLockHistory(state.lock.project);
    });
    $('lockapprove-comment').addEventListener('input', updateLockApproveButton);
    $('lockapprove-form').addEventListener('submit', onLockApprove);
    $('lockreport-attention').addEventListener('change', renderLockChanges);

    window.addEventListener('hashchange', () => {
      clearStatus();
      route();
    });

    if (token()) {
      checkToken().then((ok) => { if (ok) route(); });
    } else {
      signOut(null);
    }
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();

// Browser test of the reviewers' page (/-/admin/) in headless Chromium.
//
//   CORDON_URL=http://127.0.0.1:PORT CORDON_TOKEN=cordon_… \
//   ECO=npm PKG=@scope/name VER=2.0.0 SCREENSHOT=/tmp/admin-page.png \
//   PLAYWRIGHT_CORE=build/tools/node_modules/playwright-core \
//   node tests/browser/admin_page.mjs
//
// Optional: CHROMIUM (default /usr/bin/chromium), CORDON_USER (the token's
// name, checked against whoami), XSS_PKG / XSS_VER / XSS_JUSTIFICATION (a
// review request already filed whose version and justification hold HTML:
// cordon refuses package names that are not valid for the ecosystem, but takes
// any version string), REVIEW_URL (that request's review_url, opened in a
// fresh tab).  The script also opens a hand-made #ECO/PKG/VER link whose
// package is HTML (such a link can come from anyone).
//
// Lockfiles (optional): LOCK_PROJECT and LOCK_ID name a submission whose
// change set is not ok and not accepted because LOCK_ECO/LOCK_PKG/LOCK_VER is
// held (LOCK_REF: its ref, shown as text).  The script opens #lockfiles,
// the project's history and the report, approves the change set with a
// comment, and checks through the API that the version is allowed and that
// the submission is the project's base (screenshots -lockfile and
// -lockfile-approved).
//
// ECO/PKG/VER must be a held version that cordon refused at least once.  The
// script signs in with the token, finds the version in the held queue,
// opens it, approves it with a comment (checked afterwards through the API),
// opens review_url-style hashes, checks that HTML from the server is shown as
// text (no <img> element, no dialog), that no CSP violation or page error
// happened, and saves full-page screenshots (SCREENSHOT, plus -held,
// -review and -decisions variants next to it).
//
// Prints "ok - …" per check; exits 0 when all passed, 1 otherwise.  Every
// wait is bounded; the browser is always closed.

import { createRequire } from 'node:module';
import path from 'node:path';

const env = (k, d) => (process.env[k] !== undefined && process.env[k] !== '' ? process.env[k] : d);
const need = (k) => {
  const v = env(k);
  if (v === undefined) {
    console.error(`admin_page.mjs: ${k} is not set`);
    process.exit(2);
  }
  return v;
};

const CORDON_URL = need('CORDON_URL').replace(/\/+$/, '');
const TOKEN = need('CORDON_TOKEN');
const ECO = need('ECO');
const PKG = need('PKG');
const VER = need('VER');
const SCREENSHOT = need('SCREENSHOT');
const PLAYWRIGHT_CORE = need('PLAYWRIGHT_CORE');
const CHROMIUM = env('CHROMIUM', '/usr/bin/chromium');
const CORDON_USER = env('CORDON_USER');
const XSS_PKG = env('XSS_PKG');
const XSS_VER = env('XSS_VER');
const HTML_NAME = '<img src=x onerror=alert(4)>';
const XSS_JUSTIFICATION = env('XSS_JUSTIFICATION');
const REVIEW_URL = env('REVIEW_URL');
const LOCK_PROJECT = env('LOCK_PROJECT');
const LOCK_ID = env('LOCK_ID');
const LOCK_REF = env('LOCK_REF');
const LOCK_ECO = env('LOCK_ECO', 'npm');
const LOCK_PKG = env('LOCK_PKG');
const LOCK_VER = env('LOCK_VER');

// deadlines, not expectations: a wait ends as soon as its condition holds,
// and these leave room for two busy cores (make test-under-load)
const STEP_MS = 20000;          // one UI wait
const NAV_MS = 30000;           // one page load
const TOTAL_MS = 300000;        // the whole script

const require = createRequire(import.meta.url);
const { chromium } = require(path.resolve(PLAYWRIGHT_CORE));

const ADMIN = `${CORDON_URL}/-/admin/`;
const EXPECTED_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
  "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
const enc = encodeURIComponent;
const shot = (suffix) => SCREENSHOT.replace(/(\.png)?$/i, `-${suffix}.png`);

let failures = 0;
let passes = 0;
const problems = { dialogs: [], csp: [], pageErrors: [], otherConsole: [] };

function ok(name) {
  passes++;
  console.log(`ok - ${name}`);
}

class CheckFailed extends Error {}

function check(cond, name, detail) {
  if (cond) {
    ok(name);
    return;
  }
  failures++;
  console.log(`not ok - ${name}${detail ? `\n#   ${String(detail).replace(/\n/g, '\n#   ')}` : ''}`);
  throw new CheckFailed(name);
}

// soft: report, keep going
function expect(cond, name, detail) {
  try {
    check(cond, name, detail);
  } catch (e) {
    if (!(e instanceof CheckFailed)) throw e;
  }
}

async function api(method, p, body) {
  const headers = { Authorization: `Bearer ${TOKEN}`, Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(CORDON_URL + p, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(STEP_MS),
  });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, json, text };
}

function watch(page, label) {
  page.on('dialog', async (d) => {
    problems.dialogs.push(`${label}: ${d.type()} ${JSON.stringify(d.message())}`);
    await d.dismiss().catch(() => {});
  });
  page.on('pageerror', (e) => problems.pageErrors.push(`${label}: ${e.message}`));
  page.on('console', (m) => {
    const text = m.text();
    if (/Content[- ]Security[- ]Policy|Refused to (load|execute|apply|connect|evaluate|frame)/i.test(text)) {
      problems.csp.push(`${label}: ${text}`);
    } else if (m.type() === 'error') {
      problems.otherConsole.push(`${label}: ${text}`);
    }
  });
  page.setDefaultTimeout(STEP_MS);
  page.setDefaultNavigationTimeout(NAV_MS);
}

// The held-table row whose data-key is KEY (no CSS escaping of server data).
async function heldRow(page, key) {
  const h = await page.waitForFunction((k) =>
    [...document.querySelectorAll('#held-table tbody tr')].find((tr) => tr.dataset.key === k) || null,
  key, { timeout: STEP_MS });
  return h.asElement();
}

async function text(page, sel) {
  return page.$eval(sel, (e) => e.textContent);
}

async function signIn(page, token) {
  await page.waitForSelector('#token-input', { state: 'visible' });
  await page.fill('#token-input', token);
  await page.click('#token-save');
}

async function waitDetail(page, pkg, ver) {
  await page.waitForFunction(([p, v]) => {
    const view = document.getElementById('view-detail');
    return view && !view.hidden &&
      document.getElementById('detail-package').textContent === p &&
      document.getElementById('detail-version').textContent === v &&
      !document.getElementById('detail-body').hidden;
  }, [pkg, ver], { timeout: STEP_MS });
}

// full-page screenshots render the sticky header where the page is scrolled to
async function fullShot(page, file) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: file, fullPage: true });
}

async function imgCount(page) {
  return page.evaluate(() => document.getElementsByTagName('img').length);
}

// the row of a table body whose dataset[attr] is value (no CSS escaping of server data)
async function rowBy(page, tbody, attr, value) {
  const h = await page.waitForFunction(([tb, a, v]) =>
    [...document.querySelectorAll(`#${tb} tr`)].find((tr) => tr.dataset[a] === v) || null,
  [tbody, attr, value], { timeout: STEP_MS });
  return h.asElement();
}

async function waitLockReport(page, project, id, stateKey) {
  await page.waitForFunction(([p, i, st]) => {
    const view = document.getElementById('view-lockreport');
    return view && !view.hidden && view.dataset.key === `${p}#${i}` &&
      !document.getElementById('lockreport-body').hidden &&
      (!st || document.getElementById('lockreport-state').dataset.state === st);
  }, [project, String(id), stateKey || null], { timeout: STEP_MS });
}

// the Lockfiles view: projects, history, report, change-set approval
async function lockfileCase(page) {
  check(!!LOCK_ID, 'the lockfile submission exists (LOCK_ID)', 'the shell script did not manage to submit it');
  check(LOCK_PKG && LOCK_VER, 'LOCK_PKG and LOCK_VER are set');
  const id = Number(LOCK_ID);
  const projHash = `#lockfiles/${enc(LOCK_PROJECT)}`;
  const lockKey = `${LOCK_ECO}/${LOCK_PKG}/${LOCK_VER}`;

  // the projects
  await page.click('#nav-lockfiles');
  const prow = await rowBy(page, 'lockfiles-body', 'project', LOCK_PROJECT);
  check(!!prow, `#lockfiles lists the project ${LOCK_PROJECT}`);
  expect(await page.$eval('#nav-lockfiles', (a) => a.getAttribute('aria-current')) === 'page',
    'the Lockfiles nav item is current');
  const pcells = await prow.$$eval('td', (tds) => tds.map((td) => td.textContent.trim()));
  check(pcells[0] === LOCK_PROJECT && pcells[1] === `#${id}` && /needs review/.test(pcells[4]),
    'the project row shows its latest submission, needing review', JSON.stringify(pcells));
  if (LOCK_REF) expect(pcells[3] === LOCK_REF, 'the HTML ref is shown as text', JSON.stringify(pcells[3]));
  check(await imgCount(page) === 0, 'no <img> element was created from the ref');

  // its history
  await prow.click({ position: { x: 5, y: 5 } });
  const hrow = await rowBy(page, 'lockhistory-body', 'id', String(id));
  check(page.url().endsWith(projHash), `clicking the project opens ${projHash} (the '/' encoded)`, page.url());
  const hcells = await hrow.$$eval('td', (tds) => tds.map((td) => td.textContent.trim()));
  expect(/needs review/.test(hcells[4]) && /1 held/.test(hcells[7]), 'the history row shows the state and the verdicts',
    JSON.stringify(hcells));

  // the report
  await hrow.click({ position: { x: 5, y: 5 } });
  await waitLockReport(page, LOCK_PROJECT, id, 'review');
  check(page.url().endsWith(`${projHash}/${id}`), `clicking the submission opens ${projHash}/${id}`, page.url());
  const stat = (k) => page.$eval(`#lockreport-stats .stat[data-key="${k}"] .stat-n`, (e) => e.textContent);
  expect(await stat('held') === '1' && await stat('entries') === '2', 'the summary counts are shown',
    `held ${await stat('held')}, entries ${await stat('entries')}`);
  const crow = await rowBy(page, 'lockreport-changes-body', 'key', lockKey);
  const ccells = await crow.$$eval('td', (tds) => tds.map((td) => td.textContent.trim()));
  check(await crow.evaluate((tr) => tr.dataset.status) === 'held' && /^held/.test(ccells[4]),
    `${LOCK_PKG} ${LOCK_VER} is shown HELD`, JSON.stringify(ccells));
  expect(ccells[0] === 'added' && ccells[2].startsWith(LOCK_PKG) && ccells[3] === LOCK_VER,
    'with its change, package and version', JSON.stringify(ccells));
  const errLine = await crow.$eval('.verdict-error', (e) => e.textContent).catch(() => '');
  check(errLine.includes(LOCK_PKG) || /quarantin/i.test(errLine), 'and the error line saying why', errLine);
  const others = await page.$$eval('#lockreport-changes-body tr', (trs) => trs.map((tr) => tr.dataset.status));
  expect(others.includes('allowed'), 'the allowed entry is listed too', JSON.stringify(others));

  // approve the change set: the button waits for a non-blank comment
  check(await page.isVisible('#lockreport-approve-card'), 'the change-set approval form is shown');
  check(await page.isDisabled('#lockapprove-button'), 'Approve change set is disabled without a comment');
  await page.fill('#lockapprove-comment', '  ');
  check(await page.isDisabled('#lockapprove-button'), 'and stays disabled for a blank comment');
  const comment = `browser test change set <b>ok</b> ${Date.now()}`;
  await page.fill('#lockapprove-comment', comment);
  check(await page.isEnabled('#lockapprove-button'), 'and is enabled once a comment is typed');
  await page.selectOption('#lockapprove-expiry', '30d');
  await fullShot(page, shot('lockfile'));
  await page.click('#lockapprove-button');
  await waitLockReport(page, LOCK_PROJECT, id, 'approved');
  const status = await text(page, '#status');
  check(/approved the change set/i.test(status) && /\b1 approval created/.test(status),
    'the page confirms the approval with the number of approvals created', status);
  check(!(await page.isVisible('#lockreport-approve-card')), 'the form is gone once the change set is accepted');
  await page.waitForFunction((k) => {
    const tr = [...document.querySelectorAll('#lockreport-changes-body tr')].find((t) => t.dataset.key === k);
    return tr && /now allowed/.test(tr.textContent);
  }, lockKey).then(() => ok(`${LOCK_PKG} ${LOCK_VER} shows "now allowed"`),
    () => expect(false, `${LOCK_PKG} ${LOCK_VER} shows "now allowed"`));
  check(await imgCount(page) === 0, 'no <img> element in the report');
  await fullShot(page, shot('lockfile-approved'));

  // ... and through the API
  const v = await api('GET', `/-/api/versions/${enc(LOCK_ECO)}/${enc(LOCK_PKG)}/${enc(LOCK_VER)}`);
  check(v.status === 200 && v.json && v.json.allowed === true, `the API says ${LOCK_PKG}@${LOCK_VER} is now allowed`,
    `${v.status} ${v.text.slice(0, 500)}`);
  const appr = (v.json.approvals || []).find((a) => a.comment === `${comment} (lockfile ${LOCK_PROJECT}#${id})`);
  check(appr && appr.active === true && appr.by === (CORDON_USER || appr.by) && appr.expires_at,
    'an active approval with the comment suffixed by the lockfile, by the reviewer, with an expiry',
    JSON.stringify(v.json.approvals));
  const h = await api('GET', `/-/api/lockfiles/${enc(LOCK_PROJECT)}`);
  check(h.status === 200 && h.json && h.json.base === id, `the submission #${id} is now the project's base`,
    `${h.status} ${h.text.slice(0, 500)}`);
  const sub = (h.json.submissions || []).find((x) => x.submission === id);
  expect(sub && sub.accepted === true, 'the history says it is accepted', JSON.stringify(sub));
  const r = await api('GET', `/-/api/lockfiles/${enc(LOCK_PROJECT)}/${id}`);
  if (r.json && r.json.accepted !== true) {
    console.log(`# note: GET /-/api/lockfiles/${enc(LOCK_PROJECT)}/${id} still says "accepted": ${JSON.stringify(r.json.accepted)} ` +
      'after the change-set approval (the stored report is not updated); the page reads the history instead');
  }

  // a hand-typed hash with the raw '/' in the project; the projects list afterwards
  await page.goto(`${ADMIN}#lockfiles/${LOCK_PROJECT}/${id}`);
  await waitLockReport(page, LOCK_PROJECT, id, 'approved');
  ok(`#lockfiles/${LOCK_PROJECT}/${id} (unencoded) shows the report`);
  const pl = await api('GET', '/-/api/lockfiles');
  const pe = pl.json && Array.isArray(pl.json.projects) ? pl.json.projects.find((x) => x.project === LOCK_PROJECT) : null;
  expect(pe && pe.latest === id && pe.accepted === true && pe.base === id,
    'GET /-/api/lockfiles says the latest submission is accepted and the base', pl.text.slice(0, 500));
  await page.goto(`${ADMIN}#lockfiles`);
  const approved = await page.waitForFunction((p) => {
    const tr = [...document.querySelectorAll('#lockfiles-body tr')].find((t) => t.dataset.project === p);
    return tr && tr.dataset.state === 'approved';
  }, LOCK_PROJECT).then(() => true, () => false);
  const prow2 = await rowBy(page, 'lockfiles-body', 'project', LOCK_PROJECT);
  expect(approved, '#lockfiles now shows the project approved', await prow2.evaluate((tr) => tr.textContent));
  await fullShot(page, shot('lockfiles'));
}

async function run(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  watch(page, 'tab 1');

  // the page and its assets, with the CSP the contract names
  const assets = {};
  page.on('response', (r) => {
    const u = r.url().split('#')[0];
    if (u.startsWith(ADMIN)) assets[u.slice(ADMIN.length) || 'index.html'] = r;
  });
  const res = await page.goto(ADMIN);
  check(res && res.status() === 200, 'GET /-/admin/ answers 200', res && `status ${res.status()}`);
  const headers = await res.allHeaders();
  expect((headers['content-type'] || '').startsWith('text/html'), '/-/admin/ is text/html', headers['content-type']);
  expect(headers['content-security-policy'] === EXPECTED_CSP, '/-/admin/ carries the strict CSP',
    `got: ${headers['content-security-policy']}`);
  await page.waitForLoadState('load');
  for (const [name, type] of [['admin.css', /^text\/css/], ['admin.js', /^(text|application)\/javascript/]]) {
    const r = assets[name];
    expect(r && r.status() === 200 && type.test((await r.allHeaders())['content-type'] || ''),
      `${name} served with the right type`, r ? `${r.status()} ${(await r.allHeaders())['content-type']}` : 'not requested');
  }

  // a wrong token: friendly 401 message, still on the sign-in form
  await signIn(page, 'cordon_not-a-valid-token-at-all-000000000000000000');
  await page.waitForSelector('#token-message', { state: 'visible' });
  const msg401 = await text(page, '#token-message');
  check(/401|not accepted/i.test(msg401), 'a wrong token gives a friendly 401 message', msg401);
  check(await page.evaluate(() => sessionStorage.getItem('cordon_token')) === null,
    'the wrong token is not kept');

  // sign in
  await signIn(page, TOKEN);
  await page.waitForFunction(() => document.getElementById('whoami-name').textContent !== '');
  const who = await text(page, '#whoami-name');
  const role = await text(page, '#whoami-role');
  check(role === 'reviewer' && (!CORDON_USER || who === CORDON_USER), 'signed in: whoami name and role shown',
    `name ${JSON.stringify(who)} role ${JSON.stringify(role)}`);
  check(await page.evaluate(() => sessionStorage.getItem('cordon_token')) === TOKEN,
    'the token is kept in sessionStorage (cordon_token)');
  check(await page.evaluate(() => localStorage.length) === 0, 'nothing in localStorage');

  // the held queue
  const key = `${ECO}/${PKG}/${VER}`;
  const row = await heldRow(page, key);
  check(!!row, `held queue lists ${key}`);
  const cells = await row.$$eval('td', (tds) => tds.map((td) => td.textContent.trim()));
  expect(cells[1] === PKG && cells[2] === VER && /quarantine/.test(cells[3]), 'the row shows package, version and reason',
    JSON.stringify(cells));
  const headersText = await page.$$eval('#held-table thead th', (ths) => ths.map((t) => t.textContent.trim()));
  expect(['Ecosystem', 'Package', 'Version', 'Reason', 'Published', 'Eligible at', 'Instead', 'Refused',
    'Hidden', 'Reviews']
    .every((h) => headersText.includes(h)), 'held table has the expected columns', JSON.stringify(headersText));

  if (XSS_PKG && XSS_VER) {
    const xrow = await heldRow(page, `${ECO}/${XSS_PKG}/${XSS_VER}`);
    const xcells = await xrow.$$eval('td', (tds) => tds.map((td) => td.textContent));
    check(xcells[1] === XSS_PKG && xcells[2] === XSS_VER, 'an HTML version string is shown as text in the held queue',
      JSON.stringify(xcells));
    check(await imgCount(page) === 0, 'no <img> element was created from server data');
  }

  // sorting by requests (client side) keeps every row
  const before = await page.$$eval('#held-table tbody tr', (trs) => trs.length);
  await page.click('#held-table th[data-sort="requests"]');
  const sorted = await page.$eval('#held-table th[data-sort="requests"]', (th) => th.getAttribute('aria-sort'));
  const after = await page.$$eval('#held-table tbody tr', (trs) => trs.length);
  expect(sorted && after === before, 'clicking a column header sorts the queue', `aria-sort ${sorted}, rows ${before} -> ${after}`);
  await fullShot(page, shot('held'));

  // open the version by clicking its row (not the link inside it)
  await (await heldRow(page, key)).click({ position: { x: 5, y: 5 } });
  await waitDetail(page, PKG, VER);
  check(page.url().endsWith(`#${enc(ECO)}/${enc(PKG)}/${enc(VER)}`), 'clicking the row opens #ECO/PKG/VER', page.url());
  const errLine = await text(page, '#detail-error');
  check(errLine.includes(PKG) || /quarantin/i.test(errLine), 'the detail view says why it is held', errLine);
  check(await page.$eval('#detail-verdict', (e) => e.dataset.allowed) === 'false', 'the verdict shows it held');

  // approve: the button waits for a non-blank comment
  const comment = `browser test approval <img src=x onerror=alert(2)> ${Date.now()}`;
  check(await page.isDisabled('#approve-button'), 'Approve is disabled without a comment');
  await page.fill('#approve-comment', '   ');
  check(await page.isDisabled('#approve-button'), 'Approve stays disabled for a blank comment');
  await page.fill('#approve-comment', comment);
  check(await page.isEnabled('#approve-button'), 'Approve is enabled once a comment is typed');
  await page.selectOption('#approve-expiry', '7d');
  // the closure: what installing it pulls in that cordon holds, and one
  // action that approves them with it
  await page.waitForFunction(() => !document.getElementById('approve-deps-button').hidden);
  const closureRows = await page.$$eval('#detail-closure tr', (trs) => trs.map((tr) => tr.dataset.key));
  check(closureRows.length === 1 && closureRows[0] === '@adm/kit-core@2.0.0',
    'the closure lists the held dependency @adm/kit-core@2.0.0', JSON.stringify(closureRows));
  const depsLabel = await text(page, '#approve-deps-button');
  check(depsLabel === 'Approve with its 1 held dependency' && await page.isEnabled('#approve-deps-button'),
    'the closure approval action names how many it approves', depsLabel);
  // what changed against 1.0.0, the release before it that cordon serves
  await page.waitForFunction(() => !document.getElementById('detail-changes').hidden);
  const changesSummary = await text(page, '#detail-changes-summary');
  check(/^Against 1\.0\.0 \(the newest older release cordon serves\): 1 file\(s\) added/.test(changesSummary),
    'the version view says what changed against 1.0.0', changesSummary);
  const changeRows = await page.$$eval('#detail-changes .changes-group', (gs) => gs.map((g) => g.dataset.group + ': ' +
    [...g.querySelectorAll('tbody tr')].map((tr) => tr.dataset.change + ' ' + tr.children[1].textContent).join(', ')));
  check(changeRows.includes('Dependencies: added @adm/kit-core, added adm-lib'),
    'the diff lists the dependencies 2.0.0 adds', JSON.stringify(changeRows));
  check(changeRows.some((r) => r.startsWith('Files: ') && r.includes('added package/lib/new.js') &&
    r.includes('changed package/index.js')), 'the diff lists the files added and changed', JSON.stringify(changeRows));
  await fullShot(page, SCREENSHOT);
  await page.click('#approve-deps-button');
  await page.waitForFunction(() => document.getElementById('detail-verdict').dataset.allowed === 'true');
  const status = await text(page, '#status');
  check(/approved as one change set: @adm\/kit@2\.0\.0 with 1 held dependency \(2 approval/i.test(status),
    'the page confirms the change set', status);
  const core = await api('GET', `/-/api/versions/npm/${enc('@adm/kit-core')}/2.0.0`);
  check(core.status === 200 && core.json && core.json.allowed === true, 'the dependency is approved with it',
    core.text.slice(0, 300));
  const shownComment = await page.$$eval('#detail-rules td.comment', (tds) => tds.map((t) => t.textContent));
  check(shownComment.includes(comment), 'the approval (with its HTML comment, as text) is listed on the version',
    JSON.stringify(shownComment));
  check(await imgCount(page) === 0, 'no <img> element was created from the comment');
  // the version keeps what it was held for and who asked, and says who admitted it
  await page.waitForFunction(() => [...document.querySelectorAll('#detail-facts dt')]
    .some((dt) => dt.textContent === 'Approved by'));
  const facts = await page.$$eval('#detail-facts dt', (dts) =>
    Object.fromEntries(dts.map((dt) => [dt.textContent, dt.nextElementSibling ? dt.nextElementSibling.textContent : ''])));
  check((CORDON_USER ? facts['Approved by'].includes(CORDON_USER) : facts['Approved by'] !== '') &&
    /quarantine/.test(facts['Was held for'] || '') && facts['Refused requests'] !== undefined,
    'after approval: approved by, what it was held for and its refusals are shown', JSON.stringify(facts));
  const errAfter = await text(page, '#detail-error');
  check(/^Approved by /.test(errAfter) && /held for quarantine/.test(errAfter), 'the callout says who approved it and why it was held',
    errAfter);
  const clientRows = await page.$$eval('#detail-clients tr', (trs) => trs.length);
  check(clientRows > 0, 'the clients that asked for it are still listed', `${clientRows} rows`);
  await fullShot(page, shot('approved'));

  // ... and through the API
  const v = await api('GET', `/-/api/versions/${enc(ECO)}/${enc(PKG)}/${enc(VER)}`);
  check(v.status === 200 && v.json, 'GET /-/api/versions/… answers 200', `${v.status} ${v.text.slice(0, 300)}`);
  check(v.json.allowed === true, 'the API says the version is now allowed', v.text.slice(0, 500));
  const appr = (v.json.approvals || []).find((a) => a.comment === comment);
  check(appr && appr.active === true && appr.by === (CORDON_USER || appr.by) && appr.expires_at,
    'an active approval with that comment, by the signed-in reviewer, with an expiry', JSON.stringify(v.json.approvals));

  // the approvals list shows it with a revoke button
  await page.goto(`${ADMIN}#approvals`);
  await page.waitForFunction((c) =>
    [...document.querySelectorAll('#approvals-body td.comment')].some((td) => td.textContent === c), comment);
  ok('#approvals lists the new approval');
  const revoke = await page.$$eval('#approvals-body tr', (trs, c) => {
    const tr = trs.find((t) => t.querySelector('td.comment').textContent === c);
    return tr ? tr.querySelector('button') && tr.querySelector('button').textContent : null;
  }, comment);
  expect(revoke === 'Revoke', 'with a Revoke button', revoke);

  // the decision log
  await page.goto(`${ADMIN}#decisions`);
  await page.waitForFunction(() => document.querySelectorAll('#decisions-body tr').length > 0 ||
    !document.getElementById('decisions-empty').hidden);
  const nDecisions = await page.$$eval('#decisions-body tr', (trs) => trs.length);
  expect(nDecisions > 0, '#decisions shows the decision log', `${nDecisions} rows`);
  await fullShot(page, shot('decisions'));

  // landing on a review_url-style hash (percent-encoded package), then a raw one
  await page.goto(`${ADMIN}#${ECO}/${enc(PKG)}/${enc(VER)}`);
  await page.reload();
  await waitDetail(page, PKG, VER);
  ok(`landing on #${ECO}/${enc(PKG)}/${enc(VER)} shows ${PKG}@${VER}`);
  await page.goto(`${ADMIN}#held`);
  await page.goto(`${ADMIN}#${ECO}/${PKG}/${VER}`);
  await waitDetail(page, PKG, VER);
  ok(`#${ECO}/${PKG}/${VER} (unencoded) shows ${PKG}@${VER}`);

  // a hand-made link whose package name is HTML: shown as text, whatever the API says
  await page.goto(`${ADMIN}#${ECO}/${enc(HTML_NAME)}/1.0.0`);
  await page.waitForFunction((n) => document.getElementById('detail-package').textContent === n &&
    (!document.getElementById('detail-body').hidden ||
     document.getElementById('detail-loading').textContent !== 'Loading…'), HTML_NAME);
  check(await text(page, '#detail-package') === HTML_NAME, 'a link with an HTML package name shows it as text');
  check(await imgCount(page) === 0, 'no <img> element was created from the link');

  // a fresh tab on the review request's review_url: sign in, then that entry
  if (XSS_PKG && XSS_VER) {
    const page2 = await context.newPage();
    watch(page2, 'tab 2');
    const url = REVIEW_URL || `${ADMIN}#${ECO}/${XSS_PKG}/${XSS_VER}`;
    await page2.goto(url);
    await signIn(page2, TOKEN);
    await waitDetail(page2, XSS_PKG, XSS_VER);
    ok(`a new tab on ${REVIEW_URL ? 'the review request\'s review_url' : 'a raw review hash'} shows that entry after sign-in`);
    const title = await text(page2, '#detail-version');
    check(title === XSS_VER, 'the HTML version string is shown literally in the detail view', title);
    if (XSS_JUSTIFICATION) {
      const just = await page2.$$eval('#detail-reviews .justification', (bs) => bs.map((b) => b.textContent));
      check(just.includes(XSS_JUSTIFICATION), 'the HTML justification is shown literally', JSON.stringify(just));
    }
    check(await imgCount(page2) === 0, 'no <img> element in the review detail');
    await fullShot(page2, shot('review'));

    // sign out clears the token
    await page2.click('#sign-out');
    await page2.waitForSelector('#token-input', { state: 'visible' });
    check(await page2.evaluate(() => sessionStorage.getItem('cordon_token')) === null, 'sign out clears the token');
    await page2.close();
  }

  if (LOCK_PROJECT) await lockfileCase(page);

  // give stray handlers (onerror of an injected image, if any) a moment
  await page.waitForTimeout(300);
  check(problems.dialogs.length === 0, 'no dialog was opened', problems.dialogs.join('\n'));
  check(problems.csp.length === 0, 'no CSP violation was reported', problems.csp.join('\n'));
  check(problems.pageErrors.length === 0, 'no uncaught page error', problems.pageErrors.join('\n'));
  await context.close();
}

const watchdog = setTimeout(() => {
  console.log(`not ok - the browser test did not finish within ${TOTAL_MS / 1000} s`);
  process.exit(1);
}, TOTAL_MS);

let browser = null;
let code = 0;
try {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    timeout: 30000,
  });
  await run(browser);
} catch (e) {
  code = 1;
  if (!(e instanceof CheckFailed)) {
    failures++;
    console.log(`not ok - ${e && e.message ? e.message.split('\n')[0] : e}`);
    if (e && e.stack) console.log(`#   ${e.stack.replace(/\n/g, '\n#   ')}`);
  }
} finally {
  if (browser) await browser.close().catch(() => {});
  clearTimeout(watchdog);
}
if (problems.otherConsole.length) {
  console.log('# console errors (not counted: failed requests the test provoked, e.g. the 401):');
  for (const m of problems.otherConsole) console.log(`#   ${m}`);
}
if (failures) code = 1;
console.log(`# ${passes} checks passed, ${failures} failed`);
process.exit(code);

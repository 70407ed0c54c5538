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

const STEP_MS = 5000;           // one UI wait
const NAV_MS = 10000;           // one page load
const TOTAL_MS = 120000;        // the whole script

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
  expect(['Ecosystem', 'Package', 'Version', 'Reason', 'Published', 'Eligible at', 'Requests', 'Review requests']
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
  await fullShot(page, SCREENSHOT);
  await page.click('#approve-button');
  await page.waitForFunction(() => document.getElementById('detail-verdict').dataset.allowed === 'true');
  const status = await text(page, '#status');
  check(/approved/i.test(status), 'the page confirms the approval', status);
  const shownComment = await page.$$eval('#detail-rules td.comment', (tds) => tds.map((t) => t.textContent));
  check(shownComment.includes(comment), 'the approval (with its HTML comment, as text) is listed on the version',
    JSON.stringify(shownComment));
  check(await imgCount(page) === 0, 'no <img> element was created from the comment');

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

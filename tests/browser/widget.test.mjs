// Browser tests of the Sophia widget, run by `cargo test --test browser` (tests/browser.rs),
// which starts `sophia serve` and passes its URL in SOPHIA_URL.
//
// This script serves a portal page with a strict CSP on its own port and reverse-proxies
// /sophia/* to the Sophia server, so page, widget and API share one origin (the setup the
// README recommends). It drives Debian's Chromium with playwright-core and checks, in order:
// nothing sent or stored before the chat is opened, no CSP violation, keyboard opening and
// focus, an answer in the role="log" live region, a clarify choice, a follow-up in context,
// feedback (204), Esc and focus return, axe-core WCAG 2.1 A/AA (closed and open), full screen
// and reflow at 360/320 px, reduced motion, data-color-* theming and the JS API.
// Screenshots go to SOPHIA_SCREENSHOTS. Every wait has a timeout; a watchdog ends the run.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const axeSource = require('axe-core').source;

const SOPHIA_URL = process.env.SOPHIA_URL;
const CHROMIUM = process.env.SOPHIA_CHROMIUM || '/usr/bin/chromium';
const SHOTS = process.env.SOPHIA_SCREENSHOTS || path.resolve('../../target/browser-screenshots');
const WAIT_MS = 20000; // longest wait for any one thing (an answer, an element, a response)
const WATCHDOG_MS = 180000; // longest whole run

if (!SOPHIA_URL) {
  console.error('SOPHIA_URL is not set: run this through `cargo test --test browser`.');
  process.exit(2);
}

// The host page's CSP: no 'unsafe-inline', no 'unsafe-eval', only its own origin.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:";

/** A portal page embedding the widget with one script tag, configured by data-* attributes only. */
function portalPage(extraAttributes) {
  return `<!doctype html>
<html lang="de">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Bürgerservice – Testportal</title>
  <link rel="stylesheet" href="/portal.css">
  <link rel="icon" href="data:,">
</head>
<body>
  <header><p class="brand">Testportal Bürgerservice</p></header>
  <main>
    <h1>Leistungen A–Z</h1>
    <p>Eine Portalseite mit strenger Content Security Policy und <a href="#leistungen">einem Link</a>.</p>
    <p id="leistungen">Reisepass, Personalausweis, Wohnsitz anmelden.</p>
  </main>
  <footer><p><a href="/datenschutz">Datenschutz</a> · <a href="/barrierefreiheit">Barrierefreiheit</a></p></footer>
  <script src="/sophia/widget/sophia.js" data-tenant="muenchen" data-endpoint="/sophia"
          data-title="Testportal" data-privacy-url="/datenschutz" data-accessibility-url="/barrierefreiheit"
          ${extraAttributes || ''} defer></script>
</body>
</html>`;
}

const PORTAL_CSS = `body { margin: 0; font: 16px/1.5 system-ui, sans-serif; color: #1b1b1b; background: #fff; }
header { padding: 1rem; background: #1b1b1b; color: #fff; } main, footer { padding: 0 1rem; }
a { color: #005a9c; }`;

/** Reverse proxy for /sophia/* to the Sophia server, as a portal's web server would do it. */
function proxy(req, res) {
  const target = new URL(req.url.slice('/sophia'.length) || '/', SOPHIA_URL);
  const headers = { ...req.headers, host: target.host };
  // The page is the portal's origin, which the test server's default configuration does not
  // list; a proxy may present the requests as its own (server to server, no Origin header).
  delete headers.origin;
  const upstream = http.request(target, { method: req.method, headers }, (answer) => {
    res.writeHead(answer.statusCode, answer.headers);
    answer.pipe(res);
  });
  upstream.setTimeout(WAIT_MS, () => upstream.destroy(new Error('upstream timeout')));
  upstream.on('error', (error) => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
    res.end(String(error));
  });
  req.pipe(upstream);
}

const host = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://host');
  if (url.pathname.startsWith('/sophia/')) return proxy(req, res);
  const page = { '/': portalPage(), '/themed': portalPage('data-color-primary="#ffd500" data-color-accent="#6a1b9a"') }[url.pathname];
  if (page) {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': CSP, 'cache-control': 'no-store' });
    return res.end(page);
  }
  if (url.pathname === '/portal.css') {
    res.writeHead(200, { 'content-type': 'text/css; charset=utf-8' });
    return res.end(PORTAL_CSS);
  }
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'content-security-policy': CSP });
  res.end('Nicht gefunden');
});

let browser = null;
const watchdog = setTimeout(() => {
  console.error(`browser tests: watchdog: no result after ${WATCHDOG_MS / 1000} s`);
  if (browser) browser.close().catch(() => {});
  process.exit(1);
}, WATCHDOG_MS);

let currentPage = null;
let stepCount = 0;

/** Runs one named step; the first failure takes a screenshot and ends the run. */
async function step(name, fn) {
  stepCount++;
  try {
    await fn();
    console.log(`  ok ${stepCount} - ${name}`);
  } catch (error) {
    console.error(`  not ok ${stepCount} - ${name}\n${error && error.stack ? error.stack : error}`);
    if (currentPage) await currentPage.screenshot({ path: path.join(SHOTS, 'failure.png') }).catch(() => {});
    throw Object.assign(error, { reported: true });
  }
}

/** Runs axe-core with the WCAG 2.1 A and AA rules; fails on any violation, listing them. */
async function axeCheck(page, label) {
  await settled(page);
  // Injected with page.evaluate (DevTools protocol), which the page's CSP does not govern, so
  // the page keeps its strict CSP during the check; no bypassCSP context is used.
  if (!(await page.evaluate(() => Boolean(window.axe)))) await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    resultTypes: ['violations']
  }));
  const report = result.violations.map((v) =>
    `${v.id} (${v.impact}): ${v.help}\n` + v.nodes.map((n) => `    ${n.target.join(' ')}: ${n.failureSummary}`).join('\n'));
  assert.equal(result.violations.length, 0, `axe-core (${label}) found WCAG 2.1 A/AA violations:\n${report.join('\n')}`);
  return result;
}

/** The shadow root's focused element, described as "tag.class#id" (or the document's). */
function focused(page) {
  return page.evaluate(() => {
    const host = document.activeElement;
    const el = host && host.shadowRoot ? host.shadowRoot.activeElement : host;
    return el ? `${el.localName}${el.className ? '.' + String(el.className).split(' ').join('.') : ''}${el.id ? '#' + el.id : ''}` : 'none';
  });
}

/**
 * Waits until the widget's finite animations (the panel fading and sliding in) have finished;
 * the typing dots blink forever and are left out. Colours measured mid-animation are blends.
 */
function settled(page) {
  return page.evaluate(() => {
    const host = document.querySelector('sophia-chat');
    if (!host || !host.shadowRoot) return null;
    return Promise.all(host.shadowRoot.getAnimations()
      .filter((a) => a.effect && a.effect.getComputedTiming().endTime !== Infinity)
      .map((a) => a.finished.catch(() => null)));
  });
}

async function storageState(page, context) {
  const inPage = await page.evaluate(() => ({
    local: Object.keys(localStorage),
    session: Object.keys(sessionStorage)
  }));
  return { ...inPage, cookies: (await context.cookies()).map((c) => c.name) };
}

/** Opens a page in a fresh context, recording every request and every CSP violation. */
async function openPage(url, viewport) {
  const context = await browser.newContext({ viewport, locale: 'de-DE' });
  context.setDefaultTimeout(WAIT_MS);
  const page = await context.newPage();
  const requests = [];
  const violations = [];
  const errors = [];
  page.on('request', (request) => requests.push({ url: request.url(), method: request.method(), body: request.postData() }));
  page.on('console', (msg) => {
    if (/Content Security Policy|Refused to/i.test(msg.text())) violations.push(msg.text());
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('pageerror', (error) => errors.push(String(error)));
  // Registered before any page script runs (DevTools protocol, not subject to the CSP).
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`);
    });
  });
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction(() => customElements.get('sophia-chat') && window.Sophia && document.querySelector('sophia-chat'));
  currentPage = page;
  return { context, page, requests, violations, errors };
}

async function cspViolations(page, consoleViolations) {
  return [...consoleViolations, ...(await page.evaluate(() => window.__cspViolations))];
}

const apiRequests = (requests) => requests.filter((r) => new URL(r.url).pathname.startsWith('/sophia/api'));

/** Waits for the n-th (1-based) message of Sophia in the log and returns its text. */
async function botMessage(log, n) {
  const message = log.locator('.msg.bot').nth(n - 1);
  await message.waitFor({ state: 'visible' });
  return message;
}

async function run() {
  fs.mkdirSync(SHOTS, { recursive: true });
  fs.rmSync(path.join(SHOTS, 'failure.png'), { force: true }); // from an earlier, failed run
  await new Promise((resolve) => host.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${host.address().port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: WAIT_MS,
    // As root in a container; and no calls home from Chromium (the network is closed).
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage']
  });
  console.log(`browser tests: ${await browser.version()} on ${origin} -> ${SOPHIA_URL}`);

  const { context, page, requests, violations, errors } = await openPage(origin + '/', { width: 1280, height: 800 });
  const launcher = page.getByRole('button', { name: 'Fragen Sie Sophia' });
  const log = page.getByRole('log', { name: 'Gesprächsverlauf' });
  const input = page.getByLabel('Ihre Frage');

  await step('before opening: no request to the API, nothing but the page, its CSS and the widget', async () => {
    await page.waitForLoadState('networkidle');
    assert.deepEqual(apiRequests(requests), []);
    const paths = requests.map((r) => new URL(r.url));
    assert.ok(paths.every((u) => u.origin === origin), `a request left the origin: ${requests.map((r) => r.url)}`);
    assert.deepEqual(paths.map((u) => u.pathname).sort(), ['/', '/portal.css', '/sophia/widget/sophia.js']);
  });

  await step('before opening: nothing in localStorage, sessionStorage or cookies', async () => {
    assert.deepEqual(await storageState(page, context), { local: [], session: [], cookies: [] });
  });

  await step('the launcher is a labelled button, collapsed, controlling the hidden panel', async () => {
    assert.equal(await launcher.getAttribute('aria-expanded'), 'false');
    assert.equal(await launcher.getAttribute('aria-controls'), 'panel');
    assert.equal(await page.getByRole('dialog').count(), 0);
  });

  await step('axe-core: no WCAG 2.1 A/AA violation with the chat closed (1280 px)', async () => {
    await axeCheck(page, 'closed, 1280 px');
    await page.screenshot({ path: path.join(SHOTS, 'closed-1280.png') });
  });

  await step('keyboard: Tab reaches the launcher, Enter opens the panel, focus lands in the input', async () => {
    let onLauncher = false;
    for (let i = 0; i < 15 && !onLauncher; i++) {
      await page.keyboard.press('Tab');
      onLauncher = (await focused(page)) === 'button.launcher';
    }
    assert.ok(onLauncher, 'Tab never reached the launcher');
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: /Testportal/ }).waitFor({ state: 'visible' });
    assert.equal(await launcher.getAttribute('aria-expanded'), 'true');
    assert.equal(await focused(page), 'input.input#input');
    assert.match(await page.getByRole('dialog').innerText(), /Bitte keine persönlichen Daten eingeben/);
    assert.equal(await page.getByRole('dialog').getByRole('link', { name: /Datenschutz/ }).count(), 1);
    assert.equal(await page.getByRole('dialog').getByRole('link', { name: /Barrierefreiheit/ }).count(), 1);
  });

  await step('the transcript is a polite role="log" live region with the greeting; opening sent and stored nothing', async () => {
    assert.equal(await log.getAttribute('aria-live'), 'polite');
    assert.match(await (await botMessage(log, 1)).innerText(), /Sophia/);
    assert.deepEqual(apiRequests(requests), []);
    assert.deepEqual(await storageState(page, context), { local: [], session: [], cookies: [] });
  });

  let lastReply = null;
  page.on('response', async (response) => {
    if (response.url().endsWith('/api/v1/chat')) lastReply = await response.json().catch(() => null);
  });

  await step('a question typed with the keyboard is answered in the live region, with "Stand" and attribution', async () => {
    await page.keyboard.type('Was kostet ein Reisepass?');
    await page.keyboard.press('Enter');
    const answer = await botMessage(log, 2);
    const text = await answer.innerText();
    assert.match(text, /Gebühren für „Reisepass“/);
    assert.match(text, /Euro/);
    assert.match(text, /Stand: \d\d\.\d\d\.\d{4}/);
    assert.match(text, /Landeshauptstadt München, CC BY 4\.0/);
    assert.ok(await answer.locator('a[href^="https://stadt.muenchen.de/"]').count() >= 1, 'no source link');
    assert.match(await log.locator('.msg.user').first().innerText(), /Was kostet ein Reisepass\?/);
    const sent = JSON.parse(apiRequests(requests)[0].body);
    assert.deepEqual(Object.keys(sent).sort(), ['message', 'tenant']);
    assert.equal(sent.tenant, 'muenchen');
    assert.equal(await focused(page), 'input.input#input');
  });

  await step('a clarify answer offers its choices as buttons; picking one answers that service', async () => {
    await input.fill('Beglaubigung');
    await input.press('Enter');
    const clarify = await botMessage(log, 3);
    assert.match(await clarify.innerText(), /Meinten Sie/);
    const choices = clarify.getByRole('group', { name: 'Antwortvorschläge' }).getByRole('button');
    assert.ok((await choices.count()) >= 2, 'fewer than two choices');
    const choice = choices.filter({ hasText: 'Beglaubigung von bis zu 5 Dokumenten' });
    await choice.focus();
    await page.keyboard.press('Enter');
    const answer = await botMessage(log, 4);
    assert.match(await answer.innerText(), /Beglaubigung von bis zu 5 Dokumenten/);
    assert.equal(await clarify.getByRole('button').filter({ hasText: 'Beglaubigung von' }).count(), 0, 'old choices stay');
    assert.equal(await focused(page), 'input.input#input');
    const sent = apiRequests(requests).map((r) => JSON.parse(r.body));
    assert.equal(sent[2].message, 'Beglaubigung von bis zu 5 Dokumenten');
    assert.ok(sent[2].context, 'the choice was sent without the context');
  });

  await step('a follow-up in context answers for the same service, with the offices as cards', async () => {
    const contextBefore = lastReply && lastReply.context;
    await input.fill('und wo mache ich das?');
    await input.press('Enter');
    const answer = await botMessage(log, 5);
    const text = await answer.innerText();
    assert.match(text, /Beglaubigung von bis zu 5 Dokumenten/);
    assert.match(text, /Bürgerbüro/);
    const sent = JSON.parse(apiRequests(requests).at(-1).body);
    assert.equal(sent.context, contextBefore, 'the context of the previous answer was not sent back');
    const cards = answer.locator('.card');
    assert.ok((await cards.count()) >= 1, 'no office card');
    assert.ok(await cards.first().locator('a[href^="tel:"]').count() === 1, 'no phone link in the office card');
  });

  await step('thumbs up posts feedback (204) and marks the button', async () => {
    const answer = log.locator('.msg.bot').nth(4);
    const yes = answer.getByRole('group', { name: 'War das hilfreich?' }).getByRole('button', { name: 'Ja' });
    const response = page.waitForResponse((r) => r.url().endsWith('/sophia/api/v1/feedback'));
    await yes.focus();
    await page.keyboard.press('Enter');
    assert.equal((await response).status(), 204);
    await answer.getByText('Danke für Ihre Rückmeldung.').waitFor();
    assert.equal(await yes.getAttribute('aria-pressed'), 'true');
    const body = JSON.parse(apiRequests(requests).at(-1).body);
    assert.equal(body.helpful, true);
    assert.ok(body.context);
  });

  await step('after the conversation: sessionStorage only (no localStorage, no cookies)', async () => {
    assert.deepEqual(await storageState(page, context), { local: [], session: ['sophia:v1:muenchen'], cookies: [] });
  });

  await step('axe-core: no WCAG 2.1 A/AA violation with the chat open (1280 px)', async () => {
    await axeCheck(page, 'open, 1280 px');
    await page.screenshot({ path: path.join(SHOTS, 'open-1280.png') });
  });

  await step('Esc closes the panel and focus returns to the launcher', async () => {
    await input.focus();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'hidden' });
    assert.equal(await launcher.getAttribute('aria-expanded'), 'false');
    assert.equal(await focused(page), 'button.launcher');
  });

  await step('a page change in the same tab restores the conversation, closed, without a request', async () => {
    const before = requests.length;
    await page.reload({ waitUntil: 'load' });
    await page.waitForFunction(() => window.Sophia && window.Sophia.element);
    await page.waitForLoadState('networkidle');
    assert.deepEqual(apiRequests(requests.slice(before)), []);
    assert.equal(await launcher.getAttribute('aria-expanded'), 'false');
    // The panel is closed (hidden from the accessibility tree), so CSS finds the messages.
    const restored = page.locator('sophia-chat .log .msg.bot');
    assert.equal(await restored.count(), 4, 'the restored transcript has not the 4 answers');
    assert.match(await restored.last().textContent(), /Beglaubigung von bis zu 5 Dokumenten/);
  });

  await step('below 480 px the open panel fills the screen; axe-core open at 360 px', async () => {
    await page.setViewportSize({ width: 360, height: 740 });
    await page.screenshot({ path: path.join(SHOTS, 'closed-360.png') });
    await launcher.focus();
    await page.keyboard.press('Enter');
    await settled(page);
    const box = await page.getByRole('dialog').boundingBox();
    assert.deepEqual(Object.values(box).map(Math.round), [0, 0, 360, 740], `panel at ${JSON.stringify(box)}`);
    await axeCheck(page, 'open, 360 px');
    await page.screenshot({ path: path.join(SHOTS, 'open-360.png') });
  });

  await step('320 px wide (and 640 px = 200 % zoom): nothing scrolls sideways, the input stays in view', async () => {
    for (const width of [320, 640]) {
      await page.setViewportSize({ width, height: 480 });
      const overflow = await page.evaluate(() => {
        const root = document.querySelector('sophia-chat').shadowRoot;
        const wide = [...root.querySelectorAll('.panel, .log, .bubble, .composer')].filter((el) => el.scrollWidth > el.clientWidth + 1);
        return { page: document.documentElement.scrollWidth > innerWidth, elements: wide.map((el) => el.className) };
      });
      assert.deepEqual(overflow, { page: false, elements: [] }, `horizontal overflow at ${width} px`);
      const inputBox = await input.boundingBox();
      assert.ok(inputBox.x >= 0 && inputBox.x + inputBox.width <= width && inputBox.y + inputBox.height <= 480, `input out of view at ${width} px`);
    }
    await page.screenshot({ path: path.join(SHOTS, 'open-320.png') });
  });

  await step('prefers-reduced-motion switches the animations off', async () => {
    const animation = () => page.evaluate(() =>
      getComputedStyle(document.querySelector('sophia-chat').shadowRoot.querySelector('.panel')).animationName);
    assert.notEqual(await animation(), 'none');
    await page.emulateMedia({ reducedMotion: 'reduce' });
    assert.equal(await animation(), 'none');
  });

  await step('no CSP violation and no script error on the strict-CSP page', async () => {
    assert.deepEqual(await cspViolations(page, violations), []);
    assert.deepEqual(errors, []);
  });
  await context.close();

  // A second page: theme colours from data-color-* and the JavaScript API.
  const themed = await openPage(origin + '/themed', { width: 1280, height: 800 });
  const tpage = themed.page;

  await step('data-color-primary/-accent theme the widget; a light primary gets dark text', async () => {
    const colours = await tpage.evaluate(() => {
      const root = document.querySelector('sophia-chat').shadowRoot;
      const style = getComputedStyle(root.querySelector('.launcher'));
      return { background: style.backgroundColor, color: style.color };
    });
    assert.deepEqual(colours, { background: 'rgb(255, 213, 0)', color: 'rgb(27, 27, 27)' });
    await axeCheck(tpage, 'themed, closed');
  });

  await step('JS API: open(), setContext({location}), send(text), close() with their DOM events', async () => {
    const result = await tpage.evaluate(async () => {
      const events = [];
      for (const name of ['sophia:open', 'sophia:close', 'sophia:message', 'sophia:reply']) {
        document.addEventListener(name, (e) => events.push(name + (e.detail.text ? ':' + e.detail.text : '')));
      }
      window.Sophia.open();
      window.Sophia.setContext({ location: '80331' });
      const reply = await window.Sophia.send('Was kostet ein Personalausweis?');
      window.Sophia.close();
      return { events, kind: reply && reply.kind, text: reply && reply.text };
    });
    assert.deepEqual(result.events, ['sophia:open', 'sophia:message:Was kostet ein Personalausweis?', 'sophia:reply', 'sophia:close']);
    assert.match(result.text, /Personalausweis/);
    const sent = JSON.parse(apiRequests(themed.requests).at(-1).body);
    assert.equal(sent.location, '80331');
  });

  await step('themed page open: axe-core clean, chips in the accent colour, no CSP violation', async () => {
    await tpage.evaluate(() => window.Sophia.open());
    await axeCheck(tpage, 'themed, open');
    const chip = await tpage.evaluate(() => {
      const chip = document.querySelector('sophia-chat').shadowRoot.querySelector('.chip');
      return chip && getComputedStyle(chip).color;
    });
    assert.equal(chip, 'rgb(106, 27, 154)');
    await tpage.screenshot({ path: path.join(SHOTS, 'themed-open-1280.png') });
    assert.deepEqual(await cspViolations(tpage, themed.violations), []);
    assert.deepEqual(themed.errors, []);
  });

  await step('Sophia.reset() forgets the conversation and deletes it from sessionStorage', async () => {
    assert.deepEqual(await tpage.evaluate(() => Object.keys(sessionStorage)), ['sophia:v1:muenchen']);
    await tpage.evaluate(() => window.Sophia.reset());
    assert.deepEqual(await tpage.evaluate(() => Object.keys(sessionStorage)), []);
    assert.equal(await tpage.locator('sophia-chat .log .msg.user').count(), 0);
  });
  await themed.context.close();
}

let exitCode = 0;
try {
  await run();
  console.log(`browser tests: all ${stepCount} steps passed; screenshots in ${SHOTS}`);
} catch (error) {
  if (!error.reported) console.error(error);
  exitCode = 1;
} finally {
  clearTimeout(watchdog);
  if (browser) await browser.close().catch(() => {});
  host.close();
}
process.exit(exitCode);

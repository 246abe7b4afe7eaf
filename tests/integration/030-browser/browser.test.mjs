// SPDX-License-Identifier: MIT
// The customer portal in Debian's headless chromium, driven by playwright-core (no test
// framework: node and assert). Prints "PASS name" / "FAIL name: detail" lines that run.sh
// turns into TAP, and "# ..." notes.
//
// Usage: node browser.test.mjs SETTINGS.json   (written by run.sh: the portal's base URL,
// the repository root, the chromium binary, screenshot directories, alice's login and
// password, quota and used bytes, her download and upload per day of the month from
// flowgen's totals, bob's used bytes, the leased device's address and MAC)
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

if (process.argv.length !== 3) {
    console.error('usage: node browser.test.mjs SETTINGS.json (see tests/integration/030-browser/run.sh)');
    process.exit(2);
}
const S = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const { chromium } = createRequire(join(S.root, 'tests/browser/package.json'))('playwright-core');
const WAIT = 15000; // every wait of playwright, at most
let failures = 0;

// check(name, fn): runs one named check; an exception (assert's or playwright's) fails it.
async function check(name, fn) {
    try {
        await fn();
        console.log('PASS ' + name);
    } catch (e) {
        failures++;
        console.log('FAIL ' + name + ': ' + String(e.message || e).split('\n').slice(0, 6).join(' | '));
    }
}

// units_format_bytes() of src/base/units.c: decimal units, one decimal, truncated.
function fmt(bytes) {
    let b = BigInt(bytes);
    if (b < 1000n) return `${b} B`;
    const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];
    let div = 1n, u = 0;
    while (b / div >= 1000n && u + 1 < units.length) {
        div *= 1000n;
        u++;
    }
    return `${b / div}.${((b % div) * 10n) / div} ${units[u]}`;
}
assert.equal(fmt(999), '999 B');
assert.equal(fmt(1000), '1.0 kB');
assert.equal(fmt(1999999), '1.9 MB');
assert.equal(fmt(5000000000), '5.0 GB');

const used = BigInt(S.used), quota = BigInt(S.quota);
const pct100 = (used * 10000n) / quota; // quota_percent_x100(), truncated
const percentText = `${pct100 / 100n}.${String(pct100 % 100n).padStart(2, '0')}%`;
const gaugePct = `${(used * 100n) / quota}%`;

// Every page of a context reports console messages, page errors, CSP violations (an init
// script listens for securitypolicyviolation; playwright injects it past the page's CSP)
// and failed subresources here.
const problems = [];
const faviconMisses = []; // a page that names no icon makes chromium ask /favicon.ico (a 404)
async function newContext(label, options) {
    const context = await chromium_browser.newContext({ baseURL: S.base, ...options });
    context.setDefaultTimeout(WAIT);
    context.setDefaultNavigationTimeout(WAIT);
    if (options.javaScriptEnabled !== false) {
        await context.addInitScript(() => {
            window.__csp = [];
            document.addEventListener('securitypolicyviolation', (e) =>
                window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
        });
    }
    context.on('page', (page) => watch(label, page));
    return context;
}
function watch(label, page) {
    page.on('console', (m) => {
        if (m.type() === 'error' && new URL(m.location().url || page.url()).pathname === '/favicon.ico')
            faviconMisses.push(`${label}: ${m.text()}`);
        else if (m.type() === 'error' || m.type() === 'warning')
            problems.push(`${label}: console ${m.type()}: ${m.text()} (${m.location().url || page.url()})`);
    });
    page.on('pageerror', (e) => problems.push(`${label}: page error: ${e.message}`));
    page.on('requestfailed', (r) =>
        problems.push(`${label}: request failed: ${r.url()} ${r.failure()?.errorText}`));
    page.on('response', (r) => {
        if (r.status() >= 400) problems.push(`${label}: ${r.status()} for ${r.url()}`);
    });
}
async function cspViolations(page) {
    return page.evaluate(() => window.__csp || []);
}

const shotNames = [];
async function shot(page, name, fullPage) {
    for (const dir of S.shots) await page.screenshot({ path: join(dir, name), fullPage, timeout: WAIT });
    shotNames.push(name);
}

async function login(page, who = S, landing = '/') {
    await page.goto('/');
    assert.equal(new URL(page.url()).pathname, '/login', 'not sent to /login: ' + page.url());
    // by their labels: each input must be associated with its <label>
    await page.getByLabel('Email address or user name').fill(who.login);
    await page.getByLabel('Password', { exact: true }).fill(who.password);
    await Promise.all([page.waitForURL(S.base + landing), page.getByRole('button', { name: 'Log in' }).click()]);
}

// The figures, the gauge and the daily chart (bars and table) against flowgen's totals.
async function checkNumbers(page, label) {
    await check(`${label}: "Used" is flowgen's total to the byte`, async () => {
        const usedEl = page.locator('#used');
        assert.equal(await usedEl.getAttribute('data-bytes'), String(used));
        assert.equal(await usedEl.textContent(), fmt(used));
        assert.equal(await page.locator('#quota').getAttribute('data-bytes'), String(quota));
        assert.equal(await page.locator('#remaining').getAttribute('data-bytes'), String(quota - used));
        assert.equal(await page.locator('#percent').textContent(), percentText);
        // the figure's visible label: "Used" in the same list item
        assert.equal((await page.locator('li', { has: usedEl }).innerText()).split('\n')[0].trim(), 'Used');
    });
    await check(`${label}: the gauge, an image named by its title, reads ${fmt(used)} of ${fmt(quota)}`, async () => {
        const gauge = page.getByRole('img', { name: /^Used of this cycle's quota/ });
        assert.equal(await gauge.count(), 1);
        assert.ok(await gauge.isVisible(), 'the gauge is not visible');
        assert.equal(await gauge.locator('.gauge-text').textContent(), `${fmt(used)} of ${fmt(quota)}`);
        assert.equal(await gauge.locator('.gauge-pct').textContent(), gaugePct);
        assert.equal(await gauge.locator('desc').textContent(), `Used ${fmt(used)} of ${fmt(quota)} (${gaugePct}).`);
    });
    const chart = page.getByRole('img', { name: /^Usage per day/ });
    await check(`${label}: the daily chart is an image with an accessible name`, async () => {
        assert.equal(await chart.count(), 1);
        assert.equal(await chart.getAttribute('role'), 'img');
        assert.equal(await chart.locator('title').first().textContent(), 'Usage per day');
        const snapshot = await chart.ariaSnapshot();
        assert.match(snapshot, /^- img "Usage per day/, snapshot);
    });
    await check(`${label}: today's bars (day ${S.today}) have titles with flowgen's amounts`, async () => {
        const d = S.days[S.today];
        const titles = await chart.locator('rect > title').allTextContents();
        assert.ok(titles.includes(`${S.today}: Download ${fmt(d.in)}`), JSON.stringify(titles));
        assert.ok(titles.includes(`${S.today}: Upload ${fmt(d.out)}`), JSON.stringify(titles));
    });
    await check(`${label}: every bar of the cycle, and no other`, async () => {
        const want = Object.entries(S.days)
            .flatMap(([day, d]) => [`${day}: Download ${fmt(d.in)}`, `${day}: Upload ${fmt(d.out)}`])
            .sort();
        const titles = (await chart.locator('rect > title').allTextContents()).sort();
        assert.deepEqual(titles, want);
    });
    await check(`${label}: the chart's table, opened, lists today's row with the same numbers`, async () => {
        const details = page.locator('details', { has: page.getByText('Usage per day as a table') });
        const table = details.locator('table');
        assert.ok(!(await table.isVisible()), 'the table is open before its summary is clicked');
        await details.locator('summary').click();
        assert.ok(await table.isVisible(), 'the table did not open');
        const d = S.days[S.today];
        const row = table.locator('tbody tr', { has: page.getByRole('rowheader', { name: S.today_date, exact: true }) });
        assert.equal(await row.count(), 1);
        const cells = row.locator('td');
        assert.deepEqual(await cells.allTextContents(), [fmt(d.in), fmt(d.out)]);
        assert.equal(await cells.nth(0).getAttribute('data-bytes'), String(d.in));
        assert.equal(await cells.nth(1).getAttribute('data-bytes'), String(d.out));
    });
    await check(`${label}: her name and nothing of bob's`, async () => {
        const html = await page.content();
        assert.ok(html.includes(S.name));
        assert.ok(!html.includes(String(S.bob_used)) && !html.includes('Robert'));
    });
}

const t0 = Date.now();
const chromium_browser = await chromium.launch({
    executablePath: S.chromium,
    args: process.getuid && process.getuid() === 0 ? ['--no-sandbox'] : [],
    timeout: WAIT,
});
console.log(`# ${chromium_browser.version()} started in ${Date.now() - t0} ms`);
try {
    // ---- desktop, JavaScript on ----
    const desktop = await newContext('desktop', { viewport: { width: 1280, height: 800 } });
    const page = await desktop.newPage();
    await check('/ sends an anonymous visitor to /login, under the portal\'s CSP', async () => {
        const response = await page.goto('/');
        assert.equal(new URL(page.url()).pathname, '/login');
        assert.match(response.headers()['content-security-policy'] || '', /default-src 'none'/);
        assert.equal(await page.locator('h1').textContent(), 'Log in');
        assert.equal(await page.locator('html').getAttribute('lang'), 'en');
        await shot(page, 'login.png', false);
    });
    await check('alice logs in with her md5crypt mailbox password (fields found by their labels)', async () => {
        await login(page);
        assert.equal(await page.locator('h1').textContent(), 'This cycle');
    });
    await checkNumbers(page, 'desktop');
    await check('alert levels "50, 90" are saved and shown back as "50,90"', async () => {
        const levels = page.getByLabel(/Email me when I have used/);
        await levels.fill('50, 90');
        await Promise.all([page.waitForURL(S.base + '/'), page.getByRole('button', { name: 'Save alert levels' }).click()]);
        assert.equal(await levels.inputValue(), '50,90');
    });
    await shot(page, 'usage.png', true);
    await check('no CSP violation on the usage page', async () => assert.deepEqual(await cspViolations(page), []));
    await check('Devices: the device in hand (X-Forwarded-For, a lease) is registered', async () => {
        await page.setExtraHTTPHeaders({ 'X-Forwarded-For': S.device_address });
        await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Devices' }).click();
        await page.waitForURL(S.base + '/devices');
        assert.equal(await page.locator('h1').textContent(), 'Devices');
        await page.getByText('MAC address ' + S.device_mac).waitFor();
        await page.getByRole('button', { name: 'Register this device to my account' }).click();
        const status = page.getByRole('status');
        await status.waitFor();
        assert.match(await status.textContent(), /now registered to you/);
        const row = page.getByRole('row', { name: new RegExp(S.device_mac) });
        assert.equal(await row.count(), 1);
        assert.match(await row.innerText(), /register/);
        await shot(page, 'devices.png', true);
    });
    await check('no CSP violation on the devices page', async () => assert.deepEqual(await cspViolations(page), []));
    await check(`Past cycles: alice opens invoice ${S.invoice.number} of ${S.invoice.cycle}, total ${S.invoice.total}`, async () => {
        await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Past cycles' }).click();
        await page.waitForURL(S.base + '/cycles');
        await page.getByRole('link', { name: S.invoice.number, exact: true }).click();
        await page.waitForURL(S.base + '/invoices/' + S.invoice.number);
        assert.equal(await page.locator('h1').textContent(), 'Invoice ' + S.invoice.number);
        assert.equal(await page.locator('#customer').textContent(), 'alice-4k2 – ' + S.name);
        assert.equal(await page.locator('#total').textContent(), S.invoice.total);
        const pdf = page.getByRole('link', { name: /as PDF$/ });
        assert.equal(await pdf.getAttribute('href'), '/invoices/' + S.invoice.number + '.pdf');
        await shot(page, 'invoice.png', true);
    });
    await check('no CSP violation on the invoice page', async () => assert.deepEqual(await cspViolations(page), []));
    await desktop.close();

    // ---- staff: the exporters' health, as `flowtally stats` shows it ----
    const staff = await newContext('staff', { viewport: { width: 1280, height: 800 } });
    const page4 = await staff.newPage();
    await check('staff: the exporters page shows the collector\'s exporter, ok, its counters folded', async () => {
        await login(page4, S.staff, '/staff'); /* staff land on the staff's start page */
        await page4.waitForLoadState('networkidle'); /* its icon too: leaving aborts it */
        await page4.goto('/staff/exporters');
        assert.equal(await page4.locator('h1').textContent(), 'Exporters');
        const row = page4.locator('#health tbody tr');
        assert.equal(await row.count(), 1);
        assert.equal(await row.locator('th').textContent(), '127.0.0.1');
        assert.equal(await row.locator('td[data-verdict]').textContent(), S.staff.verdict);
        assert.equal(await page4.locator('details').first().getAttribute('open'), null);
        const [scroll, inner] = await page4.evaluate(() =>
            [document.documentElement.scrollWidth, window.innerWidth]);
        assert.ok(scroll <= inner, `page is ${scroll} px wide in a ${inner} px viewport`);
        await shot(page4, 'exporters.png', true);
    });
    await check('no CSP violation on the exporters page', async () => assert.deepEqual(await cspViolations(page4), []));
    await staff.close();

    // ---- JavaScript off: the same login and the same numbers ----
    const nojs = await newContext('no-js', { javaScriptEnabled: false, viewport: { width: 1024, height: 768 } });
    const page2 = await nojs.newPage();
    await check('without JavaScript: alice logs in', async () => {
        await login(page2);
        assert.equal(await page2.locator('h1').textContent(), 'This cycle');
    });
    await checkNumbers(page2, 'without JavaScript');
    await check('without JavaScript: the saved alert levels are shown', async () =>
        assert.equal(await page2.getByLabel(/Email me when I have used/).inputValue(), '50,90'));
    await nojs.close();

    // ---- a phone ----
    const phone = await newContext('phone', {
        viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
    });
    const page3 = await phone.newPage();
    await check('phone: alice logs in', () => login(page3));
    await checkNumbers(page3, 'phone');
    await check('phone: nothing wider than the screen (no sideways scrolling)', async () => {
        const [scroll, inner] = await page3.evaluate(() =>
            [document.documentElement.scrollWidth, window.innerWidth]);
        assert.ok(scroll <= inner, `page is ${scroll} px wide in a ${inner} px viewport`);
    });
    await page3.locator('details').first().evaluate((d) => { d.open = false; });
    await page3.evaluate(() => window.scrollTo(0, 0));
    await shot(page3, 'usage-phone.png', false);
    await check('no CSP violation on the phone', async () => assert.deepEqual(await cspViolations(page3), []));
    await phone.close();
} finally {
    await chromium_browser.close();
}
await check('no console error or warning, page error, failed request or 4xx/5xx on any page', () =>
    assert.deepEqual(problems, []));
await check('the browser finds an icon for its tab (no request for /favicon.ico)', () =>
    assert.deepEqual(faviconMisses, []));
console.log(`# screenshots: ${shotNames.join(' ')} in ${S.shots.join(' and ')}`);
console.log(`# ${Date.now() - t0} ms in the browser`);
process.exit(failures ? 1 : 0);

// dashboard.mjs — drives Debian's chromium (headless, through playwright-core)
// over lt-query's dashboard page and checks what it shows against numbers the
// caller computed from the database (tests/browser/dashboard.sh):
//   node dashboard.mjs EXPECTED_JSON SCREENSHOT_DIR
// EXPECTED_JSON: {base, token, name, subject, events: [types in time order],
//                 headline: {"h-departed": "…", …}, year}
// Prints one "ok" line per check; exits 1 on the first failure.
import { readFileSync } from "node:fs";
import { chromium } from "playwright-core";

const [expectedFile, shots] = process.argv.slice(2);
const x = JSON.parse(readFileSync(expectedFile, "utf8"));
let n = 0;
const ok = what => console.log(`ok ${++n} - ${what}`);
const fail = what => { throw new Error(what); };

const browser = await chromium.launch({
  executablePath: process.env.LT_CHROMIUM || "/usr/bin/chromium",
  args: process.getuid && process.getuid() === 0 ? ["--no-sandbox"] : [],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const origin = new URL(x.base).origin, foreign = [], errors = [];
  page.on("request", r => { if (!r.url().startsWith(origin) && !r.url().startsWith("data:")) foreign.push(r.url()); });
  page.on("pageerror", e => errors.push(String(e)));
  page.on("console", m => { if (m.type() === "error") errors.push(m.text()); });

  await page.goto(x.base + "/");
  await page.waitForSelector("#status");
  const st = await page.textContent("#status");
  if (!/mã truy cập/.test(st)) fail(`without a token the page should ask for one (in Vietnamese): "${st}"`);
  await page.screenshot({ path: `${shots}/01-no-token.png`, fullPage: true });
  ok("the page loads from lt-query and, without a token, asks for one in Vietnamese");

  await page.fill("#token", x.token);
  await page.click("#save-token");
  await page.waitForSelector("#h-departed");
  for (const [id, want] of Object.entries(x.headline)) {
    const got = (await page.textContent(`#${id} b`)).replace(/[.,\s]/g, "");
    if (got !== String(want)) fail(`headline ${id}: shows ${got}, the database says ${want}`);
  }
  if ((await page.inputValue("#token")) !== "") fail("the token stays in the input field");
  const stored = await page.evaluate(() => [sessionStorage.getItem("lt.token"), localStorage.length]);
  if (stored[0] !== x.token || stored[1] !== 0) fail(`token storage: ${JSON.stringify(stored)}`);
  ok(`headline figures equal the database's (${Object.keys(x.headline).join(", ")}); token in sessionStorage only`);

  await page.waitForSelector("#chart-months svg rect.bar");
  const bars = await page.locator("#chart-months svg rect.bar").count();
  if (bars !== 12) fail(`departures by month: ${bars} bars, not 12`);
  const markets = await page.locator("#chart-markets svg g.bar-row").count();
  if (markets !== x.markets) fail(`markets chart: ${markets} bars, the database has ${x.markets}`);
  const nats = await page.locator("#fw-nat svg g.bar-row").count();
  if (nats !== x.nationalities) fail(`nationality chart: ${nats} bars, the database has ${x.nationalities}`);
  await page.waitForSelector("#alerts table, #alerts :text-is('Không có.')");
  const alerts = await page.locator("#alerts tr.alert").count();
  if (alerts !== Math.min(50, x.openAlerts)) fail(`alerts: ${alerts} rows, the database has ${x.openAlerts} open`);
  await page.screenshot({ path: `${shots}/02-dashboard-vi.png`, fullPage: true });
  ok(`charts drawn as inline SVG (12 months, ${markets} markets, ${nats} nationalities); ${alerts} open alerts listed`);

  await page.click("#lang-en");
  await page.waitForFunction(() => document.querySelector("h1").textContent === "Lienthong — Dashboard");
  await page.waitForFunction(() => {
    const e = document.querySelector("#h-departed span");
    return e && e.textContent.startsWith("Departed");
  }, null, { timeout: 10000 }).catch(() => fail("the headline labels did not turn English"));
  await page.screenshot({ path: `${shots}/03-dashboard-en.png`, fullPage: true });
  ok("the language switch turns the labels English");

  await page.fill("#search-name", x.name);
  await page.click("#search-btn");
  await page.waitForSelector("#results tr.result");
  const link = page.locator(`#results a.person[data-s="${x.subject}"]`);
  if ((await link.count()) !== 1) fail(`searching "${x.name}" does not list ${x.subject}`);
  ok(`person search for "${x.name}" lists ${x.subject}`);
  await link.click();
  await page.waitForSelector("#tl-events tr.event");
  const types = await page.locator("#tl-events tr.event td.type").allTextContents();
  if (JSON.stringify(types) !== JSON.stringify(x.events))
    fail(`timeline shows ${JSON.stringify(types)}, the event store has ${JSON.stringify(x.events)}`);
  const head = await page.textContent("#tl-subject");
  if (!head.includes(x.subject) || !head.includes(x.fullName)) fail(`timeline heading: "${head}"`);
  await page.screenshot({ path: `${shots}/04-timeline.png`, fullPage: true });
  ok(`clicking the result shows the timeline of ${x.subject}: its ${types.length} events in time order, as stored`);

  if (foreign.length) fail(`requests outside lt-query: ${foreign.join(", ")}`);
  if (errors.length) fail(`script errors: ${errors.join(" | ")}`);
  ok("no request left lt-query's origin; no script error");
} finally {
  await browser.close();
}

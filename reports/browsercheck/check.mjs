// check.mjs renders a report page in headless Chromium and fails when the
// page logs a console error, throws, or a request fails; it saves a
// full-page screenshot and counts the inline SVG plots.
//
//   node check.mjs REPORT.html SCREENSHOT.png [MIN_PLOTS]
import { chromium } from 'playwright-core';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const [html, shot, minPlots = '0'] = process.argv.slice(2);
if (!html || !shot) {
  console.error('usage: node check.mjs REPORT.html SCREENSHOT.png [MIN_PLOTS]');
  process.exit(2);
}
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
const problems = [];
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('request', (r) => { if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) problems.push(`network request: ${r.url()}`); });
  await page.goto(pathToFileURL(resolve(html)).href, { waitUntil: 'load' });
  const plots = await page.$$eval('figure svg', (svgs) => svgs.filter((s) => {
    const b = s.getBoundingClientRect();
    return b.width > 100 && b.height > 50 && s.querySelectorAll('path').length > 10;
  }).length);
  if (plots < Number(minPlots)) problems.push(`${plots} plots drawn, want at least ${minPlots}`);
  await page.screenshot({ path: shot, fullPage: true });
  console.log(`${html}: ${plots} plots drawn, screenshot ${shot}`);
} finally {
  await browser.close();
}
for (const p of problems) console.error(p);
process.exit(problems.length ? 1 : 0);

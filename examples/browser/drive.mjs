// drive.mjs runs the browser cases of browser_test.go in headless
// Chromium through playwright-core: it reads the cases as JSON on
// standard input, runs each in a fresh browser context, and writes one
// JSON object of results on standard output. Everything it waits for is
// bounded by the input's timeoutMs; it never prints a credential or a
// session id.
//
//   echo '{"chromium":"/usr/bin/chromium","timeoutMs":20000,"cases":[...]}' | node drive.mjs
//
// A case is {"name", "kind", "page", ...}: kind "push" joins and pushes
// from page (on its own origin) to "mock"; kind "refused" expects both to
// be refused by "mock" for a "session" opened beside the browser; kind
// "example" drives index.html, served as page, through its form.
import { chromium } from 'playwright-core';

const input = JSON.parse(await new Promise((resolve, reject) => {
  let text = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (d) => { text += d; });
  process.stdin.on('end', () => resolve(text));
  process.stdin.on('error', reject);
}));
const timeout = input.timeoutMs;

// redact hides the credentials of case c and every session id in text
// (the browser's messages quote the URLs they failed on).
function redact(text, c) {
  let out = String(text).replace(/(session=|accessToken=|secretKey=)[^&'"\s]+/g, '$1***');
  for (const s of [c.token, c.secret, c.session]) if (s) out = out.split(s).join('***');
  return out;
}

// inPage runs in the page, on the page's origin, the case args.kind:
// "push" joins with query credentials, pushes with fetch and the X-API-*
// headers, waits for the push frame, then pushes with a wrong secret,
// whose error the page must be able to read; "refused" joins and pushes
// (to args.session) a server whose allow-list refuses the page's origin:
// the join must not open, and the push must fail as a browser fails a
// refused preflight, without an answer the page can read. (A function
// page.evaluate runs must hold its helpers.)
async function inPage({ kind, mock, token, secret, session, timeoutMs }) {
  const within = (p, what) => Promise.race([p, new Promise((_, reject) => setTimeout(() => reject(new Error('timed out waiting for ' + what)), timeoutMs))]);
  const joinURL = (pattern) => {
    const u = new URL('/api/v1/websocket', mock);
    u.protocol = 'ws:';
    u.searchParams.set('pattern', pattern);
    u.searchParams.set('accessToken', token);
    u.searchParams.set('secretKey', secret);
    return u;
  };
  const push = (id, key, body) => {
    const u = new URL('/api/v1/websocket/session', mock);
    u.searchParams.set('session', id);
    return within(fetch(u, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-API-AccessToken': token, 'X-API-SecretKey': key },
      body,
    }), 'the answer to a push');
  };

  if (kind === 'refused') {
    const ws = new WebSocket(joinURL('{}'));
    const join = await within(new Promise((resolve) => {
      ws.onopen = () => { resolve('opened'); ws.close(); };
      ws.onclose = (c) => resolve('closed ' + c.code);
    }), 'the join to end');
    let pushed;
    try {
      pushed = 'answered ' + (await push(session, secret, '{"from":"a refused page"}')).status;
    } catch (e) {
      pushed = 'failed: ' + e.name;
    }
    return { join, push: pushed };
  }

  const ws = new WebSocket(joinURL('{"browserTest":["pushes only"]}'));
  const frames = [];
  const waiting = [];
  ws.onmessage = (m) => { frames.push(JSON.parse(m.data)); waiting.forEach((w) => w()); };
  const frame = (pred, what) => within(new Promise((resolve) => {
    const look = () => { const f = frames.find(pred); if (f) resolve(f); };
    waiting.push(look);
    look();
  }), what);
  try {
    const id = (await frame((f) => f.type === 'session', 'the session frame')).session;
    const body = JSON.stringify({ from: 'a browser page', n: 1 });
    const resp = await push(id, secret, body);
    const accepted = await resp.json();
    const pushed = await frame((f) => f.type === 'push', 'the push frame');
    const wrong = await push(id, secret + '-wrong', body);
    const refusal = await wrong.json();
    return {
      pushStatus: resp.status, pushSeq: accepted.seq, frameSeq: pushed.seq, frameData: pushed.data,
      errorStatus: wrong.status, errorCode: refusal.error && refusal.error.code,
    };
  } finally {
    ws.close();
  }
}

// driveExample uses index.html as a developer would: types the mock's
// URL and the credentials, joins, pushes, and waits for the push frame
// whose seq the 202 announced.
async function driveExample(page, c) {
  await page.fill('#base', c.mock);
  await page.fill('#token', c.token);
  await page.fill('#secret', c.secret);
  await page.fill('#pattern', '{"browserTest":["pushes only"]}');
  await page.click('#connect');
  await page.waitForSelector('#status[data-state="open"]', { timeout });
  await page.fill('#push-body', '{"from":"the example page"}');
  await page.click('#push');
  const result = await page.waitForSelector('#push-result[data-status]', { timeout });
  const status = Number(await result.getAttribute('data-status'));
  const seq = await result.getAttribute('data-seq');
  let frame = null;
  if (seq !== null) {
    const li = await page.waitForSelector(`#frames li[data-type="push"][data-seq="${seq}"]`, { timeout });
    frame = await li.textContent();
  }
  await page.click('#disconnect');
  return { status, seq: seq === null ? null : Number(seq), frame };
}

const browser = await chromium.launch({
  executablePath: input.chromium,
  args: ['--no-sandbox', '--disable-gpu'],
  timeout,
});
const out = { results: {} };
try {
  for (const c of input.cases) {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(timeout);
    const messages = [];
    const requests = [];
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') messages.push(redact(`${m.type()}: ${m.text()}`, c)); });
    page.on('pageerror', (e) => messages.push(redact(`page error: ${e.message}`, c)));
    page.on('request', (r) => requests.push(new URL(r.url()).origin));
    const res = { console: messages, origins: [] };
    try {
      await page.goto(c.page, { waitUntil: 'load', timeout });
      if (c.kind === 'example') res.value = await driveExample(page, c);
      else if (c.kind === 'push' || c.kind === 'refused') {
        res.value = await page.evaluate(inPage, { kind: c.kind, mock: c.mock, token: c.token, secret: c.secret, session: c.session, timeoutMs: timeout });
      } else throw new Error(`unknown kind ${c.kind}`);
    } catch (e) {
      res.error = String(e && e.message ? e.message : e);
      if (c.kind === 'example') res.error += `; the page's status: ${await page.textContent('#status').catch(() => '?')}`;
      res.error = redact(res.error, c);
    }
    res.origins = [...new Set(requests)].sort();
    out.results[c.name] = res;
    await context.close();
  }
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(out) + '\n');

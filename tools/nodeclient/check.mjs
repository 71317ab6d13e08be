// A non-Go client for the websocket trigger protocol: joins with query
// credentials (as a browser must), pushes a few values through the HTTP
// endpoint, and checks the frames that come back and their seq.
//
// Usage: node check.mjs http://127.0.0.1:8080
// Credentials come from WSTRIGGER_ACCESS_TOKEN and WSTRIGGER_SECRET_KEY
// (default: the mock's demo pair). Exits 0 when every check passes.
// Never prints a credential or a session id.
import WebSocket from 'ws';
import { isDeepStrictEqual } from 'node:util';

const target = process.argv[2];
if (!target) {
  console.error('usage: node check.mjs TARGET_URL');
  process.exit(2);
}
const accessToken = process.env.WSTRIGGER_ACCESS_TOKEN || 'demo-access-token';
const secretKey = process.env.WSTRIGGER_SECRET_KEY || 'demo-secret-key';
const base = new URL(target);
const wsBase = new URL(base);
wsBase.protocol = base.protocol === 'https:' ? 'wss:' : 'ws:';

// A pattern no replayed event matches, so the pushes alone count in seq.
const pattern = '{"kind":"wstrigger-node-check"}'; // canonical form, as echoed
const values = [
  { org: 'IBM', nested: { list: [1, 2, 3] } },
  ['a', 1, true, null],
  'Zoë Łukasz 東京 ✓',
  12345.678,
  false,
  null,
];

let checks = 0;
function check(cond, what) {
  if (!cond) throw new Error(`check failed: ${what}`);
  checks++;
}

function joinURL(token, secret) {
  const u = new URL('/api/v1/websocket', wsBase);
  u.searchParams.set('accessToken', token);
  u.searchParams.set('secretKey', secret);
  u.searchParams.set('pattern', pattern);
  return u.toString();
}

// Opens a websocket and resolves with it and a frame queue, or with the
// HTTP status of a rejected upgrade.
function join(url) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const frames = [];
    const waiters = [];
    ws.on('message', (data, isBinary) => {
      check(!isBinary, 'frames are text');
      const frame = JSON.parse(data.toString('utf8'));
      const w = waiters.shift();
      if (w) w(frame); else frames.push(frame);
    });
    ws.on('unexpected-response', (req, res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => {
        req.destroy(); // with this listener, ws leaves the request to us
        resolve({ status: res.statusCode, body });
      });
    });
    ws.on('open', () => resolve({
      ws,
      next: () => new Promise((res) => {
        const f = frames.shift();
        if (f) res(f); else waiters.push(res);
      }),
    }));
    ws.on('error', (err) => reject(new Error(`websocket error: ${err.code || err.message}`)));
  });
}

async function push(session, value) {
  const u = new URL('/api/v1/websocket/session', base);
  u.searchParams.set('session', session);
  const res = await fetch(u, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'X-API-AccessToken': accessToken,
      'X-API-SecretKey': secretKey,
    },
    body: JSON.stringify(value),
  });
  const body = await res.json();
  check(res.status === 202, `push answered 202 (got ${res.status})`);
  check(body.session === session, 'push answer names the session');
  return body.seq;
}

async function main() {
  const rejected = await join(joinURL(accessToken, secretKey + '-wrong'));
  check(rejected.status === 401, `wrong secret key is rejected with 401 (got ${rejected.status})`);
  check(JSON.parse(rejected.body).error.code === 'unauthorized', '401 carries code unauthorized');
  check(!rejected.body.includes(secretKey), '401 body does not echo the secret');

  const { ws, next } = await join(joinURL(accessToken, secretKey));
  const first = await next();
  check(first.type === 'session', 'the first frame is a session frame');
  check(/^[A-Za-z0-9_-]{22,64}$/.test(first.session), 'session id is 22-64 URL-safe characters');
  check(Number.isInteger(first.heartbeat) && first.heartbeat > 0, 'heartbeat is a positive integer');
  check(isDeepStrictEqual(first.pattern, JSON.parse(pattern)), 'session frame echoes the pattern');

  for (let i = 0; i < values.length; i++) {
    const seq = await push(first.session, values[i]);
    check(seq === i + 1, `push ${i + 1} got seq ${i + 1} (got ${seq})`);
  }
  for (let i = 0; i < values.length; i++) {
    const f = await next();
    check(f.type === 'push', `frame ${i + 1} is a push frame (got ${f.type})`);
    check(f.seq === i + 1, `frame ${i + 1} has seq ${i + 1} (got ${f.seq})`);
    check(isDeepStrictEqual(f.data, values[i]), `frame ${i + 1} carries the pushed value unchanged`);
  }
  const closed = new Promise((resolve) => ws.on('close', (code) => resolve(code)));
  ws.close(1000);
  const code = await closed;
  check(code === 1000, `normal close answered with 1000 (got ${code})`);
  console.log(`node client: ok, ${checks} checks passed`);
}

const timer = setTimeout(() => {
  console.error('node client: timed out after 15s');
  process.exit(1);
}, 15000);
main().then(() => {
  clearTimeout(timer);
  process.exit(0); // fetch may keep an idle connection open
}, (err) => {
  console.error(`node client: ${err.message}`);
  process.exit(1);
});

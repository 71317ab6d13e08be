#!/usr/bin/env node
// refserver: an independent reference implementation of the websocket
// trigger API of docs/protocol.md, in Node.js with ws. See README.md.

import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { WebSocketServer } from 'ws';

import { Accounts, DEFAULT_ACCOUNTS } from './auth.mjs';
import { depthOf, parse as parseExact, stringify as stringifyExact } from './json.mjs';
import { PatternError, matches, parsePattern } from './pattern.mjs';
import { readRecording, startReplay } from './replay.mjs';
import * as r from './reply.mjs';
import { Registry, Session, newSessionID } from './session.mjs';

const JOIN_PATH = '/api/v1/websocket';
const PUSH_PATH = '/api/v1/websocket/session';
const MAX_PUSH_BYTES = 64 * 1024;
const MAX_PUSH_NESTING = 128;
const MAX_CLIENT_FRAME = 4096;
const CLOSE_WAIT_MS = 5000;
const HERE = path.dirname(fileURLToPath(import.meta.url));

/** BREAKS are the deliberately broken variants --break accepts. */
export const BREAKS = {
  'cred-case-insensitive': 'credentials compared case-insensitively',
  'cred-trim': 'white space around credentials trimmed',
  'cred-prefix': 'credentials compared over the shorter length only (truncated or extended values pass)',
  'cred-nfkc': 'credentials NFKC-normalised (full-width look-alikes pass)',
  'cred-percent-decode': 'header credentials percent-decoded',
  'cred-any-tenant-secret': "a token accepted with any tenant's secret",
  'cred-repeat-first-wins': 'a repeated credential header or parameter: the first value wins',
  'pat-prefix-ci': 'prefix, suffix and wildcard compare case-insensitively',
  'pat-equality-ci': 'scalar string equality case-insensitive',
  'pat-numeric-strings': 'numeric matches numeric-looking strings',
  'pat-anything-but-absent': 'anything-but matches an absent field',
  'pat-null-absent': 'a null-valued field counts as absent for exists',
  'pat-array-same-element': 'conditions on fields of objects in an array must hold on one element',
  'pat-rule-no-unescape': 'rule form: %3B %7C %3D %25 not decoded, white space not trimmed',
  'push-nfc': 'pushed strings normalised to NFC',
  'seq-gap': 'seq skips the number 5',
  'missing-session-404': 'a push without a session parameter is 404 session_not_found',
  'echo-raw-pattern': 'the session frame echoes a rule-form pattern as a JSON string',
  'ignore-big-frames': 'client data frames over 4 KiB are ignored instead of closed with 1009',
  'push-throws': 'the push handler throws once the session is found (500 internal_error)',
  'cors-no-preflight': 'CORS preflights of the push answered 405 like any OPTIONS',
  'cors-bare-errors': 'push errors carry no CORS headers',
};

function usage(msg) {
  process.stderr.write(`refserver: ${msg}\nusage: node server.mjs [--addr HOST:PORT] [--recording FILE] [--speed X] [--loop] [--heartbeat S] [--queue N] [--max-sessions N] [--allowed-origins A,B] [--grace S] [--break NAME[,NAME]]...\nbreaks:\n${Object.entries(BREAKS).map(([k, v]) => `  ${k}: ${v}`).join('\n')}\n`);
  process.exit(2);
}

function options(argv) {
  let a;
  try {
    a = parseArgs({
      args: argv,
      options: {
        addr: { type: 'string', default: '127.0.0.1:0' },
        recording: { type: 'string', default: path.join(HERE, '..', '..', 'mockserver', 'recordings', 'default.jsonl') },
        speed: { type: 'string', default: '1' },
        loop: { type: 'boolean', default: false },
        heartbeat: { type: 'string', default: '30' },
        queue: { type: 'string', default: '1024' },
        'max-sessions': { type: 'string', default: '100000' },
        'allowed-origins': { type: 'string', default: '' },
        grace: { type: 'string', default: '5' },
        break: { type: 'string', multiple: true, default: [] },
        help: { type: 'boolean', default: false },
      },
    }).values;
  } catch (e) {
    usage(e.message);
  }
  if (a.help) usage('help');
  const num = (name, min, int) => {
    const v = Number(a[name]);
    if (a[name] === '' || !Number.isFinite(v) || v < min || (int && !Number.isInteger(v))) usage(`--${name} ${a[name]}: want a number of at least ${min}`);
    return v;
  };
  const m = /^(.*):([0-9]+)$/.exec(a.addr);
  if (!m) usage(`--addr ${a.addr}: want HOST:PORT`);
  const breaks = new Set(a.break.flatMap((b) => b.split(',')).map((b) => b.trim()).filter(Boolean));
  for (const b of breaks) if (!(b in BREAKS)) usage(`unknown --break ${b}`);
  return {
    host: m[1].replace(/^\[|\]$/g, ''),
    port: Number(m[2]),
    recording: a.recording,
    speed: num('speed', 0, false),
    loop: a.loop,
    heartbeatMs: num('heartbeat', 1, true) * 1000,
    queueMax: num('queue', 1, true),
    maxSessions: num('max-sessions', 1, true),
    allowedOrigins: a['allowed-origins'].split(',').map((s) => s.trim()).filter(Boolean),
    graceMs: num('grace', 0, false) * 1000,
    breaks,
  };
}

const log = (msg) => process.stderr.write(`refserver: ${msg}\n`);

// validUpgrade says whether req carries the headers of a WebSocket
// upgrade (RFC 6455 §4.2.1) that ws will accept.
function validUpgrade(req) {
  const h = req.headers;
  return (
    r.hasToken(h.upgrade, 'websocket') &&
    r.hasToken(h.connection, 'upgrade') &&
    /^[+/0-9A-Za-z]{22}==$/.test(h['sec-websocket-key'] || '') &&
    (h['sec-websocket-version'] === '13' || h['sec-websocket-version'] === '8')
  );
}

export function createRefServer(opts) {
  const { breaks } = opts;
  const accounts = new Accounts(DEFAULT_ACCOUNTS, breaks);
  const registry = new Registry();
  const lines = readRecording(opts.recording);
  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    perMessageDeflate: false,
    skipUTF8Validation: true, // client data frames are ignored, valid or not
    maxPayload: breaks.has('ignore-big-frames') ? 1 << 20 : MAX_CLIENT_FRAME,
  });
  let shuttingDown = false;

  function join(req, url, reply, upgrade) {
    if (req.method !== 'GET') throw new r.HTTPError(405, 'method_not_allowed', 'the join endpoint takes GET only', { Allow: 'GET' });
    if (!upgrade || !validUpgrade(req)) {
      throw new r.HTTPError(426, 'upgrade_required', 'the join endpoint takes a WebSocket upgrade (RFC 6455)', { Upgrade: 'websocket', 'Sec-WebSocket-Version': '13' });
    }
    if (shuttingDown) throw new r.HTTPError(503, 'unavailable', 'the server is shutting down', { 'Retry-After': '1' });
    const origin = req.headers.origin;
    if (origin !== undefined && !r.allowedOrigin(opts.allowedOrigins, origin)) {
      throw new r.HTTPError(403, 'forbidden_origin', 'this origin may not join');
    }
    const auth = accounts.authenticate(req, url.searchParams);
    if (auth.error) throw new r.HTTPError(401, 'unauthorized', auth.error);
    if (auth.account.forbidden) throw new r.HTTPError(403, 'forbidden', 'this account may not use websockets');
    const texts = url.searchParams.getAll('pattern');
    if (texts.length === 0) throw new r.HTTPError(400, 'missing_pattern', 'the pattern parameter is required');
    if (texts.some((t) => t !== texts[0])) throw new r.HTTPError(400, 'invalid_pattern', 'the pattern parameter is given more than once');
    let pattern;
    try {
      pattern = parsePattern(texts[0], breaks);
    } catch (e) {
      if (e instanceof PatternError) throw new r.HTTPError(400, 'invalid_pattern', e.message);
      throw e;
    }
    if (breaks.has('echo-raw-pattern') && !texts[0].trim().startsWith('{')) pattern.echo = JSON.stringify(texts[0]);
    const token = auth.account.token;
    if (!registry.reserve(token, opts.maxSessions)) {
      throw new r.HTTPError(429, 'too_many_connections', 'this access token holds its maximum of open sessions', { 'Retry-After': '1' });
    }
    let upgraded = false;
    wss.handleUpgrade(req, upgrade.socket, upgrade.head, (ws) => {
      upgraded = true;
      const s = new Session(ws, {
        id: newSessionID(),
        account: auth.account,
        pattern,
        queueMax: opts.queueMax,
        heartbeatMs: opts.heartbeatMs,
        closeWaitMs: shuttingDown ? opts.graceMs : CLOSE_WAIT_MS,
        breaks,
        log,
        onGone: (gone) => {
          registry.remove(gone);
          registry.release(token);
        },
      });
      registry.add(s);
    });
    if (!upgraded) registry.release(token); // ws refused or the socket was gone
  }

  async function push(req, url, reply, bodyless) {
    const origin = req.headers.origin;
    const cors = r.corsHeaders(opts.allowedOrigins, origin);
    const errorCors = breaks.has('cors-bare-errors') ? {} : cors;
    const fail = (status, code, message, headers = {}) => new r.HTTPError(status, code, message, { ...errorCors, ...headers });
    const preflight = origin !== undefined && req.headers['access-control-request-method'] !== undefined;
    if (req.method === 'OPTIONS' && preflight && !breaks.has('cors-no-preflight')) {
      if (!r.allowedOrigin(opts.allowedOrigins, origin)) throw new r.HTTPError(403, 'forbidden_origin', 'this origin may not push');
      reply(204, r.preflightHeaders(origin), null);
      return;
    }
    if (req.method !== 'POST') throw fail(405, 'method_not_allowed', 'the push endpoint takes POST only', { Allow: 'POST' });
    const auth = accounts.authenticate(req, null);
    if (auth.error) throw fail(401, 'unauthorized', auth.error + ' (the push endpoint takes credentials as headers only)');
    const id = url.searchParams.getAll('session').find((v) => v !== '');
    if (id === undefined) {
      if (breaks.has('missing-session-404')) throw fail(404, 'session_not_found', 'no such session');
      throw fail(400, 'missing_session', 'the session parameter is required');
    }
    if (!r.mediaTypeIsJSON(req.headers['content-type'])) throw fail(415, 'unsupported_media_type', 'the body must be application/json');
    const declared = Number(req.headers['content-length']);
    const tooLarge = fail(413, 'payload_too_large', `the body is over the limit of ${MAX_PUSH_BYTES} bytes`);
    if (declared > MAX_PUSH_BYTES) throw tooLarge;
    let body;
    try {
      body = bodyless ? Buffer.alloc(0) : await r.readBody(req, MAX_PUSH_BYTES);
    } catch (e) {
      if (e instanceof r.HTTPError) throw tooLarge;
      throw e;
    }
    const data = encodePushed(body, breaks, fail);
    const s = registry.lookup(id, auth.account);
    if (!s) throw fail(404, 'session_not_found', 'no open session of this access token has this id');
    if (breaks.has('push-throws')) throw new TypeError('push-throws: a deliberate bug');
    const seq = s.offerPush(data);
    if (seq === 0) throw fail(429, 'session_queue_full', "the session's outbound queue is full", { 'Retry-After': '1' });
    reply(202, { 'Content-Type': 'application/json', ...cors }, JSON.stringify({ session: id, seq }));
  }

  function route(req, reply, upgrade) {
    const fail = (err) => {
      if (err instanceof r.HTTPError) {
        r.sendError(reply, err);
        return;
      }
      const path = req.url.split('?')[0];
      log(`internal error on ${req.method} ${path}: ${err && err.stack ? err.stack : err}`);
      const cors = path.endsWith(PUSH_PATH) ? r.corsHeaders(opts.allowedOrigins, req.headers.origin) : {};
      r.sendError(reply, new r.HTTPError(500, 'internal_error', 'an unexpected error; see the server log', cors));
    };
    try {
      const url = new URL(req.url, 'http://refserver.invalid');
      if (url.pathname === JOIN_PATH) join(req, url, reply, upgrade);
      else if (url.pathname === PUSH_PATH) push(req, url, reply, upgrade !== null).catch(fail);
      else throw new r.HTTPError(404, 'not_found', 'no such endpoint');
    } catch (err) {
      fail(err);
    }
  }

  const server = http.createServer((req, res) => route(req, r.replyTo(res), null));
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    route(req, r.replyRaw(socket), { socket, head });
  });
  server.on('clientError', (err, socket) => {
    if (socket.writable) r.replyRaw(socket)(400, { 'Content-Type': 'application/json' }, r.errorBody('bad_request', 'the request could not be parsed'));
    else socket.destroy();
  });

  const stopReplay = startReplay(lines, opts, (line) => {
    for (const s of registry.byID.values()) {
      if (!s.closing && matches(s.pattern, line.event, breaks)) s.offerTrigger(line.text);
    }
  });

  function closeAll() {
    const all = registry.all();
    for (const s of all) s.close(1001, 'server restarting');
    return all.length;
  }

  async function shutdown() {
    if (shuttingDown) return;
    shuttingDown = true;
    stopReplay();
    log(`shutting down: closing ${registry.size} sessions with 1001`);
    for (const s of registry.all()) {
      s.closeWaitMs = opts.graceMs;
      s.close(1001, 'server shutting down');
    }
    const deadline = Date.now() + opts.graceMs + 500;
    while (registry.size > 0 && Date.now() < deadline) await new Promise((ok) => setTimeout(ok, 20));
    for (const s of registry.all()) s.ws.terminate();
    server.close();
    server.closeAllConnections();
  }

  return { server, shutdown, closeAll, lines };
}

// encodePushed re-encodes a pushed body the JavaScript way: JSON.parse,
// then JSON.stringify (numbers become doubles). Only a number too large
// for a double (JSON.parse gives Infinity, which JSON.stringify would
// write as null) makes it keep the body's own number texts instead.
function encodePushed(body, breaks, fail) {
  let text;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(body);
  } catch {
    throw fail(400, 'invalid_body', 'the body is not valid UTF-8');
  }
  if (/^[ \t\r\n]*$/.test(text)) throw fail(400, 'invalid_body', 'the body is empty');
  if (depthOf(text) > MAX_PUSH_NESTING) throw fail(400, 'invalid_body', `the body nests deeper than ${MAX_PUSH_NESTING} arrays or objects`);
  let value;
  let overflow = false;
  try {
    value = JSON.parse(text, (k, v) => {
      if (typeof v === 'number' && !Number.isFinite(v)) overflow = true;
      return v;
    });
  } catch {
    throw fail(400, 'invalid_body', 'the body is not one JSON value');
  }
  if (breaks.has('push-nfc')) value = normaliseStrings(value);
  if (overflow) return stringifyExact(parseExact(text));
  return JSON.stringify(value);
}

function normaliseStrings(v) {
  if (typeof v === 'string') return v.normalize('NFC');
  if (Array.isArray(v)) return v.map(normaliseStrings);
  if (v !== null && typeof v === 'object') {
    const out = {};
    for (const [k, x] of Object.entries(v)) Object.defineProperty(out, k.normalize('NFC'), { value: normaliseStrings(x), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return v;
}

async function main() {
  const opts = options(process.argv.slice(2));
  let ref;
  try {
    ref = createRefServer(opts);
  } catch (e) {
    log(e.message);
    process.exit(2);
  }
  const { server, shutdown, lines } = ref;
  server.on('error', (e) => {
    log(`listen: ${e.message}`);
    process.exit(2);
  });
  server.listen(opts.port, opts.host, () => {
    const a = server.address();
    const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
    process.stdout.write(`listening http://${host}:${a.port}\n`);
    const b = opts.breaks.size ? `; BROKEN on purpose: ${[...opts.breaks].join(', ')}` : '';
    log(`${lines.length} recorded events, speed ${opts.speed}${opts.loop ? ', looping' : ''}, heartbeat ${opts.heartbeatMs / 1000} s, queue ${opts.queueMax}${b}`);
  });
  const stop = (sig) => {
    log(`${sig} received`);
    shutdown().then(() => process.exit(0));
  };
  // SIGHUP ends every session at once with 1001 and keeps serving: a
  // restart as clients see it, to rehearse a reconnect storm.
  process.on('SIGHUP', () => log(`SIGHUP: ${ref.closeAll()} sessions closed with 1001`));
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();

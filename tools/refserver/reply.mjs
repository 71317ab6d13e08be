// HTTP answers (docs/protocol.md §6): error bodies, answers on a plain request
// and on a raw socket (an upgrade request refused before the upgrade),
// CORS headers of the push endpoint (§4.1), and bounded body reading.

import { STATUS_CODES } from 'node:http';

/** HTTPError is a refusal with a status and an error code. */
export class HTTPError extends Error {
  constructor(status, code, message, headers = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

export const errorBody = (code, message) => JSON.stringify({ error: { code, message } });

/**
 * replyTo returns reply(status, headers, body) for a plain request; body
 * is a string or null.
 */
export function replyTo(res) {
  return (status, headers, body) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const h = { ...headers };
    if (body !== null) h['Content-Length'] = Buffer.byteLength(body);
    res.writeHead(status, h);
    res.end(body === null ? undefined : body);
  };
}

/** replyRaw answers an upgrade request on its socket and closes it. */
export function replyRaw(socket) {
  let done = false;
  return (status, headers, body) => {
    if (done || socket.destroyed) return;
    done = true;
    const h = { ...headers, Connection: 'close', Date: new Date().toUTCString() };
    h['Content-Length'] = body === null ? 0 : Buffer.byteLength(body);
    let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] || 'Unknown'}\r\n`;
    for (const [k, v] of Object.entries(h)) head += `${k}: ${v}\r\n`;
    socket.end(head + '\r\n' + (body === null ? '' : body));
  };
}

/** sendError answers with an error body. */
export function sendError(reply, err, extra = {}) {
  reply(err.status, { 'Content-Type': 'application/json', ...extra, ...err.headers }, errorBody(err.code, err.message));
}

/** allowedOrigin says whether origin passes the allow-list (empty: all). */
export const allowedOrigin = (allow, origin) => allow.length === 0 || allow.includes(origin);

/** corsHeaders are the headers every push answer carries for origin. */
export function corsHeaders(allow, origin) {
  if (origin === undefined || !allowedOrigin(allow, origin)) return {};
  return { 'Access-Control-Allow-Origin': origin, 'Access-Control-Expose-Headers': 'Retry-After', Vary: 'Origin' };
}

/** preflightHeaders are the headers of a 204 answer to a CORS preflight. */
export function preflightHeaders(origin) {
  return {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Allow-Methods': 'POST',
    'Access-Control-Allow-Headers': 'Content-Type, X-API-AccessToken, X-API-SecretKey',
    'Access-Control-Max-Age': '600',
    Vary: 'Origin',
  };
}

/**
 * readBody resolves to the request body as a Buffer, or rejects with a
 * 413 HTTPError once it grows past max bytes.
 */
export function readBody(req, max) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let n = 0;
    let over = false;
    const tooLarge = () => new HTTPError(413, 'payload_too_large', `the body is over the limit of ${max} bytes`);
    req.on('data', (c) => {
      if (over) return;
      n += c.length;
      if (n > max) {
        over = true;
        chunks.length = 0;
        reject(tooLarge());
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!over) resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
    req.on('aborted', () => reject(new Error('request aborted')));
  });
}

/** mediaTypeIsJSON says whether a Content-Type is application/json (UTF-8). */
export function mediaTypeIsJSON(value) {
  if (value === undefined) return false;
  const [type, ...params] = value.split(';').map((s) => s.trim());
  if (type.toLowerCase() !== 'application/json') return false;
  for (const p of params) {
    const [k, v = ''] = p.split('=').map((s) => s.trim());
    if (k.toLowerCase() === 'charset' && !/^"?utf-8"?$/i.test(v)) return false;
  }
  return true;
}

/** hasToken says whether a comma-separated header lists token (any case). */
export function hasToken(value, token) {
  if (value === undefined) return false;
  return value.split(',').some((t) => t.trim().toLowerCase() === token);
}

// Credentials (docs/protocol.md §2): where they are read from, how repeats and
// conflicts are refused, and the constant-time secret comparison. The
// cred-* breaks are deliberate near-misses for tests of the suite.

import { createHash, timingSafeEqual } from 'node:crypto';

export const HEADER_TOKEN = 'x-api-accesstoken';
export const HEADER_SECRET = 'x-api-secretkey';
export const QUERY_TOKEN = 'accessToken';
export const QUERY_SECRET = 'secretKey';

/** The default accounts: the same demo tenants as the Go mock's. */
export const DEFAULT_ACCOUNTS = [
  { token: 'demo-access-token', secret: 'demo-secret-key', forbidden: false },
  { token: 'other-access-token', secret: 'other-secret-key', forbidden: false },
  { token: 'forbidden-access-token', secret: 'forbidden-secret-key', forbidden: true },
];

const digest = (s) => createHash('sha256').update(s, 'utf8').digest();
const DUMMY = digest('refserver: no such account');

// one reduces the values of one credential in one place (a header or a
// query parameter) to one value: undefined when absent or empty, null
// when repeated with different values.
function one(values, breaks) {
  if (values === undefined || values.length === 0) return undefined;
  if (!breaks.has('cred-repeat-first-wins') && values.some((v) => v !== values[0])) return null;
  return values[0] === '' ? undefined : values[0];
}

// merge combines the header and query value of one credential.
function merge(h, q) {
  if (h === null || q === null) return null;
  if (h !== undefined && q !== undefined && h !== q) return null;
  return h !== undefined ? h : q;
}

function normalise(v, breaks, fromHeader) {
  if (breaks.has('cred-percent-decode') && fromHeader) {
    try {
      v = decodeURIComponent(v);
    } catch {
      // left as it was
    }
  }
  if (breaks.has('cred-trim')) v = v.trim();
  if (breaks.has('cred-nfkc')) v = v.normalize('NFKC');
  if (breaks.has('cred-case-insensitive')) v = v.toLowerCase();
  return v;
}

export class Accounts {
  constructor(list, breaks) {
    this.list = list.map((a) => ({ ...a, digest: digest(a.secret) }));
    this.breaks = breaks;
  }

  /**
   * authenticate reads the credentials of req (query: URLSearchParams,
   * or null where query credentials are not accepted) and returns
   * { account } or { error: 'message' }. Messages never hold a value.
   */
  authenticate(req, query) {
    const b = this.breaks;
    const norm = (v, fromHeader) => (typeof v === 'string' ? normalise(v, b, fromHeader) : v);
    // Node reads header values as Latin-1; the credential is their UTF-8
    // text (an invalid sequence becomes U+FFFD, which no credential has).
    const utf8 = (vs) => vs && vs.map((v) => Buffer.from(v, 'latin1').toString('utf8'));
    const hv = (name) => norm(one(utf8(req.headersDistinct[name]), b), true);
    const qv = (name) => norm(query ? one(query.getAll(name), b) : undefined, false);
    const got = [];
    for (const [h, q, what] of [
      [hv(HEADER_TOKEN), qv(QUERY_TOKEN), 'access token'],
      [hv(HEADER_SECRET), qv(QUERY_SECRET), 'secret key'],
    ]) {
      if (h === null || q === null) return { error: `the ${what} is given more than once with different values` };
      const v = merge(h, q);
      if (v === null) return { error: `the ${what} differs between the header and the query parameter` };
      if (v === undefined || v === '') return { error: `the ${what} is missing` };
      got.push(v);
    }
    const [token, secret] = got;
    const account = this.find(token);
    const ok = this.secretMatches(account, secret);
    if (!account || !ok) return { error: 'the access token or the secret key is wrong' };
    return { account };
  }

  find(token) {
    const b = this.breaks;
    const norm = (t) => (b.has('cred-case-insensitive') ? t.toLowerCase() : t);
    for (const a of this.list) {
      const want = norm(a.token);
      if (want === token) return a;
      if (b.has('cred-prefix')) {
        const n = Math.min(want.length, token.length);
        if (n > 0 && want.slice(0, n) === token.slice(0, n)) return a;
      }
    }
    return undefined;
  }

  secretMatches(account, secret) {
    const b = this.breaks;
    const candidates = b.has('cred-any-tenant-secret') ? this.list : account ? [account] : [];
    let ok = false;
    const given = digest(secret);
    for (const a of candidates.length ? candidates : [{ digest: DUMMY, secret: '' }]) {
      let want = a.digest;
      let mine = given;
      if (b.has('cred-case-insensitive')) want = digest(a.secret.toLowerCase());
      if (b.has('cred-prefix')) {
        const n = Math.min(a.secret.length, secret.length);
        want = digest(a.secret.slice(0, n));
        mine = digest(secret.slice(0, n));
        if (n === 0) continue;
      }
      if (timingSafeEqual(want, mine) && a.digest !== DUMMY) ok = true;
    }
    return ok;
  }
}

// The pattern language of docs/protocol.md §5: parsing both forms, the JSON
// form echoed in the session frame, and matching against events read by
// json.mjs (objects are Maps, numbers JNum).
//
// A compiled pattern is a list of conditions, each a field path and its
// alternatives; all conditions must hold (AND), one alternative of each
// (OR). Each condition is evaluated on its own over every value the path
// reaches, arrays flattened (docs/protocol.md §5: conditions on two fields of
// objects in an array may be met by different elements).
//
// Breaks (deliberate departures, for tests of the contract suite) are a
// Set of names; see README.md.

import { JNum, parse as parseJSON, stringify, compare, isNumberText } from './json.mjs';

export const MAX_BYTES = 4096;
export const MAX_DEPTH = 8;

/** PatternError is an invalid pattern; its message names the field. */
export class PatternError extends Error {}

const STRING_OPS = new Set(['prefix', 'suffix', 'equals-ignore-case', 'wildcard']);
const NUMERIC_OPS = new Set(['=', '!=', '<', '<=', '>', '>=']);

/**
 * parsePattern reads a pattern as sent (after URL decoding).
 * Returns { conds, echo } where echo is the JSON form as text.
 */
export function parsePattern(text, breaks = new Set()) {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_BYTES) throw new PatternError(`the pattern is ${bytes} bytes, over the limit of ${MAX_BYTES}`);
  const lead = text.replace(/^[ \t\r\n]+/, '');
  if (lead.startsWith('{') || lead.startsWith('[') || lead.startsWith('"')) return parseJSONForm(text);
  let tree;
  try {
    tree = parseJSON(text);
  } catch {
    return parseRuleForm(text, breaks);
  }
  if (!(tree instanceof Map)) throw new PatternError('the pattern is JSON but not an object');
  return parseJSONForm(text);
}

function parseJSONForm(text) {
  let tree;
  try {
    tree = parseJSON(text, { noDuplicates: true });
  } catch (e) {
    if (e.field !== undefined) throw new PatternError(`field "${e.field}" is given twice`);
    throw new PatternError(`the pattern is neither a rule nor valid JSON: ${e.message}`);
  }
  if (!(tree instanceof Map)) throw new PatternError('the top level of a JSON pattern must be an object');
  const conds = [];
  walk(tree, [], conds);
  return { conds, echo: stringify(tree) };
}

function splitName(name, prefix) {
  const segs = name.split('.');
  const full = prefix.concat(segs);
  const shown = full.join('.');
  if (segs.some((s) => s === '')) throw new PatternError(`field "${shown}" has an empty name segment`);
  if (full.length > MAX_DEPTH) throw new PatternError(`field "${shown}" nests ${full.length} levels deep, over the limit of ${MAX_DEPTH}`);
  return full;
}

function walk(obj, prefix, conds) {
  for (const [key, v] of obj) {
    const path = splitName(key, prefix);
    const name = path.join('.');
    if (v instanceof Map) {
      walk(v, path, conds);
    } else if (Array.isArray(v)) {
      if (v.length === 0) throw new PatternError(`field "${name}" has an empty array`);
      conds.push({ path, name, alts: v.map((x) => alternative(x, name)) });
    } else {
      conds.push({ path, name, alts: [{ op: 'eq', value: v }] });
    }
  }
}

const isScalar = (v) => v === null || typeof v === 'string' || typeof v === 'boolean' || v instanceof JNum;

function alternative(x, name) {
  if (isScalar(x)) return { op: 'eq', value: x };
  if (Array.isArray(x)) throw new PatternError(`field "${name}" has an array inside its array`);
  if (x.size !== 1) throw new PatternError(`field "${name}" has an operator object with ${x.size} members, want exactly one`);
  const [[op, arg]] = x;
  const bad = (want) => new PatternError(`field "${name}": operator ${JSON.stringify(op)} takes ${want}`);
  if (STRING_OPS.has(op)) {
    if (typeof arg !== 'string') throw bad('a string');
    return { op, value: arg };
  }
  switch (op) {
    case 'exists':
      if (typeof arg !== 'boolean') throw bad('true or false');
      return { op, value: arg };
    case 'anything-but': {
      const list = Array.isArray(arg) ? arg : [arg];
      if (list.length === 0 || !list.every(isScalar)) throw bad('a value or a non-empty list of values');
      return { op, value: list };
    }
    case 'numeric': {
      if (!Array.isArray(arg) || arg.length === 0 || arg.length % 2 !== 0) throw bad('operator and number pairs');
      const pairs = [];
      for (let i = 0; i < arg.length; i += 2) {
        if (!NUMERIC_OPS.has(arg[i]) || !(arg[i + 1] instanceof JNum)) throw bad('pairs of =, !=, <, <=, >, >= and a number');
        pairs.push([arg[i], arg[i + 1].text]);
      }
      return { op, value: pairs };
    }
    default:
      throw new PatternError(`field "${name}" has an unknown operator ${JSON.stringify(op)}`);
  }
}

// RULE_SPACE is the white space trimmed around names and values: ASCII
// white space only.
const RULE_SPACE = /^[ \t\r\n\f\v]+|[ \t\r\n\f\v]+$/g;
const ESCAPES = { '%3B': ';', '%7C': '|', '%3D': '=', '%25': '%' };

function unescapeRule(s) {
  return s.replace(/%(3B|7C|3D|25)/gi, (m) => ESCAPES[m.toUpperCase()]);
}

function parseRuleForm(text, breaks) {
  const raw = breaks.has('pat-rule-no-unescape');
  const clean = (s) => (raw ? s : unescapeRule(s.replace(RULE_SPACE, '')));
  const conds = [];
  const echo = new Map();
  for (const clause of text.split(';')) {
    const parts = clause.split('=');
    if (parts.length !== 2) {
      if (clause.replace(RULE_SPACE, '') === '') throw new PatternError('the rule has an empty clause (a stray ";")');
      const name = clean(parts[0]);
      throw new PatternError(parts.length === 1 ? `the pattern is neither JSON nor a rule: "${truncate(name)}" has no "="` : `field "${name}" has more than one "=" (write a literal "=" as %3D)`);
    }
    const name = clean(parts[0]);
    if (name === '') throw new PatternError('the rule has a clause without a field name');
    if (echo.has(name)) throw new PatternError(`field "${name}" is given twice`);
    const path = splitName(name, []);
    const values = parts[1].split('|').map(clean);
    if (values.some((v) => v === '')) throw new PatternError(`field "${name}" has an empty value`);
    echo.set(name, values);
    conds.push({ path, name, alts: values.map((v) => ({ op: 'eq', value: v })) });
  }
  return { conds, echo: stringify(echo) };
}

const truncate = (s) => (s.length > 40 ? s.slice(0, 40) + '…' : s);

// ---- matching ----

/** matches says whether event (a Map) meets every condition. */
export function matches(pat, event, breaks = new Set()) {
  if (breaks.has('pat-array-same-element')) return matchSameElement(event, pat.conds, breaks);
  for (const c of pat.conds) {
    if (!condHolds(c, valuesAt(event, c.path), breaks)) return false;
  }
  return true;
}

function flatten(v, out) {
  if (Array.isArray(v)) for (const e of v) flatten(e, out);
  else out.push(v);
}

// valuesAt returns every value the path reaches, arrays flattened: none
// means the field is absent.
function valuesAt(event, path) {
  let cur = [event];
  for (const seg of path) {
    const next = [];
    for (const v of cur) {
      const flat = [];
      flatten(v, flat);
      for (const o of flat) if (o instanceof Map && o.has(seg)) next.push(o.get(seg));
    }
    cur = next;
  }
  const out = [];
  for (const v of cur) flatten(v, out);
  return out;
}

function condHolds(c, values, breaks) {
  return c.alts.some((a) => altHolds(a, values, breaks));
}

function altHolds(a, values, breaks) {
  switch (a.op) {
    case 'exists': {
      const present = breaks.has('pat-null-absent') ? values.filter((v) => v !== null) : values;
      return a.value ? present.length > 0 : present.length === 0;
    }
    case 'anything-but':
      if (values.length === 0) return breaks.has('pat-anything-but-absent');
      return values.some((v) => a.value.every((x) => !strictEqual(v, x, false)));
    case 'eq':
      return values.some((v) => strictEqual(v, a.value, breaks.has('pat-equality-ci')));
    case 'numeric':
      return values.some((v) => numericHolds(a.value, v, breaks));
    default:
      return values.some((v) => typeof v === 'string' && stringHolds(a, v, breaks));
  }
}

function strictEqual(v, x, ci) {
  if (x === null) return v === null;
  if (x instanceof JNum) return v instanceof JNum && compare(v.text, x.text) === 0;
  if (typeof x === 'string' && typeof v === 'string' && ci) return fold(v) === fold(x);
  return v === x;
}

function numericHolds(pairs, v, breaks) {
  let text;
  if (v instanceof JNum) text = v.text;
  else if (breaks.has('pat-numeric-strings') && typeof v === 'string' && isNumberText(v.trim())) text = v.trim();
  else return false;
  return pairs.every(([op, n]) => {
    const c = compare(text, n);
    return { '=': c === 0, '!=': c !== 0, '<': c < 0, '<=': c <= 0, '>': c > 0, '>=': c >= 0 }[op];
  });
}

function stringHolds(a, v, breaks) {
  let p = a.value;
  if (a.op === 'equals-ignore-case') return fold(v) === fold(p);
  if (breaks.has('pat-prefix-ci')) {
    v = v.toLowerCase();
    p = p.toLowerCase();
  }
  if (a.op === 'prefix') return v.startsWith(p);
  if (a.op === 'suffix') return v.endsWith(p);
  return wildcard(p, v);
}

/** wildcard matches s against p, where every * stands for any run of characters. */
export function wildcard(p, s) {
  const parts = p.split('*');
  if (parts.length === 1) return p === s;
  const first = parts[0];
  const last = parts[parts.length - 1];
  if (s.length < first.length + last.length || !s.startsWith(first) || !s.endsWith(last)) return false;
  let pos = first.length;
  const end = s.length - last.length;
  for (const mid of parts.slice(1, -1)) {
    const at = s.indexOf(mid, pos);
    if (at < 0 || at + mid.length > end) return false;
    pos = at + mid.length;
  }
  return true;
}

// fold approximates Unicode simple case folding code point by code
// point: lower(upper(c)) when both steps map one code point to one
// (ς, ſ, ϐ, µ, the Kelvin sign... land in their fold class), else
// lower(c) when that is one code point, else c. Dotless ı is left alone,
// as simple folding does. JavaScript has no case folding of its own; the
// tables are those of Node's ICU, not necessarily Go's Unicode version.
const foldCache = new Map();
function foldCodePoint(ch) {
  let f = foldCache.get(ch);
  if (f !== undefined) return f;
  const one = (s) => [...s].length === 1;
  f = ch;
  if (ch !== 'ı') {
    const up = ch.toUpperCase();
    if (one(up) && one(up.toLowerCase())) f = up.toLowerCase();
    else if (one(ch.toLowerCase())) f = ch.toLowerCase();
  }
  foldCache.set(ch, f);
  return f;
}

export function fold(s) {
  let out = '';
  for (const ch of s) out += foldCodePoint(ch);
  return out;
}

// matchSameElement is the break pat-array-same-element: conditions that
// descend into an array of objects must all hold on one element.
function matchSameElement(node, conds, breaks) {
  const groups = new Map();
  for (const c of conds) {
    if (c.path.length === 1) {
      const vals = node instanceof Map && node.has(c.path[0]) ? valuesAt(node, c.path) : [];
      if (!condHolds(c, vals, breaks)) return false;
      continue;
    }
    const k = c.path[0];
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k).push({ ...c, path: c.path.slice(1) });
  }
  for (const [k, sub] of groups) {
    const child = node instanceof Map ? node.get(k) : undefined;
    if (Array.isArray(child) && child.length > 0) {
      const flat = [];
      flatten(child, flat);
      if (!flat.some((e) => matchSameElement(e, sub, breaks))) return false;
    } else if (!matchSameElement(child, sub, breaks)) {
      return false;
    }
  }
  return true;
}

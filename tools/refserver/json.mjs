// A strict RFC 8259 JSON reader that keeps every number's source text,
// so that patterns and events compare numbers by exact decimal value
// (Node 20's JSON.parse has no access to a number's source text).
//
// Values: objects are Maps (member order kept, last duplicate wins unless
// the caller asks to refuse duplicates), arrays are Arrays, numbers are
// JNum, and strings, booleans and null are themselves.

/** A JSON number, kept as its source text. */
export class JNum {
  constructor(text) {
    this.text = text;
  }
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const NUMBER_WHOLE = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;
const MAX_DEPTH = 512;

/** isNumberText says whether s is exactly a JSON number. */
export function isNumberText(s) {
  return NUMBER_WHOLE.test(s);
}

/**
 * parse reads one JSON text. opts.noDuplicates: a repeated member name
 * throws an error naming it (err.field). Throws SyntaxError otherwise.
 */
export function parse(text, opts = {}) {
  let i = 0;
  const fail = (what) => {
    throw new SyntaxError(`${what} at offset ${i}`);
  };
  const ws = () => {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
      else return;
    }
  };
  const str = () => {
    i++; // opening quote
    let out = '';
    let start = i;
    for (;;) {
      if (i >= text.length) fail('unterminated string');
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        out += text.slice(start, i);
        i++;
        return out;
      }
      if (c < 0x20) fail('control character in a string');
      if (c !== 0x5c) {
        i++;
        continue;
      }
      out += text.slice(start, i);
      const e = text[i + 1];
      const simple = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' }[e];
      if (simple !== undefined) {
        out += simple;
        i += 2;
      } else if (e === 'u') {
        const hex = text.slice(i + 2, i + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('bad \\u escape');
        out += String.fromCharCode(parseInt(hex, 16));
        i += 6;
      } else {
        fail('bad escape');
      }
      start = i;
    }
  };
  const value = (depth) => {
    if (depth > MAX_DEPTH) fail('nesting too deep');
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const m = new Map();
      ws();
      if (text[i] === '}') {
        i++;
        return m;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a member name');
        const k = str();
        ws();
        if (text[i] !== ':') fail('expected ":"');
        i++;
        const v = value(depth + 1);
        if (opts.noDuplicates && m.has(k)) {
          const err = new SyntaxError(`member "${k}" given twice`);
          err.field = k;
          throw err;
        }
        m.set(k, v);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return m;
        }
        fail('expected "," or "}"');
      }
    }
    if (c === '[') {
      i++;
      const a = [];
      ws();
      if (text[i] === ']') {
        i++;
        return a;
      }
      for (;;) {
        a.push(value(depth + 1));
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return a;
        }
        fail('expected "," or "]"');
      }
    }
    if (c === '"') return str();
    for (const [word, v] of [['true', true], ['false', false], ['null', null]]) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    }
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (m === null) fail('unexpected character');
    i += m[0].length;
    return new JNum(m[0]);
  };
  const v = value(0);
  ws();
  if (i !== text.length) fail('trailing characters');
  return v;
}

/** stringify writes a value of parse back as compact JSON, numbers as read. */
export function stringify(v) {
  if (v === null) return 'null';
  if (v instanceof JNum) return v.text;
  if (Array.isArray(v)) return '[' + v.map(stringify).join(',') + ']';
  if (v instanceof Map) {
    const parts = [];
    for (const [k, x] of v) parts.push(JSON.stringify(k) + ':' + stringify(x));
    return '{' + parts.join(',') + '}';
  }
  return JSON.stringify(v);
}

// decimal splits a JSON number's text into sign, significant digits
// (no leading or trailing zeros) and the exponent of the last digit.
function decimal(text) {
  const m = /^(-?)([0-9]+)(?:\.([0-9]+))?(?:[eE]([+-]?[0-9]+))?$/.exec(text);
  let digits = m[2] + (m[3] || '');
  let exp = Number(m[4] || 0) - (m[3] || '').length;
  digits = digits.replace(/^0+/, '');
  const trail = digits.length - digits.replace(/0+$/, '').length;
  digits = digits.slice(0, digits.length - trail);
  exp += trail;
  if (digits === '') return { sign: 0, digits, exp: 0 };
  return { sign: m[1] === '-' ? -1 : 1, digits, exp };
}

/** compare orders two JSON number texts by exact value: -1, 0 or 1. */
export function compare(a, b) {
  const x = decimal(a);
  const y = decimal(b);
  if (x.sign !== y.sign) return x.sign < y.sign ? -1 : 1;
  if (x.sign === 0) return 0;
  const mx = x.digits.length + x.exp;
  const my = y.digits.length + y.exp;
  let r;
  if (mx !== my) {
    r = mx < my ? -1 : 1;
  } else {
    const n = Math.max(x.digits.length, y.digits.length);
    const dx = x.digits.padEnd(n, '0');
    const dy = y.digits.padEnd(n, '0');
    r = dx === dy ? 0 : dx < dy ? -1 : 1;
  }
  return r * x.sign;
}

/** depthOf returns how deeply arrays and objects nest in a JSON text. */
export function depthOf(text) {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > max) max = depth;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return max;
}

// Unit tests of the pattern language and the exact JSON reader:
// node --test pattern.test.mjs (refserver_test.go runs it).

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { compare, parse, stringify } from './json.mjs';
import { PatternError, fold, matches, parsePattern, wildcard } from './pattern.mjs';

const ev = (text) => parse(text);
const m = (pat, event, breaks = []) => matches(parsePattern(pat, new Set(breaks)), ev(event), new Set(breaks));

test('exact JSON numbers', () => {
  for (const [a, b, want] of [
    ['1', '1.0', 0], ['1e2', '100', 0], ['-0', '0', 0], ['0.1', '0.10000000000000001', -1],
    ['12345678901234567890123', '12345678901234567890124', -1], ['-2', '-10', 1], ['1.5e-3', '0.0015', 0], ['-1', '1', -1],
  ]) assert.equal(compare(a, b), want, `${a} vs ${b}`);
  assert.equal(stringify(parse('{"a":[1.500,"\\u00e9",null,true],"b":{}}')), '{"a":[1.500,"é",null,true],"b":{}}');
  for (const bad of ['', '{', '[1,]', '01', '{"a":1}x', '"\u0001"', "{'a':1}", 'NaN']) assert.throws(() => parse(bad), SyntaxError, bad);
});

test('equality and types', () => {
  assert.ok(m('{"type":"310"}', '{"type":"310"}'));
  assert.ok(!m('{"type":310}', '{"type":"310"}'));
  assert.ok(m('{"n":[1]}', '{"n":1.0}'));
  assert.ok(m('{"x":[null]}', '{"x":null}'));
  assert.ok(!m('{"x":[null]}', '{}'));
  assert.ok(m('{"org":["IBM","SAP"],"kind":"a"}', '{"org":"SAP","kind":"a"}'));
  assert.ok(!m('{"org":["IBM","SAP"],"kind":"a"}', '{"org":"SAP","kind":"b"}'));
  assert.ok(m('{}', '{"anything":1}'));
  assert.ok(m('{"loc.city":["Munich"]}', '{"loc":{"city":"Munich"}}'));
  assert.ok(m('{"loc":{"city":["Munich"]}}', '{"loc":{"city":"Munich"}}'));
});

test('operators', () => {
  assert.ok(m('{"t":[{"prefix":"job-"}]}', '{"t":"job-join"}'));
  assert.ok(!m('{"t":[{"prefix":"Job-"}]}', '{"t":"job-join"}'));
  assert.ok(m('{"t":[{"prefix":"Job-"}]}', '{"t":"job-join"}', ['pat-prefix-ci']));
  assert.ok(m('{"u":[{"suffix":".com"}]}', '{"u":"a.com"}'));
  assert.ok(m('{"o":[{"equals-ignore-case":"ibm"}]}', '{"o":"IBM"}'));
  assert.ok(m('{"o":[{"equals-ignore-case":"σ-labs"}]}', '{"o":"ς-labs"}'));
  assert.ok(m('{"o":[{"equals-ignore-case":"kelvin k"}]}', '{"o":"Kelvin \u212A"}'));
  assert.ok(!m('{"o":[{"equals-ignore-case":"i"}]}', '{"o":"ı"}'));
  assert.ok(!m('{"o":[{"equals-ignore-case":"straße"}]}', '{"o":"STRASSE"}'));
  assert.ok(!m('{"o":["ibm"]}', '{"o":"IBM"}'));
  assert.ok(m('{"o":["ibm"]}', '{"o":"IBM"}', ['pat-equality-ci']));
  assert.ok(m('{"t":[{"wildcard":"*Chief*"}]}', '{"t":"Vice Chief Officer"}'));
  assert.ok(!m('{"t":[{"wildcard":"*Chief*"}]}', '{"t":"chief"}'));
  assert.ok(m('{"n":[{"numeric":[">=",10,"<",20]}]}', '{"n":10}'));
  assert.ok(!m('{"n":[{"numeric":[">=",10,"<",20]}]}', '{"n":20}'));
  assert.ok(!m('{"n":[{"numeric":[">",300]}]}', '{"n":"310"}'));
  assert.ok(m('{"n":[{"numeric":[">",300]}]}', '{"n":"310"}', ['pat-numeric-strings']));
  assert.ok(m('{"n":[{"numeric":["<",12345678901234567890124]}]}', '{"n":12345678901234567890123}'));
  assert.ok(m('{"n":[{"numeric":["!=",0.3]}]}', '{"n":0.30000000000000004}'));
});

test('anything-but and exists', () => {
  assert.ok(m('{"t":[{"anything-but":"x"}]}', '{"t":5}'));
  assert.ok(m('{"t":[{"anything-but":"x"}]}', '{"t":null}'));
  assert.ok(!m('{"t":[{"anything-but":["x","y"]}]}', '{"t":"y"}'));
  assert.ok(!m('{"t":[{"anything-but":"x"}]}', '{}'));
  assert.ok(m('{"t":[{"anything-but":"x"}]}', '{}', ['pat-anything-but-absent']));
  assert.ok(!m('{"t":[{"anything-but":"x"}]}', '{"t":[]}'));
  assert.ok(m('{"t":[{"exists":true}]}', '{"t":null}'));
  assert.ok(!m('{"t":[{"exists":true}]}', '{"t":null}', ['pat-null-absent']));
  assert.ok(m('{"t":[{"exists":false}]}', '{"t":[]}'));
  assert.ok(m('{"t":[{"exists":false}]}', '{"u":1}'));
  assert.ok(!m('{"t":[{"exists":false}]}', '{"t":0}'));
});

test('arrays in events', () => {
  const news = '{"entities":[{"type":"org","value":"IBM"},{"type":"person","value":"Ada"}]}';
  assert.ok(m('{"entities":{"type":["org"]}}', news));
  assert.ok(m('{"entities":{"type":["org"],"value":["Ada"]}}', news));
  assert.ok(!m('{"entities":{"type":["org"],"value":["Ada"]}}', news, ['pat-array-same-element']));
  assert.ok(m('{"entities":{"type":["org"],"value":["IBM"]}}', news, ['pat-array-same-element']));
  assert.ok(m('{"tags":["b"]}', '{"tags":["a","b"]}'));
});

test('rule form', () => {
  const p = parsePattern('type=job-join|job-leave;org=IBM');
  assert.equal(p.echo, '{"type":["job-join","job-leave"],"org":["IBM"]}');
  assert.equal(parsePattern(' org = A%3BB %7C C | x%3Dy%25 ; loc.city=Munich').echo, '{"org":["A;B | C","x=y%"],"loc.city":["Munich"]}');
  assert.ok(m('org=A%3BB', '{"org":"A;B"}'));
  assert.ok(!m('org=A%3BB', '{"org":"A;B"}', ['pat-rule-no-unescape']));
  assert.ok(m('org=  Padded  ', '{"org":"Padded"}'));
  assert.ok(m('type=310', '{"type":"310"}'));
  assert.ok(!m('type=310', '{"type":310}'));
});

test('invalid patterns name the field', () => {
  for (const [pat, field] of [
    ['{"org":[{"startsWith":"IB"}]}', 'org'], ['{"typeName":[]}', 'typeName'], ['{"at":[{"numeric":[">>",1]}]}', 'at'],
    ['{"a":{"b":{"c":{"d":{"e":{"f":{"g":{"h":{"deep":1}}}}}}}}}', 'deep'], ['{"a.b.c.d.e.f.g":{"h.deep":[1]}}', 'deep'],
    ['org=', 'org'], ['org=a||b', 'org'], ['{"x":[[1]]}', 'x'], ['{"e":[{"exists":"yes"}]}', 'e'], ['{"a":[1],"a":[2]}', 'a'],
    ['{"n":[{"numeric":[">",1,"<"]}]}', 'n'], ['{"n":[{"anything-but":[]}]}', 'n'], ['{"w":[{"prefix":1}]}', 'w'],
  ]) {
    assert.throws(() => parsePattern(pat), (e) => e instanceof PatternError && e.message.includes(field), pat);
  }
  for (const pat of ['{"type":', 'not a pattern', '["a"]', '"a"', '5', '', 'a=b;', `{"o":"${'x'.repeat(4100)}"}`]) {
    assert.throws(() => parsePattern(pat), PatternError, pat);
  }
  parsePattern('{"a":{"b":{"c":{"d":{"e":{"f":{"g":{"h":[1]}}}}}}}}'); // depth 8 is fine
  parsePattern(`{"o":"${'x'.repeat(4096 - 8)}"}`); // exactly 4 KiB is fine
});

test('wildcard and fold', () => {
  assert.ok(wildcard('a*b*c', 'abc'));
  assert.ok(wildcard('a*b*c', 'aXbYbc'));
  assert.ok(!wildcard('a*a', 'a'));
  assert.ok(wildcard('*', ''));
  assert.ok(!wildcard('ab', 'abc'));
  assert.equal(fold('ſ'), fold('S'));
  assert.equal(fold('µ'), fold('Μ'));
  assert.notEqual(fold('İ'), fold('i'));
});

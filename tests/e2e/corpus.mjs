// A generated corpus of hostile rtp() calls (issue 6), with the verdict each must get: the
// oracle. Deterministic: a seeded PRNG (mulberry32), never Math.random, so a failure names a
// case that comes back on the next run.
//
// Each case is JavaScript source text of an expression that evaluates, in the page, to the
// argument list of one rtp() call (Symbols, Proxies, getters and BigInt cannot cross
// puppeteer's serialisation, so they are built in the page), plus:
// - `expect`: the verdict string rtp() must return, or an array of the verdicts allowed where
//   the README and the source disagree (`disputed`: see DISPUTED below);
// - `values`: for an event that may be accepted, the values the collector must then receive;
// - `view`: for a view that may be accepted, its URL ('PAGE' for the current page);
// - `inner`: values of a valid event sent re-entrantly from inside a getter of the call.
//
// The oracle follows README "The API", "What is valid", "Once per session", "Privacy"; where
// the README says nothing, src/web/args.rs, src/values.rs, src/command.rs, src/tag.rs and
// src/endpoint.rs decide:
// - customData: a string or an Array (Array.isArray, so an Array Proxy too) is the value
//   itself; any other object or function is read with Reflect.get(data, 'value'), which
//   runs getters and Proxy traps and sees inherited properties (a polluted
//   Object.prototype.value); undefined/null is missing_value; any other primitive (number,
//   boolean, BigInt, Symbol) is not_a_string.
// - value: undefined/null is missing_value; an Array is read as length then 0..length-1
//   (length > 4: too_many_values without reading an element; a throwing read anywhere:
//   unreadable_data, whatever came before); anything else is one element.
// - an element: not typeof 'string' (String objects, holes, array-likes included) is
//   not_a_string; longer than 255 UTF-16 units is value_too_long (checked before
//   well-formedness, so a 1 MB string is never scanned); a lone surrogate is invalid_text;
//   blank is empty_value. Elements are judged in order, the first fault decides.
// - blank: only what String.prototype.trim removes (so U+0085 NEL is text).
// - action and method match only as primitive strings of at most 16 units, exactly; anything
//   else is 'ignored'. Extra arguments change nothing.
// - a repeat of the same values in the same order in the session is 'duplicate'.
// - while consent is denied (rtp('set', 'consent', x) with x not true), every send, valid or
//   not, event or view, is 'no_consent', and is not remembered as sent.
// - past the rate limit a send is 'rate_limited'; the oracle assumes none: the test keeps each
//   page under it (see tokens()).

/** The console warning of each rejection (README "What is valid", src/verdict.rs). */
export const MESSAGES = {
  missing_value: 'customData needs a value',
  no_values: 'customData.value is an empty array',
  too_many_values: 'at most 4 values per call',
  not_a_string: 'must be a string or an array of 1 to 4 strings',
  empty_value: 'a value is an empty (or blank) string',
  value_too_long: 'a value is longer than 255 characters',
  invalid_text: 'a value contains a lone surrogate',
  unreadable_data: 'reading customData.value threw',
  bad_account: 'account not set',
  bad_endpoint: 'endpoint not set: give the collector URL',
  insecure_endpoint: 'use https:',
  bad_page: 'view not sent',
  unknown_setting: 'unknown setting',
};

/** Verdicts that are not warnings: not rejections, or refusals the visitor asked for. */
export const QUIET = new Set(['accepted', 'duplicate', 'ok', 'ignored', 'promise', 'undefined', 'no_consent', 'do_not_track']);

// What src/values.rs calls blank: what String.prototype.trim removes (Unicode White_Space
// except U+0085 NEL, which trim keeps, and U+FEFF).
const NEL = '\u0085';
export const BLANK = [
  '\t', '\n', '\u000b', '\u000c', '\r', ' ', '\u00a0', '\u1680', '\u2000', '\u2001', '\u2002',
  '\u2003', '\u2004', '\u2005', '\u2006', '\u2007', '\u2008', '\u2009', '\u200a', '\u2028',
  '\u2029', '\u202f', '\u205f', '\u3000', '\ufeff',
];
const BLANK_SET = new Set(BLANK);
// Look like blanks, are not blank: text.
const NOT_BLANK = ['\u200b', '\u180e', '\u2060', '\u00ad', '\u200d', '\u034f', NEL];

/**
 * Where the README and the source disagree; the corpus allows both verdicts there, and the
 * test reports what it saw.
 * - unknown_setting: README's table has no `unknown_setting`; its "anything else" row says
 *   'ignored'. The source answers rtp('set', 'nope', 1) with 'unknown_setting' and a warning.
 */
export const DISPUTED = {
  unknown_setting: ['unknown_setting', 'ignored'],
};

/** Object.prototype.value pollutions: what the page installs, in page source. */
export const POLLUTIONS = {
  none: { install: '', remove: '' },
  string: {
    install: "Object.prototype.value = 'polluted by the page';",
    remove: 'delete Object.prototype.value;',
    raw: ['polluted by the page'],
  },
  array: {
    install: "Object.prototype.value = ['polluted', 'by the page'];",
    remove: 'delete Object.prototype.value;',
    raw: ['polluted', 'by the page'],
  },
  throwing: {
    install: "Object.defineProperty(Object.prototype, 'value', { configurable: true, get() { throw new Error('polluted getter'); } });",
    remove: 'delete Object.prototype.value;',
    raw: 'unreadable',
  },
};

// ---- a seeded PRNG ----

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Rng {
  constructor(seed) { this.next = mulberry32(seed); }
  int(n) { return Math.floor(this.next() * n); }
  range(lo, hi) { return lo + this.int(hi - lo + 1); }
  pick(xs) { return xs[this.int(xs.length)]; }
  chance(p) { return this.next() < p; }
  weighted(entries) {
    const total = entries.reduce((s, e) => s + e[0], 0);
    let r = this.next() * total;
    for (const e of entries) { if ((r -= e[0]) < 0) return e; }
    return entries[entries.length - 1];
  }
}

// ---- source text ----

/** A string literal with everything outside printable ASCII escaped (lone surrogates too). */
export function lit(s) {
  let out = "'";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out += c >= 0x20 && c < 0x7f && c !== 0x27 && c !== 0x5c ? s[i] : '\\u' + c.toString(16).padStart(4, '0');
  }
  return out + "'";
}

// A throw of something odd: an Error, or a value that is not one.
const THROWN = [
  "new Error('hostile')", "new TypeError('hostile')", 'null', 'undefined', '42', "Symbol('thrown')",
  "({ toString() { throw new Error('toString of a thrown value'); } })",
  "new Proxy({}, { get() { throw new Error('trap of a thrown value'); } })",
];
// A Proxy handler whose every trap throws: the handler is itself a Proxy that throws on any lookup.
const ALL_TRAPS_THROW = "new Proxy({}, { get() { throw new Error('every trap throws'); } })";
// Traps Reflect.get never reaches (it reads the target's property through `get` only).
const OTHER_TRAPS_THROW = "{ has() { throw 1; }, ownKeys() { throw 1; }, getPrototypeOf() { throw 1; }, set() { throw 1; }, defineProperty() { throw 1; }, getOwnPropertyDescriptor() { throw 1; }, deleteProperty() { throw 1; }, isExtensible() { throw 1; }, preventExtensions() { throw 1; } }";
const CONVERSION_TRAPS = "toString() { throw new Error('toString'); }, valueOf() { throw new Error('valueOf'); }, [Symbol.toPrimitive]() { throw new Error('toPrimitive'); }, toJSON() { throw new Error('toJSON'); }";

// ---- the oracle ----

const NOT = Symbol('not a string');

function wellFormed(s) {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) return false;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return false;
    }
  }
  return true;
}
const blank = (s) => [...s].every((c) => BLANK_SET.has(c));

/**
 * The verdict of `customData` as read (`raw`): 'missing' | 'unreadable' | 'toomany' | the
 * elements in order (strings, or NOT). 'valid', or a rejection code.
 */
export function judge(raw) {
  if (raw === 'missing') return 'missing_value';
  if (raw === 'unreadable') return 'unreadable_data';
  if (raw === 'toomany') return 'too_many_values';
  if (raw.length === 0) return 'no_values';
  if (raw.length > 4) return 'too_many_values';
  for (const x of raw) {
    if (typeof x !== 'string') return 'not_a_string';
    if (x.length > 255) return 'value_too_long';
    if (!wellFormed(x)) return 'invalid_text';
    if (blank(x)) return 'empty_value';
  }
  return 'valid';
}

// An account id or endpoint as src/web/args.rs's short_string reads it.
const accountOk = (x) => typeof x === 'string' && x.length <= 255 && !blank(x);

// ---- value builders: {src, raw} ----
// `raw` as above, or 'inherit' (an object without its own `value`: what Reflect.get finds
// depends on the page's Object.prototype).

const str = (s) => ({ src: lit(s), raw: [s] });

/** An Array value, from elements {src, el} (el: a string or NOT; throws: reading it throws). */
function arr(elems, form = 'literal') {
  const raw = elems.length > 4 ? 'toomany' : elems.some((e) => e.throws) ? 'unreadable' : elems.map((e) => e.el);
  const parts = elems.map((e) => e.src);
  let src;
  switch (form) {
    case 'frozen': src = `Object.freeze([${parts.join(', ')}])`; break;
    case 'subclass': src = `(() => { class Values extends Array {} return Values.from([${parts.join(', ')}]); })()`; break;
    case 'proxy': src = `new Proxy([${parts.join(', ')}], ${OTHER_TRAPS_THROW})`; break;
    case 'traps': src = `Object.assign([${parts.join(', ')}], { ${CONVERSION_TRAPS} })`; break;
    case 'extra': src = `Object.assign([${parts.join(', ')}], { value: 'not read', extra: 1 })`; break;
    case 'cyclic': src = `(() => { const a = [${parts.join(', ')}]; a.self = a; return a; })()`; break;
    case 'from': src = `Array.from({ length: ${parts.length}, 0: ${parts[0] ?? 'undefined'} }, (x, i) => [${parts.join(', ')}][i])`; break;
    default: src = `[${parts.join(', ')}]`;
  }
  return { src, raw };
}
const el = (s) => ({ src: lit(s), el: s });
const notEl = (src) => ({ src, el: NOT });

// ---- the corpus ----

const NUMBERS = ['0', '-0', '1', '-1', '1.5', 'NaN', 'Infinity', '-Infinity', '1e308', 'Number.MAX_SAFE_INTEGER', '0x7fffffff'];
const PRIMITIVES = [...NUMBERS, 'true', 'false', '10n', '0n', '-(2n ** 64n)', "Symbol('v')", 'Symbol.iterator', "Symbol.for('rtp')"];
const NON_TEXT_OBJECTS = [
  '{}', '[[]]', '({ length: 1, 0: "a" })', "new String('a')", 'new Number(1)', 'new Boolean(false)', 'new Date(0)',
  '/a/g', 'new Map([["value", "a"]])', 'new Set(["a"])', 'new Uint8Array(3)', 'new ArrayBuffer(8)', "new Error('e')",
  'Promise.resolve("a")', '(function () { return arguments; })("a", "b")', 'Object.create(null)', `({ ${CONVERSION_TRAPS} })`,
  "({ toString() { return 'a'; } })", '() => "a"', 'function named() {}', 'class K {}', 'new WeakMap()',
  ALL_TRAPS_THROW, `new Proxy({}, ${ALL_TRAPS_THROW})`,
  "new Proxy(function () {}, { apply() { throw new Error('apply'); } })", '[].values()', 'document.createElement("div")',
];
// Objects without an own `value` (as customData: what the prototype chain holds).
const INHERITING = [
  '{}', '({ length: 2, 0: "a", 1: "b" })', '({ values: ["a"] })', '({ Value: "a" })', '({ "value ": "a" })', 'new Date(0)', '/re/',
  'new Map([["value", "a"]])', 'new Set(["a"])', 'new Uint8Array([1, 2])', "new String('abc')", 'new Number(7)', "new Error('e')",
  'Promise.resolve("a")', '(function () { return arguments; })("a")', 'function plain() {}', '() => "a"', 'async () => "a"',
  `({ ${CONVERSION_TRAPS} })`, 'Object.freeze({})', 'Object.seal({ other: 1 })', 'new Proxy({}, {})', `new Proxy({}, ${OTHER_TRAPS_THROW})`,
  "(() => { const o = { name: 'cyclic' }; o.self = o; return o; })()", 'document.createElement("div")', 'document',
  'new (class Widget {})()', 'Object.create({ other: 1 })',
];
// Harmless callbacks: an ignored command or flush calls the first function it is given.
const CALLBACKS = ['() => {}', 'function callback(r) { return r; }', '(function () {}).bind(null)', 'async () => {}'];
// Arguments that may go anywhere an ignored command reads a callback: nothing that throws when called.
const ANY_SAFE = [
  ...PRIMITIVES, 'undefined', 'null', "''", "'event'", "'view'", "'x'.repeat(300)", '{}', '[]', "['event']", "new String('event')",
  `({ ${CONVERSION_TRAPS} })`, `new Proxy({}, { get() { throw new Error('trap'); } })`, `new Proxy({}, ${ALL_TRAPS_THROW})`,
  "(() => { const p = Proxy.revocable({}, {}); p.revoke(); return p.proxy; })()", "({ get value() { throw new Error('getter'); } })",
  "Object.freeze({ value: 'x' })", "(() => { const o = {}; o.o = o; return o; })()", '[, , ,]', '{ length: 3 }', ...CALLBACKS,
];
// Anything at all: for positions rtp() never calls (extra arguments of a send).
const ANY = [
  ...ANY_SAFE, "new Proxy(function () {}, { apply() { throw new Error('apply'); } })",
  "(() => { const p = Proxy.revocable(function () {}, {}); p.revoke(); return p.proxy; })()",
  "() => { throw new Error('a callback that throws'); }", 'class NotCallable {}',
];
const NOT_A_COMMAND = [
  "'Send'", "'SEND'", "'send '", "' send'", "'sendEvent'", "'send.event'", "'get'", "'track'", "'event'", "''", "'send\\u0000'",
  "'\\u0455end'", "'send'.repeat(5)", "'flush '", "'Flush'", "'setaccount'", "'SetAccount'", "'Set'", "'push'", "'q'", "'__proto__'",
  "'constructor'", "'toString'", "new String('send')", "['send']", "({ toString() { return 'send'; } })", "Symbol('send')", '10n',
  ...NUMBERS, 'null', 'undefined', 'true', '{}', `new Proxy({}, ${ALL_TRAPS_THROW})`,
  "(() => { const p = Proxy.revocable({}, {}); p.revoke(); return p.proxy; })()", `({ ${CONVERSION_TRAPS} })`,
];
const NOT_EVENT = [
  "'Event'", "'EVENT'", "'events'", "'event '", "' event'", "'event\\u0000'", "'ev'", "'page'", "'View'", "''", "'event'.repeat(4)",
  "new String('event')", "['event']", "({ toString() { return 'event'; } })", "Symbol('event')", '1n', '0', 'NaN', 'null',
  'undefined', 'true', '{}', `new Proxy({}, ${ALL_TRAPS_THROW})`, `({ ${CONVERSION_TRAPS} })`,
];
const UNSUPPORTED_NAMES = [
  ["'get'", "'campaign'"], ["'get'", "'visitor'"], ["'send'", "'Event'"], ["'send'", "'campaign'"], ["'get'", 'undefined'],
  ["'push'", "'x'"], ["'on'", "'load'"], ["'create'", "'tracker'"], ["'require'", "'plugin'"],
];
const SETTINGS_UNKNOWN = [
  "'nope'", "'Endpoint'", "'ENDPOINT'", "'endpoint '", "'Account'", "'debug '", "'Consent'", "'honordnt'", "'dnt'", "''",
  "'endpoint'.repeat(3)", "new String('debug')", "['debug']", '42', 'null', 'undefined', "Symbol('debug')", '{}', `({ ${CONVERSION_TRAPS} })`,
];
const FALSY = ['false', '0', "''", 'null', 'undefined', 'NaN', '-0', '0n'];
// src/endpoint.rs, for an http: page on 127.0.0.1.
const ENDPOINTS = [
  ["'/collect'", 'ok'], ['7', 'bad_endpoint'], ['null', 'bad_endpoint'], ['undefined', 'bad_endpoint'], ['{}', 'bad_endpoint'],
  ["Symbol('e')", 'bad_endpoint'], ["''", 'bad_endpoint'], ["'   '", 'bad_endpoint'], ["new String('/collect')", 'bad_endpoint'],
  [`({ ${CONVERSION_TRAPS} })`, 'bad_endpoint'], ["'http://collect.example.com/rtp'", 'insecure_endpoint'],
  ["'ftp://127.0.0.1/collect'", 'insecure_endpoint'], ["'javascript:alert(1)'", 'insecure_endpoint'],
  ["'data:text/plain,x'", 'insecure_endpoint'], ["'http://10.0.0.1/collect'", 'insecure_endpoint'],
  ["'https://user:pw@collect.example.com/rtp'", 'bad_endpoint'], ["'https://'", 'bad_endpoint'],
  ["'http://user@127.0.0.1/collect'", 'bad_endpoint'], ["'x'.repeat(8193)", 'bad_endpoint'],
  // Backslashes, spaces and controls could hide a host (make fuzz found '/\\evil.example').
  ["'/\\\\evil.example/collect'", 'bad_endpoint'], ["'/collect '", 'bad_endpoint'], ["'\\t/collect'", 'bad_endpoint'],
  ["'https://collect.example.com\\\\@evil.example/'", 'bad_endpoint'], ["'http://127.0.0.1\\u0000.evil.example/'", 'bad_endpoint'],
];
const DECOR = ['café', '日本語', 'Ελληνικά', 'עברית', 'العربية', '😀', '👩‍👩‍👧', 'e\u0301', '\ufffd', '\uffff', '\ufffe', '\ue000', '𝒜', '\u0000', '\u001f', '\u007f', '\u2028', '\u2029', '"quoted"', "'single'", '\\back\\slash', '</script><script>alert(1)</script>', '{"json":1}', '%s %d %o %c', '\r\n', '${x}', 'null', 'undefined', ...NOT_BLANK];

/**
 * Generates the corpus.
 * - `count`: cases in the main section (the polluted and consent sections come after it);
 * - `tag`: prefix of the unique part of valid values (each holds the case's index);
 * - `sections`: with the polluted and consent sections (not for calls made before load);
 * - `slow`: how many 1 MB strings; `disputed`: whether to include DISPUTED cases;
 * - `keep(case)`: which generated cases to keep ({cat, src}), before the oracle runs.
 * Every page may send 2,000 events at once (README "Rate limit"): the test spreads the corpus
 * over pages of one session (see `tokens`).
 * Returns the cases in the order they must run, each {i, section, cat, src, expect, values?,
 * view?, inner?}.
 */
export function generate({ seed = 0x5eed, count = 10200, tag = 'c', sections = true, slow = 8, disputed = true, keep = () => true } = {}) {
  const rng = new Rng(seed);
  const protos = [];
  let n = 0;
  const id = () => `${tag}${n}`;
  const add = (section, cat, p) => { protos.push({ section, cat, ...p }); };

  // A valid value holding the case's unique id, in one of several styles.
  function valid(u) {
    switch (rng.int(9)) {
      case 0: case 1: return `ev ${u}`;
      case 2: return `${rng.pick(DECOR)} ${u} ${rng.pick(DECOR)}`;
      case 3: return `${rng.pick(BLANK)}${u}${rng.pick(BLANK)}`;
      case 4: return (`${u} `).padEnd(255, 'x'); // exactly 255 units
      case 5: { let s = `${u} `; while (s.length + 2 <= 255) s += '😀'; return s.length < 255 ? s + 'x' : s; }
      case 6: return `${u}${rng.pick(NOT_BLANK)}`;
      case 7: return `download - example whitepaper ${u}`;
      default: return `${u}\u0000${rng.pick(DECOR)}`;
    }
  }
  // 1 to 4 valid values, one of them unique.
  function validValues(u) {
    const k = rng.pick([1, 1, 1, 2, 2, 3, 4]);
    const at = rng.int(k);
    return Array.from({ length: k }, (_, i) => (i === at ? valid(u) : rng.chance(0.5) ? valid(`${u}.${i}`) : rng.pick(['blue', 'sku-1', 'MyEvent', 'x'])));
  }
  // An invalid element, and what it is.
  function badElement(u) {
    switch (rng.int(6)) {
      case 0: return notEl(rng.pick([...PRIMITIVES, ...NON_TEXT_OBJECTS, 'null', 'undefined']));
      case 1: return el(rng.pick(['', ...BLANK]) + (rng.chance(0.5) ? rng.pick(BLANK) : ''));
      case 2: return el(`${u} `.padEnd(rng.pick([256, 257, 300, 1000, 5000]), 'y'));
      case 3: return el(`${u}${rng.pick(['\ud800', '\udbff', '\udc00', '\udfff', '\ud83d', '\ude00x'])}`);
      case 4: return el(rng.pick(['\ude00\ud83d', '\ud800', 'a\udfffb']));
      default: { let s = ''; while (s.length < 256) s += '😀'; return el(s); } // 256 units of emoji
    }
  }
  // customData around a value {src, raw}; returns {src, raw}.
  function wrap(v, u) {
    const one = Array.isArray(v.raw) && v.raw.length === 1 && typeof v.raw[0] === 'string';
    const forms = [
      () => ({ src: `{ value: ${v.src} }`, raw: v.raw }),
      () => ({ src: `{ value: ${v.src} }`, raw: v.raw }),
      () => ({ src: `Object.freeze({ value: ${v.src} })`, raw: v.raw }),
      () => ({ src: `Object.seal({ value: ${v.src}, other: [1, 2] })`, raw: v.raw }),
      () => ({ src: `Object.assign(Object.create(null), { value: ${v.src} })`, raw: v.raw }),
      () => ({ src: `({ get value() { return ${v.src}; } })`, raw: v.raw }),
      () => ({ src: `new (class Data { get value() { return ${v.src}; } })()`, raw: v.raw }),
      () => ({ src: `Object.create({ value: ${v.src} })`, raw: v.raw }),
      () => ({ src: `new Proxy({ value: ${v.src} }, ${OTHER_TRAPS_THROW})`, raw: v.raw }),
      () => ({ src: `new Proxy({}, { get(t, k) { return k === 'value' ? ${v.src} : undefined; } })`, raw: v.raw }),
      () => ({ src: `Object.assign(function data() {}, { value: ${v.src} })`, raw: v.raw }),
      () => ({ src: `(() => { const o = { value: ${v.src} }; o.self = o; o.list = [o, o]; return o; })()`, raw: v.raw }),
      () => ({ src: `{ value: ${v.src}, ${CONVERSION_TRAPS} }`, raw: v.raw }),
      () => ({ src: `(() => { const o = Object.freeze({ value: ${v.src}, inner: {} }); Object.freeze(o.inner); return o; })()`, raw: v.raw }),
      () => ({ src: `{ value: ${v.src}, other: ${rng.pick(ANY)} }`, raw: v.raw }),
    ];
    // A bare string or Array as customData (README: works too).
    if (one && typeof v.src === 'string' && v.src.startsWith("'")) forms.push(() => ({ src: v.src, raw: v.raw }), () => ({ src: v.src, raw: v.raw }));
    if (v.bare) forms.push(() => ({ src: v.src, raw: v.raw }), () => ({ src: v.src, raw: v.raw }));
    // A form input's value (a getter on HTMLInputElement.prototype): plain text only.
    if (one && v.src.startsWith("'") && /^[ -~]{1,200}$/.test(v.raw[0]) && v.raw[0].trim() === v.raw[0]) {
      forms.push(() => ({ src: `Object.assign(document.createElement('input'), { value: ${v.src} })`, raw: v.raw }));
    }
    return rng.pick(forms)();
  }
  // A value {src, raw, bare} for values (strings).
  function valueOf(vals) {
    if (vals.length === 1 && rng.chance(0.5)) return { ...str(vals[0]) };
    const form = rng.pick(['literal', 'literal', 'frozen', 'subclass', 'proxy', 'traps', 'extra', 'cyclic', 'from']);
    return { ...arr(vals.map(el), form), bare: true };
  }
  const send = (data, extra = []) => `['send', 'event'${data === undefined ? '' : `, ${data}`}${extra.map((x) => `, ${x}`).join('')}]`;
  const extras = () => (rng.chance(0.15) ? Array.from({ length: rng.range(1, 5) }, () => rng.pick(ANY)) : []);

  const accepted = []; // values of valid events generated so far, for deliberate repeats

  const CATEGORIES = [
    // ---- valid events, mixed in ----
    [30, 'valid', () => {
      const vals = validValues(id());
      const d = wrap(valueOf(vals), id());
      accepted.push(vals);
      return { kind: 'event', src: send(d.src, extras()), raw: d.raw };
    }],
    [2, 'valid-reentrant', () => {
      const outer = [valid(id())];
      const inner = rng.chance(0.3) ? outer : [`inner ${id()}`];
      const getter = `{ get value() { __rtpInner.push(rtp('send', 'event', { value: ${lit(inner[0])} })); return ${lit(outer[0])}; } }`;
      return { kind: 'event', src: send(getter), raw: outer, inner };
    }],
    [3, 'repeat', () => {
      if (!accepted.length) return null;
      const vals = rng.pick(accepted);
      // The same values again, maybe in another form: {value: 'x'}, 'x' and ['x'] are one event.
      return { kind: 'event', src: send(wrap(valueOf(vals), id()).src), raw: vals };
    }],
    [1, 'reordered', () => {
      const multi = accepted.filter((v) => v.length > 1 && new Set(v).size === v.length);
      if (!multi.length) return null;
      const vals = [...rng.pick(multi)].reverse();
      return { kind: 'event', src: send(wrap(valueOf(vals), id()).src), raw: vals };
    }],
    // ---- non-objects, null/undefined ----
    [5, 'non-object', () => {
      const x = rng.pick(PRIMITIVES);
      return rng.chance(0.5)
        ? { kind: 'event', src: send(x, extras()), raw: [NOT] }
        : { kind: 'event', src: send(`{ value: ${x} }`), raw: [NOT] };
    }],
    [4, 'nullish', () => {
      switch (rng.int(6)) {
        case 0: return { kind: 'event', src: send(undefined), raw: 'missing' };
        case 1: return { kind: 'event', src: send('null', extras()), raw: 'missing' };
        case 2: return { kind: 'event', src: send('undefined', extras()), raw: 'missing' };
        case 3: return { kind: 'event', src: send(`{ value: ${rng.pick(['null', 'undefined'])} }`), raw: 'missing' };
        case 4: return { kind: 'event', src: send(`Object.assign(Object.create(null), { other: 1 })`), raw: 'missing' };
        default: return { kind: 'event', src: send(`{ get value() { return ${rng.pick(['null', 'undefined'])}; } }`), raw: 'missing' };
      }
    }],
    [4, 'no-own-value', () => ({ kind: 'event', src: send(rng.pick(INHERITING), extras()), raw: 'inherit' })],
    [5, 'non-string-value', () => {
      const x = rng.pick([...NON_TEXT_OBJECTS, ...PRIMITIVES]);
      return { kind: 'event', src: send(`{ value: ${x} }`), raw: [NOT] };
    }],
    // ---- arrays: holes, array-likes, non-string elements, five or more ----
    [5, 'holes', () => {
      const len = rng.range(1, 6);
      const at = rng.int(len);
      const parts = {};
      for (let i = 0; i < len; i++) if (i !== at && rng.chance(0.6)) parts[i] = valid(`${id()}.${i}`);
      const raw = len > 4 ? 'toomany' : Array.from({ length: len }, (_, i) => (i in parts ? parts[i] : NOT));
      const src = `Object.assign(new Array(${len}), { ${Object.entries(parts).map(([k, v]) => `${k}: ${lit(v)}`).join(', ')} })`;
      return { kind: 'event', src: send(rng.chance(0.5) ? src : `{ value: ${src} }`), raw };
    }],
    [3, 'array-like', () => {
      const like = rng.pick([
        `{ length: 1, 0: ${lit(valid(id()))} }`, `(function () { return arguments; })(${lit(valid(id()))})`,
        `new Set([${lit(valid(id()))}])`, `'abc'.split('').values()`, `new Uint16Array([97, 98])`, `document.querySelectorAll('*')`,
        `new String(${lit(valid(id()))})`, `{ length: 2, 0: 'a', 1: 'b', [Symbol.iterator]: [][Symbol.iterator] }`,
      ]);
      return rng.chance(0.5)
        ? { kind: 'event', src: send(`{ value: ${like} }`), raw: [NOT] }
        : { kind: 'event', src: send(like), raw: 'inherit' };
    }],
    [5, 'non-string-element', () => {
      const len = rng.range(1, 4);
      const at = rng.int(len);
      const elems = Array.from({ length: len }, (_, i) => (i === at ? notEl(rng.pick([...PRIMITIVES, ...NON_TEXT_OBJECTS, 'null', 'undefined'])) : el(valid(`${id()}.${i}`))));
      const v = arr(elems, rng.pick(['literal', 'frozen', 'proxy', 'cyclic']));
      return { kind: 'event', src: send(rng.chance(0.5) ? v.src : `{ value: ${v.src} }`), raw: v.raw };
    }],
    [4, 'too-many', () => {
      const k = rng.pick([5, 5, 6, 7, 10, 50]);
      const v = arr(Array.from({ length: k }, (_, i) => (rng.chance(0.8) ? el(valid(`${id()}.${i}`)) : badElement(id()))), rng.pick(['literal', 'frozen', 'proxy']));
      return { kind: 'event', src: send(rng.chance(0.5) ? v.src : `{ value: ${v.src} }`), raw: 'toomany' };
    }],
    [2, 'too-many-unread', () => {
      // Longer than 4: the elements are not read, so a throwing one does not matter.
      const src = rng.pick([
        'new Array(5)', 'new Array(2 ** 32 - 1)', "Object.assign(new Array(1e6), { 0: 'a' })",
        "Object.defineProperty(['a', 'b', 'c', 'd', 'e'], 0, { get() { throw new Error('element'); } })",
        "new Proxy(['a', 'b', 'c', 'd', 'e'], { get(t, k) { if (k === 'length') return 5; throw new Error('element'); } })",
        "new Proxy([], { get(t, k) { return k === 'length' ? Infinity : 'a'; } })",
      ]);
      return { kind: 'event', src: send(rng.chance(0.5) ? src : `{ value: ${src} }`), raw: 'toomany' };
    }],
    [2, 'empty-array', () => {
      const src = rng.pick(['[]', 'Object.freeze([])', 'new Array(0)', 'new Proxy([], {})', "Object.assign([], { value: 'x' })", "new Proxy(['a'], { get(t, k) { return k === 'length' ? NaN : t[k]; } })", "new Proxy(['a'], { get(t, k) { return k === 'length' ? -1 : t[k]; } })"]);
      return { kind: 'event', src: send(rng.chance(0.5) ? src : `{ value: ${src} }`), raw: [] };
    }],
    // ---- strings: empty and blank, too long, lone surrogates ----
    [5, 'blank', () => {
      let s = '';
      for (let i = rng.int(4); i > 0; i--) s += rng.pick(BLANK);
      const bad = el(s);
      if (rng.chance(0.5)) return { kind: 'event', src: send(rng.chance(0.3) ? lit(s) : `{ value: ${lit(s)} }`), raw: [s] };
      const len = rng.range(2, 4);
      const at = rng.int(len);
      const elems = Array.from({ length: len }, (_, i) => (i === at ? bad : i < at || rng.chance(0.5) ? el(valid(`${id()}.${i}`)) : badElement(id())));
      return { kind: 'event', src: send(`{ value: ${arr(elems).src} }`), raw: arr(elems).raw };
    }],
    [4, 'too-long', () => {
      // Built in the page: the source stays short.
      const head = `${id()} `;
      const [ch, total] = [rng.pick(['x', 'é', '日', '😀']), rng.pick([256, 256, 257, 300, 1000, 8192, 70000])];
      const reps = Math.ceil((total - head.length) / ch.length);
      const s = head + ch.repeat(reps);
      const long = { src: `${lit(head)} + ${lit(ch)}.repeat(${reps})`, el: s };
      const v = rng.chance(0.5) ? { src: long.src, raw: [s] } : arr([el(valid(`${id()}.a`)), long].slice(rng.int(2)));
      return { kind: 'event', src: send(rng.chance(0.3) ? v.src : `{ value: ${v.src} }`), raw: v.raw };
    }],
    [4, 'lone-surrogate', () => {
      const s = rng.pick([
        `${id()}\ud800`, `\udfff${id()}`, `${id()}\ud83d`, `\ude00${id()}`, `${id()}\ude00\ud83d`, `a\ud800b ${id()}`,
        `${id()} ${'😀'.repeat(3)}\ud83d`, `\udbff\udbff ${id()}`,
      ]);
      const v = rng.chance(0.5) ? str(s) : arr([el(valid(`${id()}.a`)), el(s)].slice(rng.int(2)));
      return { kind: 'event', src: send(rng.chance(0.3) && v.raw.length === 1 ? v.src : `{ value: ${v.src} }`), raw: v.raw };
    }],
    [3, 'mixed-faults', () => {
      // Several faults in one array: the first one (in order) decides.
      const len = rng.range(2, 4);
      const elems = Array.from({ length: len }, (_, i) => (rng.chance(0.6) ? badElement(`${id()}.${i}`) : el(valid(`${id()}.${i}`))));
      const v = arr(elems);
      return { kind: 'event', src: send(rng.chance(0.5) ? v.src : `{ value: ${v.src} }`), raw: v.raw };
    }],
    // ---- reads that throw: getters, Proxies, revoked Proxies ----
    [5, 'throwing-getter', () => {
      const t = rng.pick(THROWN);
      const src = rng.pick([
        `{ get value() { throw ${t}; } }`,
        `Object.defineProperty({}, 'value', { get() { throw ${t}; } })`,
        `new (class Data { get value() { throw ${t}; } })()`,
        `Object.create({ get value() { throw ${t}; } })`,
        `Object.freeze({ get value() { throw ${t}; } })`,
        `Object.assign(function data() {}, Object.defineProperty({}, 'value', { enumerable: true, get() { return 'copied'; } }))`,
      ]);
      // Object.assign reads the getter while building: that one is a valid value 'copied'.
      if (src.includes("'copied'")) return { kind: 'event', src: send(src), raw: ['copied'] };
      return { kind: 'event', src: send(src, extras()), raw: 'unreadable' };
    }],
    [3, 'throwing-element', () => {
      const len = rng.range(1, 4);
      const at = rng.int(len);
      const t = rng.pick(THROWN);
      const parts = Array.from({ length: len }, (_, i) => lit(i === at ? 'x' : valid(`${id()}.${i}`)));
      const src = `Object.defineProperty([${parts.join(', ')}], ${at}, { get() { throw ${t}; } })`;
      return { kind: 'event', src: send(rng.chance(0.5) ? src : `{ value: ${src} }`), raw: 'unreadable' };
    }],
    [5, 'throwing-proxy', () => {
      const t = rng.pick(THROWN);
      const [src, raw] = rng.pick([
        [`new Proxy({}, { get() { throw ${t}; } })`, 'unreadable'],
        [`new Proxy({ value: 'a' }, { get() { throw ${t}; } })`, 'unreadable'],
        [`new Proxy({}, ${ALL_TRAPS_THROW})`, 'unreadable'],
        [`new Proxy(function () {}, ${ALL_TRAPS_THROW})`, 'unreadable'],
        [`new Proxy([], ${ALL_TRAPS_THROW})`, 'unreadable'],
        [`new Proxy(['a'], { get() { throw ${t}; } })`, 'unreadable'],
        [`{ value: new Proxy([], ${ALL_TRAPS_THROW}) }`, 'unreadable'],
        [`{ value: new Proxy(['a', 'b'], { get(t, k) { if (k === 'length') return 2; throw ${t}; } }) }`, 'unreadable'],
        [`{ value: new Proxy(['a'], { get(t, k) { return k === 'length' ? '1' : t[k]; } }) }`, 'unreadable'], // length not a number
        [`{ value: new Proxy(['a'], { get(t, k) { return k === 'length' ? undefined : t[k]; } }) }`, 'unreadable'],
        // Only typeof is asked of a value that is not an Array: no trap runs.
        [`{ value: new Proxy({}, ${ALL_TRAPS_THROW}) }`, [NOT]],
        [`{ value: new Proxy({}, { get() { throw ${t}; } }) }`, [NOT]],
        [`{ value: [new Proxy({}, ${ALL_TRAPS_THROW})] }`, [NOT]],
      ]);
      return { kind: 'event', src: send(src, extras()), raw };
    }],
    [3, 'revoked-proxy', () => {
      const revoked = (target) => `(() => { const p = Proxy.revocable(${target}, {}); p.revoke(); return p.proxy; })()`;
      const [src, raw] = rng.pick([
        [revoked('{}'), 'unreadable'], [revoked('[]'), 'unreadable'], [revoked('function () {}'), 'unreadable'],
        [`{ value: ${revoked('[]')} }`, 'unreadable'], [`{ value: ${revoked('{}')} }`, 'unreadable'],
        [`{ value: [${revoked('{}')}] }`, [NOT]], [`{ get value() { return ${revoked("['a']")}; } }`, 'unreadable'],
      ]);
      return { kind: 'event', src: send(src), raw };
    }],
    [2, 'throwing-after-reentry', () => {
      const inner = [`inner ${id()}`];
      return { kind: 'event', src: send(`{ get value() { __rtpInner.push(rtp('send', 'event', { value: ${lit(inner[0])} })); throw new Error('after'); } }`), raw: 'unreadable', inner };
    }],
    // ---- conversion traps, frozen and cyclic objects ----
    [4, 'conversion-traps', () => {
      const u = valid(id());
      const traps = `{ ${CONVERSION_TRAPS} }`;
      const [src, raw] = rng.pick([
        [traps, 'inherit'], [`{ value: ${traps} }`, [NOT]], [`{ value: [${lit(u)}, ${traps}] }`, [u, NOT]],
        [`Object.assign([${lit(u)}], { ${CONVERSION_TRAPS} })`, [u]],
        [`{ value: new (class Label { ${CONVERSION_TRAPS.replaceAll('}, ', '} ')} })() }`, [NOT]],
        [`{ value: { toString() { return ${lit(u)}; } } }`, [NOT]],
        [`{ value: Object.assign(Object.create(null), { ${CONVERSION_TRAPS} }) }`, [NOT]],
      ]);
      return { kind: 'event', src: send(src, extras()), raw };
    }],
    [3, 'frozen-cyclic', () => {
      const u = valid(id());
      const [src, raw] = rng.pick([
        [`(() => { const o = { value: ${lit(u)} }; o.o = o; return Object.freeze(o); })()`, [u]],
        [`(() => { const a = [${lit(u)}]; a.push(a); return { value: a }; })()`, [u, NOT]],
        [`(() => { const a = [${lit(u)}, 'b', 'c', 'd']; a.push(a); return a; })()`, 'toomany'],
        [`(() => { const o = {}; o.value = o; return o; })()`, [NOT]],
        [`(() => { const o = {}; o.value = [o]; return Object.freeze(o); })()`, [NOT]],
        [`Object.freeze([Object.freeze(${lit(u)})])`, [u]],
        [`(() => { const a = Object.freeze([${lit(u)}]); return Object.freeze({ value: a, a }); })()`, [u]],
      ]);
      if (Array.isArray(raw) && judge(raw) === 'valid') accepted.push(raw);
      return { kind: 'event', src: send(src), raw };
    }],
    // ---- wrong action/method types, other commands ----
    [5, 'not-a-command', () => ({ kind: 'fixed', src: `[${rng.pick(NOT_A_COMMAND)}, ${rng.pick(['"event"', "'event'", ...NOT_EVENT])}, ${rng.pick(ANY_SAFE)}, ${rng.pick(ANY_SAFE)}]`, expect: 'ignored' })],
    [4, 'send-not-event', () => {
      const data = rng.chance(0.5) ? `{ value: ${lit(valid(id()))} }` : rng.pick(ANY_SAFE);
      return { kind: 'fixed', src: `['send', ${rng.pick(NOT_EVENT)}, ${data}${rng.chance(0.3) ? `, ${rng.pick(ANY_SAFE)}` : ''}]`, expect: 'ignored' };
    }],
    [2, 'unsupported', () => {
      const [a, m] = rng.pick(UNSUPPORTED_NAMES);
      const tail = Array.from({ length: rng.int(3) }, () => rng.pick([...CALLBACKS, ...ANY_SAFE]));
      return { kind: 'fixed', src: `[${[a, m, ...tail].join(', ')}]`, expect: 'ignored' };
    }],
    [2, 'no-arguments', () => ({ kind: 'fixed', src: rng.pick(['[]', '[undefined]', '[null, null, null, null, null, null]', '[, , , ,]', `[${rng.pick(ANY_SAFE)}]`]), expect: 'ignored' })],
    [3, 'set-account', () => {
      const u = valid(id());
      const [x, ok] = rng.pick([
        [lit(u), accountOk(u)], [lit('acc'), true], ["''", false], [lit(rng.pick(BLANK)), false], ["'x'.repeat(256)", false],
        ["'x'.repeat(255)", true], ["'\\ud800'", true], ...[...PRIMITIVES, 'null', 'undefined', '{}', "['acc']", "new String('acc')", `({ ${CONVERSION_TRAPS} })`].map((p) => [p, false]),
      ]);
      const form = rng.chance(0.5) ? `['setAccount', ${x}` : `['set', 'account', ${x}`;
      return { kind: 'fixed', src: `${form}${rng.chance(0.2) ? `, ${rng.pick(ANY)}` : ''}]`, expect: ok ? 'ok' : 'bad_account' };
    }],
    [2, 'set-endpoint', () => {
      const [x, v] = rng.pick(ENDPOINTS);
      return { kind: 'fixed', src: `['set', 'endpoint', ${x}]`, expect: v };
    }],
    [2, 'set-harmless', () => {
      const src = rng.pick([
        `['set', 'debug', ${rng.pick(FALSY)}]`, "['set', 'consent', true]", `['set', 'honorDnt', ${rng.pick(FALSY)}]`,
      ]);
      return { kind: 'fixed', src, expect: 'ok' };
    }],
    [disputed ? 2 : 0, 'set-unknown', () => ({ kind: 'fixed', src: `['set', ${rng.pick(SETTINGS_UNKNOWN)}, ${rng.pick(ANY_SAFE)}]`, expect: DISPUTED.unknown_setting, disputed: 'unknown_setting' })],
    [1, 'flush', () => ({ kind: 'fixed', src: `['flush'${Array.from({ length: rng.int(3) }, () => `, ${rng.pick([...CALLBACKS, ...ANY_SAFE])}`).join('')}]`, expect: 'promise' })],
    [3, 'view', () => {
      const [x, page] = rng.pick([
        [null, 'PAGE'], ['undefined', 'PAGE'], ['null', 'PAGE'], ["''", 'PAGE'], [lit(`/corpus/view/${id()}`), `/corpus/view/${id()}`],
        [lit(`https://example.com/corpus?v=${id()}#h`), `https://example.com/corpus?v=${id()}#h`],
        ...[...PRIMITIVES, '{}', '[]', "['/x']", "new String('/x')", `({ ${CONVERSION_TRAPS} })`, `new Proxy({}, ${ALL_TRAPS_THROW})`, "'x'.repeat(8193)"].map((p) => [p, 'bad']),
      ]);
      const extra = rng.chance(0.2) ? `, ${rng.pick(ANY)}` : '';
      return { kind: 'view', src: `['send', 'view'${x === null ? (extra ? ', undefined' : '') : `, ${x}`}${extra}]`, page };
    }],
    [2, 'extra-arguments', () => {
      const k = rng.range(3, 12);
      const rest = Array.from({ length: k }, () => rng.pick(ANY));
      if (rng.chance(0.5)) {
        const vals = [valid(id())];
        accepted.push(vals);
        return { kind: 'event', src: send(`{ value: ${lit(vals[0])} }`, rest), raw: vals };
      }
      const x = badElement(id());
      return { kind: 'event', src: send(`{ value: [${x.src}] }`, rest), raw: [x.el] };
    }],
  ];
  // U+0085 (NEL) is Unicode white space but not what trim removes: text (make fuzz found
  // the tag calling it blank). Alone, it is one value: sent once, then a repeat.
  CATEGORIES.push([1, 'nel-is-text', () => {
    const s = rng.pick([NEL, `${NEL}${NEL}`, ` ${NEL}`, `${NEL}\t`, `\u3000${NEL}\ufeff`, `${NEL} ${id()}`]);
    return { kind: 'event', src: send(`{ value: ${lit(s)} }`), raw: [s] };
  }]);

  while (n < count) {
    const [, cat, make] = rng.weighted(CATEGORIES);
    const p = make();
    if (!p) continue;
    add('main', cat, p);
    n++;
  }
  // The 1 MB strings (slow: a few only).
  const MB = "'x'.repeat(1 << 20)";
  const slows = [
    { kind: 'event', src: send(`{ value: ${MB} }`), raw: ['x'.repeat(256)] },
    { kind: 'event', src: send(MB), raw: ['x'.repeat(256)] },
    { kind: 'event', src: send(`{ value: ['ok', ${MB}] }`), raw: ['ok', 'x'.repeat(256)] },
    { kind: 'event', src: send(`{ value: ${MB} + '\\ud800' }`), raw: ['x'.repeat(256)] },
    { kind: 'fixed', src: `[${MB}, 'event', { value: 'x' }]`, expect: 'ignored' },
    { kind: 'fixed', src: `['setAccount', ${MB}]`, expect: 'bad_account' },
    { kind: 'fixed', src: `['set', 'endpoint', ${MB}]`, expect: 'bad_endpoint' },
    { kind: 'view', src: `['send', 'view', ${MB}]`, page: 'bad' },
  ].slice(0, slow);
  slows.forEach((p, k) => {
    // Spread through the main section.
    const at = Math.floor(((k + 1) * protos.length) / (slows.length + 1));
    protos.splice(at, 0, { section: 'main', cat: 'one-megabyte', slow: true, ...p });
  });

  if (sections) {
    for (const pollution of ['string', 'array', 'throwing']) {
      const section = `polluted-${pollution}`;
      for (let k = 0; k < 120; k++, n++) {
        const u = valid(id());
        const [src, raw] = rng.pick([
          [rng.pick(INHERITING), 'inherit'], ['{}', 'inherit'], ['function data() {}', 'inherit'],
          ['Object.create(null)', 'missing'], ['{ value: undefined }', 'missing'], ['{ value: null }', 'missing'],
          [`{ value: ${lit(u)} }`, [u]], [`[${lit(u)}]`, [u]], [lit(u), [u]], ['{ value: {} }', [NOT]], ['42', [NOT]],
          ['undefined', 'missing'], [`Object.create({ value: ${lit(u)} })`, [u]],
        ]);
        add(section, 'polluted-prototype', { kind: 'event', src: send(src), raw, pollution });
      }
    }
    // Consent: denied, every send (valid or not, event or view) is 'no_consent' and not held;
    // only true grants it again, and what was refused can then be sent.
    const refused = [];
    add('consent', 'consent', { kind: 'consent', src: "['set', 'consent', false]", grant: false });
    for (let k = 0; k < 40; k++, n++) {
      if (k % 10 === 9) {
        add('consent', 'consent', { kind: 'consent', src: `['set', 'consent', ${rng.pick(["'true'", '1', '{}', "[true]", 'new Boolean(true)', ...FALSY])}]`, grant: false });
        continue;
      }
      const vals = [valid(id())];
      const [src, raw] = rng.pick([
        [`{ value: ${lit(vals[0])} }`, vals], [lit(vals[0]), vals], ['42', [NOT]], ['undefined', 'missing'],
        [`{ get value() { throw new Error('x'); } }`, 'unreadable'],
      ]);
      if (raw === vals) refused.push(vals);
      if (rng.chance(0.15)) add('consent', 'consent', { kind: 'view', src: `['send', 'view', ${rng.pick(["'/v'", '42'])}]`, page: 'bad' });
      else add('consent', 'consent', { kind: 'event', src: send(src), raw });
    }
    add('consent', 'consent', { kind: 'consent', src: "['set', 'consent', true]", grant: true });
    for (const vals of refused) { add('consent', 'consent', { kind: 'event', src: send(`{ value: ${lit(vals[0])} }`), raw: vals }); n++; }
  }

  // ---- the oracle, in run order ----
  const seen = new Set();
  let denied = false;
  const event = (raw, p) => {
    if (denied) return 'no_consent';
    if (raw === 'inherit') {
      const pol = POLLUTIONS[p.pollution || 'none'];
      raw = pol.raw || 'missing';
    }
    const j = judge(raw);
    if (j !== 'valid') return { expect: j };
    const key = JSON.stringify(raw);
    if (seen.has(key)) return { expect: 'duplicate' };
    seen.add(key);
    return { expect: 'accepted', values: raw };
  };
  return protos.filter((p) => keep({ cat: p.cat, src: p.src })).map((p, i) => {
    const c = { i, section: p.section, cat: p.cat, src: p.src, slow: !!p.slow };
    if (p.pollution) c.pollution = p.pollution;
    if (p.inner) {
      const r = event(p.inner, p);
      c.inner = { expect: typeof r === 'string' ? r : r.expect, values: r.values };
    }
    if (p.kind === 'event') {
      const r = event(p.raw, p);
      Object.assign(c, typeof r === 'string' ? { expect: r } : r);
    } else if (p.kind === 'view') {
      c.expect = denied ? 'no_consent' : p.page === 'bad' ? 'bad_page' : 'accepted';
      if (c.expect === 'accepted') c.view = p.page;
    } else if (p.kind === 'consent') {
      denied = !p.grant;
      c.expect = 'ok';
    } else {
      c.expect = p.expect;
      if (p.disputed) c.disputed = p.disputed;
    }
    return c;
  });
}

/**
 * Tokens of the rate limit (README "Rate limit": 2,000 sends at once per page, then 10/s) that
 * a case takes: one per event or view it gets accepted; repeats and invalid calls take none.
 */
export function tokens(c) {
  return (c.expect === 'accepted' && (c.values || c.view) ? 1 : 0) + (c.inner?.expect === 'accepted' ? 1 : 0);
}

/** How many cases of each category, and of each expected verdict. */
export function census(cases) {
  const by = (f) => cases.reduce((m, c) => { const k = f(c); m[k] = (m[k] || 0) + 1; return m; }, {});
  return { categories: by((c) => c.cat), verdicts: by((c) => [].concat(c.expect).join('|')) };
}

/*
 * sortition verifier page: checks a published panel draw in the browser, with nothing sent anywhere.
 *
 * This file mirrors docs/reference_verifier.py and sortition/verify.py in plain JavaScript (no library,
 * no build step). It runs in a browser (the page embeds it) and in Node.js (the tests load it with
 * require()). Everything is computed from the two public files:
 *   lottery.json - the committed lottery (its SHA-256 is the commitment, published before the seed);
 *   draw.json    - the draw record (seed, panel index, panel, reserve list, replacement events).
 * The randomness is sortition stream v1 (docs/randomness.md): HMAC-SHA256 from WebCrypto, 64-bit words as
 * BigInt, uniform(n) by rejection. Values from the files are only ever shown with textContent.
 *
 * SPDX-License-Identifier: EUPL-1.2
 */
"use strict";

(function (root) {
  const LOTTERY_FORMAT = "sortition-lottery/1";
  const DRAW_FORMAT = "sortition-draw/1";
  const LEGACY = "legacy";
  const EVENT_TYPE = "replacement";
  const RULE_FIT = "first-fitting-reserve";
  const RULE_QUOTA_BREAK = "fewest-quota-breaks";
  const PROBABILITY_TOLERANCE = 1e-9;
  const TWO_64 = 1n << 64n;
  const subtle = root.crypto.subtle;
  const utf8 = new TextEncoder();

  /* ------------------------------------------------------------------ bytes */

  function toHex(bytes) {
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function concat(...parts) {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  function uint64be(i) {
    const out = new Uint8Array(8);
    new DataView(out.buffer).setBigUint64(0, BigInt(i));
    return out;
  }

  /** Compare two byte strings as unsigned big-endian numbers (-1, 0, 1). */
  function compareBytes(a, b) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
    }
    return a.length - b.length;
  }

  /** Compare two strings by code point, as Python sorts str (JavaScript's < compares UTF-16 units). */
  function compareCodePoints(a, b) {
    const x = Array.from(a);
    const y = Array.from(b);
    for (let i = 0; i < Math.min(x.length, y.length); i++) {
      const p = x[i].codePointAt(0);
      const q = y[i].codePointAt(0);
      if (p !== q) return p < q ? -1 : 1;
    }
    return x.length - y.length;
  }

  async function sha256(bytes) {
    return new Uint8Array(await subtle.digest("SHA-256", bytes));
  }

  async function hmacKey(keyBytes) {
    return subtle.importKey("raw", keyBytes, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  }

  async function hmac(cryptoKey, message) {
    return new Uint8Array(await subtle.sign("HMAC", cryptoKey, message));
  }

  /* ------------------------------------------------------- stream v1 (docs/randomness.md) */

  // Python's str.isspace(): the characters strip() removes around the seed (section 2).
  const PY_SPACE = new Set([
    0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680,
    0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a,
    0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
  ]);

  function isPySpace(ch) {
    return PY_SPACE.has(ch.codePointAt(0));
  }

  /** The seed as used: NFC, surrounding (Python) whitespace removed. */
  function normaliseSeed(text) {
    const chars = Array.from(text.normalize("NFC"));
    let start = 0;
    let end = chars.length;
    while (start < end && isPySpace(chars[start])) start++;
    while (end > start && isPySpace(chars[end - 1])) end--;
    return chars.slice(start, end).join("");
  }

  /** K = HMAC(key = C, msg = "sortition-v1" || 0x00 || seed_utf8); returns the 32 key bytes. */
  async function deriveKey(commitment, seed) {
    const text = normaliseSeed(seed);
    if (!text) throw new Error("the seed is empty");
    const msg = concat(utf8.encode("sortition-v1"), new Uint8Array([0]), utf8.encode(text));
    return hmac(await hmacKey(commitment), msg);
  }

  /** The words of one label: block i = HMAC(K, label || 0x00 || uint64_be(i)), four big-endian words each. */
  class Stream {
    constructor(key, label) {
      this.key = key;
      this.label = utf8.encode(label);
      this.block = 0;
      this.buffer = [];
      this.wordsUsed = 0;
      this.cryptoKey = null;
    }

    async nextWord() {
      if (this.buffer.length === 0) {
        this.cryptoKey = this.cryptoKey || (await hmacKey(this.key));
        const msg = concat(this.label, new Uint8Array([0]), uint64be(this.block));
        const bytes = await hmac(this.cryptoKey, msg);
        this.block += 1;
        const view = new DataView(bytes.buffer);
        this.buffer = [0, 8, 16, 24].map((at) => view.getBigUint64(at));
      }
      this.wordsUsed += 1;
      return this.buffer.shift();
    }

    /** uniform(n): next word w; while w >= 2^64 - (2^64 mod n) take another; return w mod n (a BigInt). */
    async uniform(n) {
      const size = BigInt(n);
      if (size < 1n || size > TWO_64) throw new RangeError("uniform(n) needs 1 <= n <= 2^64");
      const limit = TWO_64 - (TWO_64 % size);
      let w = await this.nextWord();
      while (w >= limit) w = await this.nextWord();
      return w % size;
    }

    /** A real in [0, 1) from one word (legacy algorithm only): (w >> 11) * 2^-53, exact in a double. */
    async randomReal() {
      return Number((await this.nextWord()) >> 11n) * 2 ** -53;
    }

    /** Fisher-Yates downwards: for i from L-1 to 1, j = uniform(i + 1), swap positions i and j. */
    async shuffle(items) {
      const out = items.slice();
      for (let i = out.length - 1; i > 0; i--) {
        const j = Number(await this.uniform(i + 1));
        [out[i], out[j]] = [out[j], out[i]];
      }
      return out;
    }
  }

  /** rank(id) = HMAC(K, "rank" || 0x00 || id_utf8), 32 bytes. */
  async function rank(cryptoKey, ident) {
    return hmac(cryptoKey, concat(utf8.encode("rank"), new Uint8Array([0]), utf8.encode(ident)));
  }

  /** The ids ordered by rank bytes, ties (an HMAC collision) broken by id. */
  async function orderByRank(key, idents) {
    const cryptoKey = await hmacKey(key);
    const ranks = await Promise.all(idents.map((id) => rank(cryptoKey, id)));
    const order = idents.map((id, i) => ({ id, rank: ranks[i] }));
    order.sort((a, b) => compareBytes(a.rank, b.rank) || compareCodePoints(a.id, b.id));
    return order.map((x) => x.id);
  }

  /* ------------------------------------------- JSON exactly as Python reads and writes it */

  /** A JSON number with its literal kept: Python tells 1 (int) from 1.0 (float), JavaScript does not. */
  class PyNumber {
    constructor(text) {
      this.text = text;
      this.isInt = /^-?\d+$/.test(text);
    }

    valueOf() {
      return Number(this.text);
    }
  }

  /**
   * Parse JSON text like Python's json.loads: numbers keep their literal (PyNumber), objects become Maps
   * (the last of duplicate keys wins), NaN / Infinity / -Infinity are accepted as Python does.
   */
  function parsePyJson(text) {
    let at = 0;
    const fail = (what) => {
      throw new SyntaxError(`${what} at character ${at}`);
    };
    const ws = () => {
      while (at < text.length && " \t\n\r".includes(text[at])) at++;
    };
    const literal = (word, value) => {
      if (text.startsWith(word, at)) {
        at += word.length;
        return value;
      }
      return fail("unexpected text");
    };
    function string() {
      at++; // opening quote
      let out = "";
      for (;;) {
        const ch = text[at];
        if (ch === undefined) fail("unterminated string");
        if (ch === '"') {
          at++;
          return out;
        }
        if (ch < " ") fail("control character in a string");
        if (ch !== "\\") {
          out += ch;
          at++;
          continue;
        }
        const esc = text[at + 1];
        const simple = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
        if (esc in simple) {
          out += simple[esc];
          at += 2;
        } else if (esc === "u" && /^[0-9a-fA-F]{4}$/.test(text.slice(at + 2, at + 6))) {
          out += String.fromCharCode(parseInt(text.slice(at + 2, at + 6), 16));
          at += 6;
        } else {
          fail("bad escape");
        }
      }
    }
    function value() {
      ws();
      const ch = text[at];
      if (ch === "{") {
        at++;
        const map = new Map();
        ws();
        if (text[at] === "}") {
          at++;
          return map;
        }
        for (;;) {
          ws();
          if (text[at] !== '"') fail("expected a key");
          const key = string();
          ws();
          if (text[at] !== ":") fail("expected ':'");
          at++;
          map.set(key, value());
          ws();
          if (text[at] === ",") at++;
          else if (text[at] === "}") {
            at++;
            return map;
          } else fail("expected ',' or '}'");
        }
      }
      if (ch === "[") {
        at++;
        const list = [];
        ws();
        if (text[at] === "]") {
          at++;
          return list;
        }
        for (;;) {
          list.push(value());
          ws();
          if (text[at] === ",") at++;
          else if (text[at] === "]") {
            at++;
            return list;
          } else fail("expected ',' or ']'");
        }
      }
      if (ch === '"') return string();
      if (ch === "t") return literal("true", true);
      if (ch === "f") return literal("false", false);
      if (ch === "n") return literal("null", null);
      if (ch === "N") return literal("NaN", new PyNumber("NaN"));
      if (ch === "I") return literal("Infinity", new PyNumber("Infinity"));
      if (text.startsWith("-Infinity", at)) return literal("-Infinity", new PyNumber("-Infinity"));
      const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/.exec(text.slice(at, at + 400));
      if (!m) fail("unexpected character");
      at += m[0].length;
      return new PyNumber(m[0]);
    }
    const result = value();
    ws();
    if (at !== text.length) fail("extra data");
    return result;
  }

  /** Python's repr() of a float (shortest round-trip digits; exponent form below 1e-4 and from 1e16). */
  function pyFloatRepr(x) {
    if (Number.isNaN(x) || !Number.isFinite(x)) throw new RangeError("NaN and infinity are not JSON");
    if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
    const sign = x < 0 ? "-" : "";
    const [mant, exp] = Math.abs(x).toExponential().split("e"); // shortest digits, e.g. "1.5e+16"
    const digits = mant.replace(".", "");
    const decpt = Number(exp) + 1; // position of the decimal point relative to the digits
    if (decpt > -4 && decpt <= 16) {
      if (decpt <= 0) return `${sign}0.${"0".repeat(-decpt)}${digits}`;
      if (decpt >= digits.length) return `${sign}${digits}${"0".repeat(decpt - digits.length)}.0`;
      return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
    }
    const e = decpt - 1;
    const frac = digits.length > 1 ? `.${digits.slice(1)}` : "";
    return `${sign}${digits[0]}${frac}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  }

  function pyString(s) {
    // json.dumps(ensure_ascii=False) escapes only the quote, the backslash and control characters.
    const named = { '"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f" };
    // eslint-disable-next-line no-control-regex
    return `"${s.replace(/["\\\u0000-\u001f]/g, (c) => named[c] || `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)}"`;
  }

  /**
   * The canonical JSON text of a value, as sortition.files.canonical_json writes it: sorted keys,
   * ensure_ascii=False, indent=1, trailing newline. Accepts parsePyJson trees and plain values.
   */
  function canonicalJson(value) {
    function dump(v, depth) {
      const pad = "\n" + " ".repeat(depth + 1);
      const end = "\n" + " ".repeat(depth);
      if (v === null) return "null";
      if (v === true) return "true";
      if (v === false) return "false";
      if (typeof v === "string") return pyString(v);
      if (typeof v === "bigint") return v.toString();
      if (v instanceof PyNumber) return v.isInt ? BigInt(v.text).toString() : pyFloatRepr(Number(v.text));
      if (typeof v === "number") return Number.isInteger(v) ? String(v) : pyFloatRepr(v);
      if (Array.isArray(v)) {
        if (v.length === 0) return "[]";
        return "[" + v.map((x) => pad + dump(x, depth + 1)).join(",") + end + "]";
      }
      const entries = v instanceof Map ? Array.from(v.entries()) : Object.entries(v);
      if (entries.length === 0) return "{}";
      entries.sort((a, b) => compareCodePoints(a[0], b[0]));
      return "{" + entries.map(([k, x]) => pad + pyString(k) + ": " + dump(x, depth + 1)).join(",") + end + "}";
    }
    return dump(value, 0) + "\n";
  }

  /** A parsePyJson tree as plain values for the checks (objects without prototype, numbers as Number). */
  function plain(v) {
    if (v instanceof PyNumber) return Number(v.text);
    if (Array.isArray(v)) return v.map(plain);
    if (v instanceof Map) {
      const out = Object.create(null);
      for (const [k, x] of v) out[k] = plain(x);
      return out;
    }
    return v;
  }

  const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
  const get = (obj, key, fallback) => (isObject(obj) && key in obj ? obj[key] : fallback);

  /**
   * What lottery.json says when the time limit stopped its computation (as sortition/rules/computation.py
   * early_stop reads it): { lowest, bound (null without one), limit (seconds, or null) }, or null when it
   * finished. Information for the reader, not a check: such a lottery is as valid as any.
   */
  function earlyStop(lottery) {
    const stats = get(lottery, "statistics");
    if (!isObject(stats) || !stats.time_limit_reached) return null;
    const num = (v) => (typeof v === "number" && Number.isFinite(v) ? v : null);
    const lowest = num(get(stats, "min_probability_reached", stats.distribution_min_probability));
    if (lowest === null) return null;
    let bound = num(stats.min_probability_upper_bound);
    if (bound !== null && bound < lowest - 1e-12) bound = null; // a bound below the lowest is no bound
    return { lowest, bound, limit: num(get(lottery.settings, "time_limit_seconds")) };
  }

  /**
   * Equality of JSON values as sortition verify applies it to records that passed their schema
   * (schemacheck.json_equal): 1 equals 1.0, objects compare without order, but a boolean is never a number:
   * `true` where the schema wants an integer (a reserve rank, a panel index) fails as it does there.
   */
  function jsonEqual(a, b) {
    if (typeof a === "boolean" || typeof b === "boolean") return a === b;
    if (typeof a === "number" && typeof b === "number") return a === b;
    if (Array.isArray(a) || Array.isArray(b)) {
      return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
    }
    if (isObject(a) && isObject(b)) {
      const ka = Object.keys(a);
      return ka.length === Object.keys(b).length && ka.every((k) => k in b && jsonEqual(a[k], b[k]));
    }
    return a === b;
  }

  /**
   * A whole number where the lottery schema wants an integer (sortition/schemas, schemacheck.py): a JSON
   * number with no fraction (3 or 3.0). Booleans, strings and 3.5 are refused, as sortition verify refuses
   * the file; else throws.
   */
  function jsonInt(v) {
    if (typeof v === "number" && Number.isInteger(v)) return v;
    throw new TypeError(`not a whole number: ${JSON.stringify(v)}`);
  }

  /* ------------------------------------------------------------- the lottery's rules */

  /** A failed check; `key` names a message of the page (in both languages), `args` fill it in. */
  class CheckFailure extends Error {
    constructor(key, args) {
      super(key);
      this.key = key;
      this.args = args || {};
    }
  }

  /**
   * The pool as the lottery file states it (sortition.lottery.public_pool): people in sorted order, the
   * quotas in sorted order, each person's value per category and household. Throws CheckFailure("malformed").
   */
  function publicPool(lottery) {
    const bad = (detail) => new CheckFailure("malformed", { detail });
    const settings = get(lottery, "settings");
    const people = get(lottery, "people");
    const categories = get(lottery, "categories");
    if (!isObject(settings) || !isObject(people) || !isObject(categories)) {
      throw bad("settings, people or categories");
    }
    let k;
    try {
      k = jsonInt(settings.panel_size);
    } catch (e) {
      throw bad("settings.panel_size");
    }
    if (!(k > 0)) throw bad("settings.panel_size");
    const typeProblem = lotteryTypeProblem(lottery);
    if (typeProblem !== null) throw bad(typeProblem);
    const cats = Object.keys(categories).sort(compareCodePoints).map((name) => {
      const vals = categories[name];
      if (!isObject(vals)) throw bad(`categories.${name}`);
      const values = Object.keys(vals).sort(compareCodePoints).map((value) => {
        const b = vals[value];
        try {
          return { value, min: jsonInt(get(b, "min")), max: jsonInt(get(b, "max")) };
        } catch (e) {
          throw bad(`categories.${name}.${value}`);
        }
      });
      return { name, values };
    });
    validateSpec(k, cats);
    const names = Object.keys(people).sort(compareCodePoints);
    const features = names.map((p) =>
      cats.map((cat) => {
        const v = get(people[p], cat.name);
        const j = cat.values.findIndex((x) => x.value === v);
        if (j < 0) throw bad(`people.${p}.${cat.name}`);
        return j;
      }),
    );
    let households = null;
    if (settings.households) {
      households = names.map((p) => {
        if (!isObject(people[p]) || !("household" in people[p])) throw bad(`people.${p}.household`);
        return JSON.stringify(people[p].household);
      });
    }
    const index = new Map(names.map((p, i) => [p, i]));
    return { k, cats, names, features, households, index };
  }

  /**
   * The typed fields of lottery.schema.json the page reads or shows, beside panel_size and the quotas: the
   * field's name when one has another type or is out of range (sortition verify refuses such a file), else
   * null. A boolean is never a number here (`households: 1`, `time_limit_reached: true` are refused).
   */
  function lotteryTypeProblem(lottery) {
    const whole = (v, low, high) => typeof v === "number" && Number.isInteger(v) && v >= low && v <= high;
    const number = (v, low, high) => typeof v === "number" && v >= low && v <= high;
    const settings = lottery.settings;
    const fields = [
      ["settings.panels", settings.panels, (v) => whole(v, 0, Infinity), true],
      ["settings.households", settings.households, (v) => typeof v === "boolean", true],
      ["settings.legacy_runs", settings.legacy_runs, (v) => whole(v, 1, Infinity), false],
      ["settings.time_limit_seconds", settings.time_limit_seconds, (v) => number(v, 0, Infinity), false],
      ["settings.practice", settings.practice, (v) => typeof v === "boolean", false],
    ];
    const stats = get(lottery, "statistics");
    if (stats !== undefined && !isObject(stats)) return "statistics";
    if (isObject(stats)) {
      fields.push(["statistics.time_limit_reached", stats.time_limit_reached, (v) => whole(v, 0, 1), false]);
      for (const name of ["distribution_min_probability", "min_probability_reached", "min_probability_upper_bound"]) {
        fields.push([`statistics.${name}`, stats[name], (v) => number(v, 0, 1), false]);
      }
    }
    for (const [name, value, ok, required] of fields) {
      if (value === undefined ? required : !ok(value)) return name;
    }
    return null;
  }

  /** The checks of quotas.model.validate_spec that a committed lottery must pass. */
  function validateSpec(k, cats) {
    const bad = (detail) => new CheckFailure("malformed", { detail });
    if (cats.length === 0) throw bad("categories");
    const seenCats = new Set();
    for (const cat of cats) {
      if (seenCats.has(cat.name.toLowerCase()) || cat.values.length === 0) throw bad(`categories.${cat.name}`);
      seenCats.add(cat.name.toLowerCase());
      const seen = new Set();
      for (const v of cat.values) {
        if (seen.has(v.value.toLowerCase()) || v.min < 0 || v.max < 0 || v.min > v.max) {
          throw bad(`categories.${cat.name}.${v.value}`);
        }
        seen.add(v.value.toLowerCase());
      }
      const lo = cat.values.reduce((n, v) => n + v.min, 0);
      const hi = cat.values.reduce((n, v) => n + v.max, 0);
      if (lo > k || hi < k) throw bad(`categories.${cat.name}`);
    }
  }

  /** Every rule a panel (person indices) breaks, in the words of quotas.model.panel_violations. */
  function panelViolations(pool, members) {
    const problems = [];
    if (new Set(members).size !== members.length) problems.push("a person appears twice");
    if (members.length !== pool.k) problems.push(`panel has ${members.length} members, not ${pool.k}`);
    pool.cats.forEach((cat, c) => {
      const counts = cat.values.map(() => 0);
      for (const i of members) counts[pool.features[i][c]] += 1;
      cat.values.forEach((vq, j) => {
        if (counts[j] < vq.min || counts[j] > vq.max) {
          problems.push(`${cat.name} ${vq.value}: ${counts[j]} not in [${vq.min}, ${vq.max}]`);
        }
      });
    });
    if (pool.households) {
      const hh = members.map((i) => pool.households[i]);
      if (new Set(hh).size !== hh.length) problems.push("two members share a household");
    }
    return problems;
  }

  /** Person indices of a list of pseudonyms; the first unknown one throws CheckFailure(unknownKey). */
  function indicesOf(pool, list, unknownKey, args) {
    return list.map((p) => {
      if (typeof p !== "string" || !pool.index.has(p)) throw new CheckFailure(unknownKey, { ...args, person: String(p) });
      return pool.index.get(p);
    });
  }

  /** Quota counts of a partial panel and what adding one person does (sortition.replace._Counts). */
  function partialCounts(pool, members) {
    const counts = pool.cats.map((cat) => cat.values.map(() => 0));
    for (const i of members) pool.cats.forEach((cat, c) => (counts[c][pool.features[i][c]] += 1));
    const households = new Set(pool.households ? members.map((i) => pool.households[i]) : []);
    return {
      sharesHousehold: (i) => pool.households !== null && households.has(pool.households[i]),
      breaksWith(i) {
        const out = [];
        pool.cats.forEach((cat, c) => {
          cat.values.forEach((vq, j) => {
            const n = counts[c][j] + (pool.features[i][c] === j ? 1 : 0);
            if (n < vq.min || n > vq.max) out.push(`${cat.name} ${vq.value}: ${n} not in [${vq.min}, ${vq.max}]`);
          });
        });
        return out;
      },
    };
  }

  /** The committed reserve rule (sortition.replace.choose_replacement); null when nobody may replace. */
  function chooseReplacement(pool, panel, reserves, used, dropout, allowQuotaBreak) {
    const counts = partialCounts(pool, panel.filter((p) => p !== dropout).map((p) => pool.index.get(p)));
    let best = null;
    for (let r = 0; r < reserves.length; r++) {
      const person = reserves[r];
      if (used.has(person)) continue;
      const i = pool.index.get(person);
      if (i === undefined) throw new CheckFailure("reserve_unknown", { person: String(person) });
      if (counts.sharesHousehold(i)) continue;
      const broken = counts.breaksWith(i);
      if (broken.length === 0) return { replacement: person, rank: r + 1, rule: RULE_FIT, breaks: [] };
      if (best === null || broken.length < best.breaks.length) {
        best = { replacement: person, rank: r + 1, rule: RULE_QUOTA_BREAK, breaks: broken };
      }
    }
    return best !== null && allowQuotaBreak ? best : null;
  }

  /* ----------------------------------------------------------------------- the checks */

  /**
   * Verify a draw from the bytes of lottery.json and draw.json, and optionally the commitment and the
   * record SHA-256 as the municipality published them. Returns
   *   { verdict: "verified" | "failed" | "incomplete", checks: [{id, status, key, args}], facts: {...} }
   * where status is "pass", "fail", "cli" (needs the command-line tool: a legacy panel, a drand signature)
   * or "note" (information). The checks and their order follow sortition verify (rules/verification.py
   * check_draw, by key: CHECK_NAMES); every check runs whatever the others found.
   */
  async function verifyDraw({ lotteryBytes, drawBytes, commitment = "", recordSha256 = "" }) {
    const checks = [];
    const facts = {};
    const add = (id, status, key, args) => checks.push({ id, status, key, args: args || {} });
    const run = async (id, fn) => {
      try {
        const [key, args] = await fn();
        add(id, "pass", key, args);
        return true;
      } catch (e) {
        if (e instanceof CheckFailure) add(id, e.status || "fail", e.key, e.args);
        else add(id, "fail", "error", { detail: String(e && e.message ? e.message : e) });
        return false;
      }
    };
    const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
    const read = (bytes) => {
      try {
        const tree = parsePyJson(decoder.decode(bytes));
        if (!(tree instanceof Map)) throw new Error("not an object");
        return tree;
      } catch (e) {
        return null;
      }
    };
    const lotteryTree = read(lotteryBytes);
    const drawTree = read(drawBytes);
    const lotteryHash = toHex(await sha256(lotteryBytes));
    const drawHash = toHex(await sha256(drawBytes));
    facts.lotteryHash = lotteryHash;
    facts.drawHash = drawHash;
    if (lotteryTree === null || drawTree === null) {
      add("files", "fail", "not_json", { file: lotteryTree === null ? "lottery.json" : "draw.json" });
      return finish(checks, facts);
    }
    const lottery = plain(lotteryTree);
    const record = plain(drawTree);
    const panels = Array.isArray(lottery.panels) ? lottery.panels : [];
    const legacy = panels.length === 0 && get(lottery.settings, "algorithm") === LEGACY;
    const seed = typeof record.seed === "string" ? record.seed : String(get(record, "seed", ""));
    facts.seed = seed;
    facts.seedSource = typeof lottery.seed_source === "string" ? lottery.seed_source : "";
    facts.panels = panels.length;
    facts.legacy = legacy;
    facts.events = Array.isArray(record.events) ? record.events.length : 0;
    facts.publishedBeforeSeed = record.commitment_published_before_seed === true;
    facts.earlyStop = earlyStop(lottery);

    // The checks of sortition verify (rules/verification.py check_draw), in its order; every one runs,
    // whatever the others found, so the page names every failure.
    await run("commitment", async () => {
      if (record.format !== DRAW_FORMAT) throw new CheckFailure("draw_format", { format: String(record.format) });
      if (lottery.format !== LOTTERY_FORMAT) throw new CheckFailure("lottery_format", { format: String(lottery.format) });
      if (record.commitment !== lotteryHash) {
        throw new CheckFailure("commitment_differs", { recorded: String(record.commitment), actual: lotteryHash });
      }
      return ["commitment_ok", { actual: lotteryHash }];
    });
    if (commitment.trim() !== "") {
      await run("published_commitment", async () => {
        const typed = commitment.trim().toLowerCase();
        if (!/^[0-9a-f]{64}$/.test(typed)) throw new CheckFailure("typed_not_sha", { typed: commitment.trim() });
        if (typed !== lotteryHash) throw new CheckFailure("published_commitment_differs", { typed, actual: lotteryHash });
        return ["published_commitment_ok", { actual: lotteryHash }];
      });
    } else {
      add("published_commitment", "note", "published_commitment_missing", {});
    }
    if ("seed_beacon" in lottery || "beacon" in record) {
      await run("beacon", () => checkBeacon(lottery, record, seed));
    }
    add("seed", "note", isDrand(seed, facts.seedSource) ? "seed_drand" : "seed_info",
      { round: drandRound(seed, facts.seedSource) });
    // The draw key K comes from the lottery file's own hash: a record naming another commitment fails above
    // and still gets its outcome recomputed here.
    await run("outcome", async () => {
      if (!normaliseSeed(seed)) throw new CheckFailure("seed_empty", {});
      if (panels.length === 0 && !legacy) throw new CheckFailure("no_panels", {});
      const key = await deriveKey(hexBytes(lotteryHash), seed);
      return checkOutcome(lottery, record, key, seed, panels, legacy, facts);
    });
    await run("record_form", () => checkRecordForm(drawTree, drawBytes, facts));
    await run("drawn_panel", async () => {
      const pool = publicPool(lottery);
      const panel = Array.isArray(record.panel) ? record.panel : [];
      const problems = panelViolations(pool, indicesOf(pool, panel, "drawn_unknown", {}));
      if (problems.length) throw new CheckFailure("drawn_breaks", { problems: problems.join("; ") });
      return ["drawn_ok", { size: panel.length }];
    });
    await run("events", () => checkEvents(lottery, record, drawTree, facts));
    await run("lottery_panels", async () => {
      const pool = publicPool(lottery);
      for (let n = 0; n < panels.length; n++) {
        if (!Array.isArray(panels[n])) throw new CheckFailure("malformed", { detail: `panels[${n}]` });
        const problems = panelViolations(pool, indicesOf(pool, panels[n], "panel_unknown", { n }));
        if (problems.length) throw new CheckFailure("panel_breaks", { n, problems: problems.join("; ") });
      }
      return [legacy ? "lottery_panels_legacy" : "lottery_panels_ok", { m: panels.length, k: pool.k }];
    });
    await run("probabilities", async () => {
      const probs = isObject(lottery.probabilities) ? lottery.probabilities : Object.create(null);
      const people = isObject(lottery.people) ? lottery.people : Object.create(null);
      const a = Object.keys(probs);
      const b = new Set(Object.keys(people));
      if (a.length !== b.size || !a.every((p) => b.has(p))) throw new CheckFailure("probabilities_people", {});
      // The lottery schema (sortition/schemas/lottery.schema.json): each probability a number from 0 to 1.
      for (const person of a) {
        const stated = probs[person];
        if (typeof stated !== "number" || !(stated >= 0 && stated <= 1)) {
          throw new CheckFailure("probability_range", { person, stated: String(stated) });
        }
      }
      if (panels.length === 0) {
        if (!lottery.probabilities_are_estimates) throw new CheckFailure("probabilities_unlabelled", {});
        return ["probabilities_estimates", {}];
      }
      const counts = new Map();
      for (const panel of panels) for (const p of panel) counts.set(p, (counts.get(p) || 0) + 1);
      const m = panels.length;
      for (const person of a) {
        const stated = probs[person];
        if (Math.abs((counts.get(person) || 0) / m - stated) > PROBABILITY_TOLERANCE) {
          throw new CheckFailure("probability_differs", { person, stated: String(stated), count: counts.get(person) || 0, m });
        }
      }
      return ["probabilities_ok", { m }];
    });
    await run("practice", async () => {
      const claim = record.commitment_published_before_seed;
      if (typeof claim !== "boolean") throw new CheckFailure("practice_claim", {});
      const practice = get(lottery.settings, "practice") === true;
      if (practice && claim) throw new CheckFailure("practice_claims_public", {});
      if (claim) return ["practice_public", {}];
      return [practice ? "practice_select" : "practice_not_public", {}];
    });
    if (recordSha256.trim() !== "") {
      await run("published_record", async () => {
        const typed = recordSha256.trim().toLowerCase();
        if (!/^[0-9a-f]{64}$/.test(typed)) throw new CheckFailure("typed_not_sha", { typed: recordSha256.trim() });
        if (typed !== drawHash) throw new CheckFailure("published_record_differs", { typed, actual: drawHash });
        return ["published_record_ok", { events: facts.events }];
      });
    } else {
      add("published_record", "note", facts.events ? "published_record_missing" : "published_record_none",
        { events: facts.events });
    }
    return finish(checks, facts);
  }

  function finish(checks, facts) {
    let verdict = "verified";
    if (checks.some((c) => c.status === "fail")) verdict = "failed";
    else if (checks.some((c) => c.status === "cli")) verdict = "incomplete";
    return { verdict, checks, facts };
  }

  function hexBytes(hex) {
    return new Uint8Array(hex.match(/../g).map((h) => parseInt(h, 16)));
  }

  function isDrand(seed, source) {
    return /drand/i.test(source) || /drand/i.test(seed);
  }

  function drandRound(seed, source) {
    const m = /round\D{0,3}(\d+)/i.exec(seed) || /round\D{0,3}(\d+)/i.exec(source);
    return m ? m[1] : "";
  }

  const QUICKNET_CHAIN_HASH = "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971";
  const isRound = (v) => Number.isInteger(v) && v >= 1;

  /**
   * The drand round the record keeps, against the round lottery.json commits to (sortition.beacon
   * recheck_beacon_seed): the committed round, randomness = SHA-256(signature), seed = randomness. The BLS
   * signature itself is checked by the sortition program only: when all else holds, the status is "cli".
   */
  async function checkBeacon(lottery, record, seed) {
    const committed = lottery.seed_beacon;
    if (committed === undefined) throw new CheckFailure("beacon_uncommitted", {});
    if (!isObject(committed) || !isRound(committed.round) || typeof committed.past_round_allowed !== "boolean"
        || committed.chain_hash !== QUICKNET_CHAIN_HASH) {
      throw new CheckFailure("malformed", { detail: "seed_beacon" });
    }
    const kept = record.beacon;
    if (kept === undefined) throw new CheckFailure("beacon_missing", { round: committed.round });
    const hex = (v, size) => typeof v === "string" && new RegExp(`^[0-9a-fA-F]{${2 * size}}$`).test(v);
    if (!isObject(kept) || kept.previous_signature || !isRound(kept.round) || !hex(kept.signature, 48)
        || !hex(kept.randomness, 32)) {
      throw new CheckFailure("beacon_malformed", {});
    }
    if (kept.round !== committed.round) {
      throw new CheckFailure("beacon_round", { round: kept.round, committed: committed.round });
    }
    const randomness = toHex(await sha256(hexBytes(kept.signature.toLowerCase())));
    if (kept.randomness.toLowerCase() !== randomness) throw new CheckFailure("beacon_randomness", { round: kept.round });
    if (seed !== randomness) throw new CheckFailure("beacon_seed", { round: kept.round, randomness });
    const e = new CheckFailure(committed.past_round_allowed ? "beacon_cli_past" : "beacon_cli", { round: kept.round });
    e.status = "cli";
    throw e;
  }

  /** Panel index, panel and reserve list recomputed from commitment + seed (sortition.draw.compute_outcome). */
  async function checkOutcome(lottery, record, key, seed, panels, legacy, facts) {
    if (record.seed !== normaliseSeed(seed)) throw new CheckFailure("seed_not_normal", {});
    const people = isObject(lottery.people) ? Object.keys(lottery.people).sort(compareCodePoints) : [];
    let panel;
    if (legacy) {
      // The legacy algorithm is re-run only by the command-line tool; the reserves still follow from ranks.
      panel = Array.isArray(record.panel) ? record.panel.map(String) : [];
    } else {
      const index = Number(await new Stream(key, "panel").uniform(panels.length));
      facts.panelIndex = index;
      if (!jsonEqual(record.panel_index, index)) {
        throw new CheckFailure("index_differs", { recorded: String(record.panel_index), index, m: panels.length });
      }
      panel = panels[index].slice().sort(compareCodePoints);
      if (!jsonEqual(record.panel, panel)) throw new CheckFailure("panel_differs", { index });
    }
    const onPanel = new Set(panel);
    const reserves = await orderByRank(key, people.filter((p) => !onPanel.has(p)));
    facts.reserves = reserves.length;
    if (!jsonEqual(record.reserves, reserves)) throw new CheckFailure("reserves_differ", {});
    if (legacy) {
      if (record.panel_index !== null) throw new CheckFailure("index_differs", { recorded: String(record.panel_index), index: "null", m: 0 });
      const e = new CheckFailure("outcome_legacy", { size: panel.length, reserves: reserves.length });
      e.status = "cli";
      throw e;
    }
    return ["outcome_ok", { index: facts.panelIndex, m: panels.length, size: panel.length, reserves: reserves.length }];
  }

  /** The record holds exactly the fields sortition writes, in its canonical bytes (draw.record_body). */
  async function checkRecordForm(drawTree, drawBytes, facts) {
    const expected = new Map();
    for (const name of ["seed", "panel", "reserves", "events"]) {
      expected.set(name, drawTree.has(name) ? drawTree.get(name) : name === "events" ? [] : null);
    }
    // What sortition writes itself: the format, the hash it computed, the index it drew (an int).
    expected.set("format", DRAW_FORMAT);
    expected.set("commitment", facts.lotteryHash);
    expected.set("panel_index", facts.legacy ? null : facts.panelIndex ?? drawTree.get("panel_index") ?? null);
    expected.set("commitment_published_before_seed", truthy(drawTree.get("commitment_published_before_seed")));
    // A drand seed: the round as drand published it (its signature is checked by sortition verify only).
    if (drawTree.has("beacon")) expected.set("beacon", drawTree.get("beacon"));
    const want = canonicalJson(expected);
    const actual = new TextDecoder("utf-8", { ignoreBOM: true }).decode(drawBytes);
    if (want === actual) return ["record_form_ok", {}];
    const fields = Array.from(drawTree.keys());
    if (fields.length === expected.size && fields.every((f) => expected.has(f)) && canonicalJson(drawTree) === want) {
      throw new CheckFailure("record_reformatted", {});
    }
    throw new CheckFailure("record_fields", {});
  }

  /** Python's bool() of a JSON value. */
  function truthy(v) {
    if (v instanceof PyNumber) return Number(v.text) !== 0;
    if (Array.isArray(v)) return v.length > 0;
    if (v instanceof Map) return v.size > 0;
    return Boolean(v);
  }

  /** Every replacement event replayed under the committed rule, with its hash-chain link (replace.replay_events). */
  async function checkEvents(lottery, record, drawTree, facts) {
    const pool = publicPool(lottery); // first, as sortition.verify does: a malformed lottery fails here too
    const events = record.events === undefined ? [] : record.events;
    if (!Array.isArray(events)) throw new CheckFailure("events_not_list", {});
    if (events.length === 0) {
      facts.currentPanel = Array.isArray(record.panel) ? record.panel.map(String) : [];
      return ["events_none", {}];
    }
    const panel = (Array.isArray(record.panel) ? record.panel : []).map(String);
    const reserves = (Array.isArray(record.reserves) ? record.reserves : []).map(String);
    const treeEvents = drawTree.get("events");
    const used = new Set();
    let breaks = 0;
    for (let n = 0; n < events.length; n++) {
      const event = events[n];
      const at = n + 1;
      if (!isObject(event) || event.type !== EVENT_TYPE) throw new CheckFailure("event_not_replacement", { at });
      const before = new Map(drawTree);
      before.set("events", treeEvents.slice(0, n));
      const expectedHash = toHex(await sha256(utf8.encode(canonicalJson(before))));
      if (event.previous_sha256 !== expectedHash) {
        throw new CheckFailure("event_chain", { at, recorded: String(event.previous_sha256), expected: expectedHash });
      }
      const dropout = event.dropout;
      if (!panel.includes(dropout)) throw new CheckFailure("event_dropout", { at, person: String(dropout) });
      const choice = chooseReplacement(pool, panel, reserves, used, String(dropout), event.rule === RULE_QUOTA_BREAK);
      if (choice === null) throw new CheckFailure("event_no_reserve", { at, person: String(dropout) });
      const expected = {
        type: EVENT_TYPE, previous_sha256: expectedHash, dropout: String(dropout), replacement: choice.replacement,
        reserve_rank: choice.rank, rule: choice.rule, quota_breaks: choice.breaks,
      };
      if (!jsonEqual(event, expected)) {
        throw new CheckFailure("event_differs", {
          at, recorded: String(event.replacement), expected: choice.replacement, rank: choice.rank,
        });
      }
      if (choice.breaks.length) breaks += 1;
      panel[panel.indexOf(String(dropout))] = choice.replacement;
      used.add(choice.replacement);
    }
    facts.currentPanel = panel;
    return [breaks ? "events_ok_breaks" : "events_ok", { count: events.length, breaks }];
  }

  /* ------------------------------------------------------------------ seed display */

  /**
   * The seed split into pieces for display: plain printable ASCII stays text; every other character is
   * marked with its code point, and invisible ones (spaces other than U+0020, control and format
   * characters, combining marks) are replaced by a visible marker, so look-alikes cannot pass unseen.
   */
  function seedPieces(seed) {
    const pieces = [];
    let plainText = "";
    for (const ch of seed) {
      const cp = ch.codePointAt(0);
      if (cp >= 0x21 && cp <= 0x7e || cp === 0x20) {
        plainText += ch;
        continue;
      }
      if (plainText) pieces.push({ text: plainText });
      plainText = "";
      const code = "U+" + cp.toString(16).toUpperCase().padStart(4, "0");
      const invisible = /[\p{C}\p{Z}\p{M}]/u.test(ch);
      pieces.push({ text: invisible ? "" : ch, code, invisible });
    }
    if (plainText) pieces.push({ text: plainText });
    return pieces;
  }

  const api = {
    LOTTERY_FORMAT, DRAW_FORMAT, toHex, sha256, normaliseSeed, deriveKey, Stream, rank: async (key, id) =>
      rank(await hmacKey(key), id), orderByRank, parsePyJson, canonicalJson, pyFloatRepr, plain, verifyDraw,
    seedPieces, isPySpace,
  };
  root.SortitionVerifier = api;
  if (typeof module !== "undefined" && module.exports) module.exports = api;
})(typeof globalThis !== "undefined" ? globalThis : window);

// Test driver: runs the verifier page's JavaScript (sortition/web/verifier.js) in Node.js for
// tests/test_verifier_page.py. One JSON request per line on stdin, one JSON answer per line on stdout.
"use strict";

const path = require("path");
const readline = require("readline");
const V = require(path.join(__dirname, "..", "sortition", "web", "verifier.js"));

const fromHex = (hex) => new Uint8Array(Buffer.from(hex, "hex"));

/** The test vectors of docs/randomness.md, line by line as docs/reference_verifier.py prints them. */
async function vectors() {
  const C = await V.sha256(new TextEncoder().encode("example lottery file\n"));
  const seed = "2026-01-01 drand round 12345";
  const K = await V.deriveKey(C, seed);
  const lines = [`commitment = ${V.toHex(C)}`, `seed = ${seed}`, `key = ${V.toHex(K)}`];
  const panel = new V.Stream(K, "panel");
  const words = [];
  for (let i = 0; i < 8; i++) words.push((await panel.nextWord()).toString(16).padStart(16, "0"));
  lines.push(`words(panel) = ${words.join(" ")}`);
  for (const n of [1n, 2n, 3n, 10n, 1000n, 2n ** 63n + 1n]) {
    const s = new V.Stream(K, "panel");
    const values = [];
    for (let i = 0; i < 5; i++) values.push(await s.uniform(n));
    lines.push(`uniform(${n}) = ${values.join(" ")} ; words used ${s.wordsUsed}`);
  }
  const legacy = new V.Stream(K, "legacy");
  const reals = [];
  for (let i = 0; i < 4; i++) reals.push(V.pyFloatRepr(await legacy.randomReal()));
  lines.push(`real(legacy) = ${reals.join(" ")}`);
  const shuffled = await new V.Stream(K, "shuffle").shuffle([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  lines.push(`shuffle(0..9) = ${shuffled.join(" ")}`);
  for (const id of ["a", "b", "c", "d"]) lines.push(`rank(${id}) = ${V.toHex(await V.rank(K, id))}`);
  lines.push(`order = ${(await V.orderByRank(K, ["a", "b", "c", "d"])).join(" ")}`);
  return lines;
}

/** Run a list of operations on one stream: ["word"], ["uniform", "n"], ["real"], ["shuffle", length]. */
async function stream(req) {
  const s = new V.Stream(fromHex(req.key), req.label);
  const out = [];
  for (const [op, arg] of req.ops) {
    if (op === "word") out.push((await s.nextWord()).toString());
    else if (op === "uniform") out.push((await s.uniform(BigInt(arg))).toString());
    else if (op === "real") out.push(V.pyFloatRepr(await s.randomReal()));
    else if (op === "shuffle") out.push(await s.shuffle(Array.from({ length: arg }, (_, i) => i)));
  }
  return { values: out, words_used: s.wordsUsed };
}

const handlers = {
  vectors,
  stream,
  key: async (req) => V.toHex(await V.deriveKey(fromHex(req.commitment), req.seed)),
  ranks: async (req) => ({
    order: await V.orderByRank(fromHex(req.key), req.ids),
    ranks: await Promise.all(req.ids.map(async (id) => V.toHex(await V.rank(fromHex(req.key), id)))),
  }),
  seed: async (req) => V.normaliseSeed(req.text),
  canonical: async (req) => V.canonicalJson(V.parsePyJson(req.text)),
  float_repr: async (req) => req.values.map((x) => V.pyFloatRepr(x)),
  isspace: async () => {
    const out = [];
    for (let cp = 0; cp <= 0x10ffff; cp++) if (V.isPySpace(String.fromCodePoint(cp))) out.push(cp);
    return out;
  },
  verify: async (req) => V.verifyDraw({
    lotteryBytes: new Uint8Array(Buffer.from(req.lottery, "base64")),
    drawBytes: new Uint8Array(Buffer.from(req.draw, "base64")),
    commitment: req.commitment || "",
    recordSha256: req.record_sha256 || "",
  }),
};

// Answers go out in request order: one request at a time is enough for the tests.
const lines = readline.createInterface({ input: process.stdin });
let queue = Promise.resolve();
lines.on("line", (line) => {
  queue = queue.then(async () => {
    let answer;
    try {
      const req = JSON.parse(line);
      answer = { ok: true, result: await handlers[req.op](req) };
    } catch (e) {
      answer = { ok: false, error: String(e && e.stack ? e.stack : e) };
    }
    process.stdout.write(JSON.stringify(answer) + "\n");
  });
});

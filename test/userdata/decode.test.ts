import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { describe, it } from "node:test";
import fc from "fast-check";
import { decodeBase64, decodeUserData, multipartBodies, parseContentType } from "../../policypack/userdata/decode";
import { DEFAULT_LIMITS } from "../../policypack/userdata/limits";
import { pythonMimeParts, pythonStrictBase64 } from "../helpers/oracles";

const decode = (value: string, encoding: "base64" | "plain" = "plain", limits = DEFAULT_LIMITS) => decodeUserData(value, encoding, limits);

describe("decodeUserData", () => {
  it("decodes strict base64, tolerating whitespace", () => {
    const value = Buffer.from("#!/bin/bash\necho hi\n")
      .toString("base64")
      .replace(/(.{8})/g, "$1\n");
    const { documents } = decode(value, "base64");
    assert.deepEqual(
      documents.map((d) => [d.source, d.contentType, d.text]),
      [["user data", "text/x-shellscript", "#!/bin/bash\necho hi\n"]],
    );
  });
  it("reports invalid base64 as unverifiable", () => {
    const { documents, unverifiable } = decode("#!/bin/bash not base64!", "base64");
    assert.equal(documents.length, 0);
    assert.match(unverifiable[0].reason, /not valid base64/);
  });
  it("agrees with Python's strict base64 decoder on canonical, wrapped, padded, non-canonical and broken texts", () => {
    // Canonical text takes a fast path (it encodes back to itself); everything else the strict scan.
    const variant = fc.tuple(
      fc.uint8Array({ maxLength: 40 }),
      fc.constantFrom("canonical", "wrapped", "tail bits", "no padding", "extra padding", "bad character"),
    );
    const texts = fc.sample(variant, { numRuns: 600, seed: 20261201 }).map(([bytes, how]) => {
      const text = Buffer.from(bytes).toString("base64");
      if (how === "wrapped") return text.replace(/(.{7})/g, "$1\r\n ");
      if (how === "tail bits") return text.replace(/([A-Za-z0-9+/])(=+)$/, (_, c: string, pad: string) => `${c === "/" ? "A" : "/"}${pad}`);
      if (how === "no padding") return text.replace(/=+$/, "");
      if (how === "extra padding") return `${text}==`;
      return how === "bad character" ? `${text.slice(0, 3)}-${text.slice(3)}` : text;
    });
    const expected = pythonStrictBase64(texts);
    texts.forEach((text, i) => assert.equal(decodeBase64(text)?.toString("hex") ?? null, expected[i], JSON.stringify(text)));
    // The top-level user data decodes into reused memory: the same answers, one text after another.
    texts.forEach((text, i) => {
      if (expected[i]?.startsWith("1f8b")) return;
      const { documents, unverifiable } = decode(text, "base64");
      const got = unverifiable.length ? null : documents.map((d) => d.text).join("");
      assert.equal(got, expected[i] === null ? null : Buffer.from(expected[i]!, "hex").toString("utf8"), JSON.stringify(text));
    });
  });
  it("decodes user data of every size the same, whatever was decoded before it", () => {
    // Sizes around the reused memory's first size (8 KiB) and its cap (64 KiB), largest first, then smaller ones.
    const sizes = [70_000, 65_536, 65_535, 9_000, 8_192, 3, 0, 12_000];
    const scripts = sizes.map(
      (size, k) => `#!/bin/bash
${String.fromCharCode(97 + k).repeat(size)}\n`,
    );
    for (const script of [...scripts, ...scripts.reverse()]) {
      const { documents, unverifiable } = decode(Buffer.from(script).toString("base64"), "base64", { ...DEFAULT_LIMITS, maxBytes: 1 << 20 });
      assert.deepEqual(unverifiable, []);
      assert.equal(documents[0].text, script);
    }
  });
  it("gunzips at the top level and inside base64 MIME parts", () => {
    const top = gzipSync("#cloud-config\nruncmd: []\n").toString("base64");
    assert.equal(decode(top, "base64").documents[0].contentType, "text/cloud-config");
    const part = gzipSync("#!/bin/sh\nkubelet\n").toString("base64");
    const mime = `MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=B\n\n--B\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n${part}\n--B--\n`;
    assert.deepEqual(
      decode(mime).documents.map((d) => [d.source, d.contentType, d.text]),
      [["user data part 1 (application/octet-stream)", "text/x-shellscript", "#!/bin/sh\nkubelet\n"]],
    );
  });
  it("splits nested multipart documents and numbers the leaves", () => {
    const inner = `Content-Type: multipart/alternative; boundary="in ner"\n\n--in ner\nContent-Type: text/x-shellscript\n\n#!/bin/sh\na\n--in ner--\n`;
    const mime = `Content-Type: multipart/mixed; boundary="==B=="\nMIME-Version: 1.0\n\npreamble\n--==B==\n${inner}--==B==\nContent-Type: application/node.eks.aws\n\nkind: NodeConfig\n--==B==--\nepilogue\n`;
    assert.deepEqual(
      decode(mime).documents.map((d) => [d.source, d.text]),
      [
        ["user data part 1 (text/x-shellscript)", "#!/bin/sh\na"],
        ["user data part 2 (application/node.eks.aws)", "kind: NodeConfig"],
      ],
    );
  });
  it("sniffs content types the way cloud-init does", () => {
    const types = [
      "#!/bin/bash",
      "#cloud-config",
      "#include\nhttp://x",
      "#cloud-boothook",
      "<powershell>",
      "apiVersion: node.eks.aws/v1alpha1",
      "[settings.kubernetes]",
      "hello",
    ].map((t) => decode(t).documents[0].contentType);
    assert.deepEqual(types, [
      "text/x-shellscript",
      "text/cloud-config",
      "text/x-include-url",
      "text/cloud-boothook",
      "text/x-powershell",
      "application/node.eks.aws",
      "application/toml",
      "text/plain",
    ]);
  });
  it("parses Content-Type parameters, quoted or not", () => {
    assert.deepEqual(parseContentType('multipart/mixed; boundary="a;b \\"c"; charset=us-ascii'), {
      type: "multipart/mixed",
      params: { boundary: 'a;b "c', charset: "us-ascii" },
    });
  });
});

describe("parseContentType, scanned by hand, reads what its grammar as a regular expression reads", () => {
  // RFC 2045 parameters as one global regular expression (the pack's first implementation): the specification.
  const byGrammar = (value: string) => {
    const semicolon = value.indexOf(";");
    const type = (semicolon === -1 ? value : value.slice(0, semicolon)).trim().toLowerCase();
    const params: Record<string, string> = {};
    const re = /;\s*([^\s=;]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]*))/g;
    for (let m = re.exec(value); m; m = re.exec(value)) params[m[1].toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, "$1") : m[3];
    return { type: /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(type) ? type : "text/plain", params };
  };
  const piece = fc.constantFrom(
    ";",
    "=",
    '"',
    "\\",
    " ",
    "\t",
    "\n",
    "\r",
    "\u00a0",
    "\u2028",
    "\ufeff",
    "/",
    "-",
    "a",
    "B",
    "x",
    "K",
    "\u212a",
    "#",
    "multipart/mixed",
    "boundary",
    "charset",
  );
  it("on 20,000 strings of the characters that matter", () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 24 }), (pieces) => {
        const value = pieces.join("");
        assert.deepEqual(parseContentType(value), byGrammar(value), JSON.stringify(value));
      }),
      { numRuns: 20_000, seed: 20261201 },
    );
  });
  it("on edge cases: an unterminated quote, an escaped line break, a name without a value, a repeated name", () => {
    for (const value of [
      'text/plain; a="x',
      'text/plain; a="x\\\nb"; c=d',
      "text/plain; ; =v; a; b=1; b=2",
      'Text/X-ShellScript;charset = "us\\-ascii" ;boundary=',
      "multipart/mixed/x; boundary=a",
      "/x; a=b",
      "x/; a=b",
    ])
      assert.deepEqual(parseContentType(value), byGrammar(value), JSON.stringify(value));
  });
});

describe("caps", () => {
  it("stops a gzip bomb at the size cap", () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 }).toString("base64");
    const started = process.hrtime.bigint();
    const { documents, unverifiable } = decode(bomb, "base64");
    assert.equal(documents.length, 0);
    assert.match(unverifiable[0].reason, /more than 1048576 bytes/);
    assert.ok(process.hrtime.bigint() - started < 5_000_000_000n);
  });
  it("reads at most maxParts MIME parts and says so once", () => {
    const parts = Array.from({ length: 50 }, (_, i) => `--B\nContent-Type: text/x-shellscript\n\n#!/bin/sh\n${i}\n`).join("");
    const { documents, unverifiable } = decode(`MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=B\n\n${parts}--B--\n`, "plain", {
      ...DEFAULT_LIMITS,
      maxParts: 10,
    });
    assert.equal(documents.length, 10);
    assert.equal(unverifiable.length, 1);
    assert.match(unverifiable[0].reason, /more than 10 MIME parts/);
  });
  it("stops at the nesting cap", () => {
    let doc = "Content-Type: text/x-shellscript\n\n#!/bin/sh\n";
    for (let i = 0; i < 8; i++) doc = `Content-Type: multipart/mixed; boundary=b${i}\n\n--b${i}\n${doc}\n--b${i}--\n`;
    const { unverifiable } = decode(`MIME-Version: 1.0\n${doc}`);
    assert.match(unverifiable[0].reason, /nested more than 5 deep/);
  });
});

// Random multipart documents, split by us and by Python's email package (which cloud-init uses).
const lineText = fc.array(fc.constantFrom(..."ab c-=:#!/\"'"), { maxLength: 12 }).map((cs) => cs.join(""));
const body = fc.array(fc.oneof(lineText, fc.constant("--notaboundary"), fc.constant("")), { maxLength: 5 }).map((ls) => ls.join("\n"));
const leaf = fc.record({
  type: fc.constantFrom("text/x-shellscript", "text/cloud-config", "application/node.eks.aws", "text/plain"),
  base64: fc.boolean(),
  body,
});
type Tree = { leaves: (Tree | { type: string; base64: boolean; body: string })[] };
const tree: fc.Arbitrary<Tree> = fc.letrec((tie) => ({
  node: fc.record({
    leaves: fc.array(fc.oneof({ weight: 4, arbitrary: leaf }, { weight: 1, arbitrary: tie("node") as fc.Arbitrary<Tree> }), { minLength: 1, maxLength: 4 }),
  }),
})).node as fc.Arbitrary<Tree>;

/** How a document is written: line endings, boundary quoting, the closing delimiter, base64 line length. */
interface Style {
  crlf: boolean;
  quoted: boolean;
  closed: boolean;
  wrap: number;
}
const PLAIN_STYLE: Style = { crlf: false, quoted: true, closed: true, wrap: 0 };
const style: fc.Arbitrary<Style> = fc.record({ crlf: fc.boolean(), quoted: fc.boolean(), closed: fc.boolean(), wrap: fc.constantFrom(0, 4, 60, 76) });

let counter = 0;
function render(t: Tree, s: Style = PLAIN_STYLE, headers = "MIME-Version: 1.0\n"): string {
  const boundary = `==b${counter++}==`;
  const base64 = (text: string) => {
    const encoded = Buffer.from(text).toString("base64");
    return s.wrap ? (encoded.match(new RegExp(`.{1,${s.wrap}}`, "g")) ?? [""]).join("\n") : encoded;
  };
  const parts = t.leaves.map((l) =>
    "leaves" in l
      ? render(l, { ...s, closed: true, crlf: false }, "")
      : `Content-Type: ${l.type}; charset="us-ascii"\n${l.base64 ? "Content-Transfer-Encoding: base64\n" : ""}\n${l.base64 ? base64(l.body) : l.body}`,
  );
  const parameter = s.quoted ? `"${boundary}"` : boundary;
  const text = `${headers}Content-Type: multipart/mixed; boundary=${parameter}\n\npreamble\n${parts.map((p) => `--${boundary}\n${p}\n`).join("")}${s.closed ? `--${boundary}--\nepilogue\n` : ""}`;
  return s.crlf ? text.replace(/\n/g, "\r\n") : text;
}

describe("MIME splitting agrees with Python's email package", () => {
  const ours = (doc: string) =>
    decode(doc, "plain", { ...DEFAULT_LIMITS, maxDepth: 50 }).documents.map((d) => ({
      contentType: /\(([^)]+)\)$/.exec(d.source)![1],
      body: d.text,
    }));
  it("on 400 generated multipart documents", () => {
    const docs = fc.sample(tree, { numRuns: 400, seed: 42 }).map((t) => render(t));
    const expected = pythonMimeParts(docs);
    docs.forEach((doc, i) => assert.deepEqual(ours(doc), expected[i], doc));
  });
  it("on 400 more with CRLF line endings, unquoted boundaries, no closing delimiter and wrapped base64", () => {
    const docs = fc.sample(fc.tuple(tree, style), { numRuns: 400, seed: 20261130 }).map(([t, s]) => render(t, s));
    const expected = pythonMimeParts(docs);
    docs.forEach((doc, i) => assert.deepEqual(ours(doc), expected[i], JSON.stringify(doc)));
  });
  it("on boundary look-alikes: the delimiter inside a line, followed by other text, by blanks, and at the very end", () => {
    const docs = [
      'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="B"\n\n--B\nContent-Type: text/plain\n\nx--B\n--BX\n--B--X\n--B \t\nsecond\n--B--',
      'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="B"\r\n\r\n--B\r\n\r\none\r\n--B\t\r\n\r\ntwo\r\n--B--\r\n--B\r\nafter\r\n',
      'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="B"\n\n--B\n\nonly\n--B',
    ];
    const expected = pythonMimeParts(docs);
    docs.forEach((doc, i) => assert.deepEqual(ours(doc), expected[i], JSON.stringify(doc)));
  });
  it("on header edge cases: a repeated Content-Type, folded fields, names in any case, a transfer encoding folded", () => {
    const part = (headers: string, body: string) => `--B\n${headers}\n\n${body}\n`;
    const docs = [
      `MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="B"\n\n${part("Content-Type: text/x-shellscript\nContent-Type: text/cloud-config", "#!/bin/sh\necho a")}--B--\n`,
      `MIME-Version: 1.0\nContent-Type: multipart/mixed;\n boundary="B"\n\n${part("CONTENT-TYPE: text/cloud-config\nX-Other: a\n folded-into-other", "#cloud-config\na: 1")}--B--\n`,
      `MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="B"\n\n${part("X-Before: 1\nContent-Type: text/plain\nContent-Type: text/x-shellscript\n\t; charset=x", "#!/bin/sh\necho b")}--B--\n`,
      `MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="B"\n\n${part("Content-Type: text/x-shellscript\nContent-Transfer-Encoding:\n base64", "IyEvYmluL3NoCmVjaG8gYwo=")}--B--\n`,
      `MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="B"\n\n${part("content-type:text/x-shellscript\nContent-transfer-encoding: BASE64\ncontent-transfer-encoding: 7bit", "IyEvYmluL3NoCmVjaG8gZAo=")}--B--\n`,
    ];
    const expected = pythonMimeParts(docs);
    docs.forEach((doc, i) => assert.deepEqual(ours(doc), expected[i], JSON.stringify(doc)));
  });
  it("multipartBodies never throws", () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ minLength: 1 }), (text, boundary) => {
        multipartBodies(text, boundary);
      }),
      { numRuns: 2000, seed: 3 },
    );
  });
});

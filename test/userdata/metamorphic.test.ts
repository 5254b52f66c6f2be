/**
 * Metamorphic properties: edits that cannot change what the kubelet runs with must not change the findings,
 * and an insecure setting stays found whatever unrelated text surrounds it. Each base is checked to have the
 * findings the property is about, so that no property passes on an empty result.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { evaluateNode } from "../../policypack/kubelet/rules";
import { analyzeUserData } from "../../policypack/userdata/index";

const findings = (text: string) => {
  const { node } = analyzeUserData({ value: text, encoding: "plain" });
  return node ? evaluateNode(node).map((f) => `${f.policy}: ${f.message}`) : ["no kubelet"];
};
/** Findings without line numbers, for edits that move lines. */
const unplaced = (text: string) => findings(text).map((f) => f.replace(/line \d+/g, "line N"));

const comment = fc.string({ maxLength: 30 }).map((s) => `# ${s.replace(/[\r\n]/g, " ")}`);
const unrelatedCommand = fc.constantFrom(
  "echo hello",
  "yum install -y jq amazon-ssm-agent",
  "export HTTP_PROXY=http://proxy.internal:3128",
  "mkdir -p /opt/app && chmod 755 /opt/app",
  "systemctl enable --now amazon-ssm-agent",
  "sysctl -w vm.max_map_count=262144",
  "INSTANCE_ID=$(curl -s http://169.254.169.254/latest/meta-data/instance-id)",
  "cat <<'EOF' > /etc/motd\nwelcome\nEOF",
);
const unrelatedLines = fc.array(fc.oneof(comment, unrelatedCommand), { maxLength: 6 });
// Kubelet flags no CIS check reads.
const unrelatedFlags = fc.shuffledSubarray([
  "--node-labels=team=b",
  "--max-pods=30",
  "--v=2",
  "--register-with-taints=dedicated=x:NoSchedule",
  "--image-gc-high-threshold=80",
]);

/** An EKS AL2 script (amazon-eks-ami bootstrap.sh --kubelet-extra-args) with unrelated lines before and after. */
const al2Script = (before: string[], flags: string[], after: string[]) =>
  ["#!/bin/bash", "set -ex", ...before, `/etc/eks/bootstrap.sh my-cluster --kubelet-extra-args '${flags.join(" ")}'`, ...after, ""].join("\n");

describe("irrelevant edits keep a compliant node compliant (fixed seed)", () => {
  it("comments, unrelated commands in any order and unrelated kubelet flags around bootstrap.sh", () => {
    assert.deepEqual(findings(al2Script([], ["--node-labels=team=a"], [])), []);
    fc.assert(
      fc.property(unrelatedLines, unrelatedFlags, unrelatedLines, (before, flags, after) => {
        assert.deepEqual(findings(al2Script(before, ["--node-labels=team=a", ...flags], after)), []);
      }),
      { numRuns: 300, seed: 20261130 },
    );
  });
});

describe("an insecure flag stays found whatever surrounds it (fixed seed)", () => {
  it("--read-only-port=10255 among unrelated flags and lines", () => {
    const expected = unplaced(al2Script([], ["--read-only-port=10255"], []));
    assert.deepEqual(expected, [
      "kubelet-read-only-port: user data line N: --read-only-port=10255 serves the kubelet API without authentication on port 10255; set --read-only-port=0",
    ]);
    fc.assert(
      fc.property(unrelatedLines, unrelatedFlags, fc.nat(), unrelatedLines, (before, flags, at, after) => {
        const all = [...flags];
        all.splice(at % (flags.length + 1), 0, "--read-only-port=10255");
        assert.deepEqual(unplaced(al2Script(before, all, after)), expected);
      }),
      { numRuns: 300, seed: 20261130 },
    );
  });
});

// An AL2023 node: a NodeConfig (nodeadm) and a shell part, as one MIME document.
const NODE_CONFIG = [
  "apiVersion: node.eks.aws/v1alpha1",
  "kind: NodeConfig",
  "spec:",
  "  cluster:",
  "    name: c",
  "    apiServerEndpoint: https://x.gr7.us-west-2.eks.amazonaws.com",
  "    certificateAuthority: Y2E=",
  "    cidr: 10.100.0.0/16",
  "  kubelet:",
  "    config:",
  "      readOnlyPort: 10255",
  "      maxPods: 30",
  "    flags:",
  "      - --node-labels=a=b",
  "      - --streaming-connection-idle-timeout=0",
];
const SHELL_PART = "#!/bin/bash\necho hi\n";

interface Layout {
  boundary: string;
  quoted: boolean;
  crlf: boolean;
  base64: boolean[];
  wrap: number;
}
const layout: fc.Arbitrary<Layout> = fc.record({
  boundary: fc.stringMatching(/^[A-Za-z0-9'()+_,./:=?-]{1,40}[A-Za-z0-9]$/),
  quoted: fc.boolean(),
  crlf: fc.boolean(),
  base64: fc.tuple(fc.boolean(), fc.boolean()),
  wrap: fc.constantFrom(0, 8, 64, 76),
});

function mime(parts: [string, string][], l: Layout): string {
  const encode = (text: string, base64: boolean) => {
    if (!base64) return text;
    const encoded = Buffer.from(text).toString("base64");
    return l.wrap ? encoded.match(new RegExp(`.{1,${l.wrap}}`, "g"))!.join("\n") : encoded;
  };
  const boundary = l.quoted ? `"${l.boundary}"` : l.boundary;
  const body = parts
    .map(
      ([type, text], i) =>
        `--${l.boundary}\nContent-Type: ${type}; charset="us-ascii"\n${l.base64[i] ? "Content-Transfer-Encoding: base64\n" : ""}\n${encode(text, l.base64[i])}\n`,
    )
    .join("");
  const text = `MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=${boundary}\n\n${body}--${l.boundary}--\n`;
  return l.crlf ? text.replace(/\n/g, "\r\n") : text;
}

describe("MIME part boundaries, base64 wrapping and line endings do not change the findings (fixed seed)", () => {
  it("an AL2023 NodeConfig with two insecure settings, written 300 ways", () => {
    const parts: [string, string][] = [
      ["application/node.eks.aws", `${NODE_CONFIG.join("\n")}\n`],
      ["text/x-shellscript", SHELL_PART],
    ];
    const plain: Layout = { boundary: "BOUNDARY", quoted: true, crlf: false, base64: [false, false], wrap: 0 };
    const expected = findings(mime(parts, plain));
    assert.deepEqual(
      expected.map((f) => f.split(":")[0]),
      ["kubelet-read-only-port", "kubelet-streaming-connection-idle-timeout"],
    );
    fc.assert(
      fc.property(layout, (l) => assert.deepEqual(findings(mime(parts, l)), expected)),
      { numRuns: 300, seed: 20261130 },
    );
  });
  it("YAML comments between the NodeConfig's lines move the findings' lines but change nothing else", () => {
    const document = (lines: string[]) =>
      mime([["application/node.eks.aws", `${lines.join("\n")}\n`]], { boundary: "B", quoted: false, crlf: false, base64: [false], wrap: 0 });
    const expected = unplaced(document(NODE_CONFIG));
    assert.equal(expected.length, 2);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), comment), { maxLength: 5 }), (comments) => {
        const lines = [...NODE_CONFIG];
        for (const [at, text] of comments) lines.splice(1 + (at % lines.length), 0, `  ${text}`);
        assert.deepEqual(unplaced(document(lines)), expected);
      }),
      { numRuns: 300, seed: 20261130 },
    );
  });
});

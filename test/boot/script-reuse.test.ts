/**
 * A script's parse is shared by the nodes whose user data hold the same script text (script.ts parseScript, over
 * RecentTexts): node groups' user data often share a script part. Each node still runs the script with its own
 * files and variables, as each node's shell does.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { analyze, lines } from "../helpers/userdata";

const readOnly = (userData: string) => analyze(userData).findings.filter((f) => f.startsWith("kubelet-read-only-port"));

describe("a script parsed once, run afresh on each node", () => {
  const mime = (...parts: string[]) =>
    `MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="B"\n\n${parts.map((body) => `--B\nContent-Type: text/x-shellscript\n\n${body}\n`).join("")}--B--\n`;

  it("gives each node what its own earlier parts make of the same script", () => {
    const shared = lines("#!/bin/bash", ". /etc/kubelet.env", '/etc/eks/bootstrap.sh c --kubelet-extra-args "--read-only-port=$PORT"');
    const env = (port: string) => lines("#!/bin/bash", "cat > /etc/kubelet.env <<'EOF'", `PORT=${port}`, "EOF");
    assert.equal(readOnly(mime(env("10255"), shared)).length, 1);
    assert.deepEqual(readOnly(mime(env("0"), shared)), []);
    assert.equal(readOnly(mime(env("10255"), shared)).length, 1);
  });

  it("runs a function's body each time it is called, under the caller's condition, on every node", () => {
    const script = lines(
      "#!/bin/bash",
      "start() {",
      '  /etc/eks/bootstrap.sh c --kubelet-extra-args "--read-only-port=$PORT"',
      "}",
      "PORT=10255",
      "if [ -f /etc/flag ]; then start; fi",
    );
    const first = analyze(script).findings;
    assert.deepEqual(
      first.filter((f) => f.startsWith("kubelet-read-only-port")),
      ["kubelet-read-only-port: user data line 3: --read-only-port=10255 serves the kubelet API without authentication on port 10255; set --read-only-port=0"],
    );
    assert.deepEqual(analyze(script).findings, first);
  });

  it("leaves every fixture's findings the same when it is read again", () => {
    const dir = path.resolve(__dirname, "../fixtures/userdata");
    for (const name of readdirSync(dir)) {
      const text = readFileSync(path.join(dir, name), "utf8");
      assert.deepEqual(analyze(text), analyze(text), name);
    }
  });
});

/**
 * A unit file's [Service] lines are read once per text (systemd.ts serviceLines, over RecentTexts): an image's
 * units are the same text on every node. Where each line sits, and what it means there, is still each node's.
 */
describe("a unit file read once, placed afresh on each node", () => {
  const dropIn = "[Service]\nEnvironment='KUBELET_EXTRA_ARGS=--read-only-port=10255'\n";
  const writing = (before: string[]) =>
    lines("#!/bin/bash", ...before, "cat > /etc/systemd/system/kubelet.service.d/90-mine.conf <<'EOF'", dropIn.trimEnd(), "EOF", "/etc/eks/bootstrap.sh c");

  it("names the line the drop-in's text has in each node's own user data", () => {
    const atFour = readOnly(writing([]));
    const atSeven = readOnly(writing(["echo a", "echo b", "echo c"]));
    assert.equal(atFour.length, 1);
    assert.match(atFour[0], /user data line 4\b/);
    assert.equal(atSeven.length, 1);
    assert.match(atSeven[0], /user data line 7\b/);
  });

  it("applies the same drop-in text after what each node's other drop-ins say", () => {
    // A later drop-in of the node's own (99-…) clears KUBELET_EXTRA_ARGS on one node only.
    const clearing = ["cat > /etc/systemd/system/kubelet.service.d/99-clear.conf <<'EOF'", "[Service]", "Environment=KUBELET_EXTRA_ARGS=", "EOF"];
    assert.equal(readOnly(writing([])).length, 1);
    assert.deepEqual(readOnly(writing(clearing)), []);
    assert.equal(readOnly(writing([])).length, 1);
  });
});

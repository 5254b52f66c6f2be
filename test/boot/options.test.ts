/**
 * Command options as the programs read them (getopt_long in policypack/boot/script.ts), checked by running
 * each command line live — GNU sed, coreutils install, curl — on files in a temporary directory, and
 * comparing what the program did to the file with what the pack concludes for the kubelet's config file:
 * clusters read letter by letter until one takes a value (`-ie` is in-place with the suffix "e", `-iE` too,
 * `curl -Ho` is a header), attached values, long options with `=` or the next word, and `--`.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, statSync, writeFileSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { findings } from "../helpers/userdata";

const CONFIG = "/etc/kubernetes/kubelet/kubelet-config.json";
const JSON_CONFIG = (port: number) => `{"kind":"KubeletConfiguration","apiVersion":"kubelet.config.k8s.io/v1beta1","readOnlyPort":${port}}`;
const dir = mkdtempSync(path.join(tmpdir(), "kubelet-guard-options-"));
after(() => rmSync(dir, { recursive: true, force: true }));
/**
 * Runs `command` in bash in the temporary directory: FILE is the file, which starts as `content` (absent
 * when empty), and SRC a source file holding a kubelet config.
 */
const live = (command: string, content: string, file = "k.json"): { status: number | null; file: string } => {
  const target = path.join(dir, file);
  const source = path.join(dir, "src");
  rmSync(target, { force: true });
  if (content) writeFileSync(target, content);
  writeFileSync(source, JSON_CONFIG(0));
  const run = spawnSync("bash", ["-c", command.replaceAll("FILE", target).replaceAll("SRC", source)], { cwd: dir, encoding: "utf8" });
  return { status: run.status, file: target };
};

describe("sed's options (GNU sed, live)", () => {
  const S = `'s/"readOnlyPort":0/"readOnlyPort":10255/'`;
  const E = `'s/"readOnlyPort":(0)/"readOnlyPort":10255/'`;
  const commands = [
    `sed -i ${S} FILE`,
    `sed -i -e ${S} FILE`,
    `sed --in-place --expression=${S} FILE`,
    `sed -i --expression ${S} FILE`,
    `sed -i.bak ${S} FILE`,
    `sed -ie ${S} FILE`,
    `sed -es/'"readOnlyPort":0/"readOnlyPort":10255/' -i FILE`,
    `sed -iE ${E} FILE`,
    `sed -Ei ${E} FILE`,
    `sed -ri ${E} FILE`,
    `sed --regexp-extended -i ${E} FILE`,
    `sed ${S} FILE`,
    `sed -i -- ${S} FILE`,
    `sed -i -e ${S} -e 's/10255/10256/' FILE`,
  ];
  for (const command of commands) {
    it(command, () => {
      const ran = live(command, JSON_CONFIG(0));
      assert.equal(ran.status, 0);
      const port = JSON.parse(readFileSync(ran.file, "utf8")).readOnlyPort as number;
      const ours = findings(`#!/bin/bash\necho '${JSON_CONFIG(0)}' > ${CONFIG}\n${command.replaceAll("FILE", CONFIG)}\n/etc/eks/bootstrap.sh c\n`).filter(
        (f) => f.startsWith("kubelet-read-only-port:") || f.startsWith("kubelet-node-config-verifiable:"),
      );
      assert.deepEqual(
        ours,
        port === 0
          ? []
          : [
              `kubelet-read-only-port: user data line 3 (${CONFIG}): readOnlyPort: ${port} serves the kubelet API without authentication on port ${port}; set readOnlyPort: 0`,
            ],
      );
    });
  }
  it("a script read from a file (-f) is not visible, and says so", () => {
    assert.deepEqual(findings(`#!/bin/bash\necho '${JSON_CONFIG(0)}' > ${CONFIG}\nsed -i -f /tmp/edit.sed ${CONFIG}\n/etc/eks/bootstrap.sh c\n`).slice(-1), [
      `kubelet-node-config-verifiable: user data line 3: sed edits ${CONFIG}, whose result the pack cannot work out`,
    ]);
  });
});

describe("install's options (coreutils install, live)", () => {
  const commands = [
    "install -Dm666 SRC FILE",
    "install -m 664 SRC FILE",
    "install --mode=0666 SRC FILE",
    "install --mode 0666 SRC FILE",
    "install SRC FILE",
    "install -m644 -m666 SRC FILE",
    "install -pm 666 SRC FILE",
    "install -bS .old -m 666 SRC FILE",
    "install -Cm600 SRC FILE",
    "install -m 666 -- SRC FILE",
  ];
  for (const command of commands) {
    it(command, () => {
      const ran = live(command, "");
      assert.equal(ran.status, 0);
      const mode = (statSync(ran.file).mode & 0o777).toString(8);
      const ours = findings(
        `#!/bin/bash\necho '${JSON_CONFIG(0)}' > /tmp/src\n${command.replace("SRC", "/tmp/src").replace("FILE", CONFIG)}\n/etc/eks/bootstrap.sh c\n`,
      ).filter((f) => f.startsWith("kubelet-config-file-permissions:"));
      // The EKS benchmark's limit for the kubelet config file is 644.
      const loose = (parseInt(mode, 8) & ~0o644) !== 0;
      assert.equal(ours.length, loose ? 1 : 0, ours.join("\n"));
      if (loose) assert.match(ours[0], new RegExp(`with mode ${mode}, looser than 644`));
    });
  }
});

describe("curl's options (curl, live, on file:// URLs)", { skip: spawnSync("curl", ["--version"]).status !== 0 && "curl is not installed" }, () => {
  const commands = [
    "curl -sSo FILE file://SRC",
    "curl -o FILE file://SRC",
    "curl -oFILE file://SRC",
    "curl --output FILE file://SRC",
    "curl --output=FILE file://SRC",
    "curl -O file://SRC -o FILE",
    "curl -sSLo FILE file://SRC",
    "curl -Ho file://SRC -o FILE",
    "curl -H o file://SRC",
    "curl -so - file://SRC",
  ];
  for (const command of commands) {
    it(command, () => {
      const ran = live(command, "");
      const written = existsSync(ran.file);
      const ours = findings(`#!/bin/bash\n${command.replace("file://SRC", "https://example.com/k.json").replace("FILE", CONFIG)}\n/etc/eks/bootstrap.sh c\n`);
      assert.deepEqual(
        ours,
        written
          ? [
              `kubelet-node-config-verifiable: user data line 2: ${CONFIG} is downloaded at boot by curl, so its content is not visible; none of the kubelet settings in it can be checked`,
            ]
          : [],
      );
    });
  }
  it("the oracle wrote the file in some cases and not in others", () => {
    assert.ok(existsSync(live("curl -so FILE file://SRC", "").file));
    assert.ok(!existsSync(live("curl -sH o file://SRC", "").file));
  });
});

/**
 * How systemd reads a unit file and its drop-ins, for the kubelet's unit (policypack/boot/systemd.ts):
 * - src/shared/conf-parser.c config_parse (systemd @2557246c): a line whose first non-blank character is `#` or
 *   `;` is dropped even between continued lines; a line ending in an unescaped backslash continues on the next
 *   line, the backslash becoming a space; `\\` at the end is an escaped backslash, not a continuation.
 * - systemd.service(5), ExecStart=: "Unless Type= is oneshot, exactly one command must be given"; an empty value
 *   resets the list, so a drop-in that adds a second command without it makes systemd refuse the unit.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { file, findings, lines } from "../helpers/userdata";

const DROP_IN = "/etc/systemd/system/kubelet.service.d/90-flags.conf";
/** An AL2 node whose kubelet unit gets `body` as a drop-in (the AMI's unit has its own ExecStart=). */
const withDropIn = (...body: string[]): string[] => findings(lines("#!/bin/bash", ...file(DROP_IN, "[Service]", ...body), "/etc/eks/bootstrap.sh c"));
const READ_ONLY = (line: number) =>
  `kubelet-read-only-port: user data line ${line} (${DROP_IN}): --read-only-port=10255 serves the kubelet API without authentication on port 10255; set --read-only-port=0`;
const KUBELET = "/usr/bin/kubelet --config=/etc/kubernetes/kubelet/kubelet-config.json";

describe("unit file lines (systemd conf-parser.c config_parse)", () => {
  it("a comment line between continued lines is dropped, and the continuation goes on after it", () => {
    assert.deepEqual(withDropIn("ExecStart=", `ExecStart=${KUBELET} \\`, "# --read-only-port=0 \\", ";  an old flag", "  --read-only-port=10255"), [
      READ_ONLY(5),
    ]);
  });
  it("a backslash followed by blanks, or escaped (\\\\), does not continue the line", () => {
    for (const end of ["\\ ", "\\\\"]) {
      const result = withDropIn("ExecStart=", `ExecStart=${KUBELET} --anonymous-auth=false ${end}`, "  --read-only-port=10255");
      assert.ok(!result.some((f) => f.startsWith("kubelet-read-only-port")), `${JSON.stringify(end)}: ${result.join("\n")}`);
    }
    assert.deepEqual(withDropIn("ExecStart=", `ExecStart=${KUBELET} \\`, "  --read-only-port=10255"), [READ_ONLY(5)]);
  });
});

describe("ExecStart= in drop-ins (systemd.service(5))", () => {
  const REFUSED = (line: number) =>
    `kubelet-node-config-verifiable: user data line ${line} (${DROP_IN}): kubelet.service has 2 ExecStart= commands and is not Type=oneshot, so systemd refuses to load it and the kubelet does not start; the flags shown are those of the last one, which runs once an empty ExecStart= line before it clears the others`;
  it("a second command without an empty ExecStart= before it makes systemd refuse the unit, and that is said", () => {
    assert.deepEqual(withDropIn(`ExecStart=${KUBELET} --read-only-port=10255`), [READ_ONLY(4), REFUSED(4)]);
  });
  it("an empty ExecStart= first replaces the AMI's command; Type=oneshot allows several", () => {
    assert.deepEqual(withDropIn("ExecStart=", `ExecStart=${KUBELET} --read-only-port=10255`), [READ_ONLY(5)]);
    assert.deepEqual(withDropIn("Type=oneshot", `ExecStart=${KUBELET} --read-only-port=10255`), [READ_ONLY(5)]);
  });
});

describe("which files systemd reads for kubelet.service (systemd.unit(5), systemd.exec(5))", () => {
  const DIR = "/etc/systemd/system/kubelet.service.d";
  const boot = (...body: string[]): string[] => findings(lines("#!/bin/bash", ...body, "/etc/eks/bootstrap.sh c"));
  it("only files ending in .conf in the drop-in directory are drop-ins: a .conf.bak beside them is not read", () => {
    const dropIn = (name: string) => boot(...file(`${DIR}/${name}`, "[Service]", "ExecStart=", `ExecStart=${KUBELET} --read-only-port=10255`));
    assert.deepEqual(dropIn("90-flags.conf.bak"), []);
    assert.deepEqual(dropIn("90-flags.conf"), [READ_ONLY(5)]);
  });
  it("hyperkube kubelet runs the kubelet with the words after it", () => {
    assert.deepEqual(
      boot(
        ...file(
          DROP_IN,
          "[Service]",
          "ExecStart=",
          "ExecStart=/usr/bin/hyperkube kubelet --config=/etc/kubernetes/kubelet/kubelet-config.json --read-only-port=10255",
        ),
      ),
      [READ_ONLY(5)],
    );
  });
  it("EnvironmentFile= names the file, with or without the leading - that makes it optional", () => {
    for (const entry of ["EnvironmentFile=/etc/kubelet-flags.env", "EnvironmentFile=-/etc/kubelet-flags.env"]) {
      assert.deepEqual(
        boot(
          ...file("/etc/kubelet-flags.env", "FLAGS=--read-only-port=10255"),
          ...file(DROP_IN, "[Service]", entry, "ExecStart=", `ExecStart=${KUBELET} $FLAGS`),
        ),
        [
          "kubelet-read-only-port: user data line 3 (/etc/kubelet-flags.env): --read-only-port=10255 serves the kubelet API without authentication on port 10255; set --read-only-port=0",
        ],
        entry,
      );
    }
  });
});

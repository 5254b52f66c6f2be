/**
 * Where env(1) and nice(1) stop reading their options (policypack/boot/script.ts PREFIX_OPTIONS, read with
 * the same getopt reader as every other command): the first word that is not an option or its value is the
 * command, whatever cluster or long form comes before it. Checked live: each prefix runs `echo ran` under
 * coreutils, and the pack must find bootstrap.sh's flag exactly where the real program reached the command.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { findings } from "../helpers/userdata";

describe("the command after env's and nice's options (coreutils env and nice, live)", () => {
  const prefixes = [
    "env -u HOME",
    "env -uHOME",
    "env --unset=HOME",
    "env --unset HOME",
    "env -i A=1",
    "env -C /",
    "env -iC / A=1",
    "env -S 'true x'",
    "nice -n 5",
    "nice -n5",
    "nice --adjustment=5",
    "nice -5",
    "env -- A=1",
    "nice -n 5 env -u HOME",
  ];
  for (const prefix of prefixes) {
    it(prefix, () => {
      const ran = spawnSync("bash", ["-c", `${prefix} echo ran`], { encoding: "utf8" });
      const ours = findings(`#!/bin/bash\n${prefix} /etc/eks/bootstrap.sh c --kubelet-extra-args '--read-only-port=10255'\n`);
      assert.equal(ours.length > 0, ran.stdout.trim() === "ran", ours.join("\n"));
    });
  }
});

describe("env -S with quotes, which the pack does not split", () => {
  it("the command is not known, but its redirection still writes the file, reported as not visible", () => {
    const config = "/etc/kubernetes/kubelet/kubelet-config.json";
    assert.deepEqual(findings(`#!/bin/bash\nenv -S "printf 'x'" > ${config}\n/etc/eks/bootstrap.sh c\n`), [
      `kubelet-node-config-verifiable: user data line 2: ${config} is written with content the pack cannot work out; none of the kubelet settings in it can be checked`,
    ]);
  });
});

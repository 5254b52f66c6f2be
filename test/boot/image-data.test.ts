/**
 * The images' own data that user data meets (policypack/boot/images.ts), each checked against its source:
 * - BOTTLEROCKET_KUBERNETES_SETTINGS: the fields of bottlerocket-settings-sdk KubernetesSettingsV1 @2363566 (kept in
 *   test/fixtures/sources/bottlerocket-settings-sdk), kebab-cased by its #[model] derive, which also denies unknown
 *   fields: Bottlerocket takes every one of them and refuses any other key.
 * - IMAGE_DIRECTORIES: directories the images have before user data runs, so that `cp FILE DIR` copies into them
 *   (coreutils cp: "copy SOURCE to DEST, or multiple SOURCE(s) to DIRECTORY"; GNU cp treats an existing directory
 *   as the target directory). amazon-eks-ami ships /etc/eks, /etc/kubernetes/kubelet and the kubelet's units; the
 *   kubernetes/release packages read /etc/default/kubelet and /etc/sysconfig/kubelet; /usr/bin, /usr/local/bin,
 *   /etc/systemd/system and /var/lib/kubelet exist on every one of them.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { BOTTLEROCKET_KUBERNETES_SETTINGS } from "../../policypack/boot/images";
import { BOTTLEROCKET_CLUSTER as cluster, READ_ONLY, file, findings, lines, nodeFindings } from "../helpers/userdata";

const SDK_STRUCT = readFileSync(path.join(__dirname, "../fixtures/sources/bottlerocket-settings-sdk/kubernetes-settings-v1.rs"), "utf8");
/** The struct's fields as Bottlerocket reads them (serde's kebab-case of each Rust field name), with their types. */
const SDK_FIELDS = [...SDK_STRUCT.matchAll(/^ {4}([a-z0-9_]+): ([^\n]+),$/gm)].map((m) => ({ key: m[1].replace(/_/g, "-"), type: m[2] }));
const SDK_KEYS = SDK_FIELDS.map((f) => f.key);
/** A TOML value of the field's type: maps and lists empty, numbers small. */
const valueOf = (type: string): string =>
  type === "bool"
    ? "true"
    : /^(i32|i64|u32|u8|NonNegativeInteger|IntegerPercent)$/.test(type)
      ? "10"
      : type.startsWith("HashMap")
        ? "{}"
        : type.startsWith("Vec")
          ? "[]"
          : '"x"';

describe("settings.kubernetes keys (bottlerocket-settings-sdk KubernetesSettingsV1 @2363566)", () => {
  it("the pack knows exactly the fields of the settings model", () => {
    assert.equal(SDK_KEYS.length, 59);
    assert.deepEqual([...BOTTLEROCKET_KUBERNETES_SETTINGS.keys()].sort(), [...SDK_KEYS].sort());
  });
  it("and how serde reads each: Rust's bool and integers, a map, a list, or one of bottlerocket-modeled-types' own", () => {
    const kindOf = (type: string): string =>
      /^(bool|i32|i64|u8|u32)$/.test(type) ? type : type.startsWith("HashMap<") ? "map" : type.startsWith("Vec<") ? "list" : "modeled";
    for (const { key, type } of SDK_FIELDS) assert.equal(BOTTLEROCKET_KUBERNETES_SETTINGS.get(key), kindOf(type), `${key}: ${type}`);
  });
  it("user data setting every field gets no word about an unknown key; one key outside the model does", () => {
    const others = SDK_FIELDS.filter((f) => !cluster.includes(`${f.key} =`)).map(
      (f) => `${f.key} = ${f.key === "standalone-mode" ? "false" : valueOf(f.type)}`,
    );
    assert.equal(others.length, 56);
    const unknown = nodeFindings(`${cluster}${others.join("\n")}\nread-only-port = 0\n`).filter((f) => f.includes("is not a Bottlerocket setting"));
    assert.equal(unknown.length, 1);
    assert.match(unknown[0], /settings\.kubernetes\.read-only-port is not a Bottlerocket setting/);
  });
});

describe("values the settings model cannot read (serde: a value of another type, an integer out of range)", () => {
  const REFUSED = (line: number, key: string, value: string, type: string) =>
    `kubelet-node-config-verifiable: user data line ${line}: settings.kubernetes.${key} = ${value} is not ${type}, as Bottlerocket's settings model requires, and Bottlerocket refuses settings that do not fit its model, so the node does not get this user data's settings`;
  /** A value of the wrong type, or out of range, for each of serde's own types, and the message's name for the type. */
  const WRONG: Record<string, [string, string][]> = {
    bool: [
      ['"true"', "true or false"],
      ["1", "true or false"],
    ],
    i32: [
      ['"10"', "an integer from -2147483648 to 2147483647"],
      ["2147483648", "an integer from -2147483648 to 2147483647"],
      ["1.5", "an integer from -2147483648 to 2147483647"],
    ],
    i64: [['"x"', "an integer"]],
    u8: [
      ["256", "an integer from 0 to 255"],
      ["-1", "an integer from 0 to 255"],
    ],
    u32: [
      ["-1", "an integer from 0 to 4294967295"],
      ["4294967296", "an integer from 0 to 4294967295"],
    ],
    map: [['"a=b"', "a table"]],
    list: [['"a"', "an array"]],
  };
  for (const { key, type } of SDK_FIELDS) {
    const kind = BOTTLEROCKET_KUBERNETES_SETTINGS.get(key)!;
    for (const [value, text] of WRONG[kind] ?? []) {
      it(`${key} (${type}) = ${value}`, () => {
        const shown = value.startsWith('"') ? value : String(Number(value));
        const result = nodeFindings(`${cluster.replace(new RegExp(`^${key} = .*\n`, "m"), "")}${key} = ${value}\n`);
        const line = cluster.replace(new RegExp(`^${key} = .*\n`, "m"), "").split("\n").length;
        assert.ok(result.includes(REFUSED(line, key, shown, text)), result.join("\n"));
        assert.ok(!result.some((f) => f.includes("the kubelet would refuse to start")), result.join("\n"));
      });
    }
  }
  it("a value that fits is taken: event-qps = 0 and pod-pids-limit = -1 reach the kubelet's settings", () => {
    assert.deepEqual(nodeFindings(`${cluster}event-qps = 0\npod-pids-limit = 4096\n`), []);
    assert.deepEqual(
      nodeFindings(`${cluster}pod-pids-limit = -1\n`).map((f) => f.split(":")[0]),
      ["kubelet-pod-pids-limit"],
    );
  });
});

describe("cp FILE DIR into the image's directories (coreutils cp)", () => {
  const SCRIPT = ["#!/bin/bash", "/etc/eks/bootstrap.sh c --kubelet-extra-args '--read-only-port=10255'"];
  const DIRECTORIES = [
    "/etc/systemd/system",
    "/etc/kubernetes",
    "/etc/kubernetes/kubelet",
    "/etc/kubernetes/pki",
    "/var/lib/kubelet",
    "/etc/default",
    "/etc/sysconfig",
    "/etc/eks",
    "/usr/bin",
    "/usr/local/bin",
  ];
  for (const dir of DIRECTORIES) {
    it(`cp /tmp/setup.sh ${dir} writes ${dir}/setup.sh, which then runs`, () => {
      const result = findings(lines("#!/bin/bash", ...file("/tmp/setup.sh", ...SCRIPT), `cp /tmp/setup.sh ${dir}`, `bash ${dir}/setup.sh`));
      assert.deepEqual(result, [READ_ONLY("user data line 4")]);
    });
  }
  it("a directory the image does not have is a file name: cp writes that file, and the script below it is not there", () => {
    assert.deepEqual(findings(lines("#!/bin/bash", ...file("/tmp/setup.sh", ...SCRIPT), "cp /tmp/setup.sh /opt/setup", "bash /opt/setup/setup.sh")), []);
  });
});

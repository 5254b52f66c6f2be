/**
 * Which unit files systemd reads, and how it reads their lines (policypack/boot/systemd.ts unitFiles, unitLines):
 * - systemd.unit(5), "Unit File Load Path" and drop-ins: /etc/systemd/system comes before /run/systemd/system,
 *   /lib/systemd/system and /usr/lib/systemd/system; a drop-in in an earlier directory hides one of the same name
 *   in a later one, whichever the user data writes first.
 * - src/shared/conf-parser.c config_parse (systemd @2557246c): lines end at "\n" with a trailing "\r" dropped
 *   (read_line), then a line ending in an odd number of backslashes continues; `\\` at the end is an escaped
 *   backslash, and the next line is a line of its own.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { file, findings, lines, READ_ONLY } from "../helpers/userdata";

const KUBELET = "/usr/bin/kubelet --config=/etc/kubernetes/kubelet/kubelet-config.json";
const readOnly = (userData: string): string[] => findings(userData).filter((f) => f.startsWith("kubelet-read-only-port"));

describe("drop-ins of the same name in two unit directories (systemd.unit(5))", () => {
  const ETC = "/etc/systemd/system/kubelet.service.d/50-port.conf";
  const USR = "/usr/lib/systemd/system/kubelet.service.d/50-port.conf";
  const dropIn = (path: string, port: string) => file(path, "[Service]", `Environment=KUBELET_EXTRA_ARGS=--read-only-port=${port}`);
  const boot = (...files: string[][]) => lines("#!/bin/bash", ...files.flat(), "/etc/eks/bootstrap.sh c");

  it("reads the one in /etc/systemd/system, whichever is written first", () => {
    assert.deepEqual(readOnly(boot(dropIn(ETC, "10255"), dropIn(USR, "0"))), [READ_ONLY(`user data line 4 (${ETC})`)]);
    assert.deepEqual(readOnly(boot(dropIn(USR, "0"), dropIn(ETC, "10255"))), [READ_ONLY(`user data line 8 (${ETC})`)]);
    assert.deepEqual(readOnly(boot(dropIn(ETC, "0"), dropIn(USR, "10255"))), []);
    assert.deepEqual(readOnly(boot(dropIn(USR, "10255"), dropIn(ETC, "0"))), []);
  });

  it("reads a drop-in found only in /usr/lib/systemd/system", () => {
    assert.deepEqual(readOnly(boot(dropIn(USR, "10255"))), [READ_ONLY(`user data line 4 (${USR})`)]);
  });
});

describe("unit file lines (systemd conf-parser.c)", () => {
  const DROP_IN = "/etc/systemd/system/kubelet.service.d/90-flags.conf";
  const boot = (...body: string[]) => lines("#!/bin/bash", ...file(DROP_IN, "[Service]", ...body), "/etc/eks/bootstrap.sh c");

  it("drops a line's trailing carriage return before it looks for a continuing backslash", () => {
    const crlf = boot("ExecStart=\r", `ExecStart=${KUBELET} \\\r`, "  --read-only-port=10255\r");
    assert.deepEqual(readOnly(crlf), [READ_ONLY(`user data line 5 (${DROP_IN})`)]);
  });

  it("reads the line after an escaped backslash as a line of its own", () => {
    const escaped = boot("Environment=UNUSED=x\\\\", "Environment=KUBELET_EXTRA_ARGS=--read-only-port=10255");
    assert.deepEqual(readOnly(escaped), [READ_ONLY(`user data line 5 (${DROP_IN})`)]);
    // One backslash continues it: the second line is then part of UNUSED's value, and sets nothing.
    assert.deepEqual(readOnly(boot("Environment=UNUSED=x\\", "Environment=KUBELET_EXTRA_ARGS=--read-only-port=10255")), []);
  });
});

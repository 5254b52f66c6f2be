/** Metadata, configuration, exclusions and exemptions, through the built pack as the CLI drives it. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { PackProcess } from "../../policypack/cli/analyzer-client";
import { isExpired } from "../../policypack/pack/policies";
import { RULES } from "../../policypack/kubelet/rules";
import { b64, diagnostics, policyNames, startPack } from "../helpers/pack";

let pack: PackProcess;
before(async () => {
  pack = await startPack();
});
after(async () => {
  await pack.close();
});

const launchTemplate = (flags: string, name = "workers") => ({
  type: "aws:ec2/launchTemplate:LaunchTemplate",
  name,
  props: { userData: b64(`#!/bin/bash\n/etc/eks/bootstrap.sh c --kubelet-extra-args '${flags}'\n`) },
});

describe("GetAnalyzerInfo", () => {
  it("describes the pack and its 17 policies with CIS metadata", async () => {
    const info = await pack.info();
    assert.equal(info.name, "kubelet-guard");
    assert.equal(info.supportsconfig, true);
    assert.deepEqual(info.policiesList.map((p) => p.name).sort(), RULES.map((r) => r.policy).sort());
    for (const policy of info.policiesList) {
      const rule = RULES.find((r) => r.policy === policy.name)!;
      assert.equal(policy.description, rule.description);
      assert.equal(policy.enforcementlevel, rule.level === "mandatory" ? 1 : 0);
      assert.ok(policy.severity >= 1 && policy.severity <= 4, policy.name);
      assert.equal(policy.framework?.name, "cis-kubernetes");
      assert.ok(policy.remediationSteps.length > 10);
      assert.match(policy.url, /^https:\/\//);
      assert.deepEqual(info.schemas[policy.name].excludeResources.default, []);
    }
    const readOnly = info.policiesList.find((p) => p.name === "kubelet-read-only-port")!;
    assert.equal(readOnly.framework?.reference, "4.2.4");
    assert.ok(readOnly.tagsList.includes("cis-eks:3.2.4"));
    // CIS 4.2.5 fails only a zero timeout: the organization's maximum has no default.
    assert.equal(info.schemas["kubelet-streaming-connection-idle-timeout"].maxIdleTimeout.default, undefined);
  });
});

describe("configuration", () => {
  it("applies levels, thresholds and the all key from --policy-pack-config", async () => {
    await pack.configure({ all: "advisory", "kubelet-event-qps": { enforcementLevel: "mandatory", maximum: 10 } });
    const found = await diagnostics(pack, launchTemplate("--event-qps=20 --read-only-port=10255"));
    assert.deepEqual(
      found.map(([p, level]) => [p, level]),
      [
        ["kubelet-event-qps", "mandatory"],
        ["kubelet-read-only-port", "advisory"],
      ],
    );
    await pack.configure({ "kubelet-read-only-port": "disabled" });
    assert.deepEqual(policyNames(await diagnostics(pack, launchTemplate("--event-qps=20 --read-only-port=10255"))), []);
  });
  it("skips excluded resources by name or URN glob", async () => {
    await pack.configure({ "kubelet-read-only-port": { excludeResources: ["legacy-*"] } });
    assert.deepEqual(await diagnostics(pack, launchTemplate("--read-only-port=10255", "legacy-workers")), []);
    assert.equal((await diagnostics(pack, launchTemplate("--read-only-port=10255", "workers"))).length, 1);
    await pack.configure({ "kubelet-read-only-port": { excludeResources: ["urn:pulumi:dev::*::aws:ec2/launchTemplate:LaunchTemplate::work?rs"] } });
    assert.deepEqual(await diagnostics(pack, launchTemplate("--read-only-port=10255", "workers")), []);
  });
  it("honours exemptions until they expire, then reports the expiry with the findings", async () => {
    await pack.configure({ "kubelet-read-only-port": { exemptions: [{ resource: "workers", reason: "metrics agent migration", expires: "2999-01-01" }] } });
    assert.deepEqual(await diagnostics(pack, launchTemplate("--read-only-port=10255")), []);
    await pack.configure({ "kubelet-read-only-port": { exemptions: [{ resource: "workers", reason: "metrics agent migration", expires: "2020-01-31" }] } });
    const found = await diagnostics(pack, launchTemplate("--read-only-port=10255"));
    assert.deepEqual(
      found.map(([, , m]) => m),
      [
        'the exemption for workers ("metrics agent migration") expired on 2020-01-31 and no longer applies',
        "user data line 2: --read-only-port=10255 serves the kubelet API without authentication on port 10255; set --read-only-port=0",
      ],
    );
    // An exemption without an expiry applies for as long as it is configured.
    await pack.configure({ "kubelet-read-only-port": { exemptions: [{ resource: "workers", reason: "permanent" }] } });
    assert.deepEqual(await diagnostics(pack, launchTemplate("--read-only-port=10255")), []);
    await pack.configure({});
  });
  it("treats an exemption as valid through its whole expiry day", () => {
    assert.equal(isExpired("2026-11-23", new Date("2026-11-23T23:00:00Z")), false);
    assert.equal(isExpired("2026-11-23", new Date("2026-11-23T23:59:59.999Z")), false);
    assert.equal(isExpired("2026-11-23", new Date("2026-11-24T00:00:01Z")), true);
  });
});

describe("globs", () => {
  it("match whole names and URNs with * and ?", async () => {
    const { globMatches } = await import("../../policypack/pack/policies");
    assert.equal(globMatches("legacy-*", "legacy-workers"), true);
    assert.equal(globMatches("legacy-*", "new-legacy-workers"), false);
    assert.equal(globMatches("work?rs", "workers"), true);
    assert.equal(globMatches("*::aws:ec2/launchTemplate:LaunchTemplate::*", "urn:pulumi:dev::p::aws:ec2/launchTemplate:LaunchTemplate::lt"), true);
    assert.equal(globMatches("a*b*c", "aXXbYYc"), true);
    assert.equal(globMatches("a*b*c", "aXXbYY"), false);
    assert.equal(globMatches("", ""), true);
    // no exponential backtracking on adversarial globs
    assert.equal(globMatches(`${"*a".repeat(50)}b`, "a".repeat(5000)), false);
  });
});

/** Plain user data through the pack, and the pieces the boot tests build it from. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { evaluateNode } from "../../policypack/kubelet/rules";
import { analyzeUserData } from "../../policypack/userdata/index";

/** The platform the pack recognised and its findings, each as "policy: message". */
export function analyze(userData: string): { platform?: string; findings: string[] } {
  const { node } = analyzeUserData({ value: userData, encoding: "plain" });
  return { platform: node?.platform, findings: (node ? evaluateNode(node) : []).map((f) => `${f.policy}: ${f.message}`) };
}

export const findings = (userData: string): string[] => analyze(userData).findings;

/** The findings of user data that must make a node (a Bottlerocket TOML, a cloud-config). */
export function nodeFindings(userData: string): string[] {
  const { platform, findings } = analyze(userData);
  assert.ok(platform, "a node");
  return findings;
}

export const lines = (...l: string[]): string => `${l.join("\n")}\n`;
/** A quoted heredoc that writes `content` to `path`. */
export const file = (path: string, ...content: string[]): string[] => [`cat > ${path} <<'EOF'`, ...content, "EOF"];

export const READ_ONLY = (where: string) =>
  `kubelet-read-only-port: ${where}: --read-only-port=10255 serves the kubelet API without authentication on port 10255; set --read-only-port=0`;
export const ANONYMOUS = (where: string) =>
  `kubelet-anonymous-auth: ${where}: --anonymous-auth=true lets unauthenticated requests reach the kubelet API; set --anonymous-auth=false`;

/** bottlerocket-core-kit packages/kubernetes-1.31/kubelet-config @a10182f9, kept in test/fixtures/sources. */
export const BOTTLEROCKET_TEMPLATE = readFileSync(path.join(__dirname, "../fixtures/sources/bottlerocket-core-kit/kubernetes-1.31-kubelet-config"), "utf8");
/** The settings a Bottlerocket node needs to join an EKS cluster. */
export const BOTTLEROCKET_CLUSTER =
  '[settings.kubernetes]\napi-server = "https://example.eks.amazonaws.com"\ncluster-name = "c"\ncluster-certificate = "Y2E="\n';

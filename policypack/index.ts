/** kubelet-guard: the policy pack the Pulumi CLI loads. Nothing here writes to stdout. */
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./pack/policies";

new PolicyPack("kubelet-guard", {
  description: "Blocks insecure kubelet settings (CIS Kubernetes Benchmark, worker node) on EKS, AKS, GKE and self-managed nodes before they exist.",
  displayName: "kubelet-guard",
  tags: ["kubernetes", "kubelet", "cis"],
  policies,
});

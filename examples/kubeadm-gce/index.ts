import * as pulumi from "@pulumi/pulumi";
import * as gcp from "@pulumi/gcp";

const config = new pulumi.Config();
const insecure = config.getBoolean("insecure") ?? false;
const joinToken = config.getSecret("joinToken") ?? pulumi.secret("abcdef.0123456789abcdef");

const extraArgs = insecure ? "--read-only-port=10255 --protect-kernel-defaults=false" : "--rotate-server-certificates=true";

// A kubeadm worker: the kubelet's config file comes from the cluster; its flags come from here.
const startupScript = pulumi.interpolate`#!/bin/bash
set -euo pipefail
apt-get update && apt-get install -y kubelet kubeadm kubectl
cat > /etc/default/kubelet <<KUBELET
KUBELET_EXTRA_ARGS="${extraArgs}"
KUBELET
mkdir -p /etc/kubeadm
cat > /etc/kubeadm/join.yaml <<JOIN
apiVersion: kubeadm.k8s.io/v1beta3
kind: JoinConfiguration
discovery:
  bootstrapToken:
    apiServerEndpoint: 10.0.0.2:6443
    token: ${joinToken}
    unsafeSkipCAVerification: true
nodeRegistration:
  kubeletExtraArgs:
    anonymous-auth: "${insecure ? "true" : "false"}"
JOIN
kubeadm join --config /etc/kubeadm/join.yaml
`;

new gcp.compute.InstanceTemplate("kubeadm-worker", {
  machineType: "e2-standard-4",
  disks: [{ sourceImage: "ubuntu-os-cloud/ubuntu-2404-lts-amd64", boot: true, autoDelete: true }],
  networkInterfaces: [{ network: "default" }],
  metadata: { "startup-script": startupScript },
});

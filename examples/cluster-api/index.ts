import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";

const insecure = new pulumi.Config().getBoolean("insecure") ?? false;

new k8s.apiextensions.CustomResource("workers", {
  apiVersion: "bootstrap.cluster.x-k8s.io/v1beta1",
  kind: "KubeadmConfigTemplate",
  metadata: { name: "workers", namespace: "default" },
  spec: {
    template: {
      spec: {
        files: [{ path: "/etc/sysctl.d/90-kubelet.conf", content: "vm.overcommit_memory=1\n", permissions: "0644" }],
        preKubeadmCommands: ["sysctl --system"],
        joinConfiguration: {
          nodeRegistration: {
            kubeletExtraArgs: insecure
              ? { "read-only-port": "10255", "streaming-connection-idle-timeout": "0" }
              : { "read-only-port": "0", "streaming-connection-idle-timeout": "5m" },
          },
        },
      },
    },
  },
});

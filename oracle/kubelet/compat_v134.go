//go:build !kube137

package main

import (
	"context"

	"k8s.io/apimachinery/pkg/runtime/schema"
	kubeletconfiginternal "k8s.io/kubernetes/pkg/kubelet/apis/config"
	"k8s.io/kubernetes/pkg/kubelet/kubeletconfig/configfiles"
)

type schemaGVK = schema.GroupVersionKind

func loadWith(loader configfiles.Loader) (*kubeletconfiginternal.KubeletConfiguration, error) {
	return loader.Load(context.Background())
}

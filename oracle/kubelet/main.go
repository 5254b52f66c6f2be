// Command kubelet-oracle answers, with the kubelet's own packages, what a
// kubelet started with a given command line and files would run with.
//
// Input: JSON lines on stdin, {"argv": [...], "files": {"rel/path": "text"}}.
// Paths are relative: each case runs in a fresh temporary directory, so
// --config=etc/kubelet.yaml resolves there exactly as the kubelet resolves it
// against its working directory. Output: one JSON line per case.
//
// Everything is the kubelet's code (options, configfiles, the v1beta1
// conversion and defaulter, validation, component-base flags) except the
// order of calls in cmd/kubelet/app/server.go (NewKubeletCommand's RunE,
// mergeKubeletConfigurations, kubeletConfigFlagPrecedence, loadConfigFile),
// which is unexported: those lines are reproduced below from
// kubernetes/kubernetes v1.34.4 cmd/kubelet/app/server.go, and from
// cmd/kubelet/app/auth.go (BuildAuthz's mode switch) and server.go
// InitializeTLS (cipher names), the two start-up refusals that happen in Run.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/spf13/pflag"
	jsonpatch "gopkg.in/evanphx/json-patch.v4"
	utilfeature "k8s.io/apiserver/pkg/util/feature"
	cliflag "k8s.io/component-base/cli/flag"
	"k8s.io/component-base/featuregate"
	kubeletconfigv1beta1 "k8s.io/kubelet/config/v1beta1"
	"k8s.io/kubernetes/cmd/kubelet/app/options"
	kubeletconfiginternal "k8s.io/kubernetes/pkg/kubelet/apis/config"
	kubeletconfigv1beta1conversion "k8s.io/kubernetes/pkg/kubelet/apis/config/v1beta1"
	kubeletconfigvalidation "k8s.io/kubernetes/pkg/kubelet/apis/config/validation"
	"k8s.io/kubernetes/pkg/kubelet/eviction"
	"k8s.io/kubernetes/pkg/kubelet/kubeletconfig/configfiles"
	utilfs "k8s.io/kubernetes/pkg/util/filesystem"
	"k8s.io/klog/v2"
)

type request struct {
	Argv  []string          `json:"argv"`
	Files map[string]string `json:"files"`
}

// effective holds the settings the kubelet-guard rule catalog reads.
type effective struct {
	AnonymousAuth                  bool     `json:"anonymousAuth"`
	WebhookAuthentication          bool     `json:"webhookAuthentication"`
	AuthorizationMode              string   `json:"authorizationMode"`
	ClientCAFile                   string   `json:"clientCAFile"`
	ReadOnlyPort                   int32    `json:"readOnlyPort"`
	StreamingConnectionIdleTimeout int64    `json:"streamingConnectionIdleTimeoutNs"`
	MakeIPTablesUtilChains         bool     `json:"makeIPTablesUtilChains"`
	ProtectKernelDefaults          bool     `json:"protectKernelDefaults"`
	HostnameOverride               string   `json:"hostnameOverride"`
	EventRecordQPS                 int32    `json:"eventRecordQPS"`
	TLSCertFile                    string   `json:"tlsCertFile"`
	TLSPrivateKeyFile              string   `json:"tlsPrivateKeyFile"`
	RotateCertificates             bool     `json:"rotateCertificates"`
	ServerTLSBootstrap             bool     `json:"serverTLSBootstrap"`
	RotateKubeletServerCertificate bool     `json:"rotateKubeletServerCertificate"`
	TLSCipherSuites                []string `json:"tlsCipherSuites"`
	PodPidsLimit                   int64    `json:"podPidsLimit"`
	SeccompDefault                 bool     `json:"seccompDefault"`
	Config                         string   `json:"config"`
	ConfigDir                      string   `json:"configDir"`
}

type response struct {
	Starts bool       `json:"starts"`
	Error  string     `json:"error,omitempty"`
	Config *effective `json:"config,omitempty"`
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "--tables" {
		printTables()
		return
	}
	// The kubelet's own log lines (deprecations, lenient decoding) are not answers.
	klog.SetOutput(io.Discard)
	klog.LogToStderr(false)
	pristine := utilfeature.DefaultMutableFeatureGate.DeepCopy()
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 64<<20)
	out := json.NewEncoder(os.Stdout)
	for in.Scan() {
		var req request
		var res response
		if err := json.Unmarshal(in.Bytes(), &req); err != nil {
			res = response{Error: "oracle: bad request: " + err.Error()}
		} else {
			res = runCase(req, pristine.DeepCopy())
		}
		if err := out.Encode(res); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}

func runCase(req request, gate featuregate.MutableVersionedFeatureGate) response {
	dir, err := os.MkdirTemp("", "kubelet-oracle-")
	if err != nil {
		return response{Error: "oracle: " + err.Error()}
	}
	defer os.RemoveAll(dir)
	for name, text := range req.Files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return response{Error: "oracle: " + err.Error()}
		}
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			return response{Error: "oracle: " + err.Error()}
		}
	}
	cwd, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		return response{Error: "oracle: " + err.Error()}
	}
	defer func() { _ = os.Chdir(cwd) }()
	kc, flags, err := startUpRecovering(req.Argv, gate)
	if err != nil {
		return response{Error: err.Error()}
	}
	return response{Starts: true, Config: &effective{
		AnonymousAuth:                  kc.Authentication.Anonymous.Enabled,
		WebhookAuthentication:          kc.Authentication.Webhook.Enabled,
		AuthorizationMode:              string(kc.Authorization.Mode),
		ClientCAFile:                   kc.Authentication.X509.ClientCAFile,
		ReadOnlyPort:                   kc.ReadOnlyPort,
		StreamingConnectionIdleTimeout: int64(kc.StreamingConnectionIdleTimeout.Duration),
		MakeIPTablesUtilChains:         kc.MakeIPTablesUtilChains,
		ProtectKernelDefaults:          kc.ProtectKernelDefaults,
		HostnameOverride:               flags.HostnameOverride,
		EventRecordQPS:                 kc.EventRecordQPS,
		TLSCertFile:                    kc.TLSCertFile,
		TLSPrivateKeyFile:              kc.TLSPrivateKeyFile,
		RotateCertificates:             kc.RotateCertificates,
		ServerTLSBootstrap:             kc.ServerTLSBootstrap,
		RotateKubeletServerCertificate: gate.Enabled("RotateKubeletServerCertificate"),
		TLSCipherSuites:                kc.TLSCipherSuites,
		PodPidsLimit:                   kc.PodPidsLimit,
		// server.go RunKubelet: the --seccomp-default flag (KubeletFlags) or the config field.
		SeccompDefault:                 flags.SeccompDefault || kc.SeccompDefault,
		Config:                         flags.KubeletConfigFile,
		ConfigDir:                      flags.KubeletDropinConfigDirectory,
	}}
}

// startUpRecovering reports a panic as a start-up failure: the defaulter
// panics on an unknown feature gate in a config document (v1beta1/defaults.go
// SetDefaults_KubeletConfiguration), and the real kubelet crashes there.
func startUpRecovering(args []string, gate featuregate.MutableVersionedFeatureGate) (kc *kubeletconfiginternal.KubeletConfiguration, flags *options.KubeletFlags, err error) {
	defer func() {
		if r := recover(); r != nil {
			kc, flags, err = nil, nil, fmt.Errorf("panic: %v", r)
		}
	}()
	return startUp(args, gate)
}

// startUp follows NewKubeletCommand's RunE up to the last check before Run,
// then the two refusals Run makes from the configuration alone.
func startUp(args []string, gate featuregate.MutableVersionedFeatureGate) (*kubeletconfiginternal.KubeletConfiguration, *options.KubeletFlags, error) {
	cleanFlagSet := pflag.NewFlagSet("kubelet", pflag.ContinueOnError)
	cleanFlagSet.SetNormalizeFunc(cliflag.WordSepNormalizeFunc)
	cleanFlagSet.SetOutput(io.Discard)
	kubeletFlags := options.NewKubeletFlags()
	kubeletConfig, err := options.NewKubeletConfiguration()
	if err != nil {
		return nil, nil, err
	}
	kubeletFlags.AddFlags(cleanFlagSet)
	options.AddKubeletConfigFlags(cleanFlagSet, kubeletConfig)
	options.AddGlobalFlags(cleanFlagSet)
	cleanFlagSet.BoolP("help", "h", false, "help for kubelet")

	if err := cleanFlagSet.Parse(args); err != nil {
		return nil, nil, fmt.Errorf("failed to parse kubelet flag: %w", err)
	}
	if cmds := cleanFlagSet.Args(); len(cmds) > 0 {
		return nil, nil, fmt.Errorf("unknown command %+s", cmds[0])
	}
	if help, _ := cleanFlagSet.GetBool("help"); help {
		return nil, nil, errors.New("--help prints the usage and exits")
	}
	if v := cleanFlagSet.Lookup("version"); v != nil && v.Changed && v.Value.String() != "false" {
		return nil, nil, errors.New("--version prints the version and exits")
	}
	if err := gate.SetFromMap(kubeletConfig.FeatureGates); err != nil {
		return nil, nil, fmt.Errorf("failed to set feature gates from initial flags-based config: %w", err)
	}
	if err := options.ValidateKubeletFlags(kubeletFlags); err != nil {
		return nil, nil, fmt.Errorf("failed to validate kubelet flags: %w", err)
	}
	if len(kubeletFlags.KubeletConfigFile) > 0 {
		kubeletConfig, err = loadConfigFile(kubeletFlags.KubeletConfigFile)
		if err != nil {
			return nil, nil, fmt.Errorf("failed to load kubelet config file, path: %s, error: %w", kubeletFlags.KubeletConfigFile, err)
		}
	}
	if len(kubeletFlags.KubeletDropinConfigDirectory) > 0 {
		if err := mergeKubeletConfigurations(kubeletConfig, kubeletFlags.KubeletDropinConfigDirectory); err != nil {
			return nil, nil, fmt.Errorf("failed to merge kubelet configs: %w", err)
		}
	}
	if len(kubeletFlags.KubeletConfigFile) > 0 || len(kubeletFlags.KubeletDropinConfigDirectory) > 0 {
		if err := kubeletConfigFlagPrecedence(kubeletConfig, args); err != nil {
			return nil, nil, fmt.Errorf("failed to precedence kubeletConfigFlag: %w", err)
		}
		if err := gate.SetFromMap(kubeletConfig.FeatureGates); err != nil {
			return nil, nil, fmt.Errorf("failed to set feature gates from initial flags-based config: %w", err)
		}
	}
	// validation_linux.go refuses failCgroupV1 on a cgroup v1 host: a fact of the
	// machine running this oracle, not of the configuration under test.
	validated := *kubeletConfig
	validated.FailCgroupV1 = false
	if err := kubeletconfigvalidation.ValidateKubeletConfiguration(&validated, gate); err != nil {
		return nil, nil, fmt.Errorf("failed to validate kubelet configuration, error: %w", err)
	}
	// server.go InitializeTLS: unknown cipher names stop the kubelet.
	if _, err := cliflag.TLSCipherSuites(kubeletConfig.TLSCipherSuites); err != nil {
		return nil, nil, err
	}
	// auth.go BuildAuthz: the kubelet has exactly two authorization modes.
	switch kubeletConfig.Authorization.Mode {
	case kubeletconfiginternal.KubeletAuthorizationModeAlwaysAllow, kubeletconfiginternal.KubeletAuthorizationModeWebhook:
	case "":
		return nil, nil, errors.New("no authorization mode specified")
	default:
		return nil, nil, fmt.Errorf("unknown authorization mode %s", kubeletConfig.Authorization.Mode)
	}
	return kubeletConfig, kubeletFlags, nil
}

// mergeKubeletConfigurations: server.go, unexported.
func mergeKubeletConfigurations(kubeletConfig *kubeletconfiginternal.KubeletConfiguration, kubeletDropInConfigDir string) error {
	const dropinFileExtension = ".conf"
	versionedConfig := &kubeletconfigv1beta1.KubeletConfiguration{}
	if err := kubeletconfigv1beta1conversion.Convert_config_KubeletConfiguration_To_v1beta1_KubeletConfiguration(kubeletConfig, versionedConfig, nil); err != nil {
		return err
	}
	baseKubeletConfigJSON, err := json.Marshal(versionedConfig)
	if err != nil {
		return fmt.Errorf("failed to marshal base config: %w", err)
	}
	if err := filepath.WalkDir(kubeletDropInConfigDir, func(path string, info fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !info.IsDir() && filepath.Ext(info.Name()) == dropinFileExtension {
			dropinConfigJSON, gvk, err := loadDropinConfigFileIntoJSON(path)
			if err != nil {
				return fmt.Errorf("failed to load kubelet dropin file, path: %s, error: %w", path, err)
			}
			if gvk == nil || gvk.Empty() {
				return fmt.Errorf("failed to load kubelet dropin file, path: %s, no apiVersion/kind", path)
			}
			if *gvk != kubeletconfigv1beta1.SchemeGroupVersion.WithKind("KubeletConfiguration") {
				return fmt.Errorf("failed to load kubelet dropin file, path: %s, unknown apiVersion/kind: %v", path, gvk.String())
			}
			mergedConfigJSON, err := jsonpatch.MergePatch(baseKubeletConfigJSON, dropinConfigJSON)
			if err != nil {
				return fmt.Errorf("failed to merge drop-in and current config: %w", err)
			}
			baseKubeletConfigJSON = mergedConfigJSON
		}
		return nil
	}); err != nil {
		return fmt.Errorf("failed to walk through kubelet dropin directory %q: %w", kubeletDropInConfigDir, err)
	}
	versionedConfig = &kubeletconfigv1beta1.KubeletConfiguration{}
	if err := json.Unmarshal(baseKubeletConfigJSON, versionedConfig); err != nil {
		return fmt.Errorf("failed to unmarshal merged JSON into kubelet configuration: %w", err)
	}
	kubeletconfigv1beta1conversion.SetDefaults_KubeletConfiguration(versionedConfig)
	if err := kubeletconfigv1beta1conversion.Convert_v1beta1_KubeletConfiguration_To_config_KubeletConfiguration(versionedConfig, kubeletConfig, nil); err != nil {
		return fmt.Errorf("failed to convert merged config to internal kubelet configuration: %w", err)
	}
	return nil
}

// newFakeFlagSet, kubeletConfigFlagPrecedence: server.go, unexported.
func newFakeFlagSet(fs *pflag.FlagSet) *pflag.FlagSet {
	ret := pflag.NewFlagSet("", pflag.ContinueOnError)
	ret.SetNormalizeFunc(fs.GetNormalizeFunc())
	fs.VisitAll(func(f *pflag.Flag) {
		ret.VarP(cliflag.NoOp{}, f.Name, f.Shorthand, f.Usage)
	})
	return ret
}

func kubeletConfigFlagPrecedence(kc *kubeletconfiginternal.KubeletConfiguration, args []string) error {
	global := pflag.NewFlagSet("", pflag.ContinueOnError)
	global.SetNormalizeFunc(cliflag.WordSepNormalizeFunc)
	options.AddGlobalFlags(global)
	fs := newFakeFlagSet(global)
	options.NewKubeletFlags().AddFlags(fs)
	options.AddKubeletConfigFlags(fs, kc)
	original := kc.FeatureGates
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		return err
	}
	for k, v := range original {
		if _, ok := kc.FeatureGates[k]; !ok {
			kc.FeatureGates[k] = v
		}
	}
	return nil
}

// loadConfigFile, loadDropinConfigFileIntoJSON: server.go, unexported.
func loadConfigFile(name string) (*kubeletconfiginternal.KubeletConfiguration, error) {
	const errFmt = "failed to load Kubelet config file %s, error %v"
	kubeletConfigFile, err := filepath.Abs(name)
	if err != nil {
		return nil, fmt.Errorf(errFmt, name, err)
	}
	loader, err := configfiles.NewFsLoader(&utilfs.DefaultFs{}, kubeletConfigFile)
	if err != nil {
		return nil, fmt.Errorf(errFmt, name, err)
	}
	kc, err := loadWith(loader)
	if err != nil {
		return nil, fmt.Errorf(errFmt, name, err)
	}
	if kc.EvictionHard == nil {
		kc.EvictionHard = eviction.DefaultEvictionHard
	} else if kc.MergeDefaultEvictionSettings {
		for k, v := range eviction.DefaultEvictionHard {
			if _, exists := kc.EvictionHard[k]; !exists {
				kc.EvictionHard[k] = v
			}
		}
	}
	return kc, nil
}

func loadDropinConfigFileIntoJSON(name string) ([]byte, *schemaGVK, error) {
	const errFmt = "failed to load drop-in kubelet config file %s, error %v"
	kubeletConfigFile, err := filepath.Abs(name)
	if err != nil {
		return nil, nil, fmt.Errorf(errFmt, name, err)
	}
	loader, err := configfiles.NewFsLoader(&utilfs.DefaultFs{}, kubeletConfigFile)
	if err != nil {
		return nil, nil, fmt.Errorf(errFmt, name, err)
	}
	return loader.LoadIntoJSON()
}

// printTables prints what this kubelet accepts, for the pack's data: every
// flag (bool flags take no value), every feature gate with its default and
// whether it is locked, and every TLS cipher name.
func printTables() {
	fs := pflag.NewFlagSet("kubelet", pflag.ContinueOnError)
	fs.SetNormalizeFunc(cliflag.WordSepNormalizeFunc)
	kc, err := options.NewKubeletConfiguration()
	if err != nil {
		panic(err)
	}
	options.NewKubeletFlags().AddFlags(fs)
	options.AddKubeletConfigFlags(fs, kc)
	options.AddGlobalFlags(fs)
	fs.BoolP("help", "h", false, "help for kubelet")
	type flag struct {
		Type      string `json:"type"`
		Shorthand string `json:"shorthand,omitempty"`
		NoOptDef  string `json:"noOptDefault,omitempty"`
	}
	flags := map[string]flag{}
	fs.VisitAll(func(f *pflag.Flag) {
		flags[f.Name] = flag{Type: f.Value.Type(), Shorthand: f.Shorthand, NoOptDef: f.NoOptDefVal}
	})
	type gate struct {
		Default bool `json:"default"`
		Locked  bool `json:"locked"`
	}
	gates := map[string]gate{}
	for name, spec := range utilfeature.DefaultMutableFeatureGate.GetAll() {
		gates[string(name)] = gate{Default: spec.Default, Locked: spec.LockToDefault}
	}
	ciphers := cliflag.PreferredTLSCipherNames()
	ciphers = append(ciphers, cliflag.InsecureTLSCipherNames()...)
	sort.Strings(ciphers)
	_ = json.NewEncoder(os.Stdout).Encode(map[string]any{"flags": flags, "featureGates": gates, "tlsCipherSuites": ciphers})
}

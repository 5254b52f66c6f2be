// Command harness drives the real Pulumi CLI for the tests, in two roles chosen by the name it runs under.
//
// As pulumi-resource-<package> it is a stand-in resource provider: it accepts inputs as given, answers
// previews, and on a real create appends the resource's URN to $STANDIN_CREATE_LOG, so a test can tell that
// the engine stopped before calling it. The cloud is the one thing that is not real.
//
// As anything else it runs an Automation API inline program (no language host needed: the CLI calls back
// into this process) described by a JSON file, `pulumi preview` or `pulumi up` with the given policy pack,
// and prints the CLI's own output; it exits 1 when the operation fails.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

func main() {
	name := filepath.Base(os.Args[0])
	if pkg, ok := strings.CutPrefix(name, "pulumi-resource-"); ok {
		if err := provider.Main(pkg, func(*provider.HostClient) (pulumirpc.ResourceProviderServer, error) {
			return &standIn{pkg: pkg}, nil
		}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: harness <program.json>")
		os.Exit(2)
	}
	if err := drive(os.Args[1]); err != nil {
		// The CLI's own output is already on stdout and stderr; the Automation API's error repeats it.
		first, _, _ := strings.Cut(err.Error(), "\n")
		fmt.Fprintln(os.Stderr, first)
		os.Exit(1)
	}
}

// standIn is a resource provider that keeps whatever it is given.
type standIn struct {
	pulumirpc.UnimplementedResourceProviderServer
	pkg string
}

func (p *standIn) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: "1.0.0"}, nil
}

func (p *standIn) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

func (p *standIn) DiffConfig(context.Context, *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	return &pulumirpc.DiffResponse{}, nil
}

func (p *standIn) Configure(context.Context, *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true, SupportsPreview: true, AcceptResources: true, AcceptOutputs: true}, nil
}

func (p *standIn) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

func (p *standIn) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	if structEqual(req.GetOldInputs(), req.GetNews()) {
		return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
	}
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_SOME}, nil
}

func structEqual(a, b *structpb.Struct) bool {
	x, _ := json.Marshal(a.AsMap())
	y, _ := json.Marshal(b.AsMap())
	return string(x) == string(y)
}

func (p *standIn) Create(_ context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	if req.GetPreview() {
		return &pulumirpc.CreateResponse{Properties: req.GetProperties()}, nil
	}
	if log := os.Getenv("STANDIN_CREATE_LOG"); log != "" {
		f, err := os.OpenFile(log, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		fmt.Fprintln(f, req.GetUrn())
	}
	urn := req.GetUrn()
	return &pulumirpc.CreateResponse{Id: urn[strings.LastIndex(urn, "::")+2:] + "-id", Properties: req.GetProperties()}, nil
}

func (p *standIn) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	return &pulumirpc.ReadResponse{Id: req.GetId(), Properties: req.GetProperties(), Inputs: req.GetInputs()}, nil
}

func (p *standIn) Update(_ context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	return &pulumirpc.UpdateResponse{Properties: req.GetNews()}, nil
}

func (p *standIn) Delete(context.Context, *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

// program is the JSON a test writes: what to run and the resources the inline program registers.
type program struct {
	Command          string     `json:"command"` // "preview" or "up"
	WorkDir          string     `json:"workDir"`
	Stack            string     `json:"stack"`
	PolicyPack       string     `json:"policyPack,omitempty"` // none: the program alone
	PolicyPackConfig string     `json:"policyPackConfig,omitempty"`
	Resources        []resource `json:"resources"`
}

type resource struct {
	Type  string                 `json:"type"`
	Name  string                 `json:"name"`
	Props map[string]interface{} `json:"props"`
	// Secret marks these top-level properties secret.
	Secret []string `json:"secret,omitempty"`
	// Interpolate names a top-level string property whose "{id}" becomes the ID of a stand-in bucket created
	// in the same program: unknown in the preview of a first deployment, as an interpolated output is.
	Interpolate string `json:"interpolate,omitempty"`
}

type registered struct {
	pulumi.CustomResourceState
}

func run(p program) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		for _, r := range p.Resources {
			props := pulumi.Map{}
			for k, v := range r.Props {
				props[k] = pulumi.Any(v)
			}
			if r.Interpolate != "" {
				var bucket registered
				if err := ctx.RegisterResource("aws:s3/bucket:Bucket", r.Name+"-bucket", pulumi.Map{}, &bucket); err != nil {
					return err
				}
				template, _ := r.Props[r.Interpolate].(string)
				props[r.Interpolate] = bucket.ID().ApplyT(func(id pulumi.ID) string { return strings.ReplaceAll(template, "{id}", string(id)) }).(pulumi.StringOutput)
			}
			for _, k := range r.Secret {
				props[k] = pulumi.ToSecret(props[k])
			}
			var res registered
			if err := ctx.RegisterResource(r.Type, r.Name, props, &res); err != nil {
				return err
			}
		}
		return nil
	}
}

func drive(path string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var p program
	if err := json.Unmarshal(raw, &p); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	ctx := context.Background()
	project := workspace.Project{Name: tokens.PackageName("demo"), Runtime: workspace.NewProjectRuntimeInfo("go", nil)}
	stack, err := auto.UpsertStackInlineSource(ctx, p.Stack, "demo", run(p), auto.Project(project), auto.WorkDir(p.WorkDir))
	if err != nil {
		return err
	}
	switch p.Command {
	case "preview":
		opts := []optpreview.Option{optpreview.ProgressStreams(os.Stdout), optpreview.ErrorProgressStreams(os.Stderr), optpreview.Color("never")}
		if p.PolicyPack != "" {
			opts = append(opts, optpreview.PolicyPacks(p.PolicyPack))
		}
		if p.PolicyPackConfig != "" {
			opts = append(opts, optpreview.PolicyPackConfigs(p.PolicyPackConfig))
		}
		_, err = stack.Preview(ctx, opts...)
	case "up":
		opts := []optup.Option{optup.ProgressStreams(os.Stdout), optup.ErrorProgressStreams(os.Stderr), optup.PolicyPacks(p.PolicyPack), optup.Color("never")}
		if p.PolicyPackConfig != "" {
			opts = append(opts, optup.PolicyPackConfigs(p.PolicyPackConfig))
		}
		_, err = stack.Up(ctx, opts...)
	default:
		return fmt.Errorf("unknown command %q", p.Command)
	}
	return err
}

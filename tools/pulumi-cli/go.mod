module kubelet-guard/tools/pulumi-cli

go 1.25

// pkg/go.mod replaces the SDK with its sibling directory, which a module download does not have,
// and pins a fork of clipboard: the first is satisfied by the published SDK of the same version,
// the second is repeated here.
replace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e

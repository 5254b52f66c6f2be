/**
 * Which files the kubelet reads, and how: cmd/kubelet/app/server.go (NewKubeletCommand, loadConfigFile,
 * mergeKubeletConfigurations) and pkg/kubelet/kubeletconfig/configfiles, at v1.34.4.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KubeletSources } from "../../policypack/kubelet/effective";
import { absolutePath, startKubelet, walkOrder, type KubeletFileSystem } from "../../policypack/kubelet/startup";
import { DEFAULT_LIMITS } from "../../policypack/userdata/limits";
import { kubeletConfig, memoryFileSystem, startup } from "../helpers/kubelet";

/** startKubelet with one command line and no known launch location. */
const startWithoutLaunch = (fs: KubeletFileSystem, ...argv: string[]): KubeletSources =>
  startKubelet([{ location: { source: "cmd" }, origin: "user", words: argv.map((text) => ({ text, line: 1 })) }], fs, DEFAULT_LIMITS);
const problemsOf = (s: KubeletSources) => (s.problems ?? []).map((p) => [p.kind, p.location.file, p.message]);
const docsOf = (layers: KubeletSources["config"] | undefined) => (layers ?? []).map((l) => l.doc ?? l.hidden);

describe("absolutePath (filepath.Abs against /, the working directory systemd gives the kubelet)", () => {
  it("cleans relative, dotted and doubled paths as path.Clean does", () => {
    assert.equal(absolutePath("etc/kubernetes/./x/../kubelet.yaml"), "/etc/kubernetes/kubelet.yaml");
    assert.equal(absolutePath("/etc//kubernetes/"), "/etc/kubernetes");
    assert.equal(absolutePath("../../x"), "/x");
    assert.equal(absolutePath("/"), "/");
    assert.equal(absolutePath("."), "/");
  });
});

describe("walkOrder (filepath.WalkDir: each directory's entries in lexical order, a directory's content where its name sorts)", () => {
  it("orders a sub-directory by its name, not by the full path string", () => {
    const paths = ["/d/b.conf", "/d/a.conf", "/d/a/z.conf", "/d/a-b.conf"];
    assert.deepEqual([...paths].sort(walkOrder), ["/d/a/z.conf", "/d/a-b.conf", "/d/a.conf", "/d/b.conf"]);
    // A plain string sort would put "/d/a-b.conf" and "/d/a.conf" before "/d/a/z.conf" ('-' and '.' sort before '/').
    assert.notDeepEqual([...paths].sort(), [...paths].sort(walkOrder));
  });
  it("puts a directory before what it holds and is antisymmetric", () => {
    assert.ok(walkOrder("/d/a", "/d/a/b") < 0);
    assert.ok(walkOrder("/d/a/b", "/d/a") > 0);
    assert.ok(walkOrder("/d/b", "/d/a") > 0);
    assert.equal(walkOrder("/d/a", "/d/a"), 0);
  });
});

describe("startKubelet", () => {
  it('reads only *.conf files under --config-dir, at any depth (configfiles: filepath.Ext(path) == ".conf")', () => {
    const s = startup(["--config-dir=/etc/kubelet.conf.d"], {
      "/etc/kubelet.conf.d/10.conf": kubeletConfig("maxPods: 10\n"),
      "/etc/kubelet.conf.d/20.conf.bak": kubeletConfig("maxPods: 20\n"),
      "/etc/kubelet.conf.d/sub/30.conf": kubeletConfig("maxPods: 30\n"),
      "/etc/kubelet.conf.d/conf": kubeletConfig("maxPods: 40\n"),
      "/etc/other.conf": kubeletConfig("maxPods: 50\n"),
    });
    assert.deepEqual(
      docsOf(s.dropIns).map((d) => (d as Record<string, unknown>).maxPods),
      [10, 30],
    );
    assert.equal(s.base, "legacy");
    assert.equal(s.configDir, "/etc/kubelet.conf.d");
  });
  it("takes the last --config, --config-dir and --kubeconfig, resolved against / (pflag keeps the last value)", () => {
    const s = startup(["--config=/a.yaml", "--config=etc/b.yaml", "--kubeconfig", "k", "--config-dir=x/../d"], {
      "/etc/b.yaml": kubeletConfig("maxPods: 7\n"),
    });
    assert.equal(s.configPath, "/etc/b.yaml");
    assert.equal(s.configDir, "/d");
    assert.equal(s.kubeconfigPath, "/k");
    assert.equal(s.base, "config-file");
    assert.deepEqual(docsOf(s.config), [{ apiVersion: "kubelet.config.k8s.io/v1beta1", kind: "KubeletConfiguration", maxPods: 7 }]);
    assert.deepEqual(s.dropIns, []);
    assert.deepEqual(problemsOf(s), []);
  });
  it("without --config and --config-dir reads no file", () => {
    const s = startup(["--max-pods=3"], { "/etc/kubernetes/kubelet.yaml": kubeletConfig() });
    assert.equal(s.base, "legacy");
    assert.deepEqual(s.config, []);
    assert.equal(s.dropIns, undefined);
    assert.equal(s.configPath, undefined);
    assert.equal(s.configDir, undefined);
    assert.equal(s.kubeconfigPath, undefined);
  });
  it("says which file it cannot see, at the launch, when nothing on the node shows it", () => {
    const s = startup(["--config=/etc/kubernetes/kubelet.yaml"]);
    assert.deepEqual(s.config, [
      {
        location: { source: "command line", line: 1 },
        origin: "platform",
        hidden: "the kubelet reads the config file /etc/kubernetes/kubelet.yaml, which the node's image and user data do not show",
      },
    ]);
  });
  it("says the kubelet reads a file nothing shows even when the launch is not known", () => {
    const s = startWithoutLaunch(memoryFileSystem({}), "--config=/c.yaml");
    assert.deepEqual(s.config, [
      {
        location: { source: "kubelet" },
        origin: "platform",
        hidden: "the kubelet reads the config file /c.yaml, which the node's image and user data do not show",
      },
    ]);
  });
  it("treats a --config or --config-dir computed at boot as not visible, naming the word", () => {
    const commandLines = [
      {
        location: { source: "unit", line: 4 },
        origin: "user" as const,
        words: [
          { text: "--config=$CFG", line: 4, unresolved: ["$CFG"] },
          { text: "--config-dir=$DIR", line: 4, unresolved: ["$DIR"] },
        ],
      },
    ];
    const s = startKubelet(commandLines, memoryFileSystem({}), DEFAULT_LIMITS);
    assert.equal(s.base, "config-file");
    assert.deepEqual(s.config, [{ location: { source: "unit", line: 4 }, origin: "user", hidden: "the config file path (--config=$CFG) is not visible" }]);
    assert.deepEqual(s.dropIns, [
      { location: { source: "unit", line: 4 }, origin: "user", hidden: "the drop-in directory (--config-dir=$DIR) is not visible" },
    ]);
    assert.equal(s.configPath, undefined);
  });
  it("treats a word computed at boot that may hold any flag as hiding --config, --config-dir and --kubeconfig", () => {
    const commandLines = [
      {
        location: { source: "unit", line: 2 },
        origin: "user" as const,
        words: [
          { text: "--config=/c.yaml", line: 2 },
          { text: "$EXTRA", line: 2, unresolved: ["$EXTRA"] },
        ],
      },
    ];
    const s = startKubelet(commandLines, memoryFileSystem({ "/c.yaml": kubeletConfig() }), DEFAULT_LIMITS);
    assert.deepEqual(docsOf(s.config), ["the config file path ($EXTRA) is not visible"]);
    assert.deepEqual(docsOf(s.dropIns), ["the drop-in directory ($EXTRA) is not visible"]);
  });
  it("passes on a file the boot hides, with its reason", () => {
    const fs: KubeletFileSystem = {
      file: (path) => (path === "/c.yaml" ? { kind: "hidden", reason: "is edited by a sed the pack cannot work out" } : undefined),
      filesUnder: () => [],
    };
    const s = startWithoutLaunch(fs, "--config=/c.yaml");
    assert.deepEqual(s.config, [{ location: { source: "/c.yaml" }, origin: "user", hidden: "/c.yaml is edited by a sed the pack cannot work out" }]);
    assert.deepEqual(problemsOf(s), []);
  });
  it("refuses YAML it cannot parse and a document that is not an object, naming the file (loadConfigFile)", () => {
    const bad = startup(["--config=/c.yaml"], { "/c.yaml": "a: [1\n" });
    assert.equal(problemsOf(bad).length, 1);
    assert.deepEqual(problemsOf(bad)[0].slice(0, 2), ["refuse", "/c.yaml"]);
    assert.match(String(problemsOf(bad)[0][2]), /^the kubelet would refuse to start: the config file \/c\.yaml is not valid YAML or JSON \(/);
    assert.deepEqual(bad.config, []);
    const list = startup(["--config=/c.yaml"], { "/c.yaml": "- a\n" });
    assert.deepEqual(problemsOf(list), [
      ["refuse", "/c.yaml", "the kubelet would refuse to start: the config file /c.yaml is not a KubeletConfiguration object"],
    ]);
    const empty = startup(["--config=/c.yaml"], { "/c.yaml": "" });
    assert.deepEqual(problemsOf(empty), [
      ["refuse", "/c.yaml", "the kubelet would refuse to start: the config file /c.yaml is not a KubeletConfiguration object"],
    ]);
  });
  it("decodes the config file leniently but drop-ins strictly (configfiles: strict decoding for drop-ins)", () => {
    const twice = "maxPods: 1\nmaxPods: 2\n";
    const config = startup(["--config=/c.yaml"], { "/c.yaml": kubeletConfig(twice) });
    assert.deepEqual(problemsOf(config), []);
    const dropIn = startup(["--config-dir=/d"], { "/d/a.conf": kubeletConfig(twice) });
    assert.equal(problemsOf(dropIn).length, 1);
    assert.match(String(problemsOf(dropIn)[0][2]), /^the kubelet would refuse to start: the drop-in \/d\/a\.conf is not valid YAML or JSON/);
  });
  it("tells a missing type apart from another type, each alone (the codec's \"Object 'Kind' is missing\" versus no kind registered)", () => {
    const want = "write apiVersion: kubelet.config.k8s.io/v1beta1 and kind: KubeletConfiguration";
    for (const text of [
      "maxPods: 1\n",
      "kind: KubeletConfiguration\n",
      "apiVersion: kubelet.config.k8s.io/v1beta1\n",
      'apiVersion: ""\nkind: KubeletConfiguration\n',
      "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: 3\n",
      'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: ""\n',
    ])
      assert.deepEqual(problemsOf(startup(["--config=/c.yaml"], { "/c.yaml": text })), [
        ["refuse", "/c.yaml", `the kubelet would refuse to start: the config file /c.yaml has no apiVersion/kind; ${want}`],
      ]);
    assert.deepEqual(problemsOf(startup(["--config=/c.yaml"], { "/c.yaml": "apiVersion: kubelet.config.k8s.io/v1\nkind: KubeletConfiguration\n" })), [
      [
        "refuse",
        "/c.yaml",
        "the kubelet would refuse to start: the config file /c.yaml is kubelet.config.k8s.io/v1/KubeletConfiguration, not kubelet.config.k8s.io/v1beta1/KubeletConfiguration",
      ],
    ]);
    assert.deepEqual(problemsOf(startup(["--config=/c.yaml"], { "/c.yaml": "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: Kubelet\n" })), [
      [
        "refuse",
        "/c.yaml",
        "the kubelet would refuse to start: the config file /c.yaml is kubelet.config.k8s.io/v1beta1/Kubelet, not kubelet.config.k8s.io/v1beta1/KubeletConfiguration",
      ],
    ]);
  });
  it("stops at the first drop-in the kubelet refuses (mergeKubeletConfigurations returns its error)", () => {
    const s = startup(["--config-dir=/d"], {
      "/d/10.conf": kubeletConfig("maxPods: 10\n"),
      "/d/20.conf": "maxPods: 20\n",
      "/d/30.conf": kubeletConfig("maxPods: 30\n"),
    });
    assert.deepEqual(
      docsOf(s.dropIns).map((d) => (d as Record<string, unknown>).maxPods),
      [10],
    );
    assert.deepEqual(
      problemsOf(s).map((p) => p[1]),
      ["/d/20.conf"],
    );
  });
  it("keeps layers that include a hidden edit instead of judging their type", () => {
    const fs: KubeletFileSystem = {
      file: () => ({
        kind: "layers",
        layers: [
          { location: { source: "image" }, origin: "platform", doc: { maxPods: 1 } },
          { location: { source: "user data" }, origin: "user", hidden: "an edit is not visible" },
        ],
      }),
      filesUnder: () => [],
    };
    const s = startWithoutLaunch(fs, "--config=/c");
    assert.deepEqual(docsOf(s.config), [{ maxPods: 1 }, "an edit is not visible"]);
    assert.deepEqual(problemsOf(s), []);
  });
  it("reads the type across layers, the last layer that writes it winning", () => {
    const fs: KubeletFileSystem = {
      file: () => ({
        kind: "layers",
        layers: [
          { location: { source: "image" }, origin: "platform", doc: { apiVersion: "kubelet.config.k8s.io/v1beta1", kind: "KubeletConfiguration" } },
          { location: { source: "edit" }, origin: "user", doc: { kind: "Other" } },
        ],
      }),
      filesUnder: () => [],
    };
    const s = startWithoutLaunch(fs, "--config=/c");
    assert.deepEqual(problemsOf(s), [
      [
        "refuse",
        "/c",
        "the kubelet would refuse to start: the config file /c is kubelet.config.k8s.io/v1beta1/Other, not kubelet.config.k8s.io/v1beta1/KubeletConfiguration",
      ],
    ]);
    assert.equal(s.problems?.[0].location.source, "edit");
  });
  it("locates each field of a config file on its line", () => {
    const s = startup(["--config=/c.yaml"], { "/c.yaml": kubeletConfig("readOnlyPort: 10255\n") });
    assert.deepEqual(s.config[0].locate?.("readOnlyPort"), { source: "/c.yaml", line: 3 });
    assert.equal(s.config[0].locate?.("maxPods"), undefined);
  });
});

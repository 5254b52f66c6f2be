/**
 * absolutePath is filepath.Abs against "/" (the kubelet's working directory under systemd), which is
 * filepath.Clean of the joined path. Clean's rules, from Go's path/filepath documentation: replace multiple
 * separators with one; eliminate each `.` element; eliminate each inner `..` and the element before it;
 * eliminate `..` at the start of a rooted path; no trailing separator except for "/" itself.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { absolutePath } from "../../policypack/kubelet/startup";

/** Clean of "/" + path, applying the documented rules one by one. */
function cleanRooted(path: string): string {
  let p = `/${path}`.replace(/\/+/g, "/");
  for (;;) {
    const next = p.replace(/\/\.(?=\/|$)/g, "");
    if (next === p) break;
    p = next;
  }
  for (;;) {
    const next = p.replace(/\/(?!\.\.(?:\/|$))[^/]+\/\.\.(?=\/|$)/, "");
    if (next === p) break;
    p = next;
  }
  p = p.replace(/^(\/\.\.)+(?=\/|$)/, "");
  p = p.replace(/\/$/, "");
  return p === "" ? "/" : p;
}

describe("absolutePath follows filepath.Clean's rules", () => {
  it("on paths made of separators, dots, dot-dots and names, clean ones (returned as they are) among them", () => {
    const piece = fc.constantFrom("/", "//", ".", "..", "...", "a", "b.conf", ".x", "x.");
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const path = pieces.join("");
        assert.equal(absolutePath(path), cleanRooted(path), JSON.stringify(path));
      }),
      { numRuns: 5000, seed: 20261201 },
    );
  });
  it("keeps a clean absolute path as it is and cleans the rest", () => {
    assert.equal(absolutePath("/etc/kubernetes/kubelet/config.json"), "/etc/kubernetes/kubelet/config.json");
    assert.equal(absolutePath("/etc/kubernetes/kubelet/config.json.d/"), "/etc/kubernetes/kubelet/config.json.d");
    assert.equal(absolutePath("/etc/./kubernetes/../kubelet.yaml"), "/etc/kubelet.yaml");
    assert.equal(absolutePath("/..hidden/.x/x./..."), "/..hidden/.x/x./...");
  });
});

/**
 * `npm pack` (which `pulumi policy publish` runs) packs package.json as it is on disk, and the
 * Pulumi CLI installs a published pack with a plain `npm install`, dev dependencies included.
 * prepack writes the published manifest (runtime fields only) and keeps the development one
 * aside; postpack puts it back. Usage: pack-manifest.ts publish | restore
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";

const ROOT = path.resolve(__dirname, "..");
const MANIFEST = path.join(ROOT, "package.json");
const KEPT_ASIDE = path.join(ROOT, ".package.dev.json");

/** What an installed pack needs; scripts, dev dependencies and workspaces (the examples) are not. */
export const PUBLISHED_FIELDS = [
  "name",
  "version",
  "description",
  "keywords",
  "homepage",
  "bugs",
  "repository",
  "license",
  "main",
  "types",
  "exports",
  "bin",
  "files",
  "engines",
  "dependencies",
] as const;

export function publishedManifest(manifest: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(PUBLISHED_FIELDS.filter((field) => field in manifest).map((field) => [field, manifest[field]]));
}

function main(command: string | undefined): void {
  if (command === "publish") {
    if (existsSync(KEPT_ASIDE)) throw new Error(`${KEPT_ASIDE} exists: a pack was interrupted; restore it first (pack-manifest.ts restore)`);
    const text = readFileSync(MANIFEST, "utf8");
    writeFileSync(KEPT_ASIDE, text);
    writeFileSync(MANIFEST, `${JSON.stringify(publishedManifest(JSON.parse(text) as Record<string, unknown>), null, 2)}\n`);
  } else if (command === "restore") {
    if (existsSync(KEPT_ASIDE)) renameSync(KEPT_ASIDE, MANIFEST);
  } else {
    throw new Error("usage: pack-manifest.ts publish | restore");
  }
}

if (require.main === module) main(process.argv[2]);

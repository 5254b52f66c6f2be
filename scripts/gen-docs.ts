/** Rewrites the README's policy table and docs/policies.md from the catalog. */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { policyDocs, withTable } from "./policy-table";

const readmePath = path.resolve(__dirname, "../README.md");
writeFileSync(readmePath, withTable(readFileSync(readmePath, "utf8")));
mkdirSync(path.resolve(__dirname, "../docs"), { recursive: true });
writeFileSync(path.resolve(__dirname, "../docs/policies.md"), policyDocs());
console.error("README.md policy table and docs/policies.md updated");

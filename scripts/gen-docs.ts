/** Rewrites the README's policy table from the catalog. */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { withTable } from "./policy-table";

const readmePath = path.resolve(__dirname, "../README.md");
writeFileSync(readmePath, withTable(readFileSync(readmePath, "utf8")));
console.error("README.md policy table updated");

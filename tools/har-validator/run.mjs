// Validates HAR files against HAR 1.2, as the npm `har-validator` package
// (the schema HAR viewers and tools share) defines it.
//
//   node tools/har-validator/run.mjs FILE.har...
//
// Prints `file: <path> <message>` per problem and exits 1 when there is
// any, 2 when a file cannot be read or is not JSON, 0 when every file is
// valid.

import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const validate = require("har-validator");

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node run.mjs FILE.har...");
  process.exit(2);
}

let problems = 0;
for (const file of files) {
  let har;
  try {
    har = JSON.parse(await readFile(file, "utf8"));
  } catch (e) {
    console.error(`${file}: cannot read: ${e.message}`);
    process.exit(2);
  }
  try {
    await validate.har(har);
    console.log(`${file}: valid HAR 1.2 (${har.log.entries.length} entries)`);
  } catch (e) {
    for (const err of e.errors ?? [{ dataPath: "", message: e.message }]) {
      problems += 1;
      console.log(`${file}: ${err.dataPath || "(root)"} ${err.message}`);
    }
  }
}
process.exit(problems > 0 ? 1 : 0);

// The reference side of bench/parse: GitHub's TypeScript workflow parser
// (@actions/workflow-parser 0.3.61, pinned in tests/node) loading and validating the same files:
// parseWorkflow (YAML + schema + expressions) then convertWorkflowTemplate (jobs, steps, needs).
//   node --import ./json-hook.mjs ts_bench.mjs SECONDS FILE...
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(here, "../../tests/node/node_modules/@actions/workflow-parser/dist");
const { parseWorkflow, convertWorkflowTemplate, NoOperationTraceWriter } = await import(
  path.join(dist, "index.js")
);

const seconds = Number(process.argv[2]);
const files = process.argv.slice(3).map(f => ({ name: f, content: fs.readFileSync(f, "utf8") }));
const bytes = files.reduce((n, f) => n + Buffer.byteLength(f.content), 0);
const trace = new NoOperationTraceWriter();

let rounds = 0;
let errors = 0;
const start = performance.now();
let elapsed = 0;
do {
  errors = 0;
  for (const f of files) {
    const parsed = parseWorkflow(f, trace);
    if (parsed.value) {
      const t = await convertWorkflowTemplate(parsed.context, parsed.value);
      if (t.errors) errors++;
    } else {
      errors++;
    }
  }
  rounds++;
  elapsed = (performance.now() - start) / 1000;
} while (elapsed < seconds);
const rate = (rounds * files.length) / elapsed;
console.log(
  `typescript: ${rounds} rounds of ${files.length} files in ${elapsed.toFixed(2)}s: ` +
    `${rate.toFixed(2)} files/s, ${((rounds * bytes) / elapsed / 1e6).toFixed(1)} MB/s ` +
    `(${errors} invalid per round)`
);
console.log(`TS_RATE=${rate.toFixed(3)}`);

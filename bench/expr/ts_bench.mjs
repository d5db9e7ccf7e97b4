// The reference side of bench/expr: GitHub's TypeScript expression engine
// (@actions/expressions, pinned in tests/node) on the same conformance expressions.
//
//   node ts_bench.mjs inprocess CONFORMANCE_DIR SECONDS
//       lex + parse + evaluate every case over and over, contexts already loaded
//   node ts_bench.mjs jsonl
//       the same job as `runnel expr --jsonl`: {"expr", "contexts"} lines on stdin, one
//       {"result": {kind, value}} or {"err": {kind, value}} line per case on stdout
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const modPath = path.join(here, "../../tests/node/node_modules/@actions/expressions/dist/index.js");
const { Lexer, Parser, Evaluator, data } = await import(modPath);

function loadContexts(contexts) {
  const dict = new data.Dictionary();
  for (const [k, v] of Object.entries(contexts || {})) {
    dict.add(k, JSON.parse(JSON.stringify(v), data.reviver));
  }
  return dict;
}

function evaluate(expr, names, dict) {
  const lexer = new Lexer(expr);
  const lr = lexer.lex();
  const parser = new Parser(lr.tokens, names, []);
  const tree = parser.parse();
  if (!tree) return new data.Null();
  return new Evaluator(tree, dict).evaluate();
}

function kindName(d) {
  switch (d.kind) {
    case data.Kind.Null: return "Null";
    case data.Kind.Boolean: return "Boolean";
    case data.Kind.Number: return "Number";
    case data.Kind.String: return "String";
    case data.Kind.Array: return "Array";
    default: return "Object";
  }
}

const mode = process.argv[2];
if (mode === "inprocess") {
  const dir = process.argv[3];
  const seconds = Number(process.argv[4]);
  const cases = [];
  for (const f of fs.readdirSync(dir).filter(f => f.endsWith(".json")).sort()) {
    for (const group of Object.values(JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")))) {
      for (const c of group) {
        cases.push({ expr: c.expr, names: Object.keys(c.contexts || {}), dict: loadContexts(c.contexts) });
      }
    }
  }
  let evals = 0, errors = 0, rounds = 0, best = 0, windowStart = 0, windowEvals = 0;
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < seconds) {
    for (const c of cases) {
      try {
        evaluate(c.expr, c.names, c.dict);
      } catch (e) {
        errors++;
      }
    }
    evals += cases.length;
    rounds++;
    elapsed = Number(process.hrtime.bigint() - start) / 1e9;
    // the best half-second window, as expr_bench.c does (the machine is shared)
    if (elapsed - windowStart >= 0.5) {
      best = Math.max(best, (evals - windowEvals) / (elapsed - windowStart));
      windowStart = elapsed;
      windowEvals = evals;
    }
  }
  const rate = evals / elapsed;
  if (best === 0) best = rate;
  console.log(`typescript in-process: ${evals} evaluations (${cases.length} cases x ${rounds} rounds, ` +
    `${Math.round(errors / rounds)} errors each round) in ${elapsed.toFixed(2)} s = ${rate.toFixed(0)} evals/s ` +
    `on average, ${best.toFixed(0)} evals/s in the best half second`);
  // CPU time of the whole process (all of Node's threads: JIT and GC helpers included)
  const cu = process.cpuUsage(cpuStart);
  const cpu = (cu.user + cu.system) / 1e6;
  console.log(`typescript in-process: ${cpu.toFixed(2)} CPU seconds = ${(evals / cpu).toFixed(0)} evals per CPU second`);
  console.log(`TS_RATE=${rate.toFixed(0)} TS_BEST=${best.toFixed(0)} TS_CPU_RATE=${(evals / cpu).toFixed(0)}`);
} else if (mode === "jsonl") {
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  const out = [];
  for await (const line of rl) {
    if (!line) continue;
    const c = JSON.parse(line);
    let res;
    try {
      const v = evaluate(c.expr, Object.keys(c.contexts || {}), loadContexts(c.contexts));
      res = { result: { kind: kindName(v), value: JSON.parse(JSON.stringify(v, data.replacer)) } };
    } catch (e) {
      res = { err: { kind: "evaluation", value: e.message } };
    }
    out.push(JSON.stringify(res));
    if (out.length >= 1024) {
      process.stdout.write(out.join("\n") + "\n");
      out.length = 0;
    }
  }
  if (out.length) process.stdout.write(out.join("\n") + "\n");
} else {
  console.error("usage: node ts_bench.mjs inprocess DIR SECONDS | jsonl");
  process.exit(2);
}

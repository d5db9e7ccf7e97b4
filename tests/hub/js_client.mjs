// The official JavaScript client (@huggingface/hub, pinned in tests/node/package.json) against the
// loopback Hub: whoAmI, createRepo, uploadFiles (regular, LFS basic, LFS multipart), commit with a
// delete, listFiles. Prints a JSON summary; any exception fails the test.
// usage: node js_client.mjs ENDPOINT TOKEN DIR
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import path from "node:path";

const require = createRequire(import.meta.url);
const [endpoint, token, dir] = process.argv.slice(2);
const nodeModules = path.join(process.env.RUNNEL_SOURCE_DIR, "tests/node/node_modules");
const hub = require(path.join(nodeModules, "@huggingface/hub"));

const common = { accessToken: token, hubUrl: endpoint };
const repo = { type: "space", name: "user/js-space" };
const blob = (f) => new Blob([readFileSync(path.join(dir, f))]);

const who = await hub.whoAmI(common);
await hub.createRepo({ ...common, repo, sdk: "gradio" });
await hub.uploadFiles({
  ...common,
  repo,
  commitTitle: "Upload from the JS client",
  files: [
    { path: "README.md", content: blob("README.md") },
    { path: "app.py", content: blob("app.py") },
    { path: "Model/model.bin", content: blob("model.bin") },
    { path: "Model/big.bin", content: blob("big.bin") },
    { path: "old.txt", content: blob("old.txt") },
  ],
});
await hub.commit({
  ...common,
  repo,
  title: "Delete from the JS client",
  operations: [{ operation: "delete", path: "old.txt" }],
});
const files = [];
for await (const f of hub.listFiles({ ...common, repo, recursive: true })) {
  if (f.type === "file") files.push({ path: f.path, lfs: f.lfs ? f.lfs.oid : null });
}
files.sort((a, b) => a.path.localeCompare(b.path));
console.log(JSON.stringify({ name: who.name, files }));

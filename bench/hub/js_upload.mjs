// The official JavaScript client (@huggingface/hub, pinned in tests/node/package.json) uploading one
// file to the loopback Hub, for bench/hub: createRepo, then uploadFiles, which hashes the file,
// asks preupload and the LFS batch, sends the multipart parts and commits. The file is opened
// with fs.openAsBlob, so the client reads it from disk as it needs it.
// usage: node js_upload.mjs ENDPOINT TOKEN FILE REPO_ID
import { createRequire } from "node:module";
import { openAsBlob } from "node:fs";
import path from "node:path";

const require = createRequire(import.meta.url);
const [endpoint, token, file, name] = process.argv.slice(2);
const nodeModules = path.join(process.env.RUNNEL_SOURCE_DIR, "tests/node/node_modules");
const hub = require(path.join(nodeModules, "@huggingface/hub"));

const common = { accessToken: token, hubUrl: endpoint };
const repo = { type: "model", name };
await hub.createRepo({ ...common, repo });
await hub.uploadFiles({
  ...common,
  repo,
  files: [{ path: path.basename(file), content: await openAsBlob(file) }],
});

// The loopback GitHub (tests/github/fake_github.py) through GitHub's own client, @octokit/rest:
// if octokit accepts its answers (status codes, JSON shapes, Link pagination, errors), the
// server follows GitHub's REST API for these endpoints. Prints one JSON object of results.
// usage: node github_octokit.mjs BASE_URL TOKEN SHA
import { Octokit } from "@octokit/rest";

const [baseUrl, token, sha] = process.argv.slice(2);
const octokit = new Octokit({ auth: token, baseUrl, request: { retries: 0 } });
const owner = "octo", repo = "demo";
const out = {};

const pulls = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({ owner, repo, commit_sha: sha });
out.pulls = pulls.data.filter((p) => p.state === "open").map((p) => p.number);

const created = await octokit.rest.issues.createComment({ owner, repo, issue_number: 12, body: "from octokit" });
out.created_status = created.status;

const all = await octokit.paginate(octokit.rest.issues.listComments, { owner, repo, issue_number: 12, per_page: 100 });
out.paginated = all.length;

const updated = await octokit.rest.issues.updateComment({ owner, repo, comment_id: created.data.id, body: "updated by octokit" });
out.updated_body = updated.data.body;

const cc = await octokit.rest.repos.createCommitComment({ owner, repo, commit_sha: sha, body: "commit note" });
out.commit_comment_status = cc.status;

const check = await octokit.rest.checks.create({
  owner, repo, name: "report", head_sha: sha, status: "completed", conclusion: "success",
  output: { title: "report", summary: "all good" },
});
out.check_status = check.status;

try {
  await octokit.rest.issues.createComment({ owner, repo, issue_number: 99, body: "x" });
  out.forbidden_status = 0;
} catch (e) {
  out.forbidden_status = e.status;
  out.forbidden_message = e.message;
}
console.log(JSON.stringify(out));

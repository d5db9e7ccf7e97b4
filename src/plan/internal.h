#ifndef PLAN_INTERNAL_H
#define PLAN_INTERNAL_H

/* Internal interfaces of plan/: repository facts (repo.c, over git.h), events, shared helpers. */

#include <stdbool.h>

#include "plan/plan.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/vec.h"

/*
 * Repository facts as the planner uses them (repo.c): what src/git/ reads, in GitHub's shapes
 * and with its placeholders. The calls after plan_repo_read() open the repository at r->root
 * again; strings live in the arena.
 */
/* Reads the facts of the repository containing dir (or placeholders when it is not one). */
int plan_repo_read(struct plan_repo *out, struct arena *a, const char *dir, struct err *err);
/* Resolves a revision (sha, branch, refs/..., HEAD~1) to 40 hex; ERR_NOTFOUND when unknown. */
int plan_repo_resolve(const char **sha, struct arena *a, const struct plan_repo *r, const char *rev,
                      struct err *err);
/* The first parent of commit sha (40 hex), or NULL for a root commit. */
int plan_repo_parent(const char **parent, struct arena *a, const struct plan_repo *r,
                     const char *sha, struct err *err);
/*
 * One changed path: status 'A' added, 'D' deleted, 'M' modified, 'R' renamed. A renamed file is
 * two entries, its new path and then its old one (is_old_name), one file of the diff.
 */
struct plan_change {
    const char *path;
    char status;
    bool is_old_name;
};

/* The best common ancestor of two commits (NULL when they share none). */
int plan_repo_merge_base(const char **out, struct arena *a, const struct plan_repo *r,
                         const char *a_sha, const char *b_sha, struct err *err);
/*
 * Appends (struct plan_change) the paths that differ between the trees of commits a_sha and b_sha
 * (both sides of renames, as GitHub lists them), strings in the arena.
 */
int plan_repo_changed(struct vec *out, struct arena *a, const struct plan_repo *r,
                      const char *a_sha, const char *b_sha, struct err *err);
/* A commit with the files it changed against its first parent. */
struct plan_log_entry {
    struct plan_commit commit;
    struct plan_change *changes;
    size_t nchanges;
};

/*
 * Appends (struct plan_log_entry) the commits reachable from `to` and not from `from` (NULL:
 * all), oldest first, at most the newest `max` of them, as a push payload lists them. *total
 * is the number of commits in the range, before the cut.
 */
int plan_repo_log(struct vec *out, size_t *total, struct arena *a, const struct plan_repo *r,
                  const char *from, const char *to, size_t max, struct err *err);
/*
 * What a push that creates `ref` (refs/heads/<b> or refs/tags/<t>) sends: appends (char[41])
 * the commits reachable from `to` and from no other reference of the repository (its branches,
 * remote-tracking branches and tags, leaving out ref itself and refs/remotes/<remote>/<b>),
 * parents first, so the first is the deepest commit pushed.
 */
int plan_repo_new_commits(struct vec *out, const struct plan_repo *r, const char *to,
                          const char *ref, struct err *err);
/* The metadata of a commit. */
int plan_repo_commit(struct plan_commit *out, struct arena *a, const struct plan_repo *r,
                     const char *sha, struct err *err);

/* Splits a remote URL (https, ssh, scp-like git@host:owner/name.git) into owner and name. */
bool plan_parse_remote(const char *url, struct arena *a, const char **owner, const char **name);

/* True when an expression in the token reads the named context. */
bool plan_token_reads(const struct wf_token *t, const char *context);

/* event.c: fills p->event from the options and the repository facts. */
int plan_event_build(struct plan *p, const struct plan_opts *o, struct err *err);
/*
 * event.c: the inputs context of a workflow for workflow_dispatch/workflow_call (declared inputs
 * typed and defaulted; ERR_INVALID on a value of the wrong type), and for workflow_dispatch the
 * string form github.event.inputs holds (else VAL_NULL).
 */
int plan_inputs_build(struct plan *p, struct plan_workflow *w, struct val *event_inputs,
                      struct err *err);

/* Adds a string member to an object value. */
void plan_obj_str(struct arena *a, struct val obj, const char *key, const char *value);

#endif

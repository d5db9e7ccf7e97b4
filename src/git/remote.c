/*
 * Remotes: resolving a name/URL/path, credentials, reading the remote's references, fetching a
 * branch's objects without writing references, and moving the branch without ever forcing it.
 *
 * Network remotes are pushed with libgit2's smart protocol; the server applies each update as a
 * compare-and-swap on the old value we send, so a publisher that lost a race is told so
 * ("fetch first", "failed to lock", or libgit2's own non-fast-forward check).
 *
 * Repositories by path are updated directly: libgit2's local push transport overwrites the
 * reference without comparing its old value, which would lose a version when two publishers
 * race. We write the objects as a pack into the remote's object store and then move the branch
 * with git_reference_create_matching(), which holds the ref's lock and checks the old value.
 */

#include "git/git.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "git/internal.h"
#include "util/path.h"
#include "util/str.h"
#include "util/url.h"
#include "util/xalloc.h"

/* ---- resolving ---- */

static bool looks_like_url(const char *s)
{
    if (strstr(s, "://"))
        return true;
    /* scp-like "user@host:path" (a ':' before the first '/'), as git reads it */
    const char *colon = strchr(s, ':');
    const char *slash = strchr(s, '/');
    return colon && (!slash || colon < slash);
}

/*
 * Takes the credentials out of a network URL for messages (util/url.h reads both forms):
 * t->display gets the URL without "user[:pass]@" (an scp-like address without a password keeps
 * its "user@": that is the SSH login, as git shows it); t->url_secret and t->url_secret_decoded
 * the password as written and with its %XX escapes decoded, both NULL without one.
 */
static void url_credentials(struct remote_target *t, const char *url)
{
    struct url_parts u;
    struct sbuf sb = SBUF_INIT;
    url_add_display(&sb, url);
    t->display = sbuf_detach(&sb, NULL);
    if (url_split(&u, url) && u.password.len) {
        t->url_secret = str_dup(u.password);
        url_percent_decode(&sb, t->url_secret);
        t->url_secret_decoded = sbuf_detach(&sb, NULL);
    }
}

/*
 * The configured URL of remote `name` (pushurl first), read from the configuration directly:
 * git_remote_lookup() and url.<base>.insteadOf matching go through libgit2 1.5's regexp code,
 * which leaks its pcre2 match data on every call.
 */
static int configured_url(char **out, git_repository *git, const char *name, struct err *err)
{
    git_config *cfg = NULL;
    git_buf buf = {0};
    struct sbuf key = SBUF_INIT;
    int rc = ERR_NOTFOUND;
    *out = NULL;
    if (git_repository_config_snapshot(&cfg, git) < 0) {
        rc = repo_fail(err, ERR_FAIL, NULL, "cannot read the configuration");
        goto done;
    }
    sbuf_addf(&key, "remote.%s.pushurl", name);
    int grc = git_config_get_string_buf(&buf, cfg, key.buf);
    if (grc == GIT_ENOTFOUND) {
        sbuf_reset(&key);
        sbuf_addf(&key, "remote.%s.url", name);
        grc = git_config_get_string_buf(&buf, cfg, key.buf);
    }
    if (grc == 0) {
        *out = xstrdup(buf.ptr);
        rc = 0;
    } else if (grc != GIT_ENOTFOUND && grc != GIT_EINVALIDSPEC) {
        rc = repo_fail(err, ERR_FAIL, NULL, "cannot read remote '%s'", name);
    }
done:
    git_buf_dispose(&buf);
    git_config_free(cfg);
    sbuf_release(&key);
    return rc;
}

/*
 * actions/checkout leaves its token in the repository's configuration as
 * http.https://github.com/.extraheader = "AUTHORIZATION: basic ..." and git sends it on every
 * request. libgit2 does not read http.*.extraheader, so without --token or GITHUB_TOKEN we look
 * it up for the remote's "<scheme>://<host>/" and pass it as a custom header. NULL when unset.
 */
static char *checkout_header(git_repository *git, const char *display_url)
{
    git_config *cfg = NULL;
    git_buf buf = {0};
    struct sbuf key = SBUF_INIT;
    char *out = NULL;
    const char *scheme = strstr(display_url, "://");
    if (!scheme || git_repository_config_snapshot(&cfg, git) < 0)
        goto done;
    const char *slash = strchr(scheme + 3, '/');
    size_t base = slash ? (size_t)(slash - display_url) : strlen(display_url);
    sbuf_addstr(&key, "http.");
    sbuf_add(&key, display_url, base);
    sbuf_addstr(&key, "/.extraheader");
    if (git_config_get_string_buf(&buf, cfg, key.buf) == 0 &&
        str_has_prefix(buf.ptr, "AUTHORIZATION:"))
        out = xstrdup(buf.ptr);
done:
    git_buf_dispose(&buf);
    git_config_free(cfg);
    sbuf_release(&key);
    return out;
}

int remote_resolve(struct remote_target *t, struct repo *r, const char *remote, const char *token,
                   struct err *err)
{
    char *url = NULL;
    int rc = 0;
    *t = (struct remote_target){.kind = REMOTE_NONE, .token = token};

    const char *name = remote ? remote : "origin";
    int lrc = configured_url(&url, r->git, name, err);
    if (lrc == ERR_NOTFOUND) {
        if (!remote)
            goto done; /* no --remote and no origin: the local branch */
        url = xstrdup(remote);
    } else if (lrc) {
        rc = lrc;
        goto done;
    }

    if (str_has_prefix(url, "file://") || !looks_like_url(url)) {
        const char *p = str_has_prefix(url, "file://") ? url + strlen("file://") : url;
        char real[PATH_MAX];
        if (!realpath(p, real)) {
            /* neither a configured remote nor a repository there: a bad request (exit 2) */
            if (errno == ENOENT || errno == ENOTDIR)
                rc = err_set(err, ERR_INVALID,
                             "remote repository '%s' not found (no remote of that name is "
                             "configured and no repository is at that path)",
                             p);
            else
                rc = err_errno(err, "cannot read remote repository '%s'", p);
            goto done;
        }
        t->kind = REMOTE_PATH;
        t->path = xstrdup(real);
        t->display = xstrdup(real);
        t->url = xstrdup(real);
        xfree(url);
        url = NULL;
    } else {
        t->kind = REMOTE_NETWORK;
        url_credentials(t, url);
        t->url = url;
        url = NULL;
        if (!token)
            t->extra_header = checkout_header(r->git, t->display);
    }
done:
    xfree(url);
    return rc;
}

/* An in-memory remote for url (no insteadOf rewriting: see configured_url). */
static int anonymous_remote(git_remote **out, struct repo *r, const char *url)
{
    git_remote_create_options o;
    git_remote_create_options_init(&o, GIT_REMOTE_CREATE_OPTIONS_VERSION);
    o.repository = r->git;
    o.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF | GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC;
    return git_remote_create_with_opts(out, url, &o);
}

void remote_target_release(struct remote_target *t)
{
    xfree(t->url);
    xfree(t->path);
    xfree(t->display);
    xfree(t->url_secret);
    xfree(t->url_secret_decoded);
    xfree(t->extra_header);
    *t = (struct remote_target){0};
}

/* ---- credentials ---- */

static int credentials_cb(git_credential **out, const char *url, const char *user_from_url,
                          unsigned int allowed, void *payload)
{
    struct remote_auth *auth = payload;
    /* libgit2 asks again after each 401; a token that was refused once is refused for good. */
    if (auth->tries++ > 0) {
        auth->rejected = true;
        git_error_set_str(GIT_ERROR_NET, "authentication failed (the token was rejected)");
        return GIT_EAUTH;
    }
    if (allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT) {
        if (!auth->token && auth->url_has_password) {
            /* libgit2 presents the URL's user:password first and asks us only when the server
             * refused them */
            auth->rejected = true;
            git_error_set_str(GIT_ERROR_NET,
                              "authentication failed (the password in the URL was rejected)");
            return GIT_EAUTH;
        }
        if (!auth->token) {
            auth->rejected = true;
            git_error_set_str(GIT_ERROR_NET, "authentication required: give --token or set "
                                             "GITHUB_TOKEN");
            return GIT_EAUTH;
        }
        const char *colon = strchr(auth->token, ':');
        if (colon) {
            char *user = xstrndup(auth->token, (size_t)(colon - auth->token));
            int rc = git_credential_userpass_plaintext_new(out, user, colon + 1);
            xfree(user);
            return rc;
        }
        return git_credential_userpass_plaintext_new(out, "x-access-token", auth->token);
    }
    if (allowed & GIT_CREDENTIAL_SSH_KEY)
        return git_credential_ssh_key_from_agent(out, user_from_url ? user_from_url : "git");
    if (allowed & GIT_CREDENTIAL_USERNAME)
        return git_credential_username_new(out, user_from_url ? user_from_url : "git");
    return GIT_PASSTHROUGH;
}

void remote_callbacks_init(git_remote_callbacks *cb, struct remote_auth *auth)
{
    git_remote_init_callbacks(cb, GIT_REMOTE_CALLBACKS_VERSION);
    cb->credentials = credentials_cb;
    cb->payload = auth;
}

int remote_fail(struct err *err, int code, const struct remote_target *t, const char *what, ...)
{
    struct sbuf sb = SBUF_INIT;
    va_list ap;
    va_start(ap, what);
    sbuf_vaddf(&sb, what, ap);
    va_end(ap);
    repo_fail(err, code, t->token, "%s", sb.buf);
    repo_mask(err, t->url_secret);
    repo_mask(err, t->url_secret_decoded);
    sbuf_release(&sb);
    return code;
}

static int net_fail(struct err *err, const struct remote_target *t, const char *what)
{
    return remote_fail(err, ERR_FAIL, t, "%s '%s'", what, t->display);
}

/* ---- reading references ---- */

static void add_ref(struct remote_state *st, const char *name, const git_oid *oid)
{
    /* "refs/tags/x^{}" carries the commit an annotated tag points at. */
    if (str_has_suffix(name, "^{}")) {
        size_t n = strlen(name) - 3;
        vec_foreach (struct remote_ref, rr, &st->refs) {
            if (strlen(rr->name) == n && !strncmp(rr->name, name, n))
                git_oid_cpy(&rr->peeled, oid);
        }
        return;
    }
    struct remote_ref *rr = vec_push(&st->refs);
    rr->name = xstrdup(name);
    git_oid_cpy(&rr->oid, oid);
    git_oid_cpy(&rr->peeled, oid);
}

const struct remote_ref *remote_state_find(const struct remote_state *st, const char *name)
{
    vec_foreach (struct remote_ref, rr, &st->refs) {
        if (!strcmp(rr->name, name))
            return rr;
    }
    return NULL;
}

void remote_state_release(struct remote_state *st)
{
    vec_foreach (struct remote_ref, rr, &st->refs)
        xfree(rr->name);
    vec_release(&st->refs);
}

static int local_ref_cb(git_reference *ref, void *payload)
{
    struct remote_state *st = payload;
    git_reference *resolved = NULL;
    if (git_reference_type(ref) == GIT_REFERENCE_DIRECT) {
        add_ref(st, git_reference_name(ref), git_reference_target(ref));
        git_object *peeled = NULL;
        if (str_has_prefix(git_reference_name(ref), "refs/tags/") &&
            git_reference_peel(&peeled, ref, GIT_OBJECT_COMMIT) == 0) {
            struct remote_ref *last = vec_at(&st->refs, st->refs.len - 1);
            git_oid_cpy(&last->peeled, git_object_id(peeled));
        }
        git_object_free(peeled);
    }
    git_reference_free(resolved);
    git_reference_free(ref);
    return 0;
}

static int load_local(struct remote_state *st, git_repository *git, const char *branch,
                      struct err *err)
{
    if (git_reference_foreach(git, local_ref_cb, st) < 0)
        return repo_fail(err, ERR_FAIL, NULL, "cannot read the references");
    if (branch) {
        struct sbuf name = SBUF_INIT;
        sbuf_addf(&name, "refs/heads/%s", branch);
        const struct remote_ref *rr = remote_state_find(st, name.buf);
        if (rr) {
            st->has_tip = true;
            git_oid_cpy(&st->tip, &rr->oid);
        }
        sbuf_release(&name);
    }
    return 0;
}

int remote_state_load(struct remote_state *st, struct repo *r, struct remote_target *t,
                      const char *branch, const char *const *want, size_t nwant, struct err *err)
{
    git_remote *remote = NULL;
    struct remote_auth auth = {.token = t->token, .url_has_password = t->url_secret != NULL};
    git_remote_callbacks cb;
    int rc = 0;
    *st = (struct remote_state){.refs = VEC_INIT(struct remote_ref)};

    if (t->kind == REMOTE_NONE)
        return load_local(st, r->git, branch, err);

    remote_callbacks_init(&cb, &auth);
    if (anonymous_remote(&remote, r, t->url) < 0) {
        rc = remote_fail(err, ERR_INVALID, t, "bad remote '%s'", t->display);
        goto done;
    }
    char *hdr[1] = {t->extra_header};
    git_strarray headers = {.strings = hdr, .count = t->extra_header ? 1 : 0};
    if (git_remote_connect(remote, GIT_DIRECTION_FETCH, &cb, NULL, &headers) < 0) {
        rc = net_fail(err, t, "cannot connect to");
        goto done;
    }
    const git_remote_head **heads = NULL;
    size_t nheads = 0;
    if (git_remote_ls(&heads, &nheads, remote) < 0) {
        rc = net_fail(err, t, "cannot list the references of");
        goto done;
    }
    for (size_t i = 0; i < nheads; i++) {
        if (str_has_prefix(heads[i]->name, "refs/heads/") ||
            str_has_prefix(heads[i]->name, "refs/tags/"))
            add_ref(st, heads[i]->name, &heads[i]->oid);
    }
    if (branch) {
        struct sbuf name = SBUF_INIT;
        sbuf_addf(&name, "refs/heads/%s", branch);
        const struct remote_ref *rr = remote_state_find(st, name.buf);
        if (rr) {
            st->has_tip = true;
            git_oid_cpy(&st->tip, &rr->oid);
        }
        sbuf_release(&name);
    }

    /* Download only what is missing; refspecs without a destination write no reference. */
    bool need = false;
    for (size_t i = 0; i < nwant && !need; i++) {
        vec_foreach (struct remote_ref, rr, &st->refs) {
            bool match = strchr(want[i], '*') ? str_has_prefix(rr->name, "refs/tags/")
                                              : !strcmp(rr->name, want[i]);
            if (match) {
                git_odb *odb = NULL;
                if (git_repository_odb(&odb, r->git) == 0) {
                    if (!git_odb_exists(odb, &rr->oid))
                        need = true;
                    git_odb_free(odb);
                }
            }
        }
    }
    if (need) {
        git_fetch_options fo;
        git_fetch_options_init(&fo, GIT_FETCH_OPTIONS_VERSION);
        fo.callbacks = cb;
        fo.update_fetchhead = 0;
        fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
        fo.prune = GIT_FETCH_NO_PRUNE;
        fo.custom_headers = headers;
        git_strarray specs = {.strings = (char **)want, .count = nwant};
        if (git_remote_download(remote, &specs, &fo) < 0) {
            rc = net_fail(err, t, "cannot fetch from");
            goto done;
        }
    }
done:
    if (remote) {
        git_remote_disconnect(remote);
        git_remote_free(remote);
    }
    if (rc)
        remote_state_release(st);
    return rc;
}

/* ---- moving the branch ---- */

static bool is_race_code(int rc)
{
    return rc == GIT_EMODIFIED || rc == GIT_EEXISTS || rc == GIT_ELOCKED ||
           rc == GIT_ENONFASTFORWARD;
}

/*
 * The version is on the branch; now its tag. The tag goes after the branch, never before: a tag
 * created for a commit that then lost the race would name a version that is not on the branch,
 * and the retry would find "its" tag taken. A tag that exists already is ours when it names this
 * commit (a rerun after a lost answer); otherwise another publisher took the name, the version
 * stays on the branch untagged and the error says so.
 */
static int tag_taken(struct err *err, const struct push_request *req, const char *where)
{
    char sha[GIT_OID_HEXSZ + 1];
    git_oid_tostr(sha, sizeof(sha), req->commit);
    return err_set(err, ERR_INVALID,
                   "tag '%s' already exists in '%s' (another publisher took it); version %.7s is "
                   "on '%s' without it",
                   req->tag, where, sha, req->branch);
}

static int tag_local(git_repository *dst, const struct push_request *req, const char *where,
                     struct err *err)
{
    git_reference *ref = NULL;
    git_object *peeled = NULL;
    struct sbuf name = SBUF_INIT;
    int rc = 0;
    sbuf_addf(&name, "refs/tags/%s", req->tag);
    int grc = git_reference_create(&ref, dst, name.buf, req->tag_oid, 0, "runnel publish");
    if (grc == GIT_EEXISTS) {
        bool ours = git_reference_lookup(&ref, dst, name.buf) == 0 &&
                    git_reference_peel(&peeled, ref, GIT_OBJECT_COMMIT) == 0 &&
                    git_oid_equal(git_object_id(peeled), req->commit);
        if (!ours)
            rc = tag_taken(err, req, where);
    } else if (grc < 0) {
        rc = repo_fail(err, ERR_FAIL, NULL, "cannot create tag '%s' in '%s'", req->tag, where);
    }
    git_object_free(peeled);
    git_reference_free(ref);
    sbuf_release(&name);
    return rc;
}

/* Local branch (no remote) or the remote repository opened by path. */
static int cas_update(enum push_outcome *out, git_repository *dst, const struct push_request *req,
                      const char *where, struct err *err)
{
    git_reference *ref = NULL;
    struct sbuf name = SBUF_INIT;
    int rc = 0;
    sbuf_addf(&name, "refs/heads/%s", req->branch);
    int grc;
    if (req->old)
        grc = git_reference_create_matching(&ref, dst, name.buf, req->commit, 1, req->old,
                                            "runnel publish");
    else
        grc = git_reference_create(&ref, dst, name.buf, req->commit, 0, "runnel publish");
    if (is_race_code(grc)) {
        *out = PUSH_RACE;
        goto done;
    }
    if (grc < 0) {
        rc =
            repo_fail(err, ERR_FAIL, NULL, "cannot update branch '%s' in '%s'", req->branch, where);
        goto done;
    }
    *out = PUSH_OK;
    if (req->tag)
        rc = tag_local(dst, req, where, err);
done:
    git_reference_free(ref);
    sbuf_release(&name);
    return rc;
}

/* Hides from the walk every advertised commit we already have, so only new objects travel. */
static void hide_known(git_revwalk *walk, git_odb *odb, const struct remote_state *st)
{
    vec_foreach (struct remote_ref, rr, &st->refs) {
        size_t len = 0;
        git_object_t type = GIT_OBJECT_INVALID;
        if (git_odb_exists(odb, &rr->peeled) &&
            git_odb_read_header(&len, &type, odb, &rr->peeled) == 0 && type == GIT_OBJECT_COMMIT)
            git_revwalk_hide(walk, &rr->peeled);
    }
}

/*
 * libgit2 pushes references, not bare object ids, and we must not write references into the
 * user's repository. So the push goes out of a scratch bare repository whose object database
 * borrows the user's as an alternate: it holds two references and no objects of its own.
 *
 * Its configuration also keeps the pack builder from searching deltas for blobs over
 * PUSH_DELTA_MAX (pack.bigFileThreshold): model weights and data files do not delta against each
 * other, and the search (a window of ten whole objects in memory) is what made pushing a large
 * folder slow and memory-hungry. Small files, where deltas pay, are still searched. libgit2 1.5
 * reads the threshold from pack.deltaCacheSize (a slip in packbuilder_config), so both are set;
 * a 1 MiB delta cache is plenty for deltas of objects under 1 MiB.
 */
#define PUSH_DELTA_MAX (1 << 20)

static int scratch_repo(git_repository **out, struct sbuf *dir, struct repo *r, struct err *err)
{
    git_odb *odb = NULL;
    git_config *cfg = NULL;
    struct sbuf objects = SBUF_INIT;
    const char *tmp = getenv("TMPDIR");
    struct sbuf tpl = SBUF_INIT;
    sbuf_addf(&tpl, "%s/runnel-push-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    int rc = fs_mkdtemp(dir, tpl.buf, err);
    sbuf_release(&tpl);
    if (rc)
        return rc;
    sbuf_addf(&objects, "%sobjects", r->commondir);
    if (git_repository_init(out, dir->buf, 1) < 0 || git_repository_config(&cfg, *out) < 0 ||
        git_config_set_int64(cfg, "pack.bigFileThreshold", PUSH_DELTA_MAX) < 0 ||
        git_config_set_int64(cfg, "pack.deltaCacheSize", PUSH_DELTA_MAX) < 0 ||
        git_repository_odb(&odb, *out) < 0 || git_odb_add_disk_alternate(odb, objects.buf) < 0)
        rc =
            repo_fail(err, ERR_FAIL, NULL, "cannot prepare a scratch repository in '%s'", dir->buf);
    git_config_free(cfg);
    git_odb_free(odb);
    sbuf_release(&objects);
    return rc;
}

static int push_path(enum push_outcome *out, struct repo *r, struct remote_target *t,
                     const struct remote_state *st, const struct push_request *req, struct err *err)
{
    git_repository *dst = NULL;
    git_packbuilder *pb = NULL;
    git_revwalk *walk = NULL;
    git_odb *odb = NULL;
    git_repository *scratch = NULL;
    struct sbuf scratch_dir = SBUF_INIT;
    struct sbuf packdir = SBUF_INIT;
    int rc = 0;

    if (git_repository_open_ext(&dst, t->path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0) {
        rc = repo_fail(err, ERR_FAIL, NULL, "cannot open remote repository '%s'", t->path);
        goto done;
    }
    /* As git's receive.denyCurrentBranch, in any of the remote's worktrees. */
    struct sbuf name = SBUF_INIT;
    struct sbuf where = SBUF_INIT;
    sbuf_addf(&name, "refs/heads/%s", req->branch);
    if (repo_checked_out_in(&where, dst, name.buf))
        rc = err_set(err, ERR_INVALID,
                     "branch '%s' is checked out at '%s'; publishing there would leave its "
                     "working tree stale",
                     req->branch, where.buf);
    sbuf_release(&name);
    sbuf_release(&where);
    if (rc)
        goto done;
    rc = scratch_repo(&scratch, &scratch_dir, r, err);
    if (rc)
        goto done;
    if (git_repository_odb(&odb, scratch) < 0 || git_packbuilder_new(&pb, scratch) < 0 ||
        git_revwalk_new(&walk, scratch) < 0 || git_revwalk_push(walk, req->commit) < 0) {
        rc = repo_fail(err, ERR_FAIL, NULL, "cannot prepare the objects for '%s'", t->path);
        goto done;
    }
    git_packbuilder_set_threads(pb, 0);
    hide_known(walk, odb, st);
    if (git_packbuilder_insert_walk(pb, walk) < 0 ||
        (req->tag_oid && git_packbuilder_insert(pb, req->tag_oid, NULL) < 0)) {
        rc = repo_fail(err, ERR_FAIL, NULL, "cannot pack the objects for '%s'", t->path);
        goto done;
    }
    if (git_packbuilder_object_count(pb) > 0) {
        sbuf_addf(&packdir, "%s/objects/pack", git_repository_commondir(dst));
        if (git_packbuilder_write(pb, packdir.buf, 0, NULL, NULL) < 0) {
            rc = repo_fail(err, ERR_FAIL, NULL, "cannot write the objects into '%s'", t->path);
            goto done;
        }
    }
    rc = cas_update(out, dst, req, t->path, err);
done:
    git_revwalk_free(walk);
    git_packbuilder_free(pb);
    git_odb_free(odb);
    git_repository_free(dst);
    git_repository_free(scratch);
    if (scratch_dir.len) {
        struct err ignored = ERR_INIT;
        fs_remove_tree(scratch_dir.buf, &ignored);
    }
    sbuf_release(&scratch_dir);
    sbuf_release(&packdir);
    return rc;
}

struct push_payload {
    struct remote_auth auth; /* first: the credentials callback reads it as its payload */
    bool rejected;           /* the server refused the reference */
    char reason[256];        /* its reason ("fetch first", "already exists", ...) */
};

static int push_ref_cb(const char *refname, const char *status, void *data)
{
    struct push_payload *pp = data;
    if (!status)
        return 0;
    pp->rejected = true;
    snprintf(pp->reason, sizeof(pp->reason), "%s", status);
    return 0;
}

/*
 * Pushes one reference of the scratch repository ("refs/x:refs/x"). The server applies it as a
 * compare-and-swap on the value it advertised, so a rejection means someone else moved it.
 * Returns libgit2's code; pp says whether the server refused the reference.
 */
static int push_one(git_remote *remote, const char *ref, struct push_payload *pp,
                    const struct remote_target *t)
{
    struct sbuf spec = SBUF_INIT;
    sbuf_addf(&spec, "%s:%s", ref, ref);
    char *specs[1] = {spec.buf};
    git_push_options po;
    git_push_options_init(&po, GIT_PUSH_OPTIONS_VERSION);
    /* A new connection asks for credentials again: count its tries afresh. */
    pp->auth.tries = 0;
    pp->rejected = false;
    pp->reason[0] = '\0';
    remote_callbacks_init(&po.callbacks, &pp->auth);
    po.callbacks.payload = pp;
    po.callbacks.push_update_reference = push_ref_cb;
    po.pb_parallelism = 0; /* one delta-search thread per core, as git pack-objects */
    char *hdr[1] = {t->extra_header};
    po.custom_headers = (git_strarray){.strings = hdr, .count = t->extra_header ? 1 : 0};
    git_strarray arr = {.strings = specs, .count = 1};
    int grc = git_remote_push(remote, &arr, &po);
    git_remote_disconnect(remote);
    sbuf_release(&spec);
    return grc;
}

/* After a refused tag push: does the remote's tag name our commit (then it is ours)? */
static bool remote_tag_is_ours(struct repo *r, struct remote_target *t,
                               const struct push_request *req)
{
    struct remote_state st = {.refs = VEC_INIT(struct remote_ref)};
    struct err ignored = ERR_INIT;
    struct sbuf name = SBUF_INIT;
    sbuf_addf(&name, "refs/tags/%s", req->tag);
    bool ours = false;
    if (remote_state_load(&st, r, t, NULL, NULL, 0, &ignored) == 0) {
        const struct remote_ref *rr = remote_state_find(&st, name.buf);
        ours = rr && git_oid_equal(&rr->peeled, req->commit);
    }
    remote_state_release(&st);
    sbuf_release(&name);
    return ours;
}

/*
 * libgit2 1.5 has no atomic push (git push --atomic), and without it the server applies each
 * reference on its own: a branch refused for a lost race next to a tag accepted for the same
 * commit would leave the tag on a commit that is not on the branch. So the branch goes alone,
 * and the tag follows only once the branch has the commit.
 */
static int push_network(enum push_outcome *out, struct repo *r, struct remote_target *t,
                        const struct push_request *req, struct err *err)
{
    git_remote *remote = NULL;
    git_repository *scratch = NULL;
    git_reference *ref = NULL;
    struct sbuf dir = SBUF_INIT;
    struct push_payload pp = {
        .auth = {.token = t->token, .url_has_password = t->url_secret != NULL}};
    struct sbuf bref = SBUF_INIT;
    struct sbuf tref = SBUF_INIT;
    int rc = 0;

    rc = scratch_repo(&scratch, &dir, r, err);
    if (rc)
        goto done;
    sbuf_addf(&bref, "refs/heads/%s", req->branch);
    if (git_reference_create(&ref, scratch, bref.buf, req->commit, 1, NULL) < 0) {
        rc = repo_fail(err, ERR_FAIL, NULL, "cannot prepare the push");
        goto done;
    }
    if (req->tag) {
        sbuf_addf(&tref, "refs/tags/%s", req->tag);
        git_reference_free(ref);
        ref = NULL;
        if (git_reference_create(&ref, scratch, tref.buf, req->tag_oid, 1, NULL) < 0) {
            rc = repo_fail(err, ERR_FAIL, NULL, "cannot prepare the push");
            goto done;
        }
    }

    git_remote_create_options co;
    git_remote_create_options_init(&co, GIT_REMOTE_CREATE_OPTIONS_VERSION);
    co.repository = scratch;
    co.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF | GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC;
    if (git_remote_create_with_opts(&remote, t->url, &co) < 0) {
        rc = remote_fail(err, ERR_INVALID, t, "bad remote '%s'", t->display);
        goto done;
    }
    int grc = push_one(remote, bref.buf, &pp, t);
    if (grc == GIT_ENONFASTFORWARD) {
        *out = PUSH_RACE;
        goto done;
    }
    if (grc < 0) {
        const git_error *e = git_error_last();
        /* libgit2 refuses before sending when the advertised tip is unknown to us. */
        if (e && e->message && strstr(e->message, "not present locally")) {
            *out = PUSH_RACE;
            goto done;
        }
        rc = net_fail(err, t, "cannot push to");
        goto done;
    }
    if (pp.rejected) {
        *out = PUSH_RACE;
        goto done;
    }
    *out = PUSH_OK;
    if (!req->tag)
        goto done;

    grc = push_one(remote, tref.buf, &pp, t);
    if (grc < 0) {
        rc = net_fail(err, t, "cannot push the tag to");
        char sha[GIT_OID_HEXSZ + 1];
        git_oid_tostr(sha, sizeof(sha), req->commit);
        err_prefix(err, "version %.7s is on '%s' but its tag '%s' is not: ", sha, req->branch,
                   req->tag);
        goto done;
    }
    if (pp.rejected && !remote_tag_is_ours(r, t, req)) {
        if (strstr(pp.reason, "already exists"))
            rc = tag_taken(err, req, t->display);
        else
            rc = err_set(err, ERR_INVALID, "'%s' rejected tag '%s': %s", t->display, req->tag,
                         pp.reason);
    }
done:
    if (remote) {
        git_remote_disconnect(remote);
        git_remote_free(remote);
    }
    git_reference_free(ref);
    git_repository_free(scratch);
    if (dir.len) {
        struct err ignored = ERR_INIT;
        fs_remove_tree(dir.buf, &ignored);
    }
    sbuf_release(&dir);
    sbuf_release(&bref);
    sbuf_release(&tref);
    return rc;
}

int remote_push(enum push_outcome *out, struct repo *r, struct remote_target *t,
                const struct remote_state *st, const struct push_request *req, struct err *err)
{
    switch (t->kind) {
    case REMOTE_NONE:
        return cas_update(out, r->git, req, "the local repository", err);
    case REMOTE_PATH:
        return push_path(out, r, t, st, req, err);
    case REMOTE_NETWORK:
        return push_network(out, r, t, req, err);
    }
    BUG("bad remote kind");
}

#include "actions/actions.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/path.h"
#include "util/str.h"
#include "util/xalloc.h"

/*
 * GitHub's rules (actions/runner ActionManager and @actions/workflow-parser): "docker://" is a
 * container action; "./" (or ".\") a local one; anything else must split on '@' into exactly two
 * parts, the first split on '/' and '\' with empty segments dropped into at least owner and repo.
 * We also refuse "." and ".." segments: the segments become directories of the action cache.
 */
static const char actions_format_msg[] = "expected format {owner}/{repo}[/path]@ref. Actual '%s'";

void actions_ref_release(struct actions_ref *r)
{
    xfree(r->owner);
    xfree(r->repo);
    xfree(r->path);
    xfree(r->ref);
    xfree(r->local);
    memset(r, 0, sizeof(*r));
}

static bool seg_is_safe(const char *p, size_t n)
{
    return !(n == 1 && p[0] == '.') && !(n == 2 && p[0] == '.' && p[1] == '.');
}

int actions_ref_parse(struct actions_ref *out, const char *uses, struct err *err)
{
    struct actions_ref r = {0};
    struct sbuf path = SBUF_INIT;
    int rc = 0;

    memset(out, 0, sizeof(*out));
    if (!uses || !*uses)
        return err_set(err, ERR_INVALID, "'uses' must not be empty");
    for (const char *p = uses; *p; p++) {
        if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
            return err_set(err, ERR_INVALID, "'uses' must not contain whitespace: '%s'", uses);
    }
    if (str_has_prefix(uses, "docker://")) {
        if (!uses[9])
            return err_set(err, ERR_INVALID, "'uses' names no image: '%s'", uses);
        r.kind = ACTIONS_REF_DOCKER;
        r.local = xstrdup(uses + 9);
        *out = r;
        return 0;
    }
    if (str_has_prefix(uses, "./") || str_has_prefix(uses, ".\\")) {
        r.kind = ACTIONS_REF_LOCAL;
        r.local = xstrdup(uses);
        *out = r;
        return 0;
    }
    const char *at = strchr(uses, '@');
    if (!at || strchr(at + 1, '@') || !at[1]) {
        rc = err_set(err, ERR_INVALID, actions_format_msg, uses);
        goto done;
    }
    r.kind = ACTIONS_REF_REMOTE;
    r.ref = xstrdup(at + 1);
    size_t nseg = 0;
    for (const char *p = uses; p < at;) {
        const char *e = p;
        while (e < at && *e != '/' && *e != '\\')
            e++;
        if (e > p) {
            if (!seg_is_safe(p, (size_t)(e - p))) {
                rc = err_set(err, ERR_INVALID, "'uses' path segment '%.*s' is not allowed: '%s'",
                             (int)(e - p), p, uses);
                goto done;
            }
            if (nseg == 0) {
                r.owner = xstrndup(p, (size_t)(e - p));
            } else if (nseg == 1) {
                r.repo = xstrndup(p, (size_t)(e - p));
            } else {
                if (path.len)
                    sbuf_addch(&path, '/');
                sbuf_add(&path, p, (size_t)(e - p));
            }
            nseg++;
        }
        p = e < at ? e + 1 : e;
    }
    if (nseg < 2) {
        rc = err_set(err, ERR_INVALID, actions_format_msg, uses);
        goto done;
    }
    if (strstr(r.ref, "..") || r.ref[0] == '/' || strchr(r.ref, '\\')) {
        rc = err_set(err, ERR_INVALID, "'uses' ref '%s' is not allowed: '%s'", r.ref, uses);
        goto done;
    }
    if (path.len)
        r.path = sbuf_detach(&path, NULL);
    *out = r;
    memset(&r, 0, sizeof(r));
done:
    sbuf_release(&path);
    actions_ref_release(&r);
    return rc;
}

void actions_ref_format(struct sbuf *out, const struct actions_ref *r)
{
    switch (r->kind) {
    case ACTIONS_REF_LOCAL:
        sbuf_addstr(out, r->local);
        break;
    case ACTIONS_REF_DOCKER:
        sbuf_addf(out, "docker://%s", r->local);
        break;
    case ACTIONS_REF_REMOTE:
        sbuf_addf(out, "%s/%s", r->owner, r->repo);
        if (r->path)
            sbuf_addf(out, "/%s", r->path);
        sbuf_addf(out, "@%s", r->ref);
        break;
    }
}

void actions_mapping_release(struct actions_mapping *m)
{
    xfree(m->action);
    xfree(m->dir);
    m->action = NULL;
    m->dir = NULL;
}

int actions_mapping_parse(struct actions_mapping *out, const char *spec, struct err *err)
{
    const char *eq = strchr(spec, '=');
    if (!eq || eq == spec || !eq[1])
        return err_set(err, ERR_INVALID, "--action-path expects owner/repo@ref=DIR, got '%s'",
                       spec);
    char *action = xstrndup(spec, (size_t)(eq - spec));
    struct actions_ref r;
    int rc = actions_ref_parse(&r, action, err);
    if (rc < 0) {
        xfree(action);
        err_prefix(err, "--action-path: ");
        return rc;
    }
    bool remote = r.kind == ACTIONS_REF_REMOTE;
    actions_ref_release(&r);
    if (!remote) {
        xfree(action);
        return err_set(err, ERR_INVALID, "--action-path maps only owner/repo@ref actions, got '%s'",
                       spec);
    }
    out->action = action;
    /* Made absolute now: steps run in another directory, and the sandbox binds it by path. */
    struct sbuf dir = SBUF_INIT;
    if (eq[1] == '/') {
        sbuf_addstr(&dir, eq + 1);
    } else {
        char *cwd = getcwd(NULL, 0);
        struct sbuf joined = SBUF_INIT;
        path_join(&joined, cwd ? cwd : "/", eq + 1);
        path_normalize(&dir, joined.buf);
        sbuf_release(&joined);
        xfree(cwd);
    }
    out->dir = sbuf_detach(&dir, NULL);
    return 0;
}

#include "actions/actions.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "actions/internal.h"
#include "http/http.h"
#include "util/path.h"
#include "util/str.h"
#include "util/xalloc.h"

const char *actions_source_name(enum actions_source s)
{
    switch (s) {
    case ACTIONS_SOURCE_MAPPING:
        return "mapping";
    case ACTIONS_SOURCE_CACHE:
        return "cache";
    case ACTIONS_SOURCE_DOWNLOAD:
        return "download";
    case ACTIONS_SOURCE_BUILTIN:
        return "built-in";
    }
    return "?";
}

void actions_fetched_release(struct actions_fetched *f)
{
    sbuf_release(&f->dir);
    xfree(f->sha);
    f->sha = NULL;
}

void actions_resolved_release(struct actions_resolved *r)
{
    actions_fetched_release(&r->fetched);
}

int actions_cache_dir_default(struct sbuf *out, struct err *err)
{
    return actions_default_dir(out, "actions", err);
}

/* "owner/repo@ref" for messages (the sub path is not part of what is downloaded). */
static void repo_name(struct sbuf *out, const struct actions_ref *r)
{
    sbuf_addf(out, "%s/%s@%s", r->owner, r->repo, r->ref);
}

static void add_lower(struct sbuf *out, const char *s)
{
    for (; *s; s++)
        sbuf_addch(out, str_lower((unsigned char)*s));
}

/* <cache>/<owner>/<repo> with owner and repo lower-cased: GitHub compares them ignoring case. */
static int repo_cache_dir(struct sbuf *out, const struct actions_ref *r,
                          const struct actions_fetch_opts *o, struct err *err)
{
    if (o->cache_dir) {
        sbuf_addstr(out, o->cache_dir);
    } else {
        int rc = actions_cache_dir_default(out, err);
        if (rc < 0)
            return rc;
    }
    sbuf_addch(out, '/');
    add_lower(out, r->owner);
    sbuf_addch(out, '/');
    add_lower(out, r->repo);
    return 0;
}

/* A ref becomes one directory name: '/' (branches like release/v1) and '%' are escaped. */
static void add_ref_dirname(struct sbuf *out, const char *ref)
{
    for (; *ref; ref++) {
        if (*ref == '/' || *ref == '%')
            sbuf_addf(out, "%%%02X", (unsigned char)*ref);
        else
            sbuf_addch(out, *ref);
    }
}

static void add_subpath(struct sbuf *dir, const struct actions_ref *r)
{
    if (r->path)
        sbuf_addf(dir, "/%s", r->path);
}

/* Looks r up among the mappings: "owner/repo@ref" maps the repository, with /path the action. */
static bool find_mapping(struct sbuf *dir_out, const struct actions_ref *r,
                         const struct actions_fetch_opts *o)
{
    struct sbuf full = SBUF_INIT;
    struct sbuf repo = SBUF_INIT;
    bool found = false;
    actions_ref_format(&full, r);
    repo_name(&repo, r);
    for (size_t i = 0; i < o->nmaps && !found; i++) {
        if (!str_casecmp(o->maps[i].action, full.buf)) {
            sbuf_addstr(dir_out, o->maps[i].dir);
            found = true;
        } else if (!str_casecmp(o->maps[i].action, repo.buf)) {
            sbuf_addstr(dir_out, o->maps[i].dir);
            add_subpath(dir_out, r);
            found = true;
        }
    }
    sbuf_release(&full);
    sbuf_release(&repo);
    return found;
}

/* The cached repository directory for r, when present (also via a short sha recorded earlier). */
static bool find_cached(struct sbuf *dir_out, char **sha_out, const struct actions_ref *r,
                        const struct actions_fetch_opts *o)
{
    struct sbuf base = SBUF_INIT;
    struct sbuf d = SBUF_INIT;
    struct err err = ERR_INIT;
    bool found = false;
    if (repo_cache_dir(&base, r, o, &err) < 0)
        goto done;
    sbuf_addf(&d, "%s/", base.buf);
    add_ref_dirname(&d, r->ref);
    if (fs_is_dir(d.buf)) {
        found = true;
    } else {
        /* a full sha whose short form was recorded by an earlier download */
        size_t n = strlen(r->ref);
        bool hex = n == 40;
        for (size_t i = 0; i < n && hex; i++)
            hex = strchr("0123456789abcdef", r->ref[i]) != NULL;
        for (size_t k = 12; hex && k >= 7 && !found; k--) {
            sbuf_reset(&d);
            sbuf_addf(&d, "%s/@sha/%.*s", base.buf, (int)k, r->ref);
            found = fs_is_dir(d.buf);
        }
    }
    if (found) {
        sbuf_addstr(dir_out, d.buf);
        if (sha_out) {
            struct sbuf shaf = SBUF_INIT;
            struct sbuf txt = SBUF_INIT;
            struct err e2 = ERR_INIT;
            sbuf_addf(&shaf, "%s/../.%s.sha", d.buf, path_basename(d.buf));
            if (sbuf_read_file(&txt, shaf.buf, 128, &e2) == 0 && txt.len) {
                sbuf_rtrim(&txt);
                *sha_out = sbuf_detach(&txt, NULL);
            }
            sbuf_release(&shaf);
            sbuf_release(&txt);
        }
    }
done:
    sbuf_release(&base);
    sbuf_release(&d);
    return found;
}

bool actions_is_available(const struct actions_ref *r, const struct actions_fetch_opts *o)
{
    if (r->kind != ACTIONS_REF_REMOTE)
        return false;
    struct sbuf d = SBUF_INIT;
    bool ok = find_mapping(&d, r, o) || find_cached(&d, NULL, r, o);
    sbuf_release(&d);
    return ok;
}

/* True when rel (already without the leading component) stays inside the target. */
static bool rel_is_safe(const char *rel)
{
    if (rel[0] == '/')
        return false;
    for (const char *p = rel; *p;) {
        const char *e = strchr(p, '/');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n == 2 && p[0] == '.' && p[1] == '.')
            return false;
        p += n;
        if (*p == '/')
            p++;
    }
    return true;
}

/* Strips the first component of name; returns NULL for the top directory itself. */
static const char *strip_top(const char *name)
{
    while (name[0] == '.' && name[1] == '/')
        name += 2;
    const char *slash = strchr(name, '/');
    if (!slash)
        return NULL;
    while (*slash == '/')
        slash++;
    return *slash ? slash : NULL;
}

int actions_unpack_tarball(const char *tar_path, const char *dest, const char *name,
                           struct err *err)
{
    struct archive *in = NULL;
    struct archive *out = NULL;
    struct sbuf target = SBUF_INIT;
    struct sbuf link = SBUF_INIT;
    struct sbuf tmp = SBUF_INIT;
    struct sbuf relb = SBUF_INIT;
    struct err ignored = ERR_INIT;
    int rc = 0;
    size_t count = 0;

    if (mkdir(dest, 0755) < 0)
        return err_errno(err, "action '%s': cannot create '%s'", name, dest);
    in = archive_read_new();
    archive_read_support_filter_all(in);
    archive_read_support_format_all(in);
    if (archive_read_open_filename(in, tar_path, 1u << 16) != ARCHIVE_OK) {
        rc = err_set(err, ERR_INVALID, "action '%s': cannot read the tarball: %s", name,
                     archive_error_string(in));
        goto done;
    }
    out = archive_write_disk_new();
    /* entry names are checked above and made absolute under dest: no NOABSOLUTEPATHS here */
    archive_write_disk_set_options(out, ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME |
                                            ARCHIVE_EXTRACT_SECURE_SYMLINKS |
                                            ARCHIVE_EXTRACT_SECURE_NODOTDOT);
    for (;;) {
        struct archive_entry *e;
        int r = archive_read_next_header(in, &e);
        if (r == ARCHIVE_EOF)
            break;
        if (r < ARCHIVE_WARN) {
            rc = err_set(err, ERR_INVALID, "action '%s': bad tarball: %s", name,
                         archive_error_string(in));
            goto done;
        }
        const char *orig = archive_entry_pathname(e);
        if (!orig)
            continue;
        if (orig[0] == '/' || !rel_is_safe(orig)) {
            rc = err_set(err, ERR_INVALID,
                         "action '%s': tarball entry '%s' leaves the action directory", name, orig);
            goto done;
        }
        if (++count > ACTIONS_MAX_FILES) {
            rc = err_set(err, ERR_INVALID, "action '%s': tarball has more than %u entries", name,
                         ACTIONS_MAX_FILES);
            goto done;
        }
        const char *top_rel = strip_top(orig);
        if (!top_rel)
            continue; /* the top-level directory (owner-repo-sha/) */
        /* copied: setting the entry's pathname below frees the string orig points into */
        sbuf_reset(&relb);
        sbuf_addstr(&relb, top_rel);
        const char *rel = relb.buf;
        const char *hl = archive_entry_hardlink(e);
        if (hl) {
            const char *hrel = strip_top(hl);
            if (hl[0] == '/' || !rel_is_safe(hl) || !hrel) {
                rc = err_set(err, ERR_INVALID,
                             "action '%s': tarball hard link '%s' -> '%s' leaves the action "
                             "directory",
                             name, orig, hl);
                goto done;
            }
            sbuf_reset(&link);
            sbuf_addf(&link, "%s/%s", dest, hrel);
            archive_entry_set_hardlink(e, link.buf);
        }
        if (archive_entry_filetype(e) == AE_IFLNK) {
            const char *to = archive_entry_symlink(e);
            sbuf_reset(&tmp);
            sbuf_reset(&link);
            if (to && to[0] != '/') {
                path_dirname(&tmp, rel);
                sbuf_addf(&tmp, "/%s", to);
                path_normalize(&link, tmp.buf);
            }
            if (!to || to[0] == '/' || !path_is_contained(link.buf)) {
                rc = err_set(err, ERR_INVALID,
                             "action '%s': tarball symbolic link '%s' -> '%s' leaves the action "
                             "directory",
                             name, orig, to ? to : "");
                goto done;
            }
        }
        sbuf_reset(&target);
        sbuf_addf(&target, "%s/%s", dest, rel);
        archive_entry_set_pathname(e, target.buf);
        r = archive_write_header(out, e);
        if (r < ARCHIVE_WARN) {
            rc = err_set(err, ERR_IO, "action '%s': cannot unpack '%s': %s", name, rel,
                         archive_error_string(out));
            goto done;
        }
        if (archive_entry_size(e) > 0 && archive_entry_filetype(e) == AE_IFREG) {
            const void *buf;
            size_t size;
            la_int64_t off;
            while ((r = archive_read_data_block(in, &buf, &size, &off)) == ARCHIVE_OK) {
                if (archive_write_data_block(out, buf, size, off) < ARCHIVE_WARN) {
                    rc = err_set(err, ERR_IO, "action '%s': cannot write '%s': %s", name, rel,
                                 archive_error_string(out));
                    goto done;
                }
            }
            if (r != ARCHIVE_EOF) {
                rc = err_set(err, ERR_INVALID, "action '%s': bad tarball: %s", name,
                             archive_error_string(in));
                goto done;
            }
        }
        if (archive_write_finish_entry(out) < ARCHIVE_WARN) {
            rc = err_set(err, ERR_IO, "action '%s': cannot finish '%s': %s", name, rel,
                         archive_error_string(out));
            goto done;
        }
    }
    if (archive_write_close(out) != ARCHIVE_OK) {
        rc = err_set(err, ERR_IO, "action '%s': cannot finish unpacking: %s", name,
                     archive_error_string(out));
        goto done;
    }
done:
    if (in)
        archive_read_free(in);
    if (out)
        archive_write_free(out);
    if (rc < 0)
        fs_remove_tree(dest, &ignored);
    sbuf_release(&target);
    sbuf_release(&link);
    sbuf_release(&tmp);
    sbuf_release(&relb);
    return rc;
}

/* The short sha at the end of the tarball's top directory (GitHub: owner-repo-<sha>/). */
static char *tarball_sha(const char *tar_path)
{
    struct archive *in = archive_read_new();
    char *sha = NULL;
    archive_read_support_filter_all(in);
    archive_read_support_format_all(in);
    struct archive_entry *e;
    if (archive_read_open_filename(in, tar_path, 1u << 16) == ARCHIVE_OK &&
        archive_read_next_header(in, &e) == ARCHIVE_OK) {
        const char *n = archive_entry_pathname(e);
        const char *slash = n ? strchr(n, '/') : NULL;
        size_t len = slash ? (size_t)(slash - n) : (n ? strlen(n) : 0);
        size_t i = len;
        while (i > 0 && strchr("0123456789abcdef", n[i - 1]))
            i--;
        if (i > 0 && n[i - 1] == '-' && len - i >= 7 && len - i <= 40)
            sha = xstrndup(n + i, len - i);
    }
    archive_read_free(in);
    return sha;
}

/* Downloads and unpacks r into <repo cache>/<ref>, then records the sha. */
static int download(struct actions_fetched *out, const struct actions_ref *r,
                    const struct actions_fetch_opts *o, struct err *err)
{
    struct sbuf base = SBUF_INIT;
    struct sbuf tmp = SBUF_INIT;
    struct sbuf url = SBUF_INIT;
    struct sbuf tarball = SBUF_INIT;
    struct sbuf tree = SBUF_INIT;
    struct sbuf final = SBUF_INIT;
    struct sbuf name = SBUF_INIT;
    struct sbuf shaf = SBUF_INIT;
    struct http_client *client = NULL;
    struct http_response resp = HTTP_RESPONSE_INIT;
    struct err ignored = ERR_INIT;
    char *sha = NULL;
    int rc;

    repo_name(&name, r);
    rc = repo_cache_dir(&base, r, o, err);
    if (rc < 0)
        goto done;
    rc = fs_mkdirs(base.buf, 0755, err);
    if (rc < 0)
        goto done;
    sbuf_addf(&final, "%s/.tmp-XXXXXX", base.buf);
    rc = fs_mkdtemp(&tmp, final.buf, err);
    sbuf_reset(&final);
    if (rc < 0)
        goto done;

    const char *api = o->api_url;
    if (!api || !*api)
        api = getenv("GITHUB_API_URL");
    if (!api || !*api)
        api = "https://api.github.com";
    sbuf_addstr(&url, api);
    while (url.len && url.buf[url.len - 1] == '/')
        sbuf_setlen(&url, url.len - 1);
    sbuf_addstr(&url, "/repos/");
    http_url_escape(&url, r->owner);
    sbuf_addch(&url, '/');
    http_url_escape(&url, r->repo);
    sbuf_addstr(&url, "/tarball/");
    http_url_escape(&url, r->ref);

    sbuf_addf(&tarball, "%s/tarball", tmp.buf);
    rc = http_client_new(&client, &(struct http_client_opts){.retry = {.max_attempts = 3}}, err);
    if (rc < 0)
        goto done;
    static const struct http_header hdrs[] = {{"Accept", "application/vnd.github+json"},
                                              {"X-GitHub-Api-Version", "2022-11-28"}};
    rc = http_do(client,
                 &(struct http_request){.url = url.buf,
                                        .headers = hdrs,
                                        .n_headers = 2,
                                        .bearer_token = o->token && *o->token ? o->token : NULL,
                                        .response_path = tarball.buf,
                                        .max_response = ACTIONS_MAX_TARBALL},
                 &resp, err);
    if (rc < 0) {
        err_prefix(err, "action '%s': ", name.buf);
        goto done;
    }
    if (resp.status == 404) {
        rc = err_set(err, ERR_NOTFOUND,
                     "action '%s' not found: HTTP 404 from the tarball endpoint (wrong owner, "
                     "repository or ref, or a private repository without a token)",
                     name.buf);
        goto done;
    }
    if (resp.status < 200 || resp.status >= 300) {
        rc = err_set(err, ERR_FAIL, "action '%s': HTTP %ld from the tarball endpoint", name.buf,
                     resp.status);
        goto done;
    }
    sha = tarball_sha(tarball.buf);
    sbuf_addf(&tree, "%s/tree", tmp.buf);
    rc = actions_unpack_tarball(tarball.buf, tree.buf, name.buf, err);
    if (rc < 0)
        goto done;
    sbuf_addf(&final, "%s/", base.buf);
    add_ref_dirname(&final, r->ref);
    if (rename(tree.buf, final.buf) < 0) {
        if (errno != EEXIST && errno != ENOTEMPTY) {
            rc = err_errno(err, "action '%s': cannot move into the cache", name.buf);
            goto done;
        }
        /* another runnel got there first: its copy is as good as ours */
    }
    if (sha) {
        /* Record the sha: .<ref>.sha beside the tree, and @sha/<sha> -> ../<ref>. */
        sbuf_addf(&shaf, "%s/.%s.sha", base.buf, path_basename(final.buf));
        fs_write_file(shaf.buf, sha, strlen(sha), &ignored);
        sbuf_reset(&shaf);
        sbuf_addf(&shaf, "%s/@sha", base.buf);
        if (fs_mkdirs(shaf.buf, 0755, &ignored) == 0) {
            struct sbuf lnk = SBUF_INIT;
            struct sbuf to = SBUF_INIT;
            sbuf_addf(&lnk, "%s/%s", shaf.buf, sha);
            sbuf_addf(&to, "../%s", path_basename(final.buf));
            if (symlink(to.buf, lnk.buf) < 0 && errno != EEXIST) {
                /* the sha alias is an optimisation only */
            }
            sbuf_release(&lnk);
            sbuf_release(&to);
        }
    }
    out->source = ACTIONS_SOURCE_DOWNLOAD;
    sbuf_addstr(&out->dir, final.buf);
    add_subpath(&out->dir, r);
    out->sha = sha;
    sha = NULL;
done:
    if (tmp.len)
        fs_remove_tree(tmp.buf, &ignored);
    http_response_release(&resp);
    http_client_free(client);
    xfree(sha);
    sbuf_release(&base);
    sbuf_release(&tmp);
    sbuf_release(&url);
    sbuf_release(&tarball);
    sbuf_release(&tree);
    sbuf_release(&final);
    sbuf_release(&name);
    sbuf_release(&shaf);
    return rc;
}

static int fetch_repo(struct actions_fetched *out, const struct actions_ref *r,
                      const struct actions_fetch_opts *o, struct err *err);

int actions_fetch(struct actions_fetched *out, const struct actions_ref *r,
                  const struct actions_fetch_opts *o, struct err *err)
{
    int rc = fetch_repo(out, r, o, err);
    if (rc == 0 && r->kind == ACTIONS_REF_REMOTE && r->path && !fs_exists(out->dir.buf)) {
        struct sbuf s = SBUF_INIT;
        actions_ref_format(&s, r);
        rc = err_set(err, ERR_NOTFOUND, "action '%s': the repository has no '%s'", s.buf, r->path);
        sbuf_release(&s);
    }
    return rc;
}

static int fetch_repo(struct actions_fetched *out, const struct actions_ref *r,
                      const struct actions_fetch_opts *o, struct err *err)
{
    actions_fetched_release(out);
    out->dir = SBUF_INIT;
    if (r->kind != ACTIONS_REF_REMOTE) {
        struct sbuf s = SBUF_INIT;
        actions_ref_format(&s, r);
        int rc = err_set(err, ERR_INVALID, "'%s' is not a remote action", s.buf);
        sbuf_release(&s);
        return rc;
    }
    if (find_mapping(&out->dir, r, o)) {
        out->source = ACTIONS_SOURCE_MAPPING;
        if (!fs_is_dir(out->dir.buf) &&
            !fs_is_file(out->dir.buf)) { /* a sub path may be a file (a called workflow) */
            struct sbuf s = SBUF_INIT;
            actions_ref_format(&s, r);
            int rc = err_set(err, ERR_NOTFOUND, "action '%s': mapped directory '%s' not found",
                             s.buf, out->dir.buf);
            sbuf_release(&s);
            return rc;
        }
        return 0;
    }
    if (find_cached(&out->dir, &out->sha, r, o)) {
        out->source = ACTIONS_SOURCE_CACHE;
        add_subpath(&out->dir, r);
        return 0;
    }
    if (o->offline) {
        struct sbuf s = SBUF_INIT;
        repo_name(&s, r);
        int rc = err_set(err, ERR_NOTFOUND,
                         "action '%s' is not in the action cache and --offline forbids "
                         "downloading it (run 'runnel actions pull' while online)",
                         s.buf);
        sbuf_release(&s);
        return rc;
    }
    return download(out, r, o, err);
}

int actions_resolve(struct actions_resolved *out, const struct actions_ref *r,
                    const struct actions_resolve_opts *o, struct err *err)
{
    struct sbuf uses = SBUF_INIT;
    actions_ref_format(&uses, r);
    bool builtin = r->kind == ACTIONS_REF_REMOTE && actions_builtin_has(uses.buf);
    sbuf_release(&uses);
    actions_fetched_release(&out->fetched);
    out->fetched.dir = SBUF_INIT;

    struct sbuf tmp = SBUF_INIT;
    bool mapped = r->kind == ACTIONS_REF_REMOTE && find_mapping(&tmp, r, &o->fetch);
    sbuf_release(&tmp);
    if (builtin && !mapped && (o->prefer_builtin || !actions_is_available(r, &o->fetch))) {
        out->source = ACTIONS_SOURCE_BUILTIN;
        return 0;
    }
    int rc = actions_fetch(&out->fetched, r, &o->fetch, err);
    if (rc == 0)
        out->source = out->fetched.source;
    return rc;
}

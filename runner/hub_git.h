#ifndef RUNNER_HUB_GIT_H
#define RUNNER_HUB_GIT_H

/*
 * The git operations of the embedded file:// hub (struct hub_git_ops, hub.h), over src/git/'s
 * bare-repository functions (git.h's last section). It lives in runner/ because it joins two
 * modules that may not use each other (hub: util + http; git: util + libgit2): runner/ is the
 * one place that may use both.
 *
 *   hub_new(&h, &(struct hub_opts){.endpoint = "file:///dir", .git = &cli_hub_git_ops}, err);
 *
 * tests/unit/test_hub.c builds this file too (tests/cmake/hub.cmake), so that the tests run the
 * file:// hub on the same wiring as runnel.
 */

#include "hub/hub.h"

extern const struct hub_git_ops cli_hub_git_ops;

#endif

#ifndef RUN_RUN_H
#define RUN_RUN_H

/*
 * run: executing workflows locally. The module's manual is split by subject; include this header
 * to get all of it:
 *   run/mask.h     the secret masker (streams, GitHub's encoded forms)
 *   run/command.h  workflow commands (::group::, ::error::, ::add-mask::, ...)
 *   run/envfile.h  GITHUB_ENV / GITHUB_OUTPUT / GITHUB_STATE / GITHUB_PATH files
 *   run/sched.h    the executor: scheduler, job and step runners (runnel run)
 * The scheduler and the job and step runners build on these and on exec/exec.h.
 */

#include "run/command.h"
#include "run/envfile.h"
#include "run/mask.h"
#include "run/sched.h"

#endif

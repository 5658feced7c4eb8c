/* gasync-runner-result.h: what a runner finished with
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#pragma once

#if !defined(GASYNC_INSIDE) && !defined(GASYNC_COMPILATION)
# error "Only <gasync.h> can be included directly."
#endif

#include <gio/gio.h>

#include "gasync-version-macros.h"

G_BEGIN_DECLS

/**
 * GASYNC_RUNNER_RESULT_UNKNOWN_ID:
 *
 * The id of the results that a #GasyncGroupRunner makes up for runners
 * that did not report within its interrupt timeout: `_unknown_`.
 *
 * Since: 0.1
 */
#define GASYNC_RUNNER_RESULT_UNKNOWN_ID "_unknown_"

/**
 * GASYNC_TYPE_RUNNER_RESULT:
 *
 * The #GType of #GasyncRunnerResult.
 *
 * Since: 0.1
 */
#define GASYNC_TYPE_RUNNER_RESULT (gasync_runner_result_get_type ())

/**
 * GasyncRunnerResult:
 *
 * What a #GasyncRunner finished with: its id and its error, if any.
 * Immutable and reference counted.
 *
 * Since: 0.1
 */
typedef struct _GasyncRunnerResult GasyncRunnerResult;

GASYNC_AVAILABLE_IN_0_1
GType                gasync_runner_result_get_type  (void);
GASYNC_AVAILABLE_IN_0_1
GasyncRunnerResult  *gasync_runner_result_ref       (GasyncRunnerResult *self);
GASYNC_AVAILABLE_IN_0_1
void                 gasync_runner_result_unref     (GasyncRunnerResult *self);
GASYNC_AVAILABLE_IN_0_1
const char          *gasync_runner_result_get_id    (GasyncRunnerResult *self);
GASYNC_AVAILABLE_IN_0_1
const GError        *gasync_runner_result_get_error (GasyncRunnerResult *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GasyncRunnerResult, gasync_runner_result_unref)

G_END_DECLS

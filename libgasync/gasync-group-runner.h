/* gasync-group-runner.h: runners that start and stop together
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
#include "gasync-runner.h"

G_BEGIN_DECLS

/**
 * GASYNC_TYPE_GROUP_RUNNER:
 *
 * The #GType of #GasyncGroupRunner.
 *
 * Since: 0.1
 */
#define GASYNC_TYPE_GROUP_RUNNER (gasync_group_runner_get_type ())

GASYNC_AVAILABLE_IN_0_1
G_DECLARE_FINAL_TYPE (GasyncGroupRunner, gasync_group_runner, GASYNC, GROUP_RUNNER, GObject)

GASYNC_AVAILABLE_IN_0_1
GasyncGroupRunner *gasync_group_runner_new                     (void) G_GNUC_WARN_UNUSED_RESULT;

GASYNC_AVAILABLE_IN_0_1
GTimeSpan          gasync_group_runner_get_interrupt_timeout   (GasyncGroupRunner    *self);
GASYNC_AVAILABLE_IN_0_1
void               gasync_group_runner_set_interrupt_timeout   (GasyncGroupRunner    *self,
                                                                GTimeSpan             timeout);

GASYNC_AVAILABLE_IN_0_1
void               gasync_group_runner_add                     (GasyncGroupRunner    *self,
                                                                GasyncRunner         *runner);
GASYNC_AVAILABLE_IN_0_1
void               gasync_group_runner_interrupt_on_unix_signals (GasyncGroupRunner  *self);

GASYNC_AVAILABLE_IN_0_1
GPtrArray         *gasync_group_runner_run                     (GasyncGroupRunner    *self,
                                                                GCancellable         *cancellable,
                                                                GError              **error);
GASYNC_AVAILABLE_IN_0_1
void               gasync_group_runner_run_async               (GasyncGroupRunner    *self,
                                                                GCancellable         *cancellable,
                                                                GAsyncReadyCallback   callback,
                                                                gpointer              user_data);
GASYNC_AVAILABLE_IN_0_1
GPtrArray         *gasync_group_runner_run_finish              (GasyncGroupRunner    *self,
                                                                GAsyncResult         *result,
                                                                GError              **error);
GASYNC_AVAILABLE_IN_0_1
void               gasync_group_runner_interrupt               (GasyncGroupRunner    *self);

G_END_DECLS

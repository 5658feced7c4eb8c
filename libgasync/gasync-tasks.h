/* gasync-tasks.h: named, traced groups of tasks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#pragma once

#if !defined(GASYNC_INSIDE) && !defined(GASYNC_COMPILATION)
# error "Only <gasync.h> can be included directly."
#endif

#include <gio/gio.h>

#include "gasync-future.h"
#include "gasync-task-token.h"
#include "gasync-types.h"
#include "gasync-version-macros.h"

G_BEGIN_DECLS

/**
 * GASYNC_TYPE_TASKS:
 *
 * The #GType of #GasyncTasks.
 *
 * Since: 0.1
 */
#define GASYNC_TYPE_TASKS (gasync_tasks_get_type ())

GASYNC_AVAILABLE_IN_0_1
G_DECLARE_FINAL_TYPE (GasyncTasks, gasync_tasks, GASYNC, TASKS, GObject)

GASYNC_AVAILABLE_IN_0_1
GasyncTasks     *gasync_tasks_new            (const char           *name);
GASYNC_AVAILABLE_IN_0_1
GasyncTasks     *gasync_tasks_get_default    (void);
GASYNC_AVAILABLE_IN_0_1
const char      *gasync_tasks_get_name       (GasyncTasks          *self);
GASYNC_AVAILABLE_IN_0_1
guint            gasync_tasks_get_n_running  (GasyncTasks          *self);

GASYNC_AVAILABLE_IN_0_1
void             gasync_tasks_run            (GasyncTasks          *self,
                                              const char           *name,
                                              GCancellable         *cancellable,
                                              GasyncTaskFunc        func,
                                              gpointer              user_data,
                                              GDestroyNotify        destroy);
GASYNC_AVAILABLE_IN_0_1
GasyncFuture    *gasync_tasks_submit         (GasyncTasks          *self,
                                              const char           *name,
                                              GCancellable         *cancellable,
                                              GasyncValueFunc       func,
                                              gpointer              user_data,
                                              GDestroyNotify        destroy) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_0_1
void             gasync_tasks_loop           (GasyncTasks          *self,
                                              const char           *name,
                                              GCancellable         *cancellable,
                                              GasyncTaskFunc        func,
                                              gpointer              user_data,
                                              GDestroyNotify        destroy);
GASYNC_AVAILABLE_IN_0_1
void             gasync_tasks_run_background (GasyncTasks          *self,
                                              const char           *name,
                                              GasyncTaskFunc        func,
                                              gpointer              user_data,
                                              GDestroyNotify        destroy);
GASYNC_AVAILABLE_IN_0_1
void             gasync_tasks_run_with_close (GasyncTasks          *self,
                                              const char           *name,
                                              GCancellable         *cancellable,
                                              GasyncTaskFunc        func,
                                              GasyncTaskFunc        close_func,
                                              gpointer              user_data,
                                              GDestroyNotify        destroy);
GASYNC_AVAILABLE_IN_0_1
void             gasync_tasks_run_with_close_closure (GasyncTasks  *self,
                                              const char           *name,
                                              GCancellable         *cancellable,
                                              GasyncTaskFunc        func,
                                              GClosure             *close_closure,
                                              gpointer              user_data,
                                              GDestroyNotify        destroy);
GASYNC_AVAILABLE_IN_0_1
GasyncTaskToken *gasync_tasks_begin_task     (GasyncTasks          *self,
                                              const char           *name) G_GNUC_WARN_UNUSED_RESULT;

GASYNC_AVAILABLE_IN_0_1
gboolean         gasync_tasks_wait           (GasyncTasks          *self,
                                              GCancellable         *cancellable,
                                              GError              **error);
GASYNC_AVAILABLE_IN_0_1
void             gasync_tasks_wait_async     (GasyncTasks          *self,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
GASYNC_AVAILABLE_IN_0_1
gboolean         gasync_tasks_wait_finish    (GasyncTasks          *self,
                                              GAsyncResult         *result,
                                              GError              **error);

GASYNC_AVAILABLE_IN_0_1
GPtrArray       *gasync_tasks_dup_errors     (GasyncTasks          *self);
GASYNC_AVAILABLE_IN_0_1
void             gasync_tasks_clear_errors   (GasyncTasks          *self);

G_END_DECLS

/* gasync-batch.h: a known set of work items processed in parallel
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
#include "gasync-work-queue.h"

G_BEGIN_DECLS

/**
 * GASYNC_TYPE_BATCH:
 *
 * The #GType of #GasyncBatch.
 *
 * Since: 0.1
 */
#define GASYNC_TYPE_BATCH (gasync_batch_get_type ())

GASYNC_AVAILABLE_IN_0_1
G_DECLARE_FINAL_TYPE (GasyncBatch, gasync_batch, GASYNC, BATCH, GObject)

GASYNC_AVAILABLE_IN_0_1
GasyncBatch *gasync_batch_new                  (GasyncWorkFunc        func,
                                                gpointer              user_data,
                                                GDestroyNotify        destroy) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_0_1
GasyncBatch *gasync_batch_new_for_main_context (GasyncWorkBeginFunc   func,
                                                gpointer              user_data,
                                                GDestroyNotify        destroy) G_GNUC_WARN_UNUSED_RESULT;

GASYNC_AVAILABLE_IN_0_1
guint        gasync_batch_get_parallelism      (GasyncBatch          *self);
GASYNC_AVAILABLE_IN_0_1
void         gasync_batch_set_parallelism      (GasyncBatch          *self,
                                                guint                 parallelism);
GASYNC_AVAILABLE_IN_0_1
GasyncInterceptor *gasync_batch_get_interceptor (GasyncBatch          *self);
GASYNC_AVAILABLE_IN_0_1
void         gasync_batch_set_interceptor      (GasyncBatch          *self,
                                                GasyncInterceptor    *interceptor);
GASYNC_AVAILABLE_IN_0_1
GPtrArray   *gasync_batch_dup_errors           (GasyncBatch          *self);

GASYNC_AVAILABLE_IN_0_1
gboolean     gasync_batch_run                  (GasyncBatch          *self,
                                                GPtrArray            *items,
                                                GCancellable         *cancellable,
                                                GError              **error);
GASYNC_AVAILABLE_IN_0_1
void         gasync_batch_run_async            (GasyncBatch          *self,
                                                GPtrArray            *items,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
GASYNC_AVAILABLE_IN_0_1
gboolean     gasync_batch_run_finish           (GasyncBatch          *self,
                                                GAsyncResult         *result,
                                                GError              **error);

G_END_DECLS

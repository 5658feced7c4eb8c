/* gasync-worker.h: one background thread consuming work items in order
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
#include "gasync-latch.h"

G_BEGIN_DECLS

/**
 * GasyncWorkerFunc:
 * @item: (type GObject.Object): the work item: the #GObject given to
 *   gasync_worker_enqueue(), or in C the pointer given to
 *   gasync_worker_enqueue_pointer()
 * @cancellable: cancelled when the worker is closed
 * @user_data: the data given with the function
 * @error: return location for the item's error
 *
 * Processes one work item. It runs on the worker's thread (or, for a
 * worker made with gasync_worker_new_for_main_context(), on its owner
 * context). An error is emitted as #GasyncWorker::error; the worker goes
 * on with the next item.
 *
 * Returns: %TRUE on success, %FALSE with @error set on failure
 *
 * Since: 0.1
 */
typedef gboolean (*GasyncWorkerFunc) (gpointer       item,
                                      GCancellable  *cancellable,
                                      gpointer       user_data,
                                      GError       **error);

/**
 * GASYNC_TYPE_WORKER:
 *
 * The #GType of #GasyncWorker.
 *
 * Since: 0.1
 */
#define GASYNC_TYPE_WORKER (gasync_worker_get_type ())

GASYNC_AVAILABLE_IN_0_1
G_DECLARE_FINAL_TYPE (GasyncWorker, gasync_worker, GASYNC, WORKER, GObject)

GASYNC_AVAILABLE_IN_0_1
GasyncWorker     *gasync_worker_new                   (GasyncWorkerFunc   func,
                                                       gpointer           user_data,
                                                       GDestroyNotify     destroy) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_0_1
GasyncWorker     *gasync_worker_new_for_main_context  (GasyncWorkerFunc   func,
                                                       gpointer           user_data,
                                                       GDestroyNotify     destroy) G_GNUC_WARN_UNUSED_RESULT;

GASYNC_AVAILABLE_IN_0_1
GasyncLatchState  gasync_worker_get_state             (GasyncWorker      *self);
GASYNC_AVAILABLE_IN_0_1
guint             gasync_worker_get_n_queued          (GasyncWorker      *self);
GASYNC_AVAILABLE_IN_0_1
const char       *gasync_worker_get_name              (GasyncWorker      *self);
GASYNC_AVAILABLE_IN_0_1
void              gasync_worker_set_name              (GasyncWorker      *self,
                                                       const char        *name);

GASYNC_AVAILABLE_IN_0_1
gboolean          gasync_worker_start                 (GasyncWorker      *self,
                                                       GError           **error);
GASYNC_AVAILABLE_IN_0_1
gboolean          gasync_worker_enqueue               (GasyncWorker      *self,
                                                       GObject           *item);
GASYNC_AVAILABLE_IN_0_1
gboolean          gasync_worker_enqueue_pointer       (GasyncWorker      *self,
                                                       gpointer           item,
                                                       GDestroyNotify     item_free);
GASYNC_AVAILABLE_IN_0_1
gboolean          gasync_worker_stop                  (GasyncWorker      *self,
                                                       GCancellable      *cancellable,
                                                       GError           **error);
GASYNC_AVAILABLE_IN_0_1
guint             gasync_worker_close                 (GasyncWorker      *self);

GASYNC_AVAILABLE_IN_0_1
void              gasync_worker_stop_async            (GasyncWorker       *self,
                                                       GCancellable       *cancellable,
                                                       GAsyncReadyCallback callback,
                                                       gpointer            user_data);
GASYNC_AVAILABLE_IN_0_1
gboolean          gasync_worker_stop_finish           (GasyncWorker       *self,
                                                       GAsyncResult       *result,
                                                       GError            **error);
GASYNC_AVAILABLE_IN_0_1
void              gasync_worker_close_async           (GasyncWorker       *self,
                                                       GAsyncReadyCallback callback,
                                                       gpointer            user_data);
GASYNC_AVAILABLE_IN_0_1
guint             gasync_worker_close_finish          (GasyncWorker       *self,
                                                       GAsyncResult       *result,
                                                       GError            **error);

G_END_DECLS

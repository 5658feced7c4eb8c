/* gasync-work-queue.h: a bounded queue of work items and parallel workers
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
#include "gasync-interceptor.h"
#include "gasync-task-token.h"

G_BEGIN_DECLS

/**
 * GasyncWorkFunc:
 * @item: the work item
 * @cancellable: cancelled when the item should be abandoned soon, for
 *   example when the grace period of gasync_work_queue_close() is over
 * @user_data: the data given with the function
 * @error: return location for the item's error
 *
 * Processes one work item. It runs in a worker thread (C and Python only;
 * see #GasyncWorkBeginFunc for the main-context form).
 *
 * Returns: %TRUE on success, %FALSE with @error set on failure
 *
 * Since: 0.1
 */
typedef gboolean (*GasyncWorkFunc) (GObject       *item,
                                    GCancellable  *cancellable,
                                    gpointer       user_data,
                                    GError       **error);

/**
 * GasyncWorkPointerFunc:
 * @item: the work item, a plain pointer
 * @cancellable: cancelled when the item should be abandoned soon
 * @user_data: the data given with the function
 * @error: return location for the item's error
 *
 * Processes one work item given as a plain pointer, for C. It runs in a
 * worker thread.
 *
 * Returns: %TRUE on success, %FALSE with @error set on failure
 *
 * Since: 0.1
 */
typedef gboolean (*GasyncWorkPointerFunc) (gpointer       item,
                                           GCancellable  *cancellable,
                                           gpointer       user_data,
                                           GError       **error);

/**
 * GasyncWorkBeginFunc:
 * @item: the work item
 * @token: the token that counts the item as in flight: call
 *   gasync_task_token_end() on it when the work is done (keep a reference
 *   to it until then)
 * @cancellable: cancelled when the item should be abandoned soon
 * @user_data: the data given with the function
 * @error: return location for an error found before the work began
 *
 * Begins processing one work item asynchronously, on the owner's main
 * context: the form for JavaScript, which cannot run on a worker thread.
 * The item counts as in flight until @token ends.
 *
 * Returns: %TRUE if the work began; %FALSE with @error set if it failed at
 *   once (the token is then ended for you if you did not end it)
 *
 * Since: 0.1
 */
typedef gboolean (*GasyncWorkBeginFunc) (GObject          *item,
                                         GasyncTaskToken  *token,
                                         GCancellable     *cancellable,
                                         gpointer          user_data,
                                         GError          **error);

/**
 * GASYNC_TYPE_WORK_QUEUE:
 *
 * The #GType of #GasyncWorkQueue.
 *
 * Since: 0.1
 */
#define GASYNC_TYPE_WORK_QUEUE (gasync_work_queue_get_type ())

/**
 * GASYNC_WORK_QUEUE_DEFAULT_MAX_WORK:
 *
 * The default of #GasyncWorkQueue:max-work, as in Go's blend.
 *
 * Since: 0.1
 */
#define GASYNC_WORK_QUEUE_DEFAULT_MAX_WORK 1024

/**
 * GASYNC_WORK_QUEUE_DEFAULT_SHUTDOWN_GRACE_PERIOD:
 *
 * The default of #GasyncWorkQueue:shutdown-grace-period: 10 seconds, in
 * microseconds.
 *
 * Since: 0.1
 */
#define GASYNC_WORK_QUEUE_DEFAULT_SHUTDOWN_GRACE_PERIOD (10 * G_TIME_SPAN_SECOND)

GASYNC_AVAILABLE_IN_0_1
G_DECLARE_FINAL_TYPE (GasyncWorkQueue, gasync_work_queue, GASYNC, WORK_QUEUE, GObject)

GASYNC_AVAILABLE_IN_0_1
GasyncWorkQueue *gasync_work_queue_new                       (GasyncWorkFunc          func,
                                                              gpointer                user_data,
                                                              GDestroyNotify          destroy) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_0_1
GasyncWorkQueue *gasync_work_queue_new_for_pointers          (GasyncWorkPointerFunc   func,
                                                              gpointer                user_data,
                                                              GDestroyNotify          destroy,
                                                              GDestroyNotify          item_free) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_0_1
GasyncWorkQueue *gasync_work_queue_new_for_main_context      (GasyncWorkBeginFunc     func,
                                                              gpointer                user_data,
                                                              GDestroyNotify          destroy) G_GNUC_WARN_UNUSED_RESULT;

GASYNC_AVAILABLE_IN_0_1
guint            gasync_work_queue_get_parallelism           (GasyncWorkQueue        *self);
GASYNC_AVAILABLE_IN_0_1
void             gasync_work_queue_set_parallelism           (GasyncWorkQueue        *self,
                                                              guint                   parallelism);
GASYNC_AVAILABLE_IN_0_1
guint            gasync_work_queue_get_max_work              (GasyncWorkQueue        *self);
GASYNC_AVAILABLE_IN_0_1
void             gasync_work_queue_set_max_work              (GasyncWorkQueue        *self,
                                                              guint                   max_work);
GASYNC_AVAILABLE_IN_0_1
GTimeSpan        gasync_work_queue_get_shutdown_grace_period (GasyncWorkQueue        *self);
GASYNC_AVAILABLE_IN_0_1
void             gasync_work_queue_set_shutdown_grace_period (GasyncWorkQueue        *self,
                                                              GTimeSpan               grace_period);
GASYNC_AVAILABLE_IN_0_1
GasyncInterceptor *gasync_work_queue_get_interceptor         (GasyncWorkQueue        *self);
GASYNC_AVAILABLE_IN_0_1
void             gasync_work_queue_set_interceptor           (GasyncWorkQueue        *self,
                                                              GasyncInterceptor      *interceptor);
GASYNC_AVAILABLE_IN_0_1
const char      *gasync_work_queue_get_name                  (GasyncWorkQueue        *self);
GASYNC_AVAILABLE_IN_0_1
void             gasync_work_queue_set_name                  (GasyncWorkQueue        *self,
                                                              const char             *name);
GASYNC_AVAILABLE_IN_0_1
guint            gasync_work_queue_get_n_queued              (GasyncWorkQueue        *self);
GASYNC_AVAILABLE_IN_0_1
gboolean         gasync_work_queue_is_started                (GasyncWorkQueue        *self);
GASYNC_AVAILABLE_IN_0_1
gboolean         gasync_work_queue_is_closed                 (GasyncWorkQueue        *self);

GASYNC_AVAILABLE_IN_0_1
gboolean         gasync_work_queue_start                     (GasyncWorkQueue        *self,
                                                              GError                **error);
GASYNC_AVAILABLE_IN_0_1
gboolean         gasync_work_queue_enqueue                   (GasyncWorkQueue        *self,
                                                              GObject                *item,
                                                              GCancellable           *cancellable,
                                                              GError                **error);
GASYNC_AVAILABLE_IN_0_1
gboolean         gasync_work_queue_try_enqueue               (GasyncWorkQueue        *self,
                                                              GObject                *item,
                                                              GError                **error);
GASYNC_AVAILABLE_IN_0_1
gboolean         gasync_work_queue_enqueue_pointer           (GasyncWorkQueue        *self,
                                                              gpointer                item,
                                                              GCancellable           *cancellable,
                                                              GError                **error);
GASYNC_AVAILABLE_IN_0_1
gboolean         gasync_work_queue_try_enqueue_pointer       (GasyncWorkQueue        *self,
                                                              gpointer                item,
                                                              GError                **error);
GASYNC_AVAILABLE_IN_0_1
gboolean         gasync_work_queue_stop                      (GasyncWorkQueue        *self,
                                                              GCancellable           *cancellable,
                                                              GError                **error);
GASYNC_AVAILABLE_IN_0_1
guint            gasync_work_queue_close                     (GasyncWorkQueue        *self,
                                                              GCancellable           *cancellable,
                                                              GPtrArray             **discarded);

GASYNC_AVAILABLE_IN_0_1
void             gasync_work_queue_stop_async                (GasyncWorkQueue        *self,
                                                              GCancellable           *cancellable,
                                                              GAsyncReadyCallback     callback,
                                                              gpointer                user_data);
GASYNC_AVAILABLE_IN_0_1
gboolean         gasync_work_queue_stop_finish               (GasyncWorkQueue        *self,
                                                              GAsyncResult           *result,
                                                              GError                **error);
GASYNC_AVAILABLE_IN_0_1
void             gasync_work_queue_close_async               (GasyncWorkQueue        *self,
                                                              GCancellable           *cancellable,
                                                              GAsyncReadyCallback     callback,
                                                              gpointer                user_data);
GASYNC_AVAILABLE_IN_0_1
guint            gasync_work_queue_close_finish              (GasyncWorkQueue        *self,
                                                              GAsyncResult           *result,
                                                              GPtrArray             **discarded,
                                                              GError                **error);

GASYNC_AVAILABLE_IN_0_1
void             gasync_work_queue_enqueue_async             (GasyncWorkQueue        *self,
                                                              GObject                *item,
                                                              GCancellable           *cancellable,
                                                              GAsyncReadyCallback     callback,
                                                              gpointer                user_data);
GASYNC_AVAILABLE_IN_0_1
gboolean         gasync_work_queue_enqueue_finish            (GasyncWorkQueue        *self,
                                                              GAsyncResult           *result,
                                                              GError                **error);

G_END_DECLS

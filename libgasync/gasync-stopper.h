/* gasync-stopper.h: two-phase shutdown of tasks and workers
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
#include "gasync-future.h"
#include "gasync-semaphore.h"
#include "gasync-task-token.h"
#include "gasync-types.h"

G_BEGIN_DECLS

/**
 * GasyncStopperState:
 * @GASYNC_STOPPER_STATE_RUNNING: tasks and workers may be started
 * @GASYNC_STOPPER_STATE_QUIESCING: new tasks are refused; the stopper
 *   waits for the running ones
 * @GASYNC_STOPPER_STATE_STOPPING: every task has finished; workers are
 *   told to stop (their cancellable fires) and the stopper waits for them
 * @GASYNC_STOPPER_STATE_STOPPED: every worker has returned and every
 *   closer has run
 *
 * The phases of a #GasyncStopper, in the order it goes through them.
 *
 * Since: 0.1
 */
typedef enum
{
  GASYNC_STOPPER_STATE_RUNNING,
  GASYNC_STOPPER_STATE_QUIESCING,
  GASYNC_STOPPER_STATE_STOPPING,
  GASYNC_STOPPER_STATE_STOPPED,
} GasyncStopperState;

/**
 * GasyncStopperCloseFunc:
 * @user_data: the data given to gasync_stopper_add_closer()
 *
 * A closer: releases something once its #GasyncStopper has stopped. It
 * runs on the stopper's owner context.
 *
 * Since: 0.1
 */
typedef void (*GasyncStopperCloseFunc) (gpointer user_data);

/**
 * GASYNC_TYPE_STOPPER:
 *
 * The #GType of #GasyncStopper.
 *
 * Since: 0.1
 */
#define GASYNC_TYPE_STOPPER (gasync_stopper_get_type ())

GASYNC_AVAILABLE_IN_0_1
G_DECLARE_FINAL_TYPE (GasyncStopper, gasync_stopper, GASYNC, STOPPER, GObject)

GASYNC_AVAILABLE_IN_0_1
GasyncStopper      *gasync_stopper_new                        (void);

GASYNC_AVAILABLE_IN_0_1
GasyncStopperState  gasync_stopper_get_state                  (GasyncStopper          *self);
GASYNC_AVAILABLE_IN_0_1
gboolean            gasync_stopper_is_stopped                 (GasyncStopper          *self);
GASYNC_AVAILABLE_IN_0_1
GTimeSpan           gasync_stopper_get_stuck_log_interval     (GasyncStopper          *self);
GASYNC_AVAILABLE_IN_0_1
void                gasync_stopper_set_stuck_log_interval     (GasyncStopper          *self,
                                                               GTimeSpan               interval);
GASYNC_AVAILABLE_IN_0_1
gboolean            gasync_stopper_get_track_details          (GasyncStopper          *self);
GASYNC_AVAILABLE_IN_0_1
const char         *gasync_stopper_get_name                   (GasyncStopper          *self);
GASYNC_AVAILABLE_IN_0_1
void                gasync_stopper_set_name                   (GasyncStopper          *self,
                                                               const char             *name);
GASYNC_AVAILABLE_IN_0_1
GCancellable       *gasync_stopper_get_quiesce_cancellable    (GasyncStopper          *self);
GASYNC_AVAILABLE_IN_0_1
GCancellable       *gasync_stopper_get_stop_cancellable       (GasyncStopper          *self);
GASYNC_AVAILABLE_IN_0_1
GCancellable       *gasync_stopper_new_cancellable_on_quiesce (GasyncStopper          *self,
                                                               GCancellable           *parent) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_0_1
GCancellable       *gasync_stopper_new_cancellable_on_stop    (GasyncStopper          *self,
                                                               GCancellable           *parent) G_GNUC_WARN_UNUSED_RESULT;

GASYNC_AVAILABLE_IN_0_1
gboolean            gasync_stopper_run_task                   (GasyncStopper          *self,
                                                               const char             *name,
                                                               GasyncTaskFunc          func,
                                                               gpointer                user_data,
                                                               GError                **error);
GASYNC_AVAILABLE_IN_0_1
gboolean            gasync_stopper_run_async_task             (GasyncStopper          *self,
                                                               const char             *name,
                                                               GasyncTaskFunc          func,
                                                               gpointer                user_data,
                                                               GDestroyNotify          destroy,
                                                               GError                **error);
GASYNC_AVAILABLE_IN_0_1
GasyncFuture       *gasync_stopper_submit                     (GasyncStopper          *self,
                                                               const char             *name,
                                                               GasyncValueFunc         func,
                                                               gpointer                user_data,
                                                               GDestroyNotify          destroy) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_0_1
gboolean            gasync_stopper_run_limited_async_task     (GasyncStopper          *self,
                                                               const char             *name,
                                                               GasyncSemaphore        *semaphore,
                                                               gboolean                wait,
                                                               GCancellable           *cancellable,
                                                               GasyncTaskFunc          func,
                                                               gpointer                user_data,
                                                               GDestroyNotify          destroy,
                                                               GError                **error);
GASYNC_AVAILABLE_IN_0_1
gboolean            gasync_stopper_run_worker                 (GasyncStopper          *self,
                                                               const char             *name,
                                                               GasyncTaskFunc          func,
                                                               gpointer                user_data,
                                                               GDestroyNotify          destroy,
                                                               GError                **error);
GASYNC_AVAILABLE_IN_0_1
GasyncTaskToken    *gasync_stopper_begin_task                 (GasyncStopper          *self,
                                                               const char             *name,
                                                               GError                **error) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_0_1
void                gasync_stopper_add_closer                 (GasyncStopper          *self,
                                                               GasyncStopperCloseFunc  func,
                                                               gpointer                user_data,
                                                               GDestroyNotify          destroy);

GASYNC_AVAILABLE_IN_0_1
GHashTable         *gasync_stopper_dup_running_tasks          (GasyncStopper          *self);
GASYNC_AVAILABLE_IN_0_1
guint               gasync_stopper_get_n_tasks                (GasyncStopper          *self);
GASYNC_AVAILABLE_IN_0_1
char               *gasync_stopper_dump                       (GasyncStopper          *self);

GASYNC_AVAILABLE_IN_0_1
void                gasync_stopper_quiesce                    (GasyncStopper          *self);
GASYNC_AVAILABLE_IN_0_1
void                gasync_stopper_stop                       (GasyncStopper          *self);
GASYNC_AVAILABLE_IN_0_1
void                gasync_stopper_stop_async                 (GasyncStopper          *self,
                                                               GCancellable           *cancellable,
                                                               GAsyncReadyCallback     callback,
                                                               gpointer                user_data);
GASYNC_AVAILABLE_IN_0_1
gboolean            gasync_stopper_stop_finish                (GasyncStopper          *self,
                                                               GAsyncResult           *result,
                                                               GError                **error);

GASYNC_AVAILABLE_IN_0_1
void                gasync_stopper_quiesce_async              (GasyncStopper          *self,
                                                               GCancellable           *cancellable,
                                                               GAsyncReadyCallback     callback,
                                                               gpointer                user_data);
GASYNC_AVAILABLE_IN_0_1
gboolean            gasync_stopper_quiesce_finish             (GasyncStopper          *self,
                                                               GAsyncResult           *result,
                                                               GError                **error);
GASYNC_AVAILABLE_IN_0_1
void                gasync_stopper_run_limited_task_async     (GasyncStopper          *self,
                                                               const char             *name,
                                                               GasyncSemaphore        *semaphore,
                                                               GCancellable           *cancellable,
                                                               GasyncTaskFunc          func,
                                                               gpointer                func_data,
                                                               GDestroyNotify          func_data_destroy,
                                                               GAsyncReadyCallback     callback,
                                                               gpointer                user_data);
GASYNC_AVAILABLE_IN_0_1
void                gasync_stopper_run_limited_task_closure_async (GasyncStopper      *self,
                                                                   const char         *name,
                                                                   GasyncSemaphore    *semaphore,
                                                                   GCancellable       *cancellable,
                                                                   GClosure           *func,
                                                                   GAsyncReadyCallback callback,
                                                                   gpointer            user_data);
GASYNC_AVAILABLE_IN_0_1
gboolean            gasync_stopper_run_limited_task_finish    (GasyncStopper          *self,
                                                               GAsyncResult           *result,
                                                               GError                **error);

G_END_DECLS

/* gasync-runner.h: a long-running service function with a stop function
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
#include "gasync-runner-result.h"
#include "gasync-types.h"

G_BEGIN_DECLS

/**
 * GasyncRunnerRestartPolicy:
 * @GASYNC_RUNNER_RESTART_NEVER: the runner finishes when its function
 *   returns (the default)
 * @GASYNC_RUNNER_RESTART_ON_FAILURE: the function is run again when it
 *   fails
 * @GASYNC_RUNNER_RESTART_ALWAYS: the function is run again whenever it
 *   returns
 *
 * When a #GasyncRunner runs its function again after it returned by
 * itself. A runner that was interrupted is never restarted.
 *
 * Since: 0.1
 */
typedef enum
{
  GASYNC_RUNNER_RESTART_NEVER,
  GASYNC_RUNNER_RESTART_ON_FAILURE,
  GASYNC_RUNNER_RESTART_ALWAYS,
} GasyncRunnerRestartPolicy;

/**
 * GasyncRunnerStopFunc:
 * @user_data: the data given with the runner's functions
 *
 * Asks a running service to stop, for example by calling its server's
 * shutdown method. It should only notify the service and return soon:
 * the runner then waits up to its #GasyncRunner:interrupt-timeout for the
 * run function to return.
 *
 * It is called at most once, on the owner context of the runner, and
 * never after the run function returned by itself.
 *
 * Since: 0.1
 */
typedef void (*GasyncRunnerStopFunc) (gpointer user_data);

/**
 * GASYNC_TYPE_RUNNER:
 *
 * The #GType of #GasyncRunner.
 *
 * Since: 0.1
 */
#define GASYNC_TYPE_RUNNER (gasync_runner_get_type ())

GASYNC_AVAILABLE_IN_0_1
G_DECLARE_FINAL_TYPE (GasyncRunner, gasync_runner, GASYNC, RUNNER, GObject)

/**
 * GasyncRunnerStartFunc:
 * @runner: the runner
 * @cancellable: cancelled when the runner is interrupted
 * @user_data: the data given with the runner's functions
 *
 * Starts a service that lives on the main loop, for runners made with
 * gasync_runner_new_for_main_loop(). It is called on the owner context of
 * @runner and should return at once: the runner counts as running until
 * gasync_runner_complete() is called.
 *
 * Since: 0.1
 */
typedef void (*GasyncRunnerStartFunc) (GasyncRunner *runner,
                                       GCancellable *cancellable,
                                       gpointer      user_data);

GASYNC_AVAILABLE_IN_0_1
GasyncRunner        *gasync_runner_new                      (const char            *id,
                                                             GasyncTaskFunc         run_func,
                                                             GasyncRunnerStopFunc   stop_func,
                                                             gpointer               user_data,
                                                             GDestroyNotify         destroy) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_0_1
GasyncRunner        *gasync_runner_new_for_main_loop        (const char            *id,
                                                             GasyncRunnerStartFunc  start_func,
                                                             GasyncRunnerStopFunc   stop_func,
                                                             gpointer               user_data,
                                                             GDestroyNotify         destroy) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_0_1
GasyncRunner        *gasync_runner_new_with_stop_closure    (const char            *id,
                                                             GasyncTaskFunc         run_func,
                                                             GClosure              *stop_closure,
                                                             gpointer               user_data,
                                                             GDestroyNotify         destroy) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_0_1
GasyncRunner        *gasync_runner_new_for_main_loop_with_stop_closure (const char *id,
                                                             GasyncRunnerStartFunc  start_func,
                                                             GClosure              *stop_closure,
                                                             gpointer               user_data,
                                                             GDestroyNotify         destroy) G_GNUC_WARN_UNUSED_RESULT;

GASYNC_AVAILABLE_IN_0_1
void                 gasync_runner_set_default_interrupt_timeout (GTimeSpan         timeout);
GASYNC_AVAILABLE_IN_0_1
GTimeSpan            gasync_runner_get_default_interrupt_timeout (void);

GASYNC_AVAILABLE_IN_0_1
const char          *gasync_runner_get_id                   (GasyncRunner          *self);
GASYNC_AVAILABLE_IN_0_1
GTimeSpan            gasync_runner_get_interrupt_timeout    (GasyncRunner          *self);
GASYNC_AVAILABLE_IN_0_1
void                 gasync_runner_set_interrupt_timeout    (GasyncRunner          *self,
                                                             GTimeSpan              timeout);
GASYNC_AVAILABLE_IN_0_1
gboolean             gasync_runner_get_reports_ready        (GasyncRunner          *self);
GASYNC_AVAILABLE_IN_0_1
void                 gasync_runner_set_reports_ready        (GasyncRunner          *self,
                                                             gboolean               reports_ready);
GASYNC_AVAILABLE_IN_0_1
gboolean             gasync_runner_get_ready                (GasyncRunner          *self);
GASYNC_AVAILABLE_IN_0_1
GasyncRunnerRestartPolicy gasync_runner_get_restart_policy  (GasyncRunner          *self);
GASYNC_AVAILABLE_IN_0_1
void                 gasync_runner_set_restart_policy       (GasyncRunner          *self,
                                                             GasyncRunnerRestartPolicy policy);
GASYNC_AVAILABLE_IN_0_1
GTimeSpan            gasync_runner_get_restart_delay        (GasyncRunner          *self);
GASYNC_AVAILABLE_IN_0_1
void                 gasync_runner_set_restart_delay        (GasyncRunner          *self,
                                                             GTimeSpan              delay);
GASYNC_AVAILABLE_IN_0_1
guint                gasync_runner_get_restart_limit        (GasyncRunner          *self);
GASYNC_AVAILABLE_IN_0_1
GTimeSpan            gasync_runner_get_restart_interval     (GasyncRunner          *self);
GASYNC_AVAILABLE_IN_0_1
void                 gasync_runner_set_restart_limit        (GasyncRunner          *self,
                                                             guint                  limit);
GASYNC_AVAILABLE_IN_0_1
void                 gasync_runner_set_restart_interval     (GasyncRunner          *self,
                                                             GTimeSpan              interval);

GASYNC_AVAILABLE_IN_0_1
gboolean             gasync_runner_run                      (GasyncRunner          *self,
                                                             GCancellable          *cancellable,
                                                             GError               **error);
GASYNC_AVAILABLE_IN_0_1
void                 gasync_runner_run_async                (GasyncRunner          *self,
                                                             GCancellable          *cancellable,
                                                             GAsyncReadyCallback    callback,
                                                             gpointer               user_data);
GASYNC_AVAILABLE_IN_0_1
gboolean             gasync_runner_run_finish               (GasyncRunner          *self,
                                                             GAsyncResult          *result,
                                                             GError               **error);
GASYNC_AVAILABLE_IN_0_1
void                 gasync_runner_interrupt                (GasyncRunner          *self);
GASYNC_AVAILABLE_IN_0_1
void                 gasync_runner_notify_ready             (GasyncRunner          *self);
GASYNC_AVAILABLE_IN_0_1
void                 gasync_runner_complete                 (GasyncRunner          *self,
                                                             const GError          *error);
GASYNC_AVAILABLE_IN_0_1
void                 gasync_runner_complete_ok              (GasyncRunner          *self);

G_END_DECLS

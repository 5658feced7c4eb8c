/* gasync-interceptor.h: wrappers around task functions
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
#include "gasync-types.h"

G_BEGIN_DECLS

/**
 * GASYNC_TYPE_INTERCEPTOR:
 *
 * The #GType of #GasyncInterceptor.
 *
 * Since: 0.1
 */
#define GASYNC_TYPE_INTERCEPTOR (gasync_interceptor_get_type ())

GASYNC_AVAILABLE_IN_0_1
G_DECLARE_FINAL_TYPE (GasyncInterceptor, gasync_interceptor, GASYNC, INTERCEPTOR, GObject)

/**
 * GasyncInterceptFunc:
 * @name: the name of the task
 * @cancellable: (nullable): the task's cancellable
 * @func: (scope call): the task function, or the next interceptor of a
 *   chain
 * @func_data: (closure func): the data for @func
 * @user_data: the data given with the interceptor
 * @error: return location for the task's error
 *
 * Runs a task function (@func with @func_data, usually with
 * gasync_interceptor_call_next()) and may do something around it: log,
 * retry, bound it in time. It runs in the thread that called
 * gasync_interceptor_call().
 *
 * Returns: %TRUE on success, %FALSE with @error set on failure
 *
 * Since: 0.1
 */
typedef gboolean (*GasyncInterceptFunc) (const char      *name,
                                         GCancellable    *cancellable,
                                         GasyncTaskFunc   func,
                                         gpointer         func_data,
                                         gpointer         user_data,
                                         GError         **error);

GASYNC_AVAILABLE_IN_0_1
GasyncInterceptor *gasync_interceptor_new          (GasyncInterceptFunc   func,
                                                    gpointer              user_data,
                                                    GDestroyNotify        destroy) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_0_1
GasyncInterceptor *gasync_interceptor_new_tracing  (void) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_0_1
GasyncInterceptor *gasync_interceptor_new_retry    (guint                 max_attempts,
                                                    GTimeSpan             initial_backoff,
                                                    GTimeSpan             max_backoff) G_GNUC_WARN_UNUSED_RESULT;
GASYNC_AVAILABLE_IN_0_1
GasyncInterceptor *gasync_interceptor_new_timeout  (GTimeSpan             timeout) G_GNUC_WARN_UNUSED_RESULT;

GASYNC_AVAILABLE_IN_0_1
GasyncInterceptor *gasync_interceptor_chain        (GasyncInterceptor    *self,
                                                    GasyncInterceptor    *inner) G_GNUC_WARN_UNUSED_RESULT;

GASYNC_AVAILABLE_IN_0_1
gboolean           gasync_interceptor_call         (GasyncInterceptor    *self,
                                                    const char           *name,
                                                    GCancellable         *cancellable,
                                                    GasyncTaskFunc        func,
                                                    gpointer              user_data,
                                                    GError              **error);
GASYNC_AVAILABLE_IN_0_1
gboolean           gasync_interceptor_call_next    (const char           *name,
                                                    GCancellable         *cancellable,
                                                    GasyncTaskFunc        func,
                                                    gpointer              func_data,
                                                    GError              **error);

G_END_DECLS

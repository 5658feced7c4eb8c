/* gasync-future.h: a thread-safe one-shot result
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#pragma once

#if !defined(GASYNC_INSIDE) && !defined(GASYNC_COMPILATION)
# error "Only <gasync.h> can be included directly."
#endif

#include <gio/gio.h>

#include "gasync-types.h"
#include "gasync-version-macros.h"

G_BEGIN_DECLS

/**
 * GASYNC_TYPE_FUTURE:
 *
 * The #GType of #GasyncFuture.
 *
 * Since: 0.1
 */
#define GASYNC_TYPE_FUTURE (gasync_future_get_type ())

GASYNC_AVAILABLE_IN_0_1
G_DECLARE_FINAL_TYPE (GasyncFuture, gasync_future, GASYNC, FUTURE, GObject)

/**
 * GasyncFutureDoneFunc:
 * @future: the settled future
 * @user_data: the data given with the function
 *
 * Called once @future is resolved or rejected: in its event loop for a
 * future made by gasync_event_loop_new_future(), otherwise on the
 * thread-default main context of the caller of
 * gasync_future_add_done_callback().
 *
 * Since: 0.1
 */
typedef void (*GasyncFutureDoneFunc) (GasyncFuture *future,
                                      gpointer      user_data);

GASYNC_AVAILABLE_IN_0_1
GasyncFuture *gasync_future_new                (void);
GASYNC_AVAILABLE_IN_0_1
GasyncFuture *gasync_future_run_in_thread      (GCancellable          *cancellable,
                                                GasyncTaskFunc         func,
                                                gpointer               user_data,
                                                GDestroyNotify         destroy);
GASYNC_AVAILABLE_IN_0_1
GasyncFuture *gasync_future_run_value_in_thread (GCancellable     *cancellable,
                                                 GasyncValueFunc   func,
                                                 gpointer          user_data,
                                                 GDestroyNotify    destroy);
GASYNC_AVAILABLE_IN_0_1
GasyncFuture *gasync_future_all                (GasyncFuture         **futures,
                                                guint                  n_futures);
GASYNC_AVAILABLE_IN_0_1
GasyncFuture *gasync_future_any                (GasyncFuture         **futures,
                                                guint                  n_futures);
GASYNC_AVAILABLE_IN_0_1
GasyncFuture *gasync_future_first              (GasyncFuture         **futures,
                                                guint                  n_futures);

GASYNC_AVAILABLE_IN_0_1
gboolean      gasync_future_resolve_value      (GasyncFuture          *self,
                                                const GValue          *value);
GASYNC_AVAILABLE_IN_0_1
gboolean      gasync_future_resolve_object     (GasyncFuture          *self,
                                                GObject               *object);
GASYNC_AVAILABLE_IN_0_1
gboolean      gasync_future_reject             (GasyncFuture          *self,
                                                const GError          *error);

GASYNC_AVAILABLE_IN_0_1
gboolean      gasync_future_is_done            (GasyncFuture          *self);
GASYNC_AVAILABLE_IN_0_1
GValue       *gasync_future_dup_value          (GasyncFuture          *self);
GASYNC_AVAILABLE_IN_0_1
const GError *gasync_future_get_error          (GasyncFuture          *self);

GASYNC_AVAILABLE_IN_0_1
void          gasync_future_add_done_callback  (GasyncFuture          *self,
                                                GasyncFutureDoneFunc   on_done,
                                                gpointer               user_data,
                                                GDestroyNotify         destroy);
GASYNC_AVAILABLE_IN_0_1
gboolean      gasync_future_wait               (GasyncFuture          *self,
                                                GCancellable          *cancellable,
                                                GError               **error);

GASYNC_AVAILABLE_IN_0_1
void          gasync_future_await_async        (GasyncFuture          *self,
                                                GCancellable          *cancellable,
                                                GAsyncReadyCallback    callback,
                                                gpointer               user_data);
GASYNC_AVAILABLE_IN_0_1
GValue       *gasync_future_await_finish       (GasyncFuture          *self,
                                                GAsyncResult          *result,
                                                GError               **error);

G_END_DECLS

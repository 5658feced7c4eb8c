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

/**
 * GasyncValueFunc:
 * @cancellable: (nullable): cancelled when the task should return soon,
 *   for example when its owner stops
 * @result: a pending future for the task's value: the function resolves
 *   it (gasync_future_resolve_value(), gasync_future_resolve_object()),
 *   or leaves it pending for no value
 * @user_data: the data given with the function
 * @error: return location for the task's error
 *
 * The body of a task that produces a value: a #GasyncTaskFunc with a
 * result. When it returns %TRUE, the future of the task (see
 * gasync_future_run_value_in_thread()) is settled as @result is: resolved
 * with its value, or without one if @result is still pending (or
 * rejected, if the function rejected @result). When it returns %FALSE,
 * the task's future is rejected with @error and @result is ignored.
 *
 * @result is a future of its own, not the task's: the function may keep
 * it, but whatever settles it after the function returned is ignored. The
 * value is copied when @result is resolved, so a binding's temporary value
 * is safe to pass: from Python, `result.resolve_value(42)` (a `str` is a
 * %G_TYPE_STRING, an `int` a %G_TYPE_INT; pass a `GObject.Value` to choose
 * the type) or `result.resolve_object(obj)`, then `return True`; a raised
 * `GLib.Error` is the task's error (with the library's PyGObject
 * override, the function may simply return the value). Like a
 * #GasyncTaskFunc, it runs in a worker thread, where JavaScript cannot
 * run: GJS code gets the values of such tasks by awaiting their futures
 * with gasync_future_await_async().
 *
 * A task that returns %FALSE without setting @error, as a binding may, is
 * reported as %GASYNC_ERROR_FAILED with the task's name (or as
 * %G_IO_ERROR_CANCELLED once @cancellable fired).
 *
 * Returns: %TRUE on success, %FALSE with @error set on failure
 *
 * Since: 0.1
 */
typedef gboolean (*GasyncValueFunc) (GCancellable  *cancellable,
                                     GasyncFuture  *result,
                                     gpointer       user_data,
                                     GError       **error);

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

/* gasync-types.h: types shared by several libgasync classes
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

G_BEGIN_DECLS

/**
 * SECTION:gasync-types
 * @title: Shared types
 * @short_description: the task function type that several classes run
 *
 * Go's goroutine bodies become #GasyncTaskFunc functions: they run on a
 * worker thread, receive a #GCancellable where Go passed a
 * `context.Context`, and report failure as a #GError. A task that
 * produces a value is a #GasyncValueFunc (see #GasyncFuture), whose value
 * arrives as the value of a future.
 */

/**
 * GasyncTaskFunc:
 * @cancellable: (nullable): cancelled when the task should return soon,
 *   for example when its owner stops
 * @user_data: the data given with the function
 * @error: return location for the task's error
 *
 * The body of a task. It runs in a worker thread (C and Python only:
 * JavaScript cannot run there; every class that runs task functions also
 * has a main-context form for GJS) and should return soon after
 * @cancellable is cancelled.
 *
 * A task that returns %FALSE without setting @error, as a binding may, is
 * reported as %GASYNC_ERROR_FAILED with the task's name. What a Go task
 * reports by panicking, a libgasync task reports as its #GError.
 *
 * Returns: %TRUE on success, %FALSE with @error set on failure
 *
 * Since: 0.1
 */
typedef gboolean (*GasyncTaskFunc) (GCancellable  *cancellable,
                                    gpointer       user_data,
                                    GError       **error);

G_END_DECLS

/* gasync-semaphore.h: a counting semaphore that limits concurrent tasks
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
 * GASYNC_TYPE_SEMAPHORE:
 *
 * The #GType of #GasyncSemaphore.
 *
 * Since: 0.1
 */
#define GASYNC_TYPE_SEMAPHORE (gasync_semaphore_get_type ())

GASYNC_AVAILABLE_IN_0_1
G_DECLARE_FINAL_TYPE (GasyncSemaphore, gasync_semaphore, GASYNC, SEMAPHORE, GObject)

GASYNC_AVAILABLE_IN_0_1
GasyncSemaphore *gasync_semaphore_new           (int                  capacity);

GASYNC_AVAILABLE_IN_0_1
int              gasync_semaphore_get_capacity  (GasyncSemaphore     *self);
GASYNC_AVAILABLE_IN_0_1
int              gasync_semaphore_get_n_available (GasyncSemaphore     *self);

GASYNC_AVAILABLE_IN_0_1
gboolean         gasync_semaphore_acquire       (GasyncSemaphore     *self,
                                                 GCancellable        *cancellable,
                                                 GError             **error);
GASYNC_AVAILABLE_IN_0_1
gboolean         gasync_semaphore_try_acquire   (GasyncSemaphore     *self);
GASYNC_AVAILABLE_IN_0_1
void             gasync_semaphore_release       (GasyncSemaphore     *self);

GASYNC_AVAILABLE_IN_0_1
void             gasync_semaphore_acquire_async (GasyncSemaphore     *self,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
GASYNC_AVAILABLE_IN_0_1
gboolean         gasync_semaphore_acquire_finish (GasyncSemaphore    *self,
                                                  GAsyncResult       *result,
                                                  GError            **error);

G_END_DECLS

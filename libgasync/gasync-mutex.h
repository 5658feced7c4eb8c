/* gasync-mutex.h: a mutex whose lock can be cancelled
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
 * GASYNC_TYPE_MUTEX:
 *
 * The #GType of #GasyncMutex.
 *
 * Since: 0.1
 */
#define GASYNC_TYPE_MUTEX (gasync_mutex_get_type ())

GASYNC_AVAILABLE_IN_0_1
G_DECLARE_FINAL_TYPE (GasyncMutex, gasync_mutex, GASYNC, MUTEX, GObject)

GASYNC_AVAILABLE_IN_0_1
GasyncMutex *gasync_mutex_new        (void);
GASYNC_AVAILABLE_IN_0_1
gboolean     gasync_mutex_lock       (GasyncMutex          *self,
                                      GCancellable         *cancellable,
                                      GError              **error);
GASYNC_AVAILABLE_IN_0_1
gboolean     gasync_mutex_try_lock   (GasyncMutex          *self);
GASYNC_AVAILABLE_IN_0_1
void         gasync_mutex_unlock     (GasyncMutex          *self);
GASYNC_AVAILABLE_IN_0_1
void         gasync_mutex_lock_async (GasyncMutex          *self,
                                      GCancellable         *cancellable,
                                      GAsyncReadyCallback   callback,
                                      gpointer              user_data);
GASYNC_AVAILABLE_IN_0_1
gboolean     gasync_mutex_lock_finish (GasyncMutex         *self,
                                       GAsyncResult        *result,
                                       GError             **error);

G_END_DECLS

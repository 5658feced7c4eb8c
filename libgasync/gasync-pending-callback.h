/* gasync-pending-callback.h: a reserved event loop callback
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
 * GasyncEventLoopFunc:
 * @user_data: the data given with the function
 * @error: return location for the callback's error
 *
 * A callback of a #GasyncEventLoop. It runs on the loop's thread, while
 * gasync_event_loop_start() runs. Returning %FALSE stops the loop: no
 * further callback runs and gasync_event_loop_start() returns @error
 * (%GASYNC_ERROR_FAILED if the callback set none).
 *
 * Returns: %TRUE to go on, %FALSE with @error set to stop the loop
 *
 * Since: 0.1
 */
typedef gboolean (*GasyncEventLoopFunc) (gpointer   user_data,
                                         GError   **error);

/**
 * GASYNC_TYPE_PENDING_CALLBACK:
 *
 * The #GType of #GasyncPendingCallback.
 *
 * Since: 0.1
 */
#define GASYNC_TYPE_PENDING_CALLBACK (gasync_pending_callback_get_type ())

typedef struct _GasyncPendingCallback GasyncPendingCallback;

GASYNC_AVAILABLE_IN_0_1
GType                  gasync_pending_callback_get_type (void) G_GNUC_CONST;
GASYNC_AVAILABLE_IN_0_1
GasyncPendingCallback *gasync_pending_callback_ref      (GasyncPendingCallback *self);
GASYNC_AVAILABLE_IN_0_1
void                   gasync_pending_callback_unref    (GasyncPendingCallback *self);
GASYNC_AVAILABLE_IN_0_1
void     gasync_pending_callback_enqueue (GasyncPendingCallback *self,
                                          GasyncEventLoopFunc    func,
                                          gpointer               user_data,
                                          GDestroyNotify         destroy);
GASYNC_AVAILABLE_IN_0_1
void     gasync_pending_callback_cancel  (GasyncPendingCallback *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GasyncPendingCallback, gasync_pending_callback_unref)

G_END_DECLS

/* gasync-event-loop.h: k6's event loop on a GMainContext
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#pragma once

#if !defined(GASYNC_INSIDE) && !defined(GASYNC_COMPILATION)
# error "Only <gasync.h> can be included directly."
#endif

#include <gio/gio.h>

#include "gasync-future.h"
#include "gasync-pending-callback.h"
#include "gasync-version-macros.h"

G_BEGIN_DECLS

/**
 * GASYNC_TYPE_EVENT_LOOP:
 *
 * The #GType of #GasyncEventLoop.
 *
 * Since: 0.1
 */
#define GASYNC_TYPE_EVENT_LOOP (gasync_event_loop_get_type ())

GASYNC_AVAILABLE_IN_0_1
G_DECLARE_FINAL_TYPE (GasyncEventLoop, gasync_event_loop, GASYNC, EVENT_LOOP, GObject)

GASYNC_AVAILABLE_IN_0_1
GasyncEventLoop       *gasync_event_loop_new               (GMainContext        *context);
GASYNC_AVAILABLE_IN_0_1
GMainContext          *gasync_event_loop_get_context       (GasyncEventLoop     *self);

GASYNC_AVAILABLE_IN_0_1
GasyncPendingCallback *gasync_event_loop_reserve_callback  (GasyncEventLoop     *self);
GASYNC_AVAILABLE_IN_0_1
GasyncFuture          *gasync_event_loop_new_future        (GasyncEventLoop     *self);
GASYNC_AVAILABLE_IN_0_1
guint                  gasync_event_loop_set_timeout       (GasyncEventLoop     *self,
                                                            GTimeSpan            delay,
                                                            GasyncEventLoopFunc  func,
                                                            gpointer             user_data,
                                                            GDestroyNotify       destroy);
GASYNC_AVAILABLE_IN_0_1
gboolean               gasync_event_loop_clear_timeout     (GasyncEventLoop     *self,
                                                            guint                id);

GASYNC_AVAILABLE_IN_0_1
gboolean               gasync_event_loop_start             (GasyncEventLoop     *self,
                                                            GasyncEventLoopFunc  first_func,
                                                            gpointer             user_data,
                                                            GError             **error);
GASYNC_AVAILABLE_IN_0_1
void                   gasync_event_loop_wait_on_registered (GasyncEventLoop    *self);

GASYNC_AVAILABLE_IN_0_1
void                   gasync_event_loop_start_async       (GasyncEventLoop     *self,
                                                            GCancellable        *cancellable,
                                                            GAsyncReadyCallback  callback,
                                                            gpointer             user_data);
GASYNC_AVAILABLE_IN_0_1
gboolean               gasync_event_loop_start_finish      (GasyncEventLoop     *self,
                                                            GAsyncResult        *result,
                                                            GError             **error);
GASYNC_AVAILABLE_IN_0_1
void                   gasync_event_loop_wait_on_registered_async (GasyncEventLoop     *self,
                                                                   GCancellable        *cancellable,
                                                                   GAsyncReadyCallback  callback,
                                                                   gpointer             user_data);
GASYNC_AVAILABLE_IN_0_1
gboolean               gasync_event_loop_wait_on_registered_finish (GasyncEventLoop     *self,
                                                                    GAsyncResult        *result,
                                                                    GError             **error);

G_END_DECLS

/* gasync-future-private.h: futures made by an event loop
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#pragma once

#include "gasync-loop-queue-private.h"
#include "gasync-future.h"

G_BEGIN_DECLS

GasyncFuture *gasync_future_new_for_loop        (GasyncEventLoopQueue *queue);
/* The rejection of @self if it was rejected and has no handler (yet). */
const GError *gasync_future_get_unhandled_error (GasyncFuture         *self);

/* A value task that settles a future (see gasync-future.c): run it as a
 * task function with gasync_value_call_run(), and give
 * gasync_value_call_free() as its destroy notify, which the caller runs on
 * @context. A call that is refused is freed without running: the caller
 * rejects the future. */
typedef struct _GasyncValueCall GasyncValueCall;

GasyncValueCall *gasync_value_call_new  (const char       *name,
                                         GasyncValueFunc   func,
                                         gpointer          user_data,
                                         GDestroyNotify    destroy,
                                         GMainContext     *context,
                                         GasyncFuture    **future);
gboolean         gasync_value_call_run  (GCancellable     *cancellable,
                                         gpointer          data,
                                         GError          **error);
void             gasync_value_call_free (gpointer          data);

G_END_DECLS

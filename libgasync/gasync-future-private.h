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

G_END_DECLS

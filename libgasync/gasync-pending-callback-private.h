/* gasync-pending-callback-private.h: reservations made by an event loop
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#pragma once

#include "gasync-loop-queue-private.h"
#include "gasync-pending-callback.h"

G_BEGIN_DECLS

/* Takes one reservation on @queue and the reference that goes with it
 * (see gasync_event_loop_queue_reserve()). */
GasyncPendingCallback *gasync_pending_callback_new (GasyncEventLoopQueue *queue);

G_END_DECLS

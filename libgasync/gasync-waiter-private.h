/* gasync-waiter-private.h: FIFO queues of blocking and async waiters
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#pragma once

#include <gio/gio.h>

#include "gasync-sync-private.h"

G_BEGIN_DECLS

/* A queue of waiters (a GQueue of GasyncWaiter, FIFO) guarded by the
 * owner's GasyncLock. Every function here is called with @lock held. A
 * waiter that is woken always wins over its cancellable: it never fails
 * after being woken, so a lock handed to it is never lost. A blocking
 * waiter waits with gasync_wait() (@deadline is G_MAXINT64 for none). */

gboolean gasync_waiter_wait        (GQueue        *queue,
                                    GasyncLock    *lock,
                                    gint64         deadline,
                                    GCancellable  *cancellable,
                                    GError       **error);
gboolean gasync_waiter_wait_full   (GQueue        *queue,
                                    GasyncLock    *lock,
                                    gboolean       at_head,
                                    gint64         deadline,
                                    GCancellable  *cancellable,
                                    guint         *woken_as,
                                    GError       **error);
void     gasync_waiter_wait_async  (GQueue        *queue,
                                    GasyncLock    *lock,
                                    GTask         *task);
void     gasync_waiter_wait_async_until (GQueue         *queue,
                                         GasyncLock     *lock,
                                         GTask          *task,
                                         GasyncWaitFunc  until,
                                         gpointer        data);
gboolean gasync_waiter_wake_one    (GQueue        *queue);
gboolean gasync_waiter_wake_one_as (GQueue        *queue,
                                    guint          woken_as);
gboolean gasync_waiter_head_is_async (GQueue      *queue);
void     gasync_waiter_wake_all    (GQueue        *queue);

G_END_DECLS

/* gasync-work-queue-private.h: hooks of GasyncWorkQueue for GasyncBatch
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#pragma once

#include "gasync-work-queue.h"

G_BEGIN_DECLS

/* Called with each item's error instead of the ::error signal, in the
 * thread that processed the item; @item is NULL for pointer items. */
typedef void (*GasyncWorkQueueErrorFunc) (GObject      *item,
                                          const GError *error,
                                          gpointer      user_data);

void     gasync_work_queue_set_error_func    (GasyncWorkQueue          *self,
                                              GasyncWorkQueueErrorFunc  func,
                                              gpointer                  user_data);
void     gasync_work_queue_set_owner_context (GasyncWorkQueue          *self,
                                              GMainContext             *context);
/* The items are borrowed: whoever gave them keeps them alive until the
 * queue is closed (a batch run), so the queue's own references to them are
 * never the last ones, and it drops them where it is done with each
 * instead of on the owner context. */
void     gasync_work_queue_set_borrowed_items (GasyncWorkQueue         *self);

/* #GasyncWorkQueue:parallelism and #GasyncWorkQueue:interceptor, which a
 * batch has too and hands to the queue of each run. */
GParamSpec *gasync_work_queue_parallelism_pspec_new (void);
GParamSpec *gasync_work_queue_interceptor_pspec_new (void);

G_END_DECLS

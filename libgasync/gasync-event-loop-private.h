/* gasync-event-loop-private.h: the event loop's queue, shared with the
 * pending callbacks and futures that feed it
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#pragma once

#include "gasync-event-loop.h"

G_BEGIN_DECLS

/* The reference-counted queue of one event loop: the callbacks waiting to
 * run, the count of reservations and the loop futures rejected without a
 * handler. It outlives the loop while pending callbacks and futures hold
 * it; once the loop is gone, what is pushed is dropped. */
typedef struct _GasyncEventLoopQueue GasyncEventLoopQueue;

GasyncEventLoopQueue *gasync_event_loop_queue_ref           (GasyncEventLoopQueue *queue);
void                  gasync_event_loop_queue_unref         (GasyncEventLoopQueue *queue);
GMainContext         *gasync_event_loop_queue_get_context   (GasyncEventLoopQueue *queue);

/* Appends a callback, from any thread; @reserved says that it fulfils one
 * reservation. If the loop is gone, only @destroy runs, on its context. */
void                  gasync_event_loop_queue_push          (GasyncEventLoopQueue *queue,
                                                             GasyncEventLoopFunc   func,
                                                             gpointer              user_data,
                                                             GDestroyNotify        destroy,
                                                             gboolean              reserved);
/* Releases one reservation without queueing anything, from any thread. */
void                  gasync_event_loop_queue_release       (GasyncEventLoopQueue *queue);
/* Runs @destroy (if any) on @user_data on the queue's context, from any
 * thread: at once when called there, later otherwise. */
void                  gasync_event_loop_queue_drop          (GasyncEventLoopQueue *queue,
                                                             gpointer              user_data,
                                                             GDestroyNotify        destroy);
/* Notes a loop future that was rejected without a handler; the loop
 * checks it when it goes idle. */
void                  gasync_event_loop_queue_add_rejection (GasyncEventLoopQueue *queue,
                                                             GasyncFuture         *future);

GasyncPendingCallback *gasync_pending_callback_new          (GasyncEventLoopQueue *queue);

G_END_DECLS

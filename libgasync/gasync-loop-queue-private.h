/* gasync-loop-queue-private.h: the event loop's queue, below the loop,
 * its pending callbacks and its futures
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* The reference-counted queue of one event loop: the callbacks waiting to
 * run, the count of reservations, the timeouts and the loop futures
 * rejected without a handler. It outlives the loop while pending
 * callbacks and futures hold it; once the loop has closed it, what is
 * pushed is dropped. Every function may be called from any thread unless
 * it says otherwise. */
typedef struct _GasyncEventLoopQueue GasyncEventLoopQueue;

/* The same type as GasyncEventLoopFunc. */
typedef gboolean (*GasyncEventLoopQueueFunc) (gpointer   user_data,
                                              GError   **error);

/* A queued callback. The queue keeps them in an array, by value, which
 * the loop's thread swaps out and runs as a batch: it reads them one
 * after the other rather than chasing one record per callback, written
 * by another thread. */
typedef struct
{
  GasyncEventLoopQueueFunc func;
  gpointer user_data;
  GDestroyNotify destroy;
} GasyncEventLoopQueueCall;

/* A batch of calls taken by gasync_event_loop_queue_steal(), and the
 * array that holds them: the loop's thread keeps the array from one batch
 * to the next, and each steal swaps it with the queue's, so that neither
 * side allocates once both are big enough. Start with a zeroed one; free
 * it with gasync_event_loop_queue_batch_clear(). */
typedef struct
{
  GasyncEventLoopQueueCall *calls;
  guint len;
  guint size;
} GasyncEventLoopQueueBatch;

GasyncEventLoopQueue      *gasync_event_loop_queue_new              (GMainContext             *context);
GasyncEventLoopQueue      *gasync_event_loop_queue_ref              (GasyncEventLoopQueue     *queue);
void                       gasync_event_loop_queue_unref            (GasyncEventLoopQueue     *queue);
GMainContext              *gasync_event_loop_queue_get_context      (GasyncEventLoopQueue     *queue);

/* Counts one reservation; returns a new reference to @queue that goes
 * with it (for gasync_pending_callback_new()). Lock-free. */
GasyncEventLoopQueue      *gasync_event_loop_queue_reserve          (GasyncEventLoopQueue     *queue);
/* Appends a callback. If the queue is closed, only @destroy runs, on its
 * context. Does not allocate, but to grow the queue's array. */
void                       gasync_event_loop_queue_push             (GasyncEventLoopQueue     *queue,
                                                                     GasyncEventLoopQueueFunc  func,
                                                                     gpointer                  user_data,
                                                                     GDestroyNotify            destroy);
/* The same, fulfilling one reservation, whose flag *@settled (read and
 * set under the queue's lock only, once the reservation is shared) says
 * whether it was fulfilled or released already: then nothing happens
 * and it returns FALSE. */
gboolean                   gasync_event_loop_queue_push_reserved    (GasyncEventLoopQueue     *queue,
                                                                     gboolean                 *settled,
                                                                     GasyncEventLoopQueueFunc  func,
                                                                     gpointer                  user_data,
                                                                     GDestroyNotify            destroy);
/* Releases one reservation without queueing anything; @settled (if not
 * NULL) is its flag, as for gasync_event_loop_queue_push_reserved(). */
gboolean                   gasync_event_loop_queue_release          (GasyncEventLoopQueue     *queue,
                                                                     gboolean                 *settled);
/* Runs @destroy (if any) on @user_data on the queue's context: at once
 * when called there, later otherwise. */
void                       gasync_event_loop_queue_drop             (GasyncEventLoopQueue     *queue,
                                                                     gpointer                  user_data,
                                                                     GDestroyNotify            destroy);
/* Notes a loop future (a GasyncFuture) that was rejected without a
 * handler; the loop checks it when it goes idle. */
void                       gasync_event_loop_queue_add_rejection    (GasyncEventLoopQueue     *queue,
                                                                     gpointer                  future);

/* Queues @func once @deadline (monotonic time) has passed; a pending
 * timeout counts as a reservation. Returns its id, never 0. */
guint                      gasync_event_loop_queue_add_timeout      (GasyncEventLoopQueue     *queue,
                                                                     gint64                    deadline,
                                                                     GasyncEventLoopQueueFunc  func,
                                                                     gpointer                  user_data,
                                                                     GDestroyNotify            destroy);
/* Removes a pending timeout, dropping its callback; FALSE if @id is not
 * pending. */
gboolean                   gasync_event_loop_queue_remove_timeout   (GasyncEventLoopQueue     *queue,
                                                                     guint                     id);
/* Removes every timeout, as gasync_event_loop_queue_remove_timeout()
 * does. */
void                       gasync_event_loop_queue_clear_timeouts   (GasyncEventLoopQueue     *queue);

/* The loop's side, on the loop's thread. */

/* Takes every queued callback into @batch, which must hold none (its
 * array goes to the queue in exchange), and, in the same instant, the
 * number of reservations still pending. @draining says whether the caller
 * looks at the queue again before it sleeps: what is pushed meanwhile
 * needs no wake-up then. Returns whether it took any callback. */
gboolean                   gasync_event_loop_queue_steal            (GasyncEventLoopQueue     *queue,
                                                                     gboolean                  draining,
                                                                     guint                    *n_reserved,
                                                                     GasyncEventLoopQueueBatch *batch);
/* Whether callbacks are queued; if none is, the loop is about to sleep
 * and the next push must wake it. */
gboolean                   gasync_event_loop_queue_has_items        (GasyncEventLoopQueue     *queue);
/* Nobody drains the queue until the loop runs again. */
void                       gasync_event_loop_queue_stop_draining    (GasyncEventLoopQueue     *queue);
/* Whether nothing is queued or reserved. When nothing is queued, also
 * hands over the futures rejected meanwhile in *@rejected (else NULL). */
gboolean                   gasync_event_loop_queue_poll_idle        (GasyncEventLoopQueue     *queue,
                                                                     GPtrArray               **rejected);
guint                      gasync_event_loop_queue_get_n_reserved   (GasyncEventLoopQueue     *queue);
/* Forgets the futures rejected so far. */
void                       gasync_event_loop_queue_clear_rejections (GasyncEventLoopQueue     *queue);
/* Drops every queued callback (their destroy notifies run now). */
void                       gasync_event_loop_queue_discard          (GasyncEventLoopQueue     *queue);
/* The loop is gone: drops what is queued or timed; from now on what is
 * pushed is dropped. */
void                       gasync_event_loop_queue_close            (GasyncEventLoopQueue     *queue);

/* Empties @batch once its calls ran or were dropped (their destroy
 * notifies are the caller's to run), keeping its array for the next
 * steal unless it grew big for what it held. */
void                       gasync_event_loop_queue_batch_done       (GasyncEventLoopQueueBatch *batch);
/* Frees @batch's array; it must hold no call. */
void                       gasync_event_loop_queue_batch_clear      (GasyncEventLoopQueueBatch *batch);

G_END_DECLS

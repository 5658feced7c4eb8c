/* gasync-pending-callback.c: a reserved event loop callback
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

/**
 * SECTION:gasync-pending-callback
 * @title: GasyncPendingCallback
 * @short_description: a callback reserved on a #GasyncEventLoop
 *
 * gasync_event_loop_reserve_callback() tells an event loop that some work
 * is going on elsewhere and will need to run a callback on the loop's
 * thread when it is done. The loop keeps running until the reservation is
 * fulfilled with gasync_pending_callback_enqueue() or released with
 * gasync_pending_callback_cancel(); exactly one of the two must be called,
 * once. A reservation that is dropped without either is released with a
 * warning, so that a forgotten one cannot hang the loop.
 *
 * Threading: gasync_pending_callback_enqueue() and
 * gasync_pending_callback_cancel() may be called from any thread. The
 * enqueued function and its destroy notify run on the loop's thread.
 */

/**
 * GasyncPendingCallback:
 *
 * A reservation of one callback on a #GasyncEventLoop.
 *
 * Since: 0.1
 */

#include "config.h"

#include "gasync-private.h"
#include "gasync-event-loop-private.h"

enum {
  STATE_RESERVED,
  STATE_ENQUEUED,
  STATE_CANCELLED,
};

struct _GasyncPendingCallback
{
  GObject parent_instance;

  GasyncEventLoopQueue *queue;
  int state; /* atomic */
};

G_DEFINE_FINAL_TYPE (GasyncPendingCallback, gasync_pending_callback, G_TYPE_OBJECT)

static gboolean
pending_callback_settle (GasyncPendingCallback *self,
                         int                    state)
{
  return g_atomic_int_compare_and_exchange (&self->state, STATE_RESERVED, state);
}

static void
gasync_pending_callback_finalize (GObject *object)
{
  GasyncPendingCallback *self = GASYNC_PENDING_CALLBACK (object);

  if (pending_callback_settle (self, STATE_CANCELLED))
    {
      g_warning ("A pending callback was dropped without being enqueued or "
                 "cancelled; its reservation is released now");
      gasync_event_loop_queue_release (self->queue);
    }
  gasync_event_loop_queue_unref (self->queue);

  G_OBJECT_CLASS (gasync_pending_callback_parent_class)->finalize (object);
}

static void
gasync_pending_callback_class_init (GasyncPendingCallbackClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gasync_pending_callback_finalize;
}

static void
gasync_pending_callback_init (GasyncPendingCallback *self)
{
}

GasyncPendingCallback *
gasync_pending_callback_new (GasyncEventLoopQueue *queue)
{
  GasyncPendingCallback *self;

  self = g_object_new (GASYNC_TYPE_PENDING_CALLBACK, NULL);
  self->queue = gasync_event_loop_queue_ref (queue);
  return self;
}

/**
 * gasync_pending_callback_enqueue:
 * @self: a #GasyncPendingCallback
 * @func: (scope notified) (closure user_data) (destroy destroy): the
 *   callback to run on the loop's thread
 * @user_data: data for @func
 * @destroy: (nullable): called on @user_data on the loop's thread once
 *   @func has run or has been dropped
 *
 * Fulfils the reservation: queues @func to run on the loop's thread after
 * the callbacks queued before it. Callbacks queued from one thread run in
 * the order they were queued. If the loop was stopped by a failing
 * callback, @func does not run and only @destroy does.
 *
 * Call this or gasync_pending_callback_cancel() exactly once; a second
 * call is a programming error: it is reported as a critical and @func
 * does not run.
 *
 * Threading: may be called from any thread.
 *
 * Since: 0.1
 */
void
gasync_pending_callback_enqueue (GasyncPendingCallback *self,
                                 GasyncEventLoopFunc    func,
                                 gpointer               user_data,
                                 GDestroyNotify         destroy)
{
  g_return_if_fail (GASYNC_IS_PENDING_CALLBACK (self));
  g_return_if_fail (func != NULL);

  if (!pending_callback_settle (self, STATE_ENQUEUED))
    {
      g_critical ("A pending callback was enqueued after it was enqueued "
                  "or cancelled; the callback does not run");
      gasync_event_loop_queue_drop (self->queue, user_data, destroy);
      return;
    }
  gasync_event_loop_queue_push (self->queue, func, user_data, destroy, TRUE);
}

/**
 * gasync_pending_callback_cancel:
 * @self: a #GasyncPendingCallback
 *
 * Releases the reservation without running anything. Calling it after
 * gasync_pending_callback_enqueue() or a first cancel is a programming
 * error, reported as a critical.
 *
 * Threading: may be called from any thread.
 *
 * Since: 0.1
 */
void
gasync_pending_callback_cancel (GasyncPendingCallback *self)
{
  g_return_if_fail (GASYNC_IS_PENDING_CALLBACK (self));

  if (!pending_callback_settle (self, STATE_CANCELLED))
    {
      g_critical ("A pending callback was cancelled after it was enqueued "
                  "or cancelled");
      return;
    }
  gasync_event_loop_queue_release (self->queue);
}

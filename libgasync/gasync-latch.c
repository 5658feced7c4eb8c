/* gasync-latch.c: the lifecycle state of a background worker
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

/**
 * SECTION:gasync-latch
 * @title: GasyncLatch
 * @short_description: the lifecycle state of a background worker
 *
 * A latch ties the lifecycle of a background thread to the code that
 * controls it, like Go's `async.Latch`. The usual cycle is
 * %GASYNC_LATCH_STATE_STOPPED → %GASYNC_LATCH_STATE_STARTING →
 * %GASYNC_LATCH_STATE_STARTED → %GASYNC_LATCH_STATE_STOPPING →
 * %GASYNC_LATCH_STATE_STOPPED; a started latch may also become
 * %GASYNC_LATCH_STATE_ACTIVE while busy, and pause through
 * %GASYNC_LATCH_STATE_PAUSING, %GASYNC_LATCH_STATE_PAUSED and
 * %GASYNC_LATCH_STATE_RESUMING back to %GASYNC_LATCH_STATE_STARTED.
 *
 * Each transition function moves the latch only from the states that
 * lead to its target; anything else is refused with a #GError and leaves
 * the state alone: gasync_latch_starting() with
 * %GASYNC_ERROR_ALREADY_STARTED, gasync_latch_stopping() with
 * %GASYNC_ERROR_NOT_STARTED, the others with %GASYNC_ERROR_FAILED. So two
 * threads that race to start a worker cannot both win.
 *
 * |[<!-- language="C" -->
 * // The controlling thread:
 * if (!gasync_latch_starting (latch, error))
 *   return FALSE;                      // someone else started it
 * g_thread_unref (g_thread_new ("loop", run_loop, latch));
 * gasync_latch_wait_started (latch, NULL, NULL);
 * ...
 * gasync_latch_stopping (latch, NULL);
 * gasync_latch_wait_stopped (latch, NULL, NULL);
 *
 * // The background thread, run_loop ():
 * gasync_latch_started (latch, NULL);
 * while (gasync_latch_get_state (latch) != GASYNC_LATCH_STATE_STOPPING)
 *   do_some_work ();
 * gasync_latch_stopped (latch, NULL);
 * ]|
 *
 * In Python:
 * |[<!-- language="Python" -->
 * import threading
 *
 * import gi
 * gi.require_version('Gasync', '1')
 * from gi.repository import Gasync
 *
 * latch = Gasync.Latch.new()
 * work_done = []
 *
 *
 * def run_loop():  # the background thread
 *     latch.started()
 *     while latch.get_state() != Gasync.LatchState.STOPPING:
 *         work_done.append(1)
 *     latch.stopped()
 *
 *
 * latch.starting()  # raises a GLib.Error if someone else started it
 * threading.Thread(target=run_loop).start()
 * latch.wait_started(None)
 * latch.stopping()
 * latch.wait_stopped(None)
 * assert latch.get_state() == Gasync.LatchState.STOPPED
 * ]|
 *
 * In JavaScript, for a service that starts and stops on the main loop:
 * |[<!-- language="JavaScript" -->
 * import GLib from 'gi://GLib';
 * import Gasync from 'gi://Gasync?version=1';
 *
 * // A service that starts and stops on the main loop reports each step;
 * // notify::state tells the rest of the program.
 * const latch = Gasync.Latch.new();
 * const states = [];
 * latch.connect('notify::state', () => states.push(latch.state));
 * latch.starting();
 * GLib.idle_add(GLib.PRIORITY_DEFAULT, () => {
 *     latch.started();
 *     latch.stopping();
 *     latch.stopped();
 *     return GLib.SOURCE_REMOVE;
 * });
 * const loop = new GLib.MainLoop(null, false);
 * GLib.idle_add(GLib.PRIORITY_LOW, () => loop.quit());
 * loop.run();
 * if (latch.state !== Gasync.LatchState.STOPPED)
 *     throw new Error(`states ${states}`);
 * ]|
 *
 * Lifetime: a latch is only a state. A notification on its way to the
 * owner context keeps the latch alive until it was emitted; nothing else
 * does, so a thread that moves the latch should hold its own reference.
 *
 * Threading: every function may be called from any thread. The
 * #GObject::notify signal for #GasyncLatch:state is emitted on the
 * thread-default main context of the thread that created the latch, once
 * per transition, in order; by then the state may have moved on.
 */

/**
 * GasyncLatch:
 *
 * A thread-safe lifecycle state with checked transitions, waits for
 * "started" and "stopped", and #GObject::notify on its owner context.
 *
 * Since: 0.1
 */

#include "config.h"

#include "gasync-gtask-private.h"
#include "gasync-lifecycle-private.h"
#include "gasync-private.h"

struct _GasyncLatch
{
  GObject parent_instance;

  /* Only its state machine. */
  GasyncLifecycle life;
};

enum {
  PROP_0,
  PROP_STATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (GasyncLatch, gasync_latch, G_TYPE_OBJECT)

#define FROM(s) GASYNC_LIFECYCLE_FROM (s)

static gboolean
latch_move (GasyncLatch       *self,
            guint              from,
            GasyncLatchState   to,
            GError           **error)
{
  g_return_val_if_fail (GASYNC_IS_LATCH (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return gasync_lifecycle_move (&self->life, from, to, error);
}

/* gasync_latch_wait_started() (@started) or gasync_latch_wait_stopped(). */
static gboolean
latch_wait (GasyncLatch   *self,
            gboolean       started,
            GCancellable  *cancellable,
            GError       **error)
{
  g_return_val_if_fail (GASYNC_IS_LATCH (self), FALSE);
  g_return_val_if_fail (cancellable == NULL ||
                        G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (started)
    return gasync_lifecycle_wait_started (&self->life, cancellable, error);
  return gasync_lifecycle_wait_stopped (&self->life, cancellable, error);
}

/* The async twin of latch_wait(), for the _async function @source_tag,
 * named @name. */
static void
latch_wait_async (GasyncLatch         *self,
                  gboolean             started,
                  gpointer             source_tag,
                  const char          *name,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  GTask *task = gasync_gtask_new (self, source_tag, name, TRUE, cancellable,
                                  callback, user_data);

  if (started)
    gasync_lifecycle_wait_started_async (&self->life, task);
  else
    gasync_lifecycle_wait_stopped_async (&self->life, task);
}

static void
gasync_latch_finalize (GObject *object)
{
  GasyncLatch *self = GASYNC_LATCH (object);

  gasync_lifecycle_clear (&self->life);

  G_OBJECT_CLASS (gasync_latch_parent_class)->finalize (object);
}

static void
gasync_latch_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  GasyncLatch *self = GASYNC_LATCH (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, gasync_latch_get_state (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gasync_latch_class_init (GasyncLatchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  gasync_i18n_init ();

  object_class->finalize = gasync_latch_finalize;
  object_class->get_property = gasync_latch_get_property;

  /**
   * GasyncLatch:state:
   *
   * The lifecycle state. Its #GObject::notify is emitted on the owner
   * context after each transition.
   *
   * Since: 0.1
   */
  properties[PROP_STATE] = gasync_lifecycle_state_pspec_new ();

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gasync_type_class_publish (klass);
}

static void
gasync_latch_init (GasyncLatch *self)
{
  gasync_type_class_acquire (self);

  /* A notification on its way keeps the latch alive. */
  gasync_lifecycle_init (&self->life, G_OBJECT (self), properties[PROP_STATE],
                         TRUE);
}

/**
 * gasync_latch_new:
 *
 * Creates a latch in the %GASYNC_LATCH_STATE_STOPPED state. The
 * thread-default main context of the caller becomes its owner context,
 * where #GObject::notify is emitted.
 *
 * Returns: (transfer full): a new #GasyncLatch
 *
 * Since: 0.1
 */
GasyncLatch *
gasync_latch_new (void)
{
  return g_object_new (GASYNC_TYPE_LATCH, NULL);
}

/**
 * gasync_latch_get_state:
 * @self: a #GasyncLatch
 *
 * Gets the current state; another thread may change it at any time.
 *
 * Returns: the state
 *
 * Since: 0.1
 */
GasyncLatchState
gasync_latch_get_state (GasyncLatch *self)
{
  g_return_val_if_fail (GASYNC_IS_LATCH (self), GASYNC_LATCH_STATE_STOPPED);

  return gasync_lifecycle_get_state (&self->life);
}

/**
 * gasync_latch_can_start:
 * @self: a #GasyncLatch
 *
 * Tells whether gasync_latch_starting() would succeed now, that is
 * whether @self is %GASYNC_LATCH_STATE_STOPPED.
 *
 * Returns: %TRUE if @self can start
 *
 * Since: 0.1
 */
gboolean
gasync_latch_can_start (GasyncLatch *self)
{
  g_return_val_if_fail (GASYNC_IS_LATCH (self), FALSE);

  return gasync_latch_get_state (self) == GASYNC_LATCH_STATE_STOPPED;
}

#define STOPPABLE GASYNC_LIFECYCLE_STOPPABLE

/**
 * gasync_latch_can_stop:
 * @self: a #GasyncLatch
 *
 * Tells whether gasync_latch_stopping() would succeed now, that is
 * whether @self is started, active or paused.
 *
 * Returns: %TRUE if @self can stop
 *
 * Since: 0.1
 */
gboolean
gasync_latch_can_stop (GasyncLatch *self)
{
  g_return_val_if_fail (GASYNC_IS_LATCH (self), FALSE);

  return (STOPPABLE & (1u << gasync_latch_get_state (self))) != 0;
}

/**
 * gasync_latch_starting:
 * @self: a #GasyncLatch
 * @error: return location for a #GError
 *
 * Moves @self from stopped to starting, typically just before the
 * background thread is spawned.
 *
 * Returns: %TRUE on success; %FALSE with %GASYNC_ERROR_ALREADY_STARTED if
 *   @self was not stopped
 *
 * Since: 0.1
 */
gboolean
gasync_latch_starting (GasyncLatch  *self,
                       GError      **error)
{
  return latch_move (self, FROM (STOPPED), GASYNC_LATCH_STATE_STARTING, error);
}

/**
 * gasync_latch_started:
 * @self: a #GasyncLatch
 * @error: return location for a #GError
 *
 * Moves @self to started: from starting (the background thread runs),
 * from resuming (it runs again after a pause) or from active (it is idle
 * again). Wakes gasync_latch_wait_started().
 *
 * Returns: %TRUE on success; %FALSE with %GASYNC_ERROR_FAILED from any
 *   other state
 *
 * Since: 0.1
 */
gboolean
gasync_latch_started (GasyncLatch  *self,
                      GError      **error)
{
  return latch_move (self, FROM (STARTING) | FROM (RESUMING) | FROM (ACTIVE),
                     GASYNC_LATCH_STATE_STARTED, error);
}

/**
 * gasync_latch_active:
 * @self: a #GasyncLatch
 * @error: return location for a #GError
 *
 * Moves @self from started to active, to say that it is busy;
 * gasync_latch_started() makes it idle again.
 *
 * Returns: %TRUE on success; %FALSE with %GASYNC_ERROR_FAILED from any
 *   other state
 *
 * Since: 0.1
 */
gboolean
gasync_latch_active (GasyncLatch  *self,
                     GError      **error)
{
  return latch_move (self, FROM (STARTED), GASYNC_LATCH_STATE_ACTIVE, error);
}

/**
 * gasync_latch_pausing:
 * @self: a #GasyncLatch
 * @error: return location for a #GError
 *
 * Moves @self from started or active to pausing.
 *
 * Returns: %TRUE on success; %FALSE with %GASYNC_ERROR_FAILED from any
 *   other state
 *
 * Since: 0.1
 */
gboolean
gasync_latch_pausing (GasyncLatch  *self,
                      GError      **error)
{
  return latch_move (self, FROM (STARTED) | FROM (ACTIVE),
                     GASYNC_LATCH_STATE_PAUSING, error);
}

/**
 * gasync_latch_paused:
 * @self: a #GasyncLatch
 * @error: return location for a #GError
 *
 * Moves @self from pausing to paused.
 *
 * Returns: %TRUE on success; %FALSE with %GASYNC_ERROR_FAILED from any
 *   other state
 *
 * Since: 0.1
 */
gboolean
gasync_latch_paused (GasyncLatch  *self,
                     GError      **error)
{
  return latch_move (self, FROM (PAUSING), GASYNC_LATCH_STATE_PAUSED, error);
}

/**
 * gasync_latch_resuming:
 * @self: a #GasyncLatch
 * @error: return location for a #GError
 *
 * Moves @self from paused to resuming; gasync_latch_started() completes
 * the resume.
 *
 * Returns: %TRUE on success; %FALSE with %GASYNC_ERROR_FAILED from any
 *   other state
 *
 * Since: 0.1
 */
gboolean
gasync_latch_resuming (GasyncLatch  *self,
                       GError      **error)
{
  return latch_move (self, FROM (PAUSED), GASYNC_LATCH_STATE_RESUMING, error);
}

/**
 * gasync_latch_stopping:
 * @self: a #GasyncLatch
 * @error: return location for a #GError
 *
 * Moves @self from started, active or paused to stopping: asks the
 * background thread to stop.
 *
 * Returns: %TRUE on success; %FALSE with %GASYNC_ERROR_NOT_STARTED from
 *   any other state
 *
 * Since: 0.1
 */
gboolean
gasync_latch_stopping (GasyncLatch  *self,
                       GError      **error)
{
  return latch_move (self, STOPPABLE, GASYNC_LATCH_STATE_STOPPING, error);
}

/**
 * gasync_latch_stopped:
 * @self: a #GasyncLatch
 * @error: return location for a #GError
 *
 * Moves @self from stopping to stopped, typically as the last act of the
 * background thread. Wakes gasync_latch_wait_stopped().
 *
 * Returns: %TRUE on success; %FALSE with %GASYNC_ERROR_FAILED from any
 *   other state
 *
 * Since: 0.1
 */
gboolean
gasync_latch_stopped (GasyncLatch  *self,
                      GError      **error)
{
  return latch_move (self, FROM (STOPPING), GASYNC_LATCH_STATE_STOPPED, error);
}

/**
 * gasync_latch_reset:
 * @self: a #GasyncLatch
 *
 * Forces @self back to stopped from any state, for example after a start
 * that failed half-way. Wakes every waiter.
 *
 * Since: 0.1
 */
void
gasync_latch_reset (GasyncLatch *self)
{
  g_return_if_fail (GASYNC_IS_LATCH (self));

  latch_move (self, ~0u, GASYNC_LATCH_STATE_STOPPED, NULL);
}

/**
 * gasync_latch_wait_started:
 * @self: a #GasyncLatch
 * @cancellable: (nullable): a #GCancellable to give up waiting
 * @error: return location for a #GError
 *
 * Blocks until @self is started or active, or has moved from starting to
 * started since the call, or @cancellable is cancelled. If @self stops
 * before it starts, for example because the start failed and the latch
 * was reset, the wait ends with an error instead of hanging.
 *
 * Blocking: yes, until @self has started or stopped, or @cancellable
 * fires; it iterates no main loop. gasync_latch_wait_started_async() is
 * its twin that does not block.
 *
 * Returns: %TRUE once started; %FALSE with %G_IO_ERROR_CANCELLED, or with
 *   %GASYNC_ERROR_NOT_STARTED if @self stopped first
 *
 * Since: 0.1
 */
gboolean
gasync_latch_wait_started (GasyncLatch   *self,
                           GCancellable  *cancellable,
                           GError       **error)
{
  return latch_wait (self, TRUE, cancellable, error);
}

/**
 * gasync_latch_wait_stopped:
 * @self: a #GasyncLatch
 * @cancellable: (nullable): a #GCancellable to give up waiting
 * @error: return location for a #GError
 *
 * Blocks until @self is stopped, or has become stopped since the call, or
 * @cancellable is cancelled. It does not ask @self to stop: call
 * gasync_latch_stopping() for that.
 *
 * Blocking: yes, until @self has stopped, or @cancellable fires; it
 * iterates no main loop. gasync_latch_wait_stopped_async() is its twin
 * that does not block.
 *
 * Returns: %TRUE once stopped; %FALSE with %G_IO_ERROR_CANCELLED
 *
 * Since: 0.1
 */
gboolean
gasync_latch_wait_stopped (GasyncLatch   *self,
                           GCancellable  *cancellable,
                           GError       **error)
{
  return latch_wait (self, FALSE, cancellable, error);
}

/**
 * gasync_latch_wait_started_async:
 * @self: a #GasyncLatch
 * @cancellable: (nullable): a #GCancellable to give up waiting
 * @callback: (scope async): called once @self is started
 * @user_data: data for @callback
 *
 * Waits like gasync_latch_wait_started() without blocking the caller:
 * @callback is called once @self is started or active (or has moved from starting to started since the call). Call
 * gasync_latch_wait_started_finish() from it.
 *
 * Threading: may be called from any thread; @callback runs on the
 * thread-default main context of the caller.
 *
 * Blocking: no; the wait happens on a thread of the library's pool, and
 * no main loop is iterated in the meantime.
 *
 * Since: 0.1
 */
void
gasync_latch_wait_started_async (GasyncLatch         *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (GASYNC_IS_LATCH (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  latch_wait_async (self, TRUE, gasync_latch_wait_started_async,
                    "[gasync] gasync_latch_wait_started_async", cancellable,
                    callback, user_data);
}

/**
 * gasync_latch_wait_started_finish:
 * @self: a #GasyncLatch
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes gasync_latch_wait_started_async().
 *
 * Returns: %TRUE once started; %FALSE with %G_IO_ERROR_CANCELLED, or with
 *   %GASYNC_ERROR_NOT_STARTED if @self stopped first
 *
 * Since: 0.1
 */
gboolean
gasync_latch_wait_started_finish (GasyncLatch   *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (GASYNC_IS_LATCH (self), FALSE);

  return gasync_gtask_finish_boolean (self, result,
                                      gasync_latch_wait_started_async, error);
}

/**
 * gasync_latch_wait_stopped_async:
 * @self: a #GasyncLatch
 * @cancellable: (nullable): a #GCancellable to give up waiting
 * @callback: (scope async): called once @self is stopped
 * @user_data: data for @callback
 *
 * Waits like gasync_latch_wait_stopped() without blocking the caller:
 * @callback is called once @self is stopped (or has become stopped since the call). Call
 * gasync_latch_wait_stopped_finish() from it.
 *
 * Threading: may be called from any thread; @callback runs on the
 * thread-default main context of the caller.
 *
 * Blocking: no; the wait happens on a thread of the library's pool, and
 * no main loop is iterated in the meantime.
 *
 * Since: 0.1
 */
void
gasync_latch_wait_stopped_async (GasyncLatch         *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (GASYNC_IS_LATCH (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  latch_wait_async (self, FALSE, gasync_latch_wait_stopped_async,
                    "[gasync] gasync_latch_wait_stopped_async", cancellable,
                    callback, user_data);
}

/**
 * gasync_latch_wait_stopped_finish:
 * @self: a #GasyncLatch
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes gasync_latch_wait_stopped_async().
 *
 * Returns: %TRUE once stopped; %FALSE with %G_IO_ERROR_CANCELLED
 *
 * Since: 0.1
 */
gboolean
gasync_latch_wait_stopped_finish (GasyncLatch   *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (GASYNC_IS_LATCH (self), FALSE);

  return gasync_gtask_finish_boolean (self, result,
                                      gasync_latch_wait_stopped_async, error);
}

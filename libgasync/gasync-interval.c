/* gasync-interval.c: an action run on an interval
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

/**
 * SECTION:gasync-interval
 * @title: GasyncInterval
 * @short_description: an action run on an interval
 *
 * An interval is Go's `async.Interval`: a background worker that runs an
 * action every #GasyncInterval:interval (500 ms by default), the first
 * time #GasyncInterval:delay plus one interval after the start, like Go's
 * ticker. A failed action is reported as #GasyncInterval::error; with
 * #GasyncInterval:stop-on-error the interval then stops by itself,
 * otherwise it goes on. An action that overruns its interval skips the
 * ticks it missed.
 *
 * #GasyncInterval:mode chooses where the action runs: on a dedicated
 * thread (%GASYNC_INTERVAL_MODE_THREAD, for C and Python), or on the owner
 * context (%GASYNC_INTERVAL_MODE_MAIN_CONTEXT, also for JavaScript). The
 * lifecycle follows #GasyncLatch, as for #GasyncWorker.
 *
 * Lifetime: neither the thread nor the main-context source keeps the
 * interval alive. Dropping the last reference to a running interval stops
 * it, as gasync_interval_stop() does but without waiting: no further run
 * starts, a run under way is cancelled, and the interval is finalized (its
 * destroy notify called once) when that run has returned: on the owner
 * context, which must be iterated then, for a threaded interval.
 *
 * |[<!-- language="C" -->
 * interval = gasync_interval_new (poll_server, server, NULL);
 * gasync_interval_set_interval (interval, 5 * G_TIME_SPAN_SECOND);
 * gasync_interval_start (interval, NULL);
 * ...
 * gasync_interval_stop (interval, NULL, NULL);
 * ]|
 *
 * In Python, where the action runs on a pool thread:
 * |[<!-- language="Python" -->
 * import threading
 *
 * import gi
 * gi.require_version('Gasync', '1')
 * from gi.repository import Gasync
 *
 * ticks = threading.Semaphore(0)
 *
 *
 * def tick(cancellable):
 *     ticks.release()  # a pool thread, every 10 ms
 *     return True
 *
 *
 * interval = Gasync.Interval.new(tick)
 * interval.props.interval = 10 * 1000  # microseconds
 * interval.start()
 * for _ in range(3):
 *     assert ticks.acquire(timeout=10)
 * interval.stop(None)
 * assert interval.get_state() == Gasync.LatchState.STOPPED
 * ]|
 *
 * In JavaScript, where the action runs on the main context:
 * |[<!-- language="JavaScript" -->
 * import GLib from 'gi://GLib';
 * import Gasync from 'gi://Gasync?version=1';
 *
 * let ticks = 0;
 * const loop = new GLib.MainLoop(null, false);
 * // In GJS the action runs on the main context, never on a pool thread.
 * const interval = Gasync.Interval.new(() => {
 *     if (++ticks === 3)
 *         loop.quit();
 *     return true;
 * });
 * interval.mode = Gasync.IntervalMode.MAIN_CONTEXT;
 * interval.interval = 10 * 1000; // microseconds
 * interval.start();
 * loop.run();
 * interval.stop(null);
 * ]|
 *
 * Threading: the interval, delay and stop-on-error are read at each tick
 * and may be set from any thread; the mode is read at the start. A
 * threaded interval may be started and stopped from any thread, a
 * main-context one on its owner context. #GasyncInterval::error and
 * #GObject::notify run on the thread-default main context of the thread
 * that created the interval.
 */

/**
 * GasyncInterval:
 *
 * A background worker that runs an action on an interval.
 *
 * Since: 0.1
 */

#include "config.h"

#include "gasync-gtask-private.h"
#include "gasync-lifecycle-private.h"
#include "gasync-owner-private.h"
#include "gasync-private.h"
#include "gasync-property-private.h"

struct _GasyncInterval
{
  GObject parent_instance;

  GasyncLifecycle life;
  GTimeSpan interval;       /* these under life.lock */
  GTimeSpan delay;
  gboolean stop_on_error;
  GasyncIntervalMode mode;
  gint64 tick;              /* the first run, then in main-context mode
                             * the next one */

  GasyncTaskFunc func;
  gpointer user_data;
  GDestroyNotify destroy;
};

enum {
  PROP_0,
  PROP_STATE,
  PROP_INTERVAL,
  PROP_DELAY,
  PROP_STOP_ON_ERROR,
  PROP_MODE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The "error" signal, which gasync_lifecycle_class_install() adds. */
static guint error_signal;

G_DEFINE_FINAL_TYPE (GasyncInterval, gasync_interval, G_TYPE_OBJECT)

/* The tick after @tick, skipping those that passed already. Called with
 * the lock held. */
static gint64
interval_next_tick (GasyncInterval *self,
                    gint64          tick)
{
  gint64 now = g_get_monotonic_time ();

  tick += self->interval;
  if (tick <= now)
    tick += ((now - tick) / self->interval + 1) * self->interval;
  return tick;
}

/* Runs the action once. Returns FALSE if the interval should stop. */
static gboolean
interval_run (GasyncInterval *self,
              GCancellable   *cancellable)
{
  gboolean stop_on_error;

  /* A cancelled run did not fail: no error, no stop on error. */
  if (gasync_lifecycle_call (&self->life, self->func, "GasyncInterval action",
                             cancellable, self->user_data, error_signal))
    return TRUE;

  gasync_lock (&self->life.lock);
  stop_on_error = self->stop_on_error;
  gasync_unlock (&self->life.lock);
  return !stop_on_error;
}

/* Called with the lock held. */
static gboolean
stop_is_requested (gpointer data)
{
  GasyncInterval *self = data;

  return self->life.stop_requested;
}

static void
interval_thread (gpointer      data,
                 GCancellable *cancellable)
{
  GasyncInterval *self = data;
  gboolean go_on = TRUE;
  gint64 tick;

  /* Set by the start. */
  gasync_lock (&self->life.lock);
  tick = self->tick;
  gasync_unlock (&self->life.lock);

  while (go_on)
    {
      /* Until the tick, unless a stop is requested first. */
      gasync_lock (&self->life.lock);
      go_on = !gasync_wait (&self->life.lock, &self->life.cond,
                            stop_is_requested, self, tick, NULL, NULL);
      gasync_unlock (&self->life.lock);

      if (go_on)
        go_on = interval_run (self, cancellable);

      gasync_lock (&self->life.lock);
      tick = interval_next_tick (self, tick);
      gasync_unlock (&self->life.lock);
    }
}

static gboolean
interval_source_cb (gpointer data)
{
  GasyncInterval *self = data;
  g_autoptr(GCancellable) cancellable = NULL;

  cancellable = gasync_lifecycle_dup_cancellable (&self->life);
  if (!interval_run (self, cancellable))
    {
      gasync_lifecycle_end_source (&self->life);
      return G_SOURCE_REMOVE;
    }

  gasync_lock (&self->life.lock);
  self->tick = interval_next_tick (self, self->tick);
  if (self->life.source != NULL)
    g_source_set_ready_time (self->life.source, self->tick);
  gasync_unlock (&self->life.lock);
  return G_SOURCE_CONTINUE;
}

/* Moves to stopping and cancels the run under way, without
 * waiting; FALSE if @self was not running. */
static gboolean
interval_request_stop (gpointer   object,
                       guint64   *run,
                       GError   **error)
{
  GasyncInterval *self = object;
  GCancellable *own;

  if (!gasync_lifecycle_request_stop (&self->life, run, error))
    return FALSE;

  own = gasync_lifecycle_dup_cancellable (&self->life);
  g_cancellable_cancel (own);
  g_object_unref (own);
  return TRUE;
}

/* After the request: a main-context interval stops at once. */
static gboolean
interval_after_stop (gpointer object)
{
  GasyncInterval *self = object;

  gasync_lifecycle_end_source (&self->life);
  return FALSE;
}

static const GasyncLifecycleRunner interval_runner = {
  .source_name = "[gasync] interval",
  .source_func = interval_source_cb,
  .thread_name = "gasync-interval",
  .thread_func = interval_thread,
  .request_stop = interval_request_stop,
  .after_stop = interval_after_stop,
};

static void
gasync_interval_dispose (GObject *object)
{
  GasyncInterval *self = GASYNC_INTERVAL (object);
  guint64 run;

  /* Dropped while running: stopped, without waiting. */
  interval_request_stop (self, &run, NULL);
  if (gasync_lifecycle_dispose (&self->life))
    return;

  G_OBJECT_CLASS (gasync_interval_parent_class)->dispose (object);
}

static void
gasync_interval_finalize (GObject *object)
{
  GasyncInterval *self = GASYNC_INTERVAL (object);

  /* On the owner context, as every destroy notify (the contract): the
   * last reference may go in another thread. */
  gasync_owner_destroy (self->life.owner, GASYNC_OWNER_NOW_IF_OWNER,
                        self->destroy, self->user_data);
  gasync_lifecycle_clear (&self->life);

  G_OBJECT_CLASS (gasync_interval_parent_class)->finalize (object);
}

static const GasyncPropertyAccess property_access[N_PROPS] = {
  [PROP_STATE] = { G_CALLBACK (gasync_interval_get_state), NULL },
  [PROP_INTERVAL] = {
    G_CALLBACK (gasync_interval_get_interval),
    G_CALLBACK (gasync_interval_set_interval),
  },
  [PROP_DELAY] = {
    G_CALLBACK (gasync_interval_get_delay),
    G_CALLBACK (gasync_interval_set_delay),
  },
  [PROP_STOP_ON_ERROR] = {
    G_CALLBACK (gasync_interval_get_stop_on_error),
    G_CALLBACK (gasync_interval_set_stop_on_error),
  },
  [PROP_MODE] = {
    G_CALLBACK (gasync_interval_get_mode),
    G_CALLBACK (gasync_interval_set_mode),
  },
};

static void
gasync_interval_class_init (GasyncIntervalClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  gasync_i18n_init ();

  object_class->dispose = gasync_interval_dispose;
  object_class->finalize = gasync_interval_finalize;

  /**
   * GasyncInterval:interval:
   *
   * The time between two runs of the action, in microseconds; at least 1.
   *
   * Since: 0.1
   */
  properties[PROP_INTERVAL] =
    g_param_spec_int64 ("interval", "Interval",
                        "The time between two runs, in µs",
                        1, G_MAXINT64 / 4, GASYNC_INTERVAL_DEFAULT_INTERVAL,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
                        G_PARAM_EXPLICIT_NOTIFY);

  /**
   * GasyncInterval:delay:
   *
   * The extra time before the first interval starts, in microseconds.
   *
   * Since: 0.1
   */
  properties[PROP_DELAY] =
    g_param_spec_int64 ("delay", "Delay",
                        "The extra time before the first interval, in µs",
                        0, G_MAXINT64 / 4, 0,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
                        G_PARAM_EXPLICIT_NOTIFY);

  /**
   * GasyncInterval:stop-on-error:
   *
   * Whether the interval stops by itself after an action failed (the
   * error is emitted first).
   *
   * Since: 0.1
   */
  properties[PROP_STOP_ON_ERROR] =
    g_param_spec_boolean ("stop-on-error", "Stop on error",
                          "Whether a failed action stops the interval",
                          FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
                        G_PARAM_EXPLICIT_NOTIFY);

  /**
   * GasyncInterval:mode:
   *
   * Where the action runs: on a dedicated thread or on the owner context.
   * Read when the interval starts.
   *
   * Since: 0.1
   */
  properties[PROP_MODE] =
    g_param_spec_enum ("mode", "Mode", "Where the action runs",
                       GASYNC_TYPE_INTERVAL_MODE, GASYNC_INTERVAL_MODE_THREAD,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
                       G_PARAM_EXPLICIT_NOTIFY);

  /**
   * GasyncInterval:state:
   *
   * The lifecycle state, as in #GasyncLatch. Its #GObject::notify is
   * emitted on the owner context after each transition.
   *
   * Since: 0.1
   */

  /**
   * GasyncInterval::error:
   * @self: the #GasyncInterval
   * @error: the error of the action
   *
   * Emitted on the owner context for each run of the action that failed.
   * An action that returned %FALSE without an error is reported as
   * %GASYNC_ERROR_FAILED, unless its cancellable had fired: a run that
   * was cancelled (that, or %G_IO_ERROR_CANCELLED) did not fail, is not
   * reported and does not stop the interval on error. With no handler
   * connected, the failure is logged as a warning instead.
   *
   * Since: 0.1
   */
  gasync_lifecycle_class_install (object_class, property_access, properties,
                                  N_PROPS, PROP_STATE, &error_signal);
}

static void
gasync_interval_init (GasyncInterval *self)
{
  gasync_type_class_acquire (self);

  gasync_lifecycle_init (&self->life, G_OBJECT (self),
                         properties[PROP_STATE], FALSE);
  self->interval = GASYNC_INTERVAL_DEFAULT_INTERVAL;
  self->mode = GASYNC_INTERVAL_MODE_THREAD;
}

/**
 * gasync_interval_new:
 * @func: (scope notified) (closure user_data) (destroy destroy):
 *   the action
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data when the interval is finalized
 *
 * Creates a stopped interval with the default interval (500 ms), no
 * delay, in %GASYNC_INTERVAL_MODE_THREAD. The thread-default main context
 * of the caller becomes the owner context. The #GCancellable given to
 * @func is cancelled when the interval is asked to stop.
 *
 * Returns: (transfer full): a new #GasyncInterval
 *
 * Since: 0.1
 */
GasyncInterval *
gasync_interval_new (GasyncTaskFunc func,
                     gpointer       user_data,
                     GDestroyNotify destroy)
{
  GasyncInterval *self;

  g_return_val_if_fail (func != NULL, NULL);

  self = g_object_new (GASYNC_TYPE_INTERVAL, NULL);
  self->func = func;
  self->user_data = user_data;
  self->destroy = destroy;
  return self;
}

/**
 * gasync_interval_get_state:
 * @self: a #GasyncInterval
 *
 * Gets the lifecycle state; another thread may change it at any time.
 *
 * Returns: the state
 *
 * Since: 0.1
 */
GasyncLatchState
gasync_interval_get_state (GasyncInterval *self)
{
  g_return_val_if_fail (GASYNC_IS_INTERVAL (self), GASYNC_LATCH_STATE_STOPPED);

  return gasync_lifecycle_get_state (&self->life);
}

/* The setters: store under the lock and notify on a change. */
#define SET_FIELD(self, field, value, prop)             \
  G_STMT_START {                                        \
    gboolean changed;                                   \
    gasync_lock (&(self)->life.lock);                        \
    changed = (self)->field != (value);                 \
    (self)->field = (value);                            \
    gasync_unlock (&(self)->life.lock);                      \
    if (changed)                                        \
      gasync_owner_notify ((self)->life.owner, (self), properties[prop]); \
  } G_STMT_END

#define GET_FIELD(self, field, result)                  \
  G_STMT_START {                                        \
    gasync_lock (&(self)->life.lock);                        \
    result = (self)->field;                             \
    gasync_unlock (&(self)->life.lock);                      \
  } G_STMT_END

/**
 * gasync_interval_get_interval:
 * @self: a #GasyncInterval
 *
 * Gets #GasyncInterval:interval.
 *
 * Returns: the interval, in microseconds
 *
 * Since: 0.1
 */
GTimeSpan
gasync_interval_get_interval (GasyncInterval *self)
{
  GTimeSpan interval;

  g_return_val_if_fail (GASYNC_IS_INTERVAL (self), 0);

  GET_FIELD (self, interval, interval);
  return interval;
}

/**
 * gasync_interval_set_interval:
 * @self: a #GasyncInterval
 * @interval: the time between two runs, in microseconds, at least 1 and
 *   at most %G_MAXINT64 / 4
 *
 * Sets #GasyncInterval:interval; it applies from the next tick.
 *
 * Since: 0.1
 */
void
gasync_interval_set_interval (GasyncInterval *self,
                              GTimeSpan       interval)
{
  g_return_if_fail (GASYNC_IS_INTERVAL (self));
  g_return_if_fail (interval > 0 && interval <= G_MAXINT64 / 4);

  SET_FIELD (self, interval, interval, PROP_INTERVAL);
}

/**
 * gasync_interval_get_delay:
 * @self: a #GasyncInterval
 *
 * Gets #GasyncInterval:delay.
 *
 * Returns: the delay, in microseconds
 *
 * Since: 0.1
 */
GTimeSpan
gasync_interval_get_delay (GasyncInterval *self)
{
  GTimeSpan delay;

  g_return_val_if_fail (GASYNC_IS_INTERVAL (self), 0);

  GET_FIELD (self, delay, delay);
  return delay;
}

/**
 * gasync_interval_set_delay:
 * @self: a #GasyncInterval
 * @delay: the extra time before the first interval, in microseconds, not
 *   negative and at most %G_MAXINT64 / 4
 *
 * Sets #GasyncInterval:delay; it applies from the next start.
 *
 * Since: 0.1
 */
void
gasync_interval_set_delay (GasyncInterval *self,
                           GTimeSpan       delay)
{
  g_return_if_fail (GASYNC_IS_INTERVAL (self));
  g_return_if_fail (delay >= 0 && delay <= G_MAXINT64 / 4);

  SET_FIELD (self, delay, delay, PROP_DELAY);
}

/**
 * gasync_interval_get_stop_on_error:
 * @self: a #GasyncInterval
 *
 * Gets #GasyncInterval:stop-on-error.
 *
 * Returns: whether a failed action stops the interval
 *
 * Since: 0.1
 */
gboolean
gasync_interval_get_stop_on_error (GasyncInterval *self)
{
  gboolean stop_on_error;

  g_return_val_if_fail (GASYNC_IS_INTERVAL (self), FALSE);

  GET_FIELD (self, stop_on_error, stop_on_error);
  return stop_on_error;
}

/**
 * gasync_interval_set_stop_on_error:
 * @self: a #GasyncInterval
 * @stop_on_error: whether a failed action stops the interval
 *
 * Sets #GasyncInterval:stop-on-error.
 *
 * Since: 0.1
 */
void
gasync_interval_set_stop_on_error (GasyncInterval *self,
                                   gboolean        stop_on_error)
{
  g_return_if_fail (GASYNC_IS_INTERVAL (self));

  SET_FIELD (self, stop_on_error, !!stop_on_error, PROP_STOP_ON_ERROR);
}

/**
 * gasync_interval_get_mode:
 * @self: a #GasyncInterval
 *
 * Gets #GasyncInterval:mode.
 *
 * Returns: where the action runs
 *
 * Since: 0.1
 */
GasyncIntervalMode
gasync_interval_get_mode (GasyncInterval *self)
{
  GasyncIntervalMode mode;

  g_return_val_if_fail (GASYNC_IS_INTERVAL (self), GASYNC_INTERVAL_MODE_THREAD);

  GET_FIELD (self, mode, mode);
  return mode;
}

/**
 * gasync_interval_set_mode:
 * @self: a #GasyncInterval
 * @mode: where the action runs
 *
 * Sets #GasyncInterval:mode; it applies from the next start.
 *
 * Since: 0.1
 */
void
gasync_interval_set_mode (GasyncInterval     *self,
                          GasyncIntervalMode  mode)
{
  g_return_if_fail (GASYNC_IS_INTERVAL (self));
  g_return_if_fail (mode == GASYNC_INTERVAL_MODE_THREAD ||
                    mode == GASYNC_INTERVAL_MODE_MAIN_CONTEXT);

  SET_FIELD (self, mode, mode, PROP_MODE);
}

/**
 * gasync_interval_start:
 * @self: a #GasyncInterval
 * @error: return location for a #GError
 *
 * Starts @self and returns once it is %GASYNC_LATCH_STATE_STARTED; the
 * first run comes #GasyncInterval:delay plus #GasyncInterval:interval
 * later. A stopped interval can be started again.
 *
 * Blocking: briefly: a threaded interval returns once its thread has
 * started.
 *
 * Returns: %TRUE on success; %FALSE with %GASYNC_ERROR_ALREADY_STARTED if
 *   @self is not stopped
 *
 * Since: 0.1
 */
gboolean
gasync_interval_start (GasyncInterval  *self,
                       GError         **error)
{
  gboolean main_context;
  gint64 tick;

  g_return_val_if_fail (GASYNC_IS_INTERVAL (self), FALSE);
  g_return_val_if_fail (self->func != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!gasync_lifecycle_begin (&self->life, error))
    return FALSE;

  gasync_lock (&self->life.lock);
  main_context = self->mode == GASYNC_INTERVAL_MODE_MAIN_CONTEXT;
  tick = self->tick = g_get_monotonic_time () + self->delay + self->interval;
  gasync_unlock (&self->life.lock);

  return gasync_lifecycle_launch (&self->life, &interval_runner,
                                  main_context, tick, error);
}

/**
 * gasync_interval_stop:
 * @self: a #GasyncInterval
 * @cancellable: (nullable): a #GCancellable to give up waiting
 * @error: return location for a #GError
 *
 * Stops @self: no further run starts, and the #GCancellable of a run under
 * way is cancelled. Blocks until @self is %GASYNC_LATCH_STATE_STOPPED
 * (that is, until a run under way has returned), or until @cancellable is
 * cancelled; a main-context interval stops at once.
 *
 * Called from the action of a threaded interval, it would wait for itself
 * forever: that is a critical, and it returns %FALSE with
 * %G_IO_ERROR_WOULD_BLOCK without stopping anything.
 *
 * Blocking: yes, until a run under way has returned, or @cancellable
 * fires; it iterates no main loop. gasync_interval_stop_async() is its
 * twin that does not block.
 *
 * Returns: %TRUE once stopped; %FALSE with %GASYNC_ERROR_NOT_STARTED if
 *   @self was not started (or stopped by itself on an error), with
 *   %G_IO_ERROR_CANCELLED, or with %G_IO_ERROR_WOULD_BLOCK from its own
 *   thread
 *
 * Since: 0.1
 */
gboolean
gasync_interval_stop (GasyncInterval  *self,
                      GCancellable    *cancellable,
                      GError         **error)
{
  g_return_val_if_fail (GASYNC_IS_INTERVAL (self), FALSE);
  g_return_val_if_fail (cancellable == NULL ||
                        G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (gasync_lifecycle_refuse_own_thread (&self->life, NULL, NULL,
                                          "gasync_interval_stop",
                                          "called from the interval's own "
                                          "thread, which it waits for",
                                          error))
    return FALSE;

  return gasync_lifecycle_stop (&self->life, &interval_runner, cancellable,
                                error);
}

/**
 * gasync_interval_stop_async:
 * @self: a #GasyncInterval
 * @cancellable: (nullable): a #GCancellable to give up waiting
 * @callback: (scope async): called once @self has stopped
 * @user_data: data for @callback
 *
 * Stops @self like gasync_interval_stop() without blocking the caller: no
 * further run starts from now on, a run under way is cancelled, and
 * @callback is called once @self is %GASYNC_LATCH_STATE_STOPPED. Call
 * gasync_interval_stop_finish() from it. Cancelling @cancellable gives up
 * the waiting only.
 *
 * Threading: may be called from any thread, also from the action of a
 * threaded interval: it does not wait there. @callback runs on the
 * thread-default main context of the caller.
 *
 * Blocking: no; the wait happens on a thread of the library's pool, and
 * no main loop is iterated in the meantime.
 *
 * Since: 0.1
 */
void
gasync_interval_stop_async (GasyncInterval      *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (GASYNC_IS_INTERVAL (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = gasync_gtask_new (self, gasync_interval_stop_async,
                           "[gasync] gasync_interval_stop_async", TRUE,
                           cancellable, callback, user_data);
  gasync_lifecycle_stop_async (&self->life, &interval_runner, task);
}

/**
 * gasync_interval_stop_finish:
 * @self: a #GasyncInterval
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes gasync_interval_stop_async().
 *
 * Returns: %TRUE once stopped; %FALSE with %GASYNC_ERROR_NOT_STARTED if
 *   @self was not started, or with %G_IO_ERROR_CANCELLED
 *
 * Since: 0.1
 */
gboolean
gasync_interval_stop_finish (GasyncInterval  *self,
                             GAsyncResult    *result,
                             GError         **error)
{
  g_return_val_if_fail (GASYNC_IS_INTERVAL (self), FALSE);

  return gasync_gtask_finish_boolean (self, result, gasync_interval_stop_async,
                                      error);
}

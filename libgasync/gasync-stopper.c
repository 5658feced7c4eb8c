/* gasync-stopper.c: two-phase shutdown of tasks and workers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

/**
 * SECTION:gasync-stopper
 * @title: GasyncStopper
 * @short_description: two-phase shutdown of tasks and workers, as
 *   CockroachDB's stop.Stopper
 *
 * A #GasyncStopper tracks the work of a program or a component and shuts
 * it down in two phases, in an order that can be relied on:
 *
 * - gasync_stopper_quiesce() or gasync_stopper_stop() begins
 *   *quiescing*: from then on every new task is refused with
 *   %GASYNC_ERROR_UNAVAILABLE (its function is not called; its destroy
 *   notify still is, once), the cancellable of
 *   gasync_stopper_get_quiesce_cancellable() fires and
 *   #GasyncStopper::quiescing is emitted. Running tasks go on until they
 *   return.
 * - When the last task has returned (and a stop was asked for), the
 *   stopper is *stopping*: the cancellable of
 *   gasync_stopper_get_stop_cancellable(), which every worker receives,
 *   fires, #GasyncStopper::stopping is emitted, and the stopper waits for
 *   the workers to return.
 * - Then the closers run, newest first (LIFO, like Go's `defer`), then the
 *   state becomes %GASYNC_STOPPER_STATE_STOPPED,
 *   gasync_stopper_is_stopped() returns %TRUE and #GasyncStopper::stopped
 *   is emitted.
 *
 * Tasks are counted by name: gasync_stopper_dup_running_tasks() gives the
 * exact count per name at any moment, and gasync_stopper_dump() a
 * human-readable list. When quiescing lasts longer than
 * #GasyncStopper:stuck-log-interval, the stopper logs that list (a
 * structured log message in the `Gasync` domain), and again after every
 * further interval, so that a stuck shutdown shows what it waits for. With
 * #GasyncStopper:track-details, the list also gives each task's kind and
 * age.
 *
 * |[<!-- language="C" -->
 * static gboolean
 * serve_one (GCancellable *cancellable, gpointer user_data, GError **error)
 * {
 *   return handle_request (user_data, cancellable, error);
 * }
 *
 * if (!gasync_stopper_run_async_task (stopper, "server: handle request",
 *                                     serve_one, request, g_object_unref,
 *                                     &error))
 *   reply_unavailable (request, error);
 * …
 * gasync_stopper_stop (stopper);   // waits for every request
 * ]|
 *
 * In Python, where a task function returns %TRUE for success:
 * |[<!-- language="Python" -->
 * import gi
 * gi.require_version('Gasync', '1')
 * from gi.repository import Gasync
 *
 * stopper = Gasync.Stopper.new()
 * done = []
 *
 *
 * def handle_request(cancellable, number):
 *     # Runs on a pool thread; return True for success.
 *     done.append(number)
 *     return True
 *
 *
 * for number in range(3):
 *     stopper.run_async_task('server: handle request', handle_request, number)
 * stopper.stop()  # waits for every request
 * assert sorted(done) == [0, 1, 2]
 * ]|
 *
 * In JavaScript, where main-loop work holds a #GasyncTaskToken (task
 * functions run on pool threads, where GJS cannot call JavaScript):
 * |[<!-- language="JavaScript" -->
 * import Gio from 'gi://Gio';
 * import Gasync from 'gi://Gasync?version=1';
 *
 * Gio._promisify(Gasync.Stopper.prototype, 'stop_async');
 * const stopper = new Gasync.Stopper();
 *
 * async function handleRequest(number) {
 *     // Main-loop work holds a token instead of running on a thread.
 *     const token = stopper.begin_task('server: handle request');
 *     try {
 *         await Promise.resolve(number);
 *     } finally {
 *         token.end();
 *     }
 * }
 *
 * await Promise.all([1, 2, 3].map(handleRequest));
 * await stopper.stop_async(null);
 * if (!stopper.is_stopped())
 *     throw new Error('not stopped');
 * ]|
 *
 * Main-loop work, such as a chain of GIO calls or a JavaScript promise, is
 * counted with gasync_stopper_begin_task(), which returns a
 * #GasyncTaskToken to end when the work is done; this is how GJS code uses
 * a stopper, together with gasync_stopper_stop_async().
 *
 * Threading: every function may be called from any thread. Task functions
 * run in the calling thread (gasync_stopper_run_task()), on the library's
 * shared thread pool (the `_async_` forms) or on a dedicated thread
 * (gasync_stopper_run_worker()). Signals, `notify::state`, closers, the
 * destroy notifies of task data and the `cancelled` signals of the quiesce
 * and stop cancellables (and of their children) run on the stopper's owner
 * context: the thread-default #GMainContext of the thread that created it.
 * A phase's cancellables fire at once when the thread that begins it runs
 * that context, else in its next dispatch, before the phase's signal.
 *
 * Stopping from inside: when gasync_stopper_stop() or
 * gasync_stopper_quiesce() is called from code this stopper is running
 * (one of its tasks or workers, a closer, a handler of its signals or
 * of its cancellables), it begins the shutdown and returns at once instead of waiting,
 * since the shutdown waits for that very code to return.
 *
 * Blocking stops: gasync_stopper_stop() and gasync_stopper_quiesce() wait
 * as gasync_runner_run() does. When the calling thread can acquire the
 * owner context (it runs that context already, or no thread holds it, as
 * when a program stops from a thread of its own and waits for it, the Go
 * habit), it runs the context while it waits: it makes it its
 * thread-default context and iterates it. The phase signals, closers and
 * destroy notifies, and whatever else is dispatched on that context, then
 * run in the stopping thread, which is the owner context's thread for
 * that time. When another thread holds the owner context, that thread
 * must run it: the stop waits for it. A thread that holds it without
 * iterating it (one that pushed it as its thread-default context and then
 * blocks, waiting for the stop) would leave the stop waiting forever; once
 * the wait is longer than #GasyncStopper:stuck-log-interval, the stop logs
 * a warning that says so, once. Such code releases the context, or uses
 * gasync_stopper_stop_async() or gasync_stopper_quiesce_async(), which
 * never block nor iterate a main loop: from GJS, where a nested main loop
 * runs no promise job, use those.
 *
 * Lifetime: stop a stopper before dropping it. A running task (or task
 * token) holds a reference to its stopper until it returns, so a stopper
 * dropped while tasks run is finalized after the last of them. Workers
 * hold none, since they would run until a stop that can no longer come:
 * when the last reference goes while workers run, the quiesce and stop
 * cancellables fire (without the phase signals), and the stopper is
 * finalized once the workers have returned. A stopper finalized without
 * being stopped does not run its closers; every destroy notify still runs
 * once. A blocking stop or quiesce returns only once the thread that ended
 * the last task is done with the stopper (it has given back the tasks'
 * reference), and a stop only once the workers' threads are too: the caller's last unref then
 * finalizes the stopper in the caller's thread.
 *
 * Leaks: a stopper that ran tasks or workers, or has closers, and is
 * dropped without a stop logs a warning, when its last reference goes,
 * that names it and what it still has (closers, running tasks and
 * workers); from its first task, worker or closer until it has stopped,
 * the leak checks of gasync_leaks_check() list it. CockroachDB's leak test
 * reports the stoppers never stopped in the same way.
 */

/**
 * GasyncStopper:
 *
 * Tracks tasks and workers and stops them in two phases: quiescing (no new
 * tasks, running ones finish), then stopping (workers are cancelled and
 * joined, closers run).
 *
 * Since: 0.1
 */

#include "config.h"

#include "gasync-stopper-private.h"

#include "gasync-cancel-tree-private.h"
#include "gasync-closers-private.h"
#include "gasync-enums.h"
#include "gasync-future-private.h"
#include "gasync-gtask-private.h"
#include "gasync-leak-private.h"
#include "gasync-owner-job-private.h"
#include "gasync-owner-private.h"
#include "gasync-pool-private.h"
#include "gasync-private.h"
#include "gasync-property-private.h"
#include "gasync-registry-private.h"
#include "gasync-sync-private.h"
#include "gasync-task-gate-private.h"
#include "gasync-task-run-private.h"
#include "gasync-waiter-private.h"

#define DEFAULT_STUCK_LOG_INTERVAL (10 * G_USEC_PER_SEC)

struct _GasyncStopper
{
  GObject parent_instance;

  GasyncLock lock;
  GasyncCond cond; /* broadcast on every phase change and quiesced */

  GMainContext *context;
  GThread *owner_thread;

  GasyncStopperState state;
  GasyncStopperState emitted; /* the last phase signalled on the context */
  GasyncStopperState notified; /* the last state notified on the context */
  GasyncStopperState fired; /* the last phase whose cancellables fired */
  gboolean quiesce_requested;
  gboolean stop_requested;
  gboolean draining;
  gboolean done;
  gint64 quiesce_started;
  GTimeSpan stuck_log_interval;

  /* The running tasks and workers; the stopper holds a reference to
   * itself while tasks run. The threads that ended the last task and
   * still act on it (gate.n_ending) give back that reference: quiescing
   * and closing wait for them, and a thread waiting in wait_for(), or
   * after a stop the owner context once stopped, takes the reference over
   * (handed to the owner job), so that the stop or quiesce waited for
   * completes once no other thread touches the stopper. */
  GasyncTaskGate gate;

  GasyncCancelTree quiesce;
  GasyncCancelTree stop;

  GasyncClosers closers;
  GasyncOwnerJob owner_job; /* drain(), on the owner context */
  GQueue stop_waiters; /* waiters of stop_async (gasync-waiter) */
  GQueue quiesce_waiters; /* waiters of quiesce_async */

  char *name;
};

enum {
  PROP_0,
  PROP_STATE,
  PROP_STUCK_LOG_INTERVAL,
  PROP_TRACK_DETAILS,
  PROP_NAME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_QUIESCING,
  SIGNAL_STOPPING,
  SIGNAL_STOPPED,
  SIGNAL_TASK_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (GasyncStopper, gasync_stopper, G_TYPE_OBJECT)

/* Whether this thread runs code of the stopper: stopping from inside it
 * must not wait for it. */
static gboolean
is_inside (GasyncStopper *self)
{
  return gasync_registry_runs_here (&self->gate.registry);
}

/* "Stopper “indexer”" or "Stopper 0x…", for log lines. Called with the
 * lock held. */
static char *
describe_locked (gpointer data)
{
  GasyncStopper *self = data;

  return gasync_describe ("Stopper", self->name, self);
}

/* Called with the lock held: moves to the next phase when its condition
 * holds, and has the owner context fire its cancellables and signal it
 * (drain()). */
static void
advance_locked (GasyncStopper *self)
{
  gboolean drain = FALSE;

  if (self->state == GASYNC_STOPPER_STATE_RUNNING && self->quiesce_requested)
    {
      self->state = GASYNC_STOPPER_STATE_QUIESCING;
      self->gate.refuse_tasks = TRUE;
      self->quiesce_started = g_get_monotonic_time ();
      drain = TRUE;
      /* Logs what quiescing waits for, if it lasts. */
      if (self->stuck_log_interval > 0)
        gasync_registry_watch_locked (&self->gate.registry, self->quiesce_started,
                                      MAX (self->stuck_log_interval,
                                           GASYNC_STOPPER_MIN_STUCK_LOG_INTERVAL),
                                      describe_locked,
                                      self);
    }
  if (self->state == GASYNC_STOPPER_STATE_QUIESCING && self->stop_requested &&
      gasync_registry_n_tasks_locked (&self->gate.registry) == 0)
    {
      self->state = GASYNC_STOPPER_STATE_STOPPING;
      self->gate.refuse_workers = TRUE;
      drain = TRUE;
    }
  if (self->state == GASYNC_STOPPER_STATE_STOPPING &&
      gasync_registry_n_workers_locked (&self->gate.registry) == 0)
    drain = TRUE;

  if (drain)
    {
      gasync_cond_broadcast (&self->cond);
      gasync_owner_job_schedule_locked (&self->owner_job);
    }
}

/* Fires the cancellables of the phases up to @phase that have not fired.
 * They emit `cancelled`, which runs user code: on the owner context only
 * (the contract), which one thread at a time runs, before the phase
 * signals. */
static void
fire_phases (GasyncStopper      *self,
             GasyncStopperState  phase)
{
  GasyncStopperState fired;

  phase = MIN (phase, GASYNC_STOPPER_STATE_STOPPING);
  gasync_lock (&self->lock);
  fired = self->fired;
  gasync_unlock (&self->lock);
  if (phase <= fired)
    return;

  gasync_cancel_tree_fire (&self->quiesce);
  if (phase == GASYNC_STOPPER_STATE_STOPPING)
    gasync_cancel_tree_fire (&self->stop);

  gasync_lock (&self->lock);
  self->fired = MAX (self->fired, phase);
  gasync_cond_broadcast (&self->cond);
  gasync_unlock (&self->lock);
}

/* In the thread that moved the stopper on: its cancellables fire at once
 * if that thread runs the owner context, else in drain(). */
static void
fire_if_owner (GasyncStopper      *self,
               GasyncStopperState  phase)
{
  if (g_main_context_is_owner (self->context))
    fire_phases (self, phase);
}

/* Called with the lock held: something waits for the owner context. Not
 * while a thread that ended the last task still holds the tasks'
 * reference (see task_end_last()). */
static gboolean
drain_pending_locked (GasyncStopper *self)
{
  if (self->gate.n_ending > 0)
    return FALSE;
  if (self->emitted < self->state && self->state < GASYNC_STOPPER_STATE_STOPPED)
    return TRUE;
  return self->state == GASYNC_STOPPER_STATE_STOPPING &&
         gasync_registry_n_workers_locked (&self->gate.registry) == 0 &&
         !self->done;
}

/* Runs the closers (newest first), then enters the stopped state. Called
 * on the owner context from drain(), with the lock held. */
static void
close_locked (GasyncStopper *self)
{
  /* The destroy notifies and failure reports of the tasks and workers
   * come first: every task has ended, so nothing of theirs is left to run
   * after the closers. */
  gasync_unlock (&self->lock);
  gasync_owner_drain (self->context);
  gasync_lock (&self->lock);

  gasync_closers_run_locked (&self->closers, &self->lock);

  self->state = self->emitted = self->notified = GASYNC_STOPPER_STATE_STOPPED;
  gasync_unlock (&self->lock);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  g_signal_emit (self, signals[SIGNAL_STOPPED], 0);

  gasync_lock (&self->lock);
  self->done = TRUE;
  gasync_leak_watch_end_locked (&self->gate.leak, self);
  gasync_waiter_wake_all (&self->stop_waiters);
  gasync_cond_broadcast (&self->cond);
}

/* Every task has returned, and the thread that ended the last one is done
 * with the stopper. The quiesce cancellable may fire later, when this
 * thread cannot run the owner context: a quiesce does not wait for a
 * context that another thread holds unless a task does. */
static gboolean
is_quiesced_locked (gpointer data)
{
  GasyncStopper *self = data;

  return gasync_registry_n_tasks_locked (&self->gate.registry) == 0 &&
         self->gate.n_ending == 0;
}

/* Signals every phase change on the owner context, in order, and closes
 * once the workers are done. Runs only on the owner context, which one
 * thread at a time runs; a handler that iterates the context again does
 * not nest. */
static void
drain (gpointer data)
{
  GasyncStopper *self = data;
  GasyncRegistryFrame frame;
  guint handed = 0;

  gasync_lock (&self->lock);
  if (self->draining)
    {
      gasync_unlock (&self->lock);
      return;
    }
  self->draining = TRUE;
  gasync_registry_frame_push (&frame, &self->gate.registry);

  while (drain_pending_locked (self))
    {
      if (self->emitted < self->state &&
          self->state < GASYNC_STOPPER_STATE_STOPPED)
        {
          GasyncStopperState phase = ++self->emitted;
          gboolean notify = self->notified != self->state;

          self->notified = self->state;
          gasync_unlock (&self->lock);
          fire_phases (self, phase);
          if (notify)
            g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
          g_signal_emit (self, signals[phase == GASYNC_STOPPER_STATE_QUIESCING ?
                                       SIGNAL_QUIESCING : SIGNAL_STOPPING], 0);
          gasync_lock (&self->lock);
        }
      else
        close_locked (self);
    }

  gasync_registry_frame_pop (&frame);
  self->draining = FALSE;
  /* Stopped, or quiesced without a stop asked for: the reference handed
   * over by the thread that ended the last task, if no blocking stop or
   * quiesce took it (see task_end_last()). Not the last one: the caller
   * holds one. */
  if (self->done || (!self->stop_requested && is_quiesced_locked (self)))
    handed = gasync_owner_job_take_refs_locked (&self->owner_job);
  gasync_unlock (&self->lock);
  while (handed-- > 0)
    g_object_unref (self);
}

gboolean
gasync_stopper_owner_wait_was_logged (GasyncStopper *self)
{
  return gasync_owner_job_was_logged (&self->owner_job);
}

/* Stopped, and the threads of the last task and of the workers are done
 * with the stopper. */
static gboolean
is_done_locked (gpointer data)
{
  GasyncStopper *self = data;

  return self->done && self->gate.n_ending == 0 &&
         gasync_thread_hold_is_empty_locked (&self->gate.workers);
}

/* Waits until @done_locked (@self) holds, running the owner context
 * meanwhile when it can (gasync_owner_job_wait()): the signals and closers
 * then run in this thread. */
static void
wait_for (GasyncStopper *self,
          gboolean     (*done_locked) (gpointer self))
{
  GasyncOwnerJobWait wait = {
    &self->owner_job, &self->cond, done_locked, self,
    &self->stuck_log_interval, GASYNC_STOPPER_MIN_STUCK_LOG_INTERVAL,
    describe_locked, "a blocking stop",
    "the phase signals, closers and destroy notifies run there. Iterate "
    "it, release it, or use gasync_stopper_stop_async()",
  };

  gasync_owner_job_wait (&wait);
}

static void
begin_shutdown (GasyncStopper *self,
                gboolean       stop)
{
  GasyncStopperState state;

  gasync_lock (&self->lock);
  self->quiesce_requested = TRUE;
  self->stop_requested |= stop;
  advance_locked (self);
  state = self->state;
  gasync_unlock (&self->lock);

  fire_if_owner (self, state);
}

/* gasync_stopper_stop() (@stop) or gasync_stopper_quiesce(): begins the
 * shutdown and waits for its phase, unless called from inside. */
static void
stop_or_quiesce (GasyncStopper *self,
                 gboolean       stop)
{
  begin_shutdown (self, stop);
  if (!is_inside (self))
    wait_for (self, stop ? is_done_locked : is_quiesced_locked);
}

/* gasync_stopper_stop_async() (@stop) or gasync_stopper_quiesce_async():
 * begins the shutdown and returns @task (taken) with TRUE on its context
 * once stopped (the closers ran), or quiesced as a blocking quiesce
 * returns: no task runs, and no thread that ended the last one still acts
 * on it (see task_end_last(), which wakes the queued quiesce waiters). A
 * queued waiter is completed by that, or by its cancellation, whichever
 * comes first. */
static void
stop_or_quiesce_async (GasyncStopper *self,
                       gboolean       stop,
                       GTask         *task)
{
  begin_shutdown (self, stop);
  if (stop)
    gasync_waiter_wait_async_until (&self->stop_waiters, &self->lock, task,
                                    gasync_flag_is_set, &self->done);
  else
    gasync_waiter_wait_async_until (&self->quiesce_waiters, &self->lock, task,
                                    is_quiesced_locked, self);
  g_object_unref (task);
}

/* Called with the lock held, when what a blocking stop or quiesce waits
 * for may have come: it may wait on the condition, or iterating the owner
 * context (see wait_for()). */
static void
workers_gone_locked (GObject *object)
{
  GasyncStopper *self = GASYNC_STOPPER (object);

  gasync_cond_broadcast (&self->cond);
  g_main_context_wakeup (self->context);
}

/* The gate's hook, with the lock held: the last task or a worker ended. */
static void
task_ended_locked (GObject  *instance,
                   gboolean  worker)
{
  GasyncStopper *self = GASYNC_STOPPER (instance);

  if (worker)
    advance_locked (self);
  else if (self->state == GASYNC_STOPPER_STATE_QUIESCING)
    {
      gasync_cond_broadcast (&self->cond);
      advance_locked (self);
    }
}

/* After the last task, without the lock: gives back the reference the
 * running tasks held. Until then the stopper is neither quiesced nor
 * closed. If a thread waits for that, or a quiesce or stop was asked for,
 * the reference is left to the waiting thread or to the owner context,
 * which drops it once stopped (or quiesced, without a stop), before the
 * callbacks of gasync_stopper_stop_async(): otherwise a stop or quiesce
 * (blocking or not) could return, and its caller's unref not be the last,
 * while this thread still holds it; the stopper would then be finalized
 * here, with the caller's thread reading it. */
static void
task_end_last (GObject *instance)
{
  GasyncStopper *self = GASYNC_STOPPER (instance);
  GasyncStopperState state;
  gboolean shutting_down, last;

  /* Before a quiesce or stop is asked for, ending the last task moved
   * nothing on, and nobody waits for this thread: a burst of tasks that
   * ends one at a time pays no more than the lock. */
  gasync_lock (&self->lock);
  shutting_down = self->quiesce_requested;
  state = self->state;
  gasync_unlock (&self->lock);
  if (shutting_down)
    {
      GasyncRegistryFrame frame;

      /* A handler of the cancellables that stops the stopper must not
       * wait for this thread. */
      gasync_registry_frame_push (&frame, &self->gate.registry);
      fire_if_owner (self, state);
      gasync_registry_frame_pop (&frame);
    }

  gasync_lock (&self->lock);
  last = !gasync_owner_job_hand_ref_locked (&self->owner_job,
                                            self->quiesce_requested);
  if (--self->gate.n_ending == 0)
    {
      if (self->quiesce_requested)
        {
          workers_gone_locked (G_OBJECT (self));
          if (is_quiesced_locked (self))
            gasync_waiter_wake_all (&self->quiesce_waiters);
        }
      if (drain_pending_locked (self) || self->owner_job.handed_refs > 0)
        gasync_owner_job_schedule_locked (&self->owner_job);
    }
  gasync_unlock (&self->lock);
  if (last)
    g_object_unref (self);
}

static const GasyncTaskGateHooks gate_hooks = {
  task_ended_locked, task_end_last, workers_gone_locked,
};

static void
fire_for_workers (gpointer data)
{
  fire_phases (data, GASYNC_STOPPER_STATE_STOPPING);
}

static void
gasync_stopper_dispose (GObject *object)
{
  GasyncStopper *self = GASYNC_STOPPER (object);

  /* First: a stopper kept for its workers still has them. */
  gasync_task_gate_warn_unstopped (&self->gate, &self->stop_requested,
                                   describe_locked, &self->closers);

  /* Running tasks hold a reference, workers do not: they run until a stop
   * that can no longer come. Their cancellables fire as for a stop, on the
   * owner context, and the stopper lives on until the last of them has
   * returned. */
  if (gasync_thread_hold_keep (&self->gate.workers, &self->lock, object))
    {
      gasync_owner_invoke (self->context, GASYNC_OWNER_NOW_IF_OWNER,
                           fire_for_workers, g_object_ref (self),
                           g_object_unref);
      return;
    }

  /* Never stopped: the closers will not run, but their data is freed. */
  gasync_closers_free (&self->closers, &self->lock, self->context);

  G_OBJECT_CLASS (gasync_stopper_parent_class)->dispose (object);
}

static void
gasync_stopper_finalize (GObject *object)
{
  GasyncStopper *self = GASYNC_STOPPER (object);

  gasync_task_gate_clear (&self->gate);
  g_assert (g_queue_is_empty (&self->stop_waiters));
  g_assert (g_queue_is_empty (&self->quiesce_waiters));
  /* Never stopped: the closers will not run, but their data is freed. */
  gasync_closers_free (&self->closers, &self->lock, self->context);
  g_free (self->name);

  gasync_cancel_tree_clear (&self->quiesce);
  gasync_cancel_tree_clear (&self->stop);
  /* The last reference may go on a pool thread, right after the owner
   * thread iterated the context: GObject's and GMainContext's reference
   * counts order the two, but they are atomics in libraries TSan does not
   * see, so freeing the context's poll records would read as a race. */
  GASYNC_TSAN_IGNORE_BEGIN ();
  g_clear_pointer (&self->context, g_main_context_unref);
  GASYNC_TSAN_IGNORE_END ();
  gasync_cond_clear (&self->cond);
  gasync_lock_clear (&self->lock);

  G_OBJECT_CLASS (gasync_stopper_parent_class)->finalize (object);
}

/* Construct-only. */
static void
set_track_details (GasyncStopper *self,
                   gboolean       track)
{
  if (track)
    gasync_registry_track_details (&self->gate.registry);
}

static const GasyncPropertyAccess property_access[N_PROPS] = {
  [PROP_STATE] = { G_CALLBACK (gasync_stopper_get_state), NULL },
  [PROP_STUCK_LOG_INTERVAL] = {
    G_CALLBACK (gasync_stopper_get_stuck_log_interval),
    G_CALLBACK (gasync_stopper_set_stuck_log_interval),
  },
  [PROP_TRACK_DETAILS] = {
    G_CALLBACK (gasync_stopper_get_track_details),
    G_CALLBACK (set_track_details),
  },
  [PROP_NAME] = {
    G_CALLBACK (gasync_stopper_get_name),
    G_CALLBACK (gasync_stopper_set_name),
  },
};

static void
gasync_stopper_class_init (GasyncStopperClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  gasync_i18n_init ();

  object_class->dispose = gasync_stopper_dispose;
  object_class->finalize = gasync_stopper_finalize;

  /**
   * GasyncStopper:state:
   *
   * The phase the stopper is in. It only moves forward, from
   * %GASYNC_STOPPER_STATE_RUNNING to %GASYNC_STOPPER_STATE_STOPPED.
   * `notify::state` is emitted on the owner context, before the signal of
   * the phase, whenever the state changed since the last notification:
   * when the stopper went through two phases before the owner context
   * ran, the handler sees the later state once (the phase signals are
   * all emitted, in order).
   *
   * Since: 0.1
   */
  properties[PROP_STATE] =
    g_param_spec_enum ("state", "State", "The phase of the stopper",
                       GASYNC_TYPE_STOPPER_STATE,
                       GASYNC_STOPPER_STATE_RUNNING,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS |
                       G_PARAM_EXPLICIT_NOTIFY);

  /**
   * GasyncStopper:stuck-log-interval:
   *
   * How long quiescing may last, in microseconds, before the stopper logs
   * the tasks it still waits for (a structured warning in the `Gasync`
   * log domain, with the fields `GASYNC_STOPPER_NUM_TASKS` and
   * `GASYNC_STOPPER_DUMP`, the text of gasync_stopper_dump()); it logs
   * again one interval after each report was written. An interval shorter
   * than 100 ms (100000) is taken as 100 ms, so that the log cannot flood;
   * the property keeps the value set. 0 turns the log off. It is read when
   * quiescing begins.
   *
   * The same interval bounds how long a blocking gasync_stopper_stop() or
   * gasync_stopper_quiesce() waits for an owner context that another
   * thread holds and does not run before it logs a warning saying so
   * (once; see the description of #GasyncStopper).
   *
   * Since: 0.1
   */
  properties[PROP_STUCK_LOG_INTERVAL] =
    g_param_spec_int64 ("stuck-log-interval", "Stuck log interval",
                        "How long quiescing lasts before the running tasks are logged",
                        0, G_MAXINT64, DEFAULT_STUCK_LOG_INTERVAL,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
                        G_PARAM_EXPLICIT_NOTIFY);

  /**
   * GasyncStopper:track-details:
   *
   * Whether the stopper keeps a record of every running task (its name,
   * kind and start time), which gasync_stopper_dump() then lists with the
   * task's age. Off by default: the per-name counts are always kept, the
   * records cost a little more per task.
   *
   * Since: 0.1
   */
  properties[PROP_TRACK_DETAILS] =
    g_param_spec_boolean ("track-details", "Track details",
                          "Whether every running task is recorded with its age",
                          FALSE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * GasyncStopper:name:
   *
   * A name for the stopper, such as `indexer`, or %NULL (the default).
   * Every line the stopper logs begins with it (`Stopper “indexer”: …`;
   * an unnamed stopper is named by its address), and the leak checks of
   * gasync_leaks_check() list the stopper under it.
   *
   * Since: 0.1
   */
  properties[PROP_NAME] =
    g_param_spec_string ("name", "Name",
                         "The name of the stopper, for logs and leak checks",
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
                         G_PARAM_EXPLICIT_NOTIFY);

  gasync_property_install (object_class, property_access, properties,
                           N_PROPS);

  /**
   * GasyncStopper::quiescing:
   * @self: the #GasyncStopper
   *
   * Emitted on the owner context when quiescing has begun: new tasks are
   * refused from then on. The quiesce cancellable has fired already.
   *
   * Since: 0.1
   */
  signals[SIGNAL_QUIESCING] =
    g_signal_new ("quiescing", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * GasyncStopper::stopping:
   * @self: the #GasyncStopper
   *
   * Emitted on the owner context when every task has returned and the
   * workers are told to stop: the stop cancellable has fired already.
   *
   * Since: 0.1
   */
  signals[SIGNAL_STOPPING] =
    g_signal_new ("stopping", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * GasyncStopper::stopped:
   * @self: the #GasyncStopper
   *
   * Emitted on the owner context when the stopper has stopped: every
   * worker has returned and every closer has run.
   * gasync_stopper_is_stopped() returns %TRUE already.
   *
   * Since: 0.1
   */
  signals[SIGNAL_STOPPED] =
    g_signal_new ("stopped", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * GasyncStopper::task-failed:
   * @self: the #GasyncStopper
   * @name: the name of the task or worker
   * @error: what it failed with
   *
   * Emitted on the owner context when an asynchronous task or a worker
   * failed: its function returned %FALSE (without an error, it is
   * reported as %GASYNC_ERROR_FAILED naming the task). A task that was
   * cancelled (%G_IO_ERROR_CANCELLED, or %FALSE without an error after
   * its cancellable fired) did not fail and is not reported. With no
   * handler connected, the failure is logged as a warning instead. It is
   * emitted before the closers run.
   *
   * Since: 0.1
   */
  signals[SIGNAL_TASK_FAILED] =
    g_signal_new ("task-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE,
                  G_TYPE_ERROR | G_SIGNAL_TYPE_STATIC_SCOPE);

  gasync_type_class_publish (klass);
}

static void
gasync_stopper_init (GasyncStopper *self)
{
  gasync_type_class_acquire (self);

  gasync_lock_init (&self->lock);
  gasync_cond_init (&self->cond);
  self->context = g_main_context_ref_thread_default ();
  self->owner_thread = g_thread_self ();
  self->stuck_log_interval = DEFAULT_STUCK_LOG_INTERVAL;
  gasync_cancel_tree_init (&self->quiesce);
  gasync_cancel_tree_init (&self->stop);
  gasync_task_gate_init (&self->gate, G_OBJECT (self), &self->lock,
                         self->context, &gate_hooks,
                         signals[SIGNAL_TASK_FAILED], &self->quiesce,
                         self->stop.cancellable);
  g_queue_init (&self->stop_waiters);
  g_queue_init (&self->quiesce_waiters);
  gasync_owner_job_init (&self->owner_job, self, self->context, &self->lock,
                         drain);
}

/**
 * gasync_stopper_new:
 *
 * Creates a running stopper. Its owner context, where its signals and
 * closers run, is the thread-default #GMainContext of the calling thread.
 *
 * Returns: (transfer full): a new #GasyncStopper
 *
 * Since: 0.1
 */
GasyncStopper *
gasync_stopper_new (void)
{
  return g_object_new (GASYNC_TYPE_STOPPER, NULL);
}

/**
 * gasync_stopper_get_state:
 * @self: a #GasyncStopper
 *
 * Gets the phase @self is in now. Another thread may move it on at any
 * moment; `notify::state` follows on the owner context.
 *
 * Threading: may be called from any thread.
 *
 * Returns: the current #GasyncStopperState
 *
 * Since: 0.1
 */
GasyncStopperState
gasync_stopper_get_state (GasyncStopper *self)
{
  GasyncStopperState state;

  g_return_val_if_fail (GASYNC_IS_STOPPER (self), GASYNC_STOPPER_STATE_RUNNING);

  gasync_lock (&self->lock);
  state = self->state;
  gasync_unlock (&self->lock);
  return state;
}

/**
 * gasync_stopper_is_stopped:
 * @self: a #GasyncStopper
 *
 * Tells whether @self has stopped: its workers have returned and its
 * closers have run.
 *
 * Threading: may be called from any thread.
 *
 * Returns: %TRUE once the state is %GASYNC_STOPPER_STATE_STOPPED
 *
 * Since: 0.1
 */
gboolean
gasync_stopper_is_stopped (GasyncStopper *self)
{
  g_return_val_if_fail (GASYNC_IS_STOPPER (self), FALSE);

  return gasync_stopper_get_state (self) == GASYNC_STOPPER_STATE_STOPPED;
}

/**
 * gasync_stopper_get_stuck_log_interval:
 * @self: a #GasyncStopper
 *
 * Gets #GasyncStopper:stuck-log-interval.
 *
 * Returns: the interval in microseconds, or 0 if the log is off
 *
 * Since: 0.1
 */
GTimeSpan
gasync_stopper_get_stuck_log_interval (GasyncStopper *self)
{
  g_return_val_if_fail (GASYNC_IS_STOPPER (self), 0);

  return gasync_read_timespan (&self->lock, &self->stuck_log_interval);
}

/**
 * gasync_stopper_set_stuck_log_interval:
 * @self: a #GasyncStopper
 * @interval: how long quiescing may last before the running tasks are
 *   logged, in microseconds, not negative; 0 turns the log off
 *
 * Sets #GasyncStopper:stuck-log-interval. Call it on the owner context
 * (it notifies there) before quiescing begins.
 *
 * Since: 0.1
 */
void
gasync_stopper_set_stuck_log_interval (GasyncStopper *self,
                                       GTimeSpan      interval)
{
  g_return_if_fail (GASYNC_IS_STOPPER (self));
  g_return_if_fail (interval >= 0);

  if (gasync_replace_timespan (&self->lock, &self->stuck_log_interval,
                               interval))
    g_object_notify_by_pspec (G_OBJECT (self),
                              properties[PROP_STUCK_LOG_INTERVAL]);
}

/**
 * gasync_stopper_get_track_details:
 * @self: a #GasyncStopper
 *
 * Gets #GasyncStopper:track-details.
 *
 * Returns: whether every running task is recorded with its age
 *
 * Since: 0.1
 */
gboolean
gasync_stopper_get_track_details (GasyncStopper *self)
{
  g_return_val_if_fail (GASYNC_IS_STOPPER (self), FALSE);

  return gasync_registry_get_track_details (&self->gate.registry);
}

/**
 * gasync_stopper_get_name:
 * @self: a #GasyncStopper
 *
 * Gets #GasyncStopper:name.
 *
 * Threading: the string belongs to @self and stays valid until the name
 * is changed; read it on the thread that sets it.
 *
 * Returns: (nullable): the name, or %NULL if @self has none
 *
 * Since: 0.1
 */
const char *
gasync_stopper_get_name (GasyncStopper *self)
{
  g_return_val_if_fail (GASYNC_IS_STOPPER (self), NULL);

  return self->name;
}

/**
 * gasync_stopper_set_name:
 * @self: a #GasyncStopper
 * @name: (nullable): the new name, or %NULL for none
 *
 * Sets #GasyncStopper:name, which the log lines of @self begin with. Set
 * it on the owner context (it notifies there), preferably before the
 * first task: the leak checks keep the name the stopper had then.
 *
 * Since: 0.1
 */
void
gasync_stopper_set_name (GasyncStopper *self,
                         const char    *name)
{
  g_return_if_fail (GASYNC_IS_STOPPER (self));

  if (gasync_replace_string (&self->lock, &self->name, name))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
}

/**
 * gasync_stopper_get_quiesce_cancellable:
 * @self: a #GasyncStopper
 *
 * Gets the cancellable that fires when @self begins quiescing (Go's
 * `ShouldQuiesce()`). Task functions receive it.
 *
 * Returns: (transfer none): the quiesce cancellable
 *
 * Since: 0.1
 */
GCancellable *
gasync_stopper_get_quiesce_cancellable (GasyncStopper *self)
{
  g_return_val_if_fail (GASYNC_IS_STOPPER (self), NULL);

  return self->quiesce.cancellable;
}

/**
 * gasync_stopper_get_stop_cancellable:
 * @self: a #GasyncStopper
 *
 * Gets the cancellable that fires when @self begins stopping, after
 * every task has returned (Go's `ShouldStop()`). Workers receive it.
 *
 * Returns: (transfer none): the stop cancellable
 *
 * Since: 0.1
 */
GCancellable *
gasync_stopper_get_stop_cancellable (GasyncStopper *self)
{
  g_return_val_if_fail (GASYNC_IS_STOPPER (self), NULL);

  return self->stop.cancellable;
}

/**
 * gasync_stopper_new_cancellable_on_quiesce:
 * @self: a #GasyncStopper
 * @parent: (nullable): a #GCancellable whose cancellation the new one
 *   follows
 *
 * Creates a cancellable that is cancelled when @self begins quiescing or
 * when @parent is cancelled, whichever comes first (Go's
 * `WithCancelOnQuiesce()`). It is cancelled already if that happened.
 * Dropping it releases it: the stopper does not keep it alive, and its
 * handler on @parent is disconnected, so that any number of children can
 * come and go. While it lives, it holds a reference to @parent.
 *
 * Threading: may be called from any thread. The cancellation happens on
 * the owner context when @self begins quiescing, or in the thread that
 * cancels @parent.
 *
 * Returns: (transfer full): a new #GCancellable
 *
 * Since: 0.1
 */
GCancellable *
gasync_stopper_new_cancellable_on_quiesce (GasyncStopper *self,
                                           GCancellable  *parent)
{
  g_return_val_if_fail (GASYNC_IS_STOPPER (self), NULL);
  g_return_val_if_fail (parent == NULL || G_IS_CANCELLABLE (parent), NULL);

  return gasync_cancel_tree_new_child (&self->quiesce, parent);
}

/**
 * gasync_stopper_new_cancellable_on_stop:
 * @self: a #GasyncStopper
 * @parent: (nullable): a #GCancellable whose cancellation the new one
 *   follows
 *
 * Creates a cancellable that is cancelled when @self begins stopping
 * (after quiescing) or when @parent is cancelled, whichever comes first
 * (Go's `WithCancelOnStop()`). See
 * gasync_stopper_new_cancellable_on_quiesce().
 *
 * Returns: (transfer full): a new #GCancellable
 *
 * Since: 0.1
 */
GCancellable *
gasync_stopper_new_cancellable_on_stop (GasyncStopper *self,
                                        GCancellable  *parent)
{
  g_return_val_if_fail (GASYNC_IS_STOPPER (self), NULL);
  g_return_val_if_fail (parent == NULL || G_IS_CANCELLABLE (parent), NULL);

  return gasync_cancel_tree_new_child (&self->stop, parent);
}

/**
 * gasync_stopper_run_task:
 * @self: a #GasyncStopper
 * @name: the name the task is counted under, such as
 *   "server: handle request"
 * @func: (scope call): the task function, given the quiesce cancellable
 * @user_data: data for @func
 * @error: return location for a #GError
 *
 * Runs @func in the calling thread, counted as a running task under
 * @name, and returns its result. Once @self is quiescing, @func is not
 * called and %GASYNC_ERROR_UNAVAILABLE is returned. A @func that returns
 * %FALSE without an error gives %GASYNC_ERROR_FAILED naming the task.
 *
 * Threading: may be called from any thread.
 *
 * Blocking: for as long as @func runs, in the calling thread.
 *
 * Returns: %TRUE if @func ran and succeeded
 *
 * Since: 0.1
 */
gboolean
gasync_stopper_run_task (GasyncStopper   *self,
                         const char      *name,
                         GasyncTaskFunc   func,
                         gpointer         user_data,
                         GError         **error)
{
  GasyncRegistryEntry entry;
  gboolean ok;

  g_return_val_if_fail (GASYNC_IS_STOPPER (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (func != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!gasync_task_gate_begin (&self->gate, name, "task", &entry, error))
    return FALSE;

  ok = gasync_registry_call (&self->gate.registry, func, name,
                             self->quiesce.cancellable, user_data, error);

  gasync_task_gate_end (&self->gate, &entry);
  return ok;
}

/**
 * gasync_stopper_run_async_task:
 * @self: a #GasyncStopper
 * @name: the name the task is counted under
 * @func: (scope notified): the task function, given the quiesce
 *   cancellable
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data
 * @error: return location for a #GError
 *
 * Runs @func on the library's shared thread pool, counted as a running
 * task under @name until it returns, and returns at once. Once @self is
 * quiescing, @func is not called and %GASYNC_ERROR_UNAVAILABLE is
 * returned. If @func fails, #GasyncStopper::task-failed is emitted.
 * @destroy is called exactly once, on the owner context, whether @func ran
 * or not, and before the closers if it ran or was refused before they
 * began.
 *
 * Threading: may be called from any thread.
 *
 * Returns: %TRUE if @func was started
 *
 * Since: 0.1
 */
gboolean
gasync_stopper_run_async_task (GasyncStopper   *self,
                               const char      *name,
                               GasyncTaskFunc   func,
                               gpointer         user_data,
                               GDestroyNotify   destroy,
                               GError         **error)
{
  g_return_val_if_fail (GASYNC_IS_STOPPER (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (func != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return gasync_task_gate_start (&self->gate, name, "async task", NULL, func,
                                 user_data, destroy, error);
}

/**
 * gasync_stopper_submit:
 * @self: a #GasyncStopper
 * @name: the name the task is counted under
 * @func: (scope notified) (closure user_data) (destroy destroy): the value
 *   task function, given the quiesce cancellable
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data
 *
 * Runs @func on the library's shared thread pool like
 * gasync_stopper_run_async_task(), and returns the future of its outcome:
 * resolved with the value @func gave its result future (without a value if
 * it gave none), or rejected with its error (see gasync_future_run_value_in_thread()). Once
 * @self is quiescing, @func is not called and the future is rejected with
 * %GASYNC_ERROR_UNAVAILABLE. The outcome goes back through the future
 * only: a failure of @func does not emit #GasyncStopper::task-failed.
 *
 * From Python, `stopper.submit("sum", func)` with a `func (cancellable,
 * result)` that calls `result.resolve_value(42)` and returns %TRUE; GJS
 * code cannot pass a task function (it would run on a worker thread),
 * but awaits such futures with gasync_future_await_async().
 *
 * Threading: may be called from any thread. @destroy is called exactly
 * once, on the owner context, whether @func ran or not: before a done
 * callback or an await on that context sees the outcome, and before the
 * closers if @func ran or was refused before they began. The future
 * settles on the worker thread once @func has returned (at once, in the
 * calling thread, when refused).
 *
 * Returns: (transfer full): the future of @func
 *
 * Since: 0.1
 */
GasyncFuture *
gasync_stopper_submit (GasyncStopper   *self,
                       const char      *name,
                       GasyncValueFunc  func,
                       gpointer         user_data,
                       GDestroyNotify   destroy)
{
  g_autoptr(GError) error = NULL;
  GasyncValueCall *call;
  GasyncFuture *future;

  g_return_val_if_fail (GASYNC_IS_STOPPER (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (func != NULL, NULL);

  call = gasync_value_call_new (name, func, user_data, destroy, self->context,
                                &future);
  if (!gasync_task_gate_start (&self->gate, name, "submitted task", NULL,
                               gasync_value_call_run, call,
                               gasync_value_call_free, &error))
    gasync_future_reject (future, error);
  return future;
}

/**
 * gasync_stopper_run_limited_async_task:
 * @self: a #GasyncStopper
 * @name: the name the task is counted under
 * @semaphore: limits how many such tasks run at once: the task holds one
 *   of its slots while it runs
 * @wait: whether to wait for a free slot
 * @cancellable: (nullable): stops the wait for a slot
 * @func: (scope notified): the task function, given the quiesce
 *   cancellable
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data
 * @error: return location for a #GError
 *
 * Like gasync_stopper_run_async_task(), but takes a slot of @semaphore
 * first, and gives it back when @func returns. When no slot is free and
 * @wait is %FALSE, fails at once with %GASYNC_ERROR_THROTTLED. When @wait
 * is %TRUE, blocks until a slot is free, or fails with
 * %G_IO_ERROR_CANCELLED when @cancellable fires first, or with
 * %GASYNC_ERROR_UNAVAILABLE when @self begins quiescing first.
 *
 * @cancellable is honoured as CockroachDB's RunAsyncTaskEx honours its
 * context: if it has fired already, the task is refused with
 * %G_IO_ERROR_CANCELLED, whether or not a slot is free; and if it fired
 * by the time a slot was acquired, the slot is given back and the task
 * refused the same way. In every failure, @func is not called and
 * @destroy is.
 *
 * Threading: may be called from any thread; with @wait, it may block that
 * thread.
 *
 * Blocking: with @wait, until a slot is free, @cancellable fires or @self
 * quiesces; it iterates no main loop.
 * gasync_stopper_run_limited_task_async() is its twin that does not block.
 *
 * Returns: %TRUE if @func was started
 *
 * Since: 0.1
 */
gboolean
gasync_stopper_run_limited_async_task (GasyncStopper    *self,
                                       const char       *name,
                                       GasyncSemaphore  *semaphore,
                                       gboolean          wait,
                                       GCancellable     *cancellable,
                                       GasyncTaskFunc    func,
                                       gpointer          user_data,
                                       GDestroyNotify    destroy,
                                       GError          **error)
{
  g_return_val_if_fail (GASYNC_IS_STOPPER (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (GASYNC_IS_SEMAPHORE (semaphore), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return gasync_task_gate_start_limited (&self->gate, semaphore, wait,
                                         cancellable, name, func, user_data,
                                         destroy, error);
}

/**
 * gasync_stopper_run_worker:
 * @self: a #GasyncStopper
 * @name: the name of the worker, also its thread's name
 * @func: (scope notified): the worker function, given the stop
 *   cancellable
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data
 * @error: return location for a #GError
 *
 * Runs @func, a long-running function, on a thread of its own. Its
 * cancellable fires when @self begins stopping, that is after quiescing
 * and after every task has returned, not before; it should return soon
 * after. @self then waits for it before the closers run. Workers may be
 * started while quiescing (a task may start one); once @self is stopping,
 * @func is not called and %GASYNC_ERROR_UNAVAILABLE is returned. If @func
 * fails, #GasyncStopper::task-failed is emitted. @destroy is called
 * exactly once, on the owner context, before the closers if the worker ran.
 *
 * Threading: may be called from any thread.
 *
 * Returns: %TRUE if the worker was started
 *
 * Since: 0.1
 */
gboolean
gasync_stopper_run_worker (GasyncStopper   *self,
                           const char      *name,
                           GasyncTaskFunc   func,
                           gpointer         user_data,
                           GDestroyNotify   destroy,
                           GError         **error)
{
  g_return_val_if_fail (GASYNC_IS_STOPPER (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (func != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return gasync_task_gate_start (&self->gate, name, NULL, NULL, func,
                                 user_data, destroy, error);
}

/**
 * gasync_stopper_begin_task:
 * @self: a #GasyncStopper
 * @name: the name the task is counted under
 * @error: return location for a #GError
 *
 * Counts asynchronous work done on a main loop, such as a chain of GIO
 * calls or a JavaScript promise, as a running task under @name, until
 * gasync_task_token_end() is called on the returned token. Quiescing waits
 * for it like for any task. Once @self is quiescing, no token is given and
 * %GASYNC_ERROR_UNAVAILABLE is returned.
 *
 * A token dropped without gasync_task_token_end() ends itself, with a
 * warning. Do not wait for a stop with the blocking gasync_stopper_stop()
 * in the thread that must end a token, unless a callback on the owner
 * context ends it (that stop runs the owner context): use
 * gasync_stopper_stop_async().
 *
 * Threading: may be called from any thread.
 *
 * Returns: (transfer full): a token to end when the work is done, or
 *   %NULL with @error set
 *
 * Since: 0.1
 */
GasyncTaskToken *
gasync_stopper_begin_task (GasyncStopper  *self,
                           const char     *name,
                           GError        **error)
{
  g_return_val_if_fail (GASYNC_IS_STOPPER (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return gasync_task_gate_begin_token (&self->gate, name, error);
}

/**
 * gasync_stopper_add_closer:
 * @self: a #GasyncStopper
 * @func: (scope notified): called once @self has stopped
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data after @func ran
 *
 * Adds a closer: @func runs on the owner context after every worker has
 * returned and before #GasyncStopper::stopped. Closers run in the reverse
 * order of their adding (newest first, like Go's `defer`): a closer added
 * later may use what an earlier one closes. A closer added once @self has
 * stopped runs at once (on the owner context). A closer of a stopper that
 * is finalized without being stopped never runs; its @destroy is called.
 *
 * Threading: may be called from any thread.
 *
 * Since: 0.1
 */
void
gasync_stopper_add_closer (GasyncStopper          *self,
                           GasyncStopperCloseFunc  func,
                           gpointer                user_data,
                           GDestroyNotify          destroy)
{
  gboolean stopped;
  gboolean track = FALSE;

  g_return_if_fail (GASYNC_IS_STOPPER (self));
  g_return_if_fail (func != NULL);

  gasync_lock (&self->lock);
  stopped = self->state == GASYNC_STOPPER_STATE_STOPPED;
  if (!stopped)
    {
      gasync_closers_add_locked (&self->closers, func, user_data, destroy);
      track = gasync_leak_watch_begin_locked (&self->gate.leak);
    }
  gasync_unlock (&self->lock);

  if (track)
    gasync_leak_watch_track (&self->gate.leak, self, &self->lock);
  if (stopped)
    gasync_closers_run_late (self->context, self->owner_thread, func,
                             user_data, destroy);
}

/**
 * gasync_stopper_dup_running_tasks:
 * @self: a #GasyncStopper
 *
 * Gets how many tasks run under each name, exactly, at this moment (Go's
 * `RunningTasks()`). Tokens of gasync_stopper_begin_task() count as tasks;
 * workers do not (gasync_stopper_dump() lists them).
 *
 * Threading: may be called from any thread.
 *
 * Returns: (transfer full) (element-type utf8 guint): a new table from
 *   task name to its count of running tasks (always at least 1)
 *
 * Since: 0.1
 */
GHashTable *
gasync_stopper_dup_running_tasks (GasyncStopper *self)
{
  g_return_val_if_fail (GASYNC_IS_STOPPER (self), NULL);

  return gasync_registry_dup_counts (&self->gate.registry);
}

/**
 * gasync_stopper_get_n_tasks:
 * @self: a #GasyncStopper
 *
 * Gets how many tasks run now, tokens included (Go's `NumTasks()`).
 *
 * Threading: may be called from any thread.
 *
 * Returns: the number of running tasks
 *
 * Since: 0.1
 */
guint
gasync_stopper_get_n_tasks (GasyncStopper *self)
{
  g_return_val_if_fail (GASYNC_IS_STOPPER (self), 0);

  return gasync_registry_n_tasks (&self->gate.registry);
}

/**
 * gasync_stopper_dump:
 * @self: a #GasyncStopper
 *
 * Describes what @self runs now, for debugging a shutdown that does not
 * end: the number of tasks, the count per name sorted by name, the same
 * for workers, and with #GasyncStopper:track-details every task with its
 * kind and age. The stopper logs this text when quiescing lasts longer
 * than #GasyncStopper:stuck-log-interval.
 *
 * Threading: may be called from any thread.
 *
 * Returns: (transfer full): a human-readable, multi-line text
 *
 * Since: 0.1
 */
char *
gasync_stopper_dump (GasyncStopper *self)
{
  g_return_val_if_fail (GASYNC_IS_STOPPER (self), NULL);

  return gasync_registry_dump (&self->gate.registry);
}

/**
 * gasync_stopper_quiesce:
 * @self: a #GasyncStopper
 *
 * Begins quiescing, if it has not begun, and waits until every running
 * task has returned (Go's `Quiesce()`). New tasks are refused from then
 * on; workers are not stopped. Called from code this stopper runs (a task,
 * a worker, a closer, a signal handler), it begins quiescing and returns
 * at once instead of waiting for itself. It runs the owner context while
 * it waits, when it can, as gasync_stopper_stop() does.
 *
 * Threading: may be called from any thread; it blocks that thread.
 *
 * Blocking: yes, until every running task has returned; it iterates the
 * owner context meanwhile when it can acquire it, a nested main loop in
 * which GJS runs no promise job. gasync_stopper_quiesce_async() is its
 * twin that does not block.
 *
 * Since: 0.1
 */
void
gasync_stopper_quiesce (GasyncStopper *self)
{
  g_return_if_fail (GASYNC_IS_STOPPER (self));

  stop_or_quiesce (self, FALSE);
}

/**
 * gasync_stopper_stop:
 * @self: a #GasyncStopper
 *
 * Stops @self and waits until it has stopped: quiesces (no new tasks,
 * running ones return), then fires the stop cancellable and waits for the
 * workers, then runs the closers, then emits #GasyncStopper::stopped. Stop
 * is idempotent: a second call, from any thread, waits for the first one.
 *
 * Called from code this stopper runs (a task, a worker, a closer, a
 * signal handler), it begins the shutdown and returns at once: waiting
 * there would deadlock, since the shutdown waits for that code to return.
 * The shutdown then completes once that code has returned.
 *
 * When the calling thread can acquire the owner context (it runs it, or
 * no thread holds it), the signals and closers run inside this call, in
 * this thread: it iterates the owner context while it waits, as its
 * thread-default context, as g_main_loop_run() would, so that other
 * sources of that context are dispatched too. When another thread holds
 * the owner context, this call waits for that thread to run them, and
 * logs a warning once the wait has lasted
 * #GasyncStopper:stuck-log-interval (see the description of
 * #GasyncStopper). Main-loop code that must not be re-entered, and code
 * that must end a #GasyncTaskToken other than from a callback on the owner
 * context, use gasync_stopper_stop_async() instead.
 *
 * Threading: may be called from any thread; it blocks that thread.
 *
 * Blocking: yes, until @self has stopped; it iterates the owner context
 * meanwhile when it can acquire it, a nested main loop in which GJS runs
 * no promise job. gasync_stopper_stop_async() is its twin that does not
 * block.
 *
 * Since: 0.1
 */
void
gasync_stopper_stop (GasyncStopper *self)
{
  g_return_if_fail (GASYNC_IS_STOPPER (self));

  stop_or_quiesce (self, TRUE);
}

/**
 * gasync_stopper_stop_async:
 * @self: a #GasyncStopper
 * @cancellable: (nullable): stops waiting (not the stop)
 * @callback: (scope async): called when @self has stopped
 * @user_data: data for @callback
 *
 * Stops @self like gasync_stopper_stop(), without blocking: @callback is
 * called once @self has stopped (after #GasyncStopper::stopped). Call
 * gasync_stopper_stop_finish() from it. Cancelling @cancellable only
 * stops the waiting: the stop goes on.
 *
 * Threading: may be called from any thread; @callback runs on the
 * thread-default main context of the caller.
 *
 * Blocking: no; no main loop is iterated in the meantime.
 *
 * Since: 0.1
 */
void
gasync_stopper_stop_async (GasyncStopper       *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (GASYNC_IS_STOPPER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  stop_or_quiesce_async (self, TRUE,
                         gasync_gtask_new (self, gasync_stopper_stop_async,
                                           "[gasync] gasync_stopper_stop_async",
                                           TRUE, cancellable, callback,
                                           user_data));
}

/**
 * gasync_stopper_stop_finish:
 * @self: a #GasyncStopper
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes gasync_stopper_stop_async().
 *
 * Returns: %TRUE once @self has stopped, %FALSE with
 *   %G_IO_ERROR_CANCELLED if the wait was cancelled first
 *
 * Since: 0.1
 */
gboolean
gasync_stopper_stop_finish (GasyncStopper  *self,
                            GAsyncResult   *result,
                            GError        **error)
{
  g_return_val_if_fail (GASYNC_IS_STOPPER (self), FALSE);

  return gasync_gtask_finish_boolean (self, result, gasync_stopper_stop_async,
                                      error);
}

/**
 * gasync_stopper_quiesce_async:
 * @self: a #GasyncStopper
 * @cancellable: (nullable): stops waiting (not the quiescing)
 * @callback: (scope async): called when @self has quiesced
 * @user_data: data for @callback
 *
 * Begins quiescing like gasync_stopper_quiesce(), without blocking:
 * @callback is called once every running task has returned (workers are
 * not stopped). Call gasync_stopper_quiesce_finish() from it. Cancelling
 * @cancellable only stops the waiting: the quiescing goes on. Called from
 * code this stopper runs, it does not wait for itself: @callback runs
 * once that code has returned too.
 *
 * Threading: may be called from any thread; @callback runs on the
 * thread-default main context of the caller.
 *
 * Blocking: no; no main loop is iterated in the meantime.
 *
 * Since: 0.1
 */
void
gasync_stopper_quiesce_async (GasyncStopper       *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (GASYNC_IS_STOPPER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  stop_or_quiesce_async (self, FALSE,
                         gasync_gtask_new (self, gasync_stopper_quiesce_async,
                                           "[gasync] gasync_stopper_quiesce_async",
                                           TRUE, cancellable, callback,
                                           user_data));
}

/**
 * gasync_stopper_quiesce_finish:
 * @self: a #GasyncStopper
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes gasync_stopper_quiesce_async().
 *
 * Returns: %TRUE once @self has quiesced, %FALSE with
 *   %G_IO_ERROR_CANCELLED if the wait was cancelled first
 *
 * Since: 0.1
 */
gboolean
gasync_stopper_quiesce_finish (GasyncStopper  *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  g_return_val_if_fail (GASYNC_IS_STOPPER (self), FALSE);

  return gasync_gtask_finish_boolean (self, result, gasync_stopper_quiesce_async,
                                      error);
}

/**
 * gasync_stopper_run_limited_task_async:
 * @self: a #GasyncStopper
 * @name: the name the task is counted under
 * @semaphore: the #GasyncSemaphore that limits the number of such tasks
 * @cancellable: (nullable): gives up waiting for a slot; the task is then
 *   not started
 * @func: (scope notified) (closure func_data) (destroy func_data_destroy):
 *   the task function, given the quiesce cancellable; it runs on a pool
 *   thread
 * @func_data: data for @func
 * @func_data_destroy: (nullable): frees @func_data
 * @callback: (scope async): called once @func was started or refused
 * @user_data: data for @callback
 *
 * Runs @func like gasync_stopper_run_limited_async_task() with @wait set,
 * without blocking the caller while it waits for a slot of @semaphore:
 * @callback is called once @func was started (on a pool thread; its
 * return is not waited for) or refused. Call
 * gasync_stopper_run_limited_task_finish() from it. Refusals are those of
 * gasync_stopper_run_limited_async_task(): %GASYNC_ERROR_UNAVAILABLE once
 * @self is quiescing (also while waiting), %G_IO_ERROR_CANCELLED if
 * @cancellable fires first. @func_data_destroy is called exactly once, on
 * the owner context of @self, whether @func ran or not.
 *
 * Language bindings see gasync_stopper_run_limited_task_closure_async()
 * under this name: the task is a #GClosure there.
 *
 * Threading: may be called from any thread; @callback runs on the
 * thread-default main context of the caller. @func runs on a pool thread,
 * so it cannot be a JavaScript function.
 *
 * Blocking: no; the wait for a slot happens on a thread of the library's
 * pool, and no main loop is iterated in the meantime.
 *
 * Since: 0.1
 */
void
gasync_stopper_run_limited_task_async (GasyncStopper       *self,
                                       const char          *name,
                                       GasyncSemaphore     *semaphore,
                                       GCancellable        *cancellable,
                                       GasyncTaskFunc       func,
                                       gpointer             func_data,
                                       GDestroyNotify       func_data_destroy,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (GASYNC_IS_STOPPER (self));
  g_return_if_fail (name != NULL);
  g_return_if_fail (GASYNC_IS_SEMAPHORE (semaphore));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));
  g_return_if_fail (func != NULL);

  /* The submit reports its own cancellation: a task that was started
   * before the cancellable fired was started. */
  task = gasync_gtask_new (self, gasync_stopper_run_limited_task_async,
                           "[gasync] gasync_stopper_run_limited_task_async",
                           FALSE, cancellable, callback, user_data);
  gasync_task_gate_start_limited_async (&self->gate, task, name, semaphore,
                                        func, func_data, func_data_destroy);
}

/**
 * gasync_stopper_run_limited_task_closure_async: (rename-to gasync_stopper_run_limited_task_async)
 * @self: a #GasyncStopper
 * @name: the name the task is counted under
 * @semaphore: the #GasyncSemaphore that limits the number of such tasks
 * @cancellable: (nullable): gives up waiting for a slot; the task is then
 *   not started
 * @func: the task, a closure given the quiesce cancellable that returns a
 *   #gboolean, %TRUE on success; it runs on a pool thread
 * @callback: (scope async): called once @func was started or refused
 * @user_data: data for @callback
 *
 * The same as gasync_stopper_run_limited_task_async() with the task as a
 * #GClosure, for language bindings: they pass one closure and one
 * callback with its user data (or none), rather than two functions that
 * each carry their own user data. @func receives the #GCancellable
 * (`GCancellable *cancellable, gpointer data` for a #GCClosure); a task
 * that returns %FALSE fails without a message. @func is released on the
 * owner context of @self once it cannot be called any more.
 *
 * |[<!-- language="Python" -->
 * def fetch(cancellable):
 *     download(url, cancellable)
 *     return True
 *
 * stopper.run_limited_task_async('fetch', semaphore, None, fetch,
 *                                lambda s, res: s.run_limited_task_finish(res))
 * ]|
 *
 * Threading: may be called from any thread; @callback runs on the
 * thread-default main context of the caller. @func runs on a pool
 * thread, so it cannot be a JavaScript function.
 *
 * Blocking: no, as gasync_stopper_run_limited_task_async().
 *
 * Since: 0.1
 */
void
gasync_stopper_run_limited_task_closure_async (GasyncStopper       *self,
                                               const char          *name,
                                               GasyncSemaphore     *semaphore,
                                               GCancellable        *cancellable,
                                               GClosure            *func,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data)
{
  g_return_if_fail (GASYNC_IS_STOPPER (self));
  g_return_if_fail (name != NULL);
  g_return_if_fail (GASYNC_IS_SEMAPHORE (semaphore));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));
  g_return_if_fail (func != NULL);

  gasync_stopper_run_limited_task_async (self, name, semaphore, cancellable,
                                         gasync_task_run_closure,
                                         gasync_task_run_closure_ref (func),
                                         (GDestroyNotify) g_closure_unref,
                                         callback, user_data);
}

/**
 * gasync_stopper_run_limited_task_finish:
 * @self: a #GasyncStopper
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes gasync_stopper_run_limited_task_async().
 *
 * Returns: %TRUE if the task was started; %FALSE with @error set as
 *   gasync_stopper_run_limited_async_task() sets it if it was not
 *
 * Since: 0.1
 */
gboolean
gasync_stopper_run_limited_task_finish (GasyncStopper  *self,
                                        GAsyncResult   *result,
                                        GError        **error)
{
  g_return_val_if_fail (GASYNC_IS_STOPPER (self), FALSE);

  return gasync_gtask_finish_boolean (self, result, gasync_stopper_run_limited_task_async,
                                      error);
}

/* gasync-lifecycle-private.h: the lifecycle shared by the latch, worker,
 * interval and work queue
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#pragma once

#include <glib-object.h>
#include <gio/gio.h>

#include "gasync-latch.h"
#include "gasync-property-private.h"
#include "gasync-types.h"
#include "gasync-sync-private.h"
#include "gasync-thread-hold-private.h"

G_BEGIN_DECLS

/* The states a transition may start from, as a mask for
 * gasync_lifecycle_move(). */
#define GASYNC_LIFECYCLE_FROM(s) (1u << GASYNC_LATCH_STATE_##s)
#define GASYNC_LIFECYCLE_STOPPABLE (GASYNC_LIFECYCLE_FROM (STARTED) | \
                                    GASYNC_LIFECYCLE_FROM (ACTIVE) | \
                                    GASYNC_LIFECYCLE_FROM (PAUSED))

typedef struct _GasyncLifecycleLink GasyncLifecycleLink;

/* The body of a threaded run: runs on its thread until the run should
 * end, with the run's cancellable. */
typedef void (*GasyncLifecycleRunFunc) (gpointer      object,
                                        GCancellable *cancellable);

/* The lifecycle of an object: the state machine of #GasyncLatch, whose
 * notify::state the object emits on its owner context, and for
 * GasyncWorker and GasyncInterval the runs: the background thread of a
 * threaded run or the source of a main-context one, and the cancellable
 * of a run. The lock and condition also guard the object's own fields. */
typedef struct
{
  GasyncLock lock;
  GasyncCond cond;

  /* The state machine. */
  GasyncLatchState state;
  guint64 n_started;          /* entries into STARTED from STARTING */
  guint64 n_stopped;          /* entries into STOPPED */

  /* The runs. */
  gboolean running;           /* started, the thread or source not ended */
  gboolean stop_requested;    /* set by a stop, cleared by a start */
  guint64 run;                /* counts the runs, set by a start */
  guint64 run_started;        /* the last run whose thread started */
  guint64 run_ended;          /* the last run that stopped */
  guint64 thread_run;         /* the run of thread */
  GSource *source;            /* main-context mode, while running */
  GCancellable *cancellable;  /* of the current or last run */

  GasyncThreadHold thread_hold; /* the thread may still touch the object */

  GThread *thread;            /* the last one, until joined */
  GasyncLifecycleRunFunc thread_func; /* of the last spawn */
  GMainContext *owner;
  GObject *object;            /* the owner of the struct, not a reference */
  GasyncLifecycleLink *link;  /* to the object, for notifications */
  GParamSpec *state_pspec;
} GasyncLifecycle;

/* In instance_init, on the owner thread: @object emits notify for
 * @state_pspec on its owner context after each transition. A notification
 * on its way keeps @object alive if @keep_alive (as a latch's does);
 * otherwise it is dropped once @object is disposed. */
void             gasync_lifecycle_init             (GasyncLifecycle       *life,
                                                    GObject               *object,
                                                    GParamSpec            *state_pspec,
                                                    gboolean               keep_alive);
/* In dispose, once the object has asked its run to end: neither the
 * thread nor the source holds a reference, so that a running object that
 * is dropped is disposed. While the thread is still alive this takes a
 * reference for it, which it gives back on the owner context when it
 * exits, and returns TRUE: dispose then returns at once, without chaining
 * up, and runs again after that. */
gboolean         gasync_lifecycle_dispose          (GasyncLifecycle       *life);
/* In finalize. */
void             gasync_lifecycle_clear            (GasyncLifecycle       *life);

/* The state machine, from any thread. */

GasyncLatchState gasync_lifecycle_get_state        (GasyncLifecycle       *life);
/* Moves to @to if the state is one of the @from bits; else fails with
 * GASYNC_ERROR_ALREADY_STARTED (to starting), GASYNC_ERROR_NOT_STARTED
 * (to stopping) or GASYNC_ERROR_FAILED. */
gboolean         gasync_lifecycle_move             (GasyncLifecycle       *life,
                                                    guint                  from,
                                                    GasyncLatchState       to,
                                                    GError               **error);
/* Blocks until started or active, or moved from starting to started
 * since the call (GASYNC_ERROR_NOT_STARTED if it stopped first), or
 * @cancellable is cancelled. */
gboolean         gasync_lifecycle_wait_started     (GasyncLifecycle       *life,
                                                    GCancellable          *cancellable,
                                                    GError               **error);
/* Blocks until stopped, or stopped since the call, or @cancellable is
 * cancelled. */
gboolean         gasync_lifecycle_wait_stopped     (GasyncLifecycle       *life,
                                                    GCancellable          *cancellable,
                                                    GError               **error);

/* The runs. */

/* Whether this thread is the object's own (running) thread, where @call,
 * which waits for the object to stop, would wait for itself: then reports
 * it as gasync_report_self_deadlock_of() does, with @why, naming the
 * object as gasync_describe() does (@kind and *@name, read under the lock)
 * if @kind is not %NULL, and returns TRUE. */
gboolean         gasync_lifecycle_refuse_own_thread (GasyncLifecycle  *life,
                                                     const char       *kind,
                                                     char *const      *name,
                                                     const char       *call,
                                                     const char       *why,
                                                     GError          **error);
/* Moves to starting, joins the previous thread, and makes a new
 * cancellable, with running set and stop_requested cleared. */
gboolean         gasync_lifecycle_begin            (GasyncLifecycle       *life,
                                                    GError               **error);
/* How an object runs, for gasync_lifecycle_launch(): a source on the
 * owner context, or a thread. The names are static strings. And how it
 * stops, for gasync_lifecycle_stop() and gasync_lifecycle_stop_async():
 * - request_stop (@object, ...) asks the run to end without waiting,
 *   as gasync_lifecycle_request_stop() does (which it calls);
 * - after_stop (@object), called once a request succeeded, ends what
 *   can be ended in the caller, and returns TRUE if the run is over
 *   (nothing is left to wait for). */
typedef struct
{
  const char *source_name;
  GSourceFunc source_func;
  const char *thread_name;
  GasyncLifecycleRunFunc thread_func;
  gboolean (*request_stop) (gpointer   object,
                            guint64   *run,
                            GError   **error);
  gboolean (*after_stop) (gpointer object);
} GasyncLifecycleRunner;

/* After gasync_lifecycle_begin(), starts the run:
 * - with @main_context, attaches the running source, which calls
 *   @runner's source_func (@object) from @ready_time on (see
 *   g_source_set_ready_time()) while the object is alive, and moves to
 *   started. The source resets its ready time to -1 before each dispatch.
 * - else runs @runner's thread_func (@object, without a reference: see
 *   gasync_lifecycle_dispose()) on a new thread, between moving to started
 *   and finishing, and waits until the thread has moved to started, even
 *   if it has stopped again since (not gasync_lifecycle_wait_started(),
 *   which would miss that). */
gboolean         gasync_lifecycle_launch           (GasyncLifecycle             *life,
                                                    const GasyncLifecycleRunner *runner,
                                                    gboolean                     main_context,
                                                    gint64                       ready_time,
                                                    GError                     **error);
/* Calls @func as gasync_task_func_call() does, naming it @task_name, and
 * emits the object's @error_signal (which carries the GError alone) on
 * the owner context if it failed; a call that was cancelled did not fail
 * (the contract) and is not reported. Returns FALSE if it failed. */
gboolean         gasync_lifecycle_call             (GasyncLifecycle       *life,
                                                    GasyncTaskFunc         func,
                                                    const char            *task_name,
                                                    GCancellable          *cancellable,
                                                    gpointer               user_data,
                                                    guint                  error_signal);
/* Moves to stopping and sets stop_requested, waking the thread; *@run is
 * the run stopped, for gasync_lifecycle_wait_run(). */
gboolean         gasync_lifecycle_request_stop     (GasyncLifecycle       *life,
                                                    guint64               *run,
                                                    GError               **error);
/* Waits until @run has stopped (even if another run has begun since) or
 * @cancellable is cancelled; once stopped, also joins its thread (which
 * has given its reference back to the owner context then), unless the next
 * start did. */
gboolean         gasync_lifecycle_wait_run         (GasyncLifecycle       *life,
                                                    guint64                run,
                                                    GCancellable          *cancellable,
                                                    GError               **error);
/* The async forms of the waits above: each takes @task (a reference, its
 * source object keeping @life alive) and returns it on its context, with
 * TRUE or the wait's error, without blocking the caller (the wait happens
 * on a pool thread). */
void             gasync_lifecycle_wait_started_async (GasyncLifecycle *life,
                                                      GTask           *task);
void             gasync_lifecycle_wait_stopped_async (GasyncLifecycle *life,
                                                      GTask           *task);
void             gasync_lifecycle_wait_run_async   (GasyncLifecycle       *life,
                                                    guint64                run,
                                                    GTask                 *task);
/* The body of a stop: requests it with @runner, ends what can end in the
 * caller, then waits for the run as gasync_lifecycle_wait_run() does. */
gboolean         gasync_lifecycle_stop             (GasyncLifecycle             *life,
                                                    const GasyncLifecycleRunner *runner,
                                                    GCancellable                *cancellable,
                                                    GError                     **error);
/* The async twin: takes @task (a reference, of the object) and returns it
 * with the request's error, or TRUE once the run is over, on its context
 * (at once if the request failed or nothing is left to wait for). */
void             gasync_lifecycle_stop_async       (GasyncLifecycle             *life,
                                                    const GasyncLifecycleRunner *runner,
                                                    GTask                       *task);
/* Its second half, once @run was asked to end (by a request of the
 * object's own, such as a close): ends what can end in the caller, and
 * returns @task with TRUE once the run is over. */
void             gasync_lifecycle_end_run_async    (GasyncLifecycle             *life,
                                                    const GasyncLifecycleRunner *runner,
                                                    guint64                      run,
                                                    GTask                       *task);
GCancellable    *gasync_lifecycle_dup_cancellable  (GasyncLifecycle       *life);
/* Main-context mode: detaches the source and finishes, once. */
void             gasync_lifecycle_end_source       (GasyncLifecycle       *life);
/* Clears running and moves to stopped (through stopping, if a stop did
 * not). */
void             gasync_lifecycle_finished         (GasyncLifecycle       *life);

/* A source calling @func (@object) while @object is alive, on nothing but
 * its ready time (see gasync_lifecycle_launch()); it holds only a
 * weak reference, and a strong one while it dispatches. Not attached. */
GSource         *gasync_lifecycle_source_new       (GObject               *object,
                                                    const char            *name,
                                                    GSourceFunc            func);

/* The "state" property of the lifecycle objects. */
GParamSpec      *gasync_lifecycle_state_pspec_new  (void);
/* Last in class_init, once @properties holds the class's other
 * properties: puts the "state" property at @prop_state, installs them all
 * with the accessors of @access (gasync_property_install()), adds the
 * "error" signal (with the GError alone), in *@error_signal, and
 * publishes the class (gasync_type_class_publish()). */
void             gasync_lifecycle_class_install    (GObjectClass               *object_class,
                                                    const GasyncPropertyAccess *access,
                                                    GParamSpec                **properties,
                                                    guint                       n_props,
                                                    guint                       prop_state,
                                                    guint                      *error_signal);

G_END_DECLS

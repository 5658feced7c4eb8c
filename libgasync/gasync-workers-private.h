/* gasync-workers-private.h: helpers shared by the latch, worker, interval
 * and wait group
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#pragma once

#include <glib-object.h>
#include <gio/gio.h>

#include "gasync-latch.h"
#include "gasync-sync-private.h"

G_BEGIN_DECLS

typedef gboolean (*GasyncWorkersPredicate) (gpointer data);

/* Takes @lock and waits on @cond until @done (@data) holds (TRUE) or
 * @cancellable is cancelled (FALSE with G_IO_ERROR_CANCELLED). @done is
 * called with the lock held; whoever makes it true broadcasts @cond. */
gboolean gasync_workers_wait         (GasyncLock              *lock,
                                      GasyncCond              *cond,
                                      GCancellable            *cancellable,
                                      GasyncWorkersPredicate   done,
                                      gpointer                 data,
                                      GError                 **error);

/* The lifecycle that GasyncWorker and GasyncInterval share: a latch whose
 * notify::state the object mirrors, the owner context, the background
 * thread of a threaded run, and the cancellable of a run. The lock and
 * condition also guard the object's own fields. */
typedef struct
{
  GasyncLock lock;
  GasyncCond cond;
  gboolean running;           /* started, the thread or source not ended */
  gboolean stop_requested;    /* set by a stop, cleared by a start */
  guint64 run;                /* counts the runs, set by a start */
  guint64 run_started;        /* the last run whose thread started */
  guint64 run_ended;          /* the last run that stopped */
  guint64 thread_run;         /* the run of thread */
  GSource *source;            /* main-context mode, while running */
  GCancellable *cancellable;  /* of the current or last run */

  gboolean thread_alive;      /* the thread may still touch the object */
  gboolean kept_alive;        /* dispose took a reference for the thread */

  GasyncLatch *latch;
  GThread *thread;            /* the last one, until joined */
  GMainContext *owner;
  GObject *object;            /* the owner of the struct, not a reference */
  GParamSpec *state_pspec;
} GasyncWorkersLife;

/* In instance_init, on the owner thread: notify::state of the latch is
 * re-emitted on @object as @state_pspec. */
void      gasync_workers_life_init         (GasyncWorkersLife  *life,
                                            GObject            *object,
                                            GParamSpec         *state_pspec);
/* In dispose, once the object has asked its run to end: neither the
 * thread nor the source holds a reference, so that a running object that
 * is dropped is disposed. While the thread is still alive this takes a
 * reference for it, which it gives back on the owner context when it
 * exits, and returns TRUE: dispose then returns at once, without chaining
 * up, and runs again after that. */
gboolean  gasync_workers_life_dispose      (GasyncWorkersLife  *life);
void      gasync_workers_life_clear        (GasyncWorkersLife  *life);
/* Whether this thread is the object's own (running) thread, which must not
 * wait for the object to stop. */
gboolean  gasync_workers_life_is_own_thread (GasyncWorkersLife *life);
/* Main-context mode: the running source, calling @func (@object) while
 * the object is alive; it holds only a weak reference. Not attached. */
GSource  *gasync_workers_life_source_new   (GasyncWorkersLife  *life,
                                            const char         *name,
                                            GSourceFunc         func);

/* Moves the latch to starting, joins the previous thread, and makes a new
 * cancellable, with running set and stop_requested cleared. */
gboolean  gasync_workers_life_begin        (GasyncWorkersLife  *life,
                                            GError            **error);
/* Runs @func (@object, without a reference: see
 * gasync_workers_life_dispose()) on a new thread, and waits until it has
 * called gasync_workers_life_thread_started(), even if it has stopped
 * again since (not gasync_latch_wait_started(), which would miss that). */
void      gasync_workers_life_spawn        (GasyncWorkersLife  *life,
                                            const char         *name,
                                            GThreadFunc         func);
/* Waits until @run has stopped (even if another run has begun since) or
 * @cancellable is cancelled; once stopped, also joins its thread (which
 * has given its reference back to the owner context then), unless the next
 * start did. */
gboolean  gasync_workers_life_wait_stopped (GasyncWorkersLife  *life,
                                            guint64             run,
                                            GCancellable       *cancellable,
                                            GError            **error);
/* Moves the latch to stopping and sets stop_requested, waking the thread;
 * *@run is the run stopped, for gasync_workers_life_wait_stopped(). */
gboolean  gasync_workers_life_request_stop (GasyncWorkersLife  *life,
                                            guint64            *run,
                                            GError            **error);
GCancellable *gasync_workers_life_dup_cancellable (GasyncWorkersLife *life);
/* Main-context mode: detaches the source and finishes, once. */
void      gasync_workers_life_end_source   (GasyncWorkersLife  *life);
/* Clears running and moves the latch to stopped (through stopping, if a
 * stop did not). */
void      gasync_workers_life_finished     (GasyncWorkersLife  *life);
/* The first act of a thread: moves the latch to started. */
void      gasync_workers_life_thread_started (GasyncWorkersLife *life);
/* The last act of a thread: finished, then the thread lets go of the
 * object (and gives back the reference dispose took, if it did). */
void      gasync_workers_life_thread_exit  (GasyncWorkersLife  *life);

/* The "state" property and the "error" signal of the lifecycle objects. */
GParamSpec *gasync_workers_state_pspec_new (void);
guint     gasync_workers_error_signal_new  (GType               type);

G_END_DECLS

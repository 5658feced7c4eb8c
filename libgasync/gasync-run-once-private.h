/* gasync-run-once-private.h: the run-once lifecycle of runners and groups
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 *
 * A GasyncRunner and a GasyncGroupRunner both run once, blocking or as a
 * GIO async pair, from any thread, with a caller's cancellable that
 * interrupts them; the run itself lives on the owner context. GasyncRunOnce
 * is that shared part, embedded in both instance structs.
 */

#pragma once

#include <gio/gio.h>

#include "gasync-sync-private.h"

G_BEGIN_DECLS

typedef void (*GasyncOwnerFunc) (gpointer object);

typedef struct
{
  GasyncLock lock;
  GasyncCond cond;
  gboolean started;             /* lock */
  gboolean done;                /* lock */

  /* Set at init, constant. */
  GMainContext *context;        /* the owner context */
  GObject *object;              /* the embedding object, not a reference */
  GasyncOwnerFunc interrupt;

  /* Set by begin, then owned by the owner context. */
  GTask *task;
  GCancellable *cancellable;
  gulong cancelled_id;
} GasyncRunOnce;

/* Takes the caller's thread-default context as the owner context.
 * @interrupt (@object) is called on it when the caller's cancellable is
 * cancelled. */
void      gasync_run_once_init        (GasyncRunOnce        *self,
                                       GObject              *object,
                                       GasyncOwnerFunc       interrupt);
void      gasync_run_once_clear       (GasyncRunOnce        *self);

/* For _async: a task that reports the run's result even when @cancellable
 * was cancelled (cancelling interrupts, it does not abort). */
GTask    *gasync_run_once_new_task    (gpointer              object,
                                       GCancellable         *cancellable,
                                       GAsyncReadyCallback   callback,
                                       gpointer              user_data,
                                       gpointer              source_tag,
                                       const char           *name);

/* Returns FALSE if the run was started already. Otherwise keeps
 * @cancellable and @task (both nullable) and runs @launch (@object) on the
 * owner context, where it calls gasync_run_once_watch_cancellable().
 * The run counts as started for the leak checks, under @name, until
 * gasync_run_once_done(). */
gboolean  gasync_run_once_begin       (GasyncRunOnce        *self,
                                       GObject              *object,
                                       const char           *name,
                                       GCancellable         *cancellable,
                                       GTask                *task,
                                       GasyncOwnerFunc       launch);

/* On the owner context: interrupts once the caller's cancellable is
 * cancelled (at once if it is already), until the run is done. */
void      gasync_run_once_watch_cancellable (GasyncRunOnce  *self);

/* On the owner context: stops watching the cancellable, wakes up the
 * blocking callers and returns the task to complete, if any. Whatever was
 * written before is visible to them once gasync_run_once_wait() returns. */
GTask    *gasync_run_once_done        (GasyncRunOnce        *self) G_GNUC_WARN_UNUSED_RESULT;

/* Waits until done, iterating the owner context meanwhile if this thread
 * can acquire it (see gasync_owner_wait()). */
void      gasync_run_once_wait        (GasyncRunOnce        *self);

/* A blocking wait for work that the owner context does: what a runner's
 * run and a stopper's stop share. */
typedef struct
{
  GMainContext *context;        /* the owner context */
  GasyncLock *lock;
  GasyncCond *cond;
  gpointer data;

  /* Called with @lock held: whether the wait is over. Whoever makes it
   * so broadcasts @cond under @lock and, unless it does so in a dispatch
   * on @context, wakes @context up (g_main_context_wakeup()). */
  gboolean (*done) (gpointer data);

  /* Optional, called with @lock held while this thread cannot acquire
   * @context: when to try again if nothing broadcasts @cond before
   * (G_MAXINT64: never). */
  gint64 (*retry_at) (gpointer data);

  /* Optional, called without the lock when a retry failed: @context is
   * still held by a thread that does not run it for us. */
  void (*still_held) (gpointer data);
} GasyncOwnerWait;

/* Waits until @wait->done holds. If this thread can acquire the owner
 * context (it runs it already, or nobody does), it runs it meanwhile, as
 * g_main_loop_run() would: it makes it its thread-default context and
 * iterates it, so that whatever is dispatched there runs in this thread.
 * It then returns TRUE with the context still acquired and pushed, for
 * the caller to finish its owner work; gasync_owner_wait_end() gives it
 * back. Otherwise it waits on the condition, trying to acquire the
 * context again at every broadcast and at @wait->retry_at, and returns
 * FALSE. */
gboolean  gasync_owner_wait           (const GasyncOwnerWait *wait);
void      gasync_owner_wait_end       (GMainContext         *context);

/* Stops watching the cancellable (dispose). */
void      gasync_run_once_disconnect  (GasyncRunOnce        *self);

/* Runs @func (@object) now if this thread owns @context, else dispatches
 * it there with a reference on @object. */
void      gasync_invoke_on_owner      (GMainContext         *context,
                                       GObject              *object,
                                       GasyncOwnerFunc       func);

/* A timeout source for @timeout microseconds (not negative), rounded up
 * to milliseconds; beyond G_MAXUINT milliseconds (49 days), to seconds,
 * and at most G_MAXUINT seconds (136 years). */
GSource  *gasync_timeout_source_new   (GTimeSpan             timeout);

/* A source on @context that calls @func after @timeout (microseconds).
 * Returns a reference, for gasync_clear_source(). */
GSource  *gasync_timeout_source_add   (GMainContext         *context,
                                       GTimeSpan             timeout,
                                       GSourceFunc           func,
                                       gpointer              data);
void      gasync_clear_source         (GSource             **source);

G_END_DECLS

/* gasync-owner-job-private.h: an object's coalesced work on its owner
 * context, and the blocking waits for it
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 *
 * An object that does its work on its owner context (signals, closers,
 * destroy notifies) from whichever thread made it due queues one call
 * there at a time: gasync_owner_job_schedule_locked() queues @func once
 * until it ran. A blocking call of the object that waits for that work
 * runs the owner context itself when it can (gasync_owner_wait()), and
 * otherwise waits for the thread that holds it, retrying to acquire it
 * while the job is queued, and logging once when that thread has not run
 * it for longer than the object's interval.
 *
 * A thread that ends the object's work may hold a reference to it that it
 * must not drop last while a blocking call waits for that very end: the
 * object would then be finalized there, while the waiting thread still
 * reads it. It hands the reference to the job instead
 * (gasync_owner_job_hand_ref_locked()): a waiting thread drops it before
 * it returns, or the job once it is done (gasync_owner_job_take_refs_locked()).
 */

#pragma once

#include <gio/gio.h>

#include "gasync-owner-private.h"
#include "gasync-sync-private.h"

G_BEGIN_DECLS

typedef struct
{
  gpointer instance;            /* the object (a #GObject) */
  GMainContext *context;        /* the owner context, not owned */
  GasyncLock *lock;             /* the object's */
  GasyncOwnerFunc func;         /* the work, given @instance */
  gboolean scheduled;           /* queued on the context; under lock */
  gint64 scheduled_at;          /* since when */
  int wait_logged;              /* 0, 1 while logging, 2 once logged */
  guint n_waiting;              /* threads in gasync_owner_job_wait() */
  guint handed_refs;            /* references to @instance to drop */
} GasyncOwnerJob;

void      gasync_owner_job_init            (GasyncOwnerJob  *self,
                                            gpointer         instance,
                                            GMainContext    *context,
                                            GasyncLock      *lock,
                                            GasyncOwnerFunc  func);
void      gasync_owner_job_schedule_locked (GasyncOwnerJob  *self);
void      gasync_owner_job_run             (GasyncOwnerJob  *self);
gboolean  gasync_owner_job_was_logged      (GasyncOwnerJob  *self);

/* Called with the lock held by a thread that holds a reference to the
 * object: hands it over if a thread waits, or if @keep, and returns
 * whether it did; if not, the caller drops it. */
static inline gboolean
gasync_owner_job_hand_ref_locked (GasyncOwnerJob *self,
                                  gboolean        keep)
{
  if (self->n_waiting == 0 && !keep)
    return FALSE;
  self->handed_refs++;
  return TRUE;
}

/* Called with the lock held: takes the references handed over, for the
 * caller to drop without the lock (g_object_unref() that many times). */
static inline guint
gasync_owner_job_take_refs_locked (GasyncOwnerJob *self)
{
  guint handed = self->handed_refs;

  self->handed_refs = 0;
  return handed;
}

typedef struct
{
  GasyncOwnerJob *job;
  GasyncCond *cond;             /* broadcast under the lock when done */
  /* Called with the lock held: whether the wait is over. */
  gboolean (*done) (gpointer data);
  gpointer data;
  /* Under the lock: after how long the wait for a held context is
   * logged (at least @min_log_after), or 0 for never. */
  const GTimeSpan *log_after;
  GTimeSpan min_log_after;
  /* Called with the lock held: the object's name for the log line. */
  char *(*describe_locked) (gpointer data);
  const char *what;             /* "a blocking stop" */
  const char *hint;             /* what runs there, and what to do */
} GasyncOwnerJobWait;

void      gasync_owner_job_wait            (const GasyncOwnerJobWait *wait);

G_END_DECLS

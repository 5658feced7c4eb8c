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
} GasyncOwnerJob;

void      gasync_owner_job_init            (GasyncOwnerJob  *self,
                                            gpointer         instance,
                                            GMainContext    *context,
                                            GasyncLock      *lock,
                                            GasyncOwnerFunc  func);
void      gasync_owner_job_schedule_locked (GasyncOwnerJob  *self);
void      gasync_owner_job_run             (GasyncOwnerJob  *self);
gboolean  gasync_owner_job_was_logged      (GasyncOwnerJob  *self);

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

gboolean  gasync_owner_job_wait            (const GasyncOwnerJobWait *wait);

G_END_DECLS

/* gasync-owner-job.c: an object's coalesced work on its owner context,
 * and the blocking waits for it
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 *
 * See gasync-owner-job-private.h.
 */

#include "config.h"

#include "gasync-owner-job-private.h"

/* While a job waits for an owner context that another thread holds, how
 * often a blocking wait tries to acquire it. */
#define OWNER_RETRY_INTERVAL (100 * G_TIME_SPAN_MILLISECOND)

void
gasync_owner_job_init (GasyncOwnerJob  *self,
                       gpointer         instance,
                       GMainContext    *context,
                       GasyncLock      *lock,
                       GasyncOwnerFunc  func)
{
  self->instance = instance;
  self->context = context;
  self->lock = lock;
  self->func = func;
  self->scheduled = FALSE;
  self->scheduled_at = 0;
  self->wait_logged = 0;
  self->n_waiting = 0;
  self->handed_refs = 0;
}

static void
job_cb (gpointer data)
{
  gasync_owner_job_run (data);
}

static void
job_unref (gpointer data)
{
  GasyncOwnerJob *self = data;

  g_object_unref (self->instance);
}

/* Called with the lock held: makes sure that the owner context will run
 * the job (the object is kept alive until then). The owner
 * thread, which runs the job itself when it waits, drains the call with
 * the rest, so that a program that does not iterate the context is left
 * with nothing queued that holds @instance. */
void
gasync_owner_job_schedule_locked (GasyncOwnerJob *self)
{
  if (self->scheduled)
    return;

  self->scheduled = TRUE;
  self->scheduled_at = g_get_monotonic_time ();
  g_object_ref (self->instance);
  gasync_owner_invoke (self->context, GASYNC_OWNER_QUEUE, job_cb, self,
                       job_unref);
}

/* Runs what waits for the owner context: the calls queued there (such as
 * destroy notifies and failure reports), then the job. Called there only,
 * without the lock. */
void
gasync_owner_job_run (GasyncOwnerJob *self)
{
  gasync_lock (self->lock);
  self->scheduled = FALSE;
  gasync_unlock (self->lock);

  gasync_owner_drain (self->context);
  self->func (self->instance);
}

/* Whether a blocking wait has logged that it waited too long for an owner
 * context that another thread holds (after the log line was written). */
gboolean
gasync_owner_job_was_logged (GasyncOwnerJob *self)
{
  gboolean logged;

  gasync_lock (self->lock);
  logged = self->wait_logged == 2;
  gasync_unlock (self->lock);
  return logged;
}

/* While the job waits for the owner context, which another thread holds,
 * tries again to acquire it every OWNER_RETRY_INTERVAL: the holder may let
 * it go without running it. */
static gint64
wait_retry_at (gpointer data)
{
  const GasyncOwnerJobWait *wait = data;

  if (!wait->job->scheduled)
    return G_MAXINT64;
  return gasync_deadline_add (g_get_monotonic_time (), OWNER_RETRY_INTERVAL);
}

static gboolean
wait_done (gpointer data)
{
  const GasyncOwnerJobWait *wait = data;

  return wait->done (wait->data);
}

/* Logs, once, a blocking wait that has waited longer than the log
 * interval for an owner context that another thread holds and does not
 * run. */
static void
wait_still_held (gpointer data)
{
  const GasyncOwnerJobWait *wait = data;
  GasyncOwnerJob *self = wait->job;
  g_autofree char *label = NULL;
  GTimeSpan waited = 0;
  gboolean log;

  gasync_lock (self->lock);
  if (self->scheduled)
    waited = g_get_monotonic_time () - self->scheduled_at;
  log = self->wait_logged == 0 && *wait->log_after > 0 && self->scheduled &&
        waited >= MAX (*wait->log_after, wait->min_log_after);
  if (log)
    {
      self->wait_logged = 1;
      label = wait->describe_locked (wait->data);
    }
  gasync_unlock (self->lock);

  if (!log)
    return;
  g_warning ("%s: %s has waited %.1f s for the owner context, which another "
             "thread holds and has not run since: %s", label, wait->what,
             (double) waited / G_TIME_SPAN_SECOND, wait->hint);

  gasync_lock (self->lock);
  self->wait_logged = 2;
  gasync_unlock (self->lock);
}

/* Waits until @wait->done holds. A thread that can acquire the owner
 * context (it runs it, or nobody does) runs it meanwhile, as
 * gasync_owner_wait() does, and before it gives the context back it runs
 * the job, so that nothing of the object is left on the context. Then it
 * drops the references handed over meanwhile (not the last ones: the
 * caller holds one). */
void
gasync_owner_job_wait (const GasyncOwnerJobWait *wait)
{
  GasyncOwnerJob *self = wait->job;
  /* Read now: the context is given back last, once the handed
   * references are dropped. */
  GMainContext *context = self->context;
  GasyncOwnerWait owner_wait = {
    context, self->lock, wait->cond, (gpointer) wait,
    wait_done, wait_retry_at, wait_still_held,
  };
  gboolean owner;
  guint handed;

  gasync_lock (self->lock);
  self->n_waiting++;
  gasync_unlock (self->lock);

  owner = gasync_owner_wait (&owner_wait);

  gasync_lock (self->lock);
  self->n_waiting--;
  handed = gasync_owner_job_take_refs_locked (self);
  gasync_unlock (self->lock);

  if (owner)
    gasync_owner_job_run (self);
  while (handed-- > 0)
    g_object_unref (self->instance);
  if (owner)
    gasync_owner_wait_end (context);
}

/* test-pool.c: the shared thread pool and owner-context dispatch
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#include "config.h"

#include "gasync-dispatch-private.h"
#include "gasync-pool-private.h"
#include "gasync-private.h"
#include "gasync-sync-private.h"
#include "gasync-test-util.h"

#define TIMEOUT_SECONDS 60

typedef struct
{
  GasyncLock lock;
  GasyncCond cond;
  guint started;
  guint finished;
  guint expected;
} Counter;

static void
counter_init (Counter *counter,
              guint    expected)
{
  gasync_lock_init (&counter->lock);
  gasync_cond_init (&counter->cond);
  counter->started = counter->finished = 0;
  counter->expected = expected;
}

static void
counter_clear (Counter *counter)
{
  gasync_cond_clear (&counter->cond);
  gasync_lock_clear (&counter->lock);
}

/* Waits, bounded, until @counter->finished reaches @counter->expected. */
static gboolean
counter_wait_finished (Counter *counter)
{
  gint64 deadline = gasync_test_deadline (TIMEOUT_SECONDS);
  gboolean done;

  gasync_lock (&counter->lock);
  while (counter->finished < counter->expected &&
         gasync_cond_wait_until (&counter->cond, &counter->lock, deadline))
    ;
  done = counter->finished == counter->expected;
  gasync_unlock (&counter->lock);
  return done;
}

static void
count_task (gpointer data)
{
  Counter *counter = data;

  gasync_lock (&counter->lock);
  if (++counter->finished == counter->expected)
    gasync_cond_broadcast (&counter->cond);
  gasync_unlock (&counter->lock);
}

static void
test_pool_runs_every_task_once (void)
{
  Counter counter;

  counter_init (&counter, 20000);
  for (guint i = 0; i < counter.expected; i++)
    gasync_pool_push (count_task, &counter);
  g_assert_true (counter_wait_finished (&counter));
  g_assert_cmpuint (counter.finished, ==, 20000);
  counter_clear (&counter);
}

/* Each task waits until all of them have started: only a pool that never
 * lets blocked tasks starve queued ones gets them all going. */
static void
barrier_task (gpointer data)
{
  Counter *counter = data;
  gint64 deadline = gasync_test_deadline (TIMEOUT_SECONDS);

  gasync_lock (&counter->lock);
  if (++counter->started == counter->expected)
    gasync_cond_broadcast (&counter->cond);
  while (counter->started < counter->expected &&
         gasync_cond_wait_until (&counter->cond, &counter->lock, deadline))
    ;
  if (counter->started == counter->expected)
    counter->finished++;
  if (counter->finished == counter->expected)
    gasync_cond_broadcast (&counter->cond);
  gasync_unlock (&counter->lock);
}

static void
test_pool_blocked_tasks_do_not_starve (void)
{
  Counter counter;

  g_test_summary ("N tasks that each wait until all N have started finish, "
                  "for N = 1000 (Go semantics)");

  counter_init (&counter, 1000);
  for (guint i = 0; i < counter.expected; i++)
    gasync_pool_push (barrier_task, &counter);
  g_assert_true (counter_wait_finished (&counter));
  g_assert_cmpuint (counter.started, ==, 1000);
  g_assert_cmpuint (gasync_pool_get_n_threads (), >=, 1000);
  counter_clear (&counter);
}

static void
test_pool_threads_are_bounded_for_tiny_tasks (void)
{
  Counter counter;

  g_test_summary ("Tiny tasks that never block run on the base threads "
                  "plus what an earlier test left, not a thread each");

  counter_init (&counter, 100000);
  for (guint i = 0; i < counter.expected; i++)
    gasync_pool_push (count_task, &counter);
  g_assert_true (counter_wait_finished (&counter));
  g_assert_cmpuint (gasync_pool_get_n_threads (), <, 100000);
  g_assert_cmpuint (gasync_pool_get_base_threads (), >=, 2);
  counter_clear (&counter);
}

typedef struct
{
  GMainContext *context;
  GThread *owner;
  gboolean ran_on_owner;
  gboolean destroyed_on_owner;
  gboolean done;
} DispatchData;

static gboolean
dispatched (gpointer data)
{
  DispatchData *d = data;

  d->ran_on_owner = g_main_context_is_owner (d->context) &&
                    g_thread_self () == d->owner;
  return G_SOURCE_CONTINUE; /* ignored: it runs once */
}

static void
dispatched_destroy (gpointer data)
{
  DispatchData *d = data;

  d->destroyed_on_owner = g_thread_self () == d->owner;
  d->done = TRUE;
  g_main_context_wakeup (d->context);
}

static void
dispatch_from_pool (gpointer data)
{
  DispatchData *d = data;

  gasync_dispatch_to_context (d->context, dispatched, d, dispatched_destroy);
}

static void
test_dispatch_runs_on_owner_context (void)
{
  DispatchData d = { 0 };
  gint64 deadline = gasync_test_deadline (TIMEOUT_SECONDS);

  d.context = g_main_context_new ();
  d.owner = g_thread_self ();
  g_main_context_push_thread_default (d.context);

  gasync_pool_push (dispatch_from_pool, &d);
  while (!d.done && g_get_monotonic_time () < deadline)
    g_main_context_iteration (d.context, TRUE);

  g_assert_true (d.done);
  g_assert_true (d.ran_on_owner);
  g_assert_true (d.destroyed_on_owner);

  g_main_context_pop_thread_default (d.context);
  g_main_context_unref (d.context);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gasync/pool/runs-every-task-once",
                   test_pool_runs_every_task_once);
  g_test_add_func ("/gasync/pool/blocked-tasks-do-not-starve",
                   test_pool_blocked_tasks_do_not_starve);
  g_test_add_func ("/gasync/pool/threads-bounded-for-tiny-tasks",
                   test_pool_threads_are_bounded_for_tiny_tasks);
  g_test_add_func ("/gasync/dispatch/runs-on-owner-context",
                   test_dispatch_runs_on_owner_context);

  return g_test_run ();
}

/* test-runner-util.h: a fake service for the runner tests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 *
 * A TestService is a run function that waits until its stop function is
 * called (unless it ignores stops), until the test lets it finish, or
 * until the test releases it, and then returns its configured error.
 */

#pragma once

#include "gasync-private.h"
#include "gasync-sync-private.h"
#include "gasync-test-util.h"

typedef struct
{
  GasyncLock lock;
  GasyncCond cond;
  gboolean ignore_stop;
  gboolean stop_requested;      /* lock */
  gboolean finish_now;          /* lock */
  gboolean released;            /* lock */
  guint runs;                   /* lock */
  guint returns;                /* lock */
  GError *error;                /* returned by every run */
  gboolean fail_silently;       /* return FALSE without an error */

  guint stop_calls;             /* owner thread only */
  GThread *stop_thread;
  GThread *run_thread;
  gboolean cancelled_at_stop;
  GCancellable *cancellable;    /* of the last run */
  guint stop_destroyed;
  guint run_destroyed;
} TestService;

static inline TestService *
test_service_new (void)
{
  TestService *svc = g_new0 (TestService, 1);

  gasync_lock_init (&svc->lock);
  gasync_cond_init (&svc->cond);
  return svc;
}

static inline void
test_service_free (TestService *svc)
{
  g_clear_error (&svc->error);
  gasync_cond_clear (&svc->cond);
  gasync_lock_clear (&svc->lock);
  g_free (svc);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestService, test_service_free)

static inline gboolean
test_service_run (GCancellable  *cancellable,
                  gpointer       user_data,
                  GError       **error)
{
  TestService *svc = user_data;
  gboolean ok;

  gasync_lock (&svc->lock);
  svc->runs++;
  svc->run_thread = g_thread_self ();
  svc->cancellable = cancellable;
  gasync_cond_broadcast (&svc->cond);
  while (!(svc->stop_requested && !svc->ignore_stop) && !svc->finish_now &&
         !svc->released)
    gasync_cond_wait (&svc->cond, &svc->lock);
  svc->finish_now = FALSE;
  svc->returns++;
  ok = svc->error == NULL && !svc->fail_silently;
  if (svc->error != NULL)
    g_set_error_literal (error, svc->error->domain, svc->error->code,
                         svc->error->message);
  gasync_cond_broadcast (&svc->cond);
  gasync_unlock (&svc->lock);
  return ok;
}

static inline void
test_service_stop (gpointer user_data)
{
  TestService *svc = user_data;

  svc->stop_calls++;
  svc->stop_thread = g_thread_self ();
  gasync_lock (&svc->lock);
  svc->cancelled_at_stop = g_cancellable_is_cancelled (svc->cancellable);
  svc->stop_requested = TRUE;
  gasync_cond_broadcast (&svc->cond);
  gasync_unlock (&svc->lock);
}

static inline void
test_service_stop_destroyed (gpointer user_data)
{
  ((TestService *) user_data)->stop_destroyed++;
}

static inline void
test_service_run_destroyed (gpointer user_data)
{
  ((TestService *) user_data)->run_destroyed++;
}

static inline GasyncRunner *
test_service_new_runner (TestService *svc,
                         const char  *id)
{
  return gasync_runner_new (id, test_service_run, svc, test_service_run_destroyed,
                            test_service_stop, svc, test_service_stop_destroyed);
}

/* Lets one run return by itself, without a stop. */
static inline void
test_service_finish (TestService *svc)
{
  gasync_lock (&svc->lock);
  svc->finish_now = TRUE;
  gasync_cond_broadcast (&svc->cond);
  gasync_unlock (&svc->lock);
}

/* Lets a run that ignores stops return, for the end of a test. */
static inline void
test_service_release (TestService *svc)
{
  gasync_lock (&svc->lock);
  svc->released = TRUE;
  gasync_cond_broadcast (&svc->cond);
  gasync_unlock (&svc->lock);
}

static inline void
test_service_wait_runs (TestService *svc,
                        guint        runs)
{
  gint64 deadline = gasync_test_deadline (10);

  gasync_lock (&svc->lock);
  while (svc->runs < runs)
    g_assert_true (gasync_cond_wait_until (&svc->cond, &svc->lock, deadline) ||
                   svc->runs >= runs);
  gasync_unlock (&svc->lock);
}

static gboolean
test_tick_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Iterates the thread-default context until @done (@data), within a
 * deadline; a tick wakes it up for conditions set on other threads. */
static inline void
test_iterate_until_func (gboolean (*done) (gpointer data),
                         gpointer  data)
{
  gint64 deadline = gasync_test_deadline (10);
  GSource *tick = g_timeout_source_new (10);

  g_source_set_callback (tick, test_tick_cb, NULL, NULL);
  g_source_attach (tick, g_main_context_get_thread_default ());
  while (!done (data))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (g_main_context_get_thread_default (), TRUE);
    }
  g_source_destroy (tick);
  g_source_unref (tick);
}

static inline gboolean
test_flag_is_set (gpointer data)
{
  return *(const gboolean *) data;
}

static inline void
test_iterate_until (const gboolean *flag)
{
  test_iterate_until_func (test_flag_is_set, (gpointer) flag);
}

static inline guint
test_service_get_runs (TestService *svc)
{
  guint runs;

  gasync_lock (&svc->lock);
  runs = svc->runs;
  gasync_unlock (&svc->lock);
  return runs;
}

typedef struct
{
  TestService *svc;
  guint runs;
} TestRuns;

static inline gboolean
test_service_has_runs (gpointer data)
{
  TestRuns *wanted = data;

  return test_service_get_runs (wanted->svc) >= wanted->runs;
}

/* On the owner thread: iterates until the function ran @runs times. */
static inline void
test_service_iterate_until_runs (TestService *svc,
                                 guint        runs)
{
  TestRuns wanted = { svc, runs };

  test_iterate_until_func (test_service_has_runs, &wanted);
}

static inline void
test_service_iterate_until_running (TestService *svc)
{
  test_service_iterate_until_runs (svc, 1);
}

static inline void
test_set_flag (gpointer  data,
               GObject  *where_the_object_was)
{
  *(gboolean *) data = TRUE;
}

/* Drops the test's reference to @object and waits until the last one,
 * held while a run function returns, is gone too. */
static inline void
test_drop_and_wait (gpointer object)
{
  gboolean gone = FALSE;

  g_object_weak_ref (object, test_set_flag, &gone);
  g_object_unref (object);
  test_iterate_until (&gone);
}

/* test-future.c: GasyncFuture
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#include "config.h"

#include <gasync.h>

#include "gasync-test-util.h"

/* GMainContext keeps one list of sources per priority, allocated when the
 * first source of that priority is attached and freed when the last one is
 * removed, under a GMutex that ThreadSanitizer cannot see. If a worker
 * thread attaches the first one (a done callback dispatched to the
 * caller's context) and the owner removes it, TSan reports a race inside
 * GLib. Keeping a source of the default priority attached for the whole
 * test keeps that list allocated by the test's own thread. */
static gboolean
never_ready (GSource *source,
             int     *timeout)
{
  *timeout = -1;
  return FALSE;
}

static GSourceFuncs keeper_funcs = { never_ready, NULL, NULL, NULL, NULL, NULL };

static GSource *
keep_default_priority (GMainContext *context)
{
  GSource *keeper = g_source_new (&keeper_funcs, sizeof (GSource));

  g_source_attach (keeper, context);
  return keeper;
}

static void
keeper_free (GSource *keeper)
{
  g_source_destroy (keeper);
  g_source_unref (keeper);
}


static void
resolve_int (GasyncFuture *future,
             int           i)
{
  g_auto(GValue) value = G_VALUE_INIT;

  g_value_init (&value, G_TYPE_INT);
  g_value_set_int (&value, i);
  gasync_future_resolve_value (future, &value);
}

static int
future_get_int (GasyncFuture *future)
{
  GValue *value = gasync_future_dup_value (future);
  int i;

  g_assert_nonnull (value);
  g_assert_true (G_VALUE_HOLDS_INT (value));
  i = g_value_get_int (value);
  g_boxed_free (G_TYPE_VALUE, value);
  return i;
}

static void
test_future_resolve (void)
{
  g_autoptr(GasyncFuture) future = gasync_future_new ();
  g_autoptr(GasyncFuture) nothing = gasync_future_new ();
  g_autoptr(GasyncFuture) object = gasync_future_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  GValue *value;
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "late");

  g_assert_false (gasync_future_is_done (future));
  g_assert_null (gasync_future_dup_value (future));
  g_assert_null (gasync_future_get_error (future));

  resolve_int (future, 42);
  g_assert_true (gasync_future_is_done (future));
  g_assert_cmpint (future_get_int (future), ==, 42);
  g_assert_null (gasync_future_get_error (future));

  g_test_summary ("A future settles once: later resolutions and rejections "
                  "are ignored and return FALSE");
  g_assert_false (gasync_future_resolve_value (future, NULL));
  g_assert_false (gasync_future_reject (future, error));
  g_assert_cmpint (future_get_int (future), ==, 42);

  g_assert_true (gasync_future_resolve_value (nothing, NULL));
  g_assert_true (gasync_future_is_done (nothing));
  g_assert_null (gasync_future_dup_value (nothing));

  g_assert_true (gasync_future_resolve_object (object, G_OBJECT (cancellable)));
  value = gasync_future_dup_value (object);
  g_assert_true (G_VALUE_HOLDS (value, G_TYPE_CANCELLABLE));
  g_assert_true (g_value_get_object (value) == cancellable);
  g_boxed_free (G_TYPE_VALUE, value);
}

static void
test_future_reject (void)
{
  g_autoptr(GasyncFuture) future = gasync_future_new ();
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "gone");
  g_autoptr(GError) waited = NULL;

  g_assert_true (gasync_future_reject (future, error));
  g_assert_true (gasync_future_is_done (future));
  g_assert_null (gasync_future_dup_value (future));
  g_assert_error ((GError *) gasync_future_get_error (future), G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_false (gasync_future_resolve_value (future, NULL));

  g_assert_false (gasync_future_wait (future, NULL, &waited));
  g_assert_error (waited, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_cmpstr (waited->message, ==, "gone");
}

/* add_done_callback() on a plain future: the caller's context, never synchronously. */
typedef struct
{
  GThread *thread;
  int runs;
  int destroyed;
  int value;
} Then;

static void
then_cb (GasyncFuture *future,
         gpointer      user_data)
{
  Then *then = user_data;

  g_assert_true (g_thread_self () == then->thread);
  g_assert_true (gasync_future_is_done (future));
  then->value = future_get_int (future);
  g_atomic_int_inc (&then->runs);
}

static void
then_destroy (gpointer user_data)
{
  Then *then = user_data;

  g_assert_true (g_thread_self () == then->thread);
  g_atomic_int_inc (&then->destroyed);
}

static gpointer
resolve_thread (gpointer data)
{
  resolve_int (data, 7);
  return NULL;
}

static void
test_future_then (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  GSource *keeper = keep_default_priority (context);
  g_autoptr(GasyncFuture) future = gasync_future_new ();
  g_autoptr(GasyncFuture) settled = gasync_future_new ();
  Then then = { g_thread_self () };
  Then later = { g_thread_self () };

  g_test_summary ("done callbacks run on the caller's thread-default "
                  "context, after a resolution from another thread");
  g_main_context_push_thread_default (context);
  gasync_future_add_done_callback (future, then_cb, &then, then_destroy);
  g_thread_join (g_thread_new ("resolve", resolve_thread, future));
  g_assert_cmpint (then.runs, ==, 0);
  gasync_test_iterate_until_flag (NULL, &then.destroyed);
  g_assert_cmpint (then.runs, ==, 1);
  g_assert_cmpint (then.value, ==, 7);

  g_test_summary ("add_done_callback() on a settled future runs later, not from within "
                  "the call");
  resolve_int (settled, 8);
  gasync_future_add_done_callback (settled, then_cb, &later, then_destroy);
  g_assert_cmpint (later.runs, ==, 0);
  gasync_test_iterate_until_flag (NULL, &later.destroyed);
  g_assert_cmpint (later.value, ==, 8);
  g_main_context_pop_thread_default (context);
  keeper_free (keeper);
}

static void
test_future_then_dropped (void)
{
  GasyncFuture *future = gasync_future_new ();
  Then then = { g_thread_self () };

  g_test_summary ("A future finalized pending drops its done callbacks: "
                  "only their destroy notifies run, on their context");
  gasync_future_add_done_callback (future, then_cb, &then, then_destroy);
  g_object_unref (future);
  gasync_test_iterate_until_flag (NULL, &then.destroyed);
  g_assert_cmpint (then.runs, ==, 0);
}

static void
test_future_wait (void)
{
  g_autoptr(GasyncFuture) future = gasync_future_new ();
  g_autoptr(GasyncFuture) never = gasync_future_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  GThread *thread;

  g_test_summary ("wait() blocks until another thread settles the future");
  thread = g_thread_new ("resolve", resolve_thread, future);
  g_assert_true (gasync_future_wait (future, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (future_get_int (future), ==, 7);
  g_thread_join (thread);

  g_test_summary ("wait() stops when its cancellable is cancelled");
  thread = gasync_test_cancel_in_thread (cancellable, 0);
  g_assert_false (gasync_future_wait (never, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (gasync_future_is_done (never));
  g_thread_join (thread);
  g_clear_error (&error);

  g_test_summary ("A cancelled cancellable wins over a settled future, as "
                  "in await_async()");
  g_assert_false (gasync_future_wait (future, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* await_async() */
typedef struct
{
  GValue *value;
  GError *error;
  int done;
} Awaited;

static void
awaited_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Awaited *awaited = user_data;

  awaited->value = gasync_future_await_finish (GASYNC_FUTURE (source), result, &awaited->error);
  awaited->done = TRUE;
}

static void
value_free (GValue *value)
{
  g_boxed_free (G_TYPE_VALUE, value);
}

static void
awaited_clear (Awaited *awaited)
{
  g_clear_pointer (&awaited->value, value_free);
  g_clear_error (&awaited->error);
  awaited->done = FALSE;
}

static void
test_future_await (void)
{
  g_autoptr(GasyncFuture) future = gasync_future_new ();
  g_autoptr(GasyncFuture) rejected = gasync_future_new ();
  g_autoptr(GasyncFuture) never = gasync_future_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) reason = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "gone");
  Awaited awaited = { NULL };
  GThread *thread;

  g_test_summary ("await_async() completes on the caller's context with a "
                  "copy of the value, or the rejection");
  gasync_future_await_async (future, NULL, awaited_cb, &awaited);
  thread = g_thread_new ("resolve", resolve_thread, future);
  gasync_test_iterate_until_flag (NULL, &awaited.done);
  g_thread_join (thread);
  g_assert_no_error (awaited.error);
  g_assert_cmpint (g_value_get_int (awaited.value), ==, 7);
  awaited_clear (&awaited);

  gasync_future_reject (rejected, reason);
  gasync_future_await_async (rejected, NULL, awaited_cb, &awaited);
  gasync_test_iterate_until_flag (NULL, &awaited.done);
  g_assert_error (awaited.error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_null (awaited.value);
  awaited_clear (&awaited);

  g_test_summary ("Cancelling an await completes it with CANCELLED and "
                  "leaves the future pending");
  gasync_future_await_async (never, cancellable, awaited_cb, &awaited);
  g_cancellable_cancel (cancellable);
  gasync_test_iterate_until_flag (NULL, &awaited.done);
  g_assert_error (awaited.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (gasync_future_is_done (never));
  awaited_clear (&awaited);
  resolve_int (never, 1);
  /* The handler still registered with the future completes nothing more. */
  gasync_test_flush (NULL);
}

/* run_in_thread() */
typedef struct
{
  GThread *caller;
  gboolean result;
  gboolean set_error;
  int ran_in_other_thread;
  int destroyed;
} Job;

static gboolean
job_func (GCancellable  *cancellable,
          gpointer       user_data,
          GError       **error)
{
  Job *job = user_data;

  g_atomic_int_set (&job->ran_in_other_thread, g_thread_self () != job->caller);
  if (job->set_error)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "job failed");
  return job->result;
}

static void
job_destroy (gpointer user_data)
{
  Job *job = user_data;

  g_assert_true (g_thread_self () == job->caller);
  g_atomic_int_set (&job->destroyed, TRUE);
}

static void
test_future_run_in_thread (void)
{
  Job ok = { g_thread_self (), TRUE, FALSE };
  Job failed = { g_thread_self (), FALSE, TRUE };
  Job silent = { g_thread_self (), FALSE, FALSE };
  g_autoptr(GasyncFuture) future = NULL;
  g_autoptr(GError) error = NULL;

  g_test_summary ("run_in_thread() runs the function on a worker thread and "
                  "settles the future with its outcome; the destroy notify "
                  "runs on the caller's context");
  future = gasync_future_run_in_thread (NULL, job_func, &ok, job_destroy);
  g_assert_true (gasync_future_wait (future, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (ok.ran_in_other_thread);
  gasync_test_iterate_until_flag (NULL, &ok.destroyed);
  g_clear_object (&future);

  future = gasync_future_run_in_thread (NULL, job_func, &failed, job_destroy);
  g_assert_false (gasync_future_wait (future, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);
  gasync_test_iterate_until_flag (NULL, &failed.destroyed);
  g_clear_object (&future);

  g_test_summary ("FALSE without an error is GASYNC_ERROR_FAILED");
  future = gasync_future_run_in_thread (NULL, job_func, &silent, job_destroy);
  g_assert_false (gasync_future_wait (future, NULL, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_FAILED);
  gasync_test_iterate_until_flag (NULL, &silent.destroyed);
}

/* all(), any(), first() */
static GasyncFuture *
rejected_new (const char *message)
{
  GasyncFuture *future = gasync_future_new ();
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, message);

  gasync_future_reject (future, error);
  return future;
}

static void
futures_free (GasyncFuture **futures,
              guint          n)
{
  for (guint i = 0; i < n; i++)
    g_object_unref (futures[i]);
}

static void
test_future_all (void)
{
  GasyncFuture *futures[3] = { gasync_future_new (), gasync_future_new (), gasync_future_new () };
  g_autoptr(GasyncFuture) all = gasync_future_all (futures, 3);
  g_autoptr(GasyncFuture) none = gasync_future_all (NULL, 0);
  g_autoptr(GasyncFuture) failing = NULL;
  g_autoptr(GasyncFuture) rejected = rejected_new ("second failed");

  g_test_summary ("all() is resolved once every future is, rejected by the "
                  "first rejection; with none it is resolved at once");
  g_assert_true (gasync_future_is_done (none));
  resolve_int (futures[0], 0);
  resolve_int (futures[2], 2);
  g_assert_false (gasync_future_is_done (all));
  resolve_int (futures[1], 1);
  g_assert_true (gasync_future_is_done (all));
  g_assert_null (gasync_future_get_error (all));

  g_object_unref (futures[1]);
  futures[1] = g_object_ref (rejected);
  g_object_unref (futures[2]);
  futures[2] = gasync_future_new ();
  failing = gasync_future_all (futures, 3);
  g_assert_true (gasync_future_is_done (failing));
  g_assert_cmpstr (gasync_future_get_error (failing)->message, ==, "second failed");
  resolve_int (futures[2], 2);
  g_assert_cmpstr (gasync_future_get_error (failing)->message, ==, "second failed");
  futures_free (futures, 3);
}

static void
test_future_any (void)
{
  GasyncFuture *futures[3] = { rejected_new ("one"), gasync_future_new (), gasync_future_new () };
  g_autoptr(GasyncFuture) any = gasync_future_any (futures, 3);
  g_autoptr(GasyncFuture) all_rejected = NULL;
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "three");

  g_test_summary ("any() is resolved by the first resolution, rejected "
                  "only when all are, with the last error");
  g_assert_false (gasync_future_is_done (any));
  resolve_int (futures[2], 2);
  g_assert_cmpint (future_get_int (any), ==, 2);
  resolve_int (futures[1], 1);
  g_assert_cmpint (future_get_int (any), ==, 2);
  futures_free (futures, 3);

  futures[0] = rejected_new ("one");
  futures[1] = rejected_new ("two");
  futures[2] = gasync_future_new ();
  all_rejected = gasync_future_any (futures, 3);
  g_assert_false (gasync_future_is_done (all_rejected));
  gasync_future_reject (futures[2], error);
  g_assert_cmpstr (gasync_future_get_error (all_rejected)->message, ==, "three");
  futures_free (futures, 3);
}

static void
test_future_first (void)
{
  GasyncFuture *futures[2] = { gasync_future_new (), gasync_future_new () };
  g_autoptr(GasyncFuture) first = gasync_future_first (futures, 2);
  g_autoptr(GasyncFuture) rejected = NULL;
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "lost");

  g_test_summary ("first() is settled like the first future to settle");
  resolve_int (futures[1], 1);
  g_assert_cmpint (future_get_int (first), ==, 1);
  gasync_future_reject (futures[0], error);
  g_assert_null (gasync_future_get_error (first));

  rejected = gasync_future_first (futures, 2);
  g_assert_cmpstr (gasync_future_get_error (rejected)->message, ==, "lost");
  futures_free (futures, 2);
}

/* Racing settlements from several threads: exactly one wins. */
#define N_RACERS 4

typedef struct
{
  GasyncFuture *future;
  int wins;
  int go;
} Race;

static gpointer
racer_thread (gpointer data)
{
  Race *race = data;
  gasync_test_wait_flag (&race->go);
  if (gasync_future_resolve_value (race->future, NULL))
    g_atomic_int_inc (&race->wins);
  return NULL;
}

static void
test_future_race (void)
{
  guint rounds = gasync_test_is_slow () ? 20 : 200;

  g_test_summary ("Of several threads settling a future at once, exactly one "
                  "wins");
  for (guint round = 0; round < rounds; round++)
    {
      Race race = { gasync_future_new () };
      GThread *threads[N_RACERS];

      for (guint i = 0; i < N_RACERS; i++)
        threads[i] = g_thread_new ("racer", racer_thread, &race);
      g_atomic_int_set (&race.go, TRUE);
      g_assert_true (gasync_future_wait (race.future, NULL, NULL));
      for (guint i = 0; i < N_RACERS; i++)
        g_thread_join (threads[i]);
      g_assert_cmpint (race.wins, ==, 1);
      g_object_unref (race.future);
    }
}

static void
test_future_bad_input (void)
{
  g_autoptr(GasyncFuture) future = gasync_future_new ();

  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*error != NULL*");
  g_assert_false (gasync_future_reject (future, NULL));
  g_test_assert_expected_messages ();

  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*GASYNC_IS_FUTURE*");
  g_assert_false (gasync_future_is_done (NULL));
  g_test_assert_expected_messages ();

  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*n_futures > 0*");
  g_assert_null (gasync_future_any (NULL, 0));
  g_test_assert_expected_messages ();

  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*on_done != NULL*");
  gasync_future_add_done_callback (future, NULL, NULL, NULL);
  g_test_assert_expected_messages ();
}

static int dropped_gate; /* atomic */

static gboolean
gated_task (GCancellable  *cancellable,
            gpointer       user_data,
            GError       **error)
{
  gasync_test_wait_flag (&dropped_gate);
  return TRUE;
}

static void
count_done (GasyncFuture *future,
            gpointer      user_data)
{
  int *n_done = g_object_get_data (G_OBJECT (future), "n-done");

  g_assert_true (gasync_future_is_done (future));
  (*n_done)++;
}

static void
test_future_last_unref_while_running (void)
{
  GasyncTestLifetime lifetime;
  GasyncFuture *future;
  int n_done = 0;

  g_test_summary ("A future dropped while gasync_future_run_in_thread() "
                  "runs lives on until its function returned and its done "
                  "callbacks ran; then it is finalized, each destroy notify "
                  "called once");
  g_test_bug ("13");
  gasync_test_lifetime_init (&lifetime);
  future = gasync_future_run_in_thread (NULL, gated_task, &lifetime.destroyed[0],
                                        gasync_test_count);
  gasync_test_lifetime_watch (&lifetime, future);
  g_object_set_data (G_OBJECT (future), "n-done", &n_done);
  gasync_future_add_done_callback (future, count_done, &lifetime.destroyed[1],
                                   gasync_test_count);
  g_object_unref (future);
  g_assert_false (g_atomic_int_get (&lifetime.gone));

  g_atomic_int_set (&dropped_gate, TRUE);
  gasync_test_lifetime_wait (&lifetime, 2);
  g_assert_cmpint (n_done, ==, 1);
}

int
main (int    argc,
      char **argv)
{
  GSource *keeper;
  int ret;

  g_test_init (&argc, &argv, NULL);
  keeper = keep_default_priority (NULL);

  g_test_add_func ("/gasync/future/resolve", test_future_resolve);
  g_test_add_func ("/gasync/future/reject", test_future_reject);
  g_test_add_func ("/gasync/future/done-callback", test_future_then);
  g_test_add_func ("/gasync/future/done-callback-dropped", test_future_then_dropped);
  g_test_add_func ("/gasync/future/wait", test_future_wait);
  g_test_add_func ("/gasync/future/await", test_future_await);
  g_test_add_func ("/gasync/future/run-in-thread", test_future_run_in_thread);
  g_test_add_func ("/gasync/future/all", test_future_all);
  g_test_add_func ("/gasync/future/any", test_future_any);
  g_test_add_func ("/gasync/future/first", test_future_first);
  g_test_add_func ("/gasync/future/race", test_future_race);
  g_test_add_func ("/gasync/future/bad-input", test_future_bad_input);
  g_test_add_func ("/gasync/future/last-unref-while-running",
                   test_future_last_unref_while_running);

  ret = g_test_run ();
  keeper_free (keeper);
  return ret;
}

/* test-stopper.c: GasyncStopper
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#include "config.h"

#include <locale.h>
#ifdef __GLIBC__
# include <malloc.h>
#endif

#include "gasync-leak-private.h"
#include "gasync-private.h"
#include "gasync-stopper-private.h"
#include "gasync-sync-private.h"

#include "gasync-test-util.h"

#define TIMEOUT_SECONDS 60

static GThread *main_thread;

/* Tasks per thread in the stress test: 100,000 in all, fewer where every
 * task costs much more. */
static guint
stress_tasks_per_thread (void)
{
#ifdef GASYNC_HAVE_TSAN
  return 2500;
#else
  return gasync_test_is_slow () ? 500 : 25000;
#endif
}

/* An event log that any thread may append to, in order. */
static GasyncLock log_lock;
static GString *event_log;

static void
log_event (const char *event)
{
  gasync_lock (&log_lock);
  g_string_append (event_log, event);
  g_string_append_c (event_log, ';');
  gasync_unlock (&log_lock);
}

static char *
dup_log (void)
{
  char *copy;

  gasync_lock (&log_lock);
  copy = g_strdup (event_log->str);
  gasync_unlock (&log_lock);
  return copy;
}

/* Each test runs with a fresh thread-default context: the stoppers' owner
 * context. */
typedef struct
{
  GMainContext *context;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  fixture->context = g_main_context_new ();
  g_main_context_push_thread_default (fixture->context);
  gasync_lock (&log_lock);
  g_string_truncate (event_log, 0);
  gasync_unlock (&log_lock);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_main_context_pop_thread_default (fixture->context);
  gasync_test_flush (fixture->context);
  g_main_context_unref (fixture->context);
}

/* A task that waits until the test opens @gate. */
static gboolean
gated_task (GCancellable  *cancellable,
            gpointer       user_data,
            GError       **error)
{
  test_gate_pass (user_data, NULL);
  return TRUE;
}

static gboolean
never_called (GCancellable  *cancellable,
              gpointer       user_data,
              GError       **error)
{
  g_assert_not_reached ();
  return FALSE;
}

static gboolean
fail_silently (GCancellable  *cancellable,
               gpointer       user_data,
               GError       **error)
{
  return FALSE;
}

static gboolean
fail_with_error (GCancellable  *cancellable,
                 gpointer       user_data,
                 GError       **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "failing");
  return FALSE;
}

static gboolean
no_tasks (gpointer data)
{
  return gasync_stopper_get_n_tasks (data) == 0;
}

static void
count_on_main (gpointer user_data)
{
  g_assert_true (g_thread_self () == main_thread);
  g_atomic_int_inc ((int *) user_data);
}

static void
stop_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_thread_self () == main_thread);
  g_assert_true (gasync_stopper_stop_finish (GASYNC_STOPPER (source), result,
                                             &error));
  g_assert_no_error (error);
  log_event ("stop-done");
  g_atomic_int_set ((int *) user_data, TRUE);
}

/* Stops @stopper with stop_async() and iterates until it has stopped. */
static void
stop_and_wait (Fixture       *fixture,
               GasyncStopper *stopper)
{
  int done = FALSE;

  gasync_stopper_stop_async (stopper, NULL, stop_done, &done);
  gasync_test_iterate_until_flag (fixture->context, &done);
}

static void
test_stopper_new (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GasyncStopper) stopper = gasync_stopper_new ();
  g_autoptr(GHashTable) running = NULL;
  g_autofree char *dump = NULL;
  GasyncStopperState state;

  g_assert_cmpint (gasync_stopper_get_state (stopper), ==, GASYNC_STOPPER_STATE_RUNNING);
  g_object_get (stopper, "state", &state, NULL);
  g_assert_cmpint (state, ==, GASYNC_STOPPER_STATE_RUNNING);
  g_assert_false (gasync_stopper_is_stopped (stopper));
  g_assert_cmpuint (gasync_stopper_get_n_tasks (stopper), ==, 0);
  g_assert_false (gasync_stopper_get_track_details (stopper));
  g_assert_cmpint (gasync_stopper_get_stuck_log_interval (stopper), ==, 10 * G_USEC_PER_SEC);
  running = gasync_stopper_dup_running_tasks (stopper);
  g_assert_cmpuint (g_hash_table_size (running), ==, 0);
  dump = gasync_stopper_dump (stopper);
  g_assert_nonnull (strstr (dump, "0 running tasks"));
  g_assert_false (g_cancellable_is_cancelled (gasync_stopper_get_quiesce_cancellable (stopper)));
  g_assert_false (g_cancellable_is_cancelled (gasync_stopper_get_stop_cancellable (stopper)));
}

typedef struct
{
  GasyncStopper *stopper;
  gboolean result;
  gboolean set_error;
  guint calls;
} TaskData;

static gboolean
checking_task (GCancellable  *cancellable,
               gpointer       user_data,
               GError       **error)
{
  TaskData *data = user_data;
  g_autoptr(GHashTable) running = gasync_stopper_dup_running_tasks (data->stopper);

  data->calls++;
  g_assert_true (cancellable == gasync_stopper_get_quiesce_cancellable (data->stopper));
  g_assert_cmpuint (g_hash_table_size (running), ==, 1);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (running, "check")), ==, 1);
  g_assert_cmpuint (gasync_stopper_get_n_tasks (data->stopper), ==, 1);
  if (data->set_error)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "gone");
  return data->result;
}

static void
test_stopper_run_task (Fixture       *fixture,
                       gconstpointer  unused)
{
  g_autoptr(GasyncStopper) stopper = gasync_stopper_new ();
  TaskData data = { stopper, TRUE, FALSE, 0 };
  g_autoptr(GError) error = NULL;

  g_test_summary ("run_task runs in the calling thread, counted under its "
                  "name, and returns its result; FALSE without an error is "
                  "FAILED naming the task");

  g_assert_true (gasync_stopper_run_task (stopper, "check", checking_task, &data, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (data.calls, ==, 1);
  g_assert_cmpuint (gasync_stopper_get_n_tasks (stopper), ==, 0);

  data.result = FALSE;
  data.set_error = TRUE;
  g_assert_false (gasync_stopper_run_task (stopper, "check", checking_task, &data, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);

  data.set_error = FALSE;
  g_assert_false (gasync_stopper_run_task (stopper, "check", checking_task, &data, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "“check”"));
  g_clear_error (&error);

  gasync_stopper_quiesce (stopper);
  g_assert_cmpint (gasync_stopper_get_state (stopper), ==, GASYNC_STOPPER_STATE_QUIESCING);
  g_assert_false (gasync_stopper_run_task (stopper, "check", never_called, NULL, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_UNAVAILABLE);
  g_assert_nonnull (strstr (error->message, "“check”"));
  g_assert_cmpuint (data.calls, ==, 3);
  gasync_stopper_stop (stopper);
}

typedef struct
{
  GThread *thread;
  int ran;
  int destroyed;
} AsyncData;

static gboolean
record_thread (GCancellable  *cancellable,
               gpointer       user_data,
               GError       **error)
{
  AsyncData *data = user_data;

  data->thread = g_thread_self ();
  g_atomic_int_inc (&data->ran);
  return TRUE;
}

static void
async_data_destroy (gpointer user_data)
{
  AsyncData *data = user_data;

  g_assert_true (g_thread_self () == main_thread);
  g_atomic_int_inc (&data->destroyed);
}

static gboolean
async_data_destroyed (gpointer user_data)
{
  AsyncData *data = user_data;

  return g_atomic_int_get (&data->destroyed) > 0;
}

static void
test_stopper_run_async_task (Fixture       *fixture,
                             gconstpointer  unused)
{
  g_autoptr(GasyncStopper) stopper = gasync_stopper_new ();
  AsyncData data = { NULL, 0, 0 };
  AsyncData refused = { NULL, 0, 0 };
  g_autoptr(GError) error = NULL;

  g_test_summary ("run_async_task runs on a pool thread and calls the "
                  "destroy notify once, on the owner context; once quiescing, "
                  "a task is refused with UNAVAILABLE, not called, and its "
                  "destroy notify is still called once");

  g_assert_true (gasync_stopper_run_async_task (stopper, "async", record_thread,
                                                &data, async_data_destroy, &error));
  g_assert_no_error (error);
  gasync_test_iterate_until (fixture->context, async_data_destroyed, &data, TIMEOUT_SECONDS);
  g_assert_cmpint (data.ran, ==, 1);
  g_assert_true (data.thread != main_thread);

  gasync_stopper_quiesce (stopper);
  g_assert_false (gasync_stopper_run_async_task (stopper, "async", never_called,
                                                 &refused, async_data_destroy, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_UNAVAILABLE);
  gasync_test_iterate_until (fixture->context, async_data_destroyed, &refused, TIMEOUT_SECONDS);

  stop_and_wait (fixture, stopper);
  gasync_test_flush (fixture->context);
  g_assert_cmpint (data.destroyed, ==, 1);
  g_assert_cmpint (refused.destroyed, ==, 1);
  g_assert_cmpint (refused.ran, ==, 0);
}

static void
on_task_failed (GasyncStopper *stopper,
                const char    *name,
                GError        *error,
                gpointer       user_data)
{
  g_assert_true (g_thread_self () == main_thread);
  g_assert_cmpstr (name, ==, "silent");
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "“silent”"));
  g_atomic_int_set ((int *) user_data, TRUE);
}

static void
test_stopper_task_failed (Fixture       *fixture,
                          gconstpointer  unused)
{
  g_autoptr(GasyncStopper) stopper = gasync_stopper_new ();
  int failed = FALSE;

  g_test_summary ("An async task that returns FALSE without an error is "
                  "reported by task-failed, on the owner context, as FAILED "
                  "naming the task");

  g_signal_connect (stopper, "task-failed", G_CALLBACK (on_task_failed), &failed);
  g_assert_true (gasync_stopper_run_async_task (stopper, "silent", fail_silently,
                                                NULL, NULL, NULL));
  gasync_test_iterate_until_flag (fixture->context, &failed);
  stop_and_wait (fixture, stopper);
}

static void
test_stopper_task_failed_unhandled (Fixture       *fixture,
                                    gconstpointer  unused)
{
  g_autoptr(GasyncStopper) stopper = gasync_stopper_new ();

  g_test_summary ("With no task-failed handler, a failure is a warning");

  g_test_expect_message ("Gasync", G_LOG_LEVEL_WARNING,
                         "Stopper 0x*: task “silent” failed*");
  g_assert_true (gasync_stopper_run_async_task (stopper, "silent", fail_silently,
                                                NULL, NULL, NULL));
  /* Not before the task has failed: FALSE after the stop's cancellable
   * fired would be a cancellation, which is no failure. */
  gasync_test_iterate_until (fixture->context, no_tasks, stopper,
                             GASYNC_TEST_TIMEOUT_SECONDS);
  gasync_stopper_stop (stopper);
  gasync_test_flush (fixture->context);
  g_test_assert_expected_messages ();
}

static void
assert_running (GasyncStopper *stopper,
                const char    *expected)
{
  g_autoptr(GHashTable) running = gasync_stopper_dup_running_tasks (stopper);
  g_auto(GStrv) pairs = g_strsplit (expected, ",", -1);
  guint total = 0;

  g_assert_cmpuint (g_hash_table_size (running), ==,
                    expected[0] != '\0' ? g_strv_length (pairs) : 0);
  for (guint i = 0; expected[0] != '\0' && pairs[i] != NULL; i++)
    {
      g_auto(GStrv) pair = g_strsplit (pairs[i], "=", 2);
      guint count = g_ascii_strtoull (pair[1], NULL, 10);

      g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (running, pair[0])), ==, count);
      total += count;
    }
  g_assert_cmpuint (gasync_stopper_get_n_tasks (stopper), ==, total);
}

static gboolean
num_tasks_is_zero (gpointer data)
{
  return gasync_stopper_get_n_tasks (data) == 0;
}

static gboolean
checking_nothing (GCancellable  *cancellable,
                  gpointer       user_data,
                  GError       **error)
{
  g_assert_cmpuint (gasync_stopper_get_n_tasks (user_data), ==, 1);
  return TRUE;
}

static void
test_stopper_running_tasks (Fixture       *fixture,
                            gconstpointer  unused)
{
  g_autoptr(GasyncStopper) stopper = gasync_stopper_new ();
  g_autoptr(GasyncTaskToken) token = NULL;
  g_autofree char *dump = NULL;
  TestGate gate;

  g_test_summary ("dup_running_tasks and get_n_tasks are exact; tokens "
                  "count as tasks; dump lists the counts by name");

  test_gate_init (&gate);
  for (guint i = 0; i < 3; i++)
    g_assert_true (gasync_stopper_run_async_task (stopper, "alpha", gated_task, &gate, NULL, NULL));
  for (guint i = 0; i < 2; i++)
    g_assert_true (gasync_stopper_run_async_task (stopper, "beta", gated_task, &gate, NULL, NULL));
  assert_running (stopper, "alpha=3,beta=2");
  token = gasync_stopper_begin_task (stopper, "gamma", NULL);
  g_assert_nonnull (token);
  assert_running (stopper, "alpha=3,beta=2,gamma=1");
  test_gate_wait_waiting (&gate, 5);

  dump = gasync_stopper_dump (stopper);
  g_assert_nonnull (strstr (dump, "6 running tasks\n  3 × alpha\n  2 × beta\n  1 × gamma"));
  g_assert_nonnull (strstr (dump, "0 running workers"));

  gasync_task_token_end (token);
  assert_running (stopper, "alpha=3,beta=2");
  test_gate_open (&gate);
  gasync_test_iterate_until (fixture->context, num_tasks_is_zero, stopper, TIMEOUT_SECONDS);
  assert_running (stopper, "");

  /* Names that come and go leave nothing behind. */
  for (guint i = 0; i < 300; i++)
    {
      g_autofree char *name = g_strdup_printf ("name %u", i % 100);

      g_assert_true (gasync_stopper_run_task (stopper, name, checking_nothing, stopper, NULL));
    }
  assert_running (stopper, "");
  g_clear_pointer (&dump, g_free);
  dump = gasync_stopper_dump (stopper);
  g_assert_null (strstr (dump, "×"));

  gasync_stopper_stop (stopper);
  test_gate_clear (&gate);
}

/* The order test: every observable step is logged with the thread it ran
 * in. */
typedef struct
{
  GasyncStopper *stopper;
  TestGate *gate;
  int destroyed;
} OrderData;

static void
order_data_destroy (gpointer user_data)
{
  OrderData *data = user_data;

  count_on_main (&data->destroyed);
}

static gboolean
logging_worker (GCancellable  *cancellable,
                gpointer       user_data)
{
  OrderData *data = user_data;
  gint64 deadline = gasync_test_deadline (TIMEOUT_SECONDS);

  log_event ("worker-started");
  while (!g_cancellable_is_cancelled (cancellable))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (1000);
    }
  /* Only once every task has returned. */
  g_assert_cmpuint (gasync_stopper_get_n_tasks (data->stopper), ==, 0);
  g_assert_cmpuint (test_gate_get_passed (data->gate), ==, 2);
  log_event ("worker-cancelled");
  return TRUE;
}

static gboolean
logging_worker_func (GCancellable  *cancellable,
                     gpointer       user_data,
                     GError       **error)
{
  return logging_worker (cancellable, user_data);
}

static void
log_closer (gpointer user_data)
{
  g_assert_true (g_thread_self () == main_thread);
  log_event (user_data);
}

static void
on_signal (GasyncStopper *stopper,
           gpointer       user_data)
{
  g_assert_true (g_thread_self () == main_thread);
  log_event (user_data);
}

static void
on_stopped (GasyncStopper *stopper,
            gpointer       user_data)
{
  g_assert_true (g_thread_self () == main_thread);
  g_assert_true (gasync_stopper_is_stopped (stopper));
  log_event ("stopped");
}

static void
on_notify_state (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    user_data)
{
  g_autofree char *event = NULL;

  g_assert_true (g_thread_self () == main_thread);
  event = g_strdup_printf ("notify-%d", gasync_stopper_get_state (GASYNC_STOPPER (object)));
  log_event (event);
}

static gboolean
worker_started (gpointer data)
{
  g_autofree char *log = dup_log ();

  return strstr (log, "worker-started") != NULL;
}

static void
test_stopper_order (Fixture       *fixture,
                    gconstpointer  unused)
{
  g_autoptr(GasyncStopper) stopper = gasync_stopper_new ();
  g_autoptr(GCancellable) on_quiesce = NULL;
  g_autoptr(GCancellable) on_stop = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *log = NULL;
  int done = FALSE;
  OrderData data = { 0 };
  TestGate gate;

  g_test_summary ("Once quiescing begins no new task runs; running tasks "
                  "finish; only then do workers see the stop cancellable; "
                  "then the closers run, newest first; then stopped is "
                  "emitted with is-stopped true; all on the owner context");

  test_gate_init (&gate);
  data.stopper = stopper;
  data.gate = &gate;
  g_signal_connect (stopper, "quiescing", G_CALLBACK (on_signal), "quiescing");
  g_signal_connect (stopper, "stopping", G_CALLBACK (on_signal), "stopping");
  g_signal_connect (stopper, "stopped", G_CALLBACK (on_stopped), NULL);
  g_signal_connect (stopper, "notify::state", G_CALLBACK (on_notify_state), NULL);
  gasync_stopper_add_closer (stopper, log_closer, "closer-1", NULL);
  gasync_stopper_add_closer (stopper, log_closer, "closer-2", NULL);
  gasync_stopper_add_closer (stopper, log_closer, "closer-3", NULL);
  on_quiesce = gasync_stopper_new_cancellable_on_quiesce (stopper, NULL);
  on_stop = gasync_stopper_new_cancellable_on_stop (stopper, NULL);

  g_assert_true (gasync_stopper_run_worker (stopper, "worker", logging_worker_func,
                                            &data, order_data_destroy, NULL));
  g_assert_true (gasync_stopper_run_async_task (stopper, "task", gated_task, &gate, NULL, NULL));
  g_assert_true (gasync_stopper_run_async_task (stopper, "task", gated_task, &gate, NULL, NULL));
  test_gate_wait_waiting (&gate, 2);
  gasync_test_iterate_until (fixture->context, worker_started, NULL, TIMEOUT_SECONDS);

  gasync_stopper_stop_async (stopper, NULL, stop_done, &done);
  g_assert_cmpint (gasync_stopper_get_state (stopper), ==, GASYNC_STOPPER_STATE_QUIESCING);
  g_assert_true (g_cancellable_is_cancelled (gasync_stopper_get_quiesce_cancellable (stopper)));
  g_assert_true (g_cancellable_is_cancelled (on_quiesce));
  g_assert_false (g_cancellable_is_cancelled (on_stop));
  g_assert_false (g_cancellable_is_cancelled (gasync_stopper_get_stop_cancellable (stopper)));

  g_assert_false (gasync_stopper_run_async_task (stopper, "late", never_called, NULL, NULL, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_UNAVAILABLE);
  g_clear_error (&error);
  g_assert_null (gasync_stopper_begin_task (stopper, "late", &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_UNAVAILABLE);
  g_clear_error (&error);

  /* Signals wait for the owner context. */
  log = dup_log ();
  g_assert_cmpstr (log, ==, "worker-started;");
  g_clear_pointer (&log, g_free);
  gasync_test_flush (fixture->context);
  log = dup_log ();
  g_assert_cmpstr (log, ==, "worker-started;notify-1;quiescing;");
  g_assert_false (g_cancellable_is_cancelled (gasync_stopper_get_stop_cancellable (stopper)));
  g_assert_cmpint (gasync_stopper_get_state (stopper), ==, GASYNC_STOPPER_STATE_QUIESCING);

  test_gate_open (&gate);
  gasync_test_iterate_until_flag (fixture->context, &done);
  g_assert_true (g_cancellable_is_cancelled (on_stop));
  g_clear_pointer (&log, g_free);
  log = dup_log ();
  /* The worker runs on its own thread, concurrently with the owner
   * context's notify-2 and stopping: its event may fall anywhere between
   * quiescing and the first closer. Without it, the owner's order is exact. */
  {
    const char *worker_event = strstr (log, "worker-cancelled;");
    g_autoptr(GString) owner_log = g_string_new (log);

    g_assert_nonnull (worker_event);
    g_assert_true (worker_event > strstr (log, "quiescing;"));
    g_assert_true (worker_event < strstr (log, "closer-3;"));
    g_string_replace (owner_log, "worker-cancelled;", "", 1);
    g_assert_cmpstr (owner_log->str, ==,
                     "worker-started;notify-1;quiescing;notify-2;stopping;"
                     "closer-3;closer-2;closer-1;notify-3;stopped;stop-done;");
  }
  g_assert_true (gasync_stopper_is_stopped (stopper));
  g_assert_cmpint (data.destroyed, ==, 1);

  /* Idempotent; a closer added now runs at once. */
  gasync_stopper_stop (stopper);
  gasync_stopper_add_closer (stopper, log_closer, "closer-late", NULL);
  g_clear_pointer (&log, g_free);
  log = dup_log ();
  g_assert_true (g_str_has_suffix (log, "stop-done;closer-late;"));
  test_gate_clear (&gate);
}

static void
test_stopper_worker_refused (Fixture       *fixture,
                             gconstpointer  unused)
{
  g_autoptr(GasyncStopper) stopper = gasync_stopper_new ();
  g_autoptr(GError) error = NULL;
  int destroyed = 0;

  g_test_summary ("Once stopping, a worker is refused with UNAVAILABLE and "
                  "its destroy notify is called once");

  gasync_stopper_stop (stopper);
  g_assert_false (gasync_stopper_run_worker (stopper, "worker", never_called,
                                             &destroyed, count_on_main, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_UNAVAILABLE);
  gasync_test_iterate_until_flag (fixture->context, &destroyed);
  g_assert_cmpint (destroyed, ==, 1);
}

typedef struct
{
  GasyncStopper *stopper;
  int returned;
} StopInside;

static gboolean
stopping_task (GCancellable  *cancellable,
               gpointer       user_data,
               GError       **error)
{
  StopInside *data = user_data;

  gasync_stopper_stop (data->stopper);
  /* Returned at once: the shutdown waits for this very task. The quiesce
   * cancellable fires on the owner context: at once when this task runs
   * there, else once that context has run. */
  g_assert_false (gasync_sleep (TIMEOUT_SECONDS * G_USEC_PER_SEC, cancellable,
                                NULL));
  g_assert_cmpint (gasync_stopper_get_state (data->stopper), ==, GASYNC_STOPPER_STATE_QUIESCING);
  gasync_stopper_quiesce (data->stopper);
  g_atomic_int_set (&data->returned, TRUE);
  return TRUE;
}

static gboolean
is_stopped (gpointer data)
{
  return gasync_stopper_is_stopped (data);
}

static void
test_stopper_stop_inside_task (Fixture       *fixture,
                               gconstpointer  unused)
{
  g_autoptr(GasyncStopper) stopper = gasync_stopper_new ();
  StopInside data = { stopper, FALSE };

  g_test_summary ("stop() and quiesce() from inside a task, sync or async, "
                  "begin the shutdown and return at once (no deadlock); the "
                  "shutdown completes once the task has returned");

  g_assert_true (gasync_stopper_run_async_task (stopper, "stopper", stopping_task,
                                                &data, NULL, NULL));
  gasync_test_iterate_until (fixture->context, is_stopped, stopper, TIMEOUT_SECONDS);
  g_assert_true (data.returned);
}

static void
test_stopper_stop_inside_run_task (Fixture       *fixture,
                                   gconstpointer  unused)
{
  g_autoptr(GasyncStopper) stopper = gasync_stopper_new ();
  StopInside data = { stopper, FALSE };

  g_assert_true (gasync_stopper_run_task (stopper, "stopper", stopping_task, &data, NULL));
  g_assert_true (data.returned);
  gasync_test_iterate_until (fixture->context, is_stopped, stopper, TIMEOUT_SECONDS);
}

static gboolean
stopping_worker (GCancellable  *cancellable,
                 gpointer       user_data,
                 GError       **error)
{
  GasyncStopper *stopper = user_data;

  gasync_stopper_stop (stopper);
  /* The stop cancellable fires on the owner context, once it has run. */
  g_assert_false (gasync_sleep (TIMEOUT_SECONDS * G_USEC_PER_SEC, cancellable,
                                NULL));
  return TRUE;
}

static void
stop_from_closer (gpointer user_data)
{
  g_assert_true (g_thread_self () == main_thread);
  gasync_stopper_stop (user_data);
  log_event ("closer");
}

static void
stop_from_handler (GasyncStopper *stopper,
                   gpointer       user_data)
{
  g_assert_true (g_thread_self () == main_thread);
  gasync_stopper_stop (stopper);
  log_event (user_data);
}

static void
test_stopper_stop_inside_worker_closer_handler (Fixture       *fixture,
                                                gconstpointer  unused)
{
  g_autoptr(GasyncStopper) stopper = gasync_stopper_new ();
  g_autofree char *log = NULL;

  g_test_summary ("stop() from a worker, a closer or a signal handler "
                  "returns at once and the shutdown completes");

  g_signal_connect (stopper, "quiescing", G_CALLBACK (stop_from_handler), "quiescing");
  g_signal_connect (stopper, "stopped", G_CALLBACK (stop_from_handler), "stopped");
  gasync_stopper_add_closer (stopper, stop_from_closer, stopper, NULL);
  g_assert_true (gasync_stopper_run_worker (stopper, "stopper", stopping_worker,
                                            stopper, NULL, NULL));
  gasync_test_iterate_until (fixture->context, is_stopped, stopper, TIMEOUT_SECONDS);
  log = dup_log ();
  g_assert_cmpstr (log, ==, "quiescing;closer;stopped;");
}

typedef struct
{
  GasyncStopper *stopper;
  int returned;
} ThreadStop;

static gpointer
stop_thread (gpointer user_data)
{
  ThreadStop *data = user_data;

  gasync_stopper_stop (data->stopper);
  g_assert_true (gasync_stopper_is_stopped (data->stopper));
  g_atomic_int_set (&data->returned, TRUE);
  return NULL;
}

static gboolean
is_quiescing (gpointer data)
{
  return gasync_stopper_get_state (data) == GASYNC_STOPPER_STATE_QUIESCING;
}

static void
test_stopper_stop_from_threads (Fixture       *fixture,
                                gconstpointer  unused)
{
  g_autoptr(GasyncStopper) stopper = gasync_stopper_new ();
  ThreadStop data[3];
  GThread *threads[3];
  int closed = 0;
  TestGate gate;

  g_test_summary ("stop() from several other threads at once: each waits "
                  "for the one shutdown; closers run once, on the owner "
                  "context, which the owner keeps iterating");

  test_gate_init (&gate);
  gasync_stopper_add_closer (stopper, count_on_main, &closed, NULL);
  g_assert_true (gasync_stopper_run_async_task (stopper, "task", gated_task, &gate, NULL, NULL));
  test_gate_wait_waiting (&gate, 1);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    {
      data[i].stopper = stopper;
      data[i].returned = FALSE;
      threads[i] = g_thread_new ("stop", stop_thread, &data[i]);
    }
  gasync_test_iterate_until (fixture->context, is_quiescing, stopper, TIMEOUT_SECONDS);
  gasync_test_flush (fixture->context);
  g_assert_false (gasync_stopper_is_stopped (stopper));
  g_assert_cmpint (closed, ==, 0);
  test_gate_open (&gate);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    gasync_test_iterate_until_flag (fixture->context, &data[i].returned);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
  g_assert_cmpint (closed, ==, 1);
  test_gate_clear (&gate);
}

static void
test_stopper_stop_blocking_on_owner (Fixture       *fixture,
                                     gconstpointer  unused)
{
  g_autoptr(GasyncStopper) stopper = gasync_stopper_new ();
  g_autofree char *log = NULL;
  int done = FALSE;

  g_test_summary ("A blocking stop() on the owner thread emits the signals "
                  "and runs the closers itself, in order; stop_async() after "
                  "it completes at once");

  g_signal_connect (stopper, "quiescing", G_CALLBACK (on_signal), "quiescing");
  g_signal_connect (stopper, "stopping", G_CALLBACK (on_signal), "stopping");
  g_signal_connect (stopper, "stopped", G_CALLBACK (on_stopped), NULL);
  gasync_stopper_add_closer (stopper, log_closer, "closer", NULL);
  gasync_stopper_stop (stopper);
  log = dup_log ();
  g_assert_cmpstr (log, ==, "quiescing;stopping;closer;stopped;");
  gasync_stopper_stop_async (stopper, NULL, stop_done, &done);
  gasync_test_iterate_until_flag (fixture->context, &done);
}

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
result_is_set (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

static void
test_stopper_stop_async_cancel_wait (Fixture       *fixture,
                                     gconstpointer  unused)
{
  g_autoptr(GasyncStopper) stopper = gasync_stopper_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  GAsyncResult *result = NULL;
  g_autoptr(GError) error = NULL;
  TestGate gate;

  test_gate_init (&gate);
  g_assert_true (gasync_stopper_run_async_task (stopper, "task", gated_task, &gate, NULL, NULL));
  test_gate_wait_waiting (&gate, 1);
  gasync_stopper_stop_async (stopper, cancellable, store_result, &result);
  g_cancellable_cancel (cancellable);
  gasync_test_iterate_until (fixture->context, result_is_set, &result, TIMEOUT_SECONDS);
  g_assert_false (gasync_stopper_stop_finish (stopper, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (gasync_stopper_is_stopped (stopper));
  g_clear_object (&result);

  test_gate_open (&gate);
  gasync_test_iterate_until (fixture->context, is_stopped, stopper, TIMEOUT_SECONDS);
  test_gate_clear (&gate);
}

static gboolean succeed (GCancellable  *cancellable,
                         gpointer       user_data,
                         GError       **error);
static void never_close (gpointer user_data);

static void
test_stopper_name (Fixture       *fixture,
                   gconstpointer  unused)
{
  g_autoptr(GasyncStopper) stopper = NULL;
  g_autofree char *name = NULL;
  int notified = 0;

  g_test_summary ("The name property: set at construction, read and "
                  "written, notified only when it changes; the stopper's "
                  "log lines begin with it");

  stopper = g_object_new (GASYNC_TYPE_STOPPER, "name", "indexer", NULL);
  g_assert_cmpstr (gasync_stopper_get_name (stopper), ==, "indexer");
  g_signal_connect (stopper, "notify::name", G_CALLBACK (gasync_test_count_notify), &notified);
  gasync_stopper_set_name (stopper, "indexer");
  g_assert_cmpint (notified, ==, 0);
  g_object_set (stopper, "name", "crawler", NULL);
  g_assert_cmpint (notified, ==, 1);
  g_object_get (stopper, "name", &name, NULL);
  g_assert_cmpstr (name, ==, "crawler");
  gasync_stopper_set_name (stopper, NULL);
  g_assert_null (gasync_stopper_get_name (stopper));
  g_assert_cmpint (notified, ==, 2);
  gasync_stopper_set_name (stopper, "crawler");
  g_assert_cmpint (notified, ==, 3);

  g_test_expect_message ("Gasync", G_LOG_LEVEL_WARNING,
                         "Stopper “crawler”: task “silent” failed: *");
  g_assert_true (gasync_stopper_run_async_task (stopper, "silent", fail_silently,
                                                NULL, NULL, NULL));
  /* Failed before the stop: after it, FALSE would be a cancellation. */
  gasync_test_iterate_until (fixture->context, no_tasks, stopper,
                             GASYNC_TEST_TIMEOUT_SECONDS);
  gasync_stopper_stop (stopper);
  g_test_assert_expected_messages ();
}

/* Whether gasync_leaks_check() lists a stopper named @name. */
static gboolean
has_leak (const char *name)
{
  g_autoptr(GPtrArray) leaks = gasync_leaks_check (0);

  for (guint i = 0; i < leaks->len; i++)
    if (g_strcmp0 (gasync_leak_get_name (leaks->pdata[i]), name) == 0)
      {
        g_assert_cmpstr (gasync_leak_get_kind (leaks->pdata[i]), ==, "GasyncStopper");
        return TRUE;
      }
  return FALSE;
}

static void
test_stopper_never_stopped (Fixture       *fixture,
                            gconstpointer  unused)
{
  GasyncStopper *stopper;
  int closed = 0;
  int destroyed = 0;
  TestGate gate;

  /* Mirrors CockroachDB's leaktest.AfterTest(), which every stopper test
   * defers: it fails the test with stop.PrintLeakedStoppers() for each
   * stopper whose Stop() was not called. */
  g_test_summary ("A stopper finalized without stop() after it ran tasks "
                  "or got closers logs a warning naming it, the closers "
                  "that will not run and the tasks still registered; an "
                  "unused or a stopped one does not");

  /* Unused, or stopped: nothing to say (a warning would be fatal). */
  stopper = gasync_stopper_new ();
  g_object_unref (stopper);
  stopper = g_object_new (GASYNC_TYPE_STOPPER, "name", "stopped", NULL);
  g_assert_true (gasync_stopper_run_task (stopper, "task", succeed, NULL, NULL));
  gasync_stopper_add_closer (stopper, count_on_main, &closed, NULL);
  gasync_stopper_stop (stopper);
  g_object_unref (stopper);
  g_assert_cmpint (closed, ==, 1);

  /* Ran a task and has closers. */
  stopper = g_object_new (GASYNC_TYPE_STOPPER, "name", "indexer", NULL);
  g_assert_true (gasync_stopper_run_task (stopper, "task", succeed, NULL, NULL));
  gasync_stopper_add_closer (stopper, never_close, &destroyed, count_on_main);
  gasync_stopper_add_closer (stopper, never_close, &destroyed, count_on_main);
  g_test_expect_message ("Gasync", G_LOG_LEVEL_WARNING,
                         "Stopper “indexer” was finalized without "
                         "gasync_stopper_stop() (tasks and workers it ran: 1; "
                         "closers that will not run: 2); still registered: "
                         "0 running tasks, 0 running workers");
  g_object_unref (stopper);
  g_test_assert_expected_messages ();
  g_assert_cmpint (destroyed, ==, 2);

  /* Only quiesced, not stopped: a closer alone is enough. */
  stopper = g_object_new (GASYNC_TYPE_STOPPER, "name", "quiesced", NULL);
  gasync_stopper_add_closer (stopper, never_close, &destroyed, count_on_main);
  gasync_stopper_quiesce (stopper);
  g_test_expect_message ("Gasync", G_LOG_LEVEL_WARNING,
                         "Stopper “quiesced” was finalized without*"
                         "tasks and workers it ran: 0; closers that will not run: 1*");
  g_object_unref (stopper);
  g_test_assert_expected_messages ();
  g_assert_cmpint (destroyed, ==, 3);

  /* A task still registered is named (disposed by a binding while it
   * runs), and the warning is not repeated when the stopper goes. */
  test_gate_init (&gate);
  stopper = g_object_new (GASYNC_TYPE_STOPPER, "name", "busy", NULL);
  g_assert_true (gasync_stopper_run_async_task (stopper, "crawl", gated_task, &gate, NULL, NULL));
  test_gate_wait_waiting (&gate, 1);
  g_test_expect_message ("Gasync", G_LOG_LEVEL_WARNING,
                         "Stopper “busy” was finalized without*still registered: "
                         "1 running task, 1 × crawl, 0 running workers");
  g_object_run_dispose (G_OBJECT (stopper));
  g_test_assert_expected_messages ();
  test_gate_open (&gate);
  gasync_test_iterate_until (fixture->context, num_tasks_is_zero, stopper, TIMEOUT_SECONDS);
  g_object_unref (stopper);
  test_gate_clear (&gate);
}

static void
test_stopper_leak_tracked (Fixture       *fixture,
                           gconstpointer  unused)
{
  g_autoptr(GasyncStopper) stopper = NULL;
  GasyncStopper *dropped;
  GasyncTaskToken *token;
  int closed = 0;

  /* Mirrors leaktest.AfterTest() and stop.PrintLeakedStoppers(), through
   * libgasync's own leak checks. */
  g_test_summary ("The leak checks list a stopper, by its name, from its "
                  "first closer or task until it has stopped, or until it "
                  "is finalized");

  stopper = g_object_new (GASYNC_TYPE_STOPPER, "name", "tracked", NULL);
  g_assert_false (has_leak ("tracked"));
  gasync_stopper_add_closer (stopper, count_on_main, &closed, NULL);
  g_assert_true (has_leak ("tracked"));
  g_assert_true (gasync_stopper_run_task (stopper, "task", succeed, NULL, NULL));
  g_assert_true (has_leak ("tracked"));
  gasync_stopper_stop (stopper);
  g_assert_false (has_leak ("tracked"));
  g_assert_cmpint (closed, ==, 1);

  dropped = g_object_new (GASYNC_TYPE_STOPPER, "name", "dropped", NULL);
  token = gasync_stopper_begin_task (dropped, "token", NULL);
  g_assert_true (has_leak ("dropped"));
  g_object_unref (dropped);
  g_assert_true (has_leak ("dropped"));
  g_test_expect_message ("Gasync", G_LOG_LEVEL_WARNING,
                         "Stopper “dropped” was finalized without*");
  gasync_task_token_end (token);
  g_object_unref (token);
  g_test_assert_expected_messages ();
  g_assert_false (has_leak ("dropped"));
}

/* A stop from a thread of its own while the main thread does not iterate
 * the owner context: the stopping thread runs it. */
typedef struct
{
  GasyncStopper *stopper;
  GMainContext *owner;
  GThread *stopping; /* atomic */
  int quiesced; /* atomic */
  int returned; /* atomic */
  int destroyed; /* atomic */
  int destroyed_at_close;
} FreeStop;

/* Code that the owner context runs: in the stopping thread, which has it
 * as its thread-default context. */
static void
assert_in_stopping_thread (FreeStop *data)
{
  g_assert_true (g_thread_self () == g_atomic_pointer_get (&data->stopping));
  g_assert_true (g_thread_self () != main_thread);
  g_assert_true (g_main_context_is_owner (data->owner));
  g_assert_true (g_main_context_get_thread_default () == data->owner);
}

static void
free_stop_signal (GasyncStopper *stopper,
                  gpointer       user_data)
{
  FreeStop *data = g_object_get_data (G_OBJECT (stopper), "free-stop");

  assert_in_stopping_thread (data);
  log_event (user_data);
}

static void
free_stop_closer (gpointer user_data)
{
  FreeStop *data = user_data;

  assert_in_stopping_thread (data);
  data->destroyed_at_close = g_atomic_int_get (&data->destroyed);
  log_event ("closer");
}

static void
free_stop_destroy (gpointer user_data)
{
  FreeStop *data = user_data;

  assert_in_stopping_thread (data);
  g_atomic_int_inc (&data->destroyed);
}

/* TestStopperMultipleTasks: a task that returns once quiescing begins. */
static gboolean
until_quiescing (GCancellable  *cancellable,
                 gpointer       user_data,
                 GError       **error)
{
  gint64 deadline = gasync_test_deadline (TIMEOUT_SECONDS);

  while (!g_cancellable_is_cancelled (cancellable))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (1000);
    }
  return TRUE;
}

static gpointer
free_stop_thread (gpointer user_data)
{
  FreeStop *data = user_data;

  g_atomic_pointer_set (&data->stopping, g_thread_self ());
  gasync_stopper_quiesce (data->stopper);
  g_assert_cmpuint (gasync_stopper_get_n_tasks (data->stopper), ==, 0);
  g_atomic_int_set (&data->quiesced, TRUE);
  gasync_stopper_stop (data->stopper);
  g_assert_true (gasync_stopper_is_stopped (data->stopper));
  /* Given back: the main thread may run it again. */
  g_assert_false (g_main_context_is_owner (data->owner));
  g_atomic_int_set (&data->returned, TRUE);
  return NULL;
}

static void
test_stopper_stop_from_thread_free_context (Fixture       *fixture,
                                            gconstpointer  unused)
{
  FreeStop data = { NULL };
  g_autofree char *log = NULL;
  GThread *thread;
  TestGate gate;

  /* Mirrors TestStopper, TestStopperMultipleTasks and TestStopperIsStopped:
   * Stop() from a goroutine, which the test waits for. */
  g_test_summary ("quiesce() and stop() from a thread of their own, while "
                  "no thread iterates the owner context: the stopping "
                  "thread runs it, so the signals, destroy notifies and "
                  "closers run there (in order, with the owner context as "
                  "its thread-default context) and the stop returns");

  test_gate_init (&gate);
  data.owner = g_main_context_new ();
  g_main_context_push_thread_default (data.owner);
  data.stopper = g_object_new (GASYNC_TYPE_STOPPER, "name", "free", NULL);
  g_main_context_pop_thread_default (data.owner);
  g_object_set_data (G_OBJECT (data.stopper), "free-stop", &data);

  g_signal_connect (data.stopper, "quiescing", G_CALLBACK (free_stop_signal), "quiescing");
  g_signal_connect (data.stopper, "stopping", G_CALLBACK (free_stop_signal), "stopping");
  g_signal_connect (data.stopper, "stopped", G_CALLBACK (free_stop_signal), "stopped");
  gasync_stopper_add_closer (data.stopper, free_stop_closer, &data, NULL);
  g_assert_true (gasync_stopper_run_async_task (data.stopper, "gated", gated_task,
                                                &gate, NULL, NULL));
  for (guint i = 0; i < 3; i++)
    g_assert_true (gasync_stopper_run_async_task (data.stopper, "until quiescing",
                                                  until_quiescing, &data,
                                                  free_stop_destroy, NULL));
  test_gate_wait_waiting (&gate, 1);

  thread = g_thread_new ("stop", free_stop_thread, &data);
  while (gasync_stopper_get_state (data.stopper) == GASYNC_STOPPER_STATE_RUNNING)
    g_thread_yield ();
  /* The gated task holds the quiesce. */
  g_assert_false (g_atomic_int_get (&data.quiesced));
  test_gate_open (&gate);
  gasync_test_wait_flag (&data.returned);
  g_thread_join (thread);

  log = dup_log ();
  g_assert_cmpstr (log, ==, "quiescing;stopping;closer;stopped;");
  g_assert_cmpint (data.destroyed_at_close, ==, 3);
  g_assert_false (g_main_context_pending (data.owner));
  g_object_unref (data.stopper);
  g_main_context_unref (data.owner);
  test_gate_clear (&gate);
}

static gboolean
owner_wait_logged (gpointer data)
{
  return gasync_stopper_owner_wait_was_logged (data);
}

static void
test_stopper_stop_from_thread_held_context (Fixture       *fixture,
                                            gconstpointer  unused)
{
  g_autoptr(GasyncStopper) stopper = NULL;
  ThreadStop data = { NULL };
  g_autofree char *log = NULL;
  gint64 deadline = gasync_test_deadline (TIMEOUT_SECONDS);
  GThread *thread;

  /* The other side of TestStopper: here the owner context is held by a
   * thread that does not run it. */
  g_test_summary ("A blocking stop from another thread while the owner "
                  "context is held but not iterated waits, and once the "
                  "wait exceeds stuck-log-interval it logs a warning naming "
                  "the stopper; iterating the context then completes it");

  stopper = g_object_new (GASYNC_TYPE_STOPPER, "name", "held",
                          "stuck-log-interval", (gint64) 1, NULL);
  g_signal_connect (stopper, "quiescing", G_CALLBACK (on_signal), "quiescing");
  g_signal_connect (stopper, "stopped", G_CALLBACK (on_stopped), NULL);
  gasync_stopper_add_closer (stopper, log_closer, "closer", NULL);

  /* The main thread holds the owner context: the fixture pushed it. */
  g_test_expect_message ("Gasync", G_LOG_LEVEL_WARNING,
                         "Stopper “held”: a blocking stop has waited * s for "
                         "the owner context, which another thread holds*");
  data.stopper = stopper;
  thread = g_thread_new ("stop", stop_thread, &data);
  while (!owner_wait_logged (stopper))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_thread_yield ();
    }
  g_test_assert_expected_messages ();
  g_assert_false (g_atomic_int_get (&data.returned));
  log = dup_log ();
  g_assert_cmpstr (log, ==, "");

  gasync_test_iterate_until_flag (fixture->context, &data.returned);
  g_thread_join (thread);
  g_clear_pointer (&log, g_free);
  log = dup_log ();
  g_assert_cmpstr (log, ==, "quiescing;closer;stopped;");
}

static gboolean
end_token_cb (gpointer user_data)
{
  gasync_task_token_end (user_data);
  return G_SOURCE_REMOVE;
}

static void
test_stopper_stop_blocking_runs_owner_context (Fixture       *fixture,
                                               gconstpointer  unused)
{
  g_autoptr(GasyncStopper) stopper = gasync_stopper_new ();
  g_autoptr(GasyncTaskToken) token = NULL;
  g_autoptr(GSource) source = NULL;
  g_autofree char *log = NULL;

  g_test_summary ("A blocking stop() on the owner thread iterates the owner "
                  "context while it waits: a token ended by a callback "
                  "there ends, and the stop returns");

  g_signal_connect (stopper, "stopped", G_CALLBACK (on_stopped), NULL);
  gasync_stopper_add_closer (stopper, log_closer, "closer", NULL);
  token = gasync_stopper_begin_task (stopper, "main-loop work", NULL);
  source = g_timeout_source_new (10);
  g_source_set_callback (source, end_token_cb, token, NULL);
  g_source_attach (source, fixture->context);
  gasync_stopper_stop (stopper);
  g_assert_true (gasync_task_token_is_ended (token));
  log = dup_log ();
  g_assert_cmpstr (log, ==, "closer;stopped;");
}

/* The nothing-after-the-closers test: 1,000 tasks that ran, failed or were
 * refused, stopped in each of the three ways. */
typedef enum
{
  STOP_BLOCKING_ON_OWNER,
  STOP_ASYNC,
  STOP_FROM_THREAD,
  STOP_FROM_THREAD_FREE_CONTEXT,
} StopForm;

#define SHUTDOWN_GATED 10
#define SHUTDOWN_FAILING 90
#define SHUTDOWN_QUICK 800
#define SHUTDOWN_REFUSED 100
#define SHUTDOWN_TASKS \
  (SHUTDOWN_GATED + SHUTDOWN_FAILING + SHUTDOWN_QUICK + SHUTDOWN_REFUSED)

typedef struct
{
  GasyncStopper *stopper;
  GMainContext *owner;
  TestGate gate;
  int destroyed; /* atomic */
  int failed; /* on the owner context */
  int destroyed_at_close;
  int failed_at_close;
  int closed;
} Shutdown;

static void
shutdown_destroy (gpointer user_data)
{
  Shutdown *shutdown = user_data;

  g_assert_true (g_main_context_is_owner (shutdown->owner));
  g_atomic_int_inc (&shutdown->destroyed);
}

static gboolean
shutdown_gated_task (GCancellable  *cancellable,
                     gpointer       user_data,
                     GError       **error)
{
  Shutdown *shutdown = user_data;

  return gated_task (cancellable, &shutdown->gate, error);
}

static gboolean
succeed (GCancellable  *cancellable,
         gpointer       user_data,
         GError       **error)
{
  return TRUE;
}

static void
on_shutdown_task_failed (GasyncStopper *stopper,
                         const char    *name,
                         GError        *error,
                         gpointer       user_data)
{
  Shutdown *shutdown = user_data;

  g_assert_true (g_main_context_is_owner (shutdown->owner));
  g_assert_cmpint (shutdown->closed, ==, 0);
  shutdown->failed++;
}

static void
shutdown_closer (gpointer user_data)
{
  Shutdown *shutdown = user_data;

  g_assert_true (g_main_context_is_owner (shutdown->owner));
  shutdown->destroyed_at_close = g_atomic_int_get (&shutdown->destroyed);
  shutdown->failed_at_close = shutdown->failed;
  shutdown->closed++;
}

/* Once quiescing has begun, has tasks refused from this thread (their
 * destroy notifies go to the owner context), then lets the running tasks
 * return. */
static gpointer
refuse_then_open_thread (gpointer user_data)
{
  Shutdown *shutdown = user_data;
  gint64 deadline = gasync_test_deadline (TIMEOUT_SECONDS);

  while (gasync_stopper_get_state (shutdown->stopper) == GASYNC_STOPPER_STATE_RUNNING)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_thread_yield ();
    }
  for (guint i = 0; i < SHUTDOWN_REFUSED; i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (gasync_stopper_run_async_task (shutdown->stopper, "late",
                                                     never_called, shutdown,
                                                     shutdown_destroy, &error));
      g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_UNAVAILABLE);
    }
  test_gate_open (&shutdown->gate);
  return NULL;
}

/* Waits, without iterating any context, until @weak is cleared. */
static void
wait_finalized (GWeakRef *weak)
{
  gint64 deadline = gasync_test_deadline (TIMEOUT_SECONDS);
  GObject *object;

  while ((object = g_weak_ref_get (weak)) != NULL)
    {
      g_object_unref (object);
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_thread_yield ();
    }
}

static void
test_stopper_nothing_after_closers (Fixture       *fixture,
                                    gconstpointer  data)
{
  StopForm form = GPOINTER_TO_INT (data);
  Shutdown shutdown = { 0 };
  GThread *helper;
  GWeakRef weak;

  g_test_summary ("Every destroy notify (and task-failed report) of 1,000 "
                  "tasks that ran, failed or were refused runs on the owner "
                  "context before the closers, whichever form of stop is "
                  "used; nothing of the stopper is left on the context, so "
                  "its last unref frees it without an iteration");
  g_test_bug ("13");

  /* The free-context form: nobody holds the owner context, so the
   * stopping thread runs it (there, the checks are that of the thread
   * that runs the owner context, not of the main thread). */
  if (form == STOP_FROM_THREAD_FREE_CONTEXT)
    {
      shutdown.owner = g_main_context_new ();
      g_main_context_push_thread_default (shutdown.owner);
      shutdown.stopper = gasync_stopper_new ();
      g_main_context_pop_thread_default (shutdown.owner);
    }
  else
    {
      shutdown.owner = g_main_context_ref (fixture->context);
      shutdown.stopper = gasync_stopper_new ();
    }
  test_gate_init (&shutdown.gate);
  g_weak_ref_init (&weak, shutdown.stopper);
  g_signal_connect (shutdown.stopper, "task-failed",
                    G_CALLBACK (on_shutdown_task_failed), &shutdown);
  gasync_stopper_add_closer (shutdown.stopper, shutdown_closer, &shutdown, NULL);

  for (guint i = 0; i < SHUTDOWN_GATED; i++)
    g_assert_true (gasync_stopper_run_async_task (shutdown.stopper, "gated",
                                                  shutdown_gated_task, &shutdown,
                                                  shutdown_destroy, NULL));
  /* With an error: FALSE alone, once the stop's cancellable fired, would
   * be a cancellation, which is not reported. */
  for (guint i = 0; i < SHUTDOWN_FAILING; i++)
    g_assert_true (gasync_stopper_run_async_task (shutdown.stopper, "failing",
                                                  fail_with_error, &shutdown,
                                                  shutdown_destroy, NULL));
  for (guint i = 0; i < SHUTDOWN_QUICK; i++)
    g_assert_true (gasync_stopper_run_async_task (shutdown.stopper, "quick",
                                                  succeed, &shutdown,
                                                  shutdown_destroy, NULL));
  test_gate_wait_waiting (&shutdown.gate, SHUTDOWN_GATED);
  helper = g_thread_new ("refuse", refuse_then_open_thread, &shutdown);

  switch (form)
    {
    case STOP_BLOCKING_ON_OWNER:
      /* No iteration: the stop itself runs everything on the owner. */
      gasync_stopper_stop (shutdown.stopper);
      break;

    case STOP_ASYNC:
      stop_and_wait (fixture, shutdown.stopper);
      break;

    case STOP_FROM_THREAD:
      {
        ThreadStop stop = { shutdown.stopper, FALSE };
        GThread *thread = g_thread_new ("stop", stop_thread, &stop);

        gasync_test_iterate_until_flag (fixture->context, &stop.returned);
        g_thread_join (thread);
      }
      break;

    case STOP_FROM_THREAD_FREE_CONTEXT:
      {
        ThreadStop stop = { shutdown.stopper, FALSE };
        GThread *thread = g_thread_new ("stop", stop_thread, &stop);

        /* No iteration: the stopping thread runs the owner context. */
        gasync_test_wait_flag (&stop.returned);
        g_thread_join (thread);
        g_assert_false (g_main_context_pending (shutdown.owner));
      }
      break;

    default:
      g_assert_not_reached ();
    }

  g_thread_join (helper);
  g_assert_true (gasync_stopper_is_stopped (shutdown.stopper));
  g_assert_cmpint (shutdown.closed, ==, 1);
  g_assert_cmpint (shutdown.destroyed_at_close, ==, SHUTDOWN_TASKS);
  g_assert_cmpint (shutdown.failed_at_close, ==, SHUTDOWN_FAILING);
  g_assert_cmpint (g_atomic_int_get (&shutdown.destroyed), ==, SHUTDOWN_TASKS);

  g_object_unref (shutdown.stopper);
  wait_finalized (&weak);
  g_weak_ref_clear (&weak);
  test_gate_clear (&shutdown.gate);
  g_main_context_unref (shutdown.owner);
}

static void
test_stopper_limited (Fixture       *fixture,
                      gconstpointer  unused)
{
  g_autoptr(GasyncStopper) stopper = gasync_stopper_new ();
  g_autoptr(GasyncSemaphore) sem = gasync_semaphore_new (2);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  int destroyed = 0;
  TestGate gate;

  g_test_summary ("run_limited_async_task holds a semaphore slot while it "
                  "runs; without wait a full semaphore is THROTTLED; with "
                  "wait, a cancelled wait is CANCELLED; every refusal calls "
                  "the destroy notify once and not the function");

  test_gate_init (&gate);
  g_assert_true (gasync_stopper_run_limited_async_task (stopper, "limited", sem, FALSE, NULL,
                                                        gated_task, &gate, NULL, &error));
  g_assert_true (gasync_stopper_run_limited_async_task (stopper, "limited", sem, TRUE, NULL,
                                                        gated_task, &gate, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (gasync_semaphore_get_n_available (sem), ==, 0);

  g_assert_false (gasync_stopper_run_limited_async_task (stopper, "limited", sem, FALSE, NULL,
                                                         never_called, &destroyed,
                                                         count_on_main, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_THROTTLED);
  g_clear_error (&error);

  g_cancellable_cancel (cancellable);
  g_assert_false (gasync_stopper_run_limited_async_task (stopper, "limited", sem, TRUE,
                                                         cancellable, never_called,
                                                         &destroyed, count_on_main, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  gasync_test_flush (fixture->context);
  g_assert_cmpint (destroyed, ==, 2);

  test_gate_open (&gate);
  gasync_test_iterate_until (fixture->context, num_tasks_is_zero, stopper, TIMEOUT_SECONDS);
  g_assert_cmpint (gasync_semaphore_get_n_available (sem), ==, 2);
  gasync_stopper_stop (stopper);
  g_assert_false (gasync_stopper_run_limited_async_task (stopper, "limited", sem, TRUE, NULL,
                                                         never_called, NULL, NULL, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_UNAVAILABLE);
  g_assert_cmpint (gasync_semaphore_get_n_available (sem), ==, 2);
  test_gate_clear (&gate);
}

typedef struct
{
  GasyncStopper *stopper;
  GasyncSemaphore *sem;
  GCancellable *cancellable;
  int destroyed;
  gboolean ok;
  GError *error;
} LimitedCancelled;

static void
release_slot_cb (GCancellable *cancellable,
                 gpointer      user_data)
{
  gasync_semaphore_release (user_data);
}

static gpointer
limited_cancelled_thread (gpointer user_data)
{
  LimitedCancelled *data = user_data;

  data->ok = gasync_stopper_run_limited_async_task (data->stopper, "late", data->sem, TRUE,
                                                    data->cancellable, never_called,
                                                    &data->destroyed, count_on_main,
                                                    &data->error);
  return NULL;
}

static void
test_stopper_limited_cancelled (Fixture       *fixture,
                                gconstpointer  unused)
{
  g_autoptr(GasyncStopper) stopper = gasync_stopper_new ();
  g_autoptr(GasyncSemaphore) sem = gasync_semaphore_new (1);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  LimitedCancelled late = { stopper, sem };
  int destroyed = 0;
  GThread *thread;

  /* CockroachDB pkg/util/stop, RunAsyncTaskEx: a cancelled context is
   * refused even when the semaphore has room, and a slot acquired while
   * the context was cancelled is given back. */
  g_test_summary ("A limited task whose cancellable fired is refused with "
                  "CANCELLED, slot free or not, waiting or not; its "
                  "function never runs, its destroy notify runs once and "
                  "no slot is kept");
  g_cancellable_cancel (cancellable);
  for (int wait = FALSE; wait <= TRUE; wait++)
    {
      g_assert_false (gasync_stopper_run_limited_async_task (stopper, "cancelled", sem, wait,
                                                             cancellable, never_called,
                                                             &destroyed, count_on_main,
                                                             &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_clear_error (&error);
      g_assert_cmpint (gasync_semaphore_get_n_available (sem), ==, 1);
    }

  g_test_summary ("A slot that frees in the same instant as the "
                  "cancellation is given back");
  g_assert_true (gasync_semaphore_try_acquire (sem));
  late.cancellable = g_cancellable_new ();
  /* Connected first, so the slot frees before the wait is cancelled. */
  g_cancellable_connect (late.cancellable, G_CALLBACK (release_slot_cb), sem, NULL);
  thread = g_thread_new ("late", limited_cancelled_thread, &late);
  /* The outcome must be the same wherever the cancellation lands (before
   * the wait, during it, or as the slot frees): the pause only makes the
   * racy path the usual one, nothing waits on it. */
  g_usleep (10 * G_TIME_SPAN_MILLISECOND);
  g_cancellable_cancel (late.cancellable);
  g_thread_join (thread);
  g_assert_false (late.ok);
  g_assert_error (late.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&late.error);
  g_assert_cmpint (gasync_semaphore_get_n_available (sem), ==, 1);
  g_clear_object (&late.cancellable);

  gasync_test_flush (fixture->context);
  g_assert_cmpint (destroyed, ==, 2);
  g_assert_cmpint (late.destroyed, ==, 1);
  gasync_stopper_stop (stopper);
}

typedef struct
{
  GasyncStopper *stopper;
  GasyncSemaphore *sem;
  TestGate *gate;
  gboolean ok;
  GError *error;
  int done;
} LimitedWait;

static gpointer
limited_wait_thread (gpointer user_data)
{
  LimitedWait *data = user_data;

  data->ok = gasync_stopper_run_limited_async_task (data->stopper, "waiting", data->sem,
                                                    TRUE, NULL, never_called, NULL, NULL,
                                                    &data->error);
  g_atomic_int_set (&data->done, TRUE);
  return NULL;
}

static gpointer
limited_run_thread (gpointer user_data)
{
  LimitedWait *data = user_data;

  data->ok = gasync_stopper_run_limited_async_task (data->stopper, "waiting", data->sem,
                                                    TRUE, NULL, gated_task, data->gate,
                                                    NULL, NULL);
  g_atomic_int_set (&data->done, TRUE);
  return NULL;
}

static void
test_stopper_limited_wait (Fixture       *fixture,
                           gconstpointer  unused)
{
  g_autoptr(GasyncStopper) stopper = gasync_stopper_new ();
  g_autoptr(GasyncSemaphore) sem = gasync_semaphore_new (1);
  TestGate gate;
  LimitedWait waiter = { stopper, sem, NULL, TRUE, NULL, FALSE };
  LimitedWait runner = { stopper, sem, &gate, FALSE, NULL, FALSE };
  GThread *thread;

  g_test_summary ("With wait, run_limited_async_task blocks until a slot "
                  "frees, and fails with UNAVAILABLE when quiescing begins "
                  "first");

  test_gate_init (&gate);
  g_assert_true (gasync_semaphore_try_acquire (sem));
  thread = g_thread_new ("runner", limited_run_thread, &runner);
  g_usleep (1000);
  g_assert_false (g_atomic_int_get (&runner.done));
  gasync_semaphore_release (sem);
  g_thread_join (thread);
  g_assert_true (runner.ok);
  test_gate_wait_waiting (&gate, 1);
  g_assert_cmpint (gasync_semaphore_get_n_available (sem), ==, 0);
  test_gate_open (&gate);
  gasync_test_iterate_until (fixture->context, num_tasks_is_zero, stopper, TIMEOUT_SECONDS);

  g_assert_true (gasync_semaphore_try_acquire (sem));
  thread = g_thread_new ("waiter", limited_wait_thread, &waiter);
  gasync_stopper_quiesce (stopper);
  g_thread_join (thread);
  g_assert_false (waiter.ok);
  g_assert_error (waiter.error, GASYNC_ERROR, GASYNC_ERROR_UNAVAILABLE);
  g_clear_error (&waiter.error);
  gasync_semaphore_release (sem);
  gasync_stopper_stop (stopper);
  test_gate_clear (&gate);
}

static gboolean
no_op_task (GCancellable  *cancellable,
            gpointer       user_data,
            GError       **error)
{
  return TRUE;
}

static void
test_stopper_limited_semaphore_lifetime (Fixture       *fixture,
                                         gconstpointer  unused)
{
  g_autoptr(GasyncStopper) stopper = gasync_stopper_new ();
  GasyncSemaphore *sem = gasync_semaphore_new (2);
  GasyncTestLifetime lifetime;
  TestGate gate;

  g_test_summary ("Limited tasks keep their semaphore alive while they hold "
                  "its slots, after its last other reference is dropped; "
                  "the last one to give its slot back drops it, and the "
                  "records such tasks reuse go with it");
  g_test_bug ("17");

  test_gate_init (&gate);
  gasync_test_lifetime_init (&lifetime);
  gasync_test_lifetime_watch (&lifetime, sem);
  /* Records to reuse, then two tasks that hold both slots. */
  for (guint i = 0; i < 8; i++)
    g_assert_true (gasync_stopper_run_limited_async_task (stopper, "limited", sem, TRUE,
                                                          NULL, no_op_task, NULL, NULL,
                                                          NULL));
  gasync_test_iterate_until (fixture->context, num_tasks_is_zero, stopper, TIMEOUT_SECONDS);
  for (guint i = 0; i < 2; i++)
    g_assert_true (gasync_stopper_run_limited_async_task (stopper, "limited", sem, FALSE,
                                                          NULL, gated_task, &gate, NULL,
                                                          NULL));
  test_gate_wait_waiting (&gate, 2);
  g_object_unref (sem);
  g_assert_false (g_atomic_int_get (&lifetime.gone));

  test_gate_open (&gate);
  gasync_test_lifetime_wait (&lifetime, 0);
  gasync_stopper_stop (stopper);
  test_gate_clear (&gate);
}

static void
test_stopper_begin_task (Fixture       *fixture,
                         gconstpointer  unused)
{
  g_autoptr(GasyncStopper) stopper = gasync_stopper_new ();
  GasyncTaskToken *token;
  g_autoptr(GError) error = NULL;
  int done = FALSE;

  g_test_summary ("A token counts as a running task until it ends; stop "
                  "waits for it; a dropped token ends itself with a warning");

  token = gasync_stopper_begin_task (stopper, "main-loop work", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (gasync_task_token_get_name (token), ==, "main-loop work");
  assert_running (stopper, "main-loop work=1");

  gasync_stopper_stop_async (stopper, NULL, stop_done, &done);
  gasync_test_flush (fixture->context);
  g_assert_false (done);
  g_assert_cmpint (gasync_stopper_get_state (stopper), ==, GASYNC_STOPPER_STATE_QUIESCING);

  /* The token ends itself later, on the owner context (not inside the
   * unref, which a garbage collector may make). */
  g_object_unref (token);
  g_assert_false (done);
  g_assert_cmpuint (gasync_stopper_get_n_tasks (stopper), ==, 1);
  g_test_expect_message ("Gasync", G_LOG_LEVEL_WARNING, "*“main-loop work” was dropped*");
  gasync_test_iterate_until_flag (fixture->context, &done);
  g_test_assert_expected_messages ();
}

static void
test_stopper_cancellables (Fixture       *fixture,
                           gconstpointer  unused)
{
  g_autoptr(GasyncStopper) stopper = gasync_stopper_new ();
  g_autoptr(GCancellable) parent = g_cancellable_new ();
  g_autoptr(GCancellable) child = NULL;
  g_autoptr(GCancellable) late = NULL;
  GWeakRef weak;

  g_test_summary ("Child cancellables follow their parent and their phase; "
                  "made after the phase fired, they are cancelled; the "
                  "stopper does not keep them alive");

  child = gasync_stopper_new_cancellable_on_stop (stopper, parent);
  g_assert_false (g_cancellable_is_cancelled (child));
  g_cancellable_cancel (parent);
  g_assert_true (g_cancellable_is_cancelled (child));
  g_clear_object (&child);

  for (guint i = 0; i < 100; i++)
    {
      GCancellable *dropped = gasync_stopper_new_cancellable_on_quiesce (stopper, NULL);

      g_weak_ref_init (&weak, dropped);
      g_object_unref (dropped);
      g_assert_null (g_weak_ref_get (&weak));
      g_weak_ref_clear (&weak);
    }

  child = gasync_stopper_new_cancellable_on_quiesce (stopper, NULL);
  gasync_stopper_quiesce (stopper);
  g_assert_true (g_cancellable_is_cancelled (child));
  late = gasync_stopper_new_cancellable_on_quiesce (stopper, NULL);
  g_assert_true (g_cancellable_is_cancelled (late));
  g_clear_object (&child);
  child = gasync_stopper_new_cancellable_on_stop (stopper, NULL);
  g_assert_false (g_cancellable_is_cancelled (child));
  gasync_stopper_stop (stopper);
  g_assert_true (g_cancellable_is_cancelled (child));
}

/* Bytes of the heap in use, where glibc's malloc counts them; 0 under the
 * sanitizers and valgrind, which have their own allocators. */
static gsize
heap_in_use (void)
{
#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__) && !defined(GASYNC_HAVE_TSAN)
  if (!gasync_test_is_slow ())
    return mallinfo2 ().uordblks;
#endif
  return 0;
}

static gboolean
has_handlers (GCancellable *cancellable)
{
  return g_signal_has_handler_pending (cancellable,
                                       g_signal_lookup ("cancelled", G_TYPE_CANCELLABLE),
                                       0, TRUE);
}

static void
test_stopper_cancellables_flat (Fixture       *fixture,
                                gconstpointer  unused)
{
  g_autoptr(GasyncStopper) stopper = gasync_stopper_new ();
  g_autoptr(GCancellable) parent = g_cancellable_new ();
  guint n = gasync_test_is_slow () ? 20000 : 200000;
  gsize warm = 0;

  g_test_summary ("Children of a parent that lives on, made and dropped "
                  "200,000 times, leave no handler on the parent and no "
                  "memory behind");
  g_test_bug ("13");

  for (guint i = 0; i < n; i++)
    {
      GCancellable *child = (i % 2 == 0 ?
                             gasync_stopper_new_cancellable_on_quiesce :
                             gasync_stopper_new_cancellable_on_stop) (stopper, parent);

      if (i % 1000 == 0)
        g_assert_true (has_handlers (parent));
      g_object_unref (child);
      if (i % 1000 == 0)
        g_assert_false (has_handlers (parent));
      if (i == 1000)
        warm = heap_in_use ();
    }
  g_assert_false (has_handlers (parent));
  /* 230 bytes each, before: 46 MB. */
  g_assert_cmpuint (heap_in_use (), <, warm + 1024 * 1024);
  gasync_stopper_stop (stopper);
}

static void
drop_in_handler (GCancellable *child,
                 gpointer      user_data)
{
  GCancellable **location = user_data;

  g_assert_true (*location == child);
  g_clear_object (location);
}

static void
test_stopper_cancellables_dropped_while_cancelled (Fixture       *fixture,
                                                   gconstpointer  unused)
{
  g_autoptr(GasyncStopper) stopper = gasync_stopper_new ();
  g_autoptr(GCancellable) parent = g_cancellable_new ();
  GCancellable *child;
  GWeakRef weak;

  g_test_summary ("A child whose last reference goes while its parent is "
                  "cancelling it (inside the parent's emission) is freed and "
                  "disconnected without a deadlock");

  child = gasync_stopper_new_cancellable_on_quiesce (stopper, parent);
  g_weak_ref_init (&weak, child);
  g_signal_connect (child, "cancelled", G_CALLBACK (drop_in_handler), &child);
  g_cancellable_cancel (parent);
  g_assert_null (child);
  g_assert_null (g_weak_ref_get (&weak));
  g_weak_ref_clear (&weak);
  g_assert_false (has_handlers (parent));

  /* A parent cancelled already: the child is made cancelled, and nothing
   * is connected. */
  child = gasync_stopper_new_cancellable_on_stop (stopper, parent);
  g_assert_true (g_cancellable_is_cancelled (child));
  g_assert_false (has_handlers (parent));
  g_object_unref (child);
  gasync_stopper_stop (stopper);
}

/* Threads make and drop children of one parent while it is cancelled. */
typedef struct
{
  GasyncStopper *stopper;
  GCancellable *parent;
  int made; /* atomic */
} ChildRace;

static gpointer
child_race_thread (gpointer user_data)
{
  ChildRace *race = user_data;
  guint n = gasync_test_is_slow () ? 500 : 5000;

  for (guint i = 0; i < n; i++)
    {
      gboolean was_cancelled = g_cancellable_is_cancelled (race->parent);
      g_autoptr(GCancellable) child = NULL;

      child = gasync_stopper_new_cancellable_on_quiesce (race->stopper, race->parent);
      if (was_cancelled)
        g_assert_true (g_cancellable_is_cancelled (child));
      g_atomic_int_inc (&race->made);
    }
  return NULL;
}

static void
test_stopper_cancellables_race (Fixture       *fixture,
                                gconstpointer  unused)
{
  g_autoptr(GasyncStopper) stopper = gasync_stopper_new ();
  g_autoptr(GCancellable) parent = g_cancellable_new ();
  ChildRace race = { stopper, parent, 0 };
  GThread *threads[4];
  gint64 deadline = gasync_test_deadline (TIMEOUT_SECONDS);

  g_test_summary ("Children made and dropped by 4 threads while their "
                  "parent is cancelled: each follows the parent, none is "
                  "left connected, nothing deadlocks");

  /* GLib allocates the lock of GWeakRef on first use, with atomics TSan
   * cannot see: this thread uses it first. */
  g_object_unref (gasync_stopper_new_cancellable_on_quiesce (stopper, parent));
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("children", child_race_thread, &race);
  while (g_atomic_int_get (&race.made) < 100)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_thread_yield ();
    }
  g_cancellable_cancel (parent);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
  g_assert_false (has_handlers (parent));
  gasync_stopper_stop (stopper);
}

typedef struct
{
  GasyncLock lock;
  GasyncCond cond;
  guint n;
  guint started;
} Rendezvous;

static gboolean
rendezvous_task (GCancellable  *cancellable,
                 gpointer       user_data,
                 GError       **error)
{
  Rendezvous *r = user_data;
  gint64 deadline = gasync_test_deadline (TIMEOUT_SECONDS);

  gasync_lock (&r->lock);
  if (++r->started == r->n)
    gasync_cond_broadcast (&r->cond);
  while (r->started < r->n)
    g_assert_true (gasync_cond_wait_until (&r->cond, &r->lock, deadline) ||
                   r->started >= r->n);
  gasync_unlock (&r->lock);
  return TRUE;
}

static void
test_stopper_mutual_wait (Fixture       *fixture,
                          gconstpointer  unused)
{
  g_autoptr(GasyncStopper) stopper = gasync_stopper_new ();
  Rendezvous r;

  g_test_summary ("1,000 async tasks that each wait until all have started "
                  "finish: the pool never starves");

  gasync_lock_init (&r.lock);
  gasync_cond_init (&r.cond);
  /* 1,000 threads make valgrind crawl: a smaller N there. */
  r.n = gasync_test_is_slow () ? 100 : 1000;
  r.started = 0;
  for (guint i = 0; i < r.n; i++)
    g_assert_true (gasync_stopper_run_async_task (stopper, "rendezvous", rendezvous_task,
                                                  &r, NULL, NULL));
  gasync_stopper_stop (stopper);
  g_assert_cmpuint (r.started, ==, r.n);
  gasync_cond_clear (&r.cond);
  gasync_lock_clear (&r.lock);
}

/* The last task of a stopper being stopped ends on a pool thread; the
 * stop cancellable then fires on the owner context, whose handler looks
 * out for ::stopping meanwhile. */
typedef struct
{
  int stopping; /* atomic: ::stopping was emitted */
  int fired; /* atomic: the handler of the stop cancellable returned */
  int early; /* atomic: ::stopping came while that handler ran */
  GThread *fired_in;
} LastTask;

static void
last_task_stop_cancelled (GCancellable *cancellable,
                          gpointer      user_data)
{
  LastTask *last = user_data;
  /* Waits for what must not happen: when nothing held it back, the owner
   * thread emitted ::stopping well within this. */
  gint64 until = g_get_monotonic_time () + G_USEC_PER_SEC / 5;

  last->fired_in = g_thread_self ();
  while (!g_atomic_int_get (&last->stopping) && g_get_monotonic_time () < until)
    g_thread_yield ();
  g_atomic_int_set (&last->early, g_atomic_int_get (&last->stopping));
  g_atomic_int_set (&last->fired, TRUE);
}

static void
last_task_stopping (GasyncStopper *stopper,
                    gpointer       user_data)
{
  LastTask *last = user_data;

  g_atomic_int_set (&last->stopping, TRUE);
}

static void
test_stopper_last_task_lets_go (Fixture       *fixture,
                                gconstpointer  unused)
{
  GasyncStopper *stopper = gasync_stopper_new ();
  GasyncStopper *alive = stopper;
  LastTask last = { 0 };

  g_test_summary ("When the last task ends on a pool thread, the stop "
                  "cancellable fires on the owner context (here the stopping "
                  "thread, which runs it), before ::stopping, and a stop or "
                  "quiesce returns once that thread is done with the "
                  "stopper: the caller's unref then finalizes it");
  g_test_bug ("13");

  g_object_add_weak_pointer (G_OBJECT (stopper), (gpointer *) &alive);
  g_signal_connect (stopper, "stopping", G_CALLBACK (last_task_stopping), &last);
  g_cancellable_connect (gasync_stopper_get_stop_cancellable (stopper),
                         G_CALLBACK (last_task_stop_cancelled), &last, NULL);
  /* It ends once quiescing began: the last task, on a pool thread. */
  g_assert_true (gasync_stopper_run_async_task (stopper, "last",
                                                gasync_test_task_until_cancelled,
                                                NULL, NULL, NULL));
  gasync_stopper_stop (stopper);
  g_assert_true (g_atomic_int_get (&last.stopping));
  g_assert_true (g_atomic_int_get (&last.fired));
  g_assert_false (g_atomic_int_get (&last.early));
  g_assert_true (last.fired_in == g_thread_self ());
  g_object_unref (stopper);
  g_assert_null (alive);

  stopper = alive = gasync_stopper_new ();
  g_object_add_weak_pointer (G_OBJECT (stopper), (gpointer *) &alive);
  g_assert_true (gasync_stopper_run_async_task (stopper, "last",
                                                gasync_test_task_until_cancelled,
                                                NULL, NULL, NULL));
  gasync_stopper_quiesce (stopper);
  /* Quiesced, not stopped. */
  g_test_expect_message ("Gasync", G_LOG_LEVEL_WARNING,
                         "Stopper 0x* was finalized without gasync_stopper_stop()*");
  g_object_unref (stopper);
  g_test_assert_expected_messages ();
  g_assert_null (alive);
}

static void
test_stopper_stop_async_last_task_lets_go (Fixture       *fixture,
                                           gconstpointer  unused)
{
  GasyncStopper *stopper = gasync_stopper_new ();
  GasyncStopper *alive = stopper;
  int done = FALSE;

  g_test_summary ("A stop_async() completes once the thread that ended "
                  "the last task is done with the stopper: the caller's "
                  "unref in its callback's wake finalizes it");
  g_test_bug ("14");

  g_object_add_weak_pointer (G_OBJECT (stopper), (gpointer *) &alive);
  /* It ends once quiescing began: the last task, on a pool thread. */
  g_assert_true (gasync_stopper_run_async_task (stopper, "last",
                                                gasync_test_task_until_cancelled,
                                                NULL, NULL, NULL));
  gasync_stopper_stop_async (stopper, NULL, stop_done, &done);
  gasync_test_iterate_until_flag (fixture->context, &done);
  g_object_unref (stopper);
  g_assert_null (alive);
}

/* Structured logs of the stopper, caught by the writer below, and when
 * the reports about tasks named "floor" were written. */
static GasyncLock stuck_lock;
static GString *stuck_logs;

typedef struct
{
  gint64 begun;
  gint64 ended;
} Report;

static GArray *floor_reports; /* Report */

static GLogWriterOutput
test_log_writer (GLogLevelFlags   log_level,
                 const GLogField *fields,
                 gsize            n_fields,
                 gpointer         user_data)
{
  const char *dump = NULL;
  const char *domain = NULL;
  const char *message = NULL;

  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_str_equal (fields[i].key, "GASYNC_STOPPER_DUMP"))
        dump = fields[i].value;
      else if (g_str_equal (fields[i].key, "MESSAGE"))
        message = fields[i].value;
      else if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
        domain = fields[i].value;
    }
  if (dump == NULL)
    return g_log_writer_default (log_level, fields, n_fields, user_data);

  g_assert_cmpstr (domain, ==, "Gasync");
  if (strstr (dump, "1 × floor") != NULL)
    {
      Report report = { g_get_monotonic_time (), 0 };
      guint n;

      gasync_lock (&stuck_lock);
      n = floor_reports->len;
      gasync_unlock (&stuck_lock);
      /* The first report goes to a slow log sink: the next one is due one
       * interval after this one was written, not at once. */
      if (n == 0)
        g_usleep (2 * GASYNC_STOPPER_MIN_STUCK_LOG_INTERVAL);
      report.ended = g_get_monotonic_time ();
      gasync_lock (&stuck_lock);
      g_array_append_val (floor_reports, report);
      gasync_unlock (&stuck_lock);
      return G_LOG_WRITER_HANDLED;
    }

  gasync_lock (&stuck_lock);
  /* The first line of the message, which names the stopper: the next
   * ones are the dump again. */
  g_string_append_len (stuck_logs, message, strcspn (message, "\n"));
  g_string_append (stuck_logs, "\n--\n");
  g_string_append (stuck_logs, dump);
  g_string_append (stuck_logs, "\n--\n");
  gasync_unlock (&stuck_lock);
  return G_LOG_WRITER_HANDLED;
}

static gboolean
stuck_logged_twice (gpointer data)
{
  const char *p;
  gboolean twice;

  gasync_lock (&stuck_lock);
  p = strstr (stuck_logs->str, "1 × stuck");
  twice = p != NULL && strstr (p + 1, "1 × stuck") != NULL;
  gasync_unlock (&stuck_lock);
  return twice;
}

static void
test_stopper_stuck_log (Fixture       *fixture,
                        gconstpointer  unused)
{
  g_autoptr(GasyncStopper) stopper = NULL;
  g_autofree char *dump = NULL;
  int done = FALSE;
  TestGate gate;

  g_test_summary ("When quiescing lasts longer than stuck-log-interval, the "
                  "running tasks are logged (structured, domain Gasync) "
                  "after every interval, naming the stopper; track-details "
                  "adds ages");

  stopper = g_object_new (GASYNC_TYPE_STOPPER, "track-details", TRUE,
                          "stuck-log-interval", (gint64) 20000,
                          "name", "stuck-logger", NULL);
  g_assert_true (gasync_stopper_get_track_details (stopper));
  test_gate_init (&gate);
  g_assert_true (gasync_stopper_run_async_task (stopper, "stuck", gated_task, &gate, NULL, NULL));
  test_gate_wait_waiting (&gate, 1);
  dump = gasync_stopper_dump (stopper);
  g_assert_nonnull (strstr (dump, "stuck (async task, running for "));

  gasync_stopper_stop_async (stopper, NULL, stop_done, &done);
  gasync_test_iterate_until (fixture->context, stuck_logged_twice, NULL, TIMEOUT_SECONDS);
  gasync_lock (&stuck_lock);
  g_assert_nonnull (strstr (stuck_logs->str, "1 running task\n  1 × stuck"));
  g_assert_nonnull (strstr (stuck_logs->str, "Stopper “stuck-logger” is quiescing for "));
  g_assert_nonnull (strstr (stuck_logs->str, "stuck (async task, running for "));
  gasync_unlock (&stuck_lock);
  test_gate_open (&gate);
  gasync_test_iterate_until_flag (fixture->context, &done);
  test_gate_clear (&gate);
}

static gboolean
floor_reported_thrice (gpointer data)
{
  gboolean thrice;

  gasync_lock (&stuck_lock);
  thrice = floor_reports->len >= 3;
  gasync_unlock (&stuck_lock);
  return thrice;
}

static void
test_stopper_stuck_log_floor (Fixture       *fixture,
                              gconstpointer  unused)
{
  g_autoptr(GasyncStopper) stopper = gasync_stopper_new ();
  gint64 begun, ended;
  int done = FALSE;
  TestGate gate;

  g_test_summary ("A stuck-log-interval of 1 µs is taken as the floor, "
                  "100 ms, and each report is due one interval after the "
                  "previous one was written, even to a slow log: the reports "
                  "of a stuck task are bounded by the time it is stuck");
  g_test_bug ("13");

  gasync_stopper_set_stuck_log_interval (stopper, 1);
  g_assert_cmpint (gasync_stopper_get_stuck_log_interval (stopper), ==, 1);
  test_gate_init (&gate);
  g_assert_true (gasync_stopper_run_async_task (stopper, "floor", gated_task, &gate, NULL, NULL));
  test_gate_wait_waiting (&gate, 1);

  begun = g_get_monotonic_time ();
  gasync_stopper_stop_async (stopper, NULL, stop_done, &done);
  gasync_test_iterate_until (fixture->context, floor_reported_thrice, NULL, TIMEOUT_SECONDS);
  test_gate_open (&gate);
  gasync_test_iterate_until_flag (fixture->context, &done);
  ended = g_get_monotonic_time ();

  gasync_lock (&stuck_lock);
  g_assert_cmpint (g_array_index (floor_reports, Report, 0).begun - begun, >=,
                   GASYNC_STOPPER_MIN_STUCK_LOG_INTERVAL);
  for (guint i = 1; i < floor_reports->len; i++)
    g_assert_cmpint (g_array_index (floor_reports, Report, i).begun -
                     g_array_index (floor_reports, Report, i - 1).ended, >=,
                     GASYNC_STOPPER_MIN_STUCK_LOG_INTERVAL);
  /* 109,447 reports in a second, before. */
  g_assert_cmpint (floor_reports->len, <=,
                   (ended - begun) / GASYNC_STOPPER_MIN_STUCK_LOG_INTERVAL);
  g_array_set_size (floor_reports, 0);
  gasync_unlock (&stuck_lock);
  test_gate_clear (&gate);
}

/* The stress test: tasks from 4 threads, a stop in the middle. */
typedef struct
{
  GasyncStopper *stopper;
  guint n_per_thread;
  int *ran; /* atomic per task: times run */
  int n_destroyed;
  int n_started;
  int n_refused;
} Stress;

typedef struct
{
  Stress *stress;
  guint index;
} StressTask;

static gboolean
stress_task (GCancellable  *cancellable,
             gpointer       user_data,
             GError       **error)
{
  StressTask *task = user_data;

  g_atomic_int_inc (&task->stress->ran[task->index]);
  return TRUE;
}

static void
stress_task_free (gpointer user_data)
{
  StressTask *task = user_data;

  g_atomic_int_inc (&task->stress->n_destroyed);
  g_free (task);
}

typedef struct
{
  Stress *stress;
  guint first;
} StressThread;

static gpointer
stress_thread (gpointer user_data)
{
  StressThread *thread = user_data;
  Stress *stress = thread->stress;

  for (guint i = 0; i < stress->n_per_thread; i++)
    {
      StressTask *task = g_new (StressTask, 1);
      g_autoptr(GError) error = NULL;

      /* The stop arrives in the middle: this thread begins it, the other
       * threads go on meanwhile. */
      if (thread->first == 0 && i == stress->n_per_thread / 2)
        gasync_stopper_quiesce (stress->stopper);

      task->stress = stress;
      task->index = thread->first + i;
      if (gasync_stopper_run_async_task (stress->stopper, "stress", stress_task, task,
                                         stress_task_free, &error))
        g_atomic_int_inc (&stress->n_started);
      else
        {
          g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_UNAVAILABLE);
          g_atomic_int_inc (&stress->n_refused);
        }
    }
  return NULL;
}

static gboolean
all_destroyed (gpointer data)
{
  Stress *stress = data;

  return (guint) g_atomic_int_get (&stress->n_destroyed) == 4 * stress->n_per_thread;
}

static void
test_stopper_stress (Fixture       *fixture,
                     gconstpointer  unused)
{
  g_autoptr(GasyncStopper) stopper = gasync_stopper_new ();
  Stress stress = { stopper, stress_tasks_per_thread (), NULL, 0, 0, 0 };
  StressThread threads[4];
  GThread *handles[4];
  guint total = 4 * stress.n_per_thread;
  guint n_ran = 0;

  g_test_summary ("100,000 async tasks from 4 threads with a stop in the "
                  "middle: each ran exactly once or was refused with "
                  "UNAVAILABLE, and the counts add up");

  stress.ran = g_new0 (int, total);
  for (guint i = 0; i < 4; i++)
    {
      threads[i].stress = &stress;
      threads[i].first = i * stress.n_per_thread;
      handles[i] = g_thread_new ("stress", stress_thread, &threads[i]);
    }
  for (guint i = 0; i < 4; i++)
    g_thread_join (handles[i]);
  gasync_stopper_stop (stopper);
  g_assert_cmpuint (gasync_stopper_get_n_tasks (stopper), ==, 0);
  gasync_test_iterate_until (fixture->context, all_destroyed, &stress, TIMEOUT_SECONDS);

  for (guint i = 0; i < total; i++)
    {
      int times = g_atomic_int_get (&stress.ran[i]);

      g_assert_cmpint (times, <=, 1);
      n_ran += times;
    }
  g_assert_cmpuint (n_ran, ==, (guint) stress.n_started);
  g_assert_cmpuint (n_ran + stress.n_refused, ==, total);
  g_assert_cmpuint (stress.n_refused, >, 0);
  g_free (stress.ran);
}

static void
never_close (gpointer user_data)
{
  g_assert_not_reached ();
}

static gboolean
gate_is_finished (gpointer data)
{
  return test_gate_get_passed (data) > 0;
}

static void
test_stopper_dropped_while_running (Fixture       *fixture,
                                    gconstpointer  unused)
{
  GasyncStopper *stopper = gasync_stopper_new ();
  GasyncTaskToken *token;
  int destroyed = 0;
  TestGate gate;

  g_test_summary ("A stopper dropped while tasks and tokens run "
                  "lives on until they end; the closers of a stopper that "
                  "never stopped do not run, their data is freed");

  test_gate_init (&gate);
  g_assert_true (gasync_stopper_run_async_task (stopper, "task", gated_task, &gate, NULL, NULL));
  token = gasync_stopper_begin_task (stopper, "token", NULL);
  gasync_stopper_add_closer (stopper, never_close, &destroyed, count_on_main);
  test_gate_wait_waiting (&gate, 1);
  /* Never stopped: said when the last task lets it go. */
  g_test_expect_message ("Gasync", G_LOG_LEVEL_WARNING,
                         "Stopper 0x*finalized without gasync_stopper_stop()*");
  g_object_unref (stopper);
  gasync_task_token_end (token);
  test_gate_open (&gate);
  gasync_test_iterate_until (fixture->context, gate_is_finished, &gate, TIMEOUT_SECONDS);
  g_object_unref (token);
  gasync_test_iterate_until_flag (fixture->context, &destroyed);
  g_test_assert_expected_messages ();
  test_gate_clear (&gate);
}

static TestGate unref_gate;

static gboolean
unref_gated_task (GCancellable  *cancellable,
                  gpointer       user_data,
                  GError       **error)
{
  return gated_task (cancellable, &unref_gate, error);
}

static void
count_destroy_on_main (gpointer counter)
{
  g_assert_true (g_thread_self () == main_thread);
  gasync_test_count (counter);
}

static void
test_stopper_last_unref_while_running (Fixture       *fixture,
                                       gconstpointer  unused)
{
  GasyncStopper *stopper = gasync_stopper_new ();
  GasyncTestLifetime lifetime;

  g_test_summary ("A stopper dropped while a task and a worker run: the "
                  "task keeps it alive until it returns; then the worker's "
                  "cancellable fires, and once it returned the stopper is "
                  "finalized, every destroy notify called once, the closer "
                  "not run");
  g_test_bug ("13");
  gasync_test_lifetime_init (&lifetime);
  gasync_test_lifetime_watch (&lifetime, stopper);
  test_gate_init (&unref_gate);
  g_assert_true (gasync_stopper_run_async_task (stopper, "task", unref_gated_task,
                                                &lifetime.destroyed[0],
                                                count_destroy_on_main, NULL));
  g_assert_true (gasync_stopper_run_worker (stopper, "worker",
                                            gasync_test_task_until_cancelled,
                                            &lifetime.destroyed[1],
                                            count_destroy_on_main, NULL));
  gasync_stopper_add_closer (stopper, never_close, &lifetime.destroyed[2],
                             count_destroy_on_main);
  test_gate_wait_waiting (&unref_gate, 1);

  g_object_unref (stopper);
  gasync_test_flush (fixture->context);
  g_assert_false (g_atomic_int_get (&lifetime.gone));
  /* Never stopped: said, naming the worker still running, when the task
   * lets it go. */
  g_test_expect_message ("Gasync", G_LOG_LEVEL_WARNING,
                         "Stopper 0x* was finalized without gasync_stopper_stop() "
                         "(tasks and workers it ran: 2; closers that will not run: 1); "
                         "still registered: 0 running tasks, 1 running worker, 1 * worker");
  test_gate_open (&unref_gate);
  gasync_test_lifetime_wait (&lifetime, 3);
  g_test_assert_expected_messages ();
  test_gate_clear (&unref_gate);
}

/* Every cancellable a stopper hands out, its own two and a child of each,
 * records the thread that its `cancelled` handler runs in. */
typedef struct
{
  GCancellable *cancellables[4];
  GThread *threads[4];
  int n_fired; /* atomic */
} OwnerFire;

static void
owner_fire_cancelled (GCancellable *cancellable,
                      gpointer      user_data)
{
  OwnerFire *fire = user_data;

  for (guint i = 0; i < G_N_ELEMENTS (fire->cancellables); i++)
    if (fire->cancellables[i] == cancellable)
      fire->threads[i] = g_thread_self ();
  g_atomic_int_inc (&fire->n_fired);
}

static void
owner_fire_connect (OwnerFire     *fire,
                    GasyncStopper *stopper)
{
  memset (fire, 0, sizeof *fire);
  fire->cancellables[0] = g_object_ref (gasync_stopper_get_quiesce_cancellable (stopper));
  fire->cancellables[1] = g_object_ref (gasync_stopper_get_stop_cancellable (stopper));
  fire->cancellables[2] = gasync_stopper_new_cancellable_on_quiesce (stopper, NULL);
  fire->cancellables[3] = gasync_stopper_new_cancellable_on_stop (stopper, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (fire->cancellables); i++)
    g_cancellable_connect (fire->cancellables[i], G_CALLBACK (owner_fire_cancelled),
                           fire, NULL);
}

/* Each handler ran once, on the owner context's thread. */
static void
owner_fire_assert_on_owner (OwnerFire *fire)
{
  g_assert_cmpint (g_atomic_int_get (&fire->n_fired), ==, 4);
  for (guint i = 0; i < G_N_ELEMENTS (fire->cancellables); i++)
    {
      g_assert_true (fire->threads[i] == main_thread);
      g_object_unref (fire->cancellables[i]);
    }
}

static gpointer
stop_in_thread (gpointer data)
{
  gasync_stopper_stop (data);
  return NULL;
}

static void
test_stopper_cancelled_on_owner_stop_from_thread (Fixture       *fixture,
                                                  gconstpointer  unused)
{
  g_autoptr(GasyncStopper) stopper = gasync_stopper_new ();
  OwnerFire fire;
  GThread *thread;

  g_test_summary ("A stop from a thread of its own, while a task and a "
                  "worker wait for their cancellables: the quiesce and stop "
                  "cancellables and their children emit cancelled on the "
                  "owner context, not in the stopping thread nor on the "
                  "pool thread that ends the last task");
  g_test_bug ("14");

  owner_fire_connect (&fire, stopper);
  g_assert_true (gasync_stopper_run_async_task (stopper, "task",
                                                gasync_test_task_until_cancelled,
                                                NULL, NULL, NULL));
  g_assert_true (gasync_stopper_run_worker (stopper, "worker",
                                            gasync_test_task_until_cancelled,
                                            NULL, NULL, NULL));
  thread = g_thread_new ("stop", stop_in_thread, stopper);
  gasync_test_iterate_until (fixture->context, is_stopped, stopper, TIMEOUT_SECONDS);
  g_thread_join (thread);
  owner_fire_assert_on_owner (&fire);
}

static void
test_stopper_cancelled_on_owner_token_dropped (Fixture       *fixture,
                                               gconstpointer  unused)
{
  g_autoptr(GasyncStopper) stopper = gasync_stopper_new ();
  GasyncTaskToken *token;
  OwnerFire fire;
  int done = FALSE;

  g_test_summary ("When the last task is a token dropped without end(), as "
                  "by a garbage collector, the stop cancellable and its "
                  "child emit cancelled in a dispatch of the owner context "
                  "afterwards, not inside the unref");
  g_test_bug ("14");

  owner_fire_connect (&fire, stopper);
  token = gasync_stopper_begin_task (stopper, "token", NULL);
  g_assert_nonnull (token);
  gasync_stopper_stop_async (stopper, NULL, stop_done, &done);
  g_assert_cmpint (g_atomic_int_get (&fire.n_fired), ==, 2);

  g_test_expect_message ("Gasync", G_LOG_LEVEL_WARNING,
                         "Task token “token” was dropped without*");
  g_object_unref (token);
  g_assert_cmpint (g_atomic_int_get (&fire.n_fired), ==, 2);
  gasync_test_iterate_until_flag (fixture->context, &done);
  g_test_assert_expected_messages ();
  owner_fire_assert_on_owner (&fire);
}

static gpointer
unref_in_thread (gpointer data)
{
  g_object_unref (data);
  return NULL;
}

static gboolean
all_fired (gpointer data)
{
  OwnerFire *fire = data;

  return g_atomic_int_get (&fire->n_fired) == 4;
}

static void
test_stopper_cancelled_on_owner_dropped_in_thread (Fixture       *fixture,
                                                   gconstpointer  unused)
{
  GasyncStopper *stopper = gasync_stopper_new ();
  GasyncTestLifetime lifetime;
  OwnerFire fire;
  GThread *thread;

  g_test_summary ("A stopper whose last reference goes in another thread "
                  "while a worker runs: its cancellables fire as for a stop, "
                  "on the owner context; then it is finalized");
  g_test_bug ("14");

  gasync_test_lifetime_init (&lifetime);
  gasync_test_lifetime_watch (&lifetime, stopper);
  owner_fire_connect (&fire, stopper);
  g_assert_true (gasync_stopper_run_worker (stopper, "worker",
                                            gasync_test_task_until_cancelled,
                                            &lifetime.destroyed[0],
                                            count_destroy_on_main, NULL));
  g_test_expect_message ("Gasync", G_LOG_LEVEL_WARNING,
                         "Stopper 0x* was finalized without gasync_stopper_stop()*");
  thread = g_thread_new ("unref", unref_in_thread, stopper);
  g_thread_join (thread);
  g_test_assert_expected_messages ();
  gasync_test_iterate_until (fixture->context, all_fired, &fire, TIMEOUT_SECONDS);
  gasync_test_lifetime_wait (&lifetime, 1);
  owner_fire_assert_on_owner (&fire);
}

static void
test_stopper_bad_input (void)
{
  g_autoptr(GasyncStopper) stopper = gasync_stopper_new ();
  g_autoptr(GasyncSemaphore) sem = gasync_semaphore_new (1);
  g_autoptr(GCancellable) not_a_stopper = g_cancellable_new ();

  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*name != NULL*");
  g_assert_false (gasync_stopper_run_task (stopper, NULL, never_called, NULL, NULL));
  g_test_assert_expected_messages ();

  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*func != NULL*");
  g_assert_false (gasync_stopper_run_async_task (stopper, "x", NULL, NULL, NULL, NULL));
  g_test_assert_expected_messages ();

  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*GASYNC_IS_SEMAPHORE*");
  g_assert_false (gasync_stopper_run_limited_async_task (stopper, "x", NULL, FALSE, NULL,
                                                         never_called, NULL, NULL, NULL));
  g_test_assert_expected_messages ();

  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*name != NULL*");
  g_assert_false (gasync_stopper_run_worker (stopper, NULL, never_called, NULL, NULL, NULL));
  g_test_assert_expected_messages ();

  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*name != NULL*");
  g_assert_null (gasync_stopper_begin_task (stopper, NULL, NULL));
  g_test_assert_expected_messages ();

  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*func != NULL*");
  gasync_stopper_add_closer (stopper, NULL, NULL, NULL);
  g_test_assert_expected_messages ();

  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*interval >= 0*");
  gasync_stopper_set_stuck_log_interval (stopper, -1);
  g_test_assert_expected_messages ();

  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*GASYNC_IS_STOPPER*");
  gasync_stopper_stop (NULL);
  g_test_assert_expected_messages ();

  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*GASYNC_IS_STOPPER*");
  gasync_stopper_quiesce ((GasyncStopper *) not_a_stopper);
  g_test_assert_expected_messages ();

  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*GASYNC_IS_STOPPER*");
  g_assert_null (gasync_stopper_dup_running_tasks (NULL));
  g_test_assert_expected_messages ();

  gasync_stopper_stop (stopper);
}

static void
test_stopper_disposed (Fixture       *fixture,
                       gconstpointer  unused)
{
  g_autoptr(GasyncStopper) stopper = gasync_stopper_new ();
  int destroyed = 0;

  g_test_summary ("A stopper disposed by a binding (run_dispose) before it "
                  "stopped drops its closers, freeing their data, and still "
                  "works: no crash");

  gasync_stopper_add_closer (stopper, never_close, &destroyed, count_on_main);
  g_test_expect_message ("Gasync", G_LOG_LEVEL_WARNING,
                         "*finalized without gasync_stopper_stop()*closers that will not run: 1*");
  g_object_run_dispose (G_OBJECT (stopper));
  g_test_assert_expected_messages ();
  gasync_test_iterate_until_flag (fixture->context, &destroyed);
  g_assert_true (gasync_stopper_run_task (stopper, "after", fail_silently, NULL, NULL) == FALSE);
  gasync_stopper_stop (stopper);
  g_assert_true (gasync_stopper_is_stopped (stopper));
  g_assert_cmpint (destroyed, ==, 1);
}

int
main (int    argc,
      char **argv)
{
  /* The tests read English messages and dumps. */
  g_unsetenv ("LANGUAGE");
  setlocale (LC_ALL, "C");
  g_test_init (&argc, &argv, NULL);
  main_thread = g_thread_self ();
  gasync_lock_init (&log_lock);
  event_log = g_string_new (NULL);
  gasync_lock_init (&stuck_lock);
  stuck_logs = g_string_new (NULL);
  floor_reports = g_array_new (FALSE, FALSE, sizeof (Report));
  g_log_set_writer_func (test_log_writer, NULL, NULL);

#define ADD(path, func) \
  g_test_add ("/gasync/stopper/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
#define ADD_DATA(path, func, data) \
  g_test_add ("/gasync/stopper/" path, Fixture, GINT_TO_POINTER (data), fixture_setup, \
              func, fixture_teardown)

  ADD ("new", test_stopper_new);
  ADD ("run-task", test_stopper_run_task);
  ADD ("run-async-task", test_stopper_run_async_task);
  ADD ("task-failed", test_stopper_task_failed);
  ADD ("task-failed-unhandled", test_stopper_task_failed_unhandled);
  ADD ("running-tasks", test_stopper_running_tasks);
  ADD ("order", test_stopper_order);
  ADD ("worker-refused", test_stopper_worker_refused);
  ADD ("stop-inside-task", test_stopper_stop_inside_task);
  ADD ("stop-inside-run-task", test_stopper_stop_inside_run_task);
  ADD ("stop-inside-worker-closer-handler", test_stopper_stop_inside_worker_closer_handler);
  ADD ("stop-from-threads", test_stopper_stop_from_threads);
  ADD ("stop-blocking-on-owner", test_stopper_stop_blocking_on_owner);
  ADD ("stop-async-cancel-wait", test_stopper_stop_async_cancel_wait);
  ADD ("name", test_stopper_name);
  ADD ("never-stopped", test_stopper_never_stopped);
  ADD ("leak-tracked", test_stopper_leak_tracked);
  ADD ("stop-from-thread-free-context", test_stopper_stop_from_thread_free_context);
  ADD ("stop-from-thread-held-context", test_stopper_stop_from_thread_held_context);
  ADD ("stop-blocking-runs-owner-context", test_stopper_stop_blocking_runs_owner_context);
  ADD_DATA ("nothing-after-closers/blocking-on-owner", test_stopper_nothing_after_closers,
            STOP_BLOCKING_ON_OWNER);
  ADD_DATA ("nothing-after-closers/async", test_stopper_nothing_after_closers, STOP_ASYNC);
  ADD_DATA ("nothing-after-closers/from-thread", test_stopper_nothing_after_closers,
            STOP_FROM_THREAD);
  ADD_DATA ("nothing-after-closers/from-thread-free-context",
            test_stopper_nothing_after_closers, STOP_FROM_THREAD_FREE_CONTEXT);
  ADD ("limited", test_stopper_limited);
  ADD ("limited-wait", test_stopper_limited_wait);
  ADD ("limited-cancelled", test_stopper_limited_cancelled);
  ADD ("limited-semaphore-lifetime", test_stopper_limited_semaphore_lifetime);
  ADD ("begin-task", test_stopper_begin_task);
  ADD ("cancellables", test_stopper_cancellables);
  ADD ("cancellables-flat", test_stopper_cancellables_flat);
  ADD ("cancellables-dropped-while-cancelled", test_stopper_cancellables_dropped_while_cancelled);
  ADD ("cancellables-race", test_stopper_cancellables_race);
  ADD ("mutual-wait", test_stopper_mutual_wait);
  ADD ("last-task-lets-go", test_stopper_last_task_lets_go);
  ADD ("stop-async-last-task-lets-go", test_stopper_stop_async_last_task_lets_go);
  ADD ("stuck-log", test_stopper_stuck_log);
  ADD ("stuck-log-floor", test_stopper_stuck_log_floor);
  ADD ("stress", test_stopper_stress);
  ADD ("dropped-while-running", test_stopper_dropped_while_running);
  ADD ("last-unref-while-running", test_stopper_last_unref_while_running);
  ADD ("cancelled-on-owner/stop-from-thread",
       test_stopper_cancelled_on_owner_stop_from_thread);
  ADD ("cancelled-on-owner/token-dropped", test_stopper_cancelled_on_owner_token_dropped);
  ADD ("cancelled-on-owner/dropped-in-thread",
       test_stopper_cancelled_on_owner_dropped_in_thread);
  g_test_add_func ("/gasync/stopper/bad-input", test_stopper_bad_input);
  ADD ("disposed", test_stopper_disposed);

  return g_test_run ();
}

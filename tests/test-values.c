/* test-values.c: values from thread tasks (GasyncValueFunc) through
 * futures: gasync_future_run_value_in_thread(), gasync_stopper_submit(),
 * gasync_tasks_submit() and the values of gasync_future_all()
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#include "config.h"

#include <gasync.h>

#include "gasync-test-util.h"

typedef enum
{
  KIND_INT,
  KIND_INT64,
  KIND_STRING,
  KIND_OBJECT,
  KIND_STRV,
  KIND_NONE,            /* succeeds without a value */
  KIND_ERROR,           /* resolves its result, then fails with an error */
  KIND_REJECTS,         /* rejects its result, and returns TRUE */
  KIND_KEEPS,           /* keeps its result pending, for later */
  KIND_SILENT,          /* FALSE without an error */
  KIND_UNTIL_CANCELLED, /* waits at the gate, FALSE once cancelled */
  KIND_GATE,            /* waits at the gate, then an int */
} Kind;

typedef struct
{
  Kind kind;
  int n;
  GThread *caller;
  TestGate *gate;
  int ran;              /* atomic */
  int ran_elsewhere;    /* atomic */
  int destroyed;        /* atomic */
  int done;             /* the done callback ran */
  int destroyed_before_done;
  GasyncFuture *kept;
} Job;

static void
job_init (Job      *job,
          Kind      kind,
          int       n,
          TestGate *gate)
{
  *job = (Job) { kind, n, g_thread_self (), gate };
}

static gboolean
job_func (GCancellable  *cancellable,
          GasyncFuture  *result,
          gpointer       user_data,
          GError       **error)
{
  Job *job = user_data;
  g_auto(GValue) value = G_VALUE_INIT;

  g_atomic_int_set (&job->ran_elsewhere, g_thread_self () != job->caller);
  g_atomic_int_set (&job->ran, TRUE);
  g_assert_true (GASYNC_IS_FUTURE (result));
  g_assert_false (gasync_future_is_done (result));

  switch (job->kind)
    {
    case KIND_INT:
      g_value_init (&value, G_TYPE_INT);
      g_value_set_int (&value, job->n);
      break;

    case KIND_INT64:
      g_value_init (&value, G_TYPE_INT64);
      g_value_set_int64 (&value, G_GINT64_CONSTANT (1) << 40 | job->n);
      break;

    case KIND_STRING:
      g_value_init (&value, G_TYPE_STRING);
      g_value_take_string (&value, g_strdup_printf ("value %d", job->n));
      break;

    case KIND_OBJECT:
      {
        g_autoptr(GSimpleAction) action = g_simple_action_new ("action", NULL);

        g_assert_true (gasync_future_resolve_object (result, G_OBJECT (action)));
        return TRUE;
      }

    case KIND_STRV:
      {
        const char * const strv[] = { "a", "b", NULL };

        g_value_init (&value, G_TYPE_STRV);
        g_value_set_boxed (&value, strv);
        break;
      }

    case KIND_NONE:
      return TRUE;

    case KIND_ERROR:
      g_value_init (&value, G_TYPE_STRING);
      g_value_set_string (&value, "dropped");
      gasync_future_resolve_value (result, &value);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "job %d failed", job->n);
      return FALSE;

    case KIND_REJECTS:
      {
        g_autoptr(GError) reason = g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                                                "job %d rejected", job->n);

        gasync_future_reject (result, reason);
        return TRUE;
      }

    case KIND_SILENT:
      return FALSE;

    case KIND_UNTIL_CANCELLED:
      g_assert_false (test_gate_pass (job->gate, cancellable));
      return FALSE;

    case KIND_GATE:
      g_assert_true (test_gate_pass (job->gate, NULL));
      g_value_init (&value, G_TYPE_INT);
      g_value_set_int (&value, job->n);
      break;

    case KIND_KEEPS:
      /* Settled after the function returned: ignored. */
      job->kept = g_object_ref (result);
      return TRUE;

    default:
      g_assert_not_reached ();
    }

  g_assert_true (gasync_future_resolve_value (result, &value));
  return TRUE;
}

static void
job_destroy (gpointer user_data)
{
  Job *job = user_data;

  g_assert_true (g_thread_self () == job->caller);
  g_assert_false (g_atomic_int_get (&job->destroyed));
  g_atomic_int_set (&job->destroyed, TRUE);
}

static void
job_done (GasyncFuture *future,
          gpointer      user_data)
{
  Job *job = user_data;

  g_assert_true (gasync_future_is_done (future));
  job->destroyed_before_done = g_atomic_int_get (&job->destroyed);
  job->done = TRUE;
}

/* Waits on the caller's context for the done callback of @future, which
 * must see the destroy notify of @job run. */
static void
job_wait_done (Job          *job,
               GasyncFuture *future)
{
  gasync_future_add_done_callback (future, job_done, job, NULL);
  gasync_test_iterate_until_flag (NULL, &job->done);
  g_assert_true (job->destroyed_before_done);
}

static GValue *
future_value (GasyncFuture *future)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (gasync_future_wait (future, NULL, &error));
  g_assert_no_error (error);
  return gasync_future_dup_value (future);
}

static void
value_free (GValue *value)
{
  g_boxed_free (G_TYPE_VALUE, value);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GValue, value_free)

static void
test_run_value_in_thread_types (void)
{
  Job jobs[6];
  GasyncFuture *futures[6];
  GValue *value;

  g_test_summary ("run_value_in_thread() resolves the future with the value "
                  "the function set on a worker thread, of any type, or "
                  "without one; the destroy notify runs on the caller's "
                  "context before a done callback there");
  for (Kind kind = KIND_INT; kind <= KIND_NONE; kind++)
    {
      job_init (&jobs[kind], kind, 7, NULL);
      futures[kind] = gasync_future_run_value_in_thread (NULL, job_func, &jobs[kind],
                                                         job_destroy);
    }

  value = future_value (futures[KIND_INT]);
  g_assert_true (G_VALUE_HOLDS_INT (value));
  g_assert_cmpint (g_value_get_int (value), ==, 7);
  value_free (value);

  value = future_value (futures[KIND_INT64]);
  g_assert_true (G_VALUE_HOLDS_INT64 (value));
  g_assert_cmpint (g_value_get_int64 (value), ==, G_GINT64_CONSTANT (1) << 40 | 7);
  value_free (value);

  value = future_value (futures[KIND_STRING]);
  g_assert_cmpstr (g_value_get_string (value), ==, "value 7");
  value_free (value);

  value = future_value (futures[KIND_OBJECT]);
  g_assert_true (G_VALUE_HOLDS (value, G_TYPE_SIMPLE_ACTION));
  g_assert_cmpstr (g_action_get_name (g_value_get_object (value)), ==, "action");
  value_free (value);

  value = future_value (futures[KIND_STRV]);
  g_assert_cmpstrv (g_value_get_boxed (value), ((const char * const[]) { "a", "b", NULL }));
  value_free (value);

  g_assert_null (future_value (futures[KIND_NONE]));

  for (Kind kind = KIND_INT; kind <= KIND_NONE; kind++)
    {
      g_assert_true (jobs[kind].ran_elsewhere);
      job_wait_done (&jobs[kind], futures[kind]);
      g_object_unref (futures[kind]);
    }
}

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

  awaited->value = gasync_future_await_finish (GASYNC_FUTURE (source), result,
                                               &awaited->error);
  awaited->done = TRUE;
}

static void
awaited_clear (Awaited *awaited)
{
  g_clear_pointer (&awaited->value, value_free);
  g_clear_error (&awaited->error);
  awaited->done = FALSE;
}

static void
await_future (GasyncFuture *future,
              Awaited      *awaited)
{
  awaited_clear (awaited);
  gasync_future_await_async (future, NULL, awaited_cb, awaited);
  gasync_test_iterate_until_flag (NULL, &awaited->done);
}

static void
test_run_value_in_thread_errors (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Awaited awaited = { NULL };
  TestGate gate;
  Job job;

  g_test_summary ("A failing value task rejects its future with its error "
                  "and its value is dropped, as does one that rejects its "
                  "result; FALSE without an error is "
                  "GASYNC_ERROR_FAILED naming the call, or CANCELLED once "
                  "the cancellable fired");
  job_init (&job, KIND_ERROR, 3, NULL);
  {
    g_autoptr(GasyncFuture) future =
      gasync_future_run_value_in_thread (NULL, job_func, &job, job_destroy);

    await_future (future, &awaited);
    g_assert_error (awaited.error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
    g_assert_cmpstr (awaited.error->message, ==, "job 3 failed");
    g_assert_null (awaited.value);
    g_assert_null (gasync_future_dup_value (future));
    g_assert_true (job.destroyed);
  }

  job_init (&job, KIND_REJECTS, 4, NULL);
  {
    g_autoptr(GasyncFuture) future =
      gasync_future_run_value_in_thread (NULL, job_func, &job, job_destroy);

    await_future (future, &awaited);
    g_assert_error (awaited.error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
    g_assert_cmpstr (awaited.error->message, ==, "job 4 rejected");
  }

  g_test_summary ("What settles the result future after the function "
                  "returned is ignored");
  job_init (&job, KIND_KEEPS, 0, NULL);
  {
    g_autoptr(GasyncFuture) future =
      gasync_future_run_value_in_thread (NULL, job_func, &job, job_destroy);
    g_auto(GValue) late = G_VALUE_INIT;

    await_future (future, &awaited);
    g_assert_no_error (awaited.error);
    g_assert_null (awaited.value);
    g_value_init (&late, G_TYPE_INT);
    g_value_set_int (&late, 1);
    g_assert_false (gasync_future_resolve_value (job.kept, &late));
    g_assert_null (gasync_future_dup_value (future));
    g_clear_object (&job.kept);
  }

  job_init (&job, KIND_SILENT, 0, NULL);
  {
    g_autoptr(GasyncFuture) future =
      gasync_future_run_value_in_thread (NULL, job_func, &job, job_destroy);

    await_future (future, &awaited);
    g_assert_error (awaited.error, GASYNC_ERROR, GASYNC_ERROR_FAILED);
    g_assert_nonnull (strstr (awaited.error->message,
                              "gasync_future_run_value_in_thread"));
    g_assert_true (job.destroyed);
  }

  test_gate_init (&gate);
  job_init (&job, KIND_UNTIL_CANCELLED, 0, &gate);
  {
    g_autoptr(GasyncFuture) future =
      gasync_future_run_value_in_thread (cancellable, job_func, &job, job_destroy);

    test_gate_wait_waiting (&gate, 1);
    g_assert_false (gasync_future_is_done (future));
    g_cancellable_cancel (cancellable);
    await_future (future, &awaited);
    g_assert_error (awaited.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_assert_true (job.destroyed);
  }
  test_gate_clear (&gate);
  awaited_clear (&awaited);
}

static void
test_run_value_in_thread_await (void)
{
  Awaited awaited = { NULL };
  Job job;
  g_autoptr(GasyncFuture) future = NULL;

  g_test_summary ("await_finish() gives a copy of a value task's value");
  job_init (&job, KIND_STRING, 5, NULL);
  future = gasync_future_run_value_in_thread (NULL, job_func, &job, job_destroy);
  await_future (future, &awaited);
  g_assert_no_error (awaited.error);
  g_assert_cmpstr (g_value_get_string (awaited.value), ==, "value 5");
  g_assert_true (job.destroyed);
  awaited_clear (&awaited);
}

/* all() */

static GValueArray *
all_values (GasyncFuture *all)
{
  g_autoptr(GValue) value = future_value (all);
  GValueArray *array;

  g_assert_nonnull (value);
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  g_assert_true (G_VALUE_HOLDS (value, g_value_array_get_type ()));
  array = g_value_dup_boxed (value);
  G_GNUC_END_IGNORE_DEPRECATIONS
  return array;
}

G_GNUC_BEGIN_IGNORE_DEPRECATIONS

static void
test_all_values (void)
{
  enum { N = 16 };
  GasyncFuture *futures[N];
  Job jobs[N];
  g_autoptr(GasyncFuture) all = NULL;
  g_autoptr(GasyncFuture) none = NULL;
  GValueArray *values;
  TestGate gate;

  g_test_summary ("all() resolves with a GValueArray of the values of its "
                  "futures in their order, whatever order they settle in; "
                  "a future without a value gives a NULL object");
  test_gate_init (&gate);
  for (int i = 0; i < N; i++)
    {
      Kind kind = i == 3 ? KIND_NONE : i % 2 == 0 ? KIND_GATE : KIND_STRING;

      job_init (&jobs[i], kind, i, &gate);
      futures[i] = gasync_future_run_value_in_thread (NULL, job_func, &jobs[i],
                                                      job_destroy);
    }
  all = gasync_future_all (futures, N);
  /* The even ones wait at the gate: the others settle first. */
  test_gate_wait_waiting (&gate, N / 2);
  g_assert_false (gasync_future_is_done (all));
  test_gate_open (&gate);

  values = all_values (all);
  g_assert_cmpuint (values->n_values, ==, N);
  for (int i = 0; i < N; i++)
    {
      GValue *value = g_value_array_get_nth (values, i);

      if (i == 3)
        {
          g_assert_true (G_VALUE_HOLDS_OBJECT (value));
          g_assert_null (g_value_get_object (value));
        }
      else if (i % 2 == 0)
        {
          g_assert_cmpint (g_value_get_int (value), ==, i);
        }
      else
        {
          g_autofree char *expected = g_strdup_printf ("value %d", i);

          g_assert_cmpstr (g_value_get_string (value), ==, expected);
        }
    }
  g_value_array_free (values);

  for (int i = 0; i < N; i++)
    {
      job_wait_done (&jobs[i], futures[i]);
      g_object_unref (futures[i]);
    }
  test_gate_clear (&gate);

  none = gasync_future_all (NULL, 0);
  values = all_values (none);
  g_assert_cmpuint (values->n_values, ==, 0);
  g_value_array_free (values);
}

G_GNUC_END_IGNORE_DEPRECATIONS

static void
test_all_rejected (void)
{
  GasyncFuture *futures[3];
  Job jobs[3];
  g_autoptr(GasyncFuture) all = NULL;
  g_autoptr(GError) error = NULL;

  g_test_summary ("all() over value tasks is rejected with the error of the "
                  "one that fails, without a value");
  job_init (&jobs[0], KIND_INT, 0, NULL);
  job_init (&jobs[1], KIND_ERROR, 1, NULL);
  job_init (&jobs[2], KIND_STRING, 2, NULL);
  for (int i = 0; i < 3; i++)
    futures[i] = gasync_future_run_value_in_thread (NULL, job_func, &jobs[i],
                                                    job_destroy);
  all = gasync_future_all (futures, 3);
  g_assert_false (gasync_future_wait (all, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_null (gasync_future_dup_value (all));
  for (int i = 0; i < 3; i++)
    {
      job_wait_done (&jobs[i], futures[i]);
      g_object_unref (futures[i]);
    }
}

/* gasync_stopper_submit() */

static void
test_stopper_submit (void)
{
  g_autoptr(GasyncStopper) stopper = gasync_stopper_new ();
  g_autoptr(GasyncFuture) future = NULL;
  g_autoptr(GasyncFuture) failed = NULL;
  g_autoptr(GValue) value = NULL;
  g_autoptr(GError) error = NULL;
  int n_failed = 0;
  TestGate gate;
  Job job, bad;

  g_test_summary ("stopper submit() runs a value task on the pool, counted "
                  "until it returns, and resolves its future with the "
                  "value; a failure rejects the future and is not "
                  "task-failed; the destroy notify runs on the owner "
                  "context before a done callback there");
  g_signal_connect_swapped (stopper, "task-failed",
                            G_CALLBACK (gasync_test_count), &n_failed);
  test_gate_init (&gate);
  job_init (&job, KIND_GATE, 11, &gate);
  future = gasync_stopper_submit (stopper, "submit: value", job_func, &job,
                                  job_destroy);
  test_gate_wait_waiting (&gate, 1);
  g_assert_cmpuint (gasync_stopper_get_n_tasks (stopper), ==, 1);
  g_assert_false (gasync_future_is_done (future));
  test_gate_open (&gate);
  value = future_value (future);
  g_assert_cmpint (g_value_get_int (value), ==, 11);
  g_assert_true (job.ran_elsewhere);
  job_wait_done (&job, future);

  job_init (&bad, KIND_ERROR, 12, NULL);
  failed = gasync_stopper_submit (stopper, "submit: failing", job_func, &bad,
                                  job_destroy);
  g_assert_false (gasync_future_wait (failed, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  job_wait_done (&bad, failed);

  gasync_stopper_stop (stopper);
  g_assert_cmpint (n_failed, ==, 0);
  test_gate_clear (&gate);
}

static void
closer_checks_destroyed (gpointer user_data)
{
  Job *job = user_data;

  g_assert_true (g_atomic_int_get (&job->destroyed));
}

static void
test_stopper_submit_refused (void)
{
  g_autoptr(GasyncStopper) stopper = gasync_stopper_new ();
  g_autoptr(GasyncFuture) future = NULL;
  g_autoptr(GasyncFuture) running = NULL;
  g_autoptr(GError) error = NULL;
  TestGate gate;
  Job job, late;

  g_test_summary ("stopper submit() once quiescing rejects the future with "
                  "UNAVAILABLE without calling the function, and calls the "
                  "destroy notify once, before a done callback; a stop "
                  "waits for a submitted task, whose destroy notify runs "
                  "before the closers");
  test_gate_init (&gate);
  job_init (&job, KIND_GATE, 1, &gate);
  running = gasync_stopper_submit (stopper, "submit: running", job_func, &job,
                                   job_destroy);
  gasync_stopper_add_closer (stopper, closer_checks_destroyed, &job, NULL);
  test_gate_wait_waiting (&gate, 1);
  gasync_stopper_stop_async (stopper, NULL, NULL, NULL);
  g_assert_cmpint (gasync_stopper_get_state (stopper), ==,
                   GASYNC_STOPPER_STATE_QUIESCING);

  job_init (&late, KIND_INT, 2, NULL);
  future = gasync_stopper_submit (stopper, "submit: late", job_func, &late,
                                  job_destroy);
  g_assert_true (gasync_future_is_done (future));
  g_assert_false (gasync_future_wait (future, NULL, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_UNAVAILABLE);
  g_assert_nonnull (strstr (error->message, "submit: late"));
  job_wait_done (&late, future);
  g_assert_false (late.ran);

  g_assert_false (gasync_future_is_done (running));
  test_gate_open (&gate);
  gasync_test_iterate_until (NULL, (GasyncTestPredicate) gasync_stopper_is_stopped,
                             stopper, GASYNC_TEST_TIMEOUT_SECONDS);
  g_assert_true (gasync_future_is_done (running));
  job_wait_done (&job, running);
  test_gate_clear (&gate);
}

/* gasync_tasks_submit() */

static void
test_tasks_submit (void)
{
  g_autoptr(GasyncTasks) tasks = gasync_tasks_new ("values");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GasyncFuture) future = NULL;
  g_autoptr(GasyncFuture) failed = NULL;
  g_autoptr(GasyncFuture) cancelled = NULL;
  g_autoptr(GPtrArray) errors = NULL;
  g_autoptr(GValue) value = NULL;
  g_autoptr(GError) error = NULL;
  int n_failed = 0;
  TestGate gate;
  Job job, bad, stopping;

  g_test_summary ("tasks submit() runs a value task counted in the group "
                  "and resolves its future with the value; a failure "
                  "rejects the future only (not kept, not task-failed); the "
                  "cancellable reaches the function");
  g_signal_connect_swapped (tasks, "task-failed",
                            G_CALLBACK (gasync_test_count), &n_failed);
  test_gate_init (&gate);
  job_init (&job, KIND_GATE, 21, &gate);
  future = gasync_tasks_submit (tasks, "value", NULL, job_func, &job, job_destroy);
  test_gate_wait_waiting (&gate, 1);
  g_assert_cmpuint (gasync_tasks_get_n_running (tasks), ==, 1);
  test_gate_open (&gate);
  value = future_value (future);
  g_assert_cmpint (g_value_get_int (value), ==, 21);
  job_wait_done (&job, future);
  test_gate_clear (&gate);

  job_init (&bad, KIND_ERROR, 22, NULL);
  failed = gasync_tasks_submit (tasks, "failing", NULL, job_func, &bad, job_destroy);
  g_assert_false (gasync_future_wait (failed, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);
  job_wait_done (&bad, failed);

  test_gate_init (&gate);
  job_init (&stopping, KIND_UNTIL_CANCELLED, 0, &gate);
  cancelled = gasync_tasks_submit (tasks, "cancelled", cancellable, job_func,
                                   &stopping, job_destroy);
  test_gate_wait_waiting (&gate, 1);
  g_cancellable_cancel (cancellable);
  g_assert_false (gasync_future_wait (cancelled, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  job_wait_done (&stopping, cancelled);
  test_gate_clear (&gate);

  g_assert_true (gasync_tasks_wait (tasks, NULL, NULL));
  gasync_test_flush (NULL);
  errors = gasync_tasks_dup_errors (tasks);
  g_assert_cmpuint (errors->len, ==, 0);
  g_assert_cmpint (n_failed, ==, 0);
}

static void
test_bad_input (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GasyncStopper) stopper = gasync_stopper_new ();
      g_autoptr(GasyncTasks) tasks = gasync_tasks_new ("bad");

      gasync_test_criticals_not_fatal ();
      g_assert_null (gasync_future_run_value_in_thread (NULL, NULL, NULL, NULL));
      g_assert_null (gasync_stopper_submit (stopper, "x", NULL, NULL, NULL));
      g_assert_null (gasync_stopper_submit (stopper, NULL, job_func, NULL, NULL));
      g_assert_null (gasync_tasks_submit (tasks, "x", NULL, NULL, NULL, NULL));
      g_assert_null (gasync_tasks_submit (tasks, NULL, NULL, job_func, NULL, NULL));
      return;
    }

  g_test_summary ("The value forms refuse a NULL function or name with a "
                  "critical");
  g_test_trap_subprocess (NULL, gasync_test_subprocess_timeout (), 0);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*gasync_future_run_value_in_thread*func != NULL*"
                             "*gasync_stopper_submit*func != NULL*"
                             "*gasync_stopper_submit*name != NULL*"
                             "*gasync_tasks_submit*func != NULL*"
                             "*gasync_tasks_submit*name != NULL*");
}

/* As in test-future.c: a source of the default priority attached for the
 * whole test keeps GMainContext's list of them allocated by this thread,
 * which TSan would otherwise see freed and allocated under GLib's futex
 * mutex by the threads that queue the done callbacks. */
static gboolean
never_ready (GSource *source,
             int     *timeout)
{
  *timeout = -1;
  return FALSE;
}

static GSourceFuncs keeper_funcs = { never_ready, NULL, NULL, NULL, NULL, NULL };

int
main (int   argc,
      char *argv[])
{
  GSource *keeper;
  int status;

  g_test_init (&argc, &argv, NULL);
  keeper = g_source_new (&keeper_funcs, sizeof (GSource));
  g_source_attach (keeper, NULL);

  g_test_add_func ("/gasync/future/run-value-in-thread/types",
                   test_run_value_in_thread_types);
  g_test_add_func ("/gasync/future/run-value-in-thread/errors",
                   test_run_value_in_thread_errors);
  g_test_add_func ("/gasync/future/run-value-in-thread/await",
                   test_run_value_in_thread_await);
  g_test_add_func ("/gasync/future/all/values", test_all_values);
  g_test_add_func ("/gasync/future/all/rejected", test_all_rejected);
  g_test_add_func ("/gasync/stopper/submit", test_stopper_submit);
  g_test_add_func ("/gasync/stopper/submit-refused", test_stopper_submit_refused);
  g_test_add_func ("/gasync/tasks/submit", test_tasks_submit);
  g_test_add_func ("/gasync/future/values/bad-input", test_bad_input);

  status = g_test_run ();
  g_source_destroy (keeper);
  g_source_unref (keeper);
  return status;
}

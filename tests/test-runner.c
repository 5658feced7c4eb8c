/* test-runner.c: GasyncRunner runs a service until it returns or stops
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#include "config.h"

#include "gasync-private.h"
#include "gasync-runner-private.h"
#include "gasync-test-util.h"

static GThread *main_thread;

typedef struct
{
  guint finished;
  GasyncRunnerResult *result;
  GThread *thread;
  gboolean callback_done;
  gboolean callback_after_finished;
  gboolean ok;
  GError *error;
} Observed;

static void
observed_clear (Observed *obs)
{
  g_clear_pointer (&obs->result, gasync_runner_result_unref);
  g_clear_error (&obs->error);
}

static void
finished_cb (GasyncRunner       *runner,
             GasyncRunnerResult *result,
             gpointer            data)
{
  Observed *obs = data;

  obs->finished++;
  obs->thread = g_thread_self ();
  g_clear_pointer (&obs->result, gasync_runner_result_unref);
  obs->result = gasync_runner_result_ref (result);
}

static void
run_done_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  Observed *obs = data;

  g_assert_true (g_thread_self () == main_thread);
  obs->callback_after_finished = obs->finished == 1;
  obs->ok = gasync_runner_run_finish (GASYNC_RUNNER (source), result, &obs->error);
  obs->callback_done = TRUE;
}

static GasyncRunner *
observed_runner (TestService *svc,
                 const char  *id,
                 Observed    *obs)
{
  GasyncRunner *runner = test_service_new_runner (svc, id);

  g_signal_connect (runner, "finished", G_CALLBACK (finished_cb), obs);
  return runner;
}

static void
test_runner_returns_by_itself (void)
{
  g_autoptr(TestService) svc = test_service_new ();
  Observed obs = { 0 };
  GasyncRunner *runner;
  g_autofree char *id = NULL;
  gboolean ok;
  GError *error = NULL;

  g_test_summary ("run() blocks until the function returns by itself; the "
                  "stop function is not called; finished is emitted once on "
                  "the owner context and the function runs on another thread");

  runner = observed_runner (svc, "http", &obs);
  g_assert_cmpstr (gasync_runner_get_id (runner), ==, "http");
  g_object_get (runner, "id", &id, NULL);
  g_assert_cmpstr (id, ==, "http");

  test_service_finish (svc);
  ok = gasync_runner_run (runner, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpuint (svc->runs, ==, 1);
  g_assert_true (svc->run_thread != main_thread);
  g_assert_cmpuint (svc->stop_calls, ==, 0);
  /* Finished and returned: nothing calls the functions any more. */
  g_assert_cmpuint (svc->destroyed, ==, 1);
  g_assert_cmpuint (obs.finished, ==, 1);
  g_assert_true (obs.thread == main_thread);
  g_assert_cmpstr (gasync_runner_result_get_id (obs.result), ==, "http");
  g_assert_null (gasync_runner_result_get_error (obs.result));

  /* Interrupting a runner that finished never calls its stop function. */
  gasync_runner_interrupt (runner);
  gasync_test_flush (NULL);
  g_assert_cmpuint (svc->stop_calls, ==, 0);

  gasync_test_unref_and_wait (runner);
  g_assert_cmpuint (svc->destroyed, ==, 1);
  observed_clear (&obs);
}

static void
test_runner_error (void)
{
  g_autoptr(TestService) svc = test_service_new ();
  g_autoptr(TestService) silent = test_service_new ();
  Observed obs = { 0 };
  GasyncRunner *runner;
  GError *error = NULL;

  svc->error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE, "busy");
  runner = observed_runner (svc, "http", &obs);
  test_service_finish (svc);
  g_assert_false (gasync_runner_run (runner, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
  g_assert_error ((GError *) gasync_runner_result_get_error (obs.result),
                  G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
  g_clear_error (&error);
  gasync_test_unref_and_wait (runner);

  /* FALSE without an error is FAILED, naming the runner. */
  silent->fail_silently = TRUE;
  runner = test_service_new_runner (silent, "quiet");
  test_service_finish (silent);
  g_assert_false (gasync_runner_run (runner, NULL, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "quiet"));
  g_clear_error (&error);
  gasync_test_unref_and_wait (runner);
  observed_clear (&obs);
}

static gpointer
interrupt_later (gpointer data)
{
  GasyncRunner *runner = data;
  TestService *svc = g_object_get_data (G_OBJECT (runner), "svc");

  test_service_wait_runs (svc, 1);
  gasync_runner_interrupt (runner);
  gasync_runner_interrupt (runner);
  return NULL;
}

static void
test_runner_interrupt (void)
{
  g_autoptr(TestService) svc = test_service_new ();
  Observed obs = { 0 };
  GasyncRunner *runner;
  GThread *thread;
  GError *error = NULL;

  g_test_summary ("interrupt() from another thread cancels the function's "
                  "cancellable and calls the stop function once, on the "
                  "owner context; run() returns the function's result");

  runner = observed_runner (svc, "http", &obs);
  g_object_set_data (G_OBJECT (runner), "svc", svc);
  thread = g_thread_new ("interrupter", interrupt_later, runner);
  g_assert_true (gasync_runner_run (runner, NULL, &error));
  g_assert_no_error (error);
  g_thread_join (thread);
  gasync_test_flush (NULL);

  g_assert_cmpuint (svc->stop_calls, ==, 1);
  g_assert_true (svc->stop_thread == main_thread);
  g_assert_true (svc->cancelled_at_stop);
  g_assert_cmpuint (obs.finished, ==, 1);
  gasync_test_unref_and_wait (runner);
  observed_clear (&obs);
}

static void
test_runner_interrupt_before_run (void)
{
  g_autoptr(TestService) svc = test_service_new ();
  GasyncRunner *runner = test_service_new_runner (svc, "idle");
  GError *error = NULL;

  gasync_runner_interrupt (runner);
  gasync_test_flush (NULL);
  g_assert_cmpuint (svc->stop_calls, ==, 0);

  test_service_finish (svc);
  g_assert_true (gasync_runner_run (runner, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (svc->stop_calls, ==, 0);
  gasync_test_unref_and_wait (runner);
}

static void
test_runner_timeout (void)
{
  g_autoptr(TestService) svc = test_service_new ();
  Observed obs = { 0 };
  GasyncRunner *runner;
  gint64 start;

  g_test_summary ("A function that does not return within the interrupt "
                  "timeout gives a TIMEOUT naming the runner and the "
                  "duration; its late return is ignored");

  svc->ignore_stop = TRUE;
  runner = observed_runner (svc, "stubborn", &obs);
  gasync_runner_set_interrupt_timeout (runner, 50 * G_TIME_SPAN_MILLISECOND);
  g_assert_cmpint (gasync_runner_get_interrupt_timeout (runner), ==, 50 * G_TIME_SPAN_MILLISECOND);

  gasync_runner_run_async (runner, NULL, run_done_cb, &obs);
  test_service_iterate_until_running (svc);
  start = g_get_monotonic_time ();
  gasync_runner_interrupt (runner);
  gasync_test_iterate_until_flag (NULL, &obs.callback_done);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 50 * G_TIME_SPAN_MILLISECOND);

  g_assert_false (obs.ok);
  g_assert_error (obs.error, GASYNC_ERROR, GASYNC_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (obs.error->message, "stubborn"));
  g_assert_nonnull (strstr (obs.error->message, "0.05 s"));
  g_assert_cmpuint (svc->stop_calls, ==, 1);
  g_assert_cmpuint (obs.finished, ==, 1);
  /* The function still runs, with its data. */
  g_assert_cmpuint (svc->destroyed, ==, 0);

  test_service_release (svc);
  gasync_test_iterate_until_count (NULL, &svc->destroyed, 1);
  gasync_test_unref_and_wait (runner);
  g_assert_cmpuint (obs.finished, ==, 1);
  g_assert_cmpuint (svc->returns, ==, 1);
  g_assert_cmpuint (svc->destroyed, ==, 1);
  observed_clear (&obs);
}

static void
test_runner_zero_timeout (void)
{
  g_autoptr(TestService) svc = test_service_new ();
  GasyncRunner *runner;
  GCancellable *cancellable = g_cancellable_new ();
  GError *error = NULL;

  svc->ignore_stop = TRUE;
  runner = test_service_new_runner (svc, "now");
  gasync_runner_set_interrupt_timeout (runner, 0);
  g_cancellable_cancel (cancellable);
  g_assert_false (gasync_runner_run (runner, cancellable, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_TIMEOUT);
  g_clear_error (&error);

  test_service_release (svc);
  gasync_test_unref_and_wait (runner);
  g_object_unref (cancellable);
}

static gpointer
cancel_later (gpointer data)
{
  GCancellable *cancellable = data;
  TestService *svc = g_object_get_data (G_OBJECT (cancellable), "svc");

  test_service_wait_runs (svc, 1);
  g_cancellable_cancel (cancellable);
  return NULL;
}

static void
test_runner_cancellable (void)
{
  g_autoptr(TestService) svc = test_service_new ();
  GasyncRunner *runner;
  GCancellable *cancellable = g_cancellable_new ();
  GThread *thread;
  GError *error = NULL;

  g_test_summary ("Cancelling the run's cancellable interrupts the runner; "
                  "the result is the function's, not CANCELLED");

  svc->error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CLOSED, "closed");
  runner = test_service_new_runner (svc, "http");
  g_object_set_data (G_OBJECT (cancellable), "svc", svc);
  thread = g_thread_new ("canceller", cancel_later, cancellable);
  g_assert_false (gasync_runner_run (runner, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_clear_error (&error);
  g_thread_join (thread);
  g_assert_cmpuint (svc->stop_calls, ==, 1);

  gasync_test_unref_and_wait (runner);
  g_object_unref (cancellable);
}

static void
test_runner_already_started (void)
{
  g_autoptr(TestService) svc = test_service_new ();
  Observed obs = { 0 };
  GasyncRunner *runner;
  GError *error = NULL;

  runner = test_service_new_runner (svc, "once");
  test_service_finish (svc);
  g_assert_true (gasync_runner_run (runner, NULL, &error));

  g_assert_false (gasync_runner_run (runner, NULL, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_ALREADY_STARTED);
  g_assert_nonnull (strstr (error->message, "once"));
  g_clear_error (&error);

  gasync_runner_run_async (runner, NULL, run_done_cb, &obs);
  gasync_test_iterate_until_flag (NULL, &obs.callback_done);
  g_assert_error (obs.error, GASYNC_ERROR, GASYNC_ERROR_ALREADY_STARTED);
  g_assert_cmpuint (svc->runs, ==, 1);

  gasync_test_unref_and_wait (runner);
  observed_clear (&obs);
}

static void
test_runner_run_async (void)
{
  g_autoptr(TestService) svc = test_service_new ();
  Observed obs = { 0 };
  GasyncRunner *runner;

  g_test_summary ("run_async() completes on the caller's context after "
                  "finished was emitted");

  runner = observed_runner (svc, "async", &obs);
  gasync_runner_run_async (runner, NULL, run_done_cb, &obs);
  test_service_iterate_until_running (svc);
  g_assert_false (obs.callback_done);
  gasync_runner_interrupt (runner);
  gasync_test_iterate_until_flag (NULL, &obs.callback_done);
  g_assert_true (obs.ok);
  g_assert_no_error (obs.error);
  g_assert_true (obs.callback_after_finished);
  g_assert_cmpuint (svc->stop_calls, ==, 1);

  gasync_test_unref_and_wait (runner);
  observed_clear (&obs);
}

static void
test_runner_default_timeout (void)
{
  g_autoptr(TestService) svc = test_service_new ();
  GasyncRunner *runner;
  gint64 value = 0;

  g_assert_cmpint (gasync_runner_get_default_interrupt_timeout (), ==, 10 * G_TIME_SPAN_SECOND);
  runner = test_service_new_runner (svc, "a");
  g_assert_cmpint (gasync_runner_get_interrupt_timeout (runner), ==, 10 * G_TIME_SPAN_SECOND);
  g_object_unref (runner);

  gasync_runner_set_default_interrupt_timeout (2 * G_TIME_SPAN_SECOND);
  runner = test_service_new_runner (svc, "b");
  g_object_get (runner, "interrupt-timeout", &value, NULL);
  g_assert_cmpint (value, ==, 2 * G_TIME_SPAN_SECOND);
  g_object_unref (runner);
  gasync_runner_set_default_interrupt_timeout (10 * G_TIME_SPAN_SECOND);
}

typedef struct
{
  GasyncRunner *runner;
  guint starts;
  guint stops;
  GThread *start_thread;
  GCancellable *cancellable;
  gboolean complete_on_stop;
} MainLoopService;

static void
main_loop_start (GasyncRunner *runner,
                 GCancellable *cancellable,
                 gpointer      data)
{
  MainLoopService *mls = data;

  mls->starts++;
  mls->start_thread = g_thread_self ();
  mls->cancellable = cancellable;
}

static void
main_loop_stop (gpointer data)
{
  MainLoopService *mls = data;
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CLOSED, "closed");

  mls->stops++;
  g_assert_true (g_cancellable_is_cancelled (mls->cancellable));
  if (mls->complete_on_stop)
    gasync_runner_complete (mls->runner, error);
}

static void
test_runner_main_loop (void)
{
  MainLoopService mls = { 0 };
  Observed obs = { 0 };
  GasyncRunner *runner;

  g_test_summary ("The main-loop form starts on the owner context and runs "
                  "until complete(); interrupt calls its stop function");

  runner = gasync_runner_new_for_main_loop ("loop", main_loop_start,
                                            main_loop_stop, &mls, NULL);
  mls.runner = runner;
  mls.complete_on_stop = TRUE;
  g_signal_connect (runner, "finished", G_CALLBACK (finished_cb), &obs);
  gasync_runner_run_async (runner, NULL, run_done_cb, &obs);
  gasync_test_iterate_until_count (NULL, &mls.starts, 1);
  g_assert_true (mls.start_thread == main_thread);
  g_assert_false (obs.callback_done);

  gasync_runner_interrupt (runner);
  gasync_test_iterate_until_flag (NULL, &obs.callback_done);
  g_assert_cmpuint (mls.stops, ==, 1);
  g_assert_error (obs.error, G_IO_ERROR, G_IO_ERROR_CLOSED);

  /* Completing again is a programming error. */
  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*“loop” completed while*");
  gasync_runner_complete (runner, NULL);
  g_test_assert_expected_messages ();

  gasync_test_unref_and_wait (runner);
  observed_clear (&obs);
}

static void
test_runner_main_loop_timeout (void)
{
  MainLoopService mls = { 0 };
  Observed obs = { 0 };
  GasyncRunner *runner;

  runner = gasync_runner_new_for_main_loop ("slow", main_loop_start,
                                            main_loop_stop, &mls, NULL);
  mls.runner = runner;
  gasync_runner_set_interrupt_timeout (runner, 20 * G_TIME_SPAN_MILLISECOND);
  gasync_runner_run_async (runner, NULL, run_done_cb, &obs);
  gasync_test_iterate_until_count (NULL, &mls.starts, 1);
  gasync_runner_interrupt (runner);
  gasync_test_iterate_until_flag (NULL, &obs.callback_done);
  g_assert_error (obs.error, GASYNC_ERROR, GASYNC_ERROR_TIMEOUT);

  /* The late completion is accepted and ignored. */
  gasync_runner_complete (runner, NULL);
  gasync_test_unref_and_wait (runner);
  observed_clear (&obs);
}

typedef struct
{
  guint calls;
  GasyncRunner *runner;         /* as given to the closure */
  GThread *thread;
  gboolean complete;            /* the main-loop form: complete when stopped */
  guint finalized;
} StopClosure;

static void
stop_closure_cb (GasyncRunner *runner,
                 gpointer      data)
{
  StopClosure *stop = data;

  g_assert_true (GASYNC_IS_RUNNER (runner));
  stop->calls++;
  stop->runner = runner;
  stop->thread = g_thread_self ();
  if (stop->complete)
    gasync_runner_complete_ok (runner);
}

static void
stop_closure_finalized (gpointer  data,
                        GClosure *closure)
{
  ((StopClosure *) data)->finalized++;
}

static void
test_runner_stop_closure (void)
{
  g_autoptr(TestService) svc = test_service_new ();
  StopClosure stop = { 0 };
  Observed obs = { 0 };
  GasyncRunner *runner;

  g_test_summary ("The form for bindings: the stop function is a GClosure, "
                  "called with the runner on the owner context; it and the "
                  "run function's data are released once the runner "
                  "finished and its function returned");
  g_test_bug ("16");

  runner = gasync_runner_new_with_stop_closure ("closure", test_service_run,
                                                g_cclosure_new (G_CALLBACK (stop_closure_cb),
                                                                &stop, stop_closure_finalized),
                                                svc, test_service_destroyed);
  gasync_runner_run_async (runner, NULL, run_done_cb, &obs);
  test_service_iterate_until_running (svc);
  g_assert_cmpuint (stop.finalized, ==, 0);

  /* The closure stands for the stop function: the run function waits for
   * the cancellation, which comes with it. */
  test_service_finish (svc);
  gasync_test_iterate_until_flag (NULL, &obs.callback_done);
  g_assert_true (obs.ok);
  g_assert_cmpuint (stop.calls, ==, 0);
  g_assert_cmpuint (stop.finalized, ==, 1);
  g_assert_cmpuint (svc->destroyed, ==, 1);
  gasync_test_unref_and_wait (runner);
  observed_clear (&obs);

  /* Interrupted: the closure gets the runner, on the owner context. */
  memset (&obs, 0, sizeof obs);
  memset (&stop, 0, sizeof stop);
  svc->destroyed = 0;
  svc->ignore_stop = TRUE;
  runner = gasync_runner_new_with_stop_closure ("closure", test_service_run,
                                                g_cclosure_new (G_CALLBACK (stop_closure_cb),
                                                                &stop, stop_closure_finalized),
                                                svc, test_service_destroyed);
  gasync_runner_run_async (runner, NULL, run_done_cb, &obs);
  test_service_iterate_until_running (svc);
  gasync_runner_interrupt (runner);
  gasync_test_iterate_until_count (NULL, &stop.calls, 1);
  g_assert_true (stop.runner == runner);
  g_assert_true (stop.thread == main_thread);
  g_assert_cmpuint (stop.finalized, ==, 0);
  test_service_release (svc);
  gasync_test_iterate_until_flag (NULL, &obs.callback_done);
  gasync_test_iterate_until_count (NULL, &stop.finalized, 1);
  g_assert_cmpuint (svc->destroyed, ==, 1);
  gasync_test_unref_and_wait (runner);
  g_assert_cmpuint (stop.calls, ==, 1);
  observed_clear (&obs);
}

static void
test_runner_main_loop_stop_closure (void)
{
  MainLoopService mls = { 0 };
  StopClosure stop = { .complete = TRUE };
  Observed obs = { 0 };
  GasyncRunner *runner;

  g_test_summary ("The main-loop form for bindings: the stop closure gets "
                  "the runner; the closure and the start function's data "
                  "are released once the runner finished");
  g_test_bug ("16");

  runner = gasync_runner_new_for_main_loop_with_stop_closure ("loop",
      main_loop_start,
      g_cclosure_new (G_CALLBACK (stop_closure_cb), &stop, stop_closure_finalized),
      &mls, NULL);
  gasync_runner_run_async (runner, NULL, run_done_cb, &obs);
  gasync_test_iterate_until_count (NULL, &mls.starts, 1);
  gasync_runner_interrupt (runner);
  gasync_test_iterate_until_flag (NULL, &obs.callback_done);
  g_assert_no_error (obs.error);
  g_assert_true (obs.ok);
  g_assert_cmpuint (stop.calls, ==, 1);
  g_assert_true (stop.runner == runner);
  g_assert_true (stop.thread == main_thread);
  g_assert_cmpuint (stop.finalized, ==, 1);
  gasync_test_unref_and_wait (runner);
  observed_clear (&obs);

  /* A runner that never ran releases them when finalized. */
  memset (&stop, 0, sizeof stop);
  runner = gasync_runner_new_for_main_loop_with_stop_closure ("idle",
      main_loop_start,
      g_cclosure_new (G_CALLBACK (stop_closure_cb), &stop, stop_closure_finalized),
      &mls, NULL);
  g_assert_cmpuint (stop.finalized, ==, 0);
  g_object_unref (runner);
  g_assert_cmpuint (stop.finalized, ==, 1);
  g_assert_cmpuint (stop.calls, ==, 0);
}

static void
ready_notified_cb (GObject    *object,
                   GParamSpec *pspec,
                   gpointer    data)
{
  g_assert_true (g_thread_self () == main_thread);
  (*(guint *) data)++;
}

static void
test_runner_ready (void)
{
  g_autoptr(TestService) svc = test_service_new ();
  g_autoptr(TestService) svc2 = test_service_new ();
  GasyncRunner *plain, *reporting;
  guint plain_notified = 0, reporting_notified = 0;
  gboolean value;

  plain = test_service_new_runner (svc, "plain");
  reporting = test_service_new_runner (svc2, "reporting");
  g_assert_false (gasync_runner_get_reports_ready (reporting));
  gasync_runner_set_reports_ready (reporting, TRUE);
  g_object_get (reporting, "reports-ready", &value, NULL);
  g_assert_true (value);
  g_signal_connect (plain, "notify::ready", G_CALLBACK (ready_notified_cb), &plain_notified);
  g_signal_connect (reporting, "notify::ready", G_CALLBACK (ready_notified_cb), &reporting_notified);

  gasync_runner_run_async (plain, NULL, NULL, NULL);
  gasync_runner_run_async (reporting, NULL, NULL, NULL);
  test_service_iterate_until_running (svc);
  test_service_iterate_until_running (svc2);
  gasync_test_flush (NULL);
  g_assert_true (gasync_runner_get_ready (plain));
  g_assert_cmpuint (plain_notified, ==, 1);
  g_assert_false (gasync_runner_get_ready (reporting));

  gasync_runner_notify_ready (reporting);
  gasync_test_iterate_until_count (NULL, &reporting_notified, 1);
  g_assert_true (gasync_runner_get_ready (reporting));

  gasync_runner_interrupt (plain);
  gasync_runner_interrupt (reporting);
  gasync_test_unref_and_wait (plain);
  gasync_test_unref_and_wait (reporting);
}

typedef struct
{
  guint restarting;
  guint last_attempt;
  gint64 delays[8];
  guint gave_up;
} Restarts;

static void
restarting_cb (GasyncRunner *runner,
               guint         attempt,
               gint64        delay,
               gpointer      data)
{
  Restarts *restarts = data;

  g_assert_true (g_thread_self () == main_thread);
  g_assert_cmpuint (attempt, ==, restarts->last_attempt + 1);
  restarts->last_attempt = attempt;
  restarts->delays[MIN (restarts->restarting, 7)] = delay;
  restarts->restarting++;
}

static void
gave_up_cb (GasyncRunner *runner,
            gpointer      data)
{
  g_assert_true (g_thread_self () == main_thread);
  ((Restarts *) data)->gave_up++;
}

static GasyncRunner *
restarting_runner (TestService *svc,
                   Restarts    *restarts)
{
  GasyncRunner *runner = test_service_new_runner (svc, "flaky");

  gasync_runner_set_restart_delay (runner, 2 * G_TIME_SPAN_MILLISECOND);
  g_signal_connect (runner, "restarting", G_CALLBACK (restarting_cb), restarts);
  g_signal_connect (runner, "gave-up", G_CALLBACK (gave_up_cb), restarts);
  return runner;
}

static gpointer
finish_runs (gpointer data)
{
  TestService *svc = data;

  for (guint i = 1; i <= 3; i++)
    {
      test_service_wait_runs (svc, i);
      test_service_finish (svc);
    }
  return NULL;
}

static void
test_runner_restart_gives_up (void)
{
  g_autoptr(TestService) svc = test_service_new ();
  Restarts restarts = { 0 };
  GasyncRunner *runner;
  GThread *thread;
  GasyncRunnerRestartPolicy policy;
  GError *error = NULL;

  g_test_summary ("on-failure restarts a failing function with exponential "
                  "backoff and jitter, up to the restart limit, then gives up "
                  "and finishes with its error");

  svc->error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "crash");
  runner = restarting_runner (svc, &restarts);
  g_assert_cmpint (gasync_runner_get_restart_policy (runner), ==, GASYNC_RUNNER_RESTART_NEVER);
  gasync_runner_set_restart_policy (runner, GASYNC_RUNNER_RESTART_ON_FAILURE);
  g_object_get (runner, "restart-policy", &policy, NULL);
  g_assert_cmpint (policy, ==, GASYNC_RUNNER_RESTART_ON_FAILURE);
  gasync_runner_set_restart_limit (runner, 2);
  g_assert_cmpuint (gasync_runner_get_restart_limit (runner), ==, 2);
  gasync_runner_set_restart_interval (runner, 600 * G_TIME_SPAN_SECOND);
  g_assert_cmpint (gasync_runner_get_restart_interval (runner), ==, 600 * G_TIME_SPAN_SECOND);
  g_assert_cmpint (gasync_runner_get_restart_delay (runner), ==, 2 * G_TIME_SPAN_MILLISECOND);

  thread = g_thread_new ("finisher", finish_runs, svc);
  g_assert_false (gasync_runner_run (runner, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_clear_error (&error);
  g_thread_join (thread);

  g_assert_cmpuint (svc->runs, ==, 3);
  g_assert_cmpuint (restarts.restarting, ==, 2);
  g_assert_cmpuint (restarts.gave_up, ==, 1);
  /* 2 ms, then 4 ms, each with up to half again of jitter. */
  g_assert_cmpint (restarts.delays[0], >=, 2000);
  g_assert_cmpint (restarts.delays[0], <=, 3000);
  g_assert_cmpint (restarts.delays[1], >=, 4000);
  g_assert_cmpint (restarts.delays[1], <=, 6000);
  g_assert_cmpuint (svc->stop_calls, ==, 0);
  gasync_test_unref_and_wait (runner);
}

static void
test_runner_restart_on_failure_success (void)
{
  g_autoptr(TestService) svc = test_service_new ();
  Restarts restarts = { 0 };
  GasyncRunner *runner;
  GError *error = NULL;

  /* A success does not restart an on-failure runner. */
  runner = restarting_runner (svc, &restarts);
  gasync_runner_set_restart_policy (runner, GASYNC_RUNNER_RESTART_ON_FAILURE);
  test_service_finish (svc);
  g_assert_true (gasync_runner_run (runner, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (restarts.restarting, ==, 0);
  gasync_test_unref_and_wait (runner);
}

static gpointer
finish_once_then_interrupt (gpointer data)
{
  GasyncRunner *runner = data;
  TestService *svc = g_object_get_data (G_OBJECT (runner), "svc");

  test_service_wait_runs (svc, 1);
  test_service_finish (svc);
  test_service_wait_runs (svc, 2);
  gasync_runner_interrupt (runner);
  return NULL;
}

static void
test_runner_restart_always (void)
{
  g_autoptr(TestService) svc = test_service_new ();
  Restarts restarts = { 0 };
  GasyncRunner *runner;
  GThread *thread;
  GError *error = NULL;

  g_test_summary ("always restarts after a success too; an interrupted "
                  "runner is not restarted");

  runner = restarting_runner (svc, &restarts);
  gasync_runner_set_restart_policy (runner, GASYNC_RUNNER_RESTART_ALWAYS);
  g_object_set_data (G_OBJECT (runner), "svc", svc);
  thread = g_thread_new ("finisher", finish_once_then_interrupt, runner);
  g_assert_true (gasync_runner_run (runner, NULL, &error));
  g_assert_no_error (error);
  g_thread_join (thread);
  g_assert_cmpuint (svc->runs, ==, 2);
  g_assert_cmpuint (restarts.restarting, ==, 1);
  g_assert_cmpuint (restarts.gave_up, ==, 0);
  g_assert_cmpuint (svc->stop_calls, ==, 1);
  gasync_test_unref_and_wait (runner);
}

static void
test_runner_interrupt_during_backoff (void)
{
  g_autoptr(TestService) svc = test_service_new ();
  Restarts restarts = { 0 };
  Observed obs = { 0 };
  GasyncRunner *runner;

  svc->error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "crash");
  runner = restarting_runner (svc, &restarts);
  gasync_runner_set_restart_policy (runner, GASYNC_RUNNER_RESTART_ON_FAILURE);
  gasync_runner_set_restart_delay (runner, 60 * G_TIME_SPAN_SECOND);
  gasync_runner_run_async (runner, NULL, run_done_cb, &obs);
  test_service_finish (svc);
  gasync_test_iterate_until_count (NULL, &restarts.restarting, 1);

  gasync_runner_interrupt (runner);
  gasync_test_iterate_until_flag (NULL, &obs.callback_done);
  g_assert_error (obs.error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpuint (svc->runs, ==, 1);
  g_assert_cmpuint (svc->stop_calls, ==, 0);
  gasync_test_unref_and_wait (runner);
  observed_clear (&obs);
}

static gboolean
never_run (GCancellable *cancellable, gpointer data, GError **error)
{
  g_assert_not_reached ();
}

static void
never_stop (gpointer data)
{
  g_assert_not_reached ();
}

static void
test_runner_bad_input (void)
{
  GasyncRunner *runner;

  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*id != NULL*");
  g_assert_null (gasync_runner_new (NULL, never_run, never_stop, NULL, NULL));
  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*id != NULL*");
  g_assert_null (gasync_runner_new ("", never_run, never_stop, NULL, NULL));
  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*stop_func != NULL*");
  g_assert_null (gasync_runner_new ("a", never_run, NULL, NULL, NULL));
  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*run_func != NULL*");
  g_assert_null (gasync_runner_new ("a", NULL, never_stop, NULL, NULL));
  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*stop_func != NULL*");
  g_assert_null (gasync_runner_new_for_main_loop ("a", main_loop_start, NULL, NULL, NULL));
  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*timeout >= 0*");
  gasync_runner_set_default_interrupt_timeout (-1);
  g_test_assert_expected_messages ();
  g_assert_cmpint (gasync_runner_get_default_interrupt_timeout (), ==, 10 * G_TIME_SPAN_SECOND);

  runner = gasync_runner_new ("a", never_run, never_stop, NULL, NULL);
  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*timeout >= 0*");
  gasync_runner_set_interrupt_timeout (runner, -5);
  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*delay >= 0*");
  gasync_runner_set_restart_delay (runner, -5);
  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*interval >= 0*");
  gasync_runner_set_restart_interval (runner, -5);
  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*start_func != NULL*");
  gasync_runner_complete (runner, NULL);
  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*GASYNC_IS_RUNNER*");
  gasync_runner_interrupt (NULL);
  g_test_assert_expected_messages ();
  g_assert_cmpint (gasync_runner_get_interrupt_timeout (runner), ==, 10 * G_TIME_SPAN_SECOND);
  g_object_unref (runner);
}

static void
test_runner_translated (void)
{
  g_autoptr(GError) error = NULL;

  if (!gasync_test_in_german ())
    return;

  gasync_runner_set_timeout_error (&error, "http", 50 * G_TIME_SPAN_MILLISECOND);
  g_assert_cmpstr (error->message, ==,
                   "Runner „http“ hat nicht innerhalb von 0.05 s angehalten");
}

static void
count_destroy_on_main (gpointer counter)
{
  g_assert_true (g_thread_self () == main_thread);
  gasync_test_count (counter);
}

static void
test_runner_last_unref_while_running (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  GasyncTestLifetime lifetime;
  GasyncRunner *runner;
  Observed obs = { 0 };

  g_test_summary ("A runner dropped while it runs lives on until it "
                  "finished (as a GIO call keeps its source object): then it "
                  "is finalized and each destroy notify is called once");
  g_test_bug ("13");
  gasync_test_lifetime_init (&lifetime);
  runner = gasync_runner_new ("dropped", gasync_test_task_until_cancelled,
                              gasync_test_nothing, &lifetime.destroyed[0],
                              count_destroy_on_main);
  gasync_test_lifetime_watch (&lifetime, runner);
  gasync_runner_run_async (runner, cancellable, run_done_cb, &obs);
  g_object_unref (runner);
  gasync_test_flush (NULL);
  g_assert_false (g_atomic_int_get (&lifetime.gone));

  /* The caller's cancellable still ends the run. */
  g_cancellable_cancel (cancellable);
  gasync_test_lifetime_wait (&lifetime, 1);
  g_assert_true (obs.callback_done);
  g_assert_true (obs.ok);
  observed_clear (&obs);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  main_thread = g_thread_self ();

  g_test_add_func ("/gasync/runner/returns-by-itself", test_runner_returns_by_itself);
  g_test_add_func ("/gasync/runner/error", test_runner_error);
  g_test_add_func ("/gasync/runner/interrupt", test_runner_interrupt);
  g_test_add_func ("/gasync/runner/interrupt-before-run", test_runner_interrupt_before_run);
  g_test_add_func ("/gasync/runner/timeout", test_runner_timeout);
  g_test_add_func ("/gasync/runner/stop-closure", test_runner_stop_closure);
  g_test_add_func ("/gasync/runner/main-loop-stop-closure",
                   test_runner_main_loop_stop_closure);
  g_test_add_func ("/gasync/runner/zero-timeout", test_runner_zero_timeout);
  g_test_add_func ("/gasync/runner/cancellable", test_runner_cancellable);
  g_test_add_func ("/gasync/runner/already-started", test_runner_already_started);
  g_test_add_func ("/gasync/runner/run-async", test_runner_run_async);
  g_test_add_func ("/gasync/runner/default-timeout", test_runner_default_timeout);
  g_test_add_func ("/gasync/runner/main-loop", test_runner_main_loop);
  g_test_add_func ("/gasync/runner/main-loop-timeout", test_runner_main_loop_timeout);
  g_test_add_func ("/gasync/runner/ready", test_runner_ready);
  g_test_add_func ("/gasync/runner/restart-gives-up", test_runner_restart_gives_up);
  g_test_add_func ("/gasync/runner/restart-on-failure-success", test_runner_restart_on_failure_success);
  g_test_add_func ("/gasync/runner/restart-always", test_runner_restart_always);
  g_test_add_func ("/gasync/runner/interrupt-during-backoff", test_runner_interrupt_during_backoff);
  g_test_add_func ("/gasync/runner/bad-input", test_runner_bad_input);
  g_test_add_func ("/gasync/runner/translated", test_runner_translated);
  g_test_add_func ("/gasync/runner/last-unref-while-running",
                   test_runner_last_unref_while_running);

  return g_test_run ();
}

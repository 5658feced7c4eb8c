/* test-bad-values.c: numbers out of their documented range, for every
 * public function and property setter that documents one
 *
 * Each gives a critical and leaves the object as it was, or behaves as
 * documented: a huge duration means "a very long time", never "now".
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#include <gasync.h>

#include "gasync-test-util.h"

/* Long enough to notice that a huge duration did not end at once. */
#define SHORT (20 * G_TIME_SPAN_MILLISECOND)

/* Runs @call, which must fail a g_return_if_fail() check on @param. */
#define assert_rejected(call, param)                                    \
  G_STMT_START {                                                        \
    g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL,              \
                           "*assertion '*" param "*' failed*");         \
    call;                                                               \
    g_test_assert_expected_messages ();                                 \
  } G_STMT_END

static gboolean
work_cb (GObject       *item,
         GCancellable  *cancellable,
         gpointer       user_data,
         GError       **error)
{
  return TRUE;
}

static gboolean
task_ok (GCancellable  *cancellable,
         gpointer       user_data,
         GError       **error)
{
  return TRUE;
}

static gboolean
task_fails (GCancellable  *cancellable,
            gpointer       user_data,
            GError       **error)
{
  g_set_error_literal (error, GASYNC_ERROR, GASYNC_ERROR_FAILED, "failed");
  return FALSE;
}

/* Succeeds unless its cancellable fires within SHORT. */
static gboolean
task_not_cancelled (GCancellable  *cancellable,
                    gpointer       user_data,
                    GError       **error)
{
  if (gasync_sleep (SHORT, cancellable, NULL))
    return TRUE;
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "cancelled");
  return FALSE;
}

static void
stop_cb (gpointer user_data)
{
}

static void
test_semaphore_capacity (void)
{
  g_test_summary ("A semaphore needs at least one slot: 0 or a negative "
                  "capacity is a critical and no semaphore.");

  assert_rejected (g_assert_null (gasync_semaphore_new (0)), "capacity");
  assert_rejected (g_assert_null (gasync_semaphore_new (-1)), "capacity");
}

static void
test_batch_parallelism (void)
{
  g_autoptr(GasyncBatch) batch = gasync_batch_new (work_cb, NULL, NULL);

  gasync_batch_set_parallelism (batch, 3);
  assert_rejected (gasync_batch_set_parallelism (batch, 0), "parallelism");
  assert_rejected (gasync_batch_set_parallelism (batch, G_MAXUINT16 + 1),
                   "parallelism");
  g_assert_cmpuint (gasync_batch_get_parallelism (batch), ==, 3);
}

static void
test_work_queue_ranges (void)
{
  g_autoptr(GasyncWorkQueue) queue = NULL;

  queue = gasync_work_queue_new (work_cb, NULL, NULL);
  gasync_work_queue_set_parallelism (queue, 3);
  assert_rejected (gasync_work_queue_set_parallelism (queue, 0),
                   "parallelism");
  assert_rejected (gasync_work_queue_set_parallelism (queue, G_MAXUINT16 + 1),
                   "parallelism");
  g_assert_cmpuint (gasync_work_queue_get_parallelism (queue), ==, 3);

  gasync_work_queue_set_max_work (queue, 5);
  assert_rejected (gasync_work_queue_set_max_work (queue, 0), "max_work");
  assert_rejected (gasync_work_queue_set_max_work (queue,
                                                   (guint) G_MAXINT32 + 1),
                   "max_work");
  g_assert_cmpuint (gasync_work_queue_get_max_work (queue), ==, 5);

  gasync_work_queue_set_shutdown_grace_period (queue, 7);
  assert_rejected (gasync_work_queue_set_shutdown_grace_period (queue, -1),
                   "grace_period");
  g_assert_cmpint (gasync_work_queue_get_shutdown_grace_period (queue), ==, 7);
}

static void
test_property_range (void)
{
  g_autoptr(GasyncWorkQueue) queue = NULL;

  queue = gasync_work_queue_new (work_cb, NULL, NULL);
  g_test_summary ("Through GObject properties, out-of-range values are "
                  "refused with GObject's own warning.");

  gasync_work_queue_set_max_work (queue, 5);
  g_test_expect_message ("GLib-GObject", G_LOG_LEVEL_WARNING,
                         "*out of range*max-work*");
  g_object_set (queue, "max-work", 0u, NULL);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (gasync_work_queue_get_max_work (queue), ==, 5);
}

static void
test_interval_ranges (void)
{
  g_autoptr(GasyncInterval) interval = NULL;

  interval = gasync_interval_new (task_ok, NULL, NULL);
  gasync_interval_set_interval (interval, 11);
  assert_rejected (gasync_interval_set_interval (interval, 0), "interval");
  assert_rejected (gasync_interval_set_interval (interval, -1), "interval");
  assert_rejected (gasync_interval_set_interval (interval, G_MAXINT64 / 4 + 1),
                   "interval");
  g_assert_cmpint (gasync_interval_get_interval (interval), ==, 11);

  gasync_interval_set_delay (interval, 13);
  assert_rejected (gasync_interval_set_delay (interval, -1), "delay");
  assert_rejected (gasync_interval_set_delay (interval, G_MAXINT64 / 4 + 1),
                   "delay");
  g_assert_cmpint (gasync_interval_get_delay (interval), ==, 13);

  gasync_interval_set_mode (interval, GASYNC_INTERVAL_MODE_MAIN_CONTEXT);
  assert_rejected (gasync_interval_set_mode (interval, (GasyncIntervalMode) 2),
                   "mode");
  assert_rejected (gasync_interval_set_mode (interval, (GasyncIntervalMode) -1),
                   "mode");
  g_assert_cmpint (gasync_interval_get_mode (interval), ==,
                   GASYNC_INTERVAL_MODE_MAIN_CONTEXT);
}

static void
test_runner_ranges (void)
{
  g_autoptr(GasyncRunner) runner = gasync_runner_new ("r", task_ok, stop_cb,
                                                      NULL, NULL);
  GTimeSpan default_timeout = gasync_runner_get_default_interrupt_timeout ();
  GasyncRunnerRestartPolicy bad_policy = (GasyncRunnerRestartPolicy) 3;

  gasync_runner_set_interrupt_timeout (runner, 17);
  assert_rejected (gasync_runner_set_interrupt_timeout (runner, -1), "timeout");
  g_assert_cmpint (gasync_runner_get_interrupt_timeout (runner), ==, 17);

  assert_rejected (gasync_runner_set_default_interrupt_timeout (-1), "timeout");
  g_assert_cmpint (gasync_runner_get_default_interrupt_timeout (), ==,
                   default_timeout);

  gasync_runner_set_restart_delay (runner, 19);
  assert_rejected (gasync_runner_set_restart_delay (runner, -1), "delay");
  assert_rejected (gasync_runner_set_restart_delay (runner,
                                                    G_MAXINT64 / 128 + 1),
                   "delay");
  g_assert_cmpint (gasync_runner_get_restart_delay (runner), ==, 19);

  gasync_runner_set_restart_interval (runner, 23);
  assert_rejected (gasync_runner_set_restart_interval (runner, -1), "interval");
  g_assert_cmpint (gasync_runner_get_restart_interval (runner), ==, 23);

  gasync_runner_set_restart_policy (runner, GASYNC_RUNNER_RESTART_ALWAYS);
  assert_rejected (gasync_runner_set_restart_policy (runner, bad_policy),
                   "policy");
  bad_policy = (GasyncRunnerRestartPolicy) -1;
  assert_rejected (gasync_runner_set_restart_policy (runner, bad_policy),
                   "policy");
  g_assert_cmpint (gasync_runner_get_restart_policy (runner), ==,
                   GASYNC_RUNNER_RESTART_ALWAYS);
}

static void
test_group_runner_interrupt_timeout (void)
{
  g_autoptr(GasyncGroupRunner) group = gasync_group_runner_new ();

  gasync_group_runner_set_interrupt_timeout (group, 29);
  assert_rejected (gasync_group_runner_set_interrupt_timeout (group, -1),
                   "timeout");
  g_assert_cmpint (gasync_group_runner_get_interrupt_timeout (group), ==, 29);
}

static void
test_stopper_stuck_log_interval (void)
{
  g_autoptr(GasyncStopper) stopper = gasync_stopper_new ();

  gasync_stopper_set_stuck_log_interval (stopper, 31);
  assert_rejected (gasync_stopper_set_stuck_log_interval (stopper, -1),
                   "interval");
  g_assert_cmpint (gasync_stopper_get_stuck_log_interval (stopper), ==, 31);
}

static void
test_interceptor_ranges (void)
{
  assert_rejected (g_assert_null (gasync_interceptor_new_retry (0, 0, 0)),
                   "max_attempts");
  assert_rejected (g_assert_null (gasync_interceptor_new_retry (1, -1, 0)),
                   "initial_backoff");
  assert_rejected (g_assert_null (gasync_interceptor_new_retry (1, 10, 9)),
                   "max_backoff");
  assert_rejected (g_assert_null (gasync_interceptor_new_timeout (0)),
                   "timeout");
  assert_rejected (g_assert_null (gasync_interceptor_new_timeout (-1)),
                   "timeout");
}

static void
test_future_counts (void)
{
  g_autoptr(GasyncFuture) future = gasync_future_new ();
  g_autoptr(GasyncFuture) all = gasync_future_all (NULL, 0);

  g_test_summary ("gasync_future_all() of no futures is resolved at once; "
                  "any() and first() need at least one.");

  g_assert_true (gasync_future_is_done (all));
  g_assert_no_error (gasync_future_get_error (all));
  assert_rejected (g_assert_null (gasync_future_any (&future, 0)),
                   "n_futures");
  assert_rejected (g_assert_null (gasync_future_first (&future, 0)),
                   "n_futures");
}

static void
test_wait_group_below_zero (void)
{
  g_autoptr(GasyncWaitGroup) group = gasync_wait_group_new ();

  gasync_wait_group_add (group, 2);
  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*below zero*");
  gasync_wait_group_add (group, -3);
  g_test_assert_expected_messages ();
  g_assert_cmpint (gasync_wait_group_get_n_outstanding (group), ==, 2);
}

static void
test_event_loop_unknown_timeout (void)
{
  g_autoptr(GasyncEventLoop) loop = gasync_event_loop_new (NULL);

  g_test_summary ("Clearing a timeout id that never existed, 0 included, "
                  "returns FALSE.");

  g_assert_false (gasync_event_loop_clear_timeout (loop, 0));
  g_assert_false (gasync_event_loop_clear_timeout (loop, 12345));
}

static void
test_sleep_huge (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  GThread *thread;

  g_test_summary ("A duration or deadline of G_MAXINT64 sleeps until "
                  "cancelled: it does not wrap into the past.");

  thread = gasync_test_cancel_in_thread (cancellable, SHORT);
  g_assert_false (gasync_sleep (G_MAXINT64, cancellable, NULL));
  g_thread_join (thread);

  g_cancellable_reset (cancellable);
  thread = gasync_test_cancel_in_thread (cancellable, SHORT);
  g_assert_false (gasync_sleep_until (G_MAXINT64, cancellable, NULL));
  g_thread_join (thread);
}

static void
sleep_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GError **error = user_data;

  g_assert_false (gasync_sleep_finish (result, error));
}

static void
test_sleep_async_huge (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  GThread *thread = gasync_test_cancel_in_thread (cancellable, SHORT);

  gasync_sleep_async (G_MAXINT64, cancellable, sleep_done_cb, &error);
  gasync_test_iterate_until_set (NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_thread_join (thread);
}

static void
test_interceptor_huge (void)
{
  g_autoptr(GasyncInterceptor) timeout = NULL;
  g_autoptr(GasyncInterceptor) retry = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  GThread *thread;

  g_test_summary ("A timeout interceptor of G_MAXINT64 never fires, and a "
                  "backoff of G_MAXINT64 pauses until cancelled.");

  timeout = gasync_interceptor_new_timeout (G_MAXINT64);
  retry = gasync_interceptor_new_retry (3, G_MAXINT64, G_MAXINT64);

  g_assert_true (gasync_interceptor_call (timeout, "t", NULL, task_not_cancelled,
                                          NULL, &error));
  g_assert_no_error (error);

  thread = gasync_test_cancel_in_thread (cancellable, SHORT);
  g_assert_false (gasync_interceptor_call (retry, "r", cancellable, task_fails,
                                           NULL, &error));
  g_assert_true (g_cancellable_is_cancelled (cancellable));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_FAILED);
  g_thread_join (thread);
}

/* Stuck-quiescing logs of the stopper, caught by the writer below. */
static int stuck_logs;

static GLogWriterOutput
count_stuck_logs (GLogLevelFlags   log_level,
                  const GLogField *fields,
                  gsize            n_fields,
                  gpointer         user_data)
{
  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "GASYNC_STOPPER_DUMP"))
      {
        g_atomic_int_inc (&stuck_logs);
        return G_LOG_WRITER_HANDLED;
      }
  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

static gpointer
quiesce_thread (gpointer data)
{
  gasync_stopper_quiesce (data);
  return NULL;
}

static void
test_stopper_huge_stuck_log_interval (void)
{
  g_autoptr(GasyncStopper) stopper = gasync_stopper_new ();
  g_autoptr(GasyncTaskToken) token = NULL;
  GThread *thread;

  g_test_summary ("A stuck-log-interval of G_MAXINT64 never logs: the "
                  "deadline does not wrap into the past.");

  gasync_stopper_set_stuck_log_interval (stopper, G_MAXINT64);
  token = gasync_stopper_begin_task (stopper, "t", NULL);
  thread = g_thread_new ("quiesce", quiesce_thread, stopper);
  while (gasync_stopper_get_state (stopper) == GASYNC_STOPPER_STATE_RUNNING)
    g_thread_yield ();
  gasync_sleep (SHORT, NULL, NULL);
  gasync_task_token_end (token);
  g_thread_join (thread);
  g_assert_cmpint (g_atomic_int_get (&stuck_logs), ==, 0);
  gasync_stopper_stop (stopper);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_log_set_writer_func (count_stuck_logs, NULL, NULL);

  g_test_add_func ("/gasync/semaphore/bad-values/capacity",
                   test_semaphore_capacity);
  g_test_add_func ("/gasync/batch/bad-values/parallelism",
                   test_batch_parallelism);
  g_test_add_func ("/gasync/work-queue/bad-values/ranges", test_work_queue_ranges);
  g_test_add_func ("/gasync/work-queue/bad-values/property-range", test_property_range);
  g_test_add_func ("/gasync/interval/bad-values/ranges", test_interval_ranges);
  g_test_add_func ("/gasync/runner/bad-values/ranges", test_runner_ranges);
  g_test_add_func ("/gasync/group-runner/bad-values/interrupt-timeout",
                   test_group_runner_interrupt_timeout);
  g_test_add_func ("/gasync/stopper/bad-values/stuck-log-interval",
                   test_stopper_stuck_log_interval);
  g_test_add_func ("/gasync/interceptor/bad-values/ranges", test_interceptor_ranges);
  g_test_add_func ("/gasync/future/bad-values/counts", test_future_counts);
  g_test_add_func ("/gasync/wait-group/bad-values/below-zero",
                   test_wait_group_below_zero);
  g_test_add_func ("/gasync/event-loop/bad-values/unknown-timeout",
                   test_event_loop_unknown_timeout);
  g_test_add_func ("/gasync/sleep/bad-values/huge", test_sleep_huge);
  g_test_add_func ("/gasync/sleep/bad-values/async-huge",
                   test_sleep_async_huge);
  g_test_add_func ("/gasync/interceptor/bad-values/huge",
                   test_interceptor_huge);
  g_test_add_func ("/gasync/stopper/bad-values/huge-stuck-log-interval",
                   test_stopper_huge_stuck_log_interval);

  return g_test_run ();
}

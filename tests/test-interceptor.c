/* test-interceptor.c: GasyncInterceptor: tracing, retries, timeouts, chains
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#include "config.h"

#include "gasync-private.h"
#include "gasync-test-util.h"
#include "gasync-sync-private.h"

/* A task that fails its first n_failures calls. */
typedef struct
{
  guint n_calls;
  guint n_failures;
  gboolean silent;
  GError *error_to_return;
} Flaky;

static gboolean
flaky (GCancellable  *cancellable,
       gpointer       user_data,
       GError       **error)
{
  Flaky *flaky_data = user_data;

  if (flaky_data->n_calls++ >= flaky_data->n_failures)
    return TRUE;
  if (flaky_data->error_to_return != NULL)
    g_propagate_error (error, g_error_copy (flaky_data->error_to_return));
  else if (!flaky_data->silent)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "failure %u", flaky_data->n_calls);
  return FALSE;
}

/* Tracing records captured by the log writer, from any thread. */
static GPtrArray *traces;
static GasyncLock traces_lock;

static GLogWriterOutput
capture_writer (GLogLevelFlags   log_level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  const char *task = NULL, *result = NULL, *duration = NULL;

  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_str_equal (fields[i].key, "GASYNC_TASK"))
        task = fields[i].value;
      else if (g_str_equal (fields[i].key, "GASYNC_RESULT"))
        result = fields[i].value;
      else if (g_str_equal (fields[i].key, "GASYNC_DURATION_USEC"))
        duration = fields[i].value;
    }
  if (task != NULL && traces != NULL)
    {
      g_assert_nonnull (duration);
      g_assert_cmpint (g_ascii_strtoll (duration, NULL, 10), >=, 0);
      g_assert_cmpint (log_level & G_LOG_LEVEL_MASK, ==, G_LOG_LEVEL_DEBUG);
      gasync_lock (&traces_lock);
      g_ptr_array_add (traces, g_strdup_printf ("%s:%s", task, result));
      gasync_unlock (&traces_lock);
      return G_LOG_WRITER_HANDLED;
    }
  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

static void
test_tracing (void)
{
  g_autoptr(GasyncInterceptor) trace = gasync_interceptor_new_tracing ();
  g_autoptr(GError) error = NULL;
  Flaky ok = { 0, 0, FALSE, NULL };
  Flaky failing = { 0, 1, FALSE, NULL };

  g_test_summary ("The tracing interceptor logs one structured record per "
                  "call, with the task name, duration and result");
  traces = g_ptr_array_new_with_free_func (g_free);
  g_assert_true (gasync_interceptor_call (trace, "fetch", NULL, flaky, &ok, &error));
  g_assert_no_error (error);
  g_assert_false (gasync_interceptor_call (trace, "store", NULL, flaky, &failing, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);

  g_assert_cmpuint (traces->len, ==, 2);
  g_assert_cmpstr (traces->pdata[0], ==, "fetch:ok");
  g_assert_cmpstr (traces->pdata[1], ==, "store:error");
  g_clear_pointer (&traces, g_ptr_array_unref);
}

static void
test_retry (void)
{
  g_autoptr(GasyncInterceptor) retry = gasync_interceptor_new_retry (3, 10 * G_TIME_SPAN_MILLISECOND,
                                                                     15 * G_TIME_SPAN_MILLISECOND);
  g_autoptr(GError) error = NULL;
  Flaky twice = { 0, 2, FALSE, NULL };
  Flaky always = { 0, 100, FALSE, NULL };
  gint64 start;

  g_test_summary ("The retry interceptor calls again after a growing pause "
                  "until success or max attempts, then gives the last error");
  start = g_get_monotonic_time ();
  g_assert_true (gasync_interceptor_call (retry, "twice", NULL, flaky, &twice, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (twice.n_calls, ==, 3);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 25 * G_TIME_SPAN_MILLISECOND);

  g_assert_false (gasync_interceptor_call (retry, "always", NULL, flaky, &always, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==, "failure 3");
  g_assert_cmpuint (always.n_calls, ==, 3);
}

static void
test_retry_cancelled (void)
{
  g_autoptr(GasyncInterceptor) retry = gasync_interceptor_new_retry (5, 60 * G_TIME_SPAN_SECOND,
                                                                     60 * G_TIME_SPAN_SECOND);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) cancelled = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "stop");
  g_autoptr(GError) error = NULL;
  Flaky not_retried = { 0, 5, FALSE, cancelled };
  Flaky flaky_data = { 0, 5, FALSE, NULL };

  g_test_summary ("A cancelled task is not retried, and a cancelled "
                  "cancellable ends the pause at once");
  g_assert_false (gasync_interceptor_call (retry, "cancelled", NULL, flaky, &not_retried, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (not_retried.n_calls, ==, 1);
  g_clear_error (&error);

  g_cancellable_cancel (cancellable);
  g_assert_false (gasync_interceptor_call (retry, "paused", cancellable, flaky, &flaky_data, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpuint (flaky_data.n_calls, ==, 1);
}

/* Returns at once if user_data is TRUE, otherwise when cancelled. */
static gboolean
wait_for_cancel (GCancellable  *cancellable,
                 gpointer       user_data,
                 GError       **error)
{
  if (GPOINTER_TO_INT (user_data))
    return TRUE;
  g_assert_false (gasync_sleep_until (gasync_test_deadline (60), cancellable, NULL));
  return !g_cancellable_set_error_if_cancelled (cancellable, error);
}

static void
test_timeout (void)
{
  g_autoptr(GasyncInterceptor) timeout = gasync_interceptor_new_timeout (30 * G_TIME_SPAN_MILLISECOND);
  g_autoptr(GasyncInterceptor) long_timeout = gasync_interceptor_new_timeout (60 * G_TIME_SPAN_SECOND);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  GThread *thread;

  g_test_summary ("The timeout interceptor cancels a task that runs too long "
                  "and reports TIMEOUT naming it; a quick task is untouched");
  g_assert_true (gasync_interceptor_call (timeout, "quick", NULL, wait_for_cancel,
                                          GINT_TO_POINTER (TRUE), &error));
  g_assert_no_error (error);

  g_assert_false (gasync_interceptor_call (timeout, "slow", NULL, wait_for_cancel,
                                           GINT_TO_POINTER (FALSE), &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "“slow”"));
  g_assert_nonnull (strstr (error->message, "30 ms"));
  g_clear_error (&error);

  g_test_summary ("The task's own cancellation passes through unchanged");
  thread = gasync_test_cancel_in_thread (cancellable, 0);
  g_assert_false (gasync_interceptor_call (long_timeout, "cancelled", cancellable,
                                           wait_for_cancel, GINT_TO_POINTER (FALSE), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_thread_join (thread);
}

static void
test_failed_without_error (void)
{
  g_autoptr(GasyncInterceptor) trace = gasync_interceptor_new_tracing ();
  g_autoptr(GError) error = NULL;
  Flaky silent = { 0, 1, TRUE, NULL };

  g_assert_false (gasync_interceptor_call (trace, "silent", NULL, flaky, &silent, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "“silent”"));
}

/* A custom interceptor that records when it enters and leaves. */
static gboolean
record (const char      *name,
        GCancellable    *cancellable,
        GasyncTaskFunc   func,
        gpointer         func_data,
        gpointer         user_data,
        GError         **error)
{
  GString *log = g_object_get_data (G_OBJECT (cancellable), "log");
  gboolean ok;

  g_string_append_printf (log, "<%s", (const char *) user_data);
  ok = gasync_interceptor_call_next (name, cancellable, func, func_data, error);
  g_string_append_printf (log, "%s>", (const char *) user_data);
  return ok;
}

static gboolean
task_logs (GCancellable  *cancellable,
           gpointer       user_data,
           GError       **error)
{
  g_string_append (g_object_get_data (G_OBJECT (cancellable), "log"), "task");
  return TRUE;
}

static void
test_chain (void)
{
  g_autoptr(GasyncInterceptor) a = gasync_interceptor_new (record, "a", NULL);
  g_autoptr(GasyncInterceptor) b = gasync_interceptor_new (record, "b", NULL);
  g_autoptr(GasyncInterceptor) c = gasync_interceptor_new (record, "c", NULL);
  g_autoptr(GasyncInterceptor) ab = gasync_interceptor_chain (a, b);
  g_autoptr(GasyncInterceptor) abc = gasync_interceptor_chain (ab, c);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GString) log = g_string_new (NULL);

  g_test_summary ("Chained interceptors run outer around inner around the task");
  g_object_set_data (G_OBJECT (cancellable), "log", log);
  g_assert_true (gasync_interceptor_call (abc, "t", cancellable, task_logs, NULL, NULL));
  g_assert_cmpstr (log->str, ==, "<a<b<ctaskc>b>a>");
}

static void
test_chain_retry_in_timeout (void)
{
  g_autoptr(GasyncInterceptor) trace = gasync_interceptor_new_tracing ();
  g_autoptr(GasyncInterceptor) retry = gasync_interceptor_new_retry (4, 0, 0);
  g_autoptr(GasyncInterceptor) timeout = gasync_interceptor_new_timeout (60 * G_TIME_SPAN_SECOND);
  g_autoptr(GasyncInterceptor) outer = gasync_interceptor_chain (trace, timeout);
  g_autoptr(GasyncInterceptor) all = gasync_interceptor_chain (outer, retry);
  Flaky thrice = { 0, 3, FALSE, NULL };

  g_test_summary ("The shipped interceptors compose: one trace record around "
                  "a timeout around retries");
  traces = g_ptr_array_new_with_free_func (g_free);
  g_assert_true (gasync_interceptor_call (all, "composed", NULL, flaky, &thrice, NULL));
  g_assert_cmpuint (thrice.n_calls, ==, 4);
  g_assert_cmpuint (traces->len, ==, 1);
  g_assert_cmpstr (traces->pdata[0], ==, "composed:ok");
  g_clear_pointer (&traces, g_ptr_array_unref);
}

/* Fails the first attempt at each item. */
static gboolean
fail_first_attempt (GObject       *item,
                    GCancellable  *cancellable,
                    gpointer       user_data,
                    GError       **error)
{
  if (g_atomic_int_add (&TEST_ITEM (item)->n_processed, 1) == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "first attempt");
      return FALSE;
    }
  return TRUE;
}

static void
test_work_queue_and_batch (void)
{
  g_autoptr(GasyncInterceptor) trace = gasync_interceptor_new_tracing ();
  g_autoptr(GasyncInterceptor) retry = gasync_interceptor_new_retry (2, 0, 0);
  g_autoptr(GasyncInterceptor) both = gasync_interceptor_chain (trace, retry);
  g_autoptr(GasyncWorkQueue) queue = gasync_work_queue_new (fail_first_attempt, NULL, NULL);
  g_autoptr(GasyncBatch) batch = gasync_batch_new (fail_first_attempt, NULL, NULL);
  g_autoptr(GPtrArray) items = test_items_new (10);
  g_autoptr(GError) error = NULL;
  GasyncInterceptor *got = NULL;

  g_test_summary ("An interceptor set on a work queue or a batch runs around "
                  "each item's work function");
  traces = g_ptr_array_new_with_free_func (g_free);
  gasync_work_queue_set_interceptor (queue, both);
  g_object_get (queue, "interceptor", &got, NULL);
  g_assert_true (got == both);
  g_clear_object (&got);
  gasync_work_queue_set_parallelism (queue, 2);
  gasync_work_queue_start (queue, NULL);
  for (guint i = 0; i < items->len; i++)
    g_assert_true (gasync_work_queue_enqueue (queue, items->pdata[i], NULL, NULL));
  g_assert_cmpuint (gasync_work_queue_close (queue, NULL, NULL), ==, 0);
  g_assert_cmpuint (traces->len, ==, 10);
  for (guint i = 0; i < traces->len; i++)
    g_assert_cmpstr (traces->pdata[i], ==, "work item:ok");
  for (guint i = 0; i < items->len; i++)
    g_assert_cmpint (TEST_ITEM (items->pdata[i])->n_processed, ==, 2);
  g_clear_pointer (&traces, g_ptr_array_unref);

  for (guint i = 0; i < items->len; i++)
    TEST_ITEM (items->pdata[i])->n_processed = 0;
  g_assert_false (gasync_batch_run (batch, items, NULL, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_FAILED);
  g_clear_error (&error);
  for (guint i = 0; i < items->len; i++)
    TEST_ITEM (items->pdata[i])->n_processed = 0;
  g_object_set (batch, "interceptor", retry, NULL);
  g_assert_true (gasync_batch_get_interceptor (batch) == retry);
  g_assert_true (gasync_batch_run (batch, items, NULL, &error));
  g_assert_no_error (error);
  gasync_test_flush (NULL);
}

static void
test_bad_input (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GasyncInterceptor) trace = gasync_interceptor_new_tracing ();

      g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*max_attempts >= 1*");
      g_assert_null (gasync_interceptor_new_retry (0, 0, 0));
      g_test_assert_expected_messages ();

      g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*timeout > 0*");
      g_assert_null (gasync_interceptor_new_timeout (0));
      g_test_assert_expected_messages ();

      g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*func != NULL*");
      g_assert_false (gasync_interceptor_call (trace, "x", NULL, NULL, NULL, NULL));
      g_test_assert_expected_messages ();

      g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*GASYNC_IS_INTERCEPTOR*");
      g_assert_null (gasync_interceptor_chain (trace, NULL));
      g_test_assert_expected_messages ();
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  gasync_lock_init (&traces_lock);
  g_log_set_writer_func (capture_writer, NULL, NULL);

  g_test_add_func ("/gasync/interceptor/tracing", test_tracing);
  g_test_add_func ("/gasync/interceptor/retry", test_retry);
  g_test_add_func ("/gasync/interceptor/retry-cancelled", test_retry_cancelled);
  g_test_add_func ("/gasync/interceptor/timeout", test_timeout);
  g_test_add_func ("/gasync/interceptor/failed-without-error", test_failed_without_error);
  g_test_add_func ("/gasync/interceptor/chain", test_chain);
  g_test_add_func ("/gasync/interceptor/chain-retry-in-timeout", test_chain_retry_in_timeout);
  g_test_add_func ("/gasync/interceptor/work-queue-and-batch", test_work_queue_and_batch);
  g_test_add_func ("/gasync/interceptor/bad-input", test_bad_input);

  return g_test_run ();
}

/* test-tasks.c: GasyncTasks, named groups of traced tasks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#include <gasync.h>

#include "gasync-test-util.h"

#define WAIT_SECONDS 20

typedef struct
{
  GasyncTasks *tasks;
  GThread *main_thread;

  gint calls;
  gint fail_at;          /* a call that fails; 0 for none */
  gboolean fail_silent;  /* fail without setting an error */
  gint gate;             /* the task blocks until it is set */
  gint close_calls;
  gint calls_at_close;
  gint destroyed;
  GThread *destroy_thread;
  GCancellable *seen_cancellable;
} Fixture;

static void
ignore_failure (GasyncTasks  *tasks,
                const char   *task_name,
                const GError *error,
                gpointer      user_data)
{
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->tasks = gasync_tasks_new ("test");
  f->main_thread = g_thread_self ();
  /* The errors are checked through gasync_tasks_dup_errors(); unhandled,
   * each would be a warning (test-contract checks that). */
  g_signal_connect (f->tasks, "task-failed", G_CALLBACK (ignore_failure),
                    NULL);
}

/* Waits for the tasks, then iterates until every destroy notify ran. */
static void
fixture_drain (Fixture *f,
               gint     n_destroyed)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (gasync_tasks_wait (f->tasks, NULL, &error));
  g_assert_no_error (error);
  gasync_test_iterate_until_count (NULL, &f->destroyed, n_destroyed);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_assert_cmpuint (gasync_tasks_get_n_running (f->tasks), ==, 0);
  g_assert_finalize_object (f->tasks);
}

static gboolean
count_func (GCancellable  *cancellable,
            gpointer       user_data,
            GError       **error)
{
  Fixture *f = user_data;
  gint calls = g_atomic_int_add (&f->calls, 1) + 1;

  g_assert_true (g_thread_self () != f->main_thread);
  f->seen_cancellable = cancellable;
  if (calls == f->fail_at)
    {
      if (!f->fail_silent)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "call %d", calls);
      return FALSE;
    }
  /* A loop that should end by cancellation waits a little for it. */
  if (f->fail_at == 0 && cancellable != NULL)
    gasync_sleep (1000, cancellable, NULL);
  return TRUE;
}

static gboolean
gated_func (GCancellable  *cancellable,
            gpointer       user_data,
            GError       **error)
{
  Fixture *f = user_data;

  f->seen_cancellable = cancellable;
  gasync_test_wait_flag (&f->gate);
  g_atomic_int_inc (&f->calls);
  return TRUE;
}

static gboolean
cancelled_func (GCancellable  *cancellable,
                gpointer       user_data,
                GError       **error)
{
  g_assert_true (g_cancellable_set_error_if_cancelled (cancellable, error));
  return FALSE;
}

static void
destroy_cb (gpointer user_data)
{
  Fixture *f = user_data;

  f->destroy_thread = g_thread_self ();
  g_atomic_int_inc (&f->destroyed);
}

static void
test_tasks_name (void)
{
  g_autoptr(GasyncTasks) tasks = gasync_tasks_new ("fetchers");
  g_autoptr(GasyncTasks) unnamed = gasync_tasks_new (NULL);
  g_autofree char *name = NULL;

  g_assert_cmpstr (gasync_tasks_get_name (tasks), ==, "fetchers");
  g_object_get (tasks, "name", &name, NULL);
  g_assert_cmpstr (name, ==, "fetchers");
  g_assert_cmpstr (gasync_tasks_get_name (unnamed), ==, "tasks");

  g_assert_true (gasync_tasks_get_default () == gasync_tasks_get_default ());
  g_assert_cmpstr (gasync_tasks_get_name (gasync_tasks_get_default ()), ==,
                   "async.run");
}

static void
test_tasks_run (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GPtrArray) errors = NULL;

  g_test_summary ("run() runs the function once on a worker thread with the "
                  "caller's cancellable; its destroy notify runs on the "
                  "owner context.");

  gasync_tasks_run (f->tasks, "once", cancellable, count_func, f, destroy_cb);
  fixture_drain (f, 1);

  g_assert_cmpint (f->calls, ==, 1);
  g_assert_true (f->seen_cancellable == cancellable);
  g_assert_true (f->destroy_thread == f->main_thread);
  errors = gasync_tasks_dup_errors (f->tasks);
  g_assert_cmpuint (errors->len, ==, 0);
}

static void
test_tasks_run_error_kept (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GPtrArray) errors = NULL;
  GError *error;

  g_test_summary ("Task errors are kept, prefixed with the task name; a "
                  "task that fails without an error is FAILED, naming it.");

  f->fail_at = 1;
  gasync_tasks_run (f->tasks, "fetch", NULL, count_func, f, destroy_cb);
  fixture_drain (f, 1);

  f->fail_at = 2;
  f->fail_silent = TRUE;
  gasync_tasks_run (f->tasks, "silent", NULL, count_func, f, destroy_cb);
  fixture_drain (f, 2);

  errors = gasync_tasks_dup_errors (f->tasks);
  g_assert_cmpuint (errors->len, ==, 2);
  error = g_ptr_array_index (errors, 0);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "fetch: call 1");
  error = g_ptr_array_index (errors, 1);
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "silent"));
}

typedef struct
{
  GThread *thread;
  gint n_failed;
  char *task_name;
  GError *error;
} Failed;

static void
task_failed_cb (GasyncTasks  *tasks,
                const char   *task_name,
                const GError *error,
                gpointer      user_data)
{
  Failed *failed = user_data;

  failed->thread = g_thread_self ();
  g_free (failed->task_name);
  failed->task_name = g_strdup (task_name);
  g_clear_error (&failed->error);
  failed->error = g_error_copy (error);
  g_atomic_int_inc (&failed->n_failed);
}

static void
test_tasks_task_failed_signal (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GPtrArray) errors = NULL;
  Failed failed = { 0 };
  gulong handler;

  g_test_summary ("task-failed is emitted on the owner context for every "
                  "kept error; clear_errors() forgets the kept ones.");

  handler = g_signal_connect (f->tasks, "task-failed",
                              G_CALLBACK (task_failed_cb), &failed);
  f->fail_at = 1;
  gasync_tasks_run (f->tasks, "fetch", NULL, count_func, f, destroy_cb);
  fixture_drain (f, 1);
  gasync_test_iterate_until_count (NULL, &failed.n_failed, 1);
  g_assert_true (failed.thread == f->main_thread);
  g_assert_cmpstr (failed.task_name, ==, "fetch");
  g_assert_error (failed.error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_cmpstr (failed.error->message, ==, "fetch: call 1");

  /* A cancelled task is no failure. */
  f->fail_at = 0;
  g_cancellable_cancel (cancellable);
  gasync_tasks_run (f->tasks, "stopped", cancellable, cancelled_func, f,
                    destroy_cb);
  fixture_drain (f, 2);
  g_assert_cmpint (failed.n_failed, ==, 1);

  errors = gasync_tasks_dup_errors (f->tasks);
  g_assert_cmpuint (errors->len, ==, 1);
  g_clear_pointer (&errors, g_ptr_array_unref);
  gasync_tasks_clear_errors (f->tasks);
  errors = gasync_tasks_dup_errors (f->tasks);
  g_assert_cmpuint (errors->len, ==, 0);

  g_signal_handler_disconnect (f->tasks, handler);
  g_free (failed.task_name);
  g_clear_error (&failed.error);
}

static void
test_tasks_loop_stops_on_error (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GPtrArray) errors = NULL;

  g_test_summary ("loop() repeats the function until it fails, and keeps "
                  "the error that ended it.");

  f->fail_at = 3;
  gasync_tasks_loop (f->tasks, "reader", cancellable, count_func, f,
                     destroy_cb);
  fixture_drain (f, 1);

  g_assert_cmpint (f->calls, ==, 3);
  errors = gasync_tasks_dup_errors (f->tasks);
  g_assert_cmpuint (errors->len, ==, 1);
  g_assert_error ((GError *) g_ptr_array_index (errors, 0), G_IO_ERROR,
                  G_IO_ERROR_NOT_FOUND);
}

static void
test_tasks_loop_stops_on_cancel (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GPtrArray) errors = NULL;
  gint calls;

  g_test_summary ("loop() ends when its cancellable is cancelled, without "
                  "an error.");

  gasync_tasks_loop (f->tasks, "poller", cancellable, count_func, f,
                     destroy_cb);
  gasync_test_iterate_until_count (NULL, &f->calls, 3);
  g_cancellable_cancel (cancellable);
  fixture_drain (f, 1);

  calls = f->calls;
  g_assert_cmpint (calls, >=, 3);
  g_assert_cmpuint (gasync_tasks_get_n_running (f->tasks), ==, 0);
  errors = gasync_tasks_dup_errors (f->tasks);
  g_assert_cmpuint (errors->len, ==, 0);

  /* Already cancelled: the function is not called at all. */
  gasync_tasks_loop (f->tasks, "poller", cancellable, count_func, f,
                     destroy_cb);
  fixture_drain (f, 2);
  g_assert_cmpint (f->calls, ==, calls);
}

static void
test_tasks_run_background (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GPtrArray) errors = NULL;

  g_test_summary ("run_background() is not reached by the caller's "
                  "cancellation: the task gets no cancellable and runs to "
                  "its end after the caller cancelled.");

  f->seen_cancellable = (GCancellable *) f;
  gasync_tasks_run_background (f->tasks, "background", gated_func, f,
                               destroy_cb);
  g_cancellable_cancel (cancellable);
  g_atomic_int_set (&f->gate, 1);
  fixture_drain (f, 1);

  g_assert_cmpint (f->calls, ==, 1);
  g_assert_null (f->seen_cancellable);
  errors = gasync_tasks_dup_errors (f->tasks);
  g_assert_cmpuint (errors->len, ==, 0);
}

static gboolean
close_func (GCancellable  *cancellable,
            gpointer       user_data,
            GError       **error)
{
  Fixture *f = user_data;

  f->calls_at_close = g_atomic_int_get (&f->calls);
  g_atomic_int_inc (&f->close_calls);
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CLOSED, "close");
  return FALSE;
}

static void
test_tasks_run_with_close (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GPtrArray) errors = NULL;
  GError *error;

  g_test_summary ("The close step runs after the task, also when it "
                  "failed; the wait covers it and its error is kept.");

  f->fail_at = 1;
  gasync_tasks_run_with_close (f->tasks, "conn", NULL, count_func,
                               close_func, f, destroy_cb);
  g_assert_true (gasync_tasks_wait (f->tasks, NULL, NULL));
  g_assert_cmpint (g_atomic_int_get (&f->close_calls), ==, 1);
  g_assert_cmpint (f->calls_at_close, ==, 1);
  fixture_drain (f, 1);

  errors = gasync_tasks_dup_errors (f->tasks);
  g_assert_cmpuint (errors->len, ==, 2);
  g_assert_error ((GError *) g_ptr_array_index (errors, 0), G_IO_ERROR,
                  G_IO_ERROR_NOT_FOUND);
  error = g_ptr_array_index (errors, 1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_assert_cmpstr (error->message, ==, "conn:close: close");
}

typedef struct
{
  Fixture *f;
  gint calls;                   /* atomic */
  GCancellable *cancellable;
  gboolean result;
  gint finalized;               /* atomic */
} CloseClosure;

static gboolean
close_closure_cb (GCancellable *cancellable,
                  gpointer      data)
{
  CloseClosure *close = data;

  g_assert_true (g_thread_self () != close->f->main_thread);
  /* After the task function, with the same cancellable. */
  g_assert_cmpint (g_atomic_int_get (&close->f->calls), ==, 1);
  close->cancellable = cancellable;
  g_atomic_int_inc (&close->calls);
  return close->result;
}

static void
close_closure_finalized (gpointer  data,
                         GClosure *closure)
{
  g_atomic_int_inc (&((CloseClosure *) data)->finalized);
}

static void
test_tasks_run_with_close_closure (Fixture       *f,
                                   gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GPtrArray) errors = NULL;
  CloseClosure close = { .f = f, .result = TRUE };
  GError *error;

  g_test_summary ("The form for bindings: the close step is a GClosure, "
                  "called with the cancellable on the worker thread after "
                  "the task; a FALSE it returns is the close step's "
                  "failure; the closure and the data are released once");
  g_test_bug ("16");

  gasync_tasks_run_with_close_closure (f->tasks, "conn", cancellable, count_func,
                                       g_cclosure_new (G_CALLBACK (close_closure_cb), &close,
                                                       close_closure_finalized),
                                       f, destroy_cb);
  fixture_drain (f, 1);
  g_assert_cmpint (g_atomic_int_get (&close.calls), ==, 1);
  g_assert_true (close.cancellable == cancellable);
  g_assert_true (f->seen_cancellable == cancellable);
  g_assert_cmpint (g_atomic_int_get (&close.finalized), ==, 1);
  g_assert_true (f->destroy_thread == f->main_thread);
  errors = gasync_tasks_dup_errors (f->tasks);
  g_assert_cmpuint (errors->len, ==, 0);
  g_clear_pointer (&errors, g_ptr_array_unref);

  /* Without a cancellable; the close step fails. */
  g_atomic_int_set (&f->calls, 0);
  memset (&close, 0, sizeof close);
  close.f = f;
  gasync_tasks_run_with_close_closure (f->tasks, "conn", NULL, count_func,
                                       g_cclosure_new (G_CALLBACK (close_closure_cb), &close,
                                                       close_closure_finalized),
                                       f, destroy_cb);
  fixture_drain (f, 2);
  g_assert_cmpint (g_atomic_int_get (&close.calls), ==, 1);
  g_assert_null (close.cancellable);
  g_assert_cmpint (g_atomic_int_get (&close.finalized), ==, 1);
  errors = gasync_tasks_dup_errors (f->tasks);
  g_assert_cmpuint (errors->len, ==, 1);
  error = g_ptr_array_index (errors, 0);
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "conn:close"));
}

/* Task A starts task B, gated, before it ends. */
static gboolean
spawning_func (GCancellable  *cancellable,
               gpointer       user_data,
               GError       **error)
{
  Fixture *f = user_data;

  gasync_tasks_run (f->tasks, "b", NULL, gated_func, f, destroy_cb);
  g_atomic_int_inc (&f->close_calls);
  return TRUE;
}

typedef struct
{
  Fixture *f;
  gint done;
  gint calls_seen;
  gboolean waited;
  GError *error;
} Waiter;

static gpointer
blocking_wait_thread (gpointer data)
{
  Waiter *waiter = data;

  waiter->waited = gasync_tasks_wait (waiter->f->tasks, NULL, &waiter->error);
  waiter->calls_seen = g_atomic_int_get (&waiter->f->calls);
  g_atomic_int_set (&waiter->done, 1);
  return NULL;
}

static void
test_tasks_wait_covers_new_tasks (Fixture       *f,
                                  gconstpointer  data)
{
  Waiter waiter = { f };
  GThread *thread;
  gint64 deadline = gasync_test_deadline (WAIT_SECONDS);

  g_test_summary ("wait() also waits for tasks started while it waits.");

  gasync_tasks_run (f->tasks, "a", NULL, spawning_func, f, destroy_cb);
  thread = g_thread_new ("waiter", blocking_wait_thread, &waiter);

  /* A ended and B is held at its gate: the waiter must still wait. */
  while ((g_atomic_int_get (&f->close_calls) != 1 ||
          gasync_tasks_get_n_running (f->tasks) != 1) &&
         g_get_monotonic_time () < deadline)
    g_thread_yield ();
  g_assert_cmpint (g_atomic_int_get (&f->close_calls), ==, 1);
  g_assert_cmpuint (gasync_tasks_get_n_running (f->tasks), ==, 1);
  g_assert_false (g_atomic_int_get (&waiter.done));

  g_atomic_int_set (&f->gate, 1);
  g_thread_join (thread);
  g_assert_no_error (waiter.error);
  g_assert_true (waiter.waited);
  g_assert_cmpint (waiter.calls_seen, ==, 1);
  fixture_drain (f, 2);
}

static void
wait_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Waiter *waiter = user_data;

  g_assert_true (g_thread_self () == waiter->f->main_thread);
  waiter->waited = gasync_tasks_wait_finish (GASYNC_TASKS (source), result,
                                             &waiter->error);
  waiter->calls_seen = g_atomic_int_get (&waiter->f->calls);
  g_atomic_int_set (&waiter->done, 1);
}

static void
test_tasks_wait_async (Fixture       *f,
                       gconstpointer  data)
{
  GMainContext *context = g_main_context_default ();
  Waiter waiter = { f };
  gint64 deadline = gasync_test_deadline (WAIT_SECONDS);

  g_test_summary ("wait_async() completes on the caller's context once no "
                  "task runs, including tasks started during the wait.");

  gasync_tasks_run (f->tasks, "a", NULL, spawning_func, f, destroy_cb);
  gasync_tasks_wait_async (f->tasks, NULL, wait_done_cb, &waiter);

  while ((g_atomic_int_get (&f->close_calls) != 1 ||
          gasync_tasks_get_n_running (f->tasks) != 1) &&
         g_get_monotonic_time () < deadline)
    g_thread_yield ();
  g_assert_cmpint (g_atomic_int_get (&f->close_calls), ==, 1);
  g_assert_cmpuint (gasync_tasks_get_n_running (f->tasks), ==, 1);
  /* Whatever A's end queued has run: the wait is still pending. */
  gasync_test_flush (context);
  g_assert_false (waiter.done);

  g_atomic_int_set (&f->gate, 1);
  gasync_test_iterate_until_count (context, &waiter.done, 1);
  g_assert_no_error (waiter.error);
  g_assert_true (waiter.waited);
  g_assert_cmpint (waiter.calls_seen, ==, 1);
  fixture_drain (f, 2);

  /* Nothing runs: it completes at once (on the next iteration). */
  memset (&waiter, 0, sizeof waiter);
  waiter.f = f;
  gasync_tasks_wait_async (f->tasks, NULL, wait_done_cb, &waiter);
  gasync_test_iterate_until_count (context, &waiter.done, 1);
  g_assert_true (waiter.waited);
}

static void
test_tasks_wait_cancelled (Fixture       *f,
                           gconstpointer  data)
{
  GMainContext *context = g_main_context_default ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  Waiter waiter = { f };

  gasync_tasks_run (f->tasks, "gated", NULL, gated_func, f, destroy_cb);
  gasync_tasks_wait_async (f->tasks, cancellable, wait_done_cb, &waiter);
  g_cancellable_cancel (cancellable);
  gasync_test_iterate_until_count (context, &waiter.done, 1);
  g_assert_false (waiter.waited);
  g_assert_error (waiter.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&waiter.error);

  g_assert_false (gasync_tasks_wait (f->tasks, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (gasync_tasks_get_n_running (f->tasks), ==, 1);

  g_atomic_int_set (&f->gate, 1);
  fixture_drain (f, 1);
}

static void
test_tasks_begin_task (Fixture       *f,
                       gconstpointer  data)
{
  GMainContext *context = g_main_context_default ();
  g_autoptr(GasyncTaskToken) token = NULL;
  Waiter waiter = { f };

  g_test_summary ("A token from begin_task() counts as a running task "
                  "until it is ended, so that waits cover it.");

  token = gasync_tasks_begin_task (f->tasks, "fetch");
  g_assert_cmpstr (gasync_task_token_get_name (token), ==, "fetch");
  g_assert_cmpuint (gasync_tasks_get_n_running (f->tasks), ==, 1);

  gasync_tasks_wait_async (f->tasks, NULL, wait_done_cb, &waiter);
  gasync_test_flush (context);
  g_assert_false (waiter.done);

  gasync_task_token_end (token);
  g_assert_cmpuint (gasync_tasks_get_n_running (f->tasks), ==, 0);
  gasync_test_iterate_until_count (context, &waiter.done, 1);
  g_assert_true (waiter.waited);

  /* A token dropped without end() ends itself: no wait hangs on it. */
  g_clear_object (&token);
  token = gasync_tasks_begin_task (f->tasks, "forgotten");
  g_assert_cmpuint (gasync_tasks_get_n_running (f->tasks), ==, 1);
  g_test_expect_message ("Gasync", G_LOG_LEVEL_WARNING,
                         "*“forgotten” was dropped without*");
  g_clear_object (&token);
  /* Ended on the owner context, not inside the unref. */
  g_assert_cmpuint (gasync_tasks_get_n_running (f->tasks), ==, 1);
  gasync_test_flush (context);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (gasync_tasks_get_n_running (f->tasks), ==, 0);
  g_assert_true (gasync_tasks_wait (f->tasks, NULL, NULL));
}

/* Tracing, in a subprocess: the log writer can be set once per process. */

typedef struct
{
  guint n_records;
  char *tasks_name;
  char *task_name;
  char *duration;
  char *error;
} Record;

static Record record;

static const char *
field_value (const GLogField *fields,
             gsize            n_fields,
             const char      *key)
{
  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, key))
      return fields[i].value;
  return NULL;
}

static GLogWriterOutput
capture_writer (GLogLevelFlags   log_level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  const char *task_name = field_value (fields, n_fields, "GASYNC_TASK_NAME");

  if (task_name == NULL || !g_str_equal (task_name, "traced"))
    return g_log_writer_default (log_level, fields, n_fields, user_data);

  g_assert_cmpint (log_level, ==, G_LOG_LEVEL_DEBUG);
  g_assert_cmpstr (field_value (fields, n_fields, "GLIB_DOMAIN"), ==, "Gasync");
  record.n_records++;
  record.tasks_name = g_strdup (field_value (fields, n_fields,
                                             "GASYNC_TASKS_NAME"));
  record.task_name = g_strdup (task_name);
  record.duration = g_strdup (field_value (fields, n_fields,
                                           "GASYNC_DURATION_USEC"));
  record.error = g_strdup (field_value (fields, n_fields, "GASYNC_ERROR"));
  return G_LOG_WRITER_HANDLED;
}

/* How a subprocess of the trace tests turns debug output on. */
typedef enum
{
  TRACE_OFF,            /* G_MESSAGES_DEBUG unset, debug output off */
  TRACE_DEBUG_ENABLED,  /* g_log_set_debug_enabled (TRUE) */
  TRACE_ENV,            /* G_MESSAGES_DEBUG=Gasync */
} TraceMode;

static void
check_trace (Fixture   *f,
             TraceMode  mode)
{
  /* Before any task ended: G_MESSAGES_DEBUG is read once, then. */
  g_unsetenv ("G_MESSAGES_DEBUG");
  if (mode == TRACE_ENV)
    g_setenv ("G_MESSAGES_DEBUG", "Gasync", TRUE);
  g_log_set_debug_enabled (mode == TRACE_DEBUG_ENABLED);
  g_log_set_writer_func (capture_writer, NULL, NULL);

  f->fail_at = 1;
  gasync_tasks_run (f->tasks, "traced", NULL, count_func, f, destroy_cb);
  fixture_drain (f, 1);

  if (mode == TRACE_OFF)
    {
      /* No record, but the error is kept all the same. */
      g_autoptr(GPtrArray) errors = gasync_tasks_dup_errors (f->tasks);

      g_assert_cmpuint (record.n_records, ==, 0);
      g_assert_cmpuint (errors->len, ==, 1);
      return;
    }

  g_assert_cmpuint (record.n_records, ==, 1);
  g_assert_cmpstr (record.tasks_name, ==, "test");
  g_assert_cmpstr (record.task_name, ==, "traced");
  g_assert_nonnull (record.duration);
  g_assert_cmpint (g_ascii_strtoll (record.duration, NULL, 10), >=, 0);
  g_assert_cmpstr (record.error, ==, "call 1");
  g_free (record.tasks_name);
  g_free (record.task_name);
  g_free (record.duration);
  g_free (record.error);
}

static void
test_tasks_trace (Fixture       *f,
                  gconstpointer  data)
{
  if (g_test_subprocess ())
    {
      check_trace (f, TRACE_DEBUG_ENABLED);
      return;
    }

  g_test_summary ("With debug output on (g_log_set_debug_enabled()), every "
                  "task leaves a structured debug record in the Gasync "
                  "domain with the tasks name, task name, duration and "
                  "error.");
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static void
test_tasks_trace_env (Fixture       *f,
                      gconstpointer  data)
{
  if (g_test_subprocess ())
    {
      check_trace (f, TRACE_ENV);
      return;
    }

  g_test_summary ("With G_MESSAGES_DEBUG=Gasync, every task leaves its "
                  "structured debug record.");
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static void
test_tasks_trace_off (Fixture       *f,
                      gconstpointer  data)
{
  if (g_test_subprocess ())
    {
      check_trace (f, TRACE_OFF);
      return;
    }

  g_test_summary ("With debug output off, no task formats or logs a trace "
                  "record: the log writer sees none.");
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static void
test_tasks_bad_input (Fixture       *f,
                      gconstpointer  data)
{
  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*name != NULL*");
  gasync_tasks_run (f->tasks, NULL, NULL, count_func, f, NULL);
  g_test_assert_expected_messages ();

  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*func != NULL*");
  gasync_tasks_loop (f->tasks, "x", NULL, NULL, f, NULL);
  g_test_assert_expected_messages ();

  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*GASYNC_IS_TASKS*");
  g_assert_false (gasync_tasks_wait (NULL, NULL, NULL));
  g_test_assert_expected_messages ();

  g_assert_cmpint (f->calls, ==, 0);
}

/* Stress: thousands of tasks, some failing, some cancelled at random,
 * waited for by threads and by the main context while they are added. */

#define STRESS_CANCELLABLES 8

typedef struct
{
  GasyncTasks *tasks;
  GCancellable *cancellables[STRESS_CANCELLABLES];
  gint n_destroyed;
  gint n_failed_signals;
  gint waits_done;
} Stress;

typedef struct
{
  Stress *stress;
  guint index;
} StressTask;

static gboolean
stress_task_func (GCancellable  *cancellable,
                  gpointer       user_data,
                  GError       **error)
{
  StressTask *task = user_data;

  if (task->index % 7 == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "task %u",
                   task->index);
      return FALSE;
    }
  if (!gasync_sleep ((task->index % 5) * 50, cancellable, NULL))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                           "cancelled");
      return FALSE;
    }
  return TRUE;
}

static void
stress_task_free (gpointer user_data)
{
  StressTask *task = user_data;

  g_atomic_int_inc (&task->stress->n_destroyed);
  g_free (task);
}

static gpointer
stress_wait_thread (gpointer data)
{
  Stress *stress = data;

  g_assert_true (gasync_tasks_wait (stress->tasks, NULL, NULL));
  g_atomic_int_inc (&stress->waits_done);
  return NULL;
}

static void
stress_wait_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Stress *stress = user_data;

  g_assert_true (gasync_tasks_wait_finish (GASYNC_TASKS (source), result,
                                           NULL));
  g_atomic_int_inc (&stress->waits_done);
}

static void
stress_failed_cb (GasyncTasks  *tasks,
                  const char   *task_name,
                  const GError *error,
                  gpointer      user_data)
{
  Stress *stress = user_data;

  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  stress->n_failed_signals++;
}

static void
test_tasks_stress (void)
{
  GMainContext *context = g_main_context_default ();
  Stress stress = { gasync_tasks_new ("stress") };
  guint n_tasks = gasync_test_is_slow () ? 200 : 1000;
  guint n_failing = (n_tasks + 6) / 7;
  g_autoptr(GPtrArray) errors = NULL;
  GThread *waiters[2] = { NULL, NULL };

  g_test_summary ("A thousand tasks, some failing and some cancelled at "
                  "random, waited for while they are added: every error "
                  "but cancellation kept, every destroy notify run.");

  g_signal_connect (stress.tasks, "task-failed",
                    G_CALLBACK (stress_failed_cb), &stress);
  for (guint i = 0; i < STRESS_CANCELLABLES; i++)
    stress.cancellables[i] = g_cancellable_new ();

  for (guint i = 0; i < n_tasks; i++)
    {
      StressTask *task = g_new (StressTask, 1);

      task->stress = &stress;
      task->index = i;
      gasync_tasks_run (stress.tasks, "stress",
                        stress.cancellables[i % STRESS_CANCELLABLES],
                        stress_task_func, task, stress_task_free);
      if (i == n_tasks / 4)
        {
          waiters[0] = g_thread_new ("waiter", stress_wait_thread, &stress);
          waiters[1] = g_thread_new ("waiter", stress_wait_thread, &stress);
          gasync_tasks_wait_async (stress.tasks, NULL, stress_wait_cb, &stress);
        }
      if (g_test_rand_int_range (0, 100) == 0)
        g_cancellable_cancel (
          stress.cancellables[g_test_rand_int_range (0, STRESS_CANCELLABLES)]);
    }

  gasync_test_iterate_until (context, gasync_test_count_reached,
                             (&(GasyncTestCount) { &stress.waits_done, 3 }), 120);
  g_thread_join (waiters[0]);
  g_thread_join (waiters[1]);
  g_assert_true (gasync_tasks_wait (stress.tasks, NULL, NULL));
  gasync_test_iterate_until (context, gasync_test_count_reached,
                             (&(GasyncTestCount) { &stress.n_destroyed, n_tasks }), 120);
  gasync_test_flush (context);

  errors = gasync_tasks_dup_errors (stress.tasks);
  g_assert_cmpuint (errors->len, ==, n_failing);
  g_assert_cmpint (stress.n_failed_signals, ==, n_failing);
  g_assert_cmpuint (gasync_tasks_get_n_running (stress.tasks), ==, 0);

  for (guint i = 0; i < STRESS_CANCELLABLES; i++)
    g_object_unref (stress.cancellables[i]);
  g_assert_finalize_object (stress.tasks);
}

#define ADD(path, func) \
  g_test_add ("/gasync/tasks/" path, Fixture, NULL, fixture_setup, func, \
              fixture_teardown)

static gint dropped_gate;

static gboolean
dropped_gated_func (GCancellable  *cancellable,
            gpointer       user_data,
            GError       **error)
{
  gasync_test_wait_flag (&dropped_gate);
  return TRUE;
}

static void
test_tasks_last_unref_while_running (void)
{
  GasyncTestLifetime lifetime;
  GasyncTasks *tasks = gasync_tasks_new ("dropped");
  GasyncTaskToken *token;

  g_test_summary ("A group dropped while a task and a token run lives on "
                  "until both have ended: then it is finalized and the "
                  "task's destroy notify has been called once");
  g_test_bug ("13");
  gasync_test_lifetime_init (&lifetime);
  gasync_test_lifetime_watch (&lifetime, tasks);
  gasync_tasks_run (tasks, "gated", NULL, dropped_gated_func, &lifetime.destroyed[0],
                    gasync_test_count);
  token = gasync_tasks_begin_task (tasks, "token");
  g_object_unref (tasks);
  gasync_test_flush (NULL);
  g_assert_false (g_atomic_int_get (&lifetime.gone));

  g_atomic_int_set (&dropped_gate, TRUE);
  gasync_task_token_end (token);
  g_object_unref (token);
  gasync_test_lifetime_wait (&lifetime, 1);
}

/* Misuse: waits that only the waiter could end. */
static GasyncTasks *misuse_tasks;
static gint misuse_done;

static gboolean
wait_from_task (GCancellable  *cancellable,
                gpointer       user_data,
                GError       **error)
{
  g_autoptr(GError) local_error = NULL;

  g_assert_false (gasync_tasks_wait (misuse_tasks, NULL, &local_error));
  g_assert_error (local_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
  g_atomic_int_set (&misuse_done, TRUE);
  return TRUE;
}

static void
test_tasks_wait_from_task (void)
{
  g_test_summary ("gasync_tasks_wait() in a task of the same group is a "
                  "critical that returns, not a wait forever");
  g_test_bug ("13");
  if (g_test_subprocess ())
    {
      gasync_test_criticals_not_fatal ();
      misuse_tasks = gasync_tasks_new ("misuse");
      gasync_tasks_run (misuse_tasks, "waits", NULL, wait_from_task, NULL, NULL);
      g_assert_true (gasync_tasks_wait (misuse_tasks, NULL, NULL));
      g_assert_true (g_atomic_int_get (&misuse_done));
      g_clear_object (&misuse_tasks);
      return;
    }

  g_test_trap_subprocess (NULL, gasync_test_subprocess_timeout (),
                          G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*CRITICAL*gasync_tasks_wait: called from a task "
                             "of the group*");
}

static void
test_tasks_wait_on_token_context (void)
{
  g_test_summary ("gasync_tasks_wait() while running the main context of a "
                  "running token of the group is a critical that returns, "
                  "not a wait forever");
  g_test_bug ("13");
  if (g_test_subprocess ())
    {
      g_autoptr(GasyncTasks) tasks = gasync_tasks_new ("misuse");
      g_autoptr(GasyncTaskToken) token = gasync_tasks_begin_task (tasks, "token");
      g_autoptr(GError) error = NULL;

      gasync_test_criticals_not_fatal ();
      g_assert_true (g_main_context_acquire (NULL));
      g_assert_false (gasync_tasks_wait (tasks, NULL, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
      g_main_context_release (NULL);
      gasync_task_token_end (token);
      g_assert_true (gasync_tasks_wait (tasks, NULL, NULL));
      return;
    }

  g_test_trap_subprocess (NULL, gasync_test_subprocess_timeout (),
                          G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*CRITICAL*gasync_tasks_wait: called on the main "
                             "context of a running main-loop task*");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gasync/tasks/name", test_tasks_name);
  ADD ("run", test_tasks_run);
  ADD ("run-error-kept", test_tasks_run_error_kept);
  ADD ("task-failed-signal", test_tasks_task_failed_signal);
  ADD ("loop-stops-on-error", test_tasks_loop_stops_on_error);
  ADD ("loop-stops-on-cancel", test_tasks_loop_stops_on_cancel);
  ADD ("run-background", test_tasks_run_background);
  ADD ("run-with-close", test_tasks_run_with_close);
  ADD ("run-with-close-closure", test_tasks_run_with_close_closure);
  ADD ("wait-covers-new-tasks", test_tasks_wait_covers_new_tasks);
  ADD ("wait-async", test_tasks_wait_async);
  ADD ("wait-cancelled", test_tasks_wait_cancelled);
  ADD ("begin-task", test_tasks_begin_task);
  ADD ("trace", test_tasks_trace);
  ADD ("trace-env", test_tasks_trace_env);
  ADD ("trace-off", test_tasks_trace_off);
  ADD ("bad-input", test_tasks_bad_input);
  g_test_add_func ("/gasync/tasks/stress", test_tasks_stress);
  g_test_add_func ("/gasync/tasks/last-unref-while-running",
                   test_tasks_last_unref_while_running);
  g_test_add_func ("/gasync/tasks/wait-from-task", test_tasks_wait_from_task);
  g_test_add_func ("/gasync/tasks/wait-on-token-context",
                   test_tasks_wait_on_token_context);

  return g_test_run ();
}

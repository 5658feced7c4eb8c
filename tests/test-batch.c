/* test-batch.c: GasyncBatch processes a known list and collects every error
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#include "config.h"

#include "gasync-private.h"
#include "gasync-test-util.h"

/* Items are TestItems, worked on by test_work_item(). */
typedef TestWork Fixture;

static void
test_run (Fixture       *f,
          gconstpointer  data)
{
  g_autoptr(GasyncBatch) batch = gasync_batch_new (test_work_object, f, NULL);
  g_autoptr(GPtrArray) items = test_items_new (500);
  g_autoptr(GPtrArray) errors = NULL;
  g_autoptr(GError) error = NULL;
  guint parallelism;

  g_test_summary ("run processes every item once, at most parallelism at a "
                  "time, and returns after all");
  g_assert_cmpuint (gasync_batch_get_parallelism (batch), ==, g_get_num_processors ());
  g_object_set (batch, "parallelism", 3, NULL);
  g_object_get (batch, "parallelism", &parallelism, NULL);
  g_assert_cmpuint (parallelism, ==, 3);

  g_assert_true (gasync_batch_run (batch, items, NULL, &error));
  g_assert_no_error (error);
  test_items_assert_processed_once (items);
  g_assert_cmpint (f->max_in_flight, <=, 3);
  g_assert_cmpint (f->n_in_flight, ==, 0);
  errors = gasync_batch_dup_errors (batch);
  g_assert_cmpuint (errors->len, ==, 0);
  for (guint i = 0; i < items->len; i++)
    g_assert_cmpuint (G_OBJECT (items->pdata[i])->ref_count, ==, 1);

  g_test_summary ("A batch runs again, and an empty list succeeds at once");
  g_assert_true (gasync_batch_run (batch, items, NULL, NULL));
  g_ptr_array_set_size (items, 0);
  g_assert_true (gasync_batch_run (batch, items, NULL, NULL));
}

typedef struct
{
  GasyncBatch *batch;
  GPtrArray *items;
  gboolean ok;
} Runner;

static gpointer
run_thread (gpointer data)
{
  Runner *r = data;

  r->ok = gasync_batch_run (r->batch, r->items, NULL, NULL);
  return NULL;
}

static void
test_parallel_and_running (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GasyncBatch) batch = gasync_batch_new (test_work_object, f, NULL);
  g_autoptr(GPtrArray) items = test_items_new (4);
  g_autoptr(GError) error = NULL;
  Runner r = { batch, items, FALSE };
  GThread *thread;

  g_test_summary ("parallelism items really run at the same time, and a "
                  "second run while one is going on is ALREADY_STARTED");
  f->use_gate = TRUE;
  gasync_batch_set_parallelism (batch, 4);
  thread = g_thread_new ("runner", run_thread, &r);
  test_gate_wait_waiting (&f->gate, 4);

  g_assert_false (gasync_batch_run (batch, items, NULL, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_ALREADY_STARTED);

  test_gate_open (&f->gate);
  g_thread_join (thread);
  g_assert_true (r.ok);
  test_items_assert_processed_once (items);
}

static void
test_errors_collected (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GasyncBatch) batch = gasync_batch_new (test_work_object, f, NULL);
  g_autoptr(GPtrArray) items = test_items_new (30);
  g_autoptr(GPtrArray) errors = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) messages = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  g_test_summary ("Every item runs even when some fail; every error is "
                  "collected and the run fails counting them");
  f->fail_modulo = 10;
  gasync_batch_set_parallelism (batch, 4);
  g_assert_false (gasync_batch_run (batch, items, NULL, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "3 of 30"));
  test_items_assert_processed_once (items);

  errors = gasync_batch_dup_errors (batch);
  g_assert_cmpuint (errors->len, ==, 3);
  for (guint i = 0; i < errors->len; i++)
    {
      GError *e = errors->pdata[i];

      g_assert_error (e, G_IO_ERROR, G_IO_ERROR_FAILED);
      g_hash_table_add (messages, g_strdup (e->message));
    }
  g_assert_true (g_hash_table_contains (messages, "item 0 failed"));
  g_assert_true (g_hash_table_contains (messages, "item 10 failed"));
  g_assert_true (g_hash_table_contains (messages, "item 20 failed"));

  g_test_summary ("With one failure, the run fails with that item's error");
  g_clear_error (&error);
  g_ptr_array_set_size (items, 5);
  g_assert_false (gasync_batch_run (batch, items, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==, "item 0 failed");
  g_clear_pointer (&errors, g_ptr_array_unref);
  errors = gasync_batch_dup_errors (batch);
  g_assert_cmpuint (errors->len, ==, 1);
}

#define N_BACK_TO_BACK 50
#define N_RUNNERS 7

typedef struct
{
  GasyncBatch *batch;
  GPtrArray *items;
  int done;
} BatchRuns;

/* Runs @data's items again and again, refused or not, and copies the
 * errors in between: that holds the lock that the end of a run waits for,
 * long enough for the next run to start meanwhile. */
static gpointer
run_back_to_back (gpointer data)
{
  BatchRuns *runs = data;

  while (!g_atomic_int_get (&runs->done))
    {
      g_autoptr(GError) error = NULL;

      if (!gasync_batch_run (runs->batch, runs->items, NULL, &error))
        g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_ALREADY_STARTED);
      g_ptr_array_unref (gasync_batch_dup_errors (runs->batch));
      g_thread_yield ();
    }
  return NULL;
}

static void
test_errors_kept_for_run (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GasyncBatch) batch = gasync_batch_new (test_work_object, f, NULL);
  g_autoptr(GPtrArray) failing = test_items_new (200);
  BatchRuns succeeding = { batch, test_items_new (2), FALSE };
  GThread *threads[N_RUNNERS];
  gint64 deadline = gasync_test_deadline (30);

  g_test_summary ("A run reports its own failures even when another thread "
                  "starts the next run, which clears them, as soon as it ends");
  /* Under valgrind (the timeout multiplier is set), which runs one thread
   * at a time, the other threads starve this one of runs. */
  if (gasync_test_is_slow ())
    {
      g_test_skip ("a race between threads that valgrind serializes");
      g_ptr_array_unref (succeeding.items);
      return;
    }
  f->fail_modulo = 2;
  g_ptr_array_remove_index (succeeding.items, 0);
  gasync_batch_set_parallelism (batch, 4);
  for (guint t = 0; t < N_RUNNERS; t++)
    threads[t] = g_thread_new ("succeeding", run_back_to_back, &succeeding);
  for (guint ran = 0; ran < N_BACK_TO_BACK;)
    {
      g_autoptr(GError) error = NULL;

      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_assert_false (gasync_batch_run (batch, failing, NULL, &error));
      if (g_error_matches (error, GASYNC_ERROR, GASYNC_ERROR_ALREADY_STARTED))
        continue;
      g_assert_nonnull (strstr (error->message, "100 of 200"));
      ran++;
    }
  g_atomic_int_set (&succeeding.done, TRUE);
  for (guint t = 0; t < N_RUNNERS; t++)
    g_thread_join (threads[t]);
  g_ptr_array_unref (succeeding.items);
}

static void
test_cancelled (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GasyncBatch) batch = gasync_batch_new (test_work_object, f, NULL);
  g_autoptr(GPtrArray) items = test_items_new (10);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  guint n_run = 0;

  g_test_summary ("Cancelling a run cancels the running items, does not run "
                  "the others, and fails with CANCELLED");
  f->use_gate = TRUE;
  gasync_batch_set_parallelism (batch, 2);
  g_cancellable_cancel (cancellable);
  g_assert_false (gasync_batch_run (batch, items, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  for (guint i = 0; i < items->len; i++)
    {
      int n = TEST_ITEM (items->pdata[i])->n_processed;

      g_assert_cmpint (n, <=, 1);
      n_run += n;
    }
  g_assert_cmpuint (n_run, <, items->len);
  for (guint i = 0; i < items->len; i++)
    g_assert_cmpuint (G_OBJECT (items->pdata[i])->ref_count, ==, 1);
}

/* Cancels (CANCELLED without a cancellable) the items whose index is a
 * multiple of 5; with *@fail set, fails the other even ones. */
static gboolean
cancel_some (GObject       *object,
             GCancellable  *cancellable,
             gpointer       user_data,
             GError       **error)
{
  TestItem *item = TEST_ITEM (object);
  gboolean *fail = user_data;

  g_atomic_int_inc (&item->n_processed);
  if (item->index % 5 == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "item %u cancelled",
                   item->index);
      return FALSE;
    }
  if (*fail && item->index % 2 == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "item %u failed",
                   item->index);
      return FALSE;
    }
  return TRUE;
}

static void
test_items_cancelled (Fixture       *f,
                      gconstpointer  data)
{
  gboolean fail = FALSE;
  g_autoptr(GasyncBatch) batch = gasync_batch_new (cancel_some, &fail, NULL);
  g_autoptr(GPtrArray) items = test_items_new (10);
  g_autoptr(GPtrArray) errors = NULL;
  g_autoptr(GError) error = NULL;

  g_test_summary ("Items that say they were cancelled did not fail: no "
                  "error is kept for them, and the run fails with "
                  "CANCELLED, counting them, unless an item failed");
  g_assert_false (gasync_batch_run (batch, items, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpstr (error->message, ==, "2 of 10 items were cancelled");
  errors = gasync_batch_dup_errors (batch);
  g_assert_cmpuint (errors->len, ==, 0);
  test_items_assert_processed_once (items);
  g_clear_error (&error);
  g_clear_pointer (&errors, g_ptr_array_unref);

  fail = TRUE;
  g_assert_false (gasync_batch_run (batch, items, NULL, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_FAILED);
  errors = gasync_batch_dup_errors (batch);
  /* 2, 4, 6 and 8 failed; 0 and 5 were cancelled. */
  g_assert_cmpuint (errors->len, ==, 4);
}

static void
on_run (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  GError **out = user_data;

  g_assert_true (g_main_context_is_owner (g_main_context_default ()));
  if (gasync_batch_run_finish (GASYNC_BATCH (source), result, out))
    *out = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_EXISTS, "ok");
}

static GError *
run_async_and_wait (GasyncBatch *batch,
                    GPtrArray   *items)
{
  GError *error = NULL;

  gasync_batch_run_async (batch, items, NULL, on_run, &error);
  gasync_test_iterate_until_set (NULL, &error);
  return error;
}

static void
test_run_async (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GasyncBatch) batch = gasync_batch_new (test_work_object, f, NULL);
  g_autoptr(GPtrArray) items = test_items_new (40);
  GError *error;

  g_test_summary ("run_async processes every item and completes on the "
                  "caller's context; the items may be freed after the call");
  error = run_async_and_wait (batch, items);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_clear_error (&error);
  test_items_assert_processed_once (items);

  f->fail_modulo = 7;
  error = run_async_and_wait (batch, items);
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_FAILED);
  g_clear_error (&error);
}

typedef struct
{
  GPtrArray *tokens;
  guint in_flight;
  guint max_in_flight;
  GThread *owner_thread;
} Begin;

static gboolean
end_token_cb (gpointer data)
{
  Begin *b = g_object_get_data (data, "begin");

  b->in_flight--;
  gasync_task_token_end (data);
  return G_SOURCE_REMOVE;
}

static gboolean
begin (GObject          *item,
       GasyncTaskToken  *token,
       GCancellable     *cancellable,
       gpointer          user_data,
       GError          **error)
{
  Begin *b = user_data;

  g_assert_true (g_thread_self () == b->owner_thread);
  g_atomic_int_inc (&TEST_ITEM (item)->n_processed);
  if (TEST_ITEM (item)->index == 3)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "three");
      return FALSE;
    }
  b->in_flight++;
  b->max_in_flight = MAX (b->max_in_flight, b->in_flight);
  g_object_set_data (G_OBJECT (token), "begin", b);
  g_idle_add_full (G_PRIORITY_DEFAULT, end_token_cb, g_object_ref (token), g_object_unref);
  return TRUE;
}

static void
test_main_context (Fixture       *f,
                   gconstpointer  data)
{
  Begin b = { NULL, 0, 0, g_thread_self () };
  g_autoptr(GasyncBatch) batch = gasync_batch_new_for_main_context (begin, &b, NULL);
  g_autoptr(GPtrArray) items = test_items_new (20);
  GError *error;

  g_test_summary ("The main-context form begins every item on the owner "
                  "context, at most parallelism in flight");
  gasync_batch_set_parallelism (batch, 2);
  error = run_async_and_wait (batch, items);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==, "three");
  g_clear_error (&error);
  test_items_assert_processed_once (items);
  g_assert_cmpuint (b.max_in_flight, ==, 2);
}

static void
test_bad_input (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GasyncBatch) batch = gasync_batch_new (test_work_object, NULL, NULL);

      g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*func != NULL*");
      g_assert_null (gasync_batch_new (NULL, NULL, NULL));
      g_test_assert_expected_messages ();

      g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*items != NULL*");
      g_assert_false (gasync_batch_run (batch, NULL, NULL, NULL));
      g_test_assert_expected_messages ();

      g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*parallelism >= 1*");
      gasync_batch_set_parallelism (batch, 0);
      g_test_assert_expected_messages ();
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static int dropped_gate; /* atomic */

static gboolean
gated_work (GObject       *item,
            GCancellable  *cancellable,
            gpointer       user_data,
            GError       **error)
{
  gasync_test_wait_flag (&dropped_gate);
  g_atomic_int_inc (&TEST_ITEM (item)->n_processed);
  return TRUE;
}

static void
test_last_unref_while_running (void)
{
  GasyncTestLifetime lifetime;
  GasyncBatch *batch;
  g_autoptr(GPtrArray) items = test_items_new (4);
  GError *error = NULL;

  g_test_summary ("A batch dropped while it runs lives on until its run "
                  "completed: then it is finalized and its destroy notify "
                  "called once");
  g_test_bug ("13");
  gasync_test_lifetime_init (&lifetime);
  batch = gasync_batch_new (gated_work, &lifetime.destroyed[0],
                            gasync_test_count);
  gasync_test_lifetime_watch (&lifetime, batch);
  gasync_batch_set_parallelism (batch, 2);
  gasync_batch_run_async (batch, items, NULL, on_run, &error);
  g_object_unref (batch);
  g_assert_false (g_atomic_int_get (&lifetime.gone));

  g_atomic_int_set (&dropped_gate, TRUE);
  gasync_test_lifetime_wait (&lifetime, 1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_clear_error (&error);
  test_items_assert_processed_once (items);
}

static gboolean
run_on_owner_cb (gpointer data)
{
  GasyncBatch *batch = data;
  g_autoptr(GPtrArray) items = test_items_new (2);
  g_autoptr(GError) error = NULL;

  g_assert_false (gasync_batch_run (batch, items, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
  return G_SOURCE_REMOVE;
}

static void
test_run_on_owner_main_context (void)
{
  g_test_summary ("A blocking gasync_batch_run() of a main-context batch on "
                  "its owner context is a critical that returns, not a wait "
                  "forever");
  g_test_bug ("13");
  if (g_test_subprocess ())
    {
      Begin b = { NULL, 0, 0, g_thread_self () };
      g_autoptr(GasyncBatch) batch = gasync_batch_new_for_main_context (begin, &b, NULL);

      gasync_test_criticals_not_fatal ();
      g_idle_add (run_on_owner_cb, batch);
      g_assert_true (g_main_context_iteration (NULL, FALSE));
      g_assert_cmpuint (b.in_flight, ==, 0);
      return;
    }

  g_test_trap_subprocess (NULL, gasync_test_subprocess_timeout (),
                          G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*CRITICAL*gasync_batch_run: called on the owner "
                             "context of a main-context batch*");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/gasync/batch/" path, Fixture, NULL, test_work_setup, func, test_work_teardown)
  ADD ("run", test_run);
  ADD ("parallel-and-running", test_parallel_and_running);
  ADD ("errors-collected", test_errors_collected);
  ADD ("errors-kept-for-run", test_errors_kept_for_run);
  ADD ("cancelled", test_cancelled);
  ADD ("items-cancelled", test_items_cancelled);
  ADD ("run-async", test_run_async);
  ADD ("main-context", test_main_context);
#undef ADD
  g_test_add_func ("/gasync/batch/bad-input", test_bad_input);
  g_test_add_func ("/gasync/batch/last-unref-while-running",
                   test_last_unref_while_running);
  g_test_add_func ("/gasync/batch/run-on-owner-main-context",
                   test_run_on_owner_main_context);

  return g_test_run ();
}

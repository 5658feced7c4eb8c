/* test-worker.c: GasyncWorker processes items in order, once each, and
 * reports errors on its owner context
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#include "config.h"

#include <gasync.h>

#include "gasync-sync-private.h"
#include "gasync-test-util.h"

typedef struct
{
  GasyncLock lock;
  GasyncCond cond;
  GArray *processed;       /* guint item numbers, in processing order */
  guint n_finalized;       /* atomic */
  guint n_errors;
  GPtrArray *errors;
  GThread *main_thread;
  GThread *worker_thread;
  gboolean block;          /* items block until cancelled or unblocked */
  gboolean blocked;        /* an item is blocked */
  gboolean was_cancelled;
  GasyncTestLifetime *lifetime;
} Fixture;

typedef struct
{
  Fixture *fixture;
  guint number;
  gboolean fail;
  gboolean fail_silently;
} WorkItem;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  user_data)
{
  gasync_lock_init (&fixture->lock);
  gasync_cond_init (&fixture->cond);
  fixture->processed = g_array_new (FALSE, FALSE, sizeof (guint));
  fixture->errors = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  fixture->main_thread = g_thread_self ();
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  user_data)
{
  gasync_test_flush (NULL);
  g_array_unref (fixture->processed);
  g_ptr_array_unref (fixture->errors);
  gasync_cond_clear (&fixture->cond);
  gasync_lock_clear (&fixture->lock);
}

static void
work_item_free (gpointer data)
{
  WorkItem *item = data;

  g_assert_true (g_thread_self () == item->fixture->main_thread);
  g_atomic_int_inc (&item->fixture->n_finalized);
  g_free (item);
}

static gboolean
process_item (gpointer       data,
              GCancellable  *cancellable,
              gpointer       user_data,
              GError       **error)
{
  WorkItem *item = data;
  Fixture *fixture = user_data;

  g_assert_true (item->fixture == fixture);
  gasync_lock (&fixture->lock);
  fixture->worker_thread = g_thread_self ();
  g_array_append_val (fixture->processed, item->number);
  if (fixture->block)
    {
      fixture->blocked = TRUE;
      gasync_cond_broadcast (&fixture->cond);
      while (fixture->block && !g_cancellable_is_cancelled (cancellable))
        gasync_cond_wait_until (&fixture->cond, &fixture->lock,
                                g_get_monotonic_time () + G_TIME_SPAN_MILLISECOND * 10);
      fixture->was_cancelled = g_cancellable_is_cancelled (cancellable);
    }
  gasync_cond_broadcast (&fixture->cond);
  gasync_unlock (&fixture->lock);

  if (item->fail)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "item %u failed", item->number);
  return !item->fail && !item->fail_silently;
}

static WorkItem *
work_item_new (Fixture *fixture,
               guint    number)
{
  WorkItem *item = g_new0 (WorkItem, 1);

  item->fixture = fixture;
  item->number = number;
  return item;
}

static void
enqueue_numbers (GasyncWorker *worker,
                 Fixture      *fixture,
                 guint         first,
                 guint         n)
{
  for (guint i = first; i < first + n; i++)
    g_assert_true (gasync_worker_enqueue_pointer (worker, work_item_new (fixture, i),
                                                  work_item_free));
}

static void
wait_blocked (Fixture *fixture)
{
  gint64 deadline = gasync_test_deadline (10);

  gasync_lock (&fixture->lock);
  while (!fixture->blocked &&
         gasync_cond_wait_until (&fixture->cond, &fixture->lock, deadline))
    ;
  g_assert_true (fixture->blocked);
  gasync_unlock (&fixture->lock);
}

static void
error_cb (GasyncWorker *worker,
          GError       *error,
          gpointer      user_data)
{
  Fixture *fixture = user_data;

  g_assert_true (g_thread_self () == fixture->main_thread);
  g_ptr_array_add (fixture->errors, g_error_copy (error));
}

static void
assert_in_order (Fixture *fixture,
                 guint    n)
{
  g_assert_cmpuint (fixture->processed->len, ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpuint (g_array_index (fixture->processed, guint, i), ==, i);
}

static void
test_worker_in_order (Fixture       *fixture,
                      gconstpointer  user_data)
{
  g_autoptr(GasyncWorker) worker = gasync_worker_new (process_item, fixture, NULL);
  g_autoptr(GError) error = NULL;
  guint n = gasync_test_is_slow () ? 200 : 2000;

  g_test_summary ("Items run on one other thread, in order, and each "
                  "finalizer runs once on the owner context");

  g_assert_true (gasync_worker_start (worker, &error));
  g_assert_no_error (error);
  g_assert_cmpint (gasync_worker_get_state (worker), ==, GASYNC_LATCH_STATE_STARTED);
  enqueue_numbers (worker, fixture, 0, n);
  g_assert_true (gasync_worker_stop (worker, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (gasync_worker_get_state (worker), ==, GASYNC_LATCH_STATE_STOPPED);
  g_assert_cmpuint (gasync_worker_get_n_queued (worker), ==, 0);

  assert_in_order (fixture, n);
  g_assert_true (fixture->worker_thread != fixture->main_thread);
  gasync_test_iterate_until_count (NULL, &fixture->n_finalized, n);
  gasync_test_flush (NULL);
  g_assert_cmpuint (fixture->n_finalized, ==, n);
}

static gboolean
process_object (gpointer       data,
                GCancellable  *cancellable,
                gpointer       user_data,
                GError       **error)
{
  Fixture *fixture = user_data;

  g_assert_true (TEST_IS_ITEM (data));
  gasync_lock (&fixture->lock);
  g_array_append_val (fixture->processed, TEST_ITEM (data)->index);
  gasync_unlock (&fixture->lock);
  return TRUE;
}

static void
test_worker_objects (Fixture       *fixture,
                     gconstpointer  user_data)
{
  g_autoptr(GasyncWorker) worker = gasync_worker_new (process_object, fixture, NULL);
  TestItem *objects[10];

  g_assert_true (gasync_worker_start (worker, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (objects); i++)
    {
      objects[i] = g_object_new (TEST_TYPE_ITEM, NULL);
      objects[i]->index = i;
      g_object_add_weak_pointer (G_OBJECT (objects[i]), (gpointer *) &objects[i]);
      g_assert_true (gasync_worker_enqueue (worker, G_OBJECT (objects[i])));
      g_object_unref (objects[i]);
      /* The worker holds the only reference now, or dropped it already
       * on the owner context, which has not run: alive either way. */
      g_assert_nonnull (objects[i]);
    }
  g_assert_true (gasync_worker_stop (worker, NULL, NULL));
  assert_in_order (fixture, G_N_ELEMENTS (objects));
  gasync_test_flush (NULL);
  for (guint i = 0; i < G_N_ELEMENTS (objects); i++)
    g_assert_null (objects[i]);
}

static void
test_worker_errors (Fixture       *fixture,
                    gconstpointer  user_data)
{
  g_autoptr(GasyncWorker) worker = gasync_worker_new (process_item, fixture, NULL);
  WorkItem *item;

  g_test_summary ("A failed item is emitted as ::error on the owner context "
                  "and the worker goes on; FALSE without an error is FAILED");

  g_signal_connect (worker, "error", G_CALLBACK (error_cb), fixture);
  g_assert_true (gasync_worker_start (worker, NULL));
  item = work_item_new (fixture, 0);
  item->fail = TRUE;
  g_assert_true (gasync_worker_enqueue_pointer (worker, item, work_item_free));
  item = work_item_new (fixture, 1);
  item->fail_silently = TRUE;
  g_assert_true (gasync_worker_enqueue_pointer (worker, item, work_item_free));
  enqueue_numbers (worker, fixture, 2, 1);
  g_assert_true (gasync_worker_stop (worker, NULL, NULL));
  assert_in_order (fixture, 3);

  gasync_test_iterate_until_count (NULL, &fixture->errors->len, 2);
  gasync_test_flush (NULL);
  g_assert_cmpuint (fixture->errors->len, ==, 2);
  g_assert_error ((GError *) g_ptr_array_index (fixture->errors, 0), G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpstr (((GError *) g_ptr_array_index (fixture->errors, 0))->message, ==,
                   "item 0 failed");
  g_assert_error ((GError *) g_ptr_array_index (fixture->errors, 1), GASYNC_ERROR, GASYNC_ERROR_FAILED);
  g_assert_cmpuint (fixture->n_finalized, ==, 3);
}

static void
test_worker_lifecycle (Fixture       *fixture,
                       gconstpointer  user_data)
{
  g_autoptr(GasyncWorker) worker = gasync_worker_new (process_item, fixture, NULL);
  g_autoptr(GError) error = NULL;
  WorkItem *item = work_item_new (fixture, 0);

  g_test_summary ("start and stop follow the latch: no double start, no "
                  "stop of a stopped worker, no items while not running, "
                  "and a stopped worker can start again");

  g_assert_false (gasync_worker_enqueue_pointer (worker, item, work_item_free));
  g_assert_false (gasync_worker_stop (worker, NULL, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_NOT_STARTED);
  g_clear_error (&error);
  g_assert_cmpuint (gasync_worker_close (worker), ==, 0);

  g_assert_true (gasync_worker_start (worker, NULL));
  g_assert_false (gasync_worker_start (worker, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_ALREADY_STARTED);
  g_clear_error (&error);
  g_assert_true (gasync_worker_enqueue_pointer (worker, item, work_item_free));
  g_assert_true (gasync_worker_stop (worker, NULL, NULL));
  g_assert_false (gasync_worker_stop (worker, NULL, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_NOT_STARTED);
  g_clear_error (&error);

  g_assert_true (gasync_worker_start (worker, NULL));
  enqueue_numbers (worker, fixture, 1, 1);
  g_assert_true (gasync_worker_stop (worker, NULL, NULL));
  assert_in_order (fixture, 2);
  gasync_test_iterate_until_count (NULL, &fixture->n_finalized, 2);
}

static guint restart_n_user_data_freed;

static void
restart_user_data_free (gpointer data)
{
  Fixture *fixture = data;

  g_assert_true (g_thread_self () == fixture->main_thread);
  restart_n_user_data_freed++;
}

/* Mirrors blend's Test_Queue_Start_Stop_Start (async/queue_test.go) for the
 * worker: blend's worker_test.go has no restart test, but its Worker.Stop()
 * resets the latch so that the worker can start again. */
static void
test_worker_restart (Fixture       *fixture,
                     gconstpointer  user_data)
{
  gboolean main_context = GPOINTER_TO_INT (user_data);
  GasyncWorker *worker;
  g_autoptr(GError) error = NULL;

  g_test_summary ("start, stop, start, stop: a stopped worker starts "
                  "again, each stop processes its round's items, in order, "
                  "each exactly once, and the user data is freed once");

  restart_n_user_data_freed = 0;
  if (main_context)
    worker = gasync_worker_new_for_main_context (process_item, fixture,
                                                 restart_user_data_free);
  else
    worker = gasync_worker_new (process_item, fixture, restart_user_data_free);
  g_signal_connect (worker, "error", G_CALLBACK (error_cb), fixture);

  for (guint round = 0; round < 2; round++)
    {
      g_assert_true (gasync_worker_start (worker, &error));
      g_assert_no_error (error);
      g_assert_cmpint (gasync_worker_get_state (worker), ==, GASYNC_LATCH_STATE_STARTED);
      enqueue_numbers (worker, fixture, round * 5, 5);
      g_assert_true (gasync_worker_stop (worker, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpint (gasync_worker_get_state (worker), ==, GASYNC_LATCH_STATE_STOPPED);
      g_assert_cmpuint (gasync_worker_get_n_queued (worker), ==, 0);
      assert_in_order (fixture, (round + 1) * 5);
      g_assert_true ((fixture->worker_thread == fixture->main_thread) == main_context);
    }

  gasync_test_iterate_until_count (NULL, &fixture->n_finalized, 10);
  g_assert_cmpuint (restart_n_user_data_freed, ==, 0);
  gasync_test_unref_and_wait (worker);
  gasync_test_flush (NULL);
  g_assert_cmpuint (restart_n_user_data_freed, ==, 1);
  g_assert_cmpuint (fixture->n_finalized, ==, 10);
  g_assert_cmpuint (fixture->errors->len, ==, 0);
}

static void
state_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    user_data)
{
  Fixture *fixture = user_data;

  g_assert_true (g_thread_self () == fixture->main_thread);
  fixture->n_errors++;  /* counts notifies here */
}

static void
test_worker_notify_state (Fixture       *fixture,
                          gconstpointer  user_data)
{
  g_autoptr(GasyncWorker) worker = gasync_worker_new (process_item, fixture, NULL);
  GasyncLatchState state;

  g_signal_connect (worker, "notify::state", G_CALLBACK (state_notify_cb), fixture);
  g_assert_true (gasync_worker_start (worker, NULL));
  g_object_get (worker, "state", &state, NULL);
  g_assert_cmpint (state, ==, GASYNC_LATCH_STATE_STARTED);
  g_assert_true (gasync_worker_stop (worker, NULL, NULL));
  gasync_test_iterate_until_count (NULL, &fixture->n_errors, 4);
  gasync_test_flush (NULL);
  g_assert_cmpuint (fixture->n_errors, ==, 4);
}

static gboolean
worker_is_stopped (gpointer data)
{
  return gasync_worker_get_state (data) == GASYNC_LATCH_STATE_STOPPED;
}

static void
test_worker_stop_drains (Fixture       *fixture,
                         gconstpointer  user_data)
{
  GasyncWorker *worker = gasync_worker_new (process_item, fixture, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  g_test_summary ("stop() runs the queued items first; a cancelled stop "
                  "returns but the worker still stops after them");

  fixture->block = TRUE;
  g_assert_true (gasync_worker_start (worker, NULL));
  enqueue_numbers (worker, fixture, 0, 10);
  wait_blocked (fixture);

  g_cancellable_cancel (cancellable);
  g_assert_false (gasync_worker_stop (worker, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (gasync_worker_get_state (worker), ==, GASYNC_LATCH_STATE_STOPPING);
  g_assert_false (gasync_worker_enqueue_pointer (worker, fixture, NULL));

  gasync_lock (&fixture->lock);
  fixture->block = FALSE;
  gasync_cond_broadcast (&fixture->cond);
  gasync_unlock (&fixture->lock);

  gasync_test_iterate_until (NULL, worker_is_stopped, worker, 10);
  g_assert_false (fixture->was_cancelled);
  assert_in_order (fixture, 10);
  gasync_test_iterate_until_count (NULL, &fixture->n_finalized, 10);
  gasync_test_unref_and_wait (worker);
}

static void
test_worker_close (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autoptr(GasyncWorker) worker = gasync_worker_new (process_item, fixture, NULL);

  g_test_summary ("close() discards the queued items (finalized, not run), "
                  "says how many, and cancels the running one");

  fixture->block = TRUE;
  g_assert_true (gasync_worker_start (worker, NULL));
  enqueue_numbers (worker, fixture, 0, 11);
  wait_blocked (fixture);
  g_assert_cmpuint (gasync_worker_get_n_queued (worker), ==, 10);

  g_assert_cmpuint (gasync_worker_close (worker), ==, 10);
  g_assert_cmpint (gasync_worker_get_state (worker), ==, GASYNC_LATCH_STATE_STOPPED);
  g_assert_true (fixture->was_cancelled);
  g_assert_cmpuint (fixture->processed->len, ==, 1);
  gasync_test_iterate_until_count (NULL, &fixture->n_finalized, 11);
  gasync_test_flush (NULL);
  g_assert_cmpuint (fixture->n_finalized, ==, 11);
}

static void
test_worker_main_context (Fixture       *fixture,
                          gconstpointer  user_data)
{
  g_autoptr(GasyncWorker) worker = NULL;
  g_autoptr(GError) error = NULL;

  g_test_summary ("A main-context worker runs items on the owner context, "
                  "one per iteration, in order; stop() runs the rest");

  worker = gasync_worker_new_for_main_context (process_item, fixture, NULL);
  g_signal_connect (worker, "error", G_CALLBACK (error_cb), fixture);
  g_assert_true (gasync_worker_start (worker, &error));
  g_assert_no_error (error);
  enqueue_numbers (worker, fixture, 0, 5);
  g_assert_cmpuint (fixture->processed->len, ==, 0);
  g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (fixture->processed->len, ==, 1);
  g_assert_true (fixture->worker_thread == fixture->main_thread);
  gasync_test_iterate_until_count (NULL, &fixture->processed->len, 3);

  enqueue_numbers (worker, fixture, 5, 5);
  g_assert_true (gasync_worker_stop (worker, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (gasync_worker_get_state (worker), ==, GASYNC_LATCH_STATE_STOPPED);
  assert_in_order (fixture, 10);

  /* And again, closed this time. */
  g_assert_true (gasync_worker_start (worker, &error));
  enqueue_numbers (worker, fixture, 10, 3);
  g_assert_cmpuint (gasync_worker_close (worker), ==, 3);
  gasync_test_iterate_until_count (NULL, &fixture->n_finalized, 13);
  gasync_test_flush (NULL);
  g_assert_cmpuint (fixture->processed->len, ==, 10);
  g_assert_cmpuint (fixture->errors->len, ==, 0);
}

static gboolean
has_leak (const char *name)
{
  g_autoptr(GPtrArray) leaks = gasync_leaks_check (0);

  for (guint i = 0; i < leaks->len; i++)
    if (g_strcmp0 (gasync_leak_get_name (leaks->pdata[i]), name) == 0)
      {
        g_assert_cmpstr (gasync_leak_get_kind (leaks->pdata[i]), ==, "GasyncWorker");
        return TRUE;
      }
  return FALSE;
}

static void
test_worker_name (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_autoptr(GasyncWorker) worker = NULL;
  g_autoptr(GasyncWorker) main_worker = NULL;
  g_autofree char *name = NULL;
  int notified = 0;

  /* Mirrors CockroachDB's leaktest.AfterTest(): what was started and not
   * stopped is listed by name. */
  g_test_summary ("The name property is read, written and notified on "
                  "change; the leak checks list a running worker under it "
                  "from start to stop or close, threaded or not");

  worker = gasync_worker_new (process_item, fixture, NULL);
  g_assert_null (gasync_worker_get_name (worker));
  g_signal_connect (worker, "notify::name", G_CALLBACK (gasync_test_count_notify), &notified);
  g_object_set (worker, "name", "mailer", NULL);
  gasync_worker_set_name (worker, "mailer");
  g_assert_cmpint (notified, ==, 1);
  g_object_get (worker, "name", &name, NULL);
  g_assert_cmpstr (name, ==, "mailer");

  g_assert_false (has_leak ("mailer"));
  g_assert_true (gasync_worker_start (worker, NULL));
  g_assert_true (has_leak ("mailer"));
  enqueue_numbers (worker, fixture, 0, 3);
  g_assert_true (gasync_worker_stop (worker, NULL, NULL));
  g_assert_false (has_leak ("mailer"));
  g_assert_true (gasync_worker_start (worker, NULL));
  g_assert_true (has_leak ("mailer"));
  g_assert_cmpuint (gasync_worker_close (worker), ==, 0);
  g_assert_false (has_leak ("mailer"));

  main_worker = gasync_worker_new_for_main_context (process_item, fixture, NULL);
  gasync_worker_set_name (main_worker, "main-mailer");
  g_assert_true (gasync_worker_start (main_worker, NULL));
  g_assert_true (has_leak ("main-mailer"));
  g_assert_true (gasync_worker_stop (main_worker, NULL, NULL));
  g_assert_false (has_leak ("main-mailer"));
  gasync_test_flush (NULL);
  assert_in_order (fixture, 3);
}

typedef struct
{
  GasyncWorker *worker;
  guint n;
  guint n_accepted;
} Producer;

static void
count_free (gpointer data)
{
  g_atomic_int_inc ((gint *) data);
}

static gboolean
count_item (gpointer       data,
            GCancellable  *cancellable,
            gpointer       user_data,
            GError       **error)
{
  g_atomic_int_inc ((gint *) user_data);
  return TRUE;
}

static gpointer
produce_counted_thread (gpointer data)
{
  Producer *producer = data;
  guint *n_finalized = g_object_get_data (G_OBJECT (producer->worker), "n-finalized");

  for (guint i = 0; i < producer->n; i++)
    if (gasync_worker_enqueue_pointer (producer->worker, n_finalized, count_free))
      producer->n_accepted++;
  return NULL;
}

static void
test_worker_nothing_lost (void)
{
  guint n_processed = 0;
  guint n_finalized = 0;
  GasyncWorker *worker = gasync_worker_new (count_item, &n_processed, NULL);
  Producer producers[2];
  GThread *threads[2];
  guint n_discarded, n_accepted = 0;
  guint n = gasync_test_is_slow () ? 2000 : 50000;
  gint64 deadline;

  g_test_summary ("With producers racing a close(), every accepted item is "
                  "processed or discarded, exactly once, and finalized once");

  g_object_set_data (G_OBJECT (worker), "n-finalized", &n_finalized);
  g_assert_true (gasync_worker_start (worker, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (producers); i++)
    {
      producers[i] = (Producer) { worker, n, 0 };
      threads[i] = g_thread_new ("produce", produce_counted_thread, &producers[i]);
    }
  /* Close while they produce (or after, on a slow machine: also fine). */
  deadline = gasync_test_deadline (30);
  while ((guint) g_atomic_int_get (&n_processed) < n / 10)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_thread_yield ();
    }
  n_discarded = gasync_worker_close (worker);
  for (guint i = 0; i < G_N_ELEMENTS (producers); i++)
    {
      g_thread_join (threads[i]);
      n_accepted += producers[i].n_accepted;
    }

  g_assert_cmpuint (n_accepted, >=, n / 10);
  g_assert_cmpuint ((guint) g_atomic_int_get (&n_processed) + n_discarded, ==, n_accepted);
  gasync_test_iterate_until_count (NULL, &n_finalized, n_accepted);
  gasync_test_unref_and_wait (worker);
  g_assert_cmpuint (n_finalized, ==, n_accepted);
}

static void
destroy_count (gpointer data)
{
  g_atomic_int_inc ((gint *) data);
}

static void
test_worker_user_data_free (void)
{
  guint n_freed = 0;
  GasyncWorker *worker = gasync_worker_new (process_item, &n_freed, destroy_count);

  g_assert_true (gasync_worker_start (worker, NULL));
  g_assert_true (gasync_worker_stop (worker, NULL, NULL));
  g_object_unref (worker);
  gasync_test_iterate_until_count (NULL, &n_freed, 1);
  gasync_test_flush (NULL);
  g_assert_cmpuint (n_freed, ==, 1);
}

typedef struct
{
  GThread *thread;
  int freed; /* atomic */
} FreedWhere;

static void
record_free_thread (gpointer data)
{
  FreedWhere *where = data;

  where->thread = g_thread_self ();
  g_atomic_int_set (&where->freed, TRUE);
}

static gpointer
unref_in_thread (gpointer object)
{
  g_object_unref (object);
  return NULL;
}

static void
test_worker_destroy_on_owner (gconstpointer data)
{
  gboolean main_context = GPOINTER_TO_INT (data);
  FreedWhere where = { NULL, FALSE };
  GasyncWorker *worker;

  g_test_summary ("A worker whose last reference goes in another thread "
                  "calls its destroy notify on the owner context, as every "
                  "class does");
  g_test_bug ("14");

  worker = main_context ?
           gasync_worker_new_for_main_context (process_item, &where, record_free_thread) :
           gasync_worker_new (process_item, &where, record_free_thread);
  g_thread_join (g_thread_new ("unref", unref_in_thread, worker));
  gasync_test_iterate_until_flag (NULL, &where.freed);
  g_assert_true (where.thread == g_thread_self ());
}

static void
test_worker_bad_input (void)
{
  g_autoptr(GasyncWorker) worker = NULL;

  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*func != NULL*");
  g_assert_null (gasync_worker_new (NULL, NULL, NULL));
  g_test_assert_expected_messages ();

  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*GASYNC_IS_WORKER*");
  g_assert_false (gasync_worker_start (NULL, NULL));
  g_test_assert_expected_messages ();

  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*GASYNC_IS_WORKER*");
  g_assert_false (gasync_worker_enqueue (NULL, NULL));
  g_test_assert_expected_messages ();

  /* As a binding may make it: no function to run. */
  worker = g_object_new (GASYNC_TYPE_WORKER, NULL);
  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*func != NULL*");
  g_assert_false (gasync_worker_start (worker, NULL));
  g_test_assert_expected_messages ();
  g_assert_cmpint (gasync_worker_get_state (worker), ==, GASYNC_LATCH_STATE_STOPPED);
}

static void
fixture_destroy (gpointer data)
{
  Fixture *fixture = data;

  g_assert_true (g_thread_self () == fixture->main_thread);
  gasync_test_count (&fixture->lifetime->destroyed[0]);
}

static void
test_worker_last_unref_while_running (Fixture       *fixture,
                                      gconstpointer  user_data)
{
  GasyncWorker *worker = gasync_worker_new (process_item, fixture, fixture_destroy);
  GasyncTestLifetime lifetime;

  g_test_summary ("Dropping a running threaded worker closes it without "
                  "waiting: queued items are discarded, the running one "
                  "cancelled, and once it returned the worker is finalized "
                  "and its destroy notify called once");
  g_test_bug ("13");
  gasync_test_lifetime_init (&lifetime);
  gasync_test_lifetime_watch (&lifetime, worker);
  fixture->lifetime = &lifetime;
  fixture->block = TRUE;
  g_assert_true (gasync_worker_start (worker, NULL));
  enqueue_numbers (worker, fixture, 0, 3);
  wait_blocked (fixture);

  g_object_unref (worker);
  gasync_test_lifetime_wait (&lifetime, 1);
  g_assert_true (fixture->was_cancelled);
  g_assert_cmpuint (fixture->processed->len, ==, 1);
  g_assert_cmpuint (g_atomic_int_get (&fixture->n_finalized), ==, 3);
}

static void
test_worker_last_unref_while_running_main_context (Fixture       *fixture,
                                                   gconstpointer  user_data)
{
  GasyncWorker *worker = gasync_worker_new_for_main_context (process_item, fixture,
                                                             fixture_destroy);
  GasyncTestLifetime lifetime;

  g_test_summary ("Dropping a running main-context worker closes it: its "
                  "source does not keep it alive; queued items are "
                  "discarded and its destroy notify called once");
  g_test_bug ("13");
  gasync_test_lifetime_init (&lifetime);
  gasync_test_lifetime_watch (&lifetime, worker);
  fixture->lifetime = &lifetime;
  g_assert_true (gasync_worker_start (worker, NULL));
  enqueue_numbers (worker, fixture, 0, 3);
  g_assert_true (g_main_context_iteration (NULL, FALSE));
  g_assert_cmpuint (fixture->processed->len, ==, 1);

  g_object_unref (worker);
  g_assert_true (g_atomic_int_get (&lifetime.gone));
  gasync_test_lifetime_wait (&lifetime, 1);
  g_assert_cmpuint (fixture->processed->len, ==, 1);
  g_assert_cmpuint (g_atomic_int_get (&fixture->n_finalized), ==, 3);
}

/* Misuse: the worker's own thread waiting for the worker to stop. */
static GasyncWorker *misuse_worker;
static int misuse_done; /* atomic */

static gboolean
stop_from_item (gpointer       data,
                GCancellable  *cancellable,
                gpointer       user_data,
                GError       **error)
{
  g_autoptr(GError) local_error = NULL;

  g_assert_false (gasync_worker_stop (misuse_worker, NULL, &local_error));
  g_assert_error (local_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
  g_assert_cmpuint (gasync_worker_close (misuse_worker), ==, 0);
  g_assert_cmpint (gasync_worker_get_state (misuse_worker), ==,
                   GASYNC_LATCH_STATE_STARTED);
  g_atomic_int_set (&misuse_done, TRUE);
  return TRUE;
}

static void
test_worker_stop_from_own_thread (void)
{
  g_test_summary ("gasync_worker_stop() and gasync_worker_close() on the "
                  "worker's own thread are criticals that return, not "
                  "waits forever");
  g_test_bug ("13");
  if (g_test_subprocess ())
    {
      gasync_test_criticals_not_fatal ();
      misuse_worker = gasync_worker_new (stop_from_item, NULL, NULL);
      g_assert_true (gasync_worker_start (misuse_worker, NULL));
      g_assert_true (gasync_worker_enqueue_pointer (misuse_worker, NULL, NULL));
      gasync_test_wait_flag (&misuse_done);
      g_assert_true (gasync_worker_stop (misuse_worker, NULL, NULL));
      gasync_test_unref_and_wait (g_steal_pointer (&misuse_worker));
      return;
    }

  g_test_trap_subprocess (NULL, gasync_test_subprocess_timeout (),
                          G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*CRITICAL*gasync_worker_stop: called from the "
                             "worker's own thread*"
                             "*CRITICAL*gasync_worker_close: called from the "
                             "worker's own thread*");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/gasync/worker/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("in-order", test_worker_in_order);
  ADD ("objects", test_worker_objects);
  ADD ("errors", test_worker_errors);
  ADD ("lifecycle", test_worker_lifecycle);
  g_test_add ("/gasync/worker/restart", Fixture, GINT_TO_POINTER (FALSE),
              fixture_setup, test_worker_restart, fixture_teardown);
  g_test_add ("/gasync/worker/restart-main-context", Fixture,
              GINT_TO_POINTER (TRUE), fixture_setup, test_worker_restart,
              fixture_teardown);
  ADD ("notify-state", test_worker_notify_state);
  ADD ("stop-drains", test_worker_stop_drains);
  ADD ("close", test_worker_close);
  ADD ("main-context", test_worker_main_context);
  ADD ("last-unref-while-running", test_worker_last_unref_while_running);
  ADD ("last-unref-while-running-main-context",
       test_worker_last_unref_while_running_main_context);
  ADD ("name", test_worker_name);
#undef ADD
  g_test_add_func ("/gasync/worker/nothing-lost", test_worker_nothing_lost);
  g_test_add_func ("/gasync/worker/user-data-free", test_worker_user_data_free);
  g_test_add_func ("/gasync/worker/bad-input", test_worker_bad_input);
  g_test_add_data_func ("/gasync/worker/destroy-on-owner", GINT_TO_POINTER (FALSE),
                        test_worker_destroy_on_owner);
  g_test_add_data_func ("/gasync/worker/destroy-on-owner-main-context",
                        GINT_TO_POINTER (TRUE), test_worker_destroy_on_owner);
  g_test_add_func ("/gasync/worker/stop-from-own-thread",
                   test_worker_stop_from_own_thread);

  return g_test_run ();
}

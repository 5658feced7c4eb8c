/* test-work-queue.c: GasyncWorkQueue processes every accepted item exactly
 * once or hands it back as discarded
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#include "config.h"

#include "gasync-private.h"
#include "gasync-test-util.h"
#include "gasync-sync-private.h"

/* Items are TestItems (or pointers), worked on by test_work_item(). */
typedef TestWork Fixture;

static void
enqueue_all (GasyncWorkQueue *queue,
             GPtrArray       *items)
{
  for (guint i = 0; i < items->len; i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (gasync_work_queue_enqueue (queue, items->pdata[i], NULL, &error));
      g_assert_no_error (error);
    }
}

static void
test_defaults (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GasyncWorkQueue) queue = gasync_work_queue_new (test_work_object, f, test_work_destroyed);
  guint parallelism, max_work;
  gint64 grace;

  g_assert_cmpuint (gasync_work_queue_get_parallelism (queue), ==, g_get_num_processors ());
  g_assert_cmpuint (gasync_work_queue_get_max_work (queue), ==, 1024);
  g_assert_cmpint (gasync_work_queue_get_shutdown_grace_period (queue), ==,
                   10 * G_TIME_SPAN_SECOND);
  g_assert_false (gasync_work_queue_is_started (queue));
  g_assert_false (gasync_work_queue_is_closed (queue));

  g_object_set (queue, "parallelism", 3, "max-work", 7,
                "shutdown-grace-period", (gint64) G_TIME_SPAN_SECOND, NULL);
  g_object_get (queue, "parallelism", &parallelism, "max-work", &max_work,
                "shutdown-grace-period", &grace, NULL);
  g_assert_cmpuint (parallelism, ==, 3);
  g_assert_cmpuint (max_work, ==, 7);
  g_assert_cmpint (grace, ==, G_TIME_SPAN_SECOND);

  g_clear_object (&queue);
  g_assert_cmpuint (f->n_destroyed, ==, 1);
}

static void
test_process_once (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GasyncWorkQueue) queue = gasync_work_queue_new (test_work_object, f, NULL);
  g_autoptr(GPtrArray) items = test_items_new (2000);
  g_autoptr(GError) error = NULL;

  g_test_summary ("Every accepted item is processed exactly once, by at most "
                  "parallelism workers, including items queued before start");
  gasync_work_queue_set_parallelism (queue, 4);
  gasync_work_queue_set_max_work (queue, 16);
  for (guint i = 0; i < 16; i++)
    g_assert_true (gasync_work_queue_try_enqueue (queue, items->pdata[i], NULL));
  g_assert_cmpuint (gasync_work_queue_get_n_queued (queue), ==, 16);

  g_assert_true (gasync_work_queue_start (queue, &error));
  g_assert_no_error (error);
  g_assert_true (gasync_work_queue_is_started (queue));
  for (guint i = 16; i < items->len; i++)
    g_assert_true (gasync_work_queue_enqueue (queue, items->pdata[i], NULL, NULL));

  g_assert_cmpuint (gasync_work_queue_close (queue, NULL, NULL), ==, 0);
  g_assert_true (gasync_work_queue_is_closed (queue));
  /* The queue frees its items on the owner context (the contract). */
  gasync_test_flush (NULL);
  test_items_assert_processed_once (items);
  g_assert_cmpint (f->n_processed, ==, 2000);
  g_assert_cmpint (f->max_in_flight, <=, 4);
  for (guint i = 0; i < items->len; i++)
    g_assert_cmpuint (G_OBJECT (items->pdata[i])->ref_count, ==, 1);
}

static void
test_start_twice (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GasyncWorkQueue) queue = gasync_work_queue_new (test_work_object, f, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (gasync_work_queue_start (queue, NULL));
  g_assert_false (gasync_work_queue_start (queue, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_ALREADY_STARTED);
  g_clear_error (&error);

  gasync_work_queue_close (queue, NULL, NULL);
  g_assert_false (gasync_work_queue_start (queue, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_CLOSED);
}

typedef struct
{
  GasyncWorkQueue *queue;
  GObject *item;
  GCancellable *cancellable;
  GError *error;
  int returned; /* atomic */
} Producer;

static gpointer
produce_one (gpointer data)
{
  Producer *p = data;
  gboolean ok;

  ok = gasync_work_queue_enqueue (p->queue, p->item, p->cancellable, &p->error);
  g_assert_true (ok == (p->error == NULL));
  g_atomic_int_set (&p->returned, TRUE);
  return NULL;
}

/* One item in flight at the gate, @max_work items queued: the queue is
 * full. */
static GasyncWorkQueue *
full_queue (Fixture   *f,
            GPtrArray *items,
            guint      max_work)
{
  GasyncWorkQueue *queue = gasync_work_queue_new (test_work_object, f, NULL);

  f->use_gate = TRUE;
  gasync_work_queue_set_parallelism (queue, 1);
  gasync_work_queue_set_max_work (queue, max_work);
  gasync_work_queue_start (queue, NULL);
  for (guint i = 0; i <= max_work; i++)
    {
      g_assert_true (gasync_work_queue_enqueue (queue, items->pdata[i], NULL, NULL));
      if (i == 0)
        test_gate_wait_waiting (&f->gate, 1);
    }
  g_assert_cmpuint (gasync_work_queue_get_n_queued (queue), ==, max_work);
  return queue;
}

static void
test_bounded (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GPtrArray) items = test_items_new (4);
  g_autoptr(GasyncWorkQueue) queue = full_queue (f, items, 2);
  g_autoptr(GError) error = NULL;
  Producer p = { queue, items->pdata[3], NULL, NULL, FALSE };
  GThread *thread;

  g_test_summary ("try_enqueue refuses a full queue with THROTTLED; enqueue "
                  "waits until an item leaves the queue");
  g_assert_false (gasync_work_queue_try_enqueue (queue, items->pdata[3], &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_THROTTLED);
  g_assert_cmpuint (G_OBJECT (items->pdata[3])->ref_count, ==, 1);

  thread = g_thread_new ("producer", produce_one, &p);
  g_assert_false (g_atomic_int_get (&p.returned));
  g_assert_cmpuint (gasync_work_queue_get_n_queued (queue), ==, 2);
  test_gate_open (&f->gate);
  g_thread_join (thread);
  g_assert_no_error (p.error);

  g_assert_cmpuint (gasync_work_queue_close (queue, NULL, NULL), ==, 0);
  test_items_assert_processed_once (items);
}

static void
test_enqueue_cancelled (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GPtrArray) items = test_items_new (3);
  g_autoptr(GasyncWorkQueue) queue = full_queue (f, items, 1);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Producer p = { queue, items->pdata[2], cancellable, NULL, FALSE };
  GThread *thread;

  g_test_summary ("A waiting enqueue fails with CANCELLED when its "
                  "cancellable fires, and the item is not queued");
  thread = g_thread_new ("producer", produce_one, &p);
  g_cancellable_cancel (cancellable);
  g_thread_join (thread);
  g_assert_error (p.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&p.error);
  g_assert_cmpuint (G_OBJECT (items->pdata[2])->ref_count, ==, 1);

  test_gate_open (&f->gate);
  g_assert_cmpuint (gasync_work_queue_close (queue, NULL, NULL), ==, 0);
  g_assert_cmpint (TEST_ITEM (items->pdata[2])->n_processed, ==, 0);
  g_assert_cmpint (f->n_processed, ==, 2);
}

static gpointer
close_queue_thread (gpointer data)
{
  return GUINT_TO_POINTER (gasync_work_queue_close (data, NULL, NULL));
}

static void
test_enqueue_closed (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GPtrArray) items = test_items_new (3);
  g_autoptr(GasyncWorkQueue) queue = full_queue (f, items, 1);
  g_autoptr(GError) error = NULL;
  Producer p = { queue, items->pdata[2], NULL, NULL, FALSE };
  GThread *producer, *closer;

  g_test_summary ("close refuses new items at once: a waiting enqueue and "
                  "every later one fail with CLOSED");
  producer = g_thread_new ("producer", produce_one, &p);
  closer = g_thread_new ("closer", close_queue_thread, queue);
  g_thread_join (producer);
  g_assert_error (p.error, GASYNC_ERROR, GASYNC_ERROR_CLOSED);
  g_clear_error (&p.error);

  g_assert_false (gasync_work_queue_try_enqueue (queue, items->pdata[2], &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_CLOSED);
  g_clear_error (&error);
  g_assert_false (gasync_work_queue_enqueue (queue, items->pdata[2], NULL, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_CLOSED);

  test_gate_open (&f->gate);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_thread_join (closer)), ==, 0);
  g_assert_cmpint (f->n_processed, ==, 2);
  g_assert_cmpuint (G_OBJECT (items->pdata[2])->ref_count, ==, 1);
}

static void
test_grace_period_runs_queued (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GasyncWorkQueue) queue = gasync_work_queue_new (test_work_object, f, NULL);
  g_autoptr(GPtrArray) items = test_items_new (50);

  g_test_summary ("Items queued when close is called still run during the "
                  "grace period");
  gasync_work_queue_set_parallelism (queue, 1);
  enqueue_all (queue, items);
  gasync_work_queue_start (queue, NULL);
  g_assert_cmpuint (gasync_work_queue_close (queue, NULL, NULL), ==, 0);
  test_items_assert_processed_once (items);
}

static void
test_grace_period_expires (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GasyncWorkQueue) queue = gasync_work_queue_new (test_work_object, f, NULL);
  g_autoptr(GPtrArray) items = test_items_new (200);
  g_autoptr(GPtrArray) discarded = NULL;

  g_test_summary ("After the grace period, close cancels the running item, "
                  "discards the rest and hands them back, oldest first, also "
                  "when the queue grew while it wrapped around");
  f->use_gate = TRUE;
  gasync_work_queue_set_parallelism (queue, 1);
  gasync_work_queue_set_shutdown_grace_period (queue, 20 * G_TIME_SPAN_MILLISECOND);
  gasync_work_queue_start (queue, NULL);
  g_assert_true (gasync_work_queue_enqueue (queue, items->pdata[0], NULL, NULL));
  test_gate_wait_waiting (&f->gate, 1);
  for (guint i = 1; i < items->len; i++)
    g_assert_true (gasync_work_queue_enqueue (queue, items->pdata[i], NULL, NULL));

  g_assert_cmpuint (gasync_work_queue_close (queue, NULL, &discarded), ==, 199);
  g_assert_cmpuint (discarded->len, ==, 199);
  for (guint i = 0; i < 199; i++)
    g_assert_true (discarded->pdata[i] == items->pdata[i + 1]);
  g_assert_cmpint (f->n_cancelled, ==, 1);
  g_assert_cmpint (TEST_ITEM (items->pdata[0])->n_processed, ==, 1);
  for (guint i = 1; i < items->len; i++)
    g_assert_cmpint (TEST_ITEM (items->pdata[i])->n_processed, ==, 0);

  g_clear_pointer (&discarded, g_ptr_array_unref);
  gasync_test_flush (NULL);
  for (guint i = 0; i < items->len; i++)
    g_assert_cmpuint (G_OBJECT (items->pdata[i])->ref_count, ==, 1);
}

static void
test_close_cancellable (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GasyncWorkQueue) queue = gasync_work_queue_new (test_work_object, f, NULL);
  g_autoptr(GPtrArray) items = test_items_new (3);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  g_test_summary ("The cancellable of close ends the grace period early");
  f->use_gate = TRUE;
  gasync_work_queue_set_parallelism (queue, 1);
  gasync_work_queue_set_shutdown_grace_period (queue, G_MAXINT64);
  gasync_work_queue_start (queue, NULL);
  enqueue_all (queue, items);
  test_gate_wait_waiting (&f->gate, 1);

  g_cancellable_cancel (cancellable);
  g_assert_cmpuint (gasync_work_queue_close (queue, cancellable, NULL), ==, 2);
  g_assert_cmpint (f->n_cancelled, ==, 1);
  g_assert_cmpuint (gasync_work_queue_close (queue, NULL, NULL), ==, 0);
}

static void
test_close_unstarted (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GasyncWorkQueue) queue = gasync_work_queue_new (test_work_object, f, NULL);
  g_autoptr(GPtrArray) items = test_items_new (3);

  enqueue_all (queue, items);
  g_assert_cmpuint (gasync_work_queue_close (queue, NULL, NULL), ==, 3);
  g_assert_cmpint (f->n_processed, ==, 0);
  /* The queue frees its items on the owner context (the contract). */
  gasync_test_flush (NULL);
  for (guint i = 0; i < items->len; i++)
    g_assert_cmpuint (G_OBJECT (items->pdata[i])->ref_count, ==, 1);
}

typedef struct
{
  GObject *item;
  GError *error;
  gboolean on_owner;
} Reported;

static void
on_error (GasyncWorkQueue *queue,
          GObject         *item,
          GError          *error,
          gpointer         user_data)
{
  GArray *reports = user_data;
  Reported r = { g_object_ref (item), g_error_copy (error),
                 g_main_context_is_owner (g_main_context_default ()) };

  g_array_append_val (reports, r);
}

static void
reported_clear (gpointer data)
{
  Reported *r = data;

  g_object_unref (r->item);
  g_error_free (r->error);
}

static void
test_error_signal (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GasyncWorkQueue) queue = gasync_work_queue_new (test_work_object, f, NULL);
  g_autoptr(GPtrArray) items = test_items_new (10);
  g_autoptr(GArray) reports = g_array_new (FALSE, TRUE, sizeof (Reported));
  gboolean silent = GPOINTER_TO_INT (data);

  g_test_summary ("Each failed item is reported once with the error signal, "
                  "on the owner context; FALSE without an error is FAILED");
  g_array_set_clear_func (reports, reported_clear);
  f->fail_modulo = 2;
  f->fail_remainder = 1;
  f->fail_silently = silent;
  g_signal_connect (queue, "error", G_CALLBACK (on_error), reports);
  gasync_work_queue_start (queue, NULL);
  enqueue_all (queue, items);
  gasync_work_queue_close (queue, NULL, NULL);

  gasync_test_iterate_until_count (NULL, &reports->len, 5);
  gasync_test_flush (NULL);
  g_assert_cmpuint (reports->len, ==, 5);
  for (guint i = 0; i < reports->len; i++)
    {
      Reported *r = &g_array_index (reports, Reported, i);

      g_assert_true (r->on_owner);
      g_assert_cmpuint (TEST_ITEM (r->item)->index % 2, ==, 1);
      if (silent)
        {
          g_assert_error (r->error, GASYNC_ERROR, GASYNC_ERROR_FAILED);
        }
      else
        {
          g_autofree char *message = g_strdup_printf ("item %u failed", TEST_ITEM (r->item)->index);

          g_assert_error (r->error, G_IO_ERROR, G_IO_ERROR_FAILED);
          g_assert_cmpstr (r->error->message, ==, message);
        }
    }
}

/* Pointer items: indices into the fixture's count array. */
typedef struct
{
  Fixture *f;
  int *counts;      /* atomic, processed per item */
  int *freed;       /* atomic, freed per item */
} PointerData;

static PointerData *pointer_data;

static gboolean
work_pointer (gpointer       item,
              GCancellable  *cancellable,
              gpointer       user_data,
              GError       **error)
{
  PointerData *pd = user_data;
  guint index = GPOINTER_TO_UINT (item) - 1;

  g_atomic_int_inc (&pd->counts[index]);
  return test_work_item (pd->f, index, cancellable, error);
}

static void
free_pointer (gpointer item)
{
  g_atomic_int_inc (&pointer_data->freed[GPOINTER_TO_UINT (item) - 1]);
}

static void
test_pointers (Fixture       *f,
               gconstpointer  data)
{
  enum { N = 20 };
  int counts[N] = { 0 }, freed[N] = { 0 };
  PointerData pd = { f, counts, freed };
  g_autoptr(GasyncWorkQueue) queue = NULL;
  g_autoptr(GError) error = NULL;
  guint n_discarded;

  g_test_summary ("Plain pointer items are freed exactly once, whether "
                  "processed or discarded");
  pointer_data = &pd;
  queue = gasync_work_queue_new_for_pointers (work_pointer, &pd, NULL, free_pointer);
  f->use_gate = TRUE;
  gasync_work_queue_set_parallelism (queue, 2);
  gasync_work_queue_set_shutdown_grace_period (queue, 0);
  gasync_work_queue_start (queue, NULL);
  for (guint i = 0; i < N; i++)
    g_assert_true (gasync_work_queue_enqueue_pointer (queue, GUINT_TO_POINTER (i + 1), NULL, NULL));
  test_gate_wait_waiting (&f->gate, 2);

  n_discarded = gasync_work_queue_close (queue, NULL, NULL);
  g_assert_cmpuint (n_discarded, ==, N - 2);
  /* The queue frees its items on the owner context (the contract). */
  gasync_test_flush (NULL);
  for (guint i = 0; i < N; i++)
    {
      g_assert_cmpint (freed[i], ==, 1);
      g_assert_cmpint (counts[i], ==, i < 2 ? 1 : 0);
    }
  g_assert_false (gasync_work_queue_try_enqueue_pointer (queue, GUINT_TO_POINTER (1), &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_CLOSED);
  g_assert_cmpint (freed[0], ==, 1);
  pointer_data = NULL;
}

static void
test_dispose_closes (Fixture       *f,
                     gconstpointer  data)
{
  GasyncWorkQueue *queue = gasync_work_queue_new (test_work_object, f, test_work_destroyed);
  g_autoptr(GPtrArray) items = test_items_new (100);

  g_test_summary ("Dropping a started queue closes it: its items are "
                  "processed, its threads end, user data is freed");
  gasync_work_queue_set_parallelism (queue, 2);
  gasync_work_queue_start (queue, NULL);
  enqueue_all (queue, items);
  g_object_unref (queue);
  test_items_assert_processed_once (items);
  g_assert_cmpuint (f->n_destroyed, ==, 1);
}

/* Stop and start again. */
typedef struct
{
  GasyncWorkQueue *queue;
  GCancellable *cancellable;
  GError *error;
  int ok;       /* atomic */
  int returned; /* atomic */
} StopCall;

static gpointer
stop_queue_thread (gpointer data)
{
  StopCall *call = data;

  g_atomic_int_set (&call->ok, gasync_work_queue_stop (call->queue,
                                                       call->cancellable,
                                                       &call->error));
  g_atomic_int_set (&call->returned, TRUE);
  g_main_context_wakeup (NULL);
  return NULL;
}

static void
on_stopped (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  StopCall *call = user_data;

  g_assert_true (g_main_context_is_owner (g_main_context_default ()));
  call->ok = gasync_work_queue_stop_finish (GASYNC_WORK_QUEUE (source), result,
                                            &call->error);
  g_atomic_int_set (&call->returned, TRUE);
}

/* Waits until a stop has begun on another thread. */
static void
wait_not_started (GasyncWorkQueue *queue)
{
  gint64 deadline = gasync_test_deadline (10);

  while (gasync_work_queue_is_started (queue))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_thread_yield ();
    }
}

/* Mirrors blend's Test_Queue_Start_Stop_Start (async/queue_test.go), with
 * object and with pointer items. */
static void
test_start_stop_start (Fixture       *f,
                       gconstpointer  data)
{
  enum { N = 10 };
  gboolean pointers = GPOINTER_TO_INT (data);
  int counts[2 * N] = { 0 }, freed[2 * N] = { 0 };
  PointerData pd = { f, counts, freed };
  g_autoptr(GPtrArray) items = test_items_new (2 * N);
  GasyncWorkQueue *queue;
  g_autoptr(GError) error = NULL;

  g_test_summary ("start, stop, start, stop: each stop processes the items "
                  "of its round and waits for them, the queue starts again, "
                  "every item is processed exactly once and the destroy "
                  "notify runs once");
  pointer_data = &pd;
  if (pointers)
    queue = gasync_work_queue_new_for_pointers (work_pointer, &pd, NULL, free_pointer);
  else
    queue = gasync_work_queue_new (test_work_object, f, test_work_destroyed);
  gasync_work_queue_set_parallelism (queue, 4);
  gasync_work_queue_set_max_work (queue, N);

  g_assert_false (gasync_work_queue_stop (queue, NULL, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_NOT_STARTED);
  g_clear_error (&error);

  for (guint round = 0; round < 2; round++)
    {
      g_assert_true (gasync_work_queue_start (queue, &error));
      g_assert_no_error (error);
      g_assert_true (gasync_work_queue_is_started (queue));
      for (guint i = round * N; i < (round + 1) * N; i++)
        {
          if (pointers)
            g_assert_true (gasync_work_queue_enqueue_pointer (queue, GUINT_TO_POINTER (i + 1),
                                                              NULL, &error));
          else
            g_assert_true (gasync_work_queue_enqueue (queue, items->pdata[i], NULL, &error));
          g_assert_no_error (error);
        }

      g_assert_true (gasync_work_queue_stop (queue, NULL, &error));
      g_assert_no_error (error);
      g_assert_false (gasync_work_queue_is_started (queue));
      g_assert_false (gasync_work_queue_is_closed (queue));
      g_assert_cmpuint (gasync_work_queue_get_n_queued (queue), ==, 0);
      /* Stop waited for the items in flight, too. */
      g_assert_cmpint (g_atomic_int_get (&f->n_in_flight), ==, 0);
      /* The queue frees its items on the owner context (the contract). */
      gasync_test_flush (NULL);
      g_assert_cmpint (g_atomic_int_get (&f->n_processed), ==, (round + 1) * N);
      for (guint i = 0; i < 2 * N; i++)
        {
          int expected = i < (round + 1) * N ? 1 : 0;

          if (pointers)
            {
              g_assert_cmpint (g_atomic_int_get (&counts[i]), ==, expected);
              g_assert_cmpint (g_atomic_int_get (&freed[i]), ==, expected);
            }
          else
            {
              g_assert_cmpint (g_atomic_int_get (&TEST_ITEM (items->pdata[i])->n_processed),
                               ==, expected);
            }
        }
      g_assert_cmpint (f->max_in_flight, <=, 4);
    }

  g_assert_false (gasync_work_queue_stop (queue, NULL, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_NOT_STARTED);
  g_clear_error (&error);

  g_assert_cmpuint (gasync_work_queue_close (queue, NULL, NULL), ==, 0);
  g_assert_false (gasync_work_queue_start (queue, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_CLOSED);
  g_clear_error (&error);
  g_assert_false (gasync_work_queue_stop (queue, NULL, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_CLOSED);
  g_clear_error (&error);

  g_object_unref (queue);
  if (!pointers)
    {
      g_assert_cmpuint (f->n_destroyed, ==, 1);
      for (guint i = 0; i < items->len; i++)
        g_assert_cmpuint (G_OBJECT (items->pdata[i])->ref_count, ==, 1);
    }
  pointer_data = NULL;
}

/* Mirrors blend's Test_Queue_Start_Stop (async/queue_test.go): the work
 * still queued when stop is called is processed before it returns. */
static void
test_stop_drains (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GasyncWorkQueue) queue = gasync_work_queue_new (test_work_object, f, NULL);
  g_autoptr(GPtrArray) items = test_items_new (6);
  g_autoptr(GPtrArray) discarded = NULL;
  g_autoptr(GError) error = NULL;
  StopCall call = { queue, NULL, NULL, FALSE, FALSE };
  GObject *late = items->pdata[5];
  GThread *thread;

  g_test_summary ("A stop drains the items queued when it began, waiting "
                  "for the running one; items enqueued while it stops are "
                  "accepted and kept for the next start; start and stop "
                  "are refused while it stops");
  f->use_gate = TRUE;
  gasync_work_queue_set_parallelism (queue, 1);
  gasync_work_queue_set_shutdown_grace_period (queue, G_MAXINT64);
  gasync_work_queue_start (queue, NULL);
  for (guint i = 0; i < 5; i++)
    g_assert_true (gasync_work_queue_enqueue (queue, items->pdata[i], NULL, NULL));
  test_gate_wait_waiting (&f->gate, 1);
  g_assert_cmpuint (gasync_work_queue_get_n_queued (queue), ==, 4);

  thread = g_thread_new ("stopper", stop_queue_thread, &call);
  wait_not_started (queue);

  g_assert_true (gasync_work_queue_enqueue (queue, late, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (gasync_work_queue_start (queue, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_ALREADY_STARTED);
  g_clear_error (&error);
  g_assert_false (gasync_work_queue_stop (queue, NULL, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_NOT_STARTED);
  g_clear_error (&error);
  g_assert_false (g_atomic_int_get (&call.returned));

  test_gate_open (&f->gate);
  g_thread_join (thread);
  g_assert_no_error (call.error);
  g_assert_true (call.ok);
  for (guint i = 0; i < 5; i++)
    g_assert_cmpint (TEST_ITEM (items->pdata[i])->n_processed, ==, 1);
  g_assert_cmpint (TEST_ITEM (late)->n_processed, ==, 0);
  g_assert_cmpuint (gasync_work_queue_get_n_queued (queue), ==, 1);

  /* Closing a stopped queue discards at once: no worker is left to
   * process the rest, whatever the grace period. */
  g_assert_cmpuint (gasync_work_queue_close (queue, NULL, &discarded), ==, 1);
  g_assert_true (discarded->pdata[0] == late);
  g_clear_pointer (&discarded, g_ptr_array_unref);
  g_assert_cmpint (TEST_ITEM (late)->n_processed, ==, 0);
  g_assert_cmpuint (G_OBJECT (late)->ref_count, ==, 1);
}

static void
test_stop_cancelled (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GasyncWorkQueue) queue = gasync_work_queue_new (test_work_object, f, NULL);
  g_autoptr(GPtrArray) items = test_items_new (3);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  gint64 deadline = gasync_test_deadline (10);

  g_test_summary ("The cancellable of stop gives up waiting; the queue "
                  "still drains and stops, and can then start again");
  f->use_gate = TRUE;
  gasync_work_queue_set_parallelism (queue, 1);
  gasync_work_queue_start (queue, NULL);
  enqueue_all (queue, items);
  test_gate_wait_waiting (&f->gate, 1);

  g_cancellable_cancel (cancellable);
  g_assert_false (gasync_work_queue_stop (queue, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (gasync_work_queue_is_started (queue));

  test_gate_open (&f->gate);
  while (!gasync_work_queue_start (queue, NULL))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_thread_yield ();
    }
  test_items_assert_processed_once (items);
  g_assert_cmpint (f->n_cancelled, ==, 0);
  g_assert_cmpuint (gasync_work_queue_close (queue, NULL, NULL), ==, 0);
}

static void
test_close_while_stopping (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GasyncWorkQueue) queue = gasync_work_queue_new (test_work_object, f, NULL);
  g_autoptr(GPtrArray) items = test_items_new (3);
  StopCall call = { queue, NULL, NULL, FALSE, FALSE };
  GThread *thread;

  g_test_summary ("A close while a stop is under way closes the queue as "
                  "ever (cancels the running item, discards the rest after "
                  "the grace period); the stop then fails with CLOSED");
  f->use_gate = TRUE;
  gasync_work_queue_set_parallelism (queue, 1);
  gasync_work_queue_set_shutdown_grace_period (queue, 0);
  gasync_work_queue_start (queue, NULL);
  enqueue_all (queue, items);
  test_gate_wait_waiting (&f->gate, 1);

  thread = g_thread_new ("stopper", stop_queue_thread, &call);
  wait_not_started (queue);
  g_assert_cmpuint (gasync_work_queue_close (queue, NULL, NULL), ==, 2);
  g_thread_join (thread);
  g_assert_false (call.ok);
  g_assert_error (call.error, GASYNC_ERROR, GASYNC_ERROR_CLOSED);
  g_clear_error (&call.error);
  g_assert_cmpint (f->n_cancelled, ==, 1);
  g_assert_true (gasync_work_queue_is_closed (queue));
}

static void
test_stop_async (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GasyncWorkQueue) queue = gasync_work_queue_new (test_work_object, f, NULL);
  g_autoptr(GPtrArray) items = test_items_new (8);
  g_autoptr(GError) error = NULL;
  StopCall call = { queue, NULL, NULL, FALSE, FALSE };
  GObject *late = items->pdata[4];

  g_test_summary ("stop_async begins the stop at once and completes on the "
                  "caller's context once the queued items are drained; the "
                  "queue then starts again");
  f->use_gate = TRUE;
  gasync_work_queue_set_parallelism (queue, 1);
  gasync_work_queue_start (queue, NULL);
  for (guint i = 0; i < 4; i++)
    g_assert_true (gasync_work_queue_enqueue (queue, items->pdata[i], NULL, NULL));
  test_gate_wait_waiting (&f->gate, 1);

  gasync_work_queue_stop_async (queue, NULL, on_stopped, &call);
  g_assert_false (gasync_work_queue_is_started (queue));
  g_assert_true (gasync_work_queue_try_enqueue (queue, late, &error));
  g_assert_no_error (error);
  g_assert_false (g_atomic_int_get (&call.returned));

  test_gate_open (&f->gate);
  gasync_test_iterate_until_flag (NULL, &call.returned);
  g_assert_no_error (call.error);
  g_assert_true (call.ok);
  for (guint i = 0; i < 4; i++)
    g_assert_cmpint (TEST_ITEM (items->pdata[i])->n_processed, ==, 1);
  g_assert_cmpint (TEST_ITEM (late)->n_processed, ==, 0);

  /* A second round: the late item first. */
  g_assert_true (gasync_work_queue_start (queue, &error));
  g_assert_no_error (error);
  for (guint i = 5; i < items->len; i++)
    g_assert_true (gasync_work_queue_enqueue (queue, items->pdata[i], NULL, NULL));
  call.returned = FALSE;
  call.ok = FALSE;
  gasync_work_queue_stop_async (queue, NULL, on_stopped, &call);
  gasync_test_iterate_until_flag (NULL, &call.returned);
  g_assert_no_error (call.error);
  g_assert_true (call.ok);
  test_items_assert_processed_once (items);

  /* A stop of a stopped queue fails, on the caller's context too. */
  call.returned = FALSE;
  gasync_work_queue_stop_async (queue, NULL, on_stopped, &call);
  g_assert_false (g_atomic_int_get (&call.returned));
  gasync_test_iterate_until_flag (NULL, &call.returned);
  g_assert_false (call.ok);
  g_assert_error (call.error, GASYNC_ERROR, GASYNC_ERROR_NOT_STARTED);
  g_clear_error (&call.error);
  g_assert_cmpuint (gasync_work_queue_close (queue, NULL, NULL), ==, 0);
}

static void
on_closed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GPtrArray **out = user_data;
  g_autoptr(GError) error = NULL;
  GPtrArray *discarded = NULL;
  guint n;

  n = gasync_work_queue_close_finish (GASYNC_WORK_QUEUE (source), result, &discarded, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, discarded->len);
  *out = discarded;
}

static void
test_close_async (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GasyncWorkQueue) queue = gasync_work_queue_new (test_work_object, f, NULL);
  g_autoptr(GPtrArray) items = test_items_new (4);
  GPtrArray *discarded = NULL;

  f->use_gate = TRUE;
  gasync_work_queue_set_parallelism (queue, 1);
  gasync_work_queue_set_shutdown_grace_period (queue, 0);
  gasync_work_queue_start (queue, NULL);
  enqueue_all (queue, items);
  test_gate_wait_waiting (&f->gate, 1);

  gasync_work_queue_close_async (queue, NULL, on_closed, &discarded);
  gasync_test_iterate_until_set (NULL, &discarded);
  g_assert_cmpuint (discarded->len, ==, 3);
  g_ptr_array_unref (discarded);
}

/* The main-context form. */
typedef struct
{
  Fixture *f;
  GPtrArray *tokens;
  guint n_begun;
  guint max_in_flight;
} Begin;

static gboolean
begin_item (GObject          *item,
            GasyncTaskToken  *token,
            GCancellable     *cancellable,
            gpointer          user_data,
            GError          **error)
{
  Begin *b = user_data;
  guint in_flight = 0;

  g_assert_true (g_thread_self () == b->f->owner_thread);
  b->n_begun++;
  g_atomic_int_inc (&TEST_ITEM (item)->n_processed);
  if (TEST_ITEM (item)->index % 3 == 2)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "refused");
      return FALSE;
    }

  g_ptr_array_add (b->tokens, g_object_ref (token));
  for (guint i = 0; i < b->tokens->len; i++)
    in_flight += !gasync_task_token_is_ended (b->tokens->pdata[i]);
  b->max_in_flight = MAX (b->max_in_flight, in_flight);
  return TRUE;
}

/* Ends the oldest token still open, as async work would, each time the
 * owner context went round; until @n_items have begun. */
typedef struct
{
  Begin *b;
  guint n_items;
  guint n_ended;
} EndOldest;

static gboolean
all_begun_ending_oldest (gpointer data)
{
  EndOldest *e = data;

  g_assert_cmpuint (e->b->max_in_flight, <=, 3);
  for (; e->n_ended < e->b->tokens->len; e->n_ended++)
    if (!gasync_task_token_is_ended (e->b->tokens->pdata[e->n_ended]))
      {
        gasync_task_token_end (e->b->tokens->pdata[e->n_ended++]);
        break;
      }
  return e->b->n_begun >= e->n_items;
}

static void
test_main_context (Fixture       *f,
                   gconstpointer  data)
{
  Begin b = { f, g_ptr_array_new_with_free_func (g_object_unref), 0, 0 };
  g_autoptr(GasyncWorkQueue) queue = gasync_work_queue_new_for_main_context (begin_item, &b, NULL);
  g_autoptr(GPtrArray) items = test_items_new (30);
  g_autoptr(GArray) reports = g_array_new (FALSE, TRUE, sizeof (Reported));
  EndOldest ending = { &b, items->len, 0 };
  GPtrArray *discarded = NULL;

  g_test_summary ("The main-context form begins items on the owner context, "
                  "at most parallelism in flight until their tokens end");
  g_array_set_clear_func (reports, reported_clear);
  g_signal_connect (queue, "error", G_CALLBACK (on_error), reports);
  gasync_work_queue_set_parallelism (queue, 3);
  gasync_work_queue_start (queue, NULL);
  enqueue_all (queue, items);

  gasync_test_iterate_until (NULL, all_begun_ending_oldest, &ending,
                             GASYNC_TEST_TIMEOUT_SECONDS);
  g_assert_cmpuint (b.n_begun, ==, items->len);
  g_assert_cmpuint (b.max_in_flight, ==, 3);
  for (; ending.n_ended < b.tokens->len; ending.n_ended++)
    gasync_task_token_end (b.tokens->pdata[ending.n_ended]);

  gasync_work_queue_close_async (queue, NULL, on_closed, &discarded);
  gasync_test_iterate_until_set (NULL, &discarded);
  gasync_test_iterate_until_count (NULL, &reports->len, 10);
  g_assert_cmpuint (discarded->len, ==, 0);
  g_ptr_array_unref (discarded);
  g_assert_cmpuint (reports->len, ==, 10);
  test_items_assert_processed_once (items);
  g_ptr_array_unref (b.tokens);
  g_array_set_size (reports, 0);
  for (guint i = 0; i < items->len; i++)
    g_assert_cmpuint (G_OBJECT (items->pdata[i])->ref_count, ==, 1);
}

static void begin_destroy (gpointer data);

/* Restarts under load: producers enqueue while the queue is started and
 * stopped over and over. */
typedef struct
{
  GasyncWorkQueue *queue;
  guint n;
  int done; /* atomic */
} RestartProducer;

static int restart_processed; /* atomic */
static int restart_freed;     /* atomic */

static gboolean
restart_work (gpointer       item,
              GCancellable  *cancellable,
              gpointer       user_data,
              GError       **error)
{
  g_atomic_int_inc (&restart_processed);
  return TRUE;
}

static void
restart_free (gpointer item)
{
  g_atomic_int_inc (&restart_freed);
}

static gpointer
restart_produce (gpointer data)
{
  RestartProducer *p = data;

  for (guint i = 0; i < p->n; i++)
    g_assert_true (gasync_work_queue_enqueue_pointer (p->queue, GUINT_TO_POINTER (i + 1),
                                                      NULL, NULL));
  g_atomic_int_set (&p->done, TRUE);
  return NULL;
}

static void
test_restart_under_load (Fixture       *f,
                         gconstpointer  data)
{
  guint n = gasync_test_is_slow () ? 300 : 3000;
  g_autoptr(GasyncWorkQueue) queue = gasync_work_queue_new_for_pointers (restart_work, NULL, NULL, restart_free);
  RestartProducer producers[2] = { { queue, n, FALSE }, { queue, n, FALSE } };
  gint64 deadline = gasync_test_deadline (60);
  GThread *threads[2];
  guint n_rounds = 0;

  g_test_summary ("Started and stopped over and over (blocking and async "
                  "stops) while two producers enqueue: every item is "
                  "processed and freed exactly once, and the final stop "
                  "leaves nothing to discard");
  restart_processed = restart_freed = 0;
  gasync_work_queue_set_parallelism (queue, 3);
  gasync_work_queue_set_max_work (queue, 8);
  for (guint i = 0; i < 2; i++)
    threads[i] = g_thread_new ("producer", restart_produce, &producers[i]);

  do
    {
      g_autoptr(GError) error = NULL;
      StopCall call = { queue, NULL, NULL, FALSE, FALSE };
      gboolean last = g_atomic_int_get (&producers[0].done) &&
                      g_atomic_int_get (&producers[1].done);

      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_assert_true (gasync_work_queue_start (queue, &error));
      g_assert_no_error (error);
      if (n_rounds++ % 2 == 0)
        {
          g_assert_true (gasync_work_queue_stop (queue, NULL, &error));
          g_assert_no_error (error);
        }
      else
        {
          gasync_work_queue_stop_async (queue, NULL, on_stopped, &call);
          gasync_test_iterate_until_flag (NULL, &call.returned);
          g_assert_no_error (call.error);
          g_assert_true (call.ok);
        }
      if (last && gasync_work_queue_get_n_queued (queue) == 0)
        break;
    }
  while (TRUE);
  for (guint i = 0; i < 2; i++)
    g_thread_join (threads[i]);

  g_test_message ("%u rounds", n_rounds);
  g_assert_cmpuint (gasync_work_queue_close (queue, NULL, NULL), ==, 0);
  /* The queue frees its items on the owner context (the contract). */
  gasync_test_flush (NULL);
  g_assert_cmpint (restart_processed, ==, 2 * n);
  g_assert_cmpint (restart_freed, ==, 2 * n);
}

/* Ends every open token, as async work would, each time the owner
 * context went round; until *@flag is set. */
typedef struct
{
  Begin *b;
  const int *flag;
} EndAll;

static gboolean
flag_set_ending_tokens (gpointer data)
{
  EndAll *e = data;

  for (guint i = 0; i < e->b->tokens->len; i++)
    if (!gasync_task_token_is_ended (e->b->tokens->pdata[i]))
      gasync_task_token_end (e->b->tokens->pdata[i]);
  return g_atomic_int_get (e->flag);
}

static void
iterate_ending_tokens (Begin     *b,
                       const int *flag)
{
  EndAll e = { b, flag };

  gasync_test_iterate_until (NULL, flag_set_ending_tokens, &e,
                             GASYNC_TEST_TIMEOUT_SECONDS);
}

/* Mirrors blend's Test_Queue_Start_Stop_Start (async/queue_test.go) in the
 * main-context form: the first stop is stop_async() on the owner context,
 * the second a blocking stop on another thread. */
static void
ignore_error (GasyncWorkQueue *queue,
              GObject         *item,
              const GError    *error,
              gpointer         user_data)
{
}

static void
test_main_context_start_stop_start (Fixture       *f,
                                    gconstpointer  data)
{
  enum { N = 6 };
  Begin b = { f, g_ptr_array_new_with_free_func (g_object_unref), 0, 0 };
  GasyncWorkQueue *queue = gasync_work_queue_new_for_main_context (begin_item, &b, begin_destroy);
  g_autoptr(GPtrArray) items = test_items_new (2 * N + 1);
  GObject *late = items->pdata[2 * N];
  StopCall call = { queue, NULL, NULL, FALSE, FALSE };
  g_autoptr(GError) error = NULL;
  GasyncTestLifetime lifetime;
  GThread *thread;

  g_test_summary ("A main-context queue stops (async on its owner context, "
                  "or blocking on another thread) after the items queued "
                  "then, begins nothing while stopped, starts again, and "
                  "processes every item exactly once; its destroy notify "
                  "runs once");
  gasync_test_lifetime_init (&lifetime);
  gasync_test_lifetime_watch (&lifetime, queue);
  f->lifetime = &lifetime;
  /* Its failures are not what this test is about; unhandled, each would
   * be a warning. */
  g_signal_connect (queue, "error", G_CALLBACK (ignore_error), NULL);
  gasync_work_queue_set_parallelism (queue, 2);

  /* Round 1. */
  g_assert_true (gasync_work_queue_start (queue, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < N; i++)
    g_assert_true (gasync_work_queue_try_enqueue (queue, items->pdata[i], NULL));
  gasync_work_queue_stop_async (queue, NULL, on_stopped, &call);
  g_assert_false (gasync_work_queue_is_started (queue));
  g_assert_true (gasync_work_queue_try_enqueue (queue, late, NULL));
  iterate_ending_tokens (&b, &call.returned);
  g_assert_no_error (call.error);
  g_assert_true (call.ok);
  g_assert_cmpuint (b.n_begun, ==, N);
  g_assert_cmpuint (b.max_in_flight, <=, 2);

  /* Stopped: the late item waits. */
  gasync_test_flush (NULL);
  g_assert_cmpuint (b.n_begun, ==, N);
  g_assert_cmpint (TEST_ITEM (late)->n_processed, ==, 0);
  g_assert_cmpuint (gasync_work_queue_get_n_queued (queue), ==, 1);

  /* Round 2, the late item first. */
  g_assert_true (gasync_work_queue_start (queue, &error));
  g_assert_no_error (error);
  for (guint i = N; i < 2 * N; i++)
    g_assert_true (gasync_work_queue_try_enqueue (queue, items->pdata[i], NULL));
  call.returned = FALSE;
  call.ok = FALSE;
  thread = g_thread_new ("stopper", stop_queue_thread, &call);
  iterate_ending_tokens (&b, &call.returned);
  g_thread_join (thread);
  g_assert_no_error (call.error);
  g_assert_true (call.ok);
  g_assert_cmpuint (b.n_begun, ==, 2 * N + 1);
  test_items_assert_processed_once (items);

  /* Round 3, empty: nothing to wait for, so a blocking stop on the owner
   * context is fine. */
  g_assert_true (gasync_work_queue_start (queue, NULL));
  g_assert_true (gasync_work_queue_stop (queue, NULL, &error));
  g_assert_no_error (error);

  g_object_unref (queue);
  gasync_test_lifetime_wait (&lifetime, 1);
  g_ptr_array_unref (b.tokens);
  for (guint i = 0; i < items->len; i++)
    g_assert_cmpuint (G_OBJECT (items->pdata[i])->ref_count, ==, 1);
}

static void
test_main_context_full_on_owner (void)
{
  g_autoptr(GasyncWorkQueue) queue = NULL;
  g_autoptr(GPtrArray) items = test_items_new (2);
  GMainContext *owner = g_main_context_default ();

  g_test_summary ("A blocking enqueue into a full main-context queue, on "
                  "the thread that runs its owner context, is a critical, "
                  "not a wait forever");
  queue = gasync_work_queue_new_for_main_context (begin_item, NULL, NULL);
  gasync_work_queue_set_max_work (queue, 1);
  g_assert_true (gasync_work_queue_enqueue (queue, items->pdata[0], NULL, NULL));

  g_assert_true (g_main_context_acquire (owner));
  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*would wait forever*");
  g_assert_false (gasync_work_queue_enqueue (queue, items->pdata[1], NULL, NULL));
  g_test_assert_expected_messages ();
  g_main_context_release (owner);

  g_assert_cmpuint (gasync_work_queue_close (queue, NULL, NULL), ==, 1);
  g_assert_cmpuint (G_OBJECT (items->pdata[1])->ref_count, ==, 1);
}

/* The kind of the leak named @name that gasync_leaks_check() lists, or
 * NULL. */
static char *
dup_leak_kind (const char *name)
{
  g_autoptr(GPtrArray) leaks = gasync_leaks_check (0);

  for (guint i = 0; i < leaks->len; i++)
    if (g_strcmp0 (gasync_leak_get_name (leaks->pdata[i]), name) == 0)
      return g_strdup (gasync_leak_get_kind (leaks->pdata[i]));
  return NULL;
}

static void
test_name (void)
{
  g_autoptr(GasyncWorkQueue) queue = NULL;
  g_autoptr(GasyncWorkQueue) full = NULL;
  g_autoptr(GPtrArray) items = test_items_new (2);
  g_autofree char *kind = NULL;
  g_autofree char *name = NULL;
  int notified = 0;

  /* Mirrors CockroachDB's leaktest.AfterTest(): what was started and not
   * stopped is listed by name. */
  g_test_summary ("The name property is read, written and notified on "
                  "change; the leak checks list a started queue under it "
                  "until it is stopped or closed; its log lines begin "
                  "with it");

  queue = gasync_work_queue_new (test_work_object, NULL, NULL);
  g_assert_null (gasync_work_queue_get_name (queue));
  g_signal_connect (queue, "notify::name", G_CALLBACK (gasync_test_count_notify), &notified);
  g_object_set (queue, "name", "thumbnails", NULL);
  gasync_work_queue_set_name (queue, "thumbnails");
  g_assert_cmpint (notified, ==, 1);
  g_object_get (queue, "name", &name, NULL);
  g_assert_cmpstr (name, ==, "thumbnails");
  g_assert_cmpstr (gasync_work_queue_get_name (queue), ==, "thumbnails");

  g_assert_null (dup_leak_kind ("thumbnails"));
  g_assert_true (gasync_work_queue_start (queue, NULL));
  kind = dup_leak_kind ("thumbnails");
  g_assert_cmpstr (kind, ==, "GasyncWorkQueue");
  g_assert_true (gasync_work_queue_stop (queue, NULL, NULL));
  g_assert_null (dup_leak_kind ("thumbnails"));
  g_assert_true (gasync_work_queue_start (queue, NULL));
  g_clear_pointer (&kind, g_free);
  kind = dup_leak_kind ("thumbnails");
  g_assert_cmpstr (kind, ==, "GasyncWorkQueue");
  g_assert_cmpuint (gasync_work_queue_close (queue, NULL, NULL), ==, 0);
  g_assert_null (dup_leak_kind ("thumbnails"));

  /* A named queue's critical names it. */
  full = gasync_work_queue_new_for_main_context (begin_item, NULL, NULL);
  gasync_work_queue_set_name (full, "full");
  gasync_work_queue_set_max_work (full, 1);
  g_assert_true (gasync_work_queue_enqueue (full, items->pdata[0], NULL, NULL));
  g_assert_true (g_main_context_acquire (g_main_context_default ()));
  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL,
                         "Work queue “full”: *would wait forever*");
  g_assert_false (gasync_work_queue_enqueue (full, items->pdata[1], NULL, NULL));
  g_test_assert_expected_messages ();
  g_main_context_release (g_main_context_default ());
  g_assert_cmpuint (gasync_work_queue_close (full, NULL, NULL), ==, 1);
}

/* Stress: two producers, four workers, a small bound, and a close in the
 * middle: processed + discarded == enqueued. */
typedef struct
{
  GasyncWorkQueue *queue;
  guint n;
  guint n_enqueued;
} StressProducer;

typedef struct
{
  int n_processed; /* atomic */
  int halfway;
  GCancellable *reached; /* cancelled once halfway items are processed */
} StressCount;

static gboolean
stress_work (gpointer       item,
             GCancellable  *cancellable,
             gpointer       user_data,
             GError       **error)
{
  StressCount *count = user_data;

  if (g_atomic_int_add (&count->n_processed, 1) + 1 == count->halfway)
    g_cancellable_cancel (count->reached);
  return TRUE;
}

static int stress_freed;

static void
stress_free (gpointer item)
{
  g_atomic_int_inc (&stress_freed);
}

static gpointer
stress_produce (gpointer data)
{
  StressProducer *p = data;

  for (guint i = 0; i < p->n; i++)
    {
      if (!gasync_work_queue_enqueue_pointer (p->queue, GUINT_TO_POINTER (i + 1), NULL, NULL))
        break;
      p->n_enqueued++;
    }
  return NULL;
}

static void
test_stress (Fixture       *f,
             gconstpointer  data)
{
  guint n = gasync_test_is_slow () ? 5000 : 100000;
  g_autoptr(GCancellable) reached = g_cancellable_new ();
  StressCount count = { 0, n, reached };
  g_autoptr(GasyncWorkQueue) queue = gasync_work_queue_new_for_pointers (stress_work, &count, NULL, stress_free);
  StressProducer producers[2] = { { queue, n, 0 }, { queue, n, 0 } };
  GThread *threads[2];
  guint n_discarded, n_enqueued, n_processed;

  g_test_summary ("Under load with a close midway, processed + discarded == "
                  "enqueued, and every item is freed once");
  stress_freed = 0;
  gasync_work_queue_set_parallelism (queue, 4);
  gasync_work_queue_set_max_work (queue, 64);
  gasync_work_queue_set_shutdown_grace_period (queue, 0);
  gasync_work_queue_start (queue, NULL);
  for (guint i = 0; i < 2; i++)
    threads[i] = g_thread_new ("producer", stress_produce, &producers[i]);

  g_assert_false (gasync_sleep_until (gasync_test_deadline (20), reached, NULL));
  n_discarded = gasync_work_queue_close (queue, NULL, NULL);
  n_processed = count.n_processed;
  for (guint i = 0; i < 2; i++)
    g_thread_join (threads[i]);

  n_enqueued = producers[0].n_enqueued + producers[1].n_enqueued;
  /* The queue frees its items on the owner context (the contract). */
  gasync_test_flush (NULL);
  g_test_message ("enqueued %u, processed %u, discarded %u", n_enqueued, n_processed, n_discarded);
  g_assert_cmpuint (n_processed + n_discarded, ==, n_enqueued);
  g_assert_cmpuint (stress_freed, ==, n_enqueued);
  g_assert_cmpuint (n_processed, >=, n);
}

static void
test_last_unref_while_running (Fixture       *f,
                               gconstpointer  data)
{
  GasyncWorkQueue *queue = gasync_work_queue_new (test_work_object, f, test_work_destroyed);
  g_autoptr(GPtrArray) items = test_items_new (4);
  GasyncTestLifetime lifetime;

  g_test_summary ("Dropping a threaded queue while an item runs closes it: "
                  "the running item is cancelled after the grace period, "
                  "the rest discarded, the queue finalized and its destroy "
                  "notify called once");
  gasync_test_lifetime_init (&lifetime);
  gasync_test_lifetime_watch (&lifetime, queue);
  f->lifetime = &lifetime;
  f->use_gate = TRUE;
  gasync_work_queue_set_parallelism (queue, 1);
  gasync_work_queue_set_shutdown_grace_period (queue, 0);
  gasync_work_queue_start (queue, NULL);
  enqueue_all (queue, items);
  test_gate_wait_waiting (&f->gate, 1);

  g_object_unref (queue);
  gasync_test_lifetime_wait (&lifetime, 1);
  g_assert_cmpint (g_atomic_int_get (&f->n_cancelled), ==, 1);
  g_assert_cmpint (g_atomic_int_get (&f->n_processed), ==, 1);
  for (guint i = 0; i < items->len; i++)
    g_assert_cmpuint (G_OBJECT (items->pdata[i])->ref_count, ==, 1);
}

static void
begin_destroy (gpointer data)
{
  Begin *b = data;

  g_assert_true (g_thread_self () == b->f->owner_thread);
  gasync_test_count (&b->f->lifetime->destroyed[0]);
}

static void
test_last_unref_while_running_main_context (Fixture       *f,
                                            gconstpointer  data)
{
  Begin b = { f, g_ptr_array_new_with_free_func (g_object_unref), 0, 0 };
  GasyncWorkQueue *queue = gasync_work_queue_new_for_main_context (begin_item, &b, begin_destroy);
  g_autoptr(GPtrArray) items = test_items_new (3);
  GasyncTestLifetime lifetime;

  g_test_summary ("Dropping a started main-context queue while an item is "
                  "in flight: the item keeps it alive until its token ends, "
                  "then dispose closes it (discarding the queued items) and "
                  "its destroy notify is called once");
  g_test_bug ("13");
  gasync_test_lifetime_init (&lifetime);
  gasync_test_lifetime_watch (&lifetime, queue);
  f->lifetime = &lifetime;
  gasync_work_queue_set_parallelism (queue, 1);
  gasync_work_queue_start (queue, NULL);
  enqueue_all (queue, items);
  gasync_test_iterate_until_count (NULL, &b.n_begun, 1);

  g_object_unref (queue);
  /* Still alive: the item in flight holds it. */
  gasync_test_flush (NULL);
  g_assert_false (g_atomic_int_get (&lifetime.gone));
  g_assert_cmpuint (b.n_begun, ==, 1);

  gasync_task_token_end (b.tokens->pdata[0]);
  gasync_test_lifetime_wait (&lifetime, 1);
  g_assert_cmpuint (b.n_begun, ==, 1);
  g_ptr_array_unref (b.tokens);
  for (guint i = 0; i < items->len; i++)
    g_assert_cmpuint (G_OBJECT (items->pdata[i])->ref_count, ==, 1);
}

static void
test_last_unref_while_idle_main_context (Fixture       *f,
                                         gconstpointer  data)
{
  Begin b = { f, g_ptr_array_new_with_free_func (g_object_unref), 0, 0 };
  GasyncWorkQueue *queue = gasync_work_queue_new_for_main_context (begin_item, &b, begin_destroy);
  GasyncTestLifetime lifetime;

  g_test_summary ("A started main-context queue with nothing in flight is "
                  "disposed (and closed) as soon as it is dropped: its pump "
                  "on the owner context does not keep it alive");
  g_test_bug ("13");
  gasync_test_lifetime_init (&lifetime);
  gasync_test_lifetime_watch (&lifetime, queue);
  f->lifetime = &lifetime;
  gasync_work_queue_start (queue, NULL);
  g_object_unref (queue);
  g_assert_true (g_atomic_int_get (&lifetime.gone));
  gasync_test_lifetime_wait (&lifetime, 1);
  g_ptr_array_unref (b.tokens);
}

/* Misuse: blocking closes that could only return after themselves. */
static GasyncWorkQueue *misuse_queue;
static int misuse_done; /* atomic */

static gboolean
work_closes_queue (GObject       *item,
                   GCancellable  *cancellable,
                   gpointer       user_data,
                   GError       **error)
{
  g_assert_cmpuint (gasync_work_queue_close (misuse_queue, NULL, NULL), ==, 0);
  g_assert_false (gasync_work_queue_is_closed (misuse_queue));
  g_atomic_int_set (&misuse_done, TRUE);
  return TRUE;
}

static void
test_close_from_work_function (void)
{
  g_test_summary ("gasync_work_queue_close() in one of the queue's own work "
                  "functions is a critical that returns, not a wait "
                  "forever");
  g_test_bug ("13");
  if (g_test_subprocess ())
    {
      g_autoptr(GPtrArray) items = test_items_new (1);

      gasync_test_criticals_not_fatal ();
      misuse_queue = gasync_work_queue_new (work_closes_queue, NULL, NULL);
      gasync_work_queue_set_parallelism (misuse_queue, 1);
      gasync_work_queue_set_shutdown_grace_period (misuse_queue, G_MAXINT64);
      gasync_work_queue_start (misuse_queue, NULL);
      enqueue_all (misuse_queue, items);
      gasync_test_wait_flag (&misuse_done);
      g_assert_cmpuint (gasync_work_queue_close (misuse_queue, NULL, NULL), ==, 0);
      g_clear_object (&misuse_queue);
      return;
    }

  g_test_trap_subprocess (NULL, gasync_test_subprocess_timeout (),
                          G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*CRITICAL*gasync_work_queue_close: called from "
                             "one of the queue's work functions*");
}

static gboolean
begin_closes_queue (GObject          *item,
                    GasyncTaskToken  *token,
                    GCancellable     *cancellable,
                    gpointer          user_data,
                    GError          **error)
{
  GasyncTaskToken **out = user_data;

  /* This item is in flight until its token ends, on this context. */
  *out = g_object_ref (token);
  g_assert_cmpuint (gasync_work_queue_close (misuse_queue, NULL, NULL), ==, 0);
  g_assert_false (gasync_work_queue_is_closed (misuse_queue));
  return TRUE;
}

static void
test_close_on_owner_in_flight (void)
{
  g_test_summary ("A blocking gasync_work_queue_close() on the owner context "
                  "of a main-context queue with an item in flight is a "
                  "critical that returns, not a wait forever");
  g_test_bug ("13");
  if (g_test_subprocess ())
    {
      g_autoptr(GPtrArray) items = test_items_new (1);
      GasyncTaskToken *token = NULL;

      gasync_test_criticals_not_fatal ();
      misuse_queue = gasync_work_queue_new_for_main_context (begin_closes_queue,
                                                             &token, NULL);
      gasync_work_queue_start (misuse_queue, NULL);
      enqueue_all (misuse_queue, items);
      gasync_test_iterate_until_set (NULL, &token);
      gasync_task_token_end (token);
      g_object_unref (token);
      g_assert_cmpuint (gasync_work_queue_close (misuse_queue, NULL, NULL), ==, 0);
      g_clear_object (&misuse_queue);
      return;
    }

  g_test_trap_subprocess (NULL, gasync_test_subprocess_timeout (),
                          G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*CRITICAL*gasync_work_queue_close: called on the "
                             "owner context of a main-context queue*");
}

static gboolean
work_enqueues_more (GObject       *item,
                    GCancellable  *cancellable,
                    gpointer       user_data,
                    GError       **error)
{
  GPtrArray *more = user_data;
  g_autoptr(GError) local_error = NULL;

  if (TEST_ITEM (item)->index != 0)
    return TRUE;
  /* The first fits; the second waits for room that only this worker
   * could make. */
  g_assert_true (gasync_work_queue_enqueue (misuse_queue, more->pdata[0], NULL, NULL));
  g_assert_false (gasync_work_queue_enqueue (misuse_queue, more->pdata[1], NULL,
                                             &local_error));
  g_assert_error (local_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
  g_atomic_int_set (&misuse_done, TRUE);
  return TRUE;
}

static void
test_enqueue_full_from_work_function (void)
{
  g_test_summary ("A blocking enqueue into a full threaded queue from a work "
                  "function, when no other worker can make room, is a "
                  "critical that returns, not a wait forever");
  g_test_bug ("13");
  if (g_test_subprocess ())
    {
      g_autoptr(GPtrArray) items = test_items_new (1);
      g_autoptr(GPtrArray) more = test_items_new (2);

      gasync_test_criticals_not_fatal ();
      TEST_ITEM (more->pdata[0])->index = 1;
      TEST_ITEM (more->pdata[1])->index = 2;
      misuse_queue = gasync_work_queue_new (work_enqueues_more, more, NULL);
      gasync_work_queue_set_parallelism (misuse_queue, 1);
      gasync_work_queue_set_max_work (misuse_queue, 1);
      enqueue_all (misuse_queue, items);
      gasync_work_queue_start (misuse_queue, NULL);
      gasync_test_wait_flag (&misuse_done);
      g_assert_cmpuint (gasync_work_queue_close (misuse_queue, NULL, NULL), ==, 0);
      g_clear_object (&misuse_queue);
      return;
    }

  g_test_trap_subprocess (NULL, gasync_test_subprocess_timeout (),
                          G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*CRITICAL*gasync_work_queue_enqueue: the queue is "
                             "full and every worker waits*");
}

/* Misuse: blocking stops that could only return after themselves. */
static gboolean
work_stops_queue (GObject       *item,
                  GCancellable  *cancellable,
                  gpointer       user_data,
                  GError       **error)
{
  g_autoptr(GError) local_error = NULL;

  g_assert_false (gasync_work_queue_stop (misuse_queue, NULL, &local_error));
  g_assert_error (local_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
  g_assert_true (gasync_work_queue_is_started (misuse_queue));
  g_atomic_int_set (&misuse_done, TRUE);
  return TRUE;
}

static void
test_stop_from_work_function (void)
{
  g_test_summary ("gasync_work_queue_stop() in one of the queue's own work "
                  "functions is a critical that returns WOULD_BLOCK and "
                  "leaves the queue running, not a wait forever");
  if (g_test_subprocess ())
    {
      g_autoptr(GPtrArray) items = test_items_new (1);

      gasync_test_criticals_not_fatal ();
      misuse_queue = gasync_work_queue_new (work_stops_queue, NULL, NULL);
      gasync_work_queue_set_parallelism (misuse_queue, 1);
      gasync_work_queue_start (misuse_queue, NULL);
      enqueue_all (misuse_queue, items);
      gasync_test_wait_flag (&misuse_done);
      g_assert_true (gasync_work_queue_stop (misuse_queue, NULL, NULL));
      g_assert_cmpuint (gasync_work_queue_close (misuse_queue, NULL, NULL), ==, 0);
      g_clear_object (&misuse_queue);
      return;
    }

  g_test_trap_subprocess (NULL, gasync_test_subprocess_timeout (),
                          G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*CRITICAL*gasync_work_queue_stop: called from "
                             "one of the queue's work functions*"
                             "gasync_work_queue_stop_async()*");
}

static gboolean
begin_stops_queue (GObject          *item,
                   GasyncTaskToken  *token,
                   GCancellable     *cancellable,
                   gpointer          user_data,
                   GError          **error)
{
  GasyncTaskToken **out = user_data;
  g_autoptr(GError) local_error = NULL;

  /* This item is in flight until its token ends, on this context. */
  *out = g_object_ref (token);
  g_assert_false (gasync_work_queue_stop (misuse_queue, NULL, &local_error));
  g_assert_error (local_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
  g_assert_true (gasync_work_queue_is_started (misuse_queue));
  return TRUE;
}

static void
test_stop_on_owner_in_flight (void)
{
  g_test_summary ("A blocking gasync_work_queue_stop() on the owner context "
                  "of a main-context queue with an item in flight is a "
                  "critical that returns, not a wait forever");
  if (g_test_subprocess ())
    {
      g_autoptr(GPtrArray) items = test_items_new (1);
      GasyncTaskToken *token = NULL;

      gasync_test_criticals_not_fatal ();
      misuse_queue = gasync_work_queue_new_for_main_context (begin_stops_queue,
                                                             &token, NULL);
      gasync_work_queue_start (misuse_queue, NULL);
      enqueue_all (misuse_queue, items);
      gasync_test_iterate_until_set (NULL, &token);
      gasync_task_token_end (token);
      g_object_unref (token);
      g_assert_true (gasync_work_queue_stop (misuse_queue, NULL, NULL));
      g_clear_object (&misuse_queue);
      return;
    }

  g_test_trap_subprocess (NULL, gasync_test_subprocess_timeout (),
                          G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*CRITICAL*gasync_work_queue_stop: called on the "
                             "owner context of a main-context queue*");
}

static int misuse_running; /* atomic */
static int misuse_go;      /* atomic */

static gboolean
work_enqueues_while_stopping (GObject       *item,
                              GCancellable  *cancellable,
                              gpointer       user_data,
                              GError       **error)
{
  GObject *more = user_data;
  g_autoptr(GError) local_error = NULL;

  g_atomic_int_set (&misuse_running, TRUE);
  gasync_test_wait_flag (&misuse_go);
  /* The queue is full and stops: no worker takes this one's place. */
  g_assert_false (gasync_work_queue_enqueue (misuse_queue, more, NULL, &local_error));
  g_assert_error (local_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
  g_atomic_int_set (&misuse_done, TRUE);
  return TRUE;
}

static void
test_enqueue_full_from_work_function_while_stopping (void)
{
  g_test_summary ("A blocking enqueue into a full threaded queue from a work "
                  "function while the queue stops (its workers take no more "
                  "items, and the stop waits for the work function) is a "
                  "critical that returns, not a wait forever");
  if (g_test_subprocess ())
    {
      g_autoptr(GPtrArray) items = test_items_new (3);
      StopCall call = { NULL, NULL, NULL, FALSE, FALSE };

      gasync_test_criticals_not_fatal ();
      misuse_queue = gasync_work_queue_new (work_enqueues_while_stopping,
                                            items->pdata[2], NULL);
      call.queue = misuse_queue;
      gasync_work_queue_set_parallelism (misuse_queue, 1);
      gasync_work_queue_set_max_work (misuse_queue, 1);
      gasync_work_queue_start (misuse_queue, NULL);
      g_assert_true (gasync_work_queue_enqueue (misuse_queue, items->pdata[0], NULL, NULL));
      gasync_test_wait_flag (&misuse_running);
      gasync_work_queue_stop_async (misuse_queue, NULL, on_stopped, &call);
      /* Accepted, but kept for the next start: the queue is full now. */
      g_assert_true (gasync_work_queue_try_enqueue (misuse_queue, items->pdata[1], NULL));
      g_atomic_int_set (&misuse_go, TRUE);
      gasync_test_iterate_until_flag (NULL, &call.returned);
      g_assert_true (call.ok);
      g_assert_true (g_atomic_int_get (&misuse_done));
      g_assert_cmpuint (gasync_work_queue_close (misuse_queue, NULL, NULL), ==, 1);
      g_clear_object (&misuse_queue);
      return;
    }

  g_test_trap_subprocess (NULL, gasync_test_subprocess_timeout (),
                          G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*CRITICAL*gasync_work_queue_enqueue: the queue is "
                             "full and stops*");
}

static void
test_bad_input (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GasyncWorkQueue) queue = gasync_work_queue_new (test_work_object, NULL, NULL);

      g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*func != NULL*");
      g_assert_null (gasync_work_queue_new (NULL, NULL, NULL));
      g_test_assert_expected_messages ();

      g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*G_IS_OBJECT*");
      g_assert_false (gasync_work_queue_enqueue (queue, NULL, NULL, NULL));
      g_test_assert_expected_messages ();

      g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*MODE_POINTERS*");
      g_assert_false (gasync_work_queue_enqueue_pointer (queue, queue, NULL, NULL));
      g_test_assert_expected_messages ();

      g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*parallelism >= 1*");
      gasync_work_queue_set_parallelism (queue, 0);
      g_test_assert_expected_messages ();

      gasync_work_queue_start (queue, NULL);
      g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*STATE_NEW*");
      gasync_work_queue_set_parallelism (queue, 2);
      g_test_assert_expected_messages ();
      gasync_work_queue_close (queue, NULL, NULL);
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

#define ADD(path, func, data) \
  g_test_add ("/gasync/work-queue/" path, Fixture, data, test_work_setup, func, test_work_teardown)
  ADD ("defaults", test_defaults, NULL);
  ADD ("process-once", test_process_once, NULL);
  ADD ("start-twice", test_start_twice, NULL);
  ADD ("bounded", test_bounded, NULL);
  ADD ("enqueue-cancelled", test_enqueue_cancelled, NULL);
  ADD ("enqueue-closed", test_enqueue_closed, NULL);
  ADD ("grace-period-runs-queued", test_grace_period_runs_queued, NULL);
  ADD ("grace-period-expires", test_grace_period_expires, NULL);
  ADD ("close-cancellable", test_close_cancellable, NULL);
  ADD ("close-unstarted", test_close_unstarted, NULL);
  ADD ("error-signal", test_error_signal, GINT_TO_POINTER (FALSE));
  ADD ("error-signal-silent", test_error_signal, GINT_TO_POINTER (TRUE));
  ADD ("pointers", test_pointers, NULL);
  ADD ("dispose-closes", test_dispose_closes, NULL);
  ADD ("close-async", test_close_async, NULL);
  ADD ("start-stop-start", test_start_stop_start, GINT_TO_POINTER (FALSE));
  ADD ("start-stop-start-pointers", test_start_stop_start, GINT_TO_POINTER (TRUE));
  ADD ("stop-drains", test_stop_drains, NULL);
  ADD ("stop-cancelled", test_stop_cancelled, NULL);
  ADD ("close-while-stopping", test_close_while_stopping, NULL);
  ADD ("stop-async", test_stop_async, NULL);
  ADD ("restart-under-load", test_restart_under_load, NULL);
  ADD ("main-context", test_main_context, NULL);
  ADD ("main-context-start-stop-start", test_main_context_start_stop_start, NULL);
  ADD ("stress", test_stress, NULL);
  ADD ("last-unref-while-running", test_last_unref_while_running, NULL);
  ADD ("last-unref-while-running-main-context",
       test_last_unref_while_running_main_context, NULL);
  ADD ("last-unref-while-idle-main-context",
       test_last_unref_while_idle_main_context, NULL);
#undef ADD
  g_test_add_func ("/gasync/work-queue/main-context-full-on-owner",
                   test_main_context_full_on_owner);
  g_test_add_func ("/gasync/work-queue/name", test_name);
  g_test_add_func ("/gasync/work-queue/bad-input", test_bad_input);
  g_test_add_func ("/gasync/work-queue/close-from-work-function",
                   test_close_from_work_function);
  g_test_add_func ("/gasync/work-queue/close-on-owner-in-flight",
                   test_close_on_owner_in_flight);
  g_test_add_func ("/gasync/work-queue/enqueue-full-from-work-function",
                   test_enqueue_full_from_work_function);
  g_test_add_func ("/gasync/work-queue/stop-from-work-function",
                   test_stop_from_work_function);
  g_test_add_func ("/gasync/work-queue/stop-on-owner-in-flight",
                   test_stop_on_owner_in_flight);
  g_test_add_func ("/gasync/work-queue/enqueue-full-from-work-function-while-stopping",
                   test_enqueue_full_from_work_function_while_stopping);

  return g_test_run ();
}

/* test-async-twins.c: the _async/_finish twins of the blocking calls
 *
 * Each twin does what its blocking form does, without blocking the caller
 * and without iterating a main loop inside the call: the test checks that
 * nothing it waits for has happened when the call returns, then iterates
 * the thread-default context itself until the callback has run. Also
 * their cancellation and error paths.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#include "config.h"

#include "gasync-private.h"
#include "gasync-sync-private.h"
#include "gasync-test-util.h"

#define TIMEOUT_SECONDS 60

static GThread *main_thread;

/* A GAsyncReadyCallback that keeps the result, on the test's thread. */
static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GAsyncResult **out = user_data;

  g_assert_true (g_thread_self () == main_thread);
  g_assert_null (*out);
  *out = g_object_ref (result);
}

/* A task function that waits at the gate given as user data. */
static gboolean
gated_task (GCancellable  *cancellable,
            gpointer       user_data,
            GError       **error)
{
  test_gate_pass (user_data, NULL);
  return TRUE;
}

static gboolean
counting_task (GCancellable  *cancellable,
               gpointer       user_data,
               GError       **error)
{
  g_atomic_int_inc ((int *) user_data);
  return TRUE;
}

/* Stopper */

static void
test_quiesce_async (void)
{
  g_autoptr(GasyncStopper) stopper = gasync_stopper_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) stopped = NULL;
  g_autoptr(GError) error = NULL;
  TestGate gate;

  g_test_summary ("quiesce_async() begins quiescing at once and completes "
                  "once the running tasks have returned, without stopping "
                  "the workers");
  test_gate_init (&gate);
  g_assert_true (gasync_stopper_run_async_task (stopper, "gated", gated_task,
                                                &gate, NULL, NULL));
  test_gate_wait_waiting (&gate, 1);

  gasync_stopper_quiesce_async (stopper, NULL, store_result, &result);
  g_assert_cmpint (gasync_stopper_get_state (stopper), ==,
                   GASYNC_STOPPER_STATE_QUIESCING);
  g_assert_false (gasync_stopper_run_async_task (stopper, "late", gated_task,
                                                 &gate, NULL, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_UNAVAILABLE);
  gasync_test_assert_not_done (&result);

  test_gate_open (&gate);
  g_assert_true (gasync_stopper_quiesce_finish (stopper,
                                                gasync_test_wait_result (&result),
                                                NULL));
  g_assert_cmpuint (gasync_stopper_get_n_tasks (stopper), ==, 0);
  g_assert_cmpint (gasync_stopper_get_state (stopper), ==,
                   GASYNC_STOPPER_STATE_QUIESCING);

  gasync_stopper_stop_async (stopper, NULL, store_result, &stopped);
  g_assert_true (gasync_stopper_stop_finish (stopper,
                                             gasync_test_wait_result (&stopped),
                                             NULL));
  test_gate_clear (&gate);
}

static void
test_quiesce_async_idle (void)
{
  g_autoptr(GasyncStopper) stopper = gasync_stopper_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) again = NULL;

  g_test_summary ("quiesce_async() on a stopper that runs nothing completes "
                  "in a later iteration, and again once quiescing");
  gasync_stopper_quiesce_async (stopper, NULL, store_result, &result);
  g_assert_null (result);
  g_assert_true (gasync_stopper_quiesce_finish (stopper,
                                                gasync_test_wait_result (&result),
                                                NULL));
  gasync_stopper_quiesce_async (stopper, NULL, store_result, &again);
  g_assert_true (gasync_stopper_quiesce_finish (stopper,
                                                gasync_test_wait_result (&again),
                                                NULL));
  gasync_stopper_stop (stopper);
}

static void
test_quiesce_async_cancel (void)
{
  g_autoptr(GasyncStopper) stopper = gasync_stopper_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) second = NULL;
  g_autoptr(GError) error = NULL;
  TestGate gate;

  g_test_summary ("Cancelling quiesce_async() gives up the wait, not the "
                  "quiescing; another wait still completes");
  test_gate_init (&gate);
  g_assert_true (gasync_stopper_run_async_task (stopper, "gated", gated_task,
                                                &gate, NULL, NULL));
  test_gate_wait_waiting (&gate, 1);
  gasync_stopper_quiesce_async (stopper, cancellable, store_result, &result);
  gasync_stopper_quiesce_async (stopper, NULL, store_result, &second);
  g_cancellable_cancel (cancellable);
  g_assert_false (gasync_stopper_quiesce_finish (stopper,
                                                 gasync_test_wait_result (&result),
                                                 &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (gasync_stopper_get_state (stopper), ==,
                   GASYNC_STOPPER_STATE_QUIESCING);
  gasync_test_assert_not_done (&second);

  test_gate_open (&gate);
  g_assert_true (gasync_stopper_quiesce_finish (stopper,
                                                gasync_test_wait_result (&second),
                                                NULL));
  gasync_stopper_stop (stopper);
  test_gate_clear (&gate);
}

typedef struct
{
  GasyncStopper *stopper;
  GAsyncResult *result;
  int returned; /* atomic */
} InsideData;

static void
inside_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  InsideData *data = user_data;

  /* The task that asked had returned. */
  g_assert_true (g_atomic_int_get (&data->returned));
  data->result = g_object_ref (result);
}

static gboolean
quiesce_inside_task (GCancellable  *cancellable,
                     gpointer       user_data,
                     GError       **error)
{
  InsideData *data = user_data;

  /* On a pool thread, whose thread-default context is the global default
   * one, which the test iterates. */
  gasync_stopper_quiesce_async (data->stopper, NULL, inside_done, data);
  /* The quiesce cancellable fires on the owner context, which this
   * thread does not run now: after this task (see below). */
  g_atomic_int_set (&data->returned, TRUE);
  return TRUE;
}

static void
test_quiesce_async_inside (void)
{
  g_autoptr(GasyncStopper) stopper = gasync_stopper_new ();
  InsideData data = { stopper, NULL, FALSE };
  g_autoptr(GError) error = NULL;

  g_test_summary ("quiesce_async() from a task of the stopper does not wait "
                  "for itself: it returns at once and completes once that "
                  "task has returned");
  g_assert_true (gasync_stopper_run_task (stopper, "inside",
                                          quiesce_inside_task, &data, &error));
  g_assert_no_error (error);
  gasync_test_iterate_until_set (NULL, &data.result);
  g_assert_true (g_cancellable_is_cancelled (gasync_stopper_get_quiesce_cancellable (stopper)));
  g_assert_true (gasync_stopper_quiesce_finish (stopper, data.result, NULL));
  g_object_unref (data.result);
  gasync_stopper_stop (stopper);
}

typedef struct
{
  int n_run;       /* atomic */
  int n_destroyed; /* atomic */
} Counts;

static void
count_destroyed (gpointer user_data)
{
  Counts *counts = user_data;

  g_assert_true (g_thread_self () == main_thread);
  g_atomic_int_inc (&counts->n_destroyed);
}

static gboolean
count_run (GCancellable  *cancellable,
           gpointer       user_data,
           GError       **error)
{
  return counting_task (cancellable, &((Counts *) user_data)->n_run, error);
}

static void
test_limited_task_async (void)
{
  g_autoptr(GasyncStopper) stopper = gasync_stopper_new ();
  g_autoptr(GasyncSemaphore) semaphore = gasync_semaphore_new (1);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  Counts counts = { 0, 0 };
  TestGate gate;

  g_test_summary ("run_limited_task_async() waits for a slot without "
                  "blocking, then starts the task; its data is freed once");
  test_gate_init (&gate);
  g_assert_true (gasync_stopper_run_limited_async_task (stopper, "holder",
                                                        semaphore, FALSE, NULL,
                                                        gated_task, &gate,
                                                        NULL, NULL));
  test_gate_wait_waiting (&gate, 1);

  gasync_stopper_run_limited_task_async (stopper, "waiter", semaphore, NULL,
                                         count_run, &counts, count_destroyed,
                                         store_result, &result);
  gasync_test_assert_not_done (&result);
  g_assert_cmpint (g_atomic_int_get (&counts.n_run), ==, 0);

  test_gate_open (&gate);
  g_assert_true (gasync_stopper_run_limited_task_finish (stopper,
                                                         gasync_test_wait_result (&result),
                                                         &error));
  g_assert_no_error (error);
  gasync_stopper_stop (stopper);
  g_assert_cmpint (counts.n_run, ==, 1);
  g_assert_cmpint (counts.n_destroyed, ==, 1);
  g_assert_cmpint (gasync_semaphore_get_n_available (semaphore), ==, 1);
  test_gate_clear (&gate);
}

static void
test_limited_task_async_refused (gconstpointer data)
{
  gboolean quiesce = GPOINTER_TO_INT (data);
  g_autoptr(GasyncStopper) stopper = gasync_stopper_new ();
  g_autoptr(GasyncSemaphore) semaphore = gasync_semaphore_new (1);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) quiesced = NULL;
  g_autoptr(GError) error = NULL;
  Counts counts = { 0, 0 };
  TestGate gate;

  g_test_summary ("A run_limited_task_async() that waits for a slot is "
                  "refused when its cancellable fires (CANCELLED) or the "
                  "stopper quiesces (UNAVAILABLE): the task does not run, "
                  "its data is freed once, on the owner context");
  test_gate_init (&gate);
  g_assert_true (gasync_stopper_run_limited_async_task (stopper, "holder",
                                                        semaphore, FALSE, NULL,
                                                        gated_task, &gate,
                                                        NULL, NULL));
  test_gate_wait_waiting (&gate, 1);
  gasync_stopper_run_limited_task_async (stopper, "waiter", semaphore,
                                         cancellable, count_run, &counts,
                                         count_destroyed, store_result,
                                         &result);
  if (quiesce)
    gasync_stopper_quiesce_async (stopper, NULL, store_result, &quiesced);
  else
    g_cancellable_cancel (cancellable);

  g_assert_false (gasync_stopper_run_limited_task_finish (stopper,
                                                          gasync_test_wait_result (&result),
                                                          &error));
  if (quiesce)
    g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_UNAVAILABLE);
  else
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  gasync_test_iterate_until_count (NULL, &counts.n_destroyed, 1);

  test_gate_open (&gate);
  gasync_stopper_stop (stopper);
  g_assert_cmpint (counts.n_run, ==, 0);
  g_assert_cmpint (counts.n_destroyed, ==, 1);
  g_assert_cmpint (gasync_semaphore_get_n_available (semaphore), ==, 1);
  test_gate_clear (&gate);
}

/* Worker */

typedef struct
{
  TestGate gate;
  int n_processed; /* atomic */
  int n_freed;     /* atomic */
  gboolean gated;
} WorkerData;

static gboolean
worker_func (gpointer       item,
             GCancellable  *cancellable,
             gpointer       user_data,
             GError       **error)
{
  WorkerData *data = user_data;

  if (data->gated && !test_gate_pass (&data->gate, cancellable))
    return TRUE;
  g_atomic_int_inc (&data->n_processed);
  return TRUE;
}

static void
worker_item_free (gpointer item)
{
  WorkerData *data = item;

  g_assert_true (g_thread_self () == main_thread);
  g_atomic_int_inc (&data->n_freed);
}

static void
test_worker_stop_async (gconstpointer mode)
{
  gboolean main_context = GPOINTER_TO_INT (mode);
  WorkerData data = { 0, };
  g_autoptr(GasyncWorker) worker = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_test_summary ("stop_async() refuses new items at once and completes "
                  "once the queued ones were processed and the worker "
                  "stopped, threaded or on the main context");
  test_gate_init (&data.gate);
  data.gated = !main_context;
  worker = main_context ? gasync_worker_new_for_main_context (worker_func, &data, NULL)
                        : gasync_worker_new (worker_func, &data, NULL);
  g_assert_true (gasync_worker_start (worker, NULL));
  for (guint i = 0; i < 3; i++)
    g_assert_true (gasync_worker_enqueue_pointer (worker, &data,
                                                  worker_item_free));
  if (!main_context)
    test_gate_wait_waiting (&data.gate, 1);

  gasync_worker_stop_async (worker, NULL, store_result, &result);
  g_assert_false (gasync_worker_enqueue_pointer (worker, &data, NULL));
  if (!main_context)
    {
      gasync_test_assert_not_done (&result);
      g_assert_cmpint (g_atomic_int_get (&data.n_processed), ==, 0);
      test_gate_open (&data.gate);
    }
  g_assert_true (gasync_worker_stop_finish (worker,
                                            gasync_test_wait_result (&result),
                                            &error));
  g_assert_no_error (error);
  g_assert_cmpint (gasync_worker_get_state (worker), ==,
                   GASYNC_LATCH_STATE_STOPPED);
  g_assert_cmpint (g_atomic_int_get (&data.n_processed), ==, 3);
  gasync_test_iterate_until_count (NULL, &data.n_freed, 3);
  test_gate_clear (&data.gate);
}

static void
test_worker_stop_async_errors (void)
{
  WorkerData data = { 0, };
  g_autoptr(GasyncWorker) worker = gasync_worker_new (worker_func, &data, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) cancelled = NULL;
  g_autoptr(GAsyncResult) closed = NULL;
  g_autoptr(GError) error = NULL;

  g_test_summary ("stop_async() of a worker never started fails with "
                  "NOT_STARTED; a cancelled wait fails with CANCELLED while "
                  "the worker goes on stopping; close_async() discards");
  test_gate_init (&data.gate);
  data.gated = TRUE;
  gasync_worker_stop_async (worker, NULL, store_result, &result);
  g_assert_false (gasync_worker_stop_finish (worker,
                                             gasync_test_wait_result (&result),
                                             &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_NOT_STARTED);
  g_clear_error (&error);

  g_assert_true (gasync_worker_start (worker, NULL));
  for (guint i = 0; i < 3; i++)
    g_assert_true (gasync_worker_enqueue_pointer (worker, &data,
                                                  worker_item_free));
  test_gate_wait_waiting (&data.gate, 1);
  gasync_worker_stop_async (worker, cancellable, store_result, &cancelled);
  g_cancellable_cancel (cancellable);
  g_assert_false (gasync_worker_stop_finish (worker,
                                             gasync_test_wait_result (&cancelled),
                                             &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (gasync_worker_get_state (worker), ==,
                   GASYNC_LATCH_STATE_STOPPING);

  /* The item at the gate is cancelled, the other two discarded. */
  gasync_worker_close_async (worker, store_result, &closed);
  g_assert_cmpuint (gasync_worker_close_finish (worker,
                                                gasync_test_wait_result (&closed),
                                                NULL), ==, 2);
  g_assert_cmpint (gasync_worker_get_state (worker), ==,
                   GASYNC_LATCH_STATE_STOPPED);
  g_assert_cmpint (g_atomic_int_get (&data.n_processed), ==, 0);
  gasync_test_iterate_until_count (NULL, &data.n_freed, 3);
  test_gate_clear (&data.gate);
}

/* Work queue */

static GasyncWorkQueue *
full_queue (TestWork  *w,
            GPtrArray *items)
{
  GasyncWorkQueue *queue = gasync_work_queue_new (test_work_object, w, NULL);

  w->use_gate = TRUE;
  gasync_work_queue_set_parallelism (queue, 1);
  gasync_work_queue_set_max_work (queue, 1);
  g_assert_true (gasync_work_queue_start (queue, NULL));
  g_assert_true (gasync_work_queue_enqueue (queue, items->pdata[0], NULL, NULL));
  test_gate_wait_waiting (&w->gate, 1);
  g_assert_true (gasync_work_queue_enqueue (queue, items->pdata[1], NULL, NULL));
  return queue;
}

static void
test_enqueue_async (TestWork      *w,
                    gconstpointer  unused)
{
  g_autoptr(GPtrArray) items = test_items_new (4);
  g_autoptr(GasyncWorkQueue) queue = full_queue (w, items);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) at_once = NULL;
  g_autoptr(GError) error = NULL;

  g_test_summary ("enqueue_async() of a full queue waits for room without "
                  "blocking; the item is processed exactly once");
  gasync_work_queue_enqueue_async (queue, items->pdata[2], NULL, store_result,
                                   &result);
  gasync_test_assert_not_done (&result);
  g_assert_cmpuint (gasync_work_queue_get_n_queued (queue), ==, 1);

  test_gate_open (&w->gate);
  g_assert_true (gasync_work_queue_enqueue_finish (queue,
                                                   gasync_test_wait_result (&result),
                                                   &error));
  g_assert_no_error (error);

  gasync_work_queue_enqueue_async (queue, items->pdata[3], NULL, store_result,
                                   &at_once);
  g_assert_true (gasync_work_queue_enqueue_finish (queue,
                                                   gasync_test_wait_result (&at_once),
                                                   &error));
  g_assert_cmpuint (gasync_work_queue_close (queue, NULL, NULL), ==, 0);
  test_items_assert_processed_once (items);
}

static void
test_enqueue_async_refused (TestWork      *w,
                            gconstpointer  data)
{
  gboolean close = GPOINTER_TO_INT (data);
  g_autoptr(GPtrArray) items = test_items_new (3);
  g_autoptr(GasyncWorkQueue) queue = full_queue (w, items);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) closed = NULL;
  g_autoptr(GError) error = NULL;

  g_test_summary ("A waiting enqueue_async() fails with CANCELLED when its "
                  "cancellable fires, or CLOSED when the queue closes; the "
                  "item is not queued and the queue keeps no reference");
  gasync_work_queue_enqueue_async (queue, items->pdata[2], cancellable,
                                   store_result, &result);
  if (close)
    gasync_work_queue_close_async (queue, NULL, store_result, &closed);
  else
    g_cancellable_cancel (cancellable);
  g_assert_false (gasync_work_queue_enqueue_finish (queue,
                                                    gasync_test_wait_result (&result),
                                                    &error));
  if (close)
    g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_CLOSED);
  else
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_object (&result);
  gasync_test_flush (NULL);
  g_assert_cmpuint (G_OBJECT (items->pdata[2])->ref_count, ==, 1);

  test_gate_open (&w->gate);
  if (close)
    g_assert_cmpuint (gasync_work_queue_close_finish (queue,
                                                      gasync_test_wait_result (&closed),
                                                      NULL, NULL), ==, 0);
  else
    g_assert_cmpuint (gasync_work_queue_close (queue, NULL, NULL), ==, 0);
  g_assert_cmpint (TEST_ITEM (items->pdata[2])->n_processed, ==, 0);
  g_assert_cmpint (w->n_processed, ==, 2);
}

typedef struct
{
  GPtrArray *tokens;
  int n_begun;
} MainContextWork;

static gboolean
begin_keep_token (GObject          *item,
                  GasyncTaskToken  *token,
                  GCancellable     *cancellable,
                  gpointer          user_data,
                  GError          **error)
{
  MainContextWork *work = user_data;

  g_assert_true (g_thread_self () == main_thread);
  work->n_begun++;
  g_ptr_array_add (work->tokens, g_object_ref (token));
  return TRUE;
}

static void
test_enqueue_async_owner_context (void)
{
  MainContextWork work = { g_ptr_array_new_with_free_func (g_object_unref), 0 };
  g_autoptr(GasyncWorkQueue) queue = NULL;
  g_autoptr(GPtrArray) items = test_items_new (3);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) stopped = NULL;

  g_test_summary ("On the owner context of a full main-context queue, where "
                  "the blocking enqueue would deadlock, enqueue_async() "
                  "completes once a token ended and made room");
  queue = gasync_work_queue_new_for_main_context (begin_keep_token, &work, NULL);
  gasync_work_queue_set_parallelism (queue, 1);
  gasync_work_queue_set_max_work (queue, 1);
  g_assert_true (gasync_work_queue_start (queue, NULL));
  g_assert_true (gasync_work_queue_try_enqueue (queue, items->pdata[0], NULL));
  gasync_test_iterate_until_count (NULL, &work.n_begun, 1);
  g_assert_true (gasync_work_queue_try_enqueue (queue, items->pdata[1], NULL));

  gasync_work_queue_enqueue_async (queue, items->pdata[2], NULL, store_result,
                                   &result);
  gasync_test_assert_not_done (&result);
  g_assert_cmpint (work.n_begun, ==, 1);

  /* The token's end lets the second item begin, which makes room. */
  gasync_task_token_end (work.tokens->pdata[0]);
  g_assert_true (gasync_work_queue_enqueue_finish (queue,
                                                   gasync_test_wait_result (&result),
                                                   NULL));
  for (guint i = 1; i < 3; i++)
    {
      gasync_test_iterate_until_count (NULL, &work.n_begun, i + 1);
      gasync_task_token_end (work.tokens->pdata[i]);
    }
  gasync_work_queue_stop_async (queue, NULL, store_result, &stopped);
  g_assert_true (gasync_work_queue_stop_finish (queue,
                                                gasync_test_wait_result (&stopped),
                                                NULL));
  g_assert_cmpuint (gasync_work_queue_close (queue, NULL, NULL), ==, 0);
  g_ptr_array_unref (work.tokens);
}

/* Event loop */

typedef struct
{
  GasyncPendingCallback *callback;
  gboolean fail;
} Fulfil;

static int n_loop_calls;

static gboolean
loop_call (gpointer   user_data,
           GError   **error)
{
  gboolean fail = GPOINTER_TO_INT (user_data);

  g_assert_true (g_thread_self () == main_thread);
  n_loop_calls++;
  if (fail)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "failed");
      return FALSE;
    }
  return TRUE;
}

static gpointer
fulfil_thread (gpointer data)
{
  Fulfil *fulfil = data;

  gasync_pending_callback_enqueue (fulfil->callback, loop_call,
                                   GINT_TO_POINTER (fulfil->fail), NULL);
  gasync_pending_callback_unref (fulfil->callback);
  g_free (fulfil);
  return NULL;
}

/* Fulfils @callback, which it takes, from a new thread. */
static GThread *
fulfil_reserved (GasyncPendingCallback *callback,
                 gboolean               fail)
{
  Fulfil *fulfil = g_new (Fulfil, 1);

  fulfil->callback = callback;
  fulfil->fail = fail;
  return g_thread_new ("fulfil", fulfil_thread, fulfil);
}

static GThread *
fulfil_later (GasyncEventLoop *loop,
              gboolean         fail)
{
  return fulfil_reserved (gasync_event_loop_reserve_callback (loop), fail);
}

static gboolean
first_reserves (gpointer   user_data,
                GError   **error)
{
  GPtrArray *threads = user_data;

  threads->pdata[0] = fulfil_later (g_ptr_array_index (threads, 1), FALSE);
  return loop_call (NULL, error);
}

static void
test_start_async (void)
{
  g_autoptr(GasyncEventLoop) loop = gasync_event_loop_new (NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) again = NULL;
  g_autoptr(GPtrArray) threads = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;

  g_test_summary ("start_async() runs nothing itself: the callbacks run "
                  "from the caller's main loop, and it completes once "
                  "nothing is queued or reserved; it can run again");
  n_loop_calls = 0;
  g_ptr_array_add (threads, NULL);
  g_ptr_array_add (threads, loop);
  gasync_event_loop_set_timeout (loop, 0, first_reserves, threads, NULL);
  gasync_event_loop_start_async (loop, NULL, store_result, &result);
  g_assert_cmpint (n_loop_calls, ==, 0);
  g_assert_null (result);
  g_assert_true (gasync_event_loop_start_finish (loop,
                                                 gasync_test_wait_result (&result),
                                                 &error));
  g_assert_no_error (error);
  g_assert_cmpint (n_loop_calls, ==, 2);
  g_thread_join (threads->pdata[0]);

  gasync_event_loop_start_async (loop, NULL, store_result, &again);
  g_assert_true (gasync_event_loop_start_finish (loop,
                                                 gasync_test_wait_result (&again),
                                                 NULL));
}

static gboolean
start_inside (gpointer   user_data,
              GError   **error)
{
  GAsyncResult **inner = user_data;

  gasync_event_loop_start_async (g_object_get_data (G_OBJECT (inner[1]), "loop"),
                                 NULL, store_result, &inner[0]);
  return TRUE;
}

static void
test_start_async_errors (void)
{
  g_autoptr(GasyncEventLoop) loop = gasync_event_loop_new (NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) failed = NULL;
  g_autoptr(GAsyncResult) waited = NULL;
  g_autoptr(GAsyncResult) cancelled = NULL;
  g_autoptr(GObject) holder = g_object_new (G_TYPE_OBJECT, NULL);
  GAsyncResult *inner[2] = { NULL, (GAsyncResult *) holder };
  g_autoptr(GAsyncResult) outer = NULL;
  g_autoptr(GError) error = NULL;
  GasyncPendingCallback *late;
  GThread *first, *second;

  g_test_summary ("start_async() ends with the error of a failing callback "
                  "and leaves the reservations to wait_on_registered_async(), "
                  "which runs them; a cancelled run ends with CANCELLED; a "
                  "start from inside fails with ALREADY_STARTED");
  n_loop_calls = 0;
  late = gasync_event_loop_reserve_callback (loop);
  first = fulfil_later (loop, TRUE);
  g_thread_join (first);
  gasync_event_loop_start_async (loop, NULL, store_result, &failed);
  g_assert_false (gasync_event_loop_start_finish (loop,
                                                  gasync_test_wait_result (&failed),
                                                  &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_clear_error (&error);

  gasync_event_loop_wait_on_registered_async (loop, NULL, store_result, &waited);
  gasync_test_assert_not_done (&waited);
  second = fulfil_reserved (late, FALSE);
  g_assert_true (gasync_event_loop_wait_on_registered_finish (loop,
                                                              gasync_test_wait_result (&waited),
                                                              &error));
  g_assert_no_error (error);
  g_thread_join (second);
  g_assert_cmpint (n_loop_calls, ==, 2);

  /* A reservation never fulfilled: only the cancellable ends the run. */
  {
    g_autoptr(GasyncPendingCallback) pending = gasync_event_loop_reserve_callback (loop);

    gasync_event_loop_start_async (loop, cancellable, store_result, &cancelled);
    gasync_test_assert_not_done (&cancelled);
    g_cancellable_cancel (cancellable);
    g_assert_false (gasync_event_loop_start_finish (loop,
                                                    gasync_test_wait_result (&cancelled),
                                                    &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error (&error);
    gasync_pending_callback_cancel (pending);
  }

  g_object_set_data (holder, "loop", loop);
  gasync_event_loop_set_timeout (loop, 0, start_inside, inner, NULL);
  gasync_event_loop_start_async (loop, NULL, store_result, &outer);
  g_assert_true (gasync_event_loop_start_finish (loop,
                                                 gasync_test_wait_result (&outer),
                                                 NULL));
  gasync_test_iterate_until_set (NULL, &inner[0]);
  g_assert_false (gasync_event_loop_start_finish (loop, inner[0], &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_ALREADY_STARTED);
  g_object_unref (inner[0]);
}

static void
test_wait_on_registered_async_cancel (void)
{
  g_autoptr(GasyncEventLoop) loop = gasync_event_loop_new (NULL);
  g_autoptr(GasyncPendingCallback) pending = gasync_event_loop_reserve_callback (loop);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) idle = NULL;
  g_autoptr(GError) error = NULL;

  g_test_summary ("wait_on_registered_async() waits for a reservation "
                  "without blocking; cancelling ends it with CANCELLED");
  gasync_event_loop_wait_on_registered_async (loop, cancellable, store_result,
                                              &result);
  gasync_test_assert_not_done (&result);
  g_cancellable_cancel (cancellable);
  g_assert_false (gasync_event_loop_wait_on_registered_finish (loop,
                                                               gasync_test_wait_result (&result),
                                                               &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  gasync_pending_callback_cancel (pending);
  gasync_event_loop_wait_on_registered_async (loop, NULL, store_result, &idle);
  g_assert_true (gasync_event_loop_wait_on_registered_finish (loop,
                                                              gasync_test_wait_result (&idle),
                                                              NULL));
}

/* Latch and interval */

static void
test_latch_waits_async (void)
{
  g_autoptr(GasyncLatch) latch = gasync_latch_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) started = NULL;
  g_autoptr(GAsyncResult) stopped = NULL;
  g_autoptr(GAsyncResult) cancelled = NULL;
  g_autoptr(GAsyncResult) never = NULL;
  g_autoptr(GError) error = NULL;

  g_test_summary ("wait_started_async() and wait_stopped_async() complete "
                  "on the transitions since the call, even when the state "
                  "moved on before the wait looked; cancelling ends them; "
                  "a latch that stops before it starts fails the start wait");
  g_assert_true (gasync_latch_starting (latch, NULL));
  gasync_latch_wait_started_async (latch, NULL, store_result, &started);
  gasync_latch_wait_stopped_async (latch, cancellable, store_result, &cancelled);
  g_assert_true (gasync_latch_started (latch, NULL));
  g_assert_true (gasync_latch_stopping (latch, NULL));
  g_assert_true (gasync_latch_wait_started_finish (latch,
                                                   gasync_test_wait_result (&started),
                                                   &error));
  g_assert_no_error (error);
  g_cancellable_cancel (cancellable);
  g_assert_false (gasync_latch_wait_stopped_finish (latch,
                                                    gasync_test_wait_result (&cancelled),
                                                    &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  gasync_latch_wait_stopped_async (latch, NULL, store_result, &stopped);
  gasync_test_assert_not_done (&stopped);
  g_assert_true (gasync_latch_stopped (latch, NULL));
  g_assert_true (gasync_latch_wait_stopped_finish (latch,
                                                   gasync_test_wait_result (&stopped),
                                                   NULL));

  g_assert_true (gasync_latch_starting (latch, NULL));
  gasync_latch_wait_started_async (latch, NULL, store_result, &never);
  gasync_latch_reset (latch);
  g_assert_false (gasync_latch_wait_started_finish (latch,
                                                    gasync_test_wait_result (&never),
                                                    &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_NOT_STARTED);
}

static gboolean
interval_action (GCancellable  *cancellable,
                 gpointer       user_data,
                 GError       **error)
{
  TestGate *gate = user_data;

  test_gate_pass (gate, cancellable);
  return TRUE;
}

static void
test_interval_stop_async (void)
{
  TestGate gate;
  g_autoptr(GasyncInterval) interval = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) again = NULL;
  g_autoptr(GError) error = NULL;

  g_test_summary ("stop_async() cancels a run under way and completes once "
                  "the interval is stopped; a second one fails with "
                  "NOT_STARTED");
  test_gate_init (&gate);
  interval = gasync_interval_new (interval_action, &gate, NULL);
  gasync_interval_set_interval (interval, G_TIME_SPAN_MILLISECOND);
  g_assert_true (gasync_interval_start (interval, NULL));
  test_gate_wait_waiting (&gate, 1);
  gasync_interval_stop_async (interval, NULL, store_result, &result);
  g_assert_true (gasync_interval_stop_finish (interval,
                                              gasync_test_wait_result (&result),
                                              &error));
  g_assert_no_error (error);
  g_assert_cmpint (gasync_interval_get_state (interval), ==,
                   GASYNC_LATCH_STATE_STOPPED);
  gasync_interval_stop_async (interval, NULL, store_result, &again);
  g_assert_false (gasync_interval_stop_finish (interval,
                                               gasync_test_wait_result (&again),
                                               &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_NOT_STARTED);
  test_gate_clear (&gate);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  main_thread = g_thread_self ();

  g_test_add_func ("/gasync/async-twins/stopper/quiesce", test_quiesce_async);
  g_test_add_func ("/gasync/async-twins/stopper/quiesce-idle", test_quiesce_async_idle);
  g_test_add_func ("/gasync/async-twins/stopper/quiesce-cancel", test_quiesce_async_cancel);
  g_test_add_func ("/gasync/async-twins/stopper/quiesce-inside", test_quiesce_async_inside);
  g_test_add_func ("/gasync/async-twins/stopper/limited-task", test_limited_task_async);
  g_test_add_data_func ("/gasync/async-twins/stopper/limited-task-cancelled",
                        GINT_TO_POINTER (FALSE), test_limited_task_async_refused);
  g_test_add_data_func ("/gasync/async-twins/stopper/limited-task-quiesced",
                        GINT_TO_POINTER (TRUE), test_limited_task_async_refused);
  g_test_add_data_func ("/gasync/async-twins/worker/stop", GINT_TO_POINTER (FALSE),
                        test_worker_stop_async);
  g_test_add_data_func ("/gasync/async-twins/worker/stop-main-context",
                        GINT_TO_POINTER (TRUE), test_worker_stop_async);
  g_test_add_func ("/gasync/async-twins/worker/errors", test_worker_stop_async_errors);
  g_test_add ("/gasync/async-twins/work-queue/enqueue", TestWork, NULL,
              test_work_setup, test_enqueue_async, test_work_teardown);
  g_test_add ("/gasync/async-twins/work-queue/enqueue-cancelled", TestWork,
              GINT_TO_POINTER (FALSE), test_work_setup, test_enqueue_async_refused,
              test_work_teardown);
  g_test_add ("/gasync/async-twins/work-queue/enqueue-closed", TestWork,
              GINT_TO_POINTER (TRUE), test_work_setup, test_enqueue_async_refused,
              test_work_teardown);
  g_test_add_func ("/gasync/async-twins/work-queue/enqueue-owner-context",
                   test_enqueue_async_owner_context);
  g_test_add_func ("/gasync/async-twins/event-loop/start", test_start_async);
  g_test_add_func ("/gasync/async-twins/event-loop/start-errors", test_start_async_errors);
  g_test_add_func ("/gasync/async-twins/event-loop/wait-on-registered-cancel",
                   test_wait_on_registered_async_cancel);

  g_test_add_func ("/gasync/async-twins/latch/waits", test_latch_waits_async);
  g_test_add_func ("/gasync/async-twins/interval/stop", test_interval_stop_async);

  return g_test_run ();
}

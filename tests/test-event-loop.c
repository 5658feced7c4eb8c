/* test-event-loop.c: GasyncEventLoop and GasyncPendingCallback
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#include "config.h"

#include <string.h>

#include <gasync.h>

#include "gasync-test-util.h"

/* A callback that counts its runs and its destruction, and checks that it
 * runs on the loop's thread. */
typedef struct
{
  GThread *loop_thread;
  int runs;
  int destroyed;
  gboolean fail;
  gboolean fail_silently;
} Counter;

static gboolean
count_cb (gpointer   user_data,
          GError   **error)
{
  Counter *counter = user_data;

  g_assert_true (g_thread_self () == counter->loop_thread);
  counter->runs++;
  if (counter->fail)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "counter failed");
      return FALSE;
    }
  return !counter->fail_silently;
}

static void
count_destroy (gpointer user_data)
{
  Counter *counter = user_data;

  g_atomic_int_inc (&counter->destroyed);
}

static gboolean
set_flag_cb (gpointer   user_data,
             GError   **error)
{
  *(gboolean *) user_data = TRUE;
  return TRUE;
}

static void
test_event_loop_g_object_new (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GasyncEventLoop) plain = NULL;
  g_autoptr(GasyncEventLoop) given = NULL;
  g_autoptr(GMainContext) read = NULL;
  gboolean ran = FALSE;

  g_test_summary ("A loop made with g_object_new(), as GJS's new does, "
                  "runs on the thread-default context, or on the one given "
                  "in its context property");
  g_test_bug ("16");
  plain = g_object_new (GASYNC_TYPE_EVENT_LOOP, NULL);
  g_assert_true (gasync_event_loop_get_context (plain) ==
                 g_main_context_default ());
  g_assert_true (gasync_event_loop_start (plain, set_flag_cb, &ran, NULL));
  g_assert_true (ran);

  given = g_object_new (GASYNC_TYPE_EVENT_LOOP, "context", context, NULL);
  g_object_get (given, "context", &read, NULL);
  g_assert_true (read == context);
  g_assert_true (gasync_event_loop_get_context (given) == context);
}

static void
test_event_loop_first_func (void)
{
  g_autoptr(GasyncEventLoop) loop = gasync_event_loop_new (NULL);
  g_autoptr(GError) error = NULL;
  Counter counter = { g_thread_self () };

  g_assert_true (gasync_event_loop_get_context (loop) == g_main_context_default ());
  g_assert_true (gasync_event_loop_start (loop, count_cb, &counter, &error));
  g_assert_no_error (error);
  g_assert_cmpint (counter.runs, ==, 1);

  g_test_summary ("Without work, start() returns at once");
  g_assert_true (gasync_event_loop_start (loop, NULL, NULL, &error));
  g_assert_no_error (error);
}

/* A worker that enqueues a reservation after a delay, so that the loop has
 * to wait for it. */
typedef struct
{
  GasyncEventLoop *loop;
  Counter *counter;
  gboolean cancel;
  GasyncPendingCallback *callback;
  GThread *thread;
} Late;

static gpointer
late_thread (gpointer data)
{
  Late *late = data;

  g_usleep (20 * 1000);
  if (late->cancel)
    gasync_pending_callback_cancel (late->callback);
  else
    gasync_pending_callback_enqueue (late->callback, count_cb, late->counter, count_destroy);
  g_clear_pointer (&late->callback, gasync_pending_callback_unref);
  return NULL;
}

static gboolean
reserve_late_cb (gpointer   user_data,
                 GError   **error)
{
  Late *late = user_data;

  late->callback = gasync_event_loop_reserve_callback (late->loop);
  late->thread = g_thread_new ("late", late_thread, late);
  return TRUE;
}

static void
test_event_loop_waits_for_reservation (void)
{
  g_autoptr(GasyncEventLoop) loop = gasync_event_loop_new (NULL);
  g_autoptr(GError) error = NULL;
  Counter counter = { g_thread_self () };
  Late late = { loop, &counter, FALSE };

  g_test_summary ("start() returns only after a reservation made by its "
                  "first callback is enqueued (from another thread) and run");
  g_assert_true (gasync_event_loop_start (loop, reserve_late_cb, &late, &error));
  g_assert_no_error (error);
  g_assert_cmpint (counter.runs, ==, 1);
  g_assert_cmpint (counter.destroyed, ==, 1);
  g_thread_join (late.thread);
}

static void
test_event_loop_cancel (void)
{
  g_autoptr(GasyncEventLoop) loop = gasync_event_loop_new (NULL);
  g_autoptr(GasyncPendingCallback) callback = NULL;
  g_autoptr(GError) error = NULL;
  Counter counter = { g_thread_self () };
  Late late = { loop, &counter, TRUE };

  g_test_summary ("cancel() from another thread releases the reservation "
                  "and wakes the loop; nothing runs");
  g_assert_true (gasync_event_loop_start (loop, reserve_late_cb, &late, &error));
  g_assert_no_error (error);
  g_assert_cmpint (counter.runs, ==, 0);
  g_thread_join (late.thread);

  callback = gasync_event_loop_reserve_callback (loop);
  gasync_pending_callback_cancel (callback);
  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*cancelled after it was enqueued or cancelled*");
  gasync_pending_callback_cancel (callback);
  g_test_assert_expected_messages ();
  g_assert_true (gasync_event_loop_start (loop, NULL, NULL, &error));
}

static void
test_event_loop_enqueue_twice (void)
{
  g_autoptr(GasyncEventLoop) loop = gasync_event_loop_new (NULL);
  g_autoptr(GasyncPendingCallback) callback = NULL;
  g_autoptr(GError) error = NULL;
  Counter first = { g_thread_self () };
  Counter second = { g_thread_self () };

  g_test_summary ("A second enqueue() is a critical and runs nothing; its "
                  "destroy notify still runs");
  callback = gasync_event_loop_reserve_callback (loop);
  gasync_pending_callback_enqueue (callback, count_cb, &first, count_destroy);
  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*enqueued after it was enqueued or cancelled*");
  gasync_pending_callback_enqueue (callback, count_cb, &second, count_destroy);
  g_test_assert_expected_messages ();

  g_test_summary ("Callbacks enqueued while the loop is not running run "
                  "when it starts");
  g_assert_cmpint (first.runs, ==, 0);
  g_assert_true (gasync_event_loop_start (loop, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (first.runs, ==, 1);
  g_assert_cmpint (first.destroyed, ==, 1);
  g_assert_cmpint (second.runs, ==, 0);
  g_assert_cmpint (second.destroyed, ==, 1);
}

static void
test_event_loop_dropped_reservation (void)
{
  g_autoptr(GasyncEventLoop) loop = gasync_event_loop_new (NULL);
  g_autoptr(GError) error = NULL;
  GasyncPendingCallback *callback;

  g_test_summary ("A reservation finalized without enqueue() or cancel() is "
                  "released with a warning rather than hanging the loop");
  callback = gasync_event_loop_reserve_callback (loop);
  g_test_expect_message ("Gasync", G_LOG_LEVEL_WARNING, "*dropped without being enqueued or cancelled*");
  gasync_pending_callback_unref (callback);
  g_test_assert_expected_messages ();
  g_assert_true (gasync_event_loop_start (loop, NULL, NULL, &error));
  g_assert_no_error (error);
}

/* Thousands of reservations, enqueued concurrently from several threads. */
#define N_PRODUCERS 4

typedef struct _Concurrent Concurrent;

typedef struct
{
  Concurrent *concurrent;
  guint index;
  guint n;
  GasyncPendingCallback **callbacks;
  GThread *thread;
} Producer;

struct _Concurrent
{
  GasyncEventLoop *loop;
  GThread *loop_thread;
  Producer producers[N_PRODUCERS];
  guint next[N_PRODUCERS];
  guint total;
  int destroyed;
};

typedef struct
{
  Concurrent *concurrent;
  guint producer;
  guint seq;
} Call;

static gboolean
call_cb (gpointer   user_data,
         GError   **error)
{
  Call *call = user_data;
  Concurrent *concurrent = call->concurrent;

  g_assert_true (g_thread_self () == concurrent->loop_thread);
  g_assert_cmpuint (call->seq, ==, concurrent->next[call->producer]);
  concurrent->next[call->producer]++;
  concurrent->total++;
  return TRUE;
}

static void
call_free (gpointer user_data)
{
  Call *call = user_data;

  g_atomic_int_inc (&call->concurrent->destroyed);
  g_free (call);
}

static gpointer
producer_thread (gpointer data)
{
  Producer *producer = data;

  /* Odd producers reserve all but their first callback themselves, while
   * the first one keeps the loop running. */
  for (guint seq = 1; seq < producer->n && producer->index % 2 == 1; seq++)
    producer->callbacks[seq] = gasync_event_loop_reserve_callback (producer->concurrent->loop);

  for (guint seq = 0; seq < producer->n; seq++)
    {
      Call *call = g_new (Call, 1);

      call->concurrent = producer->concurrent;
      call->producer = producer->index;
      call->seq = seq;
      gasync_pending_callback_enqueue (producer->callbacks[seq], call_cb, call, call_free);
      gasync_pending_callback_unref (producer->callbacks[seq]);
    }
  return NULL;
}

static gboolean
start_producers_cb (gpointer   user_data,
                    GError   **error)
{
  Concurrent *concurrent = user_data;

  for (guint i = 0; i < N_PRODUCERS; i++)
    {
      Producer *producer = &concurrent->producers[i];

      for (guint seq = 0; seq < (producer->index % 2 == 1 ? 1 : producer->n); seq++)
        producer->callbacks[seq] = gasync_event_loop_reserve_callback (concurrent->loop);
      producer->thread = g_thread_new ("producer", producer_thread, producer);
    }
  return TRUE;
}

static void
test_event_loop_concurrent_enqueue (void)
{
  g_autoptr(GasyncEventLoop) loop = gasync_event_loop_new (NULL);
  g_autoptr(GError) error = NULL;
  Concurrent concurrent = { loop, g_thread_self () };
  guint n = gasync_test_is_slow () ? 250 : 2500;

  g_test_summary ("Reservations made and enqueued concurrently from several "
                  "threads each run exactly once, on the loop's thread, in "
                  "enqueue order per thread");
  for (guint i = 0; i < N_PRODUCERS; i++)
    {
      concurrent.producers[i].concurrent = &concurrent;
      concurrent.producers[i].index = i;
      concurrent.producers[i].n = n;
      concurrent.producers[i].callbacks = g_new0 (GasyncPendingCallback *, n);
    }

  g_assert_true (gasync_event_loop_start (loop, start_producers_cb, &concurrent, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (concurrent.total, ==, N_PRODUCERS * n);
  g_assert_cmpint (concurrent.destroyed, ==, N_PRODUCERS * n);
  for (guint i = 0; i < N_PRODUCERS; i++)
    {
      g_assert_cmpuint (concurrent.next[i], ==, n);
      g_thread_join (concurrent.producers[i].thread);
      g_free (concurrent.producers[i].callbacks);
    }
}

/* Batching: callbacks queued between two iterations run in one dispatch. */
typedef struct
{
  GasyncEventLoop *loop;
  GasyncPendingCallback *callbacks[1000];
  guint ran;
  guint ran_when_idle_fired;
  gboolean idle_fired;
} Batch;

static gboolean
batch_idle_cb (gpointer user_data)
{
  Batch *batch = user_data;

  batch->idle_fired = TRUE;
  batch->ran_when_idle_fired = batch->ran;
  return G_SOURCE_REMOVE;
}

static gboolean
batch_cb (gpointer   user_data,
          GError   **error)
{
  Batch *batch = user_data;

  /* A higher-priority source, ready from now on: it would run before the
   * next callback if each callback had its own source or wake-up. */
  if (batch->ran++ == 0)
    g_idle_add_full (G_PRIORITY_HIGH, batch_idle_cb, batch, NULL);
  return TRUE;
}

static gpointer
batch_thread (gpointer data)
{
  Batch *batch = data;

  for (guint i = 0; i < G_N_ELEMENTS (batch->callbacks); i++)
    {
      gasync_pending_callback_enqueue (batch->callbacks[i], batch_cb, batch, NULL);
      gasync_pending_callback_unref (batch->callbacks[i]);
    }
  return NULL;
}

static gboolean
batch_start_cb (gpointer   user_data,
                GError   **error)
{
  Batch *batch = user_data;

  for (guint i = 0; i < G_N_ELEMENTS (batch->callbacks); i++)
    batch->callbacks[i] = gasync_event_loop_reserve_callback (batch->loop);
  /* Every callback is queued before the loop iterates once. */
  g_thread_join (g_thread_new ("batch", batch_thread, batch));
  return TRUE;
}

static void
test_event_loop_batched_dispatch (void)
{
  g_autoptr(GasyncEventLoop) loop = gasync_event_loop_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree Batch *batch = g_new0 (Batch, 1);

  g_test_summary ("Callbacks enqueued from another thread between two "
                  "iterations are dispatched in one wake-up, not one "
                  "source each");
  batch->loop = loop;
  g_assert_true (gasync_event_loop_start (loop, batch_start_cb, batch, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (batch->ran, ==, G_N_ELEMENTS (batch->callbacks));
  gasync_test_iterate_until_flag (NULL, &batch->idle_fired);
  g_assert_cmpuint (batch->ran_when_idle_fired, ==, G_N_ELEMENTS (batch->callbacks));
}

/* A burst: more callbacks in one batch than the loop keeps room for
 * after it, then a few small batches. */
#define BURST 10000
#define BURST_TAIL 3

typedef struct
{
  GasyncEventLoop *loop;
  guint next;
  guint out_of_order;
  int destroyed;
} Burst;

static gboolean burst_cb (gpointer   user_data,
                          GError   **error);

static void
burst_destroy (gpointer user_data)
{
  Burst *burst = *(Burst **) user_data;

  burst->destroyed++;
  g_free (user_data);
}

/* Enqueues the callback numbered @index from the loop's thread. */
static void
burst_enqueue (Burst *burst,
               guint  index)
{
  GasyncPendingCallback *callback = gasync_event_loop_reserve_callback (burst->loop);
  /* The burst, then the index. */
  gpointer *data = g_new (gpointer, 2);

  data[0] = burst;
  data[1] = GUINT_TO_POINTER (index);
  gasync_pending_callback_enqueue (callback, burst_cb, data, burst_destroy);
  gasync_pending_callback_unref (callback);
}

static gboolean
burst_cb (gpointer   user_data,
          GError   **error)
{
  gpointer *data = user_data;
  Burst *burst = data[0];
  guint index = GPOINTER_TO_UINT (data[1]);

  if (index != burst->next)
    burst->out_of_order++;
  burst->next = index + 1;
  /* The last of each batch queues the next, smaller one, from the loop's
   * thread: each goes to the array that the loop gave the queue in
   * exchange for the batch before. */
  if (index == BURST - 1 ||
      (index >= BURST && (index - BURST) % BURST_TAIL == BURST_TAIL - 1 &&
       index < BURST + 4 * BURST_TAIL - 1))
    {
      for (guint i = 1; i <= BURST_TAIL; i++)
        burst_enqueue (burst, index + i);
    }
  return TRUE;
}

static gboolean
burst_start_cb (gpointer   user_data,
                GError   **error)
{
  Burst *burst = user_data;

  for (guint i = 0; i < BURST; i++)
    burst_enqueue (burst, i);
  return TRUE;
}

static void
test_event_loop_burst (void)
{
  g_autoptr(GasyncEventLoop) loop = gasync_event_loop_new (NULL);
  g_autoptr(GError) error = NULL;
  Burst burst = { loop };

  g_test_summary ("A burst of callbacks bigger than the room the loop keeps "
                  "between batches, then small batches, run once each, in "
                  "order, and their destroy notifies run");
  g_assert_true (gasync_event_loop_start (loop, burst_start_cb, &burst, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (burst.out_of_order, ==, 0);
  g_assert_cmpuint (burst.next, ==, BURST + 4 * BURST_TAIL);
  g_assert_cmpint (burst.destroyed, ==, BURST + 4 * BURST_TAIL);
}

/* Races enqueue() on one thread and cancel() on another for the same
 * reservation. */
typedef struct
{
  GasyncEventLoop *loop;
  GasyncPendingCallback *sentinel;
  GThread *thread;
  guint n;
  int runs;
  int destroyed; /* atomic */
  int criticals; /* atomic */
} Race;

typedef struct
{
  Race *race;
  GasyncPendingCallback *callback;
  gboolean cancel;
} Racer;

static gboolean
race_run_cb (gpointer   user_data,
             GError   **error)
{
  Race *race = user_data;

  race->runs++;
  return TRUE;
}

static void
race_destroy (gpointer user_data)
{
  Race *race = user_data;

  g_atomic_int_inc (&race->destroyed);
}

static gpointer
racer_thread (gpointer data)
{
  Racer *racer = data;

  if (racer->cancel)
    gasync_pending_callback_cancel (racer->callback);
  else
    gasync_pending_callback_enqueue (racer->callback, race_run_cb,
                                     racer->race, race_destroy);
  gasync_pending_callback_unref (racer->callback);
  return NULL;
}

static gpointer
race_thread (gpointer data)
{
  Race *race = data;

  for (guint i = 0; i < race->n; i++)
    {
      GasyncPendingCallback *callback = gasync_event_loop_reserve_callback (race->loop);
      Racer enqueuer = { race, gasync_pending_callback_ref (callback), FALSE };
      Racer canceller = { race, callback, TRUE };
      GThread *a = g_thread_new ("enqueue", racer_thread, &enqueuer);
      GThread *b = g_thread_new ("cancel", racer_thread, &canceller);

      g_thread_join (a);
      g_thread_join (b);
    }
  gasync_pending_callback_cancel (race->sentinel);
  return NULL;
}

static gboolean
race_start_cb (gpointer   user_data,
               GError   **error)
{
  Race *race = user_data;

  race->sentinel = gasync_event_loop_reserve_callback (race->loop);
  race->thread = g_thread_new ("race", race_thread, race);
  return TRUE;
}

static void
race_count_critical (const char     *log_domain,
                     GLogLevelFlags  log_level,
                     const char     *message,
                     gpointer        user_data)
{
  Race *race = user_data;

  if (strstr (message, "after it was enqueued or cancelled") != NULL)
    g_atomic_int_inc (&race->criticals);
  else
    g_log_default_handler (log_domain, log_level, message, NULL);
}

static void
test_event_loop_enqueue_cancel_race (void)
{
  g_test_summary ("When enqueue() and cancel() race for one reservation on "
                  "two threads, exactly one of them settles it and the "
                  "other is a critical; the loop's count of reservations "
                  "stays right, and every destroy notify runs once");
  if (g_test_subprocess ())
    {
      g_autoptr(GasyncEventLoop) loop = gasync_event_loop_new (NULL);
      g_autoptr(GError) error = NULL;
      Race race = { loop };

      race.n = gasync_test_is_slow () ? 50 : 300;
      gasync_test_criticals_not_fatal ();
      g_log_set_handler ("Gasync", G_LOG_LEVEL_CRITICAL, race_count_critical,
                         &race);
      g_assert_true (gasync_event_loop_start (loop, race_start_cb, &race, &error));
      g_assert_no_error (error);
      g_thread_join (race.thread);
      g_clear_pointer (&race.sentinel, gasync_pending_callback_unref);
      /* The destroy notifies of the enqueues that lost were sent to the
       * loop's context. */
      gasync_test_iterate_until_count (NULL, &race.destroyed, race.n);
      g_assert_cmpint (g_atomic_int_get (&race.criticals), ==, race.n);
      g_assert_cmpint (race.runs, <=, race.n);
      /* Nothing is left reserved (a reservation settled twice would
       * trip an assertion, one never settled would hang the loop). */
      g_assert_true (gasync_event_loop_start (loop, NULL, NULL, &error));
      g_assert_no_error (error);
      return;
    }

  g_test_trap_subprocess (NULL, gasync_test_subprocess_timeout (),
                          G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* Queues a reservation's callback from the loop's thread. */
static void
enqueue_now (GasyncEventLoop     *loop,
             GasyncEventLoopFunc  func,
             gpointer             user_data,
             GDestroyNotify       destroy)
{
  g_autoptr(GasyncPendingCallback) callback = gasync_event_loop_reserve_callback (loop);

  gasync_pending_callback_enqueue (callback, func, user_data, destroy);
}

typedef struct
{
  GasyncEventLoop *loop;
  Counter counters[3];
  guint timeout_id;
} Failing;

static gboolean
queue_three_cb (gpointer   user_data,
                GError   **error)
{
  Failing *failing = user_data;

  for (guint i = 0; i < G_N_ELEMENTS (failing->counters); i++)
    enqueue_now (failing->loop, count_cb, &failing->counters[i], count_destroy);
  failing->timeout_id = gasync_event_loop_set_timeout (failing->loop, 0, count_cb,
                                                       &failing->counters[2], count_destroy);
  return TRUE;
}

static void
test_event_loop_error_stops (void)
{
  g_autoptr(GasyncEventLoop) loop = gasync_event_loop_new (NULL);
  g_autoptr(GError) error = NULL;
  Failing failing = { loop };

  g_test_summary ("The first failing callback stops the loop: no further "
                  "callback or timeout runs and start() returns its error");
  for (guint i = 0; i < G_N_ELEMENTS (failing.counters); i++)
    failing.counters[i].loop_thread = g_thread_self ();
  failing.counters[1].fail = TRUE;

  g_assert_false (gasync_event_loop_start (loop, queue_three_cb, &failing, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_cmpint (failing.counters[0].runs, ==, 1);
  g_assert_cmpint (failing.counters[1].runs, ==, 1);
  g_assert_cmpint (failing.counters[2].runs, ==, 0);
  g_assert_cmpint (failing.counters[2].destroyed, ==, 2);
  g_assert_false (gasync_event_loop_clear_timeout (loop, failing.timeout_id));
  g_clear_error (&error);

  g_test_summary ("FALSE without an error is GASYNC_ERROR_FAILED");
  failing.counters[1].fail = FALSE;
  failing.counters[1].fail_silently = TRUE;
  g_assert_false (gasync_event_loop_start (loop, count_cb, &failing.counters[1], &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_FAILED);
}

/* After a failure, a reservation still out is waited for and its callback
 * runs. */
typedef struct
{
  GasyncEventLoop *loop;
  GasyncPendingCallback *callback;
  Counter counter;
  int go;
  GThread *thread;
  GasyncEventLoopFunc func; /* count_cb if NULL */
  GThread *more_thread;
} Leftover;

static gboolean
leftover_count_cb (gpointer   user_data,
                   GError   **error)
{
  return count_cb (&((Leftover *) user_data)->counter, error);
}

static void
leftover_destroy (gpointer user_data)
{
  count_destroy (&((Leftover *) user_data)->counter);
}

static gpointer
leftover_thread (gpointer data)
{
  Leftover *leftover = data;
  /* Taken before the enqueue: its callback may reserve the next one. */
  GasyncPendingCallback *callback = g_steal_pointer (&leftover->callback);

  gasync_test_wait_flag (&leftover->go);
  gasync_pending_callback_enqueue (callback,
                                   leftover->func != NULL ? leftover->func : leftover_count_cb,
                                   leftover, leftover_destroy);
  gasync_pending_callback_unref (callback);
  return NULL;
}

static gboolean
reserve_then_fail_cb (gpointer   user_data,
                      GError   **error)
{
  Leftover *leftover = user_data;

  leftover->callback = gasync_event_loop_reserve_callback (leftover->loop);
  leftover->thread = g_thread_new ("leftover", leftover_thread, leftover);
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "first failed");
  return FALSE;
}

static gboolean
release_leftover_cb (gpointer user_data)
{
  Leftover *leftover = user_data;

  g_atomic_int_set (&leftover->go, TRUE);
  return G_SOURCE_REMOVE;
}

static gboolean
reserve_more_cb (gpointer   user_data,
                 GError   **error)
{
  Leftover *leftover = user_data;

  count_cb (&leftover->counter, error);
  /* More work, reserved from a callback that runs while waiting. */
  leftover->func = NULL;
  leftover->callback = gasync_event_loop_reserve_callback (leftover->loop);
  leftover->more_thread = g_thread_new ("more", leftover_thread, leftover);
  return TRUE;
}

static void
test_event_loop_wait_on_registered (void)
{
  g_autoptr(GasyncEventLoop) loop = gasync_event_loop_new (NULL);
  g_autoptr(GError) error = NULL;
  Leftover leftover = { loop };
  Counter counter = { g_thread_self () };

  /* k6 js/eventloop: TestEventLoopWaitOnRegistered. */
  g_test_summary ("wait_on_registered() waits out the reservations left "
                  "by a failed run, iterating the context, and runs their "
                  "callbacks; then the loop can be started again");
  leftover.counter.loop_thread = g_thread_self ();
  g_assert_false (gasync_event_loop_start (loop, reserve_then_fail_cb, &leftover, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_clear_error (&error);

  /* Released from the context, so wait_on_registered() must iterate it. */
  g_idle_add (release_leftover_cb, &leftover);
  gasync_event_loop_wait_on_registered (loop);
  g_assert_cmpint (leftover.counter.runs, ==, 1);
  g_assert_cmpint (leftover.counter.destroyed, ==, 1);
  g_thread_join (leftover.thread);

  g_test_summary ("A callback that runs while waiting may reserve more, "
                  "which is waited for and run too");
  g_atomic_int_set (&leftover.go, FALSE);
  leftover.func = reserve_more_cb;
  g_assert_false (gasync_event_loop_start (loop, reserve_then_fail_cb, &leftover, &error));
  g_clear_error (&error);
  g_atomic_int_set (&leftover.go, TRUE);
  gasync_event_loop_wait_on_registered (loop);
  g_assert_cmpint (leftover.counter.runs, ==, 3);
  g_thread_join (leftover.thread);
  g_thread_join (leftover.more_thread);

  g_assert_true (gasync_event_loop_start (loop, count_cb, &counter, &error));
  g_assert_no_error (error);
  g_assert_cmpint (counter.runs, ==, 1);
}

/* Many reservations out when the loop fails; one of them fails too. */
#define N_LATE 100

typedef struct
{
  GasyncEventLoop *loop;
  GasyncPendingCallback *callbacks[N_LATE];
  GThread *thread;
  int go;
  int good;
} LateMany;

static gboolean
many_good_cb (gpointer   user_data,
              GError   **error)
{
  LateMany *late = user_data;

  late->good++;
  return TRUE;
}

static gboolean
many_bad_cb (gpointer   user_data,
             GError   **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "late and bad");
  return FALSE;
}

static gpointer
late_many_thread (gpointer data)
{
  LateMany *late = data;

  /* The failing one first: it must not keep the others from running. */
  gasync_pending_callback_enqueue (late->callbacks[N_LATE - 1], many_bad_cb, late, NULL);
  gasync_test_wait_flag (&late->go);
  for (guint i = 0; i < N_LATE - 1; i++)
    gasync_pending_callback_enqueue (late->callbacks[i], many_good_cb, late, NULL);
  for (guint i = 0; i < N_LATE; i++)
    gasync_pending_callback_unref (late->callbacks[i]);
  return NULL;
}

static gboolean
reserve_many_then_fail_cb (gpointer   user_data,
                           GError   **error)
{
  LateMany *late = user_data;

  for (guint i = 0; i < N_LATE; i++)
    late->callbacks[i] = gasync_event_loop_reserve_callback (late->loop);
  late->thread = g_thread_new ("late", late_many_thread, late);
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "expected");
  return FALSE;
}

static void
test_event_loop_wait_runs_all (void)
{
  g_autoptr(GasyncEventLoop) loop = gasync_event_loop_new (NULL);

  /* k6 js/eventloop: TestEventLoopAllCallbacksGetCalled. */
  g_test_summary ("Every callback enqueued after a failed start() runs in "
                  "wait_on_registered(), even after one of them failed; "
                  "three times on the same loop");
  for (guint round = 0; round < 3; round++)
    {
      g_autoptr(GError) error = NULL;
      LateMany late = { loop };

      g_assert_false (gasync_event_loop_start (loop, reserve_many_then_fail_cb, &late, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
      g_atomic_int_set (&late.go, TRUE);
      gasync_event_loop_wait_on_registered (loop);
      g_thread_join (late.thread);
      g_assert_cmpint (late.good, ==, N_LATE - 1);
    }
}

typedef struct
{
  GasyncEventLoop *loop;
  Counter fired;
  Counter cleared;
  gint64 started;
  gint64 fired_at;
} Timeouts;

static gboolean
timeout_fired_cb (gpointer   user_data,
                  GError   **error)
{
  Timeouts *timeouts = user_data;

  timeouts->fired_at = g_get_monotonic_time ();
  return count_cb (&timeouts->fired, error);
}

static gboolean
set_timeouts_cb (gpointer   user_data,
                 GError   **error)
{
  Timeouts *timeouts = user_data;
  guint id;

  timeouts->started = g_get_monotonic_time ();
  gasync_event_loop_set_timeout (timeouts->loop, 30 * G_TIME_SPAN_MILLISECOND,
                                 timeout_fired_cb, timeouts, NULL);
  id = gasync_event_loop_set_timeout (timeouts->loop, 10 * G_TIME_SPAN_MILLISECOND,
                                      count_cb, &timeouts->cleared, count_destroy);
  g_assert_cmpuint (id, !=, 0);
  g_assert_true (gasync_event_loop_clear_timeout (timeouts->loop, id));
  g_assert_false (gasync_event_loop_clear_timeout (timeouts->loop, id));
  return TRUE;
}

static void
test_event_loop_timeout (void)
{
  g_autoptr(GasyncEventLoop) loop = gasync_event_loop_new (NULL);
  g_autoptr(GError) error = NULL;
  Timeouts timeouts = { loop };

  g_test_summary ("A timeout keeps the loop running and runs after its "
                  "delay in microseconds; a cleared one never runs");
  timeouts.fired.loop_thread = g_thread_self ();
  timeouts.cleared.loop_thread = g_thread_self ();
  g_assert_true (gasync_event_loop_start (loop, set_timeouts_cb, &timeouts, &error));
  g_assert_no_error (error);
  g_assert_cmpint (timeouts.fired.runs, ==, 1);
  g_assert_cmpint (timeouts.fired_at - timeouts.started, >=, 30 * 1000);
  g_assert_cmpint (timeouts.cleared.runs, ==, 0);
  g_assert_cmpint (timeouts.cleared.destroyed, ==, 1);
  g_assert_false (gasync_event_loop_clear_timeout (loop, 12345));
}

typedef struct
{
  GasyncEventLoop *loop;
  guint huge_id;
  Counter huge;
  Counter negative;
} Extremes;

static gboolean
clear_huge_cb (gpointer   user_data,
               GError   **error)
{
  Extremes *extremes = user_data;

  count_cb (&extremes->negative, error);
  g_assert_cmpint (extremes->huge.runs, ==, 0);
  g_assert_true (gasync_event_loop_clear_timeout (extremes->loop, extremes->huge_id));
  return TRUE;
}

static gboolean
set_extremes_cb (gpointer   user_data,
                 GError   **error)
{
  Extremes *extremes = user_data;

  extremes->huge_id = gasync_event_loop_set_timeout (extremes->loop, G_MAXINT64,
                                                     count_cb, &extremes->huge,
                                                     count_destroy);
  gasync_event_loop_set_timeout (extremes->loop, -G_TIME_SPAN_HOUR, clear_huge_cb,
                                 extremes, NULL);
  return TRUE;
}

static void
test_event_loop_timeout_extremes (void)
{
  g_autoptr(GasyncEventLoop) loop = gasync_event_loop_new (NULL);
  g_autoptr(GError) error = NULL;
  Extremes extremes = { loop };

  g_test_summary ("A negative delay runs at once; a delay of G_MAXINT64 "
                  "microseconds saturates instead of wrapping into the past");
  extremes.huge.loop_thread = g_thread_self ();
  extremes.negative.loop_thread = g_thread_self ();
  g_assert_true (gasync_event_loop_start (loop, set_extremes_cb, &extremes, &error));
  g_assert_no_error (error);
  g_assert_cmpint (extremes.negative.runs, ==, 1);
  g_assert_cmpint (extremes.huge.runs, ==, 0);
  g_assert_cmpint (extremes.huge.destroyed, ==, 1);
}

typedef struct
{
  GasyncEventLoop *loop;
  GString *order;
} Ordered;

static gboolean
append_letter_cb (gpointer   user_data,
                  GError   **error)
{
  Ordered *ordered = g_object_get_data (G_OBJECT (user_data), "ordered");

  g_string_append (ordered->order, g_object_get_data (G_OBJECT (user_data), "letter"));
  return TRUE;
}

static void
set_ordered (Ordered    *ordered,
             GTimeSpan   delay,
             const char *letter)
{
  GObject *tag = g_object_new (G_TYPE_OBJECT, NULL);

  g_object_set_data (tag, "ordered", ordered);
  g_object_set_data (tag, "letter", (gpointer) letter);
  gasync_event_loop_set_timeout (ordered->loop, delay, append_letter_cb, tag,
                                 g_object_unref);
}

static gboolean
set_out_of_order_cb (gpointer   user_data,
                     GError   **error)
{
  Ordered *ordered = user_data;
  gint64 start = g_get_monotonic_time ();

  /* "a" and "A" take the same delay, so that "A", set later, is due at
   * the same time or later; "b" and "c" are due at fixed times from the
   * start, so that a thread descheduled between two calls (TSan or
   * valgrind on a loaded machine) cannot move "A" past "b". */
  set_ordered (ordered, start + 300 * G_TIME_SPAN_MILLISECOND - g_get_monotonic_time (), "c");
  set_ordered (ordered, 100 * G_TIME_SPAN_MILLISECOND, "a");
  set_ordered (ordered, start + 200 * G_TIME_SPAN_MILLISECOND - g_get_monotonic_time (), "b");
  set_ordered (ordered, 100 * G_TIME_SPAN_MILLISECOND, "A");
  /* Busy on the loop's thread until all four are due, so that the loop
   * finds them due in the same pass. */
  while (g_get_monotonic_time () < start + 400 * G_TIME_SPAN_MILLISECOND)
    g_usleep (G_TIME_SPAN_MILLISECOND);
  return TRUE;
}

static void
test_event_loop_timeout_deadline_order (void)
{
  g_autoptr(GasyncEventLoop) loop = gasync_event_loop_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) order = g_string_new (NULL);
  Ordered ordered = { loop, order };

  g_test_summary ("Timeouts due in the same pass run in deadline order, "
                  "and in the order they were set for equal deadlines, as "
                  "JavaScript's setTimeout() does");
  g_assert_true (gasync_event_loop_start (loop, set_out_of_order_cb, &ordered, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (order->str, ==, "aAbc");
}

static gboolean
start_again_cb (gpointer   user_data,
                GError   **error)
{
  return gasync_event_loop_start (GASYNC_EVENT_LOOP (user_data), NULL, NULL, error);
}

static void
test_event_loop_already_started (void)
{
  g_autoptr(GasyncEventLoop) loop = gasync_event_loop_new (NULL);
  g_autoptr(GError) error = NULL;

  g_assert_false (gasync_event_loop_start (loop, start_again_cb, loop, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_ALREADY_STARTED);
}

/* A loop on its own context, run by another thread. */
typedef struct
{
  GasyncEventLoop *loop;
  Counter counter;
  gboolean ok;
} Remote;

static gboolean
remote_first_cb (gpointer   user_data,
                 GError   **error)
{
  Remote *remote = user_data;

  g_assert_true (g_main_context_get_thread_default () == gasync_event_loop_get_context (remote->loop));
  enqueue_now (remote->loop, count_cb, &remote->counter, NULL);
  return TRUE;
}

static gpointer
remote_thread (gpointer data)
{
  Remote *remote = data;

  remote->counter.loop_thread = g_thread_self ();
  remote->ok = gasync_event_loop_start (remote->loop, remote_first_cb, remote, NULL);
  return NULL;
}

static void
test_event_loop_given_context (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GasyncEventLoop) loop = gasync_event_loop_new (context);
  Remote remote = { loop };

  g_test_summary ("A loop runs on the context it was given, made "
                  "thread-default in the thread that starts it");
  g_assert_true (gasync_event_loop_get_context (loop) == context);
  g_thread_join (g_thread_new ("remote", remote_thread, &remote));
  g_assert_true (remote.ok);
  g_assert_cmpint (remote.counter.runs, ==, 1);
  g_assert_true (remote.counter.loop_thread != g_thread_self ());
}

/* The doAsyncWork pattern of the documentation. */
typedef struct
{
  GasyncPendingCallback *callback;
  GasyncFuture *future;
  char *result;
  GError *error;
} Work;

static void
work_free (gpointer data)
{
  Work *work = data;

  gasync_pending_callback_unref (work->callback);
  g_object_unref (work->future);
  g_free (work->result);
  g_clear_error (&work->error);
  g_free (work);
}

static gboolean
settle_in_loop (gpointer   user_data,
                GError   **error)
{
  Work *work = user_data;

  if (work->error != NULL)
    gasync_future_reject (work->future, work->error);
  else
    {
      g_auto(GValue) value = G_VALUE_INIT;

      g_value_init (&value, G_TYPE_STRING);
      g_value_set_string (&value, work->result);
      gasync_future_resolve_value (work->future, &value);
    }
  return TRUE;
}

static gpointer
work_thread (gpointer user_data)
{
  Work *work = user_data;

  if (g_str_equal (work->result, "fail"))
    g_set_error_literal (&work->error, G_IO_ERROR, G_IO_ERROR_FAILED, "work failed");
  else
    {
      char *upper = g_ascii_strup (work->result, -1);

      g_free (work->result);
      work->result = upper;
    }
  gasync_pending_callback_enqueue (work->callback, settle_in_loop, work, work_free);
  return NULL;
}

static GasyncFuture *
do_async_work (GasyncEventLoop *loop,
               const char      *input)
{
  Work *work = g_new0 (Work, 1);

  work->callback = gasync_event_loop_reserve_callback (loop);
  work->future = gasync_event_loop_new_future (loop);
  work->result = g_strdup (input);
  g_thread_unref (g_thread_new ("work", work_thread, work));
  return g_object_ref (work->future);
}

typedef struct
{
  GasyncEventLoop *loop;
  GThread *loop_thread;
  char *value;
  char *error;
} Results;

static void
record_result (GasyncFuture *future,
               gpointer      user_data)
{
  Results *results = user_data;
  GValue *value = gasync_future_dup_value (future);
  const GError *error = gasync_future_get_error (future);

  g_assert_true (g_thread_self () == results->loop_thread);
  if (value != NULL)
    {
      results->value = g_value_dup_string (value);
      g_boxed_free (G_TYPE_VALUE, value);
    }
  if (error != NULL)
    results->error = g_strdup (error->message);
}

static gboolean
async_work_cb (gpointer   user_data,
               GError   **error)
{
  Results *results = user_data;
  g_autoptr(GasyncFuture) ok = do_async_work (results[0].loop, "hello");
  g_autoptr(GasyncFuture) failed = do_async_work (results[1].loop, "fail");

  gasync_future_add_done_callback (ok, record_result, &results[0], NULL);
  gasync_future_add_done_callback (failed, record_result, &results[1], NULL);
  return TRUE;
}

static void
test_event_loop_do_async_work (void)
{
  g_autoptr(GasyncEventLoop) loop = gasync_event_loop_new (NULL);
  g_autoptr(GError) error = NULL;
  Results results[2] = { { loop, g_thread_self () }, { loop, g_thread_self () } };

  g_test_summary ("The documented doAsyncWork pattern: reserve, work in a "
                  "thread, settle the future in the loop");
  g_assert_true (gasync_event_loop_start (loop, async_work_cb, results, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (results[0].value, ==, "HELLO");
  g_assert_null (results[0].error);
  g_assert_null (results[1].value);
  g_assert_cmpstr (results[1].error, ==, "work failed");
  g_free (results[0].value);
  g_free (results[1].error);
}

typedef struct
{
  GasyncEventLoop *loop;
  gboolean handle;
  gboolean handled_late;
  gboolean from_thread;
  Results results;
} Rejection;

static gboolean
late_then_cb (gpointer   user_data,
              GError   **error)
{
  GasyncFuture *future = user_data;
  Rejection *rejection = g_object_get_data (G_OBJECT (future), "rejection");

  gasync_future_add_done_callback (future, record_result, &rejection->results, NULL);
  return TRUE;
}

static gpointer
reject_thread (gpointer data)
{
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no such thing");

  gasync_future_reject (data, error);
  return NULL;
}

static gboolean
reject_cb (gpointer   user_data,
           GError   **error)
{
  Rejection *rejection = user_data;
  g_autoptr(GasyncFuture) future = gasync_event_loop_new_future (rejection->loop);
  g_autoptr(GError) reason = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no such thing");

  g_object_set_data (G_OBJECT (future), "rejection", rejection);
  if (rejection->handle)
    gasync_future_add_done_callback (future, record_result, &rejection->results, NULL);
  if (rejection->handled_late)
    enqueue_now (rejection->loop, late_then_cb, g_object_ref (future), g_object_unref);
  if (rejection->from_thread)
    g_thread_join (g_thread_new ("reject", reject_thread, future));
  else
    gasync_future_reject (future, reason);
  return TRUE;
}

static void
test_event_loop_unhandled_rejection (void)
{
  g_autoptr(GasyncEventLoop) loop = gasync_event_loop_new (NULL);
  g_autoptr(GError) error = NULL;
  Rejection rejection = { loop, FALSE, FALSE, FALSE, { loop, g_thread_self () } };

  g_test_summary ("A loop future rejected with no handler when the loop "
                  "goes idle stops it with UNHANDLED_REJECTION carrying the "
                  "rejection's message");
  g_assert_false (gasync_event_loop_start (loop, reject_cb, &rejection, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_UNHANDLED_REJECTION);
  g_assert_nonnull (strstr (error->message, "no such thing"));
  g_clear_error (&error);
  gasync_event_loop_wait_on_registered (loop);

  rejection.from_thread = TRUE;
  g_assert_false (gasync_event_loop_start (loop, reject_cb, &rejection, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_UNHANDLED_REJECTION);
  g_clear_error (&error);
  gasync_event_loop_wait_on_registered (loop);

  g_test_summary ("A handler, even one added by a callback queued before "
                  "the loop goes idle, handles the rejection");
  rejection.handle = TRUE;
  g_assert_true (gasync_event_loop_start (loop, reject_cb, &rejection, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (rejection.results.error, ==, "no such thing");
  g_clear_pointer (&rejection.results.error, g_free);

  rejection.handle = FALSE;
  rejection.handled_late = TRUE;
  g_assert_true (gasync_event_loop_start (loop, reject_cb, &rejection, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (rejection.results.error, ==, "no such thing");
  g_clear_pointer (&rejection.results.error, g_free);
}

static void
test_event_loop_disposed_with_reservation (void)
{
  GasyncEventLoop *loop = gasync_event_loop_new (NULL);
  g_autoptr(GasyncPendingCallback) callback = gasync_event_loop_reserve_callback (loop);
  g_autoptr(GasyncPendingCallback) cancelled = gasync_event_loop_reserve_callback (loop);
  Counter counter = { g_thread_self () };
  Counter timeout = { g_thread_self () };

  g_test_summary ("A reservation that outlives its loop is dropped: only "
                  "its destroy notify runs, on the loop's context");
  gasync_event_loop_set_timeout (loop, 10 * G_TIME_SPAN_MILLISECOND, count_cb,
                                 &timeout, count_destroy);
  g_object_unref (loop);
  gasync_pending_callback_cancel (cancelled);
  gasync_pending_callback_enqueue (callback, count_cb, &counter, count_destroy);
  gasync_test_iterate_until_flag (NULL, &timeout.destroyed);
  gasync_test_iterate_until_flag (NULL, &counter.destroyed);
  g_assert_cmpint (counter.runs, ==, 0);
  g_assert_cmpint (timeout.runs, ==, 0);
}

static void
test_event_loop_bad_input (void)
{
  g_autoptr(GasyncEventLoop) loop = gasync_event_loop_new (NULL);

  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*GASYNC_IS_EVENT_LOOP*");
  g_assert_null (gasync_event_loop_reserve_callback (NULL));
  g_test_assert_expected_messages ();

  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*func != NULL*");
  g_assert_cmpuint (gasync_event_loop_set_timeout (loop, G_TIME_SPAN_MILLISECOND,
                                                   NULL, NULL, NULL), ==, 0);
  g_test_assert_expected_messages ();

  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*self != NULL*");
  gasync_pending_callback_enqueue (NULL, count_cb, NULL, NULL);
  g_test_assert_expected_messages ();
}

static gpointer
own_context_thread (gpointer data)
{
  GasyncEventLoop *loop = data;

  gasync_event_loop_start (loop, NULL, NULL, NULL);
  return NULL;
}

static void
test_event_loop_context_owned_elsewhere (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GasyncEventLoop) loop = gasync_event_loop_new (NULL);

      g_main_context_acquire (g_main_context_default ());
      g_thread_join (g_thread_new ("other", own_context_thread, loop));
      return;
    }

  g_test_summary ("Starting a loop whose context another thread owns is a critical");
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*owned by another thread*");
}

static gpointer
wait_on_registered_thread (gpointer data)
{
  gasync_event_loop_wait_on_registered (data);
  return NULL;
}

static void
test_event_loop_wait_context_owned_elsewhere (void)
{
  g_autoptr(GasyncEventLoop) loop = gasync_event_loop_new (NULL);
  GMainContext *context = g_main_context_default ();

  g_test_summary ("wait_on_registered() on a thread that cannot acquire the "
                  "loop's context is a critical, not a wait");
  g_assert_true (g_main_context_acquire (context));
  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL,
                         "*owned by another thread*");
  g_thread_join (g_thread_new ("other", wait_on_registered_thread, loop));
  g_test_assert_expected_messages ();
  g_main_context_release (context);
}

static GasyncEventLoop *dropped_loop;
static GasyncTestLifetime dropped_lifetime;
static int dropped_n_ran;

static gboolean
count_run_cb (gpointer   user_data,
              GError   **error)
{
  dropped_n_ran++;
  return TRUE;
}

static gpointer
enqueue_later_thread (gpointer data)
{
  GasyncPendingCallback *callback = data;

  gasync_pending_callback_enqueue (callback, count_run_cb,
                                   &dropped_lifetime.destroyed[0],
                                   gasync_test_count);
  gasync_pending_callback_unref (callback);
  return NULL;
}

static gboolean
drop_loop_first (gpointer   user_data,
                 GError   **error)
{
  GasyncPendingCallback *callback = gasync_event_loop_reserve_callback (dropped_loop);

  gasync_event_loop_set_timeout (dropped_loop, G_TIME_SPAN_MILLISECOND, count_run_cb,
                                 &dropped_lifetime.destroyed[1],
                                 gasync_test_count);
  g_thread_unref (g_thread_new ("enqueue", enqueue_later_thread, callback));
  g_clear_object (&dropped_loop);
  return TRUE;
}

static void
test_event_loop_last_unref_while_running (void)
{
  g_autoptr(GError) error = NULL;

  g_test_summary ("A loop dropped by one of its callbacks runs on until it "
                  "is out of work, and is finalized when start() returns, "
                  "each destroy notify called once");
  g_test_bug ("13");
  gasync_test_lifetime_init (&dropped_lifetime);
  dropped_loop = gasync_event_loop_new (NULL);
  gasync_test_lifetime_watch (&dropped_lifetime, dropped_loop);
  g_assert_true (gasync_event_loop_start (dropped_loop, drop_loop_first, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_atomic_int_get (&dropped_lifetime.gone));
  g_assert_cmpint (dropped_n_ran, ==, 2);
  gasync_test_lifetime_wait (&dropped_lifetime, 2);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gasync/event-loop/g-object-new", test_event_loop_g_object_new);
  g_test_add_func ("/gasync/event-loop/first-func", test_event_loop_first_func);
  g_test_add_func ("/gasync/event-loop/waits-for-reservation", test_event_loop_waits_for_reservation);
  g_test_add_func ("/gasync/event-loop/cancel", test_event_loop_cancel);
  g_test_add_func ("/gasync/event-loop/enqueue-twice", test_event_loop_enqueue_twice);
  g_test_add_func ("/gasync/event-loop/dropped-reservation", test_event_loop_dropped_reservation);
  g_test_add_func ("/gasync/event-loop/concurrent-enqueue", test_event_loop_concurrent_enqueue);
  g_test_add_func ("/gasync/event-loop/batched-dispatch", test_event_loop_batched_dispatch);
  g_test_add_func ("/gasync/event-loop/burst", test_event_loop_burst);
  g_test_add_func ("/gasync/event-loop/enqueue-cancel-race", test_event_loop_enqueue_cancel_race);
  g_test_add_func ("/gasync/event-loop/error-stops", test_event_loop_error_stops);
  g_test_add_func ("/gasync/event-loop/wait-on-registered", test_event_loop_wait_on_registered);
  g_test_add_func ("/gasync/event-loop/wait-runs-all", test_event_loop_wait_runs_all);
  g_test_add_func ("/gasync/event-loop/timeout-deadline-order", test_event_loop_timeout_deadline_order);
  g_test_add_func ("/gasync/event-loop/timeout", test_event_loop_timeout);
  g_test_add_func ("/gasync/event-loop/timeout-extremes", test_event_loop_timeout_extremes);
  g_test_add_func ("/gasync/event-loop/already-started", test_event_loop_already_started);
  g_test_add_func ("/gasync/event-loop/given-context", test_event_loop_given_context);
  g_test_add_func ("/gasync/event-loop/do-async-work", test_event_loop_do_async_work);
  g_test_add_func ("/gasync/event-loop/unhandled-rejection", test_event_loop_unhandled_rejection);
  g_test_add_func ("/gasync/event-loop/disposed-with-reservation", test_event_loop_disposed_with_reservation);
  g_test_add_func ("/gasync/event-loop/bad-input", test_event_loop_bad_input);
  g_test_add_func ("/gasync/event-loop/context-owned-elsewhere", test_event_loop_context_owned_elsewhere);
  g_test_add_func ("/gasync/event-loop/wait-context-owned-elsewhere",
                   test_event_loop_wait_context_owned_elsewhere);
  g_test_add_func ("/gasync/event-loop/last-unref-while-running",
                   test_event_loop_last_unref_while_running);

  return g_test_run ();
}

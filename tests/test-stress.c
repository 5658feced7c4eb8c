/* test-stress.c: randomized mixes of work, cancellation and shutdown
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 *
 * Each test runs a number of rounds, each with its own deterministic seed
 * (g_test_rand_int() under `--seed`), in which 8 threads throw a random
 * mix of calls at one object while one of them, at a random moment, shuts
 * it down. After each round the promises are checked: every accepted task
 * ran exactly once or was reported refused or discarded, nothing ran after
 * the shutdown finished, every destroy notify ran once, and the shutdown
 * finished within its bounded deadline. Valgrind, ASan and TSan runs of
 * this file add "all memory freed" and "no data race".
 */

#include "config.h"

#include <gasync.h>

#include "gasync-dispatch-private.h"
#include "test-item.h"
#include "test-runner-util.h"

#define N_THREADS 8
#define MAX_GROUPS 4
#define MAX_GROUP_RUNNERS 6

static guint
n_rounds (void)
{
  /* Under valgrind (the timeout multiplier is set) fewer rounds. */
  return g_getenv ("GASYNC_TEST_TIMEOUT_MULTIPLIER") != NULL ? 4 : 25;
}

typedef struct _Round Round;
typedef void (*ThreadBody) (Round *round, GRand *rand, guint index);

/* How a runner's function behaves. */
typedef enum
{
  KIND_FINISH,  /* returns by itself when a thread lets it, or at a stop */
  KIND_FAIL,    /* the same, with an error */
  KIND_BLOCK,   /* returns at a stop only */
  KIND_IGNORE,  /* ignores stops: its interrupt timeout must fire */
  N_KINDS
} RunnerKind;

typedef struct
{
  TestService *svc;
  GasyncRunner *runner;
  RunnerKind kind;
  gboolean reported;            /* a result names it */
  guint finished;               /* "finished" emissions, owner thread */
  guint stops_at_finish;        /* svc->stop_calls then */
  guint stops_at_group_end;
} RunnerSlot;

typedef struct
{
  GasyncGroupRunner *group;
  GCancellable *cancellable;
  RunnerSlot *runners;          /* into Round.runners */
  guint n_runners;
  gboolean times_out;           /* the group's timeout is shorter than its runners' */
  GTimeSpan timeout;            /* the one that bounds the run after a stop */
  gint64 stopped_at;            /* by the stopper thread */
  gint64 returned_at;
  GPtrArray *results;
  guint callbacks;
} GroupSlot;

struct _Round
{
  guint32 seed;
  guint ops_per_thread;
  guint stopper_thread;  /* which thread shuts down, and after how many ops */
  guint stop_after;
  ThreadBody body;
  gint threads_done;

  /* The object under test, one per kind of round. */
  GasyncStopper *stopper;
  GasyncSemaphore *semaphore;
  GasyncWorkQueue *queue;
  GasyncMutex *mutex;
  GasyncTasks *tasks;
  GasyncWorker *worker;
  GCancellable *cancellable;
  GroupSlot *groups;
  guint n_groups;
  RunnerSlot *runners;
  GasyncInterval *interval;
  GasyncWaitGroup *wait_group;
  GasyncBatch *batch;
  gboolean on_owner;      /* calls go through the owner context */
  GThread *owner_thread;

  /* Counters, updated atomically. */
  gint accepted;
  gint refused;
  gint ran;
  gint destroyed;
  gint ran_after_stop;
  gint closers_added;
  gint closers_run;
  gint stopped; /* set once the shutdown call returned */
  gint items_accepted;
  gint items_processed;
  gint items_freed;
  gint locks;
  gint protected_counter;
  gint failing;
  gint failures_reported;
  gint ran_outside_run;
  gint calls;
  gint calls_done;
  gint callbacks;       /* on the owner thread */
};

static guint64 total_operations;

static gpointer
thread_main (gpointer data)
{
  Round *round = ((gpointer *) data)[0];
  guint index = GPOINTER_TO_UINT (((gpointer *) data)[1]);
  GRand *rand = g_rand_new_with_seed (round->seed + index);

  round->body (round, rand, index);
  g_rand_free (rand);
  g_atomic_int_inc (&round->threads_done);
  g_free (data);
  return NULL;
}

/* Runs round->body on N_THREADS threads while this thread iterates the
 * owner context (signals, closers and destroy notifies run there), with a
 * bounded deadline, then until @done says everything was delivered. */
static void
run_round (Round    *round,
           gboolean (*done) (Round *round))
{
  GThread *threads[N_THREADS];
  gint64 deadline = gasync_test_deadline (60);

  round->ops_per_thread = 50 + g_test_rand_int_range (0, 150);
  round->stopper_thread = g_test_rand_int_range (0, N_THREADS);
  round->stop_after = g_test_rand_int_range (0, round->ops_per_thread);
  for (guint i = 0; i < N_THREADS; i++)
    {
      gpointer *data = g_new (gpointer, 2);

      data[0] = round;
      data[1] = GUINT_TO_POINTER (i);
      threads[i] = g_thread_new ("stress", thread_main, data);
    }
  while ((g_atomic_int_get (&round->threads_done) < N_THREADS || !done (round)) &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpint (g_atomic_int_get (&round->threads_done), ==, N_THREADS);
  g_assert_true (done (round));
  for (guint i = 0; i < N_THREADS; i++)
    g_thread_join (threads[i]);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  total_operations += (guint64) N_THREADS * round->ops_per_thread;
}

/* The stopper: tasks of every kind, tokens and closers from 8 threads;
 * one thread stops it at a random moment. */

static gboolean
stopper_task (GCancellable  *cancellable,
              gpointer       user_data,
              GError       **error)
{
  Round *round = user_data;

  if (g_atomic_int_get (&round->stopped))
    g_atomic_int_inc (&round->ran_after_stop);
  switch (g_atomic_int_add (&round->ran, 1) % 4)
    {
    case 0:
      g_atomic_int_inc (&round->failing);
      g_set_error_literal (error, GASYNC_ERROR, GASYNC_ERROR_FAILED, "planned failure");
      return FALSE;
    case 1:
      g_atomic_int_inc (&round->failing);
      return FALSE; /* FALSE without an error: reported as FAILED */
    default:
      return TRUE;
    }
}

static void
stopper_task_failed (GasyncStopper *stopper,
                     const char    *name,
                     const GError  *error,
                     gpointer       user_data)
{
  Round *round = user_data;

  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_FAILED);
  round->failures_reported++;
}

static void
stopper_task_destroy (gpointer user_data)
{
  Round *round = user_data;

  g_atomic_int_inc (&round->destroyed);
}

static void
stopper_closer (gpointer user_data)
{
  Round *round = user_data;

  /* Every task has returned: its destroy notify and its failure report
   * came before the closers. */
  g_assert_cmpint (g_atomic_int_get (&round->destroyed), >=, g_atomic_int_get (&round->ran));
  g_assert_cmpint (round->failures_reported, ==, g_atomic_int_get (&round->failing));
  g_atomic_int_inc (&round->closers_run);
}

static void
count (Round    *round,
       gboolean  accepted)
{
  g_atomic_int_inc (accepted ? &round->accepted : &round->refused);
}

static void
stopper_body (Round  *round,
              GRand  *rand,
              guint   index)
{
  for (guint i = 0; i < round->ops_per_thread; i++)
    {
      g_autoptr(GError) error = NULL;

      if (index == round->stopper_thread && i == round->stop_after)
        {
          gasync_stopper_stop (round->stopper);
          g_atomic_int_set (&round->stopped, 1);
          continue;
        }
      switch (g_rand_int_range (rand, 0, 5))
        {
        case 0:
          count (round, gasync_stopper_run_async_task (round->stopper, "async",
                                                       stopper_task, round,
                                                       stopper_task_destroy, &error));
          break;
        case 1:
          count (round, gasync_stopper_run_limited_async_task (round->stopper, "limited",
                                                               round->semaphore,
                                                               g_rand_boolean (rand), NULL,
                                                               stopper_task, round,
                                                               stopper_task_destroy,
                                                               &error));
          break;
        case 2:
          {
            GasyncTaskToken *token = gasync_stopper_begin_task (round->stopper, "token", &error);

            if (token != NULL)
              {
                gasync_task_token_end (token);
                g_object_unref (token);
              }
          }
          break;
        case 3:
          gasync_stopper_add_closer (round->stopper, stopper_closer, round, NULL);
          g_atomic_int_inc (&round->closers_added);
          break;
        default:
          g_free (gasync_stopper_dump (round->stopper));
          break;
        }
    }
}

static gboolean
stopper_done (Round *round)
{
  return g_atomic_int_get (&round->stopped) &&
         g_atomic_int_get (&round->destroyed) ==
           g_atomic_int_get (&round->accepted) + g_atomic_int_get (&round->refused) &&
         g_atomic_int_get (&round->closers_run) == g_atomic_int_get (&round->closers_added) &&
         round->failures_reported == g_atomic_int_get (&round->failing);
}

static void
test_stress_stopper (void)
{
  g_test_summary ("Random tasks, limited tasks, tokens and closers from 8 threads "
                  "with a stop at a random moment: every accepted task runs once, "
                  "refused ones never, none after the stop, every destroy notify "
                  "and closer once");

  for (guint r = 0; r < n_rounds (); r++)
    {
      Round round = { .seed = g_test_rand_int (), .body = stopper_body };

      round.stopper = gasync_stopper_new ();
      g_signal_connect (round.stopper, "task-failed", G_CALLBACK (stopper_task_failed), &round);
      round.semaphore = gasync_semaphore_new (g_test_rand_int_range (1, 5));
      run_round (&round, stopper_done);

      g_assert_true (gasync_stopper_is_stopped (round.stopper));
      g_assert_cmpuint (gasync_stopper_get_num_tasks (round.stopper), ==, 0);
      g_assert_cmpint (round.ran, ==, round.accepted);
      g_assert_cmpint (round.ran_after_stop, ==, 0);
      g_assert_cmpint (round.destroyed, ==, round.accepted + round.refused);
      g_assert_cmpint (round.closers_run, ==, round.closers_added);
      g_assert_cmpint (round.failures_reported, ==, round.failing);
      g_assert_cmpint (gasync_semaphore_get_available (round.semaphore), ==,
                       gasync_semaphore_get_capacity (round.semaphore));
      g_object_unref (round.semaphore);
      g_object_unref (round.stopper);
    }
}

/* The work queue: 8 producers, blocking and not, some with a cancellable
 * that fires; one thread closes the queue at a random moment. */

static gboolean
queue_work (gpointer       item,
            GCancellable  *cancellable,
            gpointer       user_data,
            GError       **error)
{
  Round *round = user_data;

  g_atomic_int_inc (&round->items_processed);
  return TRUE;
}

static Round *queue_round;

static void
queue_item_free (gpointer item)
{
  g_atomic_int_inc (&queue_round->items_freed);
  g_free (item);
}

static void
queue_body (Round *round,
            GRand *rand,
            guint  index)
{
  for (guint i = 0; i < round->ops_per_thread; i++)
    {
      g_autoptr(GError) error = NULL;
      int *item;
      gboolean ok;

      if (index == round->stopper_thread && i == round->stop_after)
        {
          guint discarded = gasync_work_queue_close (round->queue, NULL, NULL);

          g_atomic_int_add (&round->refused, discarded);
          g_atomic_int_set (&round->stopped, 1);
          continue;
        }
      item = g_new0 (int, 1);
      if (g_rand_boolean (rand))
        ok = gasync_work_queue_try_enqueue_pointer (round->queue, item, &error);
      else
        {
          if (g_rand_int_range (rand, 0, 8) == 0)
            g_cancellable_cancel (round->cancellable);
          ok = gasync_work_queue_enqueue_pointer (round->queue, item,
                                                  round->cancellable, &error);
        }
      if (ok)
        g_atomic_int_inc (&round->items_accepted);
      else
        g_free (item);
    }
}

static gboolean
queue_done (Round *round)
{
  return g_atomic_int_get (&round->stopped);
}

static void
test_stress_work_queue (void)
{
  g_test_summary ("8 producers push items, blocking or not, some cancelled, while "
                  "the queue is closed at a random moment: processed plus discarded "
                  "equals accepted, and every accepted item is freed once");

  for (guint r = 0; r < n_rounds (); r++)
    {
      Round round = { .seed = g_test_rand_int (), .body = queue_body };

      queue_round = &round;
      round.cancellable = g_cancellable_new ();
      round.queue = gasync_work_queue_new_for_pointers (queue_work, &round, NULL,
                                                        queue_item_free);
      gasync_work_queue_set_parallelism (round.queue, g_test_rand_int_range (1, 5));
      gasync_work_queue_set_max_work (round.queue, g_test_rand_int_range (1, 65));
      gasync_work_queue_set_shutdown_grace_period (round.queue,
          g_test_rand_bit () ? 0 : 10 * G_TIME_SPAN_MILLISECOND);
      g_assert_true (gasync_work_queue_start (round.queue, NULL));
      run_round (&round, queue_done);
      g_object_unref (round.queue);

      /* round.refused holds the discarded count here */
      g_assert_cmpint (round.items_processed + round.refused, ==, round.items_accepted);
      g_assert_cmpint (round.items_freed, ==, round.items_accepted);
      g_object_unref (round.cancellable);
      queue_round = NULL;
    }
}

/* Tasks and the mutex: tasks from 8 threads take a GasyncMutex, some with
 * a cancellable that fires while they wait; the counter it protects equals
 * the number of locks taken, and the mutex ends unlocked. */

static gboolean
mutex_task (GCancellable  *cancellable,
            gpointer       user_data,
            GError       **error)
{
  Round *round = user_data;

  if (!gasync_mutex_lock (round->mutex, round->cancellable, error))
    {
      g_assert_error (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_atomic_int_inc (&round->failing);
      return FALSE;
    }
  /* A plain, non-atomic update: the mutex is what protects it. */
  round->protected_counter++;
  g_atomic_int_inc (&round->locks);
  gasync_mutex_unlock (round->mutex);
  return TRUE;
}

static void
mutex_body (Round *round,
            GRand *rand,
            guint  index)
{
  for (guint i = 0; i < round->ops_per_thread; i++)
    {
      if (index == round->stopper_thread && i == round->stop_after)
        g_cancellable_cancel (round->cancellable);
      gasync_tasks_run (round->tasks, NULL, "lock", mutex_task, round, NULL);
      g_atomic_int_inc (&round->accepted);
    }
}

static gboolean
no_pending_work (Round *round)
{
  return TRUE;
}

static void
test_stress_tasks_mutex (void)
{
  g_test_summary ("Tasks from 8 threads contend for a GasyncMutex while a "
                  "cancellable fires: the protected counter equals the locks "
                  "taken, every other lock was cancelled, the mutex ends unlocked");

  for (guint r = 0; r < n_rounds (); r++)
    {
      Round round = { .seed = g_test_rand_int (), .body = mutex_body };
      g_autoptr(GPtrArray) errors = NULL;
      g_autoptr(GError) error = NULL;

      round.mutex = gasync_mutex_new ();
      round.tasks = gasync_tasks_new ("stress");
      round.cancellable = g_cancellable_new ();
      run_round (&round, no_pending_work);
      gasync_tasks_wait (round.tasks, NULL, &error);

      errors = gasync_tasks_dup_errors (round.tasks);
      g_assert_cmpint (round.protected_counter, ==, round.locks);
      /* Cancelled tasks are not kept as errors (they were told to stop). */
      g_assert_cmpuint (errors->len, ==, 0);
      g_assert_cmpint (round.locks + round.failing, ==, round.accepted);
      g_assert_true (gasync_mutex_try_lock (round.mutex));
      gasync_mutex_unlock (round.mutex);
      g_object_unref (round.cancellable);
      g_object_unref (round.tasks);
      g_object_unref (round.mutex);
    }
}

/* The event loop: reservations made on the loop thread are enqueued or
 * cancelled from 8 threads; every enqueued callback runs once, on the loop
 * thread, and start() returns only when all were settled. */

typedef struct
{
  GasyncPendingCallback *reservations[N_THREADS][64];
  guint n;
  gint enqueued;
  gint cancelled;
  gint ran;
  GThread *loop_thread;
  GThread *threads[N_THREADS];
  guint32 seed;
} LoopRound;

static gboolean
loop_callback (gpointer   user_data,
               GError   **error)
{
  LoopRound *round = user_data;

  g_assert_true (g_thread_self () == round->loop_thread);
  round->ran++;
  return TRUE;
}

static gpointer
loop_thread_main (gpointer data)
{
  LoopRound *round = ((gpointer *) data)[0];
  guint index = GPOINTER_TO_UINT (((gpointer *) data)[1]);
  GRand *rand = g_rand_new_with_seed (round->seed + index);

  for (guint i = 0; i < round->n; i++)
    {
      if (g_rand_int_range (rand, 0, 4) == 0)
        {
          gasync_pending_callback_cancel (round->reservations[index][i]);
          g_atomic_int_inc (&round->cancelled);
        }
      else
        {
          gasync_pending_callback_enqueue (round->reservations[index][i],
                                           loop_callback, round, NULL);
          g_atomic_int_inc (&round->enqueued);
        }
      gasync_pending_callback_unref (round->reservations[index][i]);
    }
  g_rand_free (rand);
  g_free (data);
  return NULL;
}

static gboolean
loop_first (gpointer   user_data,
            GError   **error)
{
  LoopRound *round = ((gpointer *) user_data)[0];
  GasyncEventLoop *loop = ((gpointer *) user_data)[1];

  for (guint t = 0; t < N_THREADS; t++)
    for (guint i = 0; i < round->n; i++)
      round->reservations[t][i] = gasync_event_loop_reserve_callback (loop);
  for (guint t = 0; t < N_THREADS; t++)
    {
      gpointer *data = g_new (gpointer, 2);

      data[0] = round;
      data[1] = GUINT_TO_POINTER (t);
      round->threads[t] = g_thread_new ("stress", loop_thread_main, data);
    }
  return TRUE;
}

static void
test_stress_event_loop (void)
{
  g_test_summary ("Reservations enqueued or cancelled at random from 8 threads: "
                  "every enqueued callback runs once on the loop thread, and "
                  "start() returns once all are settled");

  for (guint r = 0; r < n_rounds (); r++)
    {
      LoopRound round = { .n = g_test_rand_int_range (1, 65), .seed = g_test_rand_int () };
      GasyncEventLoop *loop = gasync_event_loop_new (NULL);
      gpointer data[2] = { &round, loop };
      g_autoptr(GError) error = NULL;

      round.loop_thread = g_thread_self ();
      g_assert_true (gasync_event_loop_start (loop, loop_first, data, &error));
      g_assert_no_error (error);
      for (guint t = 0; t < N_THREADS; t++)
        g_thread_join (round.threads[t]);
      g_assert_cmpint (round.ran, ==, round.enqueued);
      g_assert_cmpint (round.enqueued + round.cancelled, ==, N_THREADS * round.n);
      total_operations += N_THREADS * round.n;
      g_object_unref (loop);
    }
}

/* The worker: 8 producers queue items while one thread closes it at a
 * random moment; every accepted item is processed or discarded, and its
 * finalizer runs once, on the owner context. */

static Round *worker_round;

static gboolean
worker_work (gpointer       item,
             GCancellable  *cancellable,
             gpointer       user_data,
             GError       **error)
{
  g_atomic_int_inc (&worker_round->items_processed);
  return TRUE;
}

static void
worker_item_free (gpointer item)
{
  g_atomic_int_inc (&worker_round->items_freed);
  g_free (item);
}

static void
worker_body (Round *round,
             GRand *rand,
             guint  index)
{
  GasyncWorker *worker = round->worker;

  for (guint i = 0; i < round->ops_per_thread; i++)
    {
      int *item;

      if (index == round->stopper_thread && i == round->stop_after)
        {
          g_atomic_int_add (&round->refused, gasync_worker_close (worker));
          g_atomic_int_set (&round->stopped, 1);
          continue;
        }
      item = g_new0 (int, 1);
      if (gasync_worker_enqueue_pointer (worker, item, worker_item_free))
        g_atomic_int_inc (&round->items_accepted);
      else
        g_free (item);
    }
}

static gboolean
worker_done (Round *round)
{
  return g_atomic_int_get (&round->stopped) &&
         g_atomic_int_get (&round->items_freed) == g_atomic_int_get (&round->items_accepted);
}

static void
test_stress_worker (void)
{
  g_test_summary ("8 producers queue items on a GasyncWorker while it is closed "
                  "at a random moment: processed plus discarded equals accepted, "
                  "and every finalizer runs once");

  for (guint r = 0; r < n_rounds (); r++)
    {
      Round round = { .seed = g_test_rand_int (), .body = worker_body };

      worker_round = &round;
      round.worker = gasync_worker_new (worker_work, NULL, NULL);
      g_assert_true (gasync_worker_start (round.worker, NULL));
      run_round (&round, worker_done);
      g_object_unref (round.worker);
      while (g_main_context_iteration (NULL, FALSE))
        ;

      /* round.refused holds the discarded count here */
      g_assert_cmpint (round.items_processed + round.refused, ==, round.items_accepted);
      g_assert_cmpint (round.items_freed, ==, round.items_accepted);
      worker_round = NULL;
    }
}

/* Futures: 8 threads race to settle the same futures, resolving or
 * rejecting; exactly one wins each, and every done callback runs once, on
 * the main thread. */

#define N_FUTURES 64

typedef struct
{
  GasyncFuture *futures[N_FUTURES];
  gint wins;
  gint callbacks;
  guint32 seed;
  GThread *main_thread;
} FutureRound;

static gpointer
future_thread_main (gpointer data)
{
  FutureRound *round = ((gpointer *) data)[0];
  GRand *rand = g_rand_new_with_seed (round->seed + GPOINTER_TO_UINT (((gpointer *) data)[1]));

  for (guint i = 0; i < N_FUTURES; i++)
    {
      GasyncFuture *future = round->futures[(i + g_rand_int_range (rand, 0, N_FUTURES)) % N_FUTURES];
      gboolean won;

      if (g_rand_boolean (rand))
        won = gasync_future_resolve_value (future, NULL);
      else
        {
          g_autoptr(GError) error = g_error_new_literal (GASYNC_ERROR, GASYNC_ERROR_FAILED, "lost");

          won = gasync_future_reject (future, error);
        }
      if (won)
        g_atomic_int_inc (&round->wins);
    }
  g_rand_free (rand);
  g_free (data);
  return NULL;
}

static void
future_done (GasyncFuture *future,
             gpointer      data)
{
  FutureRound *round = data;

  g_assert_true (g_thread_self () == round->main_thread);
  g_assert_true (gasync_future_is_done (future));
  round->callbacks++;
}

static void
test_stress_futures (void)
{
  g_test_summary ("8 threads race to resolve or reject the same futures: one "
                  "settles each, and each done callback runs once on the "
                  "main thread");

  for (guint r = 0; r < n_rounds (); r++)
    {
      FutureRound round = { .seed = g_test_rand_int (), .main_thread = g_thread_self () };
      GThread *threads[N_THREADS];
      gint64 deadline = gasync_test_deadline (60);
      guint settled = 0;

      for (guint i = 0; i < N_FUTURES; i++)
        {
          round.futures[i] = gasync_future_new ();
          gasync_future_add_done_callback (round.futures[i], future_done, &round, NULL);
        }
      for (guint t = 0; t < N_THREADS; t++)
        {
          gpointer *data = g_new (gpointer, 2);

          data[0] = &round;
          data[1] = GUINT_TO_POINTER (t);
          threads[t] = g_thread_new ("stress", future_thread_main, data);
        }
      for (guint t = 0; t < N_THREADS; t++)
        g_thread_join (threads[t]);
      for (guint i = 0; i < N_FUTURES; i++)
        settled += gasync_future_is_done (round.futures[i]);
      while (round.callbacks < (gint) settled && g_get_monotonic_time () < deadline)
        g_main_context_iteration (NULL, FALSE);

      g_assert_cmpint (round.wins, ==, (gint) settled);
      g_assert_cmpint (round.callbacks, ==, (gint) settled);
      total_operations += N_THREADS * N_FUTURES;
      for (guint i = 0; i < N_FUTURES; i++)
        g_object_unref (round.futures[i]);
    }
}

/* Runners and groups: random groups of runners that finish by themselves,
 * fail, block until their stop function or ignore it (so that a short
 * interrupt timeout must fire), while 8 threads let them finish, interrupt
 * runners and groups, cancel groups and try to run them again; one thread
 * interrupts or cancels every group at a random moment. */

#define LONG_TIMEOUT (30 * G_TIME_SPAN_SECOND)

static void
runner_finished_cb (GasyncRunner       *runner,
                    GasyncRunnerResult *result,
                    gpointer            data)
{
  RunnerSlot *slot = data;

  slot->finished++;
  slot->stops_at_finish = slot->svc->stop_calls;
}

static void
runner_slot_init (RunnerSlot *slot,
                  guint       index,
                  gboolean    group_times_out)
{
  g_autofree char *id = g_strdup_printf ("runner-%u", index);
  GTimeSpan timeout = LONG_TIMEOUT;

  slot->kind = g_test_rand_int_range (0, N_KINDS);
  slot->svc = test_service_new ();
  slot->svc->ignore_stop = slot->kind == KIND_IGNORE;
  if (slot->kind == KIND_FAIL && g_test_rand_bit ())
    slot->svc->fail_silently = TRUE; /* reported as FAILED */
  else if (slot->kind == KIND_FAIL)
    slot->svc->error = g_error_new_literal (GASYNC_ERROR, GASYNC_ERROR_FAILED,
                                            "planned failure");
  if (slot->kind == KIND_IGNORE)
    timeout = group_times_out ? 50 * G_TIME_SPAN_MILLISECOND
                              : g_test_rand_int_range (1, 21) * G_TIME_SPAN_MILLISECOND;
  slot->runner = test_service_new_runner (slot->svc, id);
  gasync_runner_set_interrupt_timeout (slot->runner, timeout);
  g_signal_connect (slot->runner, "finished", G_CALLBACK (runner_finished_cb), slot);
}

static void
group_run_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  GroupSlot *group = data;
  g_autoptr(GError) error = NULL;

  group->returned_at = g_get_monotonic_time ();
  group->callbacks++;
  group->results = gasync_group_runner_run_finish (GASYNC_GROUP_RUNNER (source),
                                                   result, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < group->n_runners; i++)
    group->runners[i].stops_at_group_end = group->runners[i].svc->stop_calls;
}

/* On the owner thread, which owns the context: the groups launch at once,
 * before any thread can interrupt them. */
static void
group_slot_start (GroupSlot  *group,
                  RunnerSlot *runners,
                  guint       first)
{
  GTimeSpan max_ignore = 0;

  group->group = gasync_group_runner_new ();
  group->cancellable = g_cancellable_new ();
  group->runners = runners;
  group->n_runners = g_test_rand_int_range (1, MAX_GROUP_RUNNERS + 1);
  group->times_out = g_test_rand_int_range (0, 4) == 0;
  group->timeout = group->times_out ? g_test_rand_int_range (1, 11) * G_TIME_SPAN_MILLISECOND
                                    : LONG_TIMEOUT;
  for (guint i = 0; i < group->n_runners; i++)
    {
      runner_slot_init (&runners[i], first + i, group->times_out);
      if (runners[i].kind == KIND_IGNORE)
        max_ignore = MAX (max_ignore,
                          gasync_runner_get_interrupt_timeout (runners[i].runner));
      gasync_group_runner_add (group->group, runners[i].runner);
    }
  gasync_group_runner_set_interrupt_timeout (group->group, group->timeout);
  if (!group->times_out)
    group->timeout = max_ignore;
  gasync_group_runner_run_async (group->group, group->cancellable, group_run_cb, group);
}

static void
group_slot_interrupt (GroupSlot *group,
                      GRand     *rand)
{
  if (g_rand_boolean (rand))
    gasync_group_runner_interrupt (group->group);
  else
    g_cancellable_cancel (group->cancellable);
}

static void
runners_body (Round *round,
              GRand *rand,
              guint  index)
{
  for (guint i = 0; i < round->ops_per_thread; i++)
    {
      GroupSlot *group = &round->groups[g_rand_int_range (rand, 0, round->n_groups)];
      RunnerSlot *slot = &group->runners[g_rand_int_range (rand, 0, group->n_runners)];
      g_autoptr(GError) error = NULL;

      if (index == round->stopper_thread && i == round->stop_after)
        {
          for (guint g = 0; g < round->n_groups; g++)
            {
              round->groups[g].stopped_at = g_get_monotonic_time ();
              group_slot_interrupt (&round->groups[g], rand);
            }
          continue;
        }
      switch (g_rand_int_range (rand, 0, 64))
        {
        case 0:
        case 1:
        case 2:
        case 3:
          if (slot->kind == KIND_FINISH || slot->kind == KIND_FAIL)
            test_service_finish (slot->svc);
          break;
        case 4:
          gasync_runner_interrupt (slot->runner);
          break;
        case 5:
          group_slot_interrupt (group, rand);
          break;
        case 6:
          g_assert_null (gasync_group_runner_run (group->group, NULL, &error));
          g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_ALREADY_STARTED);
          break;
        case 7:
          g_assert_false (gasync_runner_run (slot->runner, NULL, &error));
          g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_ALREADY_STARTED);
          break;
        default:
          gasync_runner_notify_ready (slot->runner);
          break;
        }
    }
}

static gboolean
runners_done (Round *round)
{
  for (guint g = 0; g < round->n_groups; g++)
    if (round->groups[g].callbacks == 0)
      return FALSE;
  return TRUE;
}

static RunnerSlot *
group_slot_find (GroupSlot  *group,
                 const char *id)
{
  for (guint i = 0; i < group->n_runners; i++)
    if (g_str_equal (gasync_runner_get_id (group->runners[i].runner), id))
      return &group->runners[i];
  return NULL;
}

/* One result per runner; TIMEOUT only for runners that ignore stops (or,
 * unnamed, when the group's own timeout fired); within its timeout plus
 * a bound after the stop. */
static void
group_slot_check_results (GroupSlot *group)
{
  g_assert_cmpuint (group->callbacks, ==, 1);
  g_assert_cmpuint (group->results->len, ==, group->n_runners);
  g_assert_cmpint (group->returned_at - group->stopped_at, <=,
                   group->timeout + gasync_test_deadline (2) - g_get_monotonic_time ());
  for (guint i = 0; i < group->results->len; i++)
    {
      GasyncRunnerResult *result = g_ptr_array_index (group->results, i);
      const GError *error = gasync_runner_result_get_error (result);
      RunnerSlot *slot = group_slot_find (group, gasync_runner_result_get_id (result));

      if (slot == NULL)
        {
          g_assert_cmpstr (gasync_runner_result_get_id (result), ==,
                           GASYNC_RUNNER_RESULT_UNKNOWN_ID);
          g_assert_true (group->times_out);
          g_assert_error ((GError *) error, GASYNC_ERROR, GASYNC_ERROR_TIMEOUT);
          continue;
        }
      g_assert_false (slot->reported);
      slot->reported = TRUE;
      if (slot->kind == KIND_IGNORE && !group->times_out)
        g_assert_error ((GError *) error, GASYNC_ERROR, GASYNC_ERROR_TIMEOUT);
      else if (slot->kind == KIND_FAIL)
        g_assert_error ((GError *) error, GASYNC_ERROR, GASYNC_ERROR_FAILED);
      else if (slot->kind != KIND_IGNORE)
        g_assert_no_error ((GError *) error);
    }
}

/* After the runner is gone: its function ran once, its stop function at
 * most once, never after it finished nor after the group returned. */
static void
runner_slot_check (RunnerSlot *slot)
{
  TestService *svc = slot->svc;

  g_assert_cmpuint (svc->runs, ==, 1);
  g_assert_cmpuint (svc->returns, ==, 1);
  g_assert_cmpuint (slot->finished, ==, 1);
  g_assert_cmpuint (svc->stop_calls, <=, 1);
  g_assert_cmpuint (svc->stop_calls, ==, slot->stops_at_finish);
  g_assert_cmpuint (svc->stop_calls, ==, slot->stops_at_group_end);
  g_assert_cmpuint (svc->run_destroyed, ==, 1);
  g_assert_cmpuint (svc->stop_destroyed, ==, 1);
}

static void
test_stress_runners (void)
{
  g_test_summary ("Random groups of runners that finish, fail, block until "
                  "stopped or ignore the stop, interrupted and cancelled from 8 "
                  "threads: each function runs once, each stop function at most "
                  "once and never after its runner finished, one result per "
                  "runner, TIMEOUT only for those that ignored the stop, and each "
                  "group returns within its timeout");

  for (guint r = 0; r < n_rounds (); r++)
    {
      Round round = { .seed = g_test_rand_int (), .body = runners_body };
      guint n_runners = 0;

      round.n_groups = g_test_rand_int_range (1, MAX_GROUPS + 1);
      round.groups = g_new0 (GroupSlot, round.n_groups);
      round.runners = g_new0 (RunnerSlot, round.n_groups * MAX_GROUP_RUNNERS);
      g_assert_true (g_main_context_acquire (NULL));
      for (guint g = 0; g < round.n_groups; g++)
        {
          group_slot_start (&round.groups[g], &round.runners[n_runners], n_runners);
          n_runners += round.groups[g].n_runners;
        }
      g_main_context_release (NULL);
      run_round (&round, runners_done);

      for (guint g = 0; g < round.n_groups; g++)
        {
          group_slot_check_results (&round.groups[g]);
          test_drop_and_wait (round.groups[g].group);
          g_ptr_array_unref (round.groups[g].results);
          g_object_unref (round.groups[g].cancellable);
        }
      for (guint i = 0; i < n_runners; i++)
        {
          test_service_release (round.runners[i].svc);
          test_drop_and_wait (round.runners[i].runner);
          runner_slot_check (&round.runners[i]);
          test_service_free (round.runners[i].svc);
        }
      total_operations += n_runners;
      g_free (round.groups);
      g_free (round.runners);
    }
}

/* Intervals: 8 threads start and stop an interval, in either mode (a
 * main-context one through its owner context), and change its interval,
 * delay and stop-on-error, while its action fails now and then. The
 * action runs only while the interval is started or stopping, each
 * failure is signalled once on the owner context, and nothing runs after
 * the last stop. */

static gboolean
interval_is_running (Round *round)
{
  GasyncLatchState state = gasync_interval_get_state (round->interval);

  return state == GASYNC_LATCH_STATE_STARTED || state == GASYNC_LATCH_STATE_STOPPING;
}

static gboolean
interval_action (GCancellable  *cancellable,
                 gpointer       user_data,
                 GError       **error)
{
  Round *round = user_data;
  gboolean ok;

  if (!interval_is_running (round))
    g_atomic_int_inc (&round->ran_outside_run);
  ok = stopper_task (cancellable, round, error);
  if (!interval_is_running (round))
    g_atomic_int_inc (&round->ran_outside_run);
  return ok;
}

static void
interval_error_cb (GasyncInterval *interval,
                   const GError   *error,
                   gpointer        user_data)
{
  Round *round = user_data;

  g_assert_true (g_thread_self () == round->owner_thread);
  g_assert_error ((GError *) error, GASYNC_ERROR, GASYNC_ERROR_FAILED);
  round->failures_reported++;
}

static void
interval_stop_with (Round        *round,
                    GCancellable *cancellable)
{
  g_autoptr(GError) error = NULL;

  if (!gasync_interval_stop (round->interval, cancellable, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_NOT_STARTED);
}

/* The calls, as GSourceFuncs to run on the owner context for a
 * main-context interval. */

static gboolean
interval_start_cb (gpointer data)
{
  Round *round = data;
  g_autoptr(GError) error = NULL;

  if (!gasync_interval_start (round->interval, &error))
    g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_ALREADY_STARTED);
  g_atomic_int_inc (&round->calls_done);
  return G_SOURCE_REMOVE;
}

static gboolean
interval_stop_cb (gpointer data)
{
  Round *round = data;

  interval_stop_with (round, NULL);
  g_atomic_int_inc (&round->calls_done);
  return G_SOURCE_REMOVE;
}

/* A stop that gives up waiting at once. */
static gboolean
interval_stop_cancelled_cb (gpointer data)
{
  Round *round = data;

  interval_stop_with (round, round->cancellable);
  g_atomic_int_inc (&round->calls_done);
  return G_SOURCE_REMOVE;
}

static void
interval_call (Round       *round,
               GSourceFunc  func)
{
  g_atomic_int_inc (&round->calls);
  if (round->on_owner)
    gasync_dispatch_to_context (g_main_context_default (), func, round, NULL);
  else
    func (round);
}

static gboolean
interval_calls_done (Round *round)
{
  return g_atomic_int_get (&round->calls_done) == g_atomic_int_get (&round->calls);
}

/* Gives the action a chance: waits until it ran once more, the interval
 * stopped with no call on the way, or a few milliseconds passed. */
static void
interval_wait_run (Round *round)
{
  gint ran = g_atomic_int_get (&round->ran);
  gint64 deadline = g_get_monotonic_time () + 5 * G_TIME_SPAN_MILLISECOND;

  while (g_atomic_int_get (&round->ran) == ran &&
         (interval_is_running (round) || !interval_calls_done (round)) &&
         g_get_monotonic_time () < deadline)
    g_thread_yield ();
}

static void
interval_body (Round *round,
               GRand *rand,
               guint  index)
{
  for (guint i = 0; i < round->ops_per_thread; i++)
    {
      switch (g_rand_int_range (rand, 0, 16))
        {
        case 0:
        case 1:
        case 2:
          interval_call (round, interval_start_cb);
          break;
        case 3:
          interval_call (round, interval_stop_cb);
          break;
        case 4:
          interval_call (round, interval_stop_cancelled_cb);
          break;
        case 5:
          gasync_interval_set_stop_on_error (round->interval,
                                             g_rand_int_range (rand, 0, 4) == 0);
          break;
        case 6:
          gasync_interval_set_interval (round->interval, g_rand_int_range (rand, 1, 201));
          break;
        case 7:
          gasync_interval_set_delay (round->interval, g_rand_int_range (rand, 0, 101));
          break;
        case 8:
        case 9:
        case 10:
        case 11:
          interval_wait_run (round);
          break;
        default:
          interval_is_running (round);
          break;
        }
    }
  /* Every start is followed by a stop from the same thread: the interval
   * ends stopped. */
  interval_call (round, interval_stop_cb);
}

static gboolean
interval_done (Round *round)
{
  return interval_calls_done (round) &&
         gasync_interval_get_state (round->interval) == GASYNC_LATCH_STATE_STOPPED;
}

static void
test_stress_interval (void)
{
  g_test_summary ("8 threads start and stop an interval in either mode and "
                  "change its settings while its action fails now and then: the "
                  "action runs only while started or stopping, never after the "
                  "last stop, and each failure is signalled once on the owner "
                  "context");

  for (guint r = 0; r < n_rounds (); r++)
    {
      Round round = { .seed = g_test_rand_int (), .body = interval_body };

      round.owner_thread = g_thread_self ();
      round.on_owner = g_test_rand_bit ();
      round.cancellable = g_cancellable_new ();
      g_cancellable_cancel (round.cancellable);
      round.interval = gasync_interval_new (interval_action, &round, NULL);
      gasync_interval_set_mode (round.interval, round.on_owner ?
                                GASYNC_INTERVAL_MODE_MAIN_CONTEXT :
                                GASYNC_INTERVAL_MODE_THREAD);
      gasync_interval_set_interval (round.interval, 500);
      g_signal_connect (round.interval, "error", G_CALLBACK (interval_error_cb), &round);
      run_round (&round, interval_done);
      g_atomic_int_set (&round.stopped, 1);
      test_drop_and_wait (round.interval);

      g_assert_cmpint (round.ran_outside_run, ==, 0);
      g_assert_cmpint (round.ran_after_stop, ==, 0);
      g_assert_cmpint (round.failures_reported, ==, round.failing);
      total_operations += round.calls + round.ran;
      g_object_unref (round.cancellable);
    }
}

/* The wait group: 8 threads add to it and mark tasks done, and wait for
 * it (some with a cancelled cancellable) when they hold nothing, while
 * the main thread waits asynchronously on a count that one thread
 * releases at a random moment: every wait returns, every async wait
 * completes once on the owner context, and the count ends at zero. */

#define N_ASYNC_WAITS 8

static void
wait_group_body (Round *round,
                 GRand *rand,
                 guint  index)
{
  guint held = 0;

  for (guint i = 0; i < round->ops_per_thread; i++)
    {
      g_autoptr(GError) error = NULL;

      if (index == round->stopper_thread && i == round->stop_after)
        gasync_wait_group_done (round->wait_group);
      switch (g_rand_int_range (rand, 0, 4))
        {
        case 0:
        case 1:
          gasync_wait_group_add (round->wait_group, 1);
          held++;
          break;
        case 2:
          if (held > 0)
            {
              gasync_wait_group_done (round->wait_group);
              held--;
            }
          break;
        default:
          /* Waiting while holding a count would wait for itself. */
          if (held > 0 || (index == round->stopper_thread && i < round->stop_after))
            break;
          if (g_rand_boolean (rand))
            g_assert_true (gasync_wait_group_wait (round->wait_group, NULL, &error));
          else if (!gasync_wait_group_wait (round->wait_group, round->cancellable, &error))
            g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
          g_atomic_int_inc (&round->ran);
          break;
        }
    }
  if (held > 0)
    gasync_wait_group_add (round->wait_group, -(gint) held);
}

static void
wait_group_waited_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  Round *round = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_thread_self () == round->owner_thread);
  g_assert_true (gasync_wait_group_wait_finish (GASYNC_WAIT_GROUP (source), result, &error));
  g_assert_no_error (error);
  round->callbacks++;
}

static gboolean
wait_group_done (Round *round)
{
  return round->callbacks == N_ASYNC_WAITS;
}

static void
test_stress_wait_group (void)
{
  g_test_summary ("8 threads add to a wait group, mark tasks done and wait for "
                  "it while the main thread waits asynchronously: every wait "
                  "returns, every async wait completes once on the owner "
                  "context, and the count ends at zero");

  for (guint r = 0; r < n_rounds (); r++)
    {
      Round round = { .seed = g_test_rand_int (), .body = wait_group_body };

      round.owner_thread = g_thread_self ();
      round.cancellable = g_cancellable_new ();
      g_cancellable_cancel (round.cancellable);
      round.wait_group = gasync_wait_group_new ();
      gasync_wait_group_add (round.wait_group, 1);
      for (guint i = 0; i < N_ASYNC_WAITS; i++)
        gasync_wait_group_wait_async (round.wait_group, NULL, wait_group_waited_cb, &round);
      run_round (&round, wait_group_done);

      g_assert_cmpint (gasync_wait_group_get_count (round.wait_group), ==, 0);
      g_assert_cmpint (round.callbacks, ==, N_ASYNC_WAITS);
      total_operations += round.ran;
      g_object_unref (round.wait_group);
      g_object_unref (round.cancellable);
    }
}

/* The batch: 8 threads run lists of their own through one batch, some
 * with a cancellable that one thread cancels at a random moment, while
 * every fifth item fails. A run refused because another is going on
 * processes nothing; any other run processes each item at most once, and
 * exactly once unless cancelled; its error is the one failure, or FAILED
 * for several. */

#define MAX_BATCH_ITEMS 8

static gboolean
batch_work (GObject       *object,
            GCancellable  *cancellable,
            gpointer       user_data,
            GError       **error)
{
  TestItem *item = TEST_ITEM (object);

  g_atomic_int_inc (&item->n_processed);
  g_atomic_int_inc (&((Round *) user_data)->ran);
  if (item->index % 5 == 4)
    {
      g_set_error (error, GASYNC_ERROR, GASYNC_ERROR_FAILED, "item %u failed", item->index);
      return FALSE;
    }
  return TRUE;
}

static void
batch_check_run (GPtrArray    *items,
                 gboolean      ok,
                 const GError *error)
{
  guint failing = items->len / 5;
  gboolean cancelled = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  gboolean refused = g_error_matches (error, GASYNC_ERROR, GASYNC_ERROR_ALREADY_STARTED);

  for (guint i = 0; i < items->len; i++)
    {
      int processed = g_atomic_int_get (&TEST_ITEM (items->pdata[i])->n_processed);

      if (refused)
        g_assert_cmpint (processed, ==, 0);
      else if (cancelled)
        g_assert_cmpint (processed, <=, 1);
      else
        g_assert_cmpint (processed, ==, 1);
    }
  if (refused || cancelled)
    return;
  g_assert_true (ok == (failing == 0));
  if (failing == 1)
    g_assert_cmpstr (error->message, ==, "item 4 failed");
  else if (failing > 1)
    g_assert_error ((GError *) error, GASYNC_ERROR, GASYNC_ERROR_FAILED);
}

static void
batch_body (Round *round,
            GRand *rand,
            guint  index)
{
  for (guint i = 0; i < round->ops_per_thread; i++)
    {
      g_autoptr(GPtrArray) items = NULL;
      g_autoptr(GError) error = NULL;
      gboolean ok;

      if (index == round->stopper_thread && i == round->stop_after)
        g_cancellable_cancel (round->cancellable);
      if (g_rand_int_range (rand, 0, 4) != 0)
        {
          g_ptr_array_unref (gasync_batch_dup_errors (round->batch));
          continue;
        }
      items = test_items_new (g_rand_int_range (rand, 1, MAX_BATCH_ITEMS + 1));
      ok = gasync_batch_run (round->batch, items,
                             g_rand_boolean (rand) ? round->cancellable : NULL, &error);
      batch_check_run (items, ok, error);
    }
}

static void
test_stress_batch (void)
{
  g_test_summary ("8 threads run lists through one batch, some cancelled at a "
                  "random moment: refused runs process nothing, the others each "
                  "item at most once (exactly once unless cancelled), and report "
                  "their failures as documented");

  for (guint r = 0; r < n_rounds (); r++)
    {
      Round round = { .seed = g_test_rand_int (), .body = batch_body };

      round.cancellable = g_cancellable_new ();
      round.batch = gasync_batch_new (batch_work, &round, NULL);
      gasync_batch_set_parallelism (round.batch, g_test_rand_int_range (1, 5));
      run_round (&round, no_pending_work);

      total_operations += round.ran;
      g_object_unref (round.batch);
      g_object_unref (round.cancellable);
    }
}

static void
report (void)
{
  g_test_message ("stress: %u rounds per class, %" G_GUINT64_FORMAT
                  " operations in all", n_rounds (), total_operations);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/stress/stopper", test_stress_stopper);
  g_test_add_func ("/stress/work-queue", test_stress_work_queue);
  g_test_add_func ("/stress/tasks-mutex", test_stress_tasks_mutex);
  g_test_add_func ("/stress/event-loop", test_stress_event_loop);
  g_test_add_func ("/stress/worker", test_stress_worker);
  g_test_add_func ("/stress/futures", test_stress_futures);
  g_test_add_func ("/stress/runners", test_stress_runners);
  g_test_add_func ("/stress/interval", test_stress_interval);
  g_test_add_func ("/stress/wait-group", test_stress_wait_group);
  g_test_add_func ("/stress/batch", test_stress_batch);

  status = g_test_run ();
  report ();
  return status;
}

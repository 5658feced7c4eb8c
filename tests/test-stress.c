/* test-stress.c: randomized mixes of work, cancellation and shutdown
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 *
 * Each scenario runs rounds, each from one seed, in which 8 threads throw
 * a random mix of calls at one object while one of them, at a random
 * moment, shuts it down or cancels what is waiting. After each round the
 * promises are checked, per task or item where the object takes them one
 * by one: every accepted task or item ran exactly once or was handed back
 * or refused with an error, nothing ran after the shutdown finished, every
 * destroy notify ran exactly once, the counts add up, and the shutdown
 * finished within its bounded deadline. Valgrind, ASan and TSan runs of
 * this file add "all memory freed" and "no data race".
 *
 * Modes:
 *   test-stress                 25 rounds of each scenario (4 under
 *                               valgrind), seeds from GTest's --seed
 *   test-stress --soak [SECS]   scenarios in random order, with random
 *                               seeds, until SECS (or $GASYNC_SOAK_SECONDS,
 *                               or 60) seconds passed; --soak-seed N (or
 *                               $GASYNC_SOAK_SEED) repeats a soak's order
 *   test-stress --round NAME:SEED   one round, to replay a failure
 *
 * A round that fails prints its scenario and seed on stderr.
 */

#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gasync.h>

#include "gasync-owner-private.h"
#include "gasync-pool-private.h"
#include "gasync-test-util.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#include <sanitizer/common_interface_defs.h>
#define HAVE_SANITIZER_DEATH_CALLBACK 1
#endif

#define N_THREADS 8
#define MAX_GROUPS 4
#define MAX_GROUP_RUNNERS 6

static guint
n_rounds (void)
{
  /* Under valgrind (the timeout multiplier is set) fewer rounds. */
  return gasync_test_is_slow () ? 4 : 25;
}

/* The current round's random numbers, for its setup on the main thread
 * (the threads have their own, from the round's seed). */
static GRand *round_rand;

static gint32
rand_range (gint32 begin,
            gint32 end)
{
  return g_rand_int_range (round_rand, begin, end);
}

static gboolean
rand_bit (void)
{
  return g_rand_boolean (round_rand);
}

static guint32
rand_u32 (void)
{
  return g_rand_int (round_rand);
}

typedef struct _Round Round;
typedef void (*ThreadBody) (Round *round, GRand *rand, guint index);

/* One task or item a thread handed to the object under test, to check
 * "exactly once" one by one rather than by totals that could make up for
 * each other. */
typedef struct
{
  Round *round;
  gint submitted;  /* handed over */
  gint accepted;   /* the call said it took it */
  gint ran;        /* its function ran */
  gint freed;      /* its destroy notify or item free function ran */
  gint handed_back; /* returned as discarded */
} Record;

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
  guint cancel_thread;   /* which thread cancels round.cancellable, and when */
  guint cancel_after;
  ThreadBody body;
  gint threads_done;
  Record *records;       /* ops_per_thread for each thread */

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
  gboolean drain;         /* stop (process what is queued) rather than close */
  GThread *owner_thread;
  GPtrArray *items[N_THREADS];

  /* Counters, updated atomically. */
  gint accepted;
  gint refused;
  gint discarded;
  gint ran;
  gint destroyed;
  gint user_data_destroyed;
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
  gint failing_silently;  /* FALSE without an error: failed, or cancelled */
  gint failures_reported;
  gint ran_outside_run;
  gint calls;
  gint calls_done;
  gint callbacks;       /* on the owner thread */
  gint tokens_pending;  /* owner thread */
  gint holders;
  gint max_holders;
};

static guint64 total_operations;

static Record *
round_record (Round *round,
              guint  index,
              guint  i)
{
  return &round->records[index * round->ops_per_thread + i];
}

static guint
round_n_records (Round *round)
{
  return N_THREADS * round->ops_per_thread;
}

static void
round_clear (Round *round)
{
  g_clear_pointer (&round->records, g_free);
  for (guint i = 0; i < N_THREADS; i++)
    g_clear_pointer (&round->items[i], g_ptr_array_unref);
}

/* A destroy notify for the user data of the object under test. */
static void
round_user_data_destroy (gpointer data)
{
  Round *round = data;

  g_atomic_int_inc (&round->user_data_destroyed);
}

/* Iterates the main context until *@counter reaches @value, then checks
 * that it is exactly @value. */
static void
iterate_until_count (const gint *counter,
                     gint        value)
{
  gasync_test_iterate_until_count (NULL, counter, value);
  gasync_test_flush (NULL);
  g_assert_cmpint (g_atomic_int_get (counter), ==, value);
}

/* Drops the last reference to @object: its user data's destroy notify
 * must run exactly once. */
static void
round_drop_object (Round    *round,
                   gpointer  object)
{
  g_object_unref (object);
  iterate_until_count (&round->user_data_destroyed, 1);
}

/* A call that refused a task or item must say why. */
static void
assert_refused (const GError *error)
{
  g_assert_nonnull (error);
  if (error->domain != GASYNC_ERROR)
    g_assert_error ((GError *) error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* Every record the queue or worker accepted was freed exactly once and
 * processed at most once; refused ones were neither. Returns how many
 * accepted ones were not processed (so discarded). */
static guint
records_check_items (Round *round)
{
  guint unprocessed = 0;

  for (guint r = 0; r < round_n_records (round); r++)
    {
      Record *record = &round->records[r];

      if (!g_atomic_int_get (&record->accepted))
        {
          g_assert_cmpint (g_atomic_int_get (&record->ran), ==, 0);
          g_assert_cmpint (g_atomic_int_get (&record->freed), ==, 0);
          continue;
        }
      g_assert_cmpint (g_atomic_int_get (&record->freed), ==, 1);
      g_assert_cmpint (g_atomic_int_get (&record->ran), <=, 1);
      unprocessed += g_atomic_int_get (&record->ran) == 0;
    }
  return unprocessed;
}

/* Every task handed over ran once if it was accepted, never if not, and
 * its destroy notify ran exactly once either way. */
static void
records_check_tasks (Round *round)
{
  for (guint r = 0; r < round_n_records (round); r++)
    {
      Record *record = &round->records[r];

      g_assert_cmpint (g_atomic_int_get (&record->freed), ==,
                       g_atomic_int_get (&record->submitted));
      g_assert_cmpint (g_atomic_int_get (&record->ran), ==,
                       g_atomic_int_get (&record->accepted));
    }
}

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

typedef struct
{
  Round *round;
  gboolean (*done) (Round *round);
} RoundDone;

static gboolean
round_is_done (gpointer data)
{
  RoundDone *d = data;

  return g_atomic_int_get (&d->round->threads_done) >= N_THREADS && d->done (d->round);
}

/* Runs round->body on N_THREADS threads while this thread iterates the
 * owner context (signals, closers and destroy notifies run there), with a
 * bounded deadline, then until @done says everything was delivered. */
static void
run_round (Round    *round,
           gboolean (*done) (Round *round))
{
  GThread *threads[N_THREADS];
  RoundDone round_done = { round, done };

  round->ops_per_thread = 50 + rand_range (0, 150);
  round->stopper_thread = rand_range (0, N_THREADS);
  round->stop_after = rand_range (0, round->ops_per_thread);
  round->cancel_thread = rand_range (0, N_THREADS);
  round->cancel_after = rand_range (0, round->ops_per_thread);
  round->records = g_new0 (Record, round_n_records (round));
  for (guint r = 0; r < round_n_records (round); r++)
    round->records[r].round = round;
  for (guint i = 0; i < N_THREADS; i++)
    {
      gpointer *data = g_new (gpointer, 2);

      data[0] = round;
      data[1] = GUINT_TO_POINTER (i);
      threads[i] = g_thread_new ("stress", thread_main, data);
    }
  gasync_test_iterate_until (NULL, round_is_done, &round_done, 60);
  g_assert_cmpint (g_atomic_int_get (&round->threads_done), ==, N_THREADS);
  g_assert_true (done (round));
  for (guint i = 0; i < N_THREADS; i++)
    g_thread_join (threads[i]);
  gasync_test_flush (NULL);
  total_operations += (guint64) N_THREADS * round->ops_per_thread;
}

/* Whether thread @index cancels round->cancellable at its op @i. */
static gboolean
round_cancels_at (Round *round,
                  guint  index,
                  guint  i)
{
  return index == round->cancel_thread && i == round->cancel_after;
}

static gboolean
round_stops_at (Round *round,
                guint  index,
                guint  i)
{
  return index == round->stopper_thread && i == round->stop_after;
}

/* A task that fails now and then: half of them, with an error or
 * without. */
static gboolean
task_body (Round   *round,
           GError **error)
{
  if (g_atomic_int_get (&round->stopped))
    g_atomic_int_inc (&round->ran_after_stop);
  switch (g_atomic_int_add (&round->ran, 1) % 4)
    {
    case 0:
      g_atomic_int_inc (&round->failing);
      g_set_error_literal (error, GASYNC_ERROR, GASYNC_ERROR_FAILED, "planned failure");
      return FALSE;
    case 1:
      /* FALSE without an error: reported as FAILED, unless the task's
       * cancellable fired by the time it returned (cancelled then). */
      g_atomic_int_inc (&round->failing_silently);
      return FALSE;
    default:
      return TRUE;
    }
}

/* The task functions and destroy notifies of the records. */

static gboolean
record_task (GCancellable  *cancellable,
             gpointer       user_data,
             GError       **error)
{
  Record *record = user_data;

  g_atomic_int_inc (&record->ran);
  return task_body (record->round, error);
}

static void
record_destroy (gpointer user_data)
{
  Record *record = user_data;

  g_atomic_int_inc (&record->freed);
  g_atomic_int_inc (&record->round->destroyed);
}

/* The stopper: tasks of every kind, tokens and closers from 8 threads;
 * limited tasks wait with a cancellable that one thread fires; one thread
 * stops the stopper at a random moment. */

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

/* Every task that failed with an error was reported; one that returned
 * FALSE without an error, unless it was cancelled by then. */
static void
assert_failures_reported (Round *round)
{
  g_assert_cmpint (round->failures_reported, >=,
                   g_atomic_int_get (&round->failing));
  g_assert_cmpint (round->failures_reported, <=,
                   g_atomic_int_get (&round->failing) +
                   g_atomic_int_get (&round->failing_silently));
}

static void
stopper_closer (gpointer user_data)
{
  Round *round = user_data;

  /* Every task has returned: its destroy notify and its failure report
   * came before the closers. */
  g_assert_cmpint (g_atomic_int_get (&round->destroyed), >=, g_atomic_int_get (&round->ran));
  assert_failures_reported (round);
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
      Record *record = round_record (round, index, i);
      GCancellable *cancellable;
      gboolean wait;
      gboolean ok;

      if (round_cancels_at (round, index, i))
        g_cancellable_cancel (round->cancellable);
      if (round_stops_at (round, index, i))
        {
          gasync_stopper_stop (round->stopper);
          g_atomic_int_set (&round->stopped, 1);
          continue;
        }
      switch (g_rand_int_range (rand, 0, 5))
        {
        case 0:
          g_atomic_int_set (&record->submitted, 1);
          ok = gasync_stopper_run_async_task (round->stopper, "async",
                                              record_task, record,
                                              record_destroy, &error);
          g_atomic_int_set (&record->accepted, ok);
          count (round, ok);
          if (!ok)
            assert_refused (error);
          break;
        case 1:
          g_atomic_int_set (&record->submitted, 1);
          wait = g_rand_boolean (rand);
          cancellable = g_rand_boolean (rand) ? round->cancellable : NULL;
          ok = gasync_stopper_run_limited_async_task (round->stopper, "limited",
                                                      round->semaphore, wait,
                                                      cancellable, record_task,
                                                      record, record_destroy,
                                                      &error);
          g_atomic_int_set (&record->accepted, ok);
          count (round, ok);
          if (!ok)
            assert_refused (error);
          break;
        case 2:
          {
            GasyncTaskToken *token = gasync_stopper_begin_task (round->stopper, "token", &error);

            if (token != NULL)
              {
                gasync_task_token_end (token);
                g_object_unref (token);
              }
            else
              assert_refused (error);
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
         round->failures_reported >= g_atomic_int_get (&round->failing);
}

static void
stress_stopper (void)
{
  Round round = { .seed = rand_u32 (), .body = stopper_body };

  round.stopper = gasync_stopper_new ();
  g_signal_connect (round.stopper, "task-failed", G_CALLBACK (stopper_task_failed), &round);
  round.semaphore = gasync_semaphore_new (rand_range (1, 5));
  round.cancellable = g_cancellable_new ();
  run_round (&round, stopper_done);

  g_assert_true (gasync_stopper_is_stopped (round.stopper));
  g_assert_cmpuint (gasync_stopper_get_n_tasks (round.stopper), ==, 0);
  g_assert_cmpint (round.ran, ==, round.accepted);
  g_assert_cmpint (round.ran_after_stop, ==, 0);
  g_assert_cmpint (round.destroyed, ==, round.accepted + round.refused);
  records_check_tasks (&round);
  g_assert_cmpint (round.closers_run, ==, round.closers_added);
  assert_failures_reported (&round);
  g_assert_cmpint (gasync_semaphore_get_n_available (round.semaphore), ==,
                   gasync_semaphore_get_capacity (round.semaphore));
  g_object_unref (round.cancellable);
  g_object_unref (round.semaphore);
  g_object_unref (round.stopper);
  round_clear (&round);
}

/* The work queue, threaded: 8 producers, blocking and not, some with a
 * cancellable that fires; one thread closes the queue at a random
 * moment. The items are the records. */

static gboolean
queue_work (gpointer       item,
            GCancellable  *cancellable,
            gpointer       user_data,
            GError       **error)
{
  Record *record = item;

  g_atomic_int_inc (&record->ran);
  g_atomic_int_inc (&record->round->items_processed);
  return TRUE;
}

static void
queue_item_free (gpointer item)
{
  Record *record = item;

  g_atomic_int_inc (&record->freed);
  g_atomic_int_inc (&record->round->items_freed);
}

static void
queue_body (Round *round,
            GRand *rand,
            guint  index)
{
  for (guint i = 0; i < round->ops_per_thread; i++)
    {
      g_autoptr(GError) error = NULL;
      Record *record = round_record (round, index, i);
      gboolean ok;

      if (round_stops_at (round, index, i))
        {
          guint discarded = gasync_work_queue_close (round->queue, NULL, NULL);

          g_atomic_int_add (&round->discarded, discarded);
          g_atomic_int_set (&round->stopped, 1);
          continue;
        }
      g_atomic_int_set (&record->submitted, 1);
      if (g_rand_boolean (rand))
        ok = gasync_work_queue_try_enqueue_pointer (round->queue, record, &error);
      else
        {
          if (g_rand_int_range (rand, 0, 8) == 0)
            g_cancellable_cancel (round->cancellable);
          ok = gasync_work_queue_enqueue_pointer (round->queue, record,
                                                  round->cancellable, &error);
        }
      g_atomic_int_set (&record->accepted, ok);
      if (ok)
        g_atomic_int_inc (&round->items_accepted);
      else
        assert_refused (error);
    }
}

static gboolean
queue_done (Round *round)
{
  return g_atomic_int_get (&round->stopped);
}

static void
stress_work_queue (void)
{
  Round round = { .seed = rand_u32 (), .body = queue_body };

  round.cancellable = g_cancellable_new ();
  round.queue = gasync_work_queue_new_for_pointers (queue_work, &round,
                                                    round_user_data_destroy,
                                                    queue_item_free);
  gasync_work_queue_set_parallelism (round.queue, rand_range (1, 5));
  gasync_work_queue_set_max_work (round.queue, rand_range (1, 65));
  gasync_work_queue_set_shutdown_grace_period (round.queue,
      rand_bit () ? 0 : 10 * G_TIME_SPAN_MILLISECOND);
  g_assert_true (gasync_work_queue_start (round.queue, NULL));
  run_round (&round, queue_done);
  round_drop_object (&round, round.queue);

  g_assert_cmpint (round.items_processed + round.discarded, ==, round.items_accepted);
  g_assert_cmpint (round.items_freed, ==, round.items_accepted);
  g_assert_cmpuint (records_check_items (&round), ==, round.discarded);
  g_object_unref (round.cancellable);
  round_clear (&round);
}

/* The work queue, main-context form: 8 producers queue items (blocking
 * and not, some with a cancellable that fires) whose begin function, on
 * the owner context, fails, ends the work at once or a few milliseconds
 * later; one thread closes the queue at a random moment, blocking or
 * through the owner context, and gets the discarded items back. Each
 * accepted item began once or came back, never both. */

typedef struct
{
  Round *round;
  GasyncTaskToken *token;
} PendingEnd;

static gboolean
queue_end_token_cb (gpointer data)
{
  PendingEnd *end = data;

  gasync_task_token_end (end->token);
  g_object_unref (end->token);
  end->round->tokens_pending--;
  g_free (end);
  return G_SOURCE_REMOVE;
}

static gboolean
queue_begin (GObject          *item,
             GasyncTaskToken  *token,
             GCancellable     *cancellable,
             gpointer          user_data,
             GError          **error)
{
  Round *round = user_data;
  guint index = TEST_ITEM (item)->index;
  PendingEnd *end;

  g_assert_true (g_thread_self () == round->owner_thread);
  g_atomic_int_inc (&round->records[index].ran);
  g_atomic_int_inc (&round->items_processed);
  switch (index % 4)
    {
    case 0:
      round->failing++;
      g_set_error_literal (error, GASYNC_ERROR, GASYNC_ERROR_FAILED, "planned failure");
      return FALSE;
    case 1:
      gasync_task_token_end (token);
      return TRUE;
    default:
      end = g_new (PendingEnd, 1);
      end->round = round;
      end->token = g_object_ref (token);
      round->tokens_pending++;
      /* Mostly on the next iteration; now and then a millisecond later. */
      g_timeout_add (index % 16 == 3 ? 1 : 0, queue_end_token_cb, end);
      return TRUE;
    }
}

static void
queue_error_cb (GasyncWorkQueue *queue,
                GObject         *item,
                const GError    *error,
                gpointer         user_data)
{
  Round *round = user_data;

  g_assert_true (g_thread_self () == round->owner_thread);
  g_assert_error ((GError *) error, GASYNC_ERROR, GASYNC_ERROR_FAILED);
  g_assert_cmpuint (TEST_ITEM (item)->index % 4, ==, 0);
  round->failures_reported++;
}

static void
queue_hand_back (Round     *round,
                 GPtrArray *discarded,
                 guint      n)
{
  g_assert_nonnull (discarded);
  g_assert_cmpuint (discarded->len, ==, n);
  for (guint i = 0; i < discarded->len; i++)
    g_atomic_int_inc (&round->records[TEST_ITEM (discarded->pdata[i])->index].handed_back);
  g_ptr_array_unref (discarded);
  g_atomic_int_add (&round->discarded, n);
  g_atomic_int_set (&round->stopped, 1);
}

static void
queue_closed_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Round *round = user_data;
  GPtrArray *discarded = NULL;
  g_autoptr(GError) error = NULL;
  guint n;

  g_assert_true (g_thread_self () == round->owner_thread);
  n = gasync_work_queue_close_finish (GASYNC_WORK_QUEUE (source), result, &discarded, &error);
  g_assert_no_error (error);
  queue_hand_back (round, discarded, n);
}

static void
queue_close_on_owner_cb (gpointer data)
{
  Round *round = data;

  gasync_work_queue_close_async (round->queue, NULL, queue_closed_cb, round);
}

static void
queue_objects_body (Round *round,
                    GRand *rand,
                    guint  index)
{
  round->items[index] = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < round->ops_per_thread; i++)
    {
      g_autoptr(GError) error = NULL;
      Record *record = round_record (round, index, i);
      TestItem *item;
      gboolean ok;

      if (round_cancels_at (round, index, i))
        g_cancellable_cancel (round->cancellable);
      if (round_stops_at (round, index, i))
        {
          if (round->on_owner)
            gasync_owner_invoke (g_main_context_default (), GASYNC_OWNER_QUEUE,
                                 queue_close_on_owner_cb, round, NULL);
          else
            {
              GPtrArray *discarded = NULL;
              guint n = gasync_work_queue_close (round->queue, NULL, &discarded);

              queue_hand_back (round, discarded, n);
            }
          continue;
        }
      item = g_object_new (TEST_TYPE_ITEM, NULL);
      item->index = record - round->records;
      g_ptr_array_add (round->items[index], item);
      g_atomic_int_set (&record->submitted, 1);
      if (g_rand_boolean (rand))
        ok = gasync_work_queue_try_enqueue (round->queue, G_OBJECT (item), &error);
      else
        ok = gasync_work_queue_enqueue (round->queue, G_OBJECT (item),
                                        g_rand_boolean (rand) ? round->cancellable : NULL,
                                        &error);
      g_atomic_int_set (&record->accepted, ok);
      if (ok)
        g_atomic_int_inc (&round->items_accepted);
      else
        assert_refused (error);
    }
}

static gboolean
queue_objects_done (Round *round)
{
  return g_atomic_int_get (&round->stopped) &&
         round->tokens_pending == 0 &&
         round->failures_reported == round->failing;
}

static void
stress_work_queue_main_context (void)
{
  Round round = { .seed = rand_u32 (), .body = queue_objects_body };

  round.owner_thread = g_thread_self ();
  round.on_owner = rand_bit ();
  round.cancellable = g_cancellable_new ();
  round.queue = gasync_work_queue_new_for_main_context (queue_begin, &round,
                                                        round_user_data_destroy);
  g_signal_connect (round.queue, "error", G_CALLBACK (queue_error_cb), &round);
  gasync_work_queue_set_parallelism (round.queue, rand_range (1, 5));
  gasync_work_queue_set_max_work (round.queue, rand_range (1, 65));
  gasync_work_queue_set_shutdown_grace_period (round.queue,
      rand_bit () ? 0 : 10 * G_TIME_SPAN_MILLISECOND);
  g_assert_true (gasync_work_queue_start (round.queue, NULL));
  run_round (&round, queue_objects_done);
  round_drop_object (&round, round.queue);

  g_assert_cmpint (round.items_processed + round.discarded, ==, round.items_accepted);
  g_assert_cmpint (round.failures_reported, ==, round.failing);
  for (guint r = 0; r < round_n_records (&round); r++)
    {
      Record *record = &round.records[r];

      if (record->accepted)
        g_assert_cmpint (record->ran + record->handed_back, ==, 1);
      else
        g_assert_cmpint (record->ran + record->handed_back, ==, 0);
    }
  /* The queue let go of every item. */
  for (guint t = 0; t < N_THREADS; t++)
    for (guint i = 0; i < round.items[t]->len; i++)
      g_assert_cmpuint (G_OBJECT (round.items[t]->pdata[i])->ref_count, ==, 1);
  g_object_unref (round.cancellable);
  round_clear (&round);
}

/* Tasks and the mutex: tasks from 8 threads take a GasyncMutex, some with
 * a cancellable that fires while they wait; the counter it protects equals
 * the number of locks taken, and the mutex ends unlocked. */

static gboolean
mutex_task (GCancellable  *cancellable,
            gpointer       user_data,
            GError       **error)
{
  Record *record = user_data;
  Round *round = record->round;

  g_atomic_int_inc (&record->ran);
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
      Record *record = round_record (round, index, i);

      if (round_stops_at (round, index, i))
        g_cancellable_cancel (round->cancellable);
      g_atomic_int_set (&record->submitted, 1);
      g_atomic_int_set (&record->accepted, 1);
      gasync_tasks_run (round->tasks, "lock", NULL, mutex_task, record, record_destroy);
      g_atomic_int_inc (&round->accepted);
    }
}

static gboolean
no_pending_work (Round *round)
{
  return TRUE;
}

static void
stress_tasks_mutex (void)
{
  Round round = { .seed = rand_u32 (), .body = mutex_body };
  g_autoptr(GPtrArray) errors = NULL;
  g_autoptr(GError) error = NULL;

  round.mutex = gasync_mutex_new ();
  round.tasks = gasync_tasks_new ("stress");
  round.cancellable = g_cancellable_new ();
  run_round (&round, no_pending_work);
  gasync_tasks_wait (round.tasks, NULL, &error);
  iterate_until_count (&round.destroyed, round.accepted);

  errors = gasync_tasks_dup_errors (round.tasks);
  g_assert_cmpint (round.protected_counter, ==, round.locks);
  /* Cancelled tasks are not kept as errors (they were told to stop). */
  g_assert_cmpuint (errors->len, ==, 0);
  g_assert_cmpint (round.locks + round.failing, ==, round.accepted);
  records_check_tasks (&round);
  g_assert_true (gasync_mutex_try_lock (round.mutex));
  gasync_mutex_unlock (round.mutex);
  g_object_unref (round.cancellable);
  g_object_unref (round.tasks);
  g_object_unref (round.mutex);
  round_clear (&round);
}

/* The event loop: reservations made on the loop thread are enqueued or
 * cancelled from 8 threads; every enqueued callback runs once, on the loop
 * thread, and start() returns only when all were settled. In half the
 * rounds one callback fails at a random moment: start() returns with its
 * error and runs nothing more; the callbacks queued then are dropped, and
 * wait_on_registered() runs the ones enqueued later (surely those
 * enqueued once start() returned). Every destroy notify runs once. */

typedef enum
{
  LOOP_RUNNING,
  LOOP_FAILED,    /* a callback failed; start() has not returned yet */
  LOOP_RETURNED,  /* start() returned; wait_on_registered() runs */
} LoopPhase;

#define MAX_RESERVATIONS 64

typedef struct _LoopRound LoopRound;

typedef struct
{
  LoopRound *round;
  gint enqueued;
  gint late;     /* enqueued after start() returned with an error */
  gint ran;
  gint freed;
} LoopRecord;

struct _LoopRound
{
  GasyncPendingCallback *reservations[N_THREADS][MAX_RESERVATIONS];
  LoopRecord records[N_THREADS][MAX_RESERVATIONS];
  guint n;
  gint enqueued;
  gint cancelled;
  gint ran;
  gint failing_index;   /* the callback that fails, as an index into
                         * records, or -1 */
  gint phase;           /* LoopPhase */
  gint ran_after_failure;
  GThread *loop_thread;
  GThread *threads[N_THREADS];
  guint32 seed;
};

static gboolean
loop_callback (gpointer   user_data,
               GError   **error)
{
  LoopRecord *record = user_data;
  LoopRound *round = record->round;

  g_assert_true (g_thread_self () == round->loop_thread);
  g_atomic_int_inc (&record->ran);
  round->ran++;
  if (g_atomic_int_get (&round->phase) == LOOP_FAILED)
    round->ran_after_failure++;
  if ((gint) (record - &round->records[0][0]) == round->failing_index)
    {
      g_atomic_int_set (&round->phase, LOOP_FAILED);
      g_set_error_literal (error, GASYNC_ERROR, GASYNC_ERROR_FAILED, "planned failure");
      return FALSE;
    }
  return TRUE;
}

static void
loop_record_free (gpointer user_data)
{
  LoopRecord *record = user_data;

  g_assert_true (g_thread_self () == record->round->loop_thread);
  g_atomic_int_inc (&record->freed);
}

static gpointer
loop_thread_main (gpointer data)
{
  LoopRound *round = ((gpointer *) data)[0];
  guint index = GPOINTER_TO_UINT (((gpointer *) data)[1]);
  GRand *rand = g_rand_new_with_seed (round->seed + index);

  for (guint i = 0; i < round->n; i++)
    {
      LoopRecord *record = &round->records[index][i];

      if (g_rand_int_range (rand, 0, 4) == 0)
        {
          gasync_pending_callback_cancel (round->reservations[index][i]);
          g_atomic_int_inc (&round->cancelled);
        }
      else
        {
          g_atomic_int_set (&record->enqueued, 1);
          g_atomic_int_set (&record->late,
                            g_atomic_int_get (&round->phase) == LOOP_RETURNED);
          gasync_pending_callback_enqueue (round->reservations[index][i],
                                           loop_callback, record, loop_record_free);
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
      {
        round->records[t][i].round = round;
        round->reservations[t][i] = gasync_event_loop_reserve_callback (loop);
      }
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
stress_event_loop (void)
{
  LoopRound *round = g_new0 (LoopRound, 1);
  GasyncEventLoop *loop = gasync_event_loop_new (NULL);
  gpointer data[2] = { round, loop };
  g_autoptr(GError) error = NULL;
  gboolean ok;
  gboolean failed;

  round->n = rand_range (1, MAX_RESERVATIONS + 1);
  round->seed = rand_u32 ();
  round->failing_index = -1;
  if (rand_bit ())
    round->failing_index = rand_range (0, N_THREADS) * MAX_RESERVATIONS +
                           rand_range (0, round->n);
  round->loop_thread = g_thread_self ();
  ok = gasync_event_loop_start (loop, loop_first, data, &error);
  failed = g_atomic_int_get (&round->phase) == LOOP_FAILED;
  if (failed)
    {
      g_assert_false (ok);
      g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_FAILED);
      g_atomic_int_set (&round->phase, LOOP_RETURNED);
      gasync_event_loop_wait_on_registered (loop);
    }
  else
    {
      g_assert_true (ok);
      g_assert_no_error (error);
    }
  for (guint t = 0; t < N_THREADS; t++)
    g_thread_join (round->threads[t]);
  g_object_unref (loop);

  g_assert_cmpint (round->ran_after_failure, ==, 0);
  g_assert_cmpint (round->enqueued + round->cancelled, ==, N_THREADS * round->n);
  if (!failed)
    g_assert_cmpint (round->ran, ==, round->enqueued);
  for (guint t = 0; t < N_THREADS; t++)
    for (guint i = 0; i < round->n; i++)
      {
        LoopRecord *record = &round->records[t][i];

        g_assert_cmpint (record->freed, ==, record->enqueued);
        if (!failed || record->late)
          g_assert_cmpint (record->ran, ==, record->enqueued);
        else
          g_assert_cmpint (record->ran, <=, record->enqueued);
      }
  total_operations += N_THREADS * round->n;
  g_free (round);
}

/* The worker, threaded or in its main-context form: 8 producers queue
 * items while one thread closes it (or stops it, draining the queue) at a
 * random moment; every accepted item is processed or discarded, and its
 * finalizer runs once, on the owner context. The items are the records. */

static gboolean
worker_work (gpointer       item,
             GCancellable  *cancellable,
             gpointer       user_data,
             GError       **error)
{
  Record *record = item;
  Round *round = user_data;

  g_assert_true (record->round == round);
  if (round->on_owner)
    g_assert_true (g_thread_self () == round->owner_thread);
  g_atomic_int_inc (&record->ran);
  g_atomic_int_inc (&round->items_processed);
  return TRUE;
}

static void
worker_item_free (gpointer item)
{
  Record *record = item;

  g_assert_true (g_thread_self () == record->round->owner_thread);
  g_atomic_int_inc (&record->freed);
  g_atomic_int_inc (&record->round->items_freed);
}

static void
worker_shut_down (Round *round)
{
  if (round->drain)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (gasync_worker_stop (round->worker, NULL, &error));
      g_assert_no_error (error);
    }
  else
    g_atomic_int_add (&round->discarded, gasync_worker_close (round->worker));
  g_atomic_int_set (&round->stopped, 1);
}

static void
worker_shut_down_cb (gpointer data)
{
  worker_shut_down (data);
}

static void
worker_body (Round *round,
             GRand *rand,
             guint  index)
{
  for (guint i = 0; i < round->ops_per_thread; i++)
    {
      Record *record = round_record (round, index, i);
      gboolean ok;

      if (round_stops_at (round, index, i))
        {
          /* A main-context worker is stopped on its owner context. */
          if (round->on_owner)
            gasync_owner_invoke (g_main_context_default (), GASYNC_OWNER_QUEUE,
                                 worker_shut_down_cb, round, NULL);
          else
            worker_shut_down (round);
          continue;
        }
      g_atomic_int_set (&record->submitted, 1);
      ok = gasync_worker_enqueue_pointer (round->worker, record, worker_item_free);
      g_atomic_int_set (&record->accepted, ok);
      if (ok)
        g_atomic_int_inc (&round->items_accepted);
    }
}

static gboolean
worker_done (Round *round)
{
  return g_atomic_int_get (&round->stopped) &&
         g_atomic_int_get (&round->items_freed) == g_atomic_int_get (&round->items_accepted);
}

static void
stress_worker (void)
{
  Round round = { .seed = rand_u32 (), .body = worker_body };

  round.owner_thread = g_thread_self ();
  round.on_owner = rand_bit ();
  round.drain = rand_bit ();
  if (round.on_owner)
    round.worker = gasync_worker_new_for_main_context (worker_work, &round,
                                                       round_user_data_destroy);
  else
    round.worker = gasync_worker_new (worker_work, &round, round_user_data_destroy);
  g_assert_true (gasync_worker_start (round.worker, NULL));
  run_round (&round, worker_done);
  round_drop_object (&round, round.worker);

  g_assert_cmpint (round.items_processed + round.discarded, ==, round.items_accepted);
  g_assert_cmpint (round.items_freed, ==, round.items_accepted);
  g_assert_cmpuint (records_check_items (&round), ==, round.discarded);
  if (round.drain)
    g_assert_cmpint (round.discarded, ==, 0);
  round_clear (&round);
}

/* Futures: 8 threads race to settle the same futures, resolving or
 * rejecting; exactly one wins each, every done callback runs once, on
 * the main thread, and its destroy notify once. */

#define N_FUTURES 64

typedef struct _FutureRound FutureRound;

typedef struct
{
  FutureRound *round;
  gint ran;
  gint freed;
} FutureRecord;

struct _FutureRound
{
  GasyncFuture *futures[N_FUTURES];
  FutureRecord records[N_FUTURES];
  gint wins;
  gint callbacks;
  gint freed;
  guint32 seed;
  GThread *main_thread;
};

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
  FutureRecord *record = data;

  g_assert_true (g_thread_self () == record->round->main_thread);
  g_assert_true (gasync_future_is_done (future));
  g_atomic_int_inc (&record->ran);
  record->round->callbacks++;
}

static void
future_record_free (gpointer data)
{
  FutureRecord *record = data;

  g_atomic_int_inc (&record->freed);
  g_atomic_int_inc (&record->round->freed);
}

static void
stress_futures (void)
{
  FutureRound round = { .seed = rand_u32 (), .main_thread = g_thread_self () };
  GThread *threads[N_THREADS];
  gboolean settled[N_FUTURES];
  guint n_settled = 0;

  for (guint i = 0; i < N_FUTURES; i++)
    {
      round.records[i].round = &round;
      round.futures[i] = gasync_future_new ();
      gasync_future_add_done_callback (round.futures[i], future_done,
                                       &round.records[i], future_record_free);
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
    {
      settled[i] = gasync_future_is_done (round.futures[i]);
      n_settled += settled[i];
    }
  gasync_test_iterate_until_count (NULL, &round.callbacks, n_settled);

  g_assert_cmpint (round.wins, ==, (gint) n_settled);
  g_assert_cmpint (round.callbacks, ==, (gint) n_settled);
  for (guint i = 0; i < N_FUTURES; i++)
    g_object_unref (round.futures[i]);
  iterate_until_count (&round.freed, N_FUTURES);
  for (guint i = 0; i < N_FUTURES; i++)
    {
      g_assert_cmpint (round.records[i].ran, ==, settled[i]);
      g_assert_cmpint (round.records[i].freed, ==, 1);
    }
  total_operations += N_THREADS * N_FUTURES;
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

  slot->kind = rand_range (0, N_KINDS);
  slot->svc = test_service_new ();
  slot->svc->ignore_stop = slot->kind == KIND_IGNORE;
  if (slot->kind == KIND_FAIL && rand_bit ())
    slot->svc->fail_silently = TRUE; /* FAILED, or CANCELLED if interrupted */
  else if (slot->kind == KIND_FAIL)
    slot->svc->error = g_error_new_literal (GASYNC_ERROR, GASYNC_ERROR_FAILED,
                                            "planned failure");
  if (slot->kind == KIND_IGNORE)
    timeout = group_times_out ? 50 * G_TIME_SPAN_MILLISECOND
                              : rand_range (1, 21) * G_TIME_SPAN_MILLISECOND;
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
  group->n_runners = rand_range (1, MAX_GROUP_RUNNERS + 1);
  group->times_out = rand_range (0, 4) == 0;
  group->timeout = group->times_out ? rand_range (1, 11) * G_TIME_SPAN_MILLISECOND
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
      else if (slot->kind == KIND_FAIL && slot->svc->fail_silently &&
               g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        ; /* FALSE without an error once interrupted: a cancellation */
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
  g_assert_cmpuint (svc->destroyed, ==, 1);
}

static void
stress_runners (void)
{
  Round round = { .seed = rand_u32 (), .body = runners_body };
  guint n_runners = 0;

  round.n_groups = rand_range (1, MAX_GROUPS + 1);
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
      gasync_test_unref_and_wait (round.groups[g].group);
      g_ptr_array_unref (round.groups[g].results);
      g_object_unref (round.groups[g].cancellable);
    }
  for (guint i = 0; i < n_runners; i++)
    {
      test_service_release (round.runners[i].svc);
      gasync_test_unref_and_wait (round.runners[i].runner);
      runner_slot_check (&round.runners[i]);
      test_service_free (round.runners[i].svc);
    }
  total_operations += n_runners;
  g_free (round.groups);
  g_free (round.runners);
  round_clear (&round);
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
  ok = task_body (round, error);
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

/* The calls, to run on the owner context for a main-context interval. */

static void
interval_start_cb (gpointer data)
{
  Round *round = data;
  g_autoptr(GError) error = NULL;

  if (!gasync_interval_start (round->interval, &error))
    g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_ALREADY_STARTED);
  g_atomic_int_inc (&round->calls_done);
}

static void
interval_stop_cb (gpointer data)
{
  Round *round = data;

  interval_stop_with (round, NULL);
  g_atomic_int_inc (&round->calls_done);
}

/* A stop that gives up waiting at once. */
static void
interval_stop_cancelled_cb (gpointer data)
{
  Round *round = data;

  interval_stop_with (round, round->cancellable);
  g_atomic_int_inc (&round->calls_done);
}

static void
interval_call (Round           *round,
               GasyncOwnerFunc  func)
{
  g_atomic_int_inc (&round->calls);
  if (round->on_owner)
    gasync_owner_invoke (g_main_context_default (), GASYNC_OWNER_QUEUE, func,
                         round, NULL);
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
stress_interval (void)
{
  Round round = { .seed = rand_u32 (), .body = interval_body };

  round.owner_thread = g_thread_self ();
  round.on_owner = rand_bit ();
  round.cancellable = g_cancellable_new ();
  g_cancellable_cancel (round.cancellable);
  round.interval = gasync_interval_new (interval_action, &round, round_user_data_destroy);
  gasync_interval_set_mode (round.interval, round.on_owner ?
                            GASYNC_INTERVAL_MODE_MAIN_CONTEXT :
                            GASYNC_INTERVAL_MODE_THREAD);
  gasync_interval_set_interval (round.interval, 500);
  g_signal_connect (round.interval, "error", G_CALLBACK (interval_error_cb), &round);
  run_round (&round, interval_done);
  g_atomic_int_set (&round.stopped, 1);
  gasync_test_unref_and_wait (round.interval);
  iterate_until_count (&round.user_data_destroyed, 1);

  g_assert_cmpint (round.ran_outside_run, ==, 0);
  g_assert_cmpint (round.ran_after_stop, ==, 0);
  assert_failures_reported (&round);
  total_operations += round.calls + round.ran;
  g_object_unref (round.cancellable);
  round_clear (&round);
}

/* The wait group: 8 threads add to it and mark tasks done, and wait for
 * it (some with a cancellable that one thread cancels at a random
 * moment) when they hold nothing, while
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

      if (round_cancels_at (round, index, i))
        g_cancellable_cancel (round->cancellable);
      if (round_stops_at (round, index, i))
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
stress_wait_group (void)
{
  Round round = { .seed = rand_u32 (), .body = wait_group_body };

  round.owner_thread = g_thread_self ();
  round.cancellable = g_cancellable_new ();
  round.wait_group = gasync_wait_group_new ();
  gasync_wait_group_add (round.wait_group, 1);
  for (guint i = 0; i < N_ASYNC_WAITS; i++)
    gasync_wait_group_wait_async (round.wait_group, NULL, wait_group_waited_cb, &round);
  run_round (&round, wait_group_done);

  g_assert_cmpint (gasync_wait_group_get_n_outstanding (round.wait_group), ==, 0);
  g_assert_cmpint (round.callbacks, ==, N_ASYNC_WAITS);
  total_operations += round.ran;
  g_object_unref (round.wait_group);
  g_object_unref (round.cancellable);
  round_clear (&round);
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
stress_batch (void)
{
  Round round = { .seed = rand_u32 (), .body = batch_body };

  round.cancellable = g_cancellable_new ();
  round.batch = gasync_batch_new (batch_work, &round, round_user_data_destroy);
  gasync_batch_set_parallelism (round.batch, rand_range (1, 5));
  run_round (&round, no_pending_work);
  round_drop_object (&round, round.batch);

  total_operations += round.ran;
  g_object_unref (round.cancellable);
  round_clear (&round);
}

/* Semaphores and sleeps: 8 threads take slots of a semaphore (waiting,
 * with or without a cancellable, or not), hold them across a short sleep,
 * sleep without one, and ask the main thread to do the same
 * asynchronously, while one thread cancels the shared cancellable at a
 * random moment: never more holders than slots, a sleep that says the
 * time passed took at least that long and one that says it was cancelled
 * was, every async callback runs once, and every slot comes back. */

#define MAX_SLEEP_US 300
#define MAX_ASYNC_SLEEP_US 1000

typedef struct
{
  Round *round;
  GCancellable *cancellable;  /* the round's, or NULL */
  gboolean acquire;           /* take a slot first */
  gboolean holds;
  GTimeSpan duration;
  gint64 start;
} AsyncSleep;

static void
semaphore_hold (Round *round)
{
  gint holders = g_atomic_int_add (&round->holders, 1) + 1;

  g_assert_cmpint (holders, <=, gasync_semaphore_get_capacity (round->semaphore));
  g_atomic_int_inc (&round->locks);
}

static void
semaphore_give_back (Round *round)
{
  g_atomic_int_add (&round->holders, -1);
  gasync_semaphore_release (round->semaphore);
}

/* A sleep that returned @slept, started at @start: TRUE means the time
 * passed, FALSE that @cancellable fired. */
static void
check_sleep (gboolean      slept,
             const GError *error,
             gint64        start,
             GTimeSpan     duration,
             GCancellable *cancellable)
{
  if (slept)
    g_assert_cmpint (g_get_monotonic_time () - start, >=, duration);
  else
    g_assert_true (g_cancellable_is_cancelled (cancellable));
  if (error != NULL)
    g_assert_error ((GError *) error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
async_sleep_done (GObject      *source,
                  GAsyncResult *result,
                  gpointer      data)
{
  AsyncSleep *sleep = data;
  Round *round = sleep->round;
  g_autoptr(GError) error = NULL;
  gboolean slept;

  g_assert_true (g_thread_self () == round->owner_thread);
  slept = gasync_sleep_finish (result, &error);
  g_assert_true (slept == (error == NULL));
  check_sleep (slept, error, sleep->start, sleep->duration, sleep->cancellable);
  if (sleep->holds)
    semaphore_give_back (round);
  g_atomic_int_inc (&round->calls_done);
  g_free (sleep);
}

static void
async_sleep_start (AsyncSleep *sleep)
{
  sleep->start = g_get_monotonic_time ();
  gasync_sleep_async (sleep->duration, sleep->cancellable, async_sleep_done, sleep);
}

static void
async_acquired (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  AsyncSleep *sleep = data;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_thread_self () == sleep->round->owner_thread);
  if (gasync_semaphore_acquire_finish (GASYNC_SEMAPHORE (source), result, &error))
    {
      g_assert_no_error (error);
      semaphore_hold (sleep->round);
      sleep->holds = TRUE;
    }
  else
    {
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_assert_true (g_cancellable_is_cancelled (sleep->cancellable));
    }
  async_sleep_start (sleep);
}

static void
async_sleep_on_owner_cb (gpointer data)
{
  AsyncSleep *sleep = data;

  if (sleep->acquire)
    gasync_semaphore_acquire_async (sleep->round->semaphore, sleep->cancellable,
                                    async_acquired, sleep);
  else
    async_sleep_start (sleep);
}

/* Sleeps on this thread, in one of the two forms, and checks the result. */
static void
semaphore_sleep (GRand        *rand,
                 GCancellable *cancellable)
{
  GTimeSpan duration = g_rand_int_range (rand, 0, MAX_SLEEP_US + 1);
  gboolean was_cancelled = g_cancellable_is_cancelled (cancellable);
  gint64 start = g_get_monotonic_time ();
  g_autoptr(GError) error = NULL;
  gboolean slept;

  if (g_rand_boolean (rand))
    slept = gasync_sleep (duration, cancellable, &error);
  else
    slept = gasync_sleep_until (start + duration, cancellable, &error);
  check_sleep (slept, error, start, duration, cancellable);
  g_assert_true (slept == (error == NULL));
  if (was_cancelled)
    g_assert_false (slept);
}

static void
semaphore_body (Round *round,
                GRand *rand,
                guint  index)
{
  for (guint i = 0; i < round->ops_per_thread; i++)
    {
      GCancellable *cancellable = g_rand_boolean (rand) ? round->cancellable : NULL;
      g_autoptr(GError) error = NULL;

      if (round_cancels_at (round, index, i))
        g_cancellable_cancel (round->cancellable);
      switch (g_rand_int_range (rand, 0, 8))
        {
        case 0:
        case 1:
          if (gasync_semaphore_acquire (round->semaphore, cancellable, &error))
            {
              g_assert_no_error (error);
              semaphore_hold (round);
              semaphore_sleep (rand, cancellable);
              semaphore_give_back (round);
            }
          else
            {
              g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
              g_assert_true (g_cancellable_is_cancelled (cancellable));
            }
          break;
        case 2:
        case 3:
          if (gasync_semaphore_try_acquire (round->semaphore))
            {
              semaphore_hold (round);
              semaphore_give_back (round);
            }
          break;
        case 4:
        case 5:
        case 6:
          semaphore_sleep (rand, cancellable);
          break;
        default:
          {
            AsyncSleep *sleep = g_new0 (AsyncSleep, 1);

            sleep->round = round;
            sleep->cancellable = cancellable;
            sleep->acquire = g_rand_boolean (rand);
            sleep->duration = g_rand_int_range (rand, 0, MAX_ASYNC_SLEEP_US + 1);
            g_atomic_int_inc (&round->calls);
            gasync_owner_invoke (g_main_context_default (), GASYNC_OWNER_QUEUE,
                                 async_sleep_on_owner_cb, sleep, NULL);
          }
          break;
        }
    }
}

static gboolean
semaphore_done (Round *round)
{
  return g_atomic_int_get (&round->calls_done) == g_atomic_int_get (&round->calls);
}

static void
stress_semaphore_sleep (void)
{
  Round round = { .seed = rand_u32 (), .body = semaphore_body };

  round.owner_thread = g_thread_self ();
  round.semaphore = gasync_semaphore_new (rand_range (1, 5));
  round.cancellable = g_cancellable_new ();
  run_round (&round, semaphore_done);

  g_assert_cmpint (round.holders, ==, 0);
  g_assert_cmpint (gasync_semaphore_get_n_available (round.semaphore), ==,
                   gasync_semaphore_get_capacity (round.semaphore));
  total_operations += round.calls;
  g_object_unref (round.cancellable);
  g_object_unref (round.semaphore);
  round_clear (&round);
}

/* The scenarios, the modes, and what a failure prints. */

typedef struct
{
  const char *name;
  void (*round) (void);
  const char *summary;
} Scenario;

static const Scenario scenarios[] = {
  { "stopper", stress_stopper,
    "Random tasks, limited tasks (some waiting with a cancellable that "
    "fires), tokens and closers from 8 threads with a stop at a random "
    "moment: every accepted task runs once, refused ones never and with "
    "an error, none after the stop, every destroy notify and closer once" },
  { "work-queue", stress_work_queue,
    "8 producers push items, blocking or not, some cancelled, while the "
    "queue is closed at a random moment: each accepted item is processed "
    "at most once and freed exactly once, processed plus discarded equals "
    "accepted, refused items carry an error" },
  { "work-queue-main-context", stress_work_queue_main_context,
    "8 producers push items into a main-context queue whose begin "
    "function fails, ends at once or later, while the queue is closed at a "
    "random moment, blocking or asynchronously: each accepted item began "
    "once or was handed back, never both, failures are signalled once, "
    "the queue lets go of every item" },
  { "tasks-mutex", stress_tasks_mutex,
    "Tasks from 8 threads contend for a GasyncMutex while a cancellable "
    "fires: each task and its destroy notify run once, the protected "
    "counter equals the locks taken, every other lock was cancelled, the "
    "mutex ends unlocked" },
  { "event-loop", stress_event_loop,
    "Reservations enqueued or cancelled at random from 8 threads, in half "
    "the rounds with a callback that fails: every enqueued callback runs "
    "once on the loop thread, or after a failure none until start() "
    "returned, then the late ones in wait_on_registered(); each destroy "
    "notify runs once, and start() returns once all are settled" },
  { "worker", stress_worker,
    "8 producers queue items on a threaded or main-context GasyncWorker "
    "while it is closed or stopped at a random moment: each accepted item "
    "is processed at most once, processed plus discarded equals accepted, "
    "and every finalizer runs once on the owner context" },
  { "futures", stress_futures,
    "8 threads race to resolve or reject the same futures: one settles "
    "each, each done callback runs once on the main thread and its destroy "
    "notify once" },
  { "runners", stress_runners,
    "Random groups of runners that finish, fail, block until stopped or "
    "ignore the stop, interrupted and cancelled from 8 threads: each "
    "function runs once, each stop function at most once and never after "
    "its runner finished, one result per runner, TIMEOUT only for those "
    "that ignored the stop, and each group returns within its timeout" },
  { "interval", stress_interval,
    "8 threads start and stop an interval in either mode and change its "
    "settings while its action fails now and then: the action runs only "
    "while started or stopping, never after the last stop, each failure "
    "is signalled once on the owner context" },
  { "wait-group", stress_wait_group,
    "8 threads add to a wait group, mark tasks done and wait for it, some "
    "cancelled, while the main thread waits asynchronously: every wait "
    "returns, every async wait completes once on the owner context, and "
    "the count ends at zero" },
  { "batch", stress_batch,
    "8 threads run lists through one batch, some cancelled at a random "
    "moment: refused runs process nothing, the others each item at most "
    "once (exactly once unless cancelled), and report their failures as "
    "documented" },
  { "semaphore-sleep", stress_semaphore_sleep,
    "8 threads and the main loop take semaphore slots (waiting, not, or "
    "asynchronously) and sleep (blocking or asynchronously) while a "
    "cancellable fires: never more holders than slots, sleeps return after "
    "their time or cancelled, each async callback runs once, every slot "
    "comes back" },
};

#define N_SCENARIOS G_N_ELEMENTS (scenarios)

/* --soak [SECONDS], --soak-seed SEED, --round NAME:SEED */
static guint soak_seconds;
static guint32 soak_seed;
static const Scenario *replay_scenario;
static guint32 replay_seed;

/* The round that runs now, as a failure should report it; written before
 * the round, read by a fatal signal handler or sanitizer. */
static char failure_note[512];
static gint failure_note_len;

static void
print_failure_note (void)
{
  gint len = g_atomic_int_get (&failure_note_len);

  if (len > 0)
    {
      ssize_t ignored G_GNUC_UNUSED = write (STDERR_FILENO, failure_note, len);
    }
}

static void
on_fatal_signal (int sig)
{
  print_failure_note ();
  /* The handler was reset to the default: die of the signal. */
  raise (sig);
}

static void
catch_failures (void)
{
  static const int signals[] = { SIGABRT, SIGTRAP, SIGSEGV, SIGBUS, SIGTERM, SIGINT };
  struct sigaction action;

  memset (&action, 0, sizeof action);
  action.sa_handler = on_fatal_signal;
  action.sa_flags = SA_RESETHAND | SA_NODEFER;
  sigemptyset (&action.sa_mask);
  for (guint i = 0; i < G_N_ELEMENTS (signals); i++)
    sigaction (signals[i], &action, NULL);
#ifdef HAVE_SANITIZER_DEATH_CALLBACK
  __sanitizer_set_death_callback (print_failure_note);
#endif
}

static void
run_scenario_round (const Scenario *scenario,
                    guint32         seed,
                    guint64         round_number)
{
  int len;

  if (soak_seconds > 0)
    len = g_snprintf (failure_note, sizeof failure_note,
                      "# stress: FAILED in soak round %" G_GUINT64_FORMAT
                      " (soak seed %u): scenario %s, seed %u; replay: "
                      "test-stress --round %s:%u\n",
                      round_number, soak_seed, scenario->name, seed,
                      scenario->name, seed);
  else
    len = g_snprintf (failure_note, sizeof failure_note,
                      "# stress: FAILED in round %" G_GUINT64_FORMAT
                      " of scenario %s, seed %u; replay: "
                      "test-stress --round %s:%u\n",
                      round_number, scenario->name, seed, scenario->name, seed);
  g_atomic_int_set (&failure_note_len, MIN (len, (int) sizeof failure_note - 1));

  round_rand = g_rand_new_with_seed (seed);
  scenario->round ();
  g_clear_pointer (&round_rand, g_rand_free);

  g_atomic_int_set (&failure_note_len, 0);
}

static void
test_scenario (gconstpointer data)
{
  const Scenario *scenario = data;

  g_test_summary (scenario->summary);
  for (guint r = 0; r < n_rounds (); r++)
    run_scenario_round (scenario, g_test_rand_int (), r);
}

static void
test_replay (void)
{
  g_test_summary (replay_scenario->summary);
  run_scenario_round (replay_scenario, replay_seed, 0);
}

static void
drop_debug_message (const char     *log_domain,
                    GLogLevelFlags  log_level,
                    const char     *message,
                    gpointer        user_data)
{
}

static void
test_soak (void)
{
  GRand *rand = g_rand_new_with_seed (soak_seed);
  gint64 start = g_get_monotonic_time ();
  gint64 end = start + (gint64) soak_seconds * G_USEC_PER_SEC;
  guint order[N_SCENARIOS];
  guint rounds[N_SCENARIOS] = { 0 };
  guint64 n = 0;
  g_autoptr(GString) per_scenario = g_string_new (NULL);

  g_test_summary ("The stress scenarios in random order with random seeds "
                  "until the time is up, each round checked as in the "
                  "stress test");
  /* Thousands of rounds: keep the log to what matters. */
  g_log_set_handler ("Gasync", G_LOG_LEVEL_DEBUG, drop_debug_message, NULL);
  g_test_message ("soak: %u s, seed %u", soak_seconds, soak_seed);

  for (guint i = 0; i < N_SCENARIOS; i++)
    order[i] = i;
  while (g_get_monotonic_time () < end)
    {
      /* Every scenario once per pass, in a new order each time. */
      for (guint i = N_SCENARIOS - 1; i > 0; i--)
        {
          guint j = g_rand_int_range (rand, 0, i + 1);
          guint tmp = order[i];

          order[i] = order[j];
          order[j] = tmp;
        }
      for (guint i = 0; i < N_SCENARIOS && g_get_monotonic_time () < end; i++)
        {
          guint32 seed = g_rand_int (rand);

          run_scenario_round (&scenarios[order[i]], seed, n++);
          rounds[order[i]]++;
        }
    }

  for (guint i = 0; i < N_SCENARIOS; i++)
    g_string_append_printf (per_scenario, "%s%s %u", i > 0 ? ", " : "",
                            scenarios[i].name, rounds[i]);
  g_test_message ("soak: rounds: %s", per_scenario->str);
  g_test_message ("soak: %" G_GUINT64_FORMAT " operations in %" G_GUINT64_FORMAT
                  " rounds in %.1f s, seed %u",
                  total_operations, n,
                  (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC,
                  soak_seed);
  g_rand_free (rand);
}

static guint64
parse_number (const char *what,
              const char *text,
              guint64     max)
{
  guint64 value;
  g_autoptr(GError) error = NULL;

  if (!g_ascii_string_to_unsigned (text, 10, 0, max, &value, &error))
    {
      g_printerr ("test-stress: %s: %s\n", what, error->message);
      exit (2);
    }
  return value;
}

/* Takes the options of this file out of argv, before GTest sees it. */
static void
parse_args (int   *argc,
            char **argv)
{
  const char *seed = g_getenv ("GASYNC_SOAK_SEED");
  gboolean soak = FALSE;
  int kept = 1;

  for (int i = 1; i < *argc; i++)
    {
      if (g_str_equal (argv[i], "--soak"))
        {
          const char *env = g_getenv ("GASYNC_SOAK_SECONDS");

          soak = TRUE;
          soak_seconds = 60;
          if (i + 1 < *argc && g_ascii_isdigit (argv[i + 1][0]))
            soak_seconds = parse_number ("--soak", argv[++i], G_MAXUINT);
          else if (env != NULL)
            soak_seconds = parse_number ("GASYNC_SOAK_SECONDS", env, G_MAXUINT);
        }
      else if (g_str_equal (argv[i], "--soak-seed") && i + 1 < *argc)
        seed = argv[++i];
      else if (g_str_equal (argv[i], "--round") && i + 1 < *argc)
        {
          const char *colon = strrchr (argv[++i], ':');

          for (guint s = 0; s < N_SCENARIOS && colon != NULL; s++)
            if (strncmp (argv[i], scenarios[s].name, colon - argv[i]) == 0 &&
                scenarios[s].name[colon - argv[i]] == '\0')
              replay_scenario = &scenarios[s];
          if (replay_scenario == NULL)
            {
              g_printerr ("test-stress: --round NAME:SEED, NAME one of:");
              for (guint s = 0; s < N_SCENARIOS; s++)
                g_printerr (" %s", scenarios[s].name);
              g_printerr ("\n");
              exit (2);
            }
          replay_seed = parse_number ("--round", colon + 1, G_MAXUINT32);
        }
      else
        argv[kept++] = argv[i];
    }
  argv[kept] = NULL;
  *argc = kept;

  if (soak && soak_seconds == 0)
    soak = FALSE;
  if (soak)
    soak_seed = seed != NULL ? parse_number ("soak seed", seed, G_MAXUINT32)
                             : g_random_int ();
}

/* Whether no thread of this process is a pool worker (Linux names them). */
static gboolean
pool_workers_gone (gpointer unused)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  const char *tid;

  while (dir != NULL && (tid = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc/self/task", tid, "comm", NULL);
      g_autofree char *comm = NULL;

      if (g_file_get_contents (path, &comm, NULL, NULL) &&
          g_str_has_prefix (comm, "gasync-pool"))
        return FALSE;
    }
  return TRUE;
}

/* Lets the shared pool's workers exit before the process does.
 * LeakSanitizer (GCC 12's) does not scan the TLS of a live thread whose
 * thread id an earlier thread of the process had ("Thread N not found in
 * registry" with LSAN_OPTIONS=log_threads=1), and a soak creates enough
 * threads to recycle ids (pid_max is 32,768 on Debian). A pool worker keeps
 * GLib's per-thread data (its GSlice magazines and, as a thread GLib did not
 * create, its GThread) in TLS only, so a worker with a recycled id showed
 * as a leak of 2,032 + 48 bytes. */
static void
retire_pool_workers (void)
{
  gasync_pool_set_base_threads_for_testing (0);
  gasync_pool_set_idle_timeout_for_testing (1);
  gasync_test_iterate_until (NULL, pool_workers_gone, NULL, 30);
}

int
main (int    argc,
      char **argv)
{
  int status;

  parse_args (&argc, argv);
  g_test_init (&argc, &argv, NULL);
  catch_failures ();

  if (soak_seconds > 0)
    g_test_add_func ("/gasync/stress/soak", test_soak);
  else if (replay_scenario != NULL)
    {
      g_autofree char *path = g_strdup_printf ("/gasync/stress/%s/round", replay_scenario->name);

      g_test_add_func (path, test_replay);
    }
  else
    for (guint i = 0; i < N_SCENARIOS; i++)
      {
        g_autofree char *path = g_strdup_printf ("/gasync/stress/%s", scenarios[i].name);

        g_test_add_data_func (path, &scenarios[i], test_scenario);
      }

  status = g_test_run ();
  retire_pool_workers ();
  if (replay_scenario != NULL)
    g_test_message ("stress: one round of %s, %" G_GUINT64_FORMAT " operations",
                    replay_scenario->name, total_operations);
  else if (soak_seconds == 0)
    g_test_message ("stress: %u rounds per scenario, %" G_GUINT64_FORMAT
                    " operations in all", n_rounds (), total_operations);
  return status;
}

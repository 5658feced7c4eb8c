/* test-mutex.c: GasyncMutex, a mutex whose lock can be cancelled
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#include <gasync.h>

#include "gasync-test-util.h"

#define N_ASYNC_LOCKERS 8

static void
test_mutex_lock_unlock (void)
{
  g_autoptr(GasyncMutex) mutex = gasync_mutex_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (gasync_mutex_lock (mutex, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (gasync_mutex_try_lock (mutex));
  gasync_mutex_unlock (mutex);

  g_assert_true (gasync_mutex_try_lock (mutex));
  g_assert_false (gasync_mutex_try_lock (mutex));
  gasync_mutex_unlock (mutex);
}

static void
test_mutex_unlock_not_locked (void)
{
  g_autoptr(GasyncMutex) mutex = gasync_mutex_new ();

  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*is not locked*");
  gasync_mutex_unlock (mutex);
  g_test_assert_expected_messages ();

  /* It stays usable. */
  g_assert_true (gasync_mutex_try_lock (mutex));
  gasync_mutex_unlock (mutex);
}

static void
test_mutex_lock_already_cancelled (void)
{
  g_autoptr(GasyncMutex) mutex = gasync_mutex_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  g_cancellable_cancel (cancellable);
  g_assert_false (gasync_mutex_lock (mutex, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* The failed lock did not take the free mutex. */
  g_assert_true (gasync_mutex_try_lock (mutex));
  gasync_mutex_unlock (mutex);
}

typedef struct
{
  GasyncMutex *mutex;
  GCancellable *cancellable;
  gint started;
  gint result;
  GError *error;
} Locker;

static gpointer
locker_thread (gpointer data)
{
  Locker *locker = data;
  gboolean locked;

  g_atomic_int_set (&locker->started, 1);
  locked = gasync_mutex_lock (locker->mutex, locker->cancellable,
                              &locker->error);
  g_atomic_int_set (&locker->result, locked ? 1 : 2);
  return NULL;
}

static void
test_mutex_lock_cancelled_while_waiting (void)
{
  Locker locker = { gasync_mutex_new (), g_cancellable_new () };
  GThread *thread;

  g_test_summary ("A blocking lock cancelled while it waits fails with "
                  "G_IO_ERROR_CANCELLED and never takes the mutex.");

  g_assert_true (gasync_mutex_try_lock (locker.mutex));
  thread = g_thread_new ("locker", locker_thread, &locker);
  gasync_test_wait_flag (&locker.started);
  g_cancellable_cancel (locker.cancellable);
  g_thread_join (thread);

  g_assert_cmpint (locker.result, ==, 2);
  g_assert_error (locker.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* Unlocking hands the mutex to nobody: it is free again. */
  gasync_mutex_unlock (locker.mutex);
  g_assert_true (gasync_mutex_try_lock (locker.mutex));
  gasync_mutex_unlock (locker.mutex);

  g_clear_error (&locker.error);
  g_object_unref (locker.cancellable);
  g_object_unref (locker.mutex);
}

static void
test_mutex_handed_to_blocked_locker (void)
{
  Locker locker = { gasync_mutex_new (), NULL };
  GThread *thread;

  g_assert_true (gasync_mutex_try_lock (locker.mutex));
  thread = g_thread_new ("locker", locker_thread, &locker);
  gasync_test_wait_flag (&locker.started);
  gasync_mutex_unlock (locker.mutex);
  g_thread_join (thread);

  g_assert_cmpint (locker.result, ==, 1);
  g_assert_no_error (locker.error);
  g_assert_false (gasync_mutex_try_lock (locker.mutex));
  gasync_mutex_unlock (locker.mutex);
  g_object_unref (locker.mutex);
}

#define N_THREADS 4
#define N_ROUNDS 2000

typedef struct
{
  GasyncMutex *mutex;
  guint counter; /* guarded by mutex, not atomic on purpose */
} Shared;

static gpointer
increment_thread (gpointer data)
{
  Shared *shared = data;

  for (guint i = 0; i < N_ROUNDS; i++)
    {
      g_assert_true (gasync_mutex_lock (shared->mutex, NULL, NULL));
      shared->counter++;
      gasync_mutex_unlock (shared->mutex);
    }
  return NULL;
}

static void
test_mutex_excludes (void)
{
  Shared shared = { gasync_mutex_new (), 0 };
  GThread *threads[N_THREADS];

  g_test_summary ("Threads that increment a plain counter under the mutex "
                  "lose no increment (and TSan sees no race).");

  for (guint i = 0; i < N_THREADS; i++)
    threads[i] = g_thread_new ("incrementer", increment_thread, &shared);
  for (guint i = 0; i < N_THREADS; i++)
    g_thread_join (threads[i]);

  g_assert_cmpuint (shared.counter, ==, N_THREADS * N_ROUNDS);
  g_object_unref (shared.mutex);
}

typedef struct
{
  GasyncMutex *mutex;
  guint order[N_ASYNC_LOCKERS];
  gint n_locked;
  gint n_cancelled;
  gboolean holding;
} AsyncLockers;

typedef struct
{
  AsyncLockers *lockers;
  guint index;
} AsyncLocker;

static gboolean
unlock_idle_cb (gpointer user_data)
{
  AsyncLockers *lockers = user_data;

  lockers->holding = FALSE;
  gasync_mutex_unlock (lockers->mutex);
  return G_SOURCE_REMOVE;
}

static void
async_locked_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  AsyncLocker *locker = user_data;
  AsyncLockers *lockers = locker->lockers;
  g_autoptr(GError) error = NULL;

  g_assert_true (source == G_OBJECT (lockers->mutex));
  if (!gasync_mutex_lock_finish (lockers->mutex, result, &error))
    {
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_atomic_int_inc (&lockers->n_cancelled);
      return;
    }

  /* Exclusive: nobody else holds it. */
  g_assert_false (lockers->holding);
  lockers->holding = TRUE;
  lockers->order[lockers->n_locked] = locker->index;
  g_atomic_int_inc (&lockers->n_locked);
  /* Hold it across a main loop iteration, then unlock. */
  g_idle_add (unlock_idle_cb, lockers);
}

static void
test_mutex_async_fifo (void)
{
  GMainContext *context = g_main_context_default ();
  AsyncLockers lockers = { gasync_mutex_new () };
  AsyncLocker locker[N_ASYNC_LOCKERS];

  g_test_summary ("Eight async lockers that contend for a held mutex get "
                  "it one at a time, in the order they asked.");

  g_assert_true (gasync_mutex_try_lock (lockers.mutex));
  for (guint i = 0; i < N_ASYNC_LOCKERS; i++)
    {
      locker[i].lockers = &lockers;
      locker[i].index = i;
      gasync_mutex_lock_async (lockers.mutex, NULL, async_locked_cb,
                               &locker[i]);
    }
  /* Queued, not locked: try_lock does not jump the queue. */
  gasync_mutex_unlock (lockers.mutex);
  g_assert_false (gasync_mutex_try_lock (lockers.mutex));

  gasync_test_iterate_until_count (context, &lockers.n_locked, N_ASYNC_LOCKERS);
  for (guint i = 0; i < N_ASYNC_LOCKERS; i++)
    g_assert_cmpuint (lockers.order[i], ==, i);

  /* The last one unlocked: the mutex is free. */
  gasync_test_flush (context);
  g_assert_false (lockers.holding);
  g_assert_true (gasync_mutex_try_lock (lockers.mutex));
  gasync_mutex_unlock (lockers.mutex);
  g_object_unref (lockers.mutex);
}

static void
test_mutex_async_cancelled_waiter (void)
{
  GMainContext *context = g_main_context_default ();
  AsyncLockers lockers = { gasync_mutex_new () };
  AsyncLocker first = { &lockers, 0 }, second = { &lockers, 1 };
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  g_test_summary ("An async locker cancelled while it waits does not take "
                  "the mutex; the next one in the queue does.");

  g_assert_true (gasync_mutex_try_lock (lockers.mutex));
  gasync_mutex_lock_async (lockers.mutex, cancellable, async_locked_cb, &first);
  gasync_mutex_lock_async (lockers.mutex, NULL, async_locked_cb, &second);
  g_cancellable_cancel (cancellable);
  gasync_test_iterate_until_count (context, &lockers.n_cancelled, 1);

  gasync_mutex_unlock (lockers.mutex);
  gasync_test_iterate_until_count (context, &lockers.n_locked, 1);
  g_assert_cmpuint (lockers.order[0], ==, 1);

  gasync_test_flush (context);
  g_assert_cmpint (lockers.n_locked, ==, 1);
  g_assert_cmpint (lockers.n_cancelled, ==, 1);
  g_assert_true (gasync_mutex_try_lock (lockers.mutex));
  gasync_mutex_unlock (lockers.mutex);
  g_object_unref (lockers.mutex);
}

static void
test_mutex_async_free (void)
{
  GMainContext *context = g_main_context_default ();
  AsyncLockers lockers = { gasync_mutex_new () };
  AsyncLocker locker = { &lockers, 0 };

  gasync_mutex_lock_async (lockers.mutex, NULL, async_locked_cb, &locker);
  gasync_test_iterate_until_count (context, &lockers.n_locked, 1);
  gasync_test_flush (context);
  g_assert_true (gasync_mutex_try_lock (lockers.mutex));
  gasync_mutex_unlock (lockers.mutex);
  g_object_unref (lockers.mutex);
}

static gpointer
unlock_thread (gpointer data)
{
  gasync_mutex_unlock (data);
  return NULL;
}

static void
test_mutex_async_after_blocking_holder (void)
{
  GMainContext *context = g_main_context_default ();
  AsyncLockers lockers = { gasync_mutex_new () };
  AsyncLocker locker = { &lockers, 0 };

  g_test_summary ("A mutex unlocked on another thread is handed to an "
                  "async locker, whose callback runs on its own context.");

  g_assert_true (gasync_mutex_lock (lockers.mutex, NULL, NULL));
  gasync_mutex_lock_async (lockers.mutex, NULL, async_locked_cb, &locker);
  g_thread_join (g_thread_new ("unlocker", unlock_thread, lockers.mutex));
  gasync_test_iterate_until_count (context, &lockers.n_locked, 1);
  gasync_test_flush (context);
  g_assert_true (gasync_mutex_try_lock (lockers.mutex));
  gasync_mutex_unlock (lockers.mutex);
  g_object_unref (lockers.mutex);
}

/* Stress: blocking lockers on threads and async lockers on the main
 * context, with cancellables fired at random by another thread. */

#define STRESS_THREADS 4
#define STRESS_ASYNC 8

typedef struct
{
  GasyncMutex *mutex;
  guint rounds;
  GCancellable **cancellables; /* STRESS_THREADS x rounds, made up front */
  gint progress[STRESS_THREADS];
  gint holders;
  gint stop;
  gint n_locked;
  gint n_async_done;
} Stress;

static void
stress_critical_section (Stress *stress)
{
  g_assert_cmpint (g_atomic_int_add (&stress->holders, 1), ==, 0);
  g_atomic_int_inc (&stress->n_locked);
  g_atomic_int_add (&stress->holders, -1);
  gasync_mutex_unlock (stress->mutex);
}

typedef struct
{
  Stress *stress;
  guint index;
} StressThread;

static gpointer
stress_locker_thread (gpointer data)
{
  StressThread *thread = data;
  Stress *stress = thread->stress;

  for (guint i = 0; i < stress->rounds; i++)
    {
      GCancellable *cancellable =
        stress->cancellables[thread->index * stress->rounds + i];
      g_autoptr(GError) error = NULL;

      g_atomic_int_set (&stress->progress[thread->index], i);
      if (gasync_mutex_lock (stress->mutex, cancellable, &error))
        stress_critical_section (stress);
      else
        g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    }
  return NULL;
}

static gpointer
stress_canceller_thread (gpointer data)
{
  Stress *stress = data;
  GRand *rand = g_rand_new_with_seed (g_test_rand_int ());

  while (!g_atomic_int_get (&stress->stop))
    {
      guint t = g_rand_int_range (rand, 0, STRESS_THREADS);
      guint i = g_atomic_int_get (&stress->progress[t]) +
                g_rand_int_range (rand, 0, 2);

      if (i < stress->rounds)
        g_cancellable_cancel (stress->cancellables[t * stress->rounds + i]);
      g_thread_yield ();
    }
  g_rand_free (rand);
  return NULL;
}

static void
stress_async_locked_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  Stress *stress = user_data;
  g_autoptr(GError) error = NULL;

  if (gasync_mutex_lock_finish (stress->mutex, result, &error))
    stress_critical_section (stress);
  else
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_atomic_int_inc (&stress->n_async_done);
}

static void
test_mutex_stress_cancel (void)
{
  GMainContext *context = g_main_context_default ();
  Stress stress = { gasync_mutex_new () };
  StressThread thread_data[STRESS_THREADS];
  GThread *threads[STRESS_THREADS];
  GThread *canceller;
  guint n_cancellables;
  gint n_async = 0;

  g_test_summary ("Blocking and async lockers under random cancellation: "
                  "never two holders, and the mutex ends up free.");

  stress.rounds = gasync_test_is_slow () ? 100 : 1000;
  n_cancellables = STRESS_THREADS * stress.rounds;
  stress.cancellables = g_new (GCancellable *, n_cancellables);
  for (guint i = 0; i < n_cancellables; i++)
    stress.cancellables[i] = g_cancellable_new ();

  for (guint t = 0; t < STRESS_THREADS; t++)
    {
      thread_data[t].stress = &stress;
      thread_data[t].index = t;
      threads[t] = g_thread_new ("locker", stress_locker_thread,
                                 &thread_data[t]);
    }
  canceller = g_thread_new ("canceller", stress_canceller_thread, &stress);

  /* Meanwhile, rounds of async lockers, some of them cancelled. */
  for (guint round = 0; round < stress.rounds / 10; round++)
    {
      GCancellable *cancellables[STRESS_ASYNC];

      for (guint i = 0; i < STRESS_ASYNC; i++)
        {
          cancellables[i] = g_cancellable_new ();
          gasync_mutex_lock_async (stress.mutex, cancellables[i],
                                   stress_async_locked_cb, &stress);
        }
      n_async += STRESS_ASYNC;
      for (guint i = 0; i < STRESS_ASYNC; i++)
        {
          if (g_test_rand_bit ())
            g_cancellable_cancel (cancellables[i]);
          g_object_unref (cancellables[i]);
        }
      gasync_test_iterate_until (context, gasync_test_count_reached,
                                 (&(GasyncTestCount) { &stress.n_async_done, n_async }), 60);
    }

  for (guint t = 0; t < STRESS_THREADS; t++)
    g_thread_join (threads[t]);
  g_atomic_int_set (&stress.stop, 1);
  g_thread_join (canceller);

  g_test_message ("%d of %u locks taken", stress.n_locked,
                  n_cancellables + n_async);
  g_assert_cmpint (stress.n_locked, >, 0);
  g_assert_true (gasync_mutex_try_lock (stress.mutex));
  gasync_mutex_unlock (stress.mutex);

  for (guint i = 0; i < n_cancellables; i++)
    g_object_unref (stress.cancellables[i]);
  g_free (stress.cancellables);
  g_object_unref (stress.mutex);
}

/* Fairness (#17): normal mode lets a running thread take the mutex, and a
 * waiter that waited longer than about 1 ms turns it to hand-off mode. */

/* How long the hog holds the mutex each time: far longer than the gap
 * between its unlock and its next lock, so that a woken waiter almost
 * never finds the mutex free, and would starve without hand-off mode. */
#define HOG_HOLD_US 20

typedef struct
{
  GasyncMutex *mutex;
  gint stop;
  gint n_rounds;
} Hog;

static gpointer
hog_thread (gpointer data)
{
  Hog *hog = data;

  while (!g_atomic_int_get (&hog->stop))
    {
      gint64 until;

      g_assert_true (gasync_mutex_lock (hog->mutex, NULL, NULL));
      until = g_get_monotonic_time () + HOG_HOLD_US;
      while (g_get_monotonic_time () < until)
        ;
      g_atomic_int_inc (&hog->n_rounds);
      gasync_mutex_unlock (hog->mutex);
    }
  return NULL;
}

/* Whether the blocking locker with @cancellable is queued and about to
 * sleep: gasync_wait() registers with its cancellable only then. */
static gboolean
locker_is_queued (gpointer data)
{
  Locker *locker = data;

  if (g_atomic_int_get (&locker->result) != 0)
    return TRUE;
  return gasync_cancellable_get_n_waits (locker->cancellable, NULL) > 0;
}

/* Waits until the locker is queued: TRUE, or went through: FALSE. */
static gboolean
wait_locker_queued (Locker *locker)
{
  gint64 deadline = gasync_test_deadline (GASYNC_TEST_TIMEOUT_SECONDS);

  while (!locker_is_queued (locker))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_thread_yield ();
    }
  return g_atomic_int_get (&locker->result) == 0;
}

/* Waits for *@flag, failing the test (after stopping @hog) at the usual
 * bound: a starving waiter would never set it. */
static void
wait_flag_beside_hog (const int *flag,
                      Hog       *hog)
{
  gint64 deadline = gasync_test_deadline (GASYNC_TEST_TIMEOUT_SECONDS);

  while (!g_atomic_int_get (flag))
    {
      if (g_get_monotonic_time () >= deadline)
        {
          g_atomic_int_set (&hog->stop, 1);
          g_error ("a waiter starved beside a thread that locks in a loop");
        }
      g_thread_yield ();
    }
}

/* How many times a blocking locker waiting with @cancellable registered
 * with it (0 while it does not wait): one more each time it queues and
 * sleeps. */
static guint
locker_wait_number (Locker *locker)
{
  guint n_entered;

  if (gasync_cancellable_get_n_waits (locker->cancellable, &n_entered) == 0)
    return 0;
  return n_entered;
}

/* Waits until the locker sleeps again, after wait number @old, or holds
 * the mutex (then returns 0). */
static guint
wait_locker_requeued (Locker *locker,
                      guint   old)
{
  gint64 deadline = gasync_test_deadline (GASYNC_TEST_TIMEOUT_SECONDS);

  for (;;)
    {
      guint id = locker_wait_number (locker);

      if (id != 0 && id != old)
        return id;
      if (g_atomic_int_get (&locker->result) != 0)
        return 0;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_thread_yield ();
    }
}

static void
test_mutex_starving_hands_off (void)
{
  gint64 deadline = gasync_test_deadline (GASYNC_TEST_TIMEOUT_SECONDS);
  guint attempts = 0;

  g_test_summary ("Normal mode lets the unlocking thread take the mutex "
                  "back ahead of the woken waiter; once that waiter has "
                  "waited longer than 1 ms it is handed the mutex, which "
                  "stays locked through the unlock, and then normal mode "
                  "returns.");
  g_test_bug ("17");

  for (;;)
    {
      g_autoptr(GasyncMutex) mutex = gasync_mutex_new ();
      Locker locker = { mutex, g_cancellable_new () };
      GThread *thread;
      guint first_id;
      gint64 queued_at;

      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      attempts++;

      g_assert_true (gasync_mutex_try_lock (mutex));
      thread = g_thread_new ("locker", locker_thread, &locker);
      first_id = wait_locker_requeued (&locker, 0);
      g_assert_cmpuint (first_id, !=, 0);
      /* Past the starvation threshold (1 ms): what is under test. */
      queued_at = g_get_monotonic_time ();
      while (g_get_monotonic_time () - queued_at < 2000)
        g_thread_yield ();

      /* Normal mode: the waiter is woken to try again, and this running
       * thread may take the mutex first. */
      gasync_mutex_unlock (mutex);
      if (gasync_mutex_try_lock (mutex))
        {
          /* The waiter lost and waited too long: it queues again, at the
           * head, and turns the mutex to hand-off mode. */
          if (wait_locker_requeued (&locker, first_id) != 0)
            {
              gasync_mutex_unlock (mutex);
              /* Handed over: not free for an instant. */
              g_assert_false (gasync_mutex_try_lock (mutex));
              g_thread_join (thread);
              g_assert_cmpint (locker.result, ==, 1);
              gasync_mutex_unlock (mutex);
              /* The queue drained: normal mode again. */
              g_assert_true (gasync_mutex_try_lock (mutex));
              gasync_mutex_unlock (mutex);
              g_object_unref (locker.cancellable);
              break;
            }
          gasync_mutex_unlock (mutex);
        }
      /* Rarely, the woken waiter took the mutex before this thread could:
       * try again. */
      g_thread_join (thread);
      g_assert_cmpint (locker.result, ==, 1);
      gasync_mutex_unlock (mutex);
      g_object_unref (locker.cancellable);
    }
  g_test_message ("%u attempts", attempts);
}

static void
test_mutex_no_starvation (void)
{
  Hog hog = { gasync_mutex_new () };
  Locker locker = { hog.mutex, g_cancellable_new () };
  GThread *hog_id;
  GThread *locker_id;

  g_test_summary ("A waiter beside a thread that locks and unlocks in a "
                  "tight loop, holding the mutex nearly all the time, gets "
                  "the mutex within a bounded time: hand-off mode.");
  g_test_bug ("17");

  hog_id = g_thread_new ("hog", hog_thread, &hog);
  /* The hog is running its loop. */
  gasync_test_wait_flag (&hog.n_rounds);

  for (guint i = 0; i < 3; i++)
    {
      locker.result = 0;
      locker_id = g_thread_new ("locker", locker_thread, &locker);
      wait_flag_beside_hog (&locker.result, &hog);
      g_thread_join (locker_id);
      g_assert_cmpint (locker.result, ==, 1);
      g_assert_no_error (locker.error);
      gasync_mutex_unlock (locker.mutex);
    }

  g_atomic_int_set (&hog.stop, 1);
  g_thread_join (hog_id);
  g_assert_true (gasync_mutex_try_lock (hog.mutex));
  gasync_mutex_unlock (hog.mutex);
  g_object_unref (locker.cancellable);
  g_object_unref (hog.mutex);
}

#define N_FIFO_LOCKERS 4

typedef struct
{
  Locker locker;
  gint *next_rank;
  gint rank;
  gboolean queued;
} RankedLocker;

static gpointer
ranked_locker_thread (gpointer data)
{
  RankedLocker *ranked = data;
  Locker *locker = &ranked->locker;

  g_atomic_int_set (&locker->started, 1);
  if (gasync_mutex_lock (locker->mutex, locker->cancellable, &locker->error))
    {
      /* Under the mutex. */
      ranked->rank = (*ranked->next_rank)++;
      gasync_mutex_unlock (locker->mutex);
      g_atomic_int_set (&locker->result, 1);
    }
  else
    g_atomic_int_set (&locker->result, 2);
  return NULL;
}

static void
test_mutex_starving_fifo (void)
{
  Hog hog = { gasync_mutex_new () };
  RankedLocker lockers[N_FIFO_LOCKERS];
  GThread *threads[N_FIFO_LOCKERS];
  GThread *hog_id;
  gint next_rank = 0;
  gint last_queued_rank = -1;
  guint n_queued = 0;

  g_test_summary ("Waiters queued one after the other beside a thread that "
                  "holds the mutex nearly all the time all get it, in "
                  "their order: hand-off mode is first-in, first-out, and "
                  "a woken waiter that lost keeps its place.");
  g_test_bug ("17");

  hog_id = g_thread_new ("hog", hog_thread, &hog);
  gasync_test_wait_flag (&hog.n_rounds);

  for (guint i = 0; i < N_FIFO_LOCKERS; i++)
    {
      lockers[i] = (RankedLocker) { { hog.mutex, g_cancellable_new () },
                                    &next_rank, -1 };
      threads[i] = g_thread_new ("locker", ranked_locker_thread, &lockers[i]);
      /* Queued, or (rarely) it found the mutex free and went through,
       * ahead of the queue as normal mode allows. */
      lockers[i].queued = wait_locker_queued (&lockers[i].locker);
    }

  for (guint i = 0; i < N_FIFO_LOCKERS; i++)
    {
      wait_flag_beside_hog (&lockers[i].locker.result, &hog);
      g_thread_join (threads[i]);
    }
  g_atomic_int_set (&hog.stop, 1);
  g_thread_join (hog_id);

  for (guint i = 0; i < N_FIFO_LOCKERS; i++)
    {
      g_assert_cmpint (lockers[i].locker.result, ==, 1);
      g_assert_no_error (lockers[i].locker.error);
      if (lockers[i].queued)
        {
          g_assert_cmpint (lockers[i].rank, >, last_queued_rank);
          last_queued_rank = lockers[i].rank;
          n_queued++;
        }
      g_object_unref (lockers[i].locker.cancellable);
    }
  g_test_message ("%u of %u lockers queued", n_queued, N_FIFO_LOCKERS);
  g_assert_true (gasync_mutex_try_lock (hog.mutex));
  gasync_mutex_unlock (hog.mutex);
  g_object_unref (hog.mutex);
}

static void
test_mutex_cancelled_waiter_passes_on (void)
{
  guint rounds = gasync_test_is_slow () ? 20 : 200;

  g_test_summary ("A waiter cancelled just before the unlock that wakes it "
                  "never takes the mutex, and the waiter behind it gets it: "
                  "the wake-up is passed on, not lost.");
  g_test_bug ("17");

  for (guint round = 0; round < rounds; round++)
    {
      g_autoptr(GasyncMutex) mutex = gasync_mutex_new ();
      Locker first = { mutex, g_cancellable_new () };
      Locker second = { mutex, g_cancellable_new () };
      GThread *first_id;
      GThread *second_id;

      g_assert_true (gasync_mutex_try_lock (mutex));
      first_id = g_thread_new ("first", locker_thread, &first);
      wait_locker_queued (&first);
      second_id = g_thread_new ("second", locker_thread, &second);
      wait_locker_queued (&second);

      /* The cancel races with the unlock's wake-up; either way the first
       * waiter must not take the mutex. */
      g_cancellable_cancel (first.cancellable);
      if (round % 2 == 0)
        gasync_mutex_unlock (mutex);
      g_thread_join (first_id);
      if (round % 2 == 1)
        gasync_mutex_unlock (mutex);
      g_thread_join (second_id);

      g_assert_cmpint (first.result, ==, 2);
      g_assert_error (first.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_assert_cmpint (second.result, ==, 1);
      g_assert_no_error (second.error);
      g_assert_false (gasync_mutex_try_lock (mutex));
      gasync_mutex_unlock (mutex);
      g_assert_true (gasync_mutex_try_lock (mutex));
      gasync_mutex_unlock (mutex);

      g_clear_error (&first.error);
      g_object_unref (first.cancellable);
      g_object_unref (second.cancellable);
    }
}

#define N_CONTENDERS 8
#define N_CONTENDED_ROUNDS 20000

typedef struct
{
  GasyncMutex *mutex;
  guint64 counter;  /* guarded by mutex, not atomic on purpose */
  gint holders;
  GCancellable *cancellable;
} Contended;

static gpointer
contender_thread (gpointer data)
{
  Contended *contended = data;
  guint rounds = gasync_test_is_slow () ? N_CONTENDED_ROUNDS / 20
                                        : N_CONTENDED_ROUNDS;

  for (guint i = 0; i < rounds; i++)
    {
      /* Every form: barging try, blocking, cancellable blocking. */
      if (i % 3 != 0 || !gasync_mutex_try_lock (contended->mutex))
        g_assert_true (gasync_mutex_lock (contended->mutex,
                                          i % 2 ? contended->cancellable : NULL,
                                          NULL));
      g_assert_cmpint (g_atomic_int_add (&contended->holders, 1), ==, 0);
      contended->counter++;
      g_atomic_int_add (&contended->holders, -1);
      gasync_mutex_unlock (contended->mutex);
    }
  return NULL;
}

static void
test_mutex_excludes_contended (void)
{
  Contended contended = { gasync_mutex_new (), 0, 0, g_cancellable_new () };
  GThread *threads[N_CONTENDERS];
  guint rounds = gasync_test_is_slow () ? N_CONTENDED_ROUNDS / 20
                                        : N_CONTENDED_ROUNDS;

  g_test_summary ("8 threads locking a tiny critical section in a loop "
                  "(barging, woken waiters racing, hand-offs) never hold "
                  "the mutex together and lose no increment.");
  g_test_bug ("17");

  for (guint i = 0; i < N_CONTENDERS; i++)
    threads[i] = g_thread_new ("contender", contender_thread, &contended);
  for (guint i = 0; i < N_CONTENDERS; i++)
    g_thread_join (threads[i]);

  g_assert_cmpuint (contended.counter, ==, (guint64) N_CONTENDERS * rounds);
  g_assert_true (gasync_mutex_try_lock (contended.mutex));
  gasync_mutex_unlock (contended.mutex);
  g_object_unref (contended.cancellable);
  g_object_unref (contended.mutex);
}

static void
test_mutex_bad_input (void)
{
  g_autoptr(GasyncMutex) mutex = gasync_mutex_new ();
  g_autoptr(GObject) not_cancellable = g_object_new (G_TYPE_OBJECT, NULL);

  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*G_IS_CANCELLABLE*");
  g_assert_false (gasync_mutex_lock (mutex, (GCancellable *) not_cancellable,
                                     NULL));
  g_test_assert_expected_messages ();

  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*GASYNC_IS_MUTEX*");
  g_assert_false (gasync_mutex_try_lock (NULL));
  g_test_assert_expected_messages ();
}

static void
locked_then_unlock_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  int *called = user_data;

  g_assert_true (gasync_mutex_lock_finish (GASYNC_MUTEX (source), result, &error));
  g_assert_no_error (error);
  gasync_mutex_unlock (GASYNC_MUTEX (source));
  *called = TRUE;
}

static void
test_mutex_last_unref_while_running (void)
{
  GasyncTestLifetime lifetime;
  GasyncMutex *mutex = gasync_mutex_new ();
  int called = FALSE;

  g_test_summary ("A mutex dropped while a main-loop locker waits lives on "
                  "until the locker's callback ran (as a GIO call keeps its "
                  "source object), then is finalized");
  g_test_bug ("13");
  gasync_test_lifetime_init (&lifetime);
  gasync_test_lifetime_watch (&lifetime, mutex);
  g_assert_true (gasync_mutex_lock (mutex, NULL, NULL));
  gasync_mutex_lock_async (mutex, NULL, locked_then_unlock_cb, &called);
  gasync_mutex_unlock (mutex);
  g_object_unref (mutex);
  g_assert_false (g_atomic_int_get (&lifetime.gone));

  gasync_test_lifetime_wait (&lifetime, 0);
  g_assert_true (called);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gasync/mutex/lock-unlock", test_mutex_lock_unlock);
  g_test_add_func ("/gasync/mutex/unlock-not-locked",
                   test_mutex_unlock_not_locked);
  g_test_add_func ("/gasync/mutex/lock-already-cancelled",
                   test_mutex_lock_already_cancelled);
  g_test_add_func ("/gasync/mutex/lock-cancelled-while-waiting",
                   test_mutex_lock_cancelled_while_waiting);
  g_test_add_func ("/gasync/mutex/handed-to-blocked-locker",
                   test_mutex_handed_to_blocked_locker);
  g_test_add_func ("/gasync/mutex/excludes", test_mutex_excludes);
  g_test_add_func ("/gasync/mutex/async-fifo", test_mutex_async_fifo);
  g_test_add_func ("/gasync/mutex/async-cancelled-waiter",
                   test_mutex_async_cancelled_waiter);
  g_test_add_func ("/gasync/mutex/async-free", test_mutex_async_free);
  g_test_add_func ("/gasync/mutex/async-after-blocking-holder",
                   test_mutex_async_after_blocking_holder);
  g_test_add_func ("/gasync/mutex/stress-cancel", test_mutex_stress_cancel);
  g_test_add_func ("/gasync/mutex/no-starvation", test_mutex_no_starvation);
  g_test_add_func ("/gasync/mutex/starving-hands-off",
                   test_mutex_starving_hands_off);
  g_test_add_func ("/gasync/mutex/starving-fifo", test_mutex_starving_fifo);
  g_test_add_func ("/gasync/mutex/cancelled-waiter-passes-on",
                   test_mutex_cancelled_waiter_passes_on);
  g_test_add_func ("/gasync/mutex/excludes-contended",
                   test_mutex_excludes_contended);
  g_test_add_func ("/gasync/mutex/bad-input", test_mutex_bad_input);
  g_test_add_func ("/gasync/mutex/last-unref-while-running",
                   test_mutex_last_unref_while_running);

  return g_test_run ();
}

/* test-sync.c: the one blocking wait, gasync_wait()
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#include "config.h"

#include "gasync-private.h"
#include "gasync-sync-private.h"
#include "gasync-test-util.h"

#define MAX_CALLS 16

/* A predicate's state, guarded by lock. The predicate records, at each
 * call, whether a handler was connected to the cancellable: the wait
 * connects one only once it must block, and disconnects it before it
 * returns. */
typedef struct
{
  GasyncLock lock;
  GasyncCond cond;
  GCancellable *cancellable;
  gboolean value;
  guint n_calls;
  gboolean connected[MAX_CALLS];
  /* When set, the predicate returns script[call] instead of value. */
  const gboolean *script;
} Sync;

static void
sync_init (Sync         *sync,
           GCancellable *cancellable)
{
  memset (sync, 0, sizeof *sync);
  gasync_lock_init (&sync->lock);
  gasync_cond_init (&sync->cond);
  sync->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
}

static void
sync_clear (Sync *sync)
{
  g_clear_object (&sync->cancellable);
  gasync_cond_clear (&sync->cond);
  gasync_lock_clear (&sync->lock);
}

/* Whether a wait blocks on @cancellable. */
static gboolean
is_connected (GCancellable *cancellable)
{
  return cancellable != NULL &&
         gasync_cancellable_get_n_waits (cancellable, NULL) > 0;
}

static gboolean
predicate (gpointer data)
{
  Sync *sync = data;
  guint call = sync->n_calls++;

  g_assert_cmpuint (call, <, MAX_CALLS);
  sync->connected[call] = is_connected (sync->cancellable);
  return sync->script != NULL ? sync->script[call] : sync->value;
}

static guint
get_n_calls (Sync *sync)
{
  guint n;

  gasync_lock (&sync->lock);
  n = sync->n_calls;
  gasync_unlock (&sync->lock);
  return n;
}

/* Waits (bounded) until the waiter has called the predicate @n times. */
static void
wait_for_calls (Sync  *sync,
                guint  n)
{
  gint64 deadline = gasync_test_deadline (30);

  while (get_n_calls (sync) < n)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_thread_yield ();
    }
}

static gboolean
sync_wait (Sync     *sync,
           gint64    deadline,
           GError  **error)
{
  gboolean ok;

  gasync_lock (&sync->lock);
  ok = gasync_wait (&sync->lock, &sync->cond, predicate, sync, deadline,
                    sync->cancellable, error);
  gasync_unlock (&sync->lock);
  return ok;
}

static void
test_wait_already_true (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Sync sync;

  g_test_summary ("A wait whose predicate holds returns at once, without "
                  "connecting to the cancellable");
  sync_init (&sync, cancellable);
  sync.value = TRUE;
  g_assert_true (sync_wait (&sync, G_MAXINT64, NULL));
  g_assert_cmpuint (sync.n_calls, ==, 1);
  g_assert_false (sync.connected[0]);
  sync_clear (&sync);
}

/* Once the waiter blocks (its predicate was called @n_calls times), makes
 * the predicate true and wakes it. */
typedef struct
{
  Sync *sync;
  guint n_calls;
} Setter;

static gpointer
set_thread (gpointer data)
{
  Setter *setter = data;

  wait_for_calls (setter->sync, setter->n_calls);
  gasync_lock (&setter->sync->lock);
  setter->sync->value = TRUE;
  gasync_cond_broadcast (&setter->sync->cond);
  gasync_unlock (&setter->sync->lock);
  return NULL;
}

static void
check_woken (GCancellable *cancellable)
{
  Sync sync;
  /* Without a cancellable the first call is the fast path's and the
   * second is after the first wake-up; with one, the second is after
   * the connection. */
  Setter setter = { &sync, cancellable != NULL ? 2 : 1 };
  GThread *thread;
  GError *error = NULL;

  sync_init (&sync, cancellable);
  thread = g_thread_new ("setter", set_thread, &setter);
  g_assert_true (sync_wait (&sync, gasync_test_deadline (30), &error));
  g_assert_no_error (error);
  g_thread_join (thread);

  g_assert_cmpuint (sync.n_calls, >=, 2);
  g_assert_false (sync.connected[0]);
  if (cancellable != NULL)
    g_assert_true (sync.connected[1]);
  g_assert_false (is_connected (cancellable));
  sync_clear (&sync);
}

static void
test_wait_woken (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  g_test_summary ("A wait returns TRUE once another thread makes its "
                  "predicate true; it is registered with its cancellable "
                  "while it blocks, and no longer once it returns");
  check_woken (NULL);
  check_woken (cancellable);
}

static void
test_wait_cancelled_before (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  GError *error = NULL;
  Sync sync;

  g_test_summary ("A wait on a cancellable cancelled already fails with "
                  "G_IO_ERROR_CANCELLED without connecting to it");
  g_cancellable_cancel (cancellable);
  sync_init (&sync, cancellable);
  g_assert_false (sync_wait (&sync, G_MAXINT64, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpuint (sync.n_calls, ==, 1);
  g_assert_false (is_connected (cancellable));
  sync_clear (&sync);
}

/* Once the waiter blocks, cancels its cancellable (after making its
 * predicate true, if @set). */
typedef struct
{
  Sync *sync;
  gboolean set;
} Canceller;

static gpointer
cancel_thread (gpointer data)
{
  Canceller *canceller = data;

  wait_for_calls (canceller->sync, 2);
  if (canceller->set)
    {
      /* No broadcast: only the cancellation wakes the waiter. */
      gasync_lock (&canceller->sync->lock);
      canceller->sync->value = TRUE;
      gasync_unlock (&canceller->sync->lock);
    }
  g_cancellable_cancel (canceller->sync->cancellable);
  return NULL;
}

/* Blocks in a wait on @cancellable until another thread cancels it, and
 * checks that the wait fails with G_IO_ERROR_CANCELLED and unregisters. */
static void
assert_cancelled_from_thread (GCancellable *cancellable)
{
  GError *error = NULL;
  Sync sync;
  Canceller canceller = { &sync, FALSE };
  GThread *thread;

  sync_init (&sync, cancellable);
  thread = g_thread_new ("canceller", cancel_thread, &canceller);
  g_assert_false (sync_wait (&sync, gasync_test_deadline (30), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_thread_join (thread);
  g_assert_false (is_connected (cancellable));
  sync_clear (&sync);
}

static void
test_wait_cancelled (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  g_test_summary ("A cancellable cancelled from another thread wakes a "
                  "blocked wait, which fails with G_IO_ERROR_CANCELLED");
  assert_cancelled_from_thread (cancellable);
}

static void
test_wait_new_cancellables (void)
{
  guint n_reused = 0;

  g_test_summary ("A wait on a new cancellable is woken by its cancel, "
                  "also when it has the address of a freed one that a "
                  "wait on this thread used just before (each thread "
                  "remembers the last cancellable's hub)");
  for (guint i = 0; i < 32; i++)
    {
      GCancellable *old = g_cancellable_new ();
      gpointer old_address = old;
      GCancellable *cancellable;
      GError *error = NULL;
      Sync sync;

      /* A wait that blocks on @old, then times out, and @old goes. */
      sync_init (&sync, old);
      g_assert_false (sync_wait (&sync, g_get_monotonic_time () + 100, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
      g_clear_error (&error);
      sync_clear (&sync);
      g_object_unref (old);

      /* Where @old was: tests/meson.build turns glibc's per-thread
       * cache off, so that calloc() gives the block back at once. */
      cancellable = g_cancellable_new ();
      n_reused += (gpointer) cancellable == old_address;
      assert_cancelled_from_thread (cancellable);
      g_object_unref (cancellable);
    }
  g_test_message ("%u of 32 new cancellables had the address of the one "
                  "before", n_reused);
}

static void
test_wait_predicate_wins (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  GError *error = NULL;
  Sync sync;
  Canceller canceller = { &sync, TRUE };
  GThread *thread;

  g_test_summary ("A wait whose predicate holds when its cancellable "
                  "fires returns TRUE");
  sync_init (&sync, cancellable);
  thread = g_thread_new ("canceller", cancel_thread, &canceller);
  g_assert_true (sync_wait (&sync, gasync_test_deadline (30), &error));
  g_assert_no_error (error);
  g_thread_join (thread);
  g_assert_true (g_cancellable_is_cancelled (cancellable));
  sync_clear (&sync);
}

static void
check_timed_out (GCancellable *cancellable)
{
  GError *error = NULL;
  Sync sync;

  sync_init (&sync, cancellable);
  g_assert_false (sync_wait (&sync,
                             g_get_monotonic_time () + 10 * G_TIME_SPAN_MILLISECOND,
                             &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_clear_error (&error);
  g_assert_false (is_connected (cancellable));
  sync_clear (&sync);

  /* A deadline that has passed is not worth a connection. */
  sync_init (&sync, cancellable);
  g_assert_false (sync_wait (&sync, g_get_monotonic_time () - 1, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_clear_error (&error);
  if (cancellable != NULL)
    g_assert_cmpuint (sync.n_calls, ==, 1);
  sync_clear (&sync);
}

static void
test_wait_timed_out (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  g_test_summary ("A wait fails with G_IO_ERROR_TIMED_OUT once its "
                  "deadline passes, with or without a cancellable");
  check_timed_out (NULL);
  check_timed_out (cancellable);
}

static void
test_wait_looks_again (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  /* The fast path; after the registration; after leaving (no
   * longer true: the lock was dropped); after the second registration;
   * after leaving again. */
  static const gboolean script[] = { FALSE, TRUE, FALSE, TRUE, TRUE };
  GError *error = NULL;
  Sync sync;

  g_test_summary ("A predicate that held, but no longer does once the "
                  "wait leaves the cancellable, does not end the wait");
  sync_init (&sync, cancellable);
  sync.script = script;
  g_assert_true (sync_wait (&sync, G_MAXINT64, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (sync.n_calls, ==, G_N_ELEMENTS (script));
  g_assert_false (sync.connected[0]);
  g_assert_true (sync.connected[1]);
  g_assert_false (sync.connected[2]);
  g_assert_true (sync.connected[3]);
  g_assert_false (sync.connected[4]);
  sync_clear (&sync);
}

/* For a wait without a predicate: wakes the waiter once it waits. */
typedef struct
{
  GasyncLock lock;
  GasyncCond cond;
  gboolean waiting;  /* set by the waiter, under the lock, before it waits */
} Broadcast;

static gpointer
broadcast_thread (gpointer data)
{
  Broadcast *b = data;
  gint64 deadline = gasync_test_deadline (30);
  gboolean waiting = FALSE;

  /* The waiter holds the lock from setting waiting until it waits. */
  while (!waiting)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      gasync_lock (&b->lock);
      waiting = b->waiting;
      if (waiting)
        gasync_cond_broadcast (&b->cond);
      gasync_unlock (&b->lock);
      if (!waiting)
        g_thread_yield ();
    }
  return NULL;
}

static void
test_wait_any_wake_up (void)
{
  Broadcast b = { 0 };
  GError *error = NULL;
  GThread *thread;
  gboolean ok;

  g_test_summary ("A wait without a predicate ends at the first wake-up, "
                  "or at its deadline");
  gasync_lock_init (&b.lock);
  gasync_cond_init (&b.cond);

  thread = g_thread_new ("broadcast", broadcast_thread, &b);
  gasync_lock (&b.lock);
  b.waiting = TRUE;
  ok = gasync_wait (&b.lock, &b.cond, NULL, NULL, gasync_test_deadline (30),
                    NULL, &error);
  gasync_unlock (&b.lock);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_thread_join (thread);

  gasync_lock (&b.lock);
  ok = gasync_wait (&b.lock, &b.cond, NULL, NULL,
                    g_get_monotonic_time () + 10 * G_TIME_SPAN_MILLISECOND,
                    NULL, &error);
  gasync_unlock (&b.lock);
  g_assert_false (ok);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_clear_error (&error);

  gasync_cond_clear (&b.cond);
  gasync_lock_clear (&b.lock);
}

/* gasync_spin(): a try function that says AGAIN until its script runs
 * out, then what the script's end says. */
typedef struct
{
  guint n_calls;
  guint done_at;    /* the call that says DONE, or 0 */
  guint stop_at;    /* the call that says STOP, or 0 */
} Spin;

static GasyncSpinResult
spin_try (gpointer data)
{
  Spin *spin = data;

  spin->n_calls++;
  if (spin->n_calls == spin->done_at)
    return GASYNC_SPIN_DONE;
  if (spin->n_calls == spin->stop_at)
    return GASYNC_SPIN_STOP;
  return GASYNC_SPIN_AGAIN;
}

static void
test_spin (void)
{
  Spin done = { 0, 2, 0 };
  Spin stop = { 0, 0, 2 };
  Spin never = { 0, 0, 0 };
  Spin late = { 0, GASYNC_SPIN_ROUNDS + 1, 0 };

  if (!gasync_spin_allowed ())
    {
      /* One processor, or valgrind: no try at all. */
      g_assert_false (gasync_spin (spin_try, &done));
      g_assert_cmpuint (done.n_calls, ==, 0);
      g_test_skip ("spinning is off on one processor and under valgrind");
      return;
    }

  g_assert_true (gasync_spin (spin_try, &done));
  g_assert_cmpuint (done.n_calls, ==, 2);
  g_assert_false (gasync_spin (spin_try, &stop));
  g_assert_cmpuint (stop.n_calls, ==, 2);
  /* Bounded: a few tries, then the caller sleeps. */
  g_assert_false (gasync_spin (spin_try, &never));
  g_assert_cmpuint (never.n_calls, ==, GASYNC_SPIN_ROUNDS);
  g_assert_false (gasync_spin (spin_try, &late));
  g_assert_cmpuint (late.n_calls, ==, GASYNC_SPIN_ROUNDS);
}

static void
test_deadline_add (void)
{
  g_test_summary ("A deadline saturates instead of wrapping");
  g_assert_cmpint (gasync_deadline_add (10, 5), ==, 15);
  g_assert_cmpint (gasync_deadline_add (10, G_MAXINT64), ==, G_MAXINT64);
  g_assert_cmpint (gasync_deadline_add (G_MAXINT64, 1), ==, G_MAXINT64);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gasync/sync/wait/already-true", test_wait_already_true);
  g_test_add_func ("/gasync/sync/wait/woken", test_wait_woken);
  g_test_add_func ("/gasync/sync/wait/cancelled-before",
                   test_wait_cancelled_before);
  g_test_add_func ("/gasync/sync/wait/cancelled", test_wait_cancelled);
  g_test_add_func ("/gasync/sync/wait/new-cancellables",
                   test_wait_new_cancellables);
  g_test_add_func ("/gasync/sync/wait/predicate-wins",
                   test_wait_predicate_wins);
  g_test_add_func ("/gasync/sync/wait/timed-out", test_wait_timed_out);
  g_test_add_func ("/gasync/sync/wait/looks-again", test_wait_looks_again);
  g_test_add_func ("/gasync/sync/wait/any-wake-up", test_wait_any_wake_up);
  g_test_add_func ("/gasync/sync/spin", test_spin);
  g_test_add_func ("/gasync/sync/deadline-add", test_deadline_add);

  return g_test_run ();
}

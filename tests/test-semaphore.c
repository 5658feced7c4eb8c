/* test-semaphore.c: GasyncSemaphore
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#include "config.h"

#include <gasync.h>

#include "gasync-semaphore-private.h"
#include "gasync-sync-private.h"
#include "gasync-test-util.h"

static void
test_semaphore_new (void)
{
  g_autoptr(GasyncSemaphore) sem = gasync_semaphore_new (3);
  int capacity = 0;

  g_assert_cmpint (gasync_semaphore_get_capacity (sem), ==, 3);
  g_assert_cmpint (gasync_semaphore_get_n_available (sem), ==, 3);
  g_object_get (sem, "capacity", &capacity, NULL);
  g_assert_cmpint (capacity, ==, 3);
}

static void
test_semaphore_bad_capacity (void)
{
  g_test_summary ("A capacity of 0 or less is a critical and gives NULL");

  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*capacity > 0*");
  g_assert_null (gasync_semaphore_new (0));
  g_test_assert_expected_messages ();

  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*capacity > 0*");
  g_assert_null (gasync_semaphore_new (-1));
  g_test_assert_expected_messages ();
}

static void
test_semaphore_try_acquire (void)
{
  g_autoptr(GasyncSemaphore) sem = gasync_semaphore_new (2);

  g_assert_true (gasync_semaphore_try_acquire (sem));
  g_assert_true (gasync_semaphore_try_acquire (sem));
  g_assert_false (gasync_semaphore_try_acquire (sem));
  g_assert_cmpint (gasync_semaphore_get_n_available (sem), ==, 0);
  gasync_semaphore_release (sem);
  g_assert_cmpint (gasync_semaphore_get_n_available (sem), ==, 1);
  g_assert_true (gasync_semaphore_try_acquire (sem));
  gasync_semaphore_release (sem);
  gasync_semaphore_release (sem);
  g_assert_cmpint (gasync_semaphore_get_n_available (sem), ==, 2);
}

static void
test_semaphore_over_release (void)
{
  g_autoptr(GasyncSemaphore) sem = gasync_semaphore_new (1);

  g_test_summary ("Releasing more than was acquired is a critical and "
                  "leaves the count unchanged");

  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL,
                         "*released more slots than were acquired*");
  gasync_semaphore_release (sem);
  g_test_assert_expected_messages ();
  g_assert_cmpint (gasync_semaphore_get_n_available (sem), ==, 1);
  g_assert_true (gasync_semaphore_try_acquire (sem));
  g_assert_false (gasync_semaphore_try_acquire (sem));
  gasync_semaphore_release (sem);
}

static void
test_semaphore_bad_input (void)
{
  g_autoptr(GObject) not_a_semaphore = g_object_new (G_TYPE_OBJECT, NULL);
  g_autoptr(GasyncSemaphore) sem = gasync_semaphore_new (1);

  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*GASYNC_IS_SEMAPHORE*");
  g_assert_false (gasync_semaphore_try_acquire (NULL));
  g_test_assert_expected_messages ();

  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*GASYNC_IS_SEMAPHORE*");
  gasync_semaphore_release ((GasyncSemaphore *) not_a_semaphore);
  g_test_assert_expected_messages ();

  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*G_IS_CANCELLABLE*");
  g_assert_false (gasync_semaphore_acquire (sem, (GCancellable *) not_a_semaphore, NULL));
  g_test_assert_expected_messages ();

  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*GASYNC_IS_SEMAPHORE*");
  g_assert_cmpint (gasync_semaphore_get_n_available (NULL), ==, 0);
  g_test_assert_expected_messages ();
  g_assert_cmpint (gasync_semaphore_get_n_available (sem), ==, 1);
}

typedef struct
{
  GasyncSemaphore *sem;
  GCancellable *cancellable;
  gboolean acquired;
  GError *error;
} AcquireData;

static gpointer
acquire_thread (gpointer user_data)
{
  AcquireData *data = user_data;

  data->acquired = gasync_semaphore_acquire (data->sem, data->cancellable,
                                             &data->error);
  return NULL;
}

static void
test_semaphore_acquire_blocks_until_release (void)
{
  AcquireData data = { 0 };
  GThread *thread;

  g_test_summary ("acquire() blocks while no slot is free and takes the "
                  "slot that a release frees");

  data.sem = gasync_semaphore_new (1);
  g_assert_true (gasync_semaphore_acquire (data.sem, NULL, NULL));
  thread = g_thread_new ("acquire", acquire_thread, &data);
  gasync_semaphore_release (data.sem);
  g_thread_join (thread);

  g_assert_true (data.acquired);
  g_assert_no_error (data.error);
  g_assert_cmpint (gasync_semaphore_get_n_available (data.sem), ==, 0);
  gasync_semaphore_release (data.sem);
  g_object_unref (data.sem);
}

static void
test_semaphore_acquire_cancelled (void)
{
  AcquireData data = { 0 };
  GThread *thread;

  g_test_summary ("acquire() fails with G_IO_ERROR_CANCELLED when its "
                  "cancellable fires, before the call (even with a free "
                  "slot) or while it waits");

  data.sem = gasync_semaphore_new (1);
  data.cancellable = g_cancellable_new ();
  g_assert_true (gasync_semaphore_try_acquire (data.sem));

  thread = g_thread_new ("acquire", acquire_thread, &data);
  g_cancellable_cancel (data.cancellable);
  g_thread_join (thread);
  g_assert_false (data.acquired);
  g_assert_error (data.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&data.error);

  /* A cancellable cancelled before the call takes no slot, even a free
   * one, as with acquire_async(). */
  gasync_semaphore_release (data.sem);
  g_assert_false (gasync_semaphore_acquire (data.sem, data.cancellable,
                                            &data.error));
  g_assert_error (data.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&data.error);
  g_assert_cmpint (gasync_semaphore_get_n_available (data.sem), ==, 1);

  g_object_unref (data.cancellable);
  g_object_unref (data.sem);
}

typedef struct
{
  GMainContext *context;
  GThread *owner;
  GPtrArray *order; /* of GINT_TO_POINTER (id) for each success */
  guint n_done;
  guint n_cancelled;
  gboolean on_owner;
} AsyncData;

typedef struct
{
  AsyncData *data;
  int id;
} AsyncCall;

static void
acquired_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  AsyncCall *call = user_data;
  g_autoptr(GError) error = NULL;

  call->data->on_owner = call->data->on_owner &&
                         g_thread_self () == call->data->owner;
  if (gasync_semaphore_acquire_finish (GASYNC_SEMAPHORE (object), result, &error))
    g_ptr_array_add (call->data->order, GINT_TO_POINTER (call->id));
  else
    {
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      call->data->n_cancelled++;
    }
  call->data->n_done++;
  g_free (call);
}

static void
acquire_async (GasyncSemaphore *sem,
               GCancellable    *cancellable,
               AsyncData       *data,
               int              id)
{
  AsyncCall *call = g_new (AsyncCall, 1);

  call->data = data;
  call->id = id;
  gasync_semaphore_acquire_async (sem, cancellable, acquired_cb, call);
}

static void
async_data_wait (AsyncData *data,
                 guint      n_done)
{
  gasync_test_iterate_until_count (data->context, &data->n_done, n_done);
  g_assert_cmpuint (data->n_done, ==, n_done);
}

static void
async_data_init (AsyncData *data)
{
  data->context = g_main_context_new ();
  data->owner = g_thread_self ();
  data->order = g_ptr_array_new ();
  data->on_owner = TRUE;
  g_main_context_push_thread_default (data->context);
}

static void
async_data_clear (AsyncData *data)
{
  g_assert_true (data->on_owner);
  g_main_context_pop_thread_default (data->context);
  gasync_test_flush (data->context);
  g_main_context_unref (data->context);
  g_ptr_array_unref (data->order);
}

static gpointer
release_thread (gpointer user_data)
{
  gasync_semaphore_release (user_data);
  return NULL;
}

static void
test_semaphore_acquire_async_fifo (void)
{
  AsyncData data = { 0 };
  g_autoptr(GasyncSemaphore) sem = gasync_semaphore_new (1);

  g_test_summary ("acquire_async() waiters get slots in the order they "
                  "asked, on the caller's context, also when another "
                  "thread releases");

  async_data_init (&data);
  acquire_async (sem, NULL, &data, 0);
  acquire_async (sem, NULL, &data, 1);
  acquire_async (sem, NULL, &data, 2);
  async_data_wait (&data, 1);
  g_assert_cmpuint (data.order->len, ==, 1);
  g_assert_false (gasync_semaphore_try_acquire (sem));

  g_thread_join (g_thread_new ("release", release_thread, sem));
  async_data_wait (&data, 2);
  g_thread_join (g_thread_new ("release", release_thread, sem));
  async_data_wait (&data, 3);

  g_assert_cmpuint (data.order->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpint (GPOINTER_TO_INT (data.order->pdata[i]), ==, i);
  g_assert_cmpint (gasync_semaphore_get_n_available (sem), ==, 0);
  gasync_semaphore_release (sem);
  g_assert_cmpint (gasync_semaphore_get_n_available (sem), ==, 1);
  async_data_clear (&data);
}

static void
test_semaphore_acquire_async_cancelled (void)
{
  AsyncData data = { 0 };
  g_autoptr(GasyncSemaphore) sem = gasync_semaphore_new (1);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GCancellable) cancelled = g_cancellable_new ();

  g_test_summary ("A cancelled acquire_async() fails with "
                  "G_IO_ERROR_CANCELLED and takes no slot; a slot already "
                  "taken stays taken when cancelled afterwards");

  async_data_init (&data);
  g_assert_true (gasync_semaphore_try_acquire (sem));

  g_cancellable_cancel (cancelled);
  acquire_async (sem, cancelled, &data, 0);
  acquire_async (sem, cancellable, &data, 1);
  acquire_async (sem, NULL, &data, 2);
  async_data_wait (&data, 1);
  g_cancellable_cancel (cancellable);
  async_data_wait (&data, 2);
  g_assert_cmpuint (data.n_cancelled, ==, 2);

  gasync_semaphore_release (sem);
  async_data_wait (&data, 3);
  g_assert_cmpuint (data.order->len, ==, 1);
  g_assert_cmpint (GPOINTER_TO_INT (data.order->pdata[0]), ==, 2);

  /* Granted, then cancelled before the callback ran: the slot is kept. */
  g_cancellable_reset (cancellable);
  gasync_semaphore_release (sem);
  acquire_async (sem, cancellable, &data, 3);
  g_cancellable_cancel (cancellable);
  async_data_wait (&data, 4);
  g_assert_cmpuint (data.order->len, ==, 2);
  g_assert_cmpint (gasync_semaphore_get_n_available (sem), ==, 0);
  gasync_semaphore_release (sem);
  async_data_clear (&data);
}

static void
test_semaphore_acquire_async_cancelled_then_reset (void)
{
  AsyncData data = { 0 };
  g_autoptr(GasyncSemaphore) sem = gasync_semaphore_new (1);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  g_test_summary ("An acquire_async() cancelled while queued fails with "
                  "G_IO_ERROR_CANCELLED even if its cancellable was reset "
                  "before the callback ran, and takes no slot");
  g_test_bug ("17");

  async_data_init (&data);
  g_assert_true (gasync_semaphore_try_acquire (sem));
  acquire_async (sem, cancellable, &data, 0);
  /* The callback is queued on the context, which is not iterated yet. */
  g_cancellable_cancel (cancellable);
  g_cancellable_reset (cancellable);
  async_data_wait (&data, 1);
  g_assert_cmpuint (data.n_cancelled, ==, 1);
  g_assert_cmpuint (data.order->len, ==, 0);

  g_assert_cmpint (gasync_semaphore_get_n_available (sem), ==, 0);
  gasync_semaphore_release (sem);
  g_assert_cmpint (gasync_semaphore_get_n_available (sem), ==, 1);
  async_data_clear (&data);
}

/* A thread blocked in acquire() with a cancellable of its own, so that the
 * test can tell when it is queued. */
typedef struct
{
  GasyncSemaphore *sem;
  GCancellable *cancellable;
  GThread *thread;
  int done;      /* atomic */
  int acquired;  /* atomic */
} Blocker;

static gpointer
blocker_thread (gpointer user_data)
{
  Blocker *blocker = user_data;

  g_atomic_int_set (&blocker->acquired,
                    gasync_semaphore_acquire (blocker->sem, blocker->cancellable, NULL));
  g_atomic_int_set (&blocker->done, TRUE);
  return NULL;
}

static gboolean
blocker_is_waiting (gpointer user_data)
{
  Blocker *blocker = user_data;

  return gasync_cancellable_get_n_waits (blocker->cancellable, NULL) == 1;
}

/* Starts @blocker and waits until it is queued. */
static void
blocker_start (Blocker         *blocker,
               GasyncSemaphore *sem)
{
  blocker->sem = sem;
  blocker->cancellable = g_cancellable_new ();
  blocker->thread = g_thread_new ("blocker", blocker_thread, blocker);
  gasync_test_iterate_until (NULL, blocker_is_waiting, blocker,
                             GASYNC_TEST_TIMEOUT_SECONDS);
}

static gboolean
blocker_acquired (Blocker *blocker)
{
  g_thread_join (blocker->thread);
  g_clear_object (&blocker->cancellable);
  return g_atomic_int_get (&blocker->acquired);
}

static void
test_semaphore_blocked_hand_off (void)
{
  g_autoptr(GasyncSemaphore) sem = gasync_semaphore_new (1);
  Blocker first = { 0 };
  Blocker cancelled = { 0 };
  Blocker last = { 0 };

  g_test_summary ("A release hands its slot straight to the longest-blocked "
                  "acquire(): no other caller can take it meanwhile, and a "
                  "waiter that was cancelled while queued gets none");
  g_test_bug ("17");

  g_assert_true (gasync_semaphore_try_acquire (sem));
  blocker_start (&first, sem);
  blocker_start (&cancelled, sem);
  blocker_start (&last, sem);

  /* Granted to the first, before it even woke. */
  gasync_semaphore_release (sem);
  g_assert_false (gasync_semaphore_try_acquire (sem));
  g_assert_cmpint (gasync_semaphore_get_n_available (sem), ==, 0);
  g_assert_true (blocker_acquired (&first));
  g_assert_false (g_atomic_int_get (&last.done));

  g_cancellable_cancel (cancelled.cancellable);
  g_assert_false (blocker_acquired (&cancelled));
  g_assert_false (g_atomic_int_get (&last.done));

  /* The first's slot goes to the last, not to the cancelled one. */
  gasync_semaphore_release (sem);
  g_assert_true (blocker_acquired (&last));
  g_assert_cmpint (gasync_semaphore_get_n_available (sem), ==, 0);
  gasync_semaphore_release (sem);
  g_assert_cmpint (gasync_semaphore_get_n_available (sem), ==, 1);
}

static void
test_semaphore_async_before_blocked (void)
{
  AsyncData data = { 0 };
  g_autoptr(GasyncSemaphore) sem = gasync_semaphore_new (1);
  Blocker blocker = { 0 };

  g_test_summary ("A released slot goes to a queued acquire_async() before "
                  "a blocked acquire(), then to the blocked one");
  g_test_bug ("17");

  async_data_init (&data);
  g_assert_true (gasync_semaphore_try_acquire (sem));
  blocker_start (&blocker, sem);
  acquire_async (sem, NULL, &data, 0);

  gasync_semaphore_release (sem);
  async_data_wait (&data, 1);
  g_assert_cmpuint (data.order->len, ==, 1);
  g_assert_false (g_atomic_int_get (&blocker.done));

  gasync_semaphore_release (sem);
  g_assert_true (blocker_acquired (&blocker));
  gasync_semaphore_release (sem);
  g_assert_cmpint (gasync_semaphore_get_n_available (sem), ==, 1);
  async_data_clear (&data);
}

typedef struct
{
  GasyncSemaphore *sem;
  int holders;     /* atomic */
  int max_holders; /* atomic */
} Contended;

#define CONTENDED_THREADS 4
#define CONTENDED_ROUNDS 2000

static gpointer
contended_thread (gpointer user_data)
{
  Contended *data = user_data;

  for (guint i = 0; i < CONTENDED_ROUNDS; i++)
    {
      int holders;

      /* Blocking, taking a free slot, and releasing without the lock
       * while others queue. */
      if (i % 3 != 0 || !gasync_semaphore_try_acquire (data->sem))
        g_assert_true (gasync_semaphore_acquire (data->sem, NULL, NULL));
      holders = g_atomic_int_add (&data->holders, 1) + 1;
      if (holders > g_atomic_int_get (&data->max_holders))
        g_atomic_int_set (&data->max_holders, holders);
      g_atomic_int_add (&data->holders, -1);
      gasync_semaphore_release (data->sem);
    }
  return NULL;
}

static void
test_semaphore_contended (void)
{
  Contended data = { 0 };
  GThread *threads[CONTENDED_THREADS];

  g_test_summary ("Threads that take and give back slots at once never "
                  "hold more than the capacity, and none is left waiting: "
                  "a release that raises the count as a waiter queues "
                  "hands the slot on");
  g_test_bug ("17");

  for (int capacity = 1; capacity <= 2; capacity++)
    {
      data.sem = gasync_semaphore_new (capacity);
      g_atomic_int_set (&data.max_holders, 0);
      for (guint i = 0; i < CONTENDED_THREADS; i++)
        threads[i] = g_thread_new ("contended", contended_thread, &data);
      for (guint i = 0; i < CONTENDED_THREADS; i++)
        g_thread_join (threads[i]);
      g_assert_cmpint (g_atomic_int_get (&data.max_holders), <=, capacity);
      g_assert_cmpint (gasync_semaphore_get_n_available (data.sem), ==, capacity);
      g_object_unref (data.sem);
    }
}

/* Queues a waiter, once, from a release that found no one waiting and is
 * about to raise the count: the waiter finds no free slot and queues. */
typedef struct
{
  AsyncData *data;  /* for an acquire_async() waiter, or */
  Blocker *blocker; /* for a blocked acquire() */
  guint n_calls;
} QueueWaiterHook;

static void
queue_waiter_hook (GasyncSemaphore *sem,
                   gpointer         user_data)
{
  QueueWaiterHook *hook = user_data;

  if (hook->n_calls++ > 0)
    return;
  if (hook->data != NULL)
    acquire_async (sem, NULL, hook->data, 0);
  else
    blocker_start (hook->blocker, sem);
  g_assert_cmpint (gasync_semaphore_get_n_available (sem), ==, 0);
}

/* Takes @sem's only slot and releases it with @hook, which queues a
 * waiter once the release has found no one waiting. */
static void
release_queuing_waiter (GasyncSemaphore *sem,
                        QueueWaiterHook *hook)
{
  g_assert_true (gasync_semaphore_try_acquire (sem));
  gasync_semaphore_set_release_hook_for_testing (sem, queue_waiter_hook, hook);
  gasync_semaphore_release (sem);
  gasync_semaphore_set_release_hook_for_testing (sem, NULL, NULL);
  g_assert_cmpuint (hook->n_calls, ==, 1);
}

static void
test_semaphore_release_as_async_waiter_queues (void)
{
  g_autoptr(GasyncSemaphore) sem = gasync_semaphore_new (1);
  AsyncData data = { 0 };
  QueueWaiterHook hook = { &data, NULL, 0 };

  g_test_summary ("A release that found no one waiting, but raises the "
                  "count only once an acquire_async() queued, hands the "
                  "slot to it: the slot is not left free with a waiter "
                  "queued");
  g_test_bug ("17");

  async_data_init (&data);
  release_queuing_waiter (sem, &hook);

  /* Handed on before the release returned. */
  g_assert_cmpint (gasync_semaphore_get_n_available (sem), ==, 0);
  async_data_wait (&data, 1);
  g_assert_cmpuint (data.order->len, ==, 1);
  gasync_semaphore_release (sem);
  g_assert_cmpint (gasync_semaphore_get_n_available (sem), ==, 1);
  async_data_clear (&data);
}

static void
test_semaphore_release_as_blocked_waiter_queues (void)
{
  g_autoptr(GasyncSemaphore) sem = gasync_semaphore_new (1);
  Blocker blocker = { 0 };
  QueueWaiterHook hook = { NULL, &blocker, 0 };

  g_test_summary ("A release that found no one waiting, but raises the "
                  "count only once an acquire() blocked, hands the slot to "
                  "it: the slot is not left free with a thread blocked");
  g_test_bug ("17");

  release_queuing_waiter (sem, &hook);

  /* Granted before the release returned. */
  g_assert_cmpint (gasync_semaphore_get_n_available (sem), ==, 0);
  g_assert_true (blocker_acquired (&blocker));
  gasync_semaphore_release (sem);
  g_assert_cmpint (gasync_semaphore_get_n_available (sem), ==, 1);
}

static void
acquired_then_release_cb (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  int *called = user_data;

  g_assert_true (gasync_semaphore_acquire_finish (GASYNC_SEMAPHORE (source), result, &error));
  g_assert_no_error (error);
  gasync_semaphore_release (GASYNC_SEMAPHORE (source));
  *called = TRUE;
}

static void
test_semaphore_last_unref_while_running (void)
{
  GasyncTestLifetime lifetime;
  GasyncSemaphore *semaphore = gasync_semaphore_new (1);
  int called = FALSE;

  g_test_summary ("A semaphore dropped while a main-loop acquirer waits "
                  "lives on until the acquirer's callback ran (as a GIO "
                  "call keeps its source object), then is finalized");
  g_test_bug ("13");
  gasync_test_lifetime_init (&lifetime);
  gasync_test_lifetime_watch (&lifetime, semaphore);
  g_assert_true (gasync_semaphore_try_acquire (semaphore));
  gasync_semaphore_acquire_async (semaphore, NULL, acquired_then_release_cb, &called);
  gasync_semaphore_release (semaphore);
  g_object_unref (semaphore);
  g_assert_false (g_atomic_int_get (&lifetime.gone));

  gasync_test_lifetime_wait (&lifetime, 0);
  g_assert_true (called);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gasync/semaphore/new", test_semaphore_new);
  g_test_add_func ("/gasync/semaphore/bad-capacity", test_semaphore_bad_capacity);
  g_test_add_func ("/gasync/semaphore/try-acquire", test_semaphore_try_acquire);
  g_test_add_func ("/gasync/semaphore/over-release", test_semaphore_over_release);
  g_test_add_func ("/gasync/semaphore/bad-input", test_semaphore_bad_input);
  g_test_add_func ("/gasync/semaphore/acquire-blocks", test_semaphore_acquire_blocks_until_release);
  g_test_add_func ("/gasync/semaphore/acquire-cancelled", test_semaphore_acquire_cancelled);
  g_test_add_func ("/gasync/semaphore/acquire-async-fifo", test_semaphore_acquire_async_fifo);
  g_test_add_func ("/gasync/semaphore/acquire-async-cancelled", test_semaphore_acquire_async_cancelled);
  g_test_add_func ("/gasync/semaphore/acquire-async-cancelled-then-reset",
                   test_semaphore_acquire_async_cancelled_then_reset);
  g_test_add_func ("/gasync/semaphore/blocked-hand-off", test_semaphore_blocked_hand_off);
  g_test_add_func ("/gasync/semaphore/async-before-blocked",
                   test_semaphore_async_before_blocked);
  g_test_add_func ("/gasync/semaphore/contended", test_semaphore_contended);
  g_test_add_func ("/gasync/semaphore/release-as-async-waiter-queues",
                   test_semaphore_release_as_async_waiter_queues);
  g_test_add_func ("/gasync/semaphore/release-as-blocked-waiter-queues",
                   test_semaphore_release_as_blocked_waiter_queues);
  g_test_add_func ("/gasync/semaphore/last-unref-while-running",
                   test_semaphore_last_unref_while_running);

  return g_test_run ();
}

/* test-sync-async.c: the blocking and the asynchronous form of a call fail
 * the same way
 *
 * One table, one check per pair: with a cancellable that was cancelled
 * before the call, both forms fail with G_IO_ERROR_CANCELLED, also when the
 * call could have succeeded at once (the time passed, a slot or the lock is
 * free, the count is zero, the future is settled, nothing runs), as GIO's
 * calls do; and neither keeps what it would have taken.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#include <gasync.h>

#include "gasync-test-util.h"

typedef struct
{
  const char *path;
  /* Makes the object, in a state where the call succeeds at once. */
  gpointer (*setup) (void);
  gboolean (*call) (gpointer       object,
                    GCancellable  *cancellable,
                    GError       **error);
  void (*call_async) (gpointer             object,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data);
  gboolean (*finish) (gpointer       object,
                      GAsyncResult  *result,
                      GError       **error);
  /* Checks that a failed call took nothing, then frees the object. */
  void (*teardown) (gpointer object);
} Pair;

/* Sleeps: no object. */

static gpointer
sleep_setup (void)
{
  return NULL;
}

static gboolean
sleep_call (gpointer       object,
            GCancellable  *cancellable,
            GError       **error)
{
  return gasync_sleep (0, cancellable, error);
}

static void
sleep_call_async (gpointer             object,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  gasync_sleep_async (0, cancellable, callback, user_data);
}

static gboolean
sleep_finish (gpointer       object,
              GAsyncResult  *result,
              GError       **error)
{
  return gasync_sleep_finish (result, error);
}

static void
nothing_teardown (gpointer object)
{
}

/* Semaphores: a free slot. */

static gpointer
semaphore_setup (void)
{
  return gasync_semaphore_new (1);
}

static gboolean
semaphore_call (gpointer       object,
                GCancellable  *cancellable,
                GError       **error)
{
  return gasync_semaphore_acquire (object, cancellable, error);
}

static void
semaphore_call_async (gpointer             object,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  gasync_semaphore_acquire_async (object, cancellable, callback, user_data);
}

static gboolean
semaphore_finish (gpointer       object,
                  GAsyncResult  *result,
                  GError       **error)
{
  return gasync_semaphore_acquire_finish (object, result, error);
}

static void
semaphore_teardown (gpointer object)
{
  g_assert_cmpint (gasync_semaphore_get_n_available (object), ==, 1);
  g_object_unref (object);
}

/* Mutexes: unlocked. */

static gpointer
mutex_setup (void)
{
  return gasync_mutex_new ();
}

static gboolean
mutex_call (gpointer       object,
            GCancellable  *cancellable,
            GError       **error)
{
  return gasync_mutex_lock (object, cancellable, error);
}

static void
mutex_call_async (gpointer             object,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  gasync_mutex_lock_async (object, cancellable, callback, user_data);
}

static gboolean
mutex_finish (gpointer       object,
              GAsyncResult  *result,
              GError       **error)
{
  return gasync_mutex_lock_finish (object, result, error);
}

static void
mutex_teardown (gpointer object)
{
  g_assert_true (gasync_mutex_try_lock (object));
  gasync_mutex_unlock (object);
  g_object_unref (object);
}

/* Wait groups: a count of zero. */

static gpointer
wait_group_setup (void)
{
  return gasync_wait_group_new ();
}

static gboolean
wait_group_call (gpointer       object,
                 GCancellable  *cancellable,
                 GError       **error)
{
  return gasync_wait_group_wait (object, cancellable, error);
}

static void
wait_group_call_async (gpointer             object,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  gasync_wait_group_wait_async (object, cancellable, callback, user_data);
}

static gboolean
wait_group_finish (gpointer       object,
                   GAsyncResult  *result,
                   GError       **error)
{
  return gasync_wait_group_wait_finish (object, result, error);
}

/* Task groups: no task runs. */

static gpointer
tasks_setup (void)
{
  return gasync_tasks_new ("sync-async");
}

static gboolean
tasks_call (gpointer       object,
            GCancellable  *cancellable,
            GError       **error)
{
  return gasync_tasks_wait (object, cancellable, error);
}

static void
tasks_call_async (gpointer             object,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  gasync_tasks_wait_async (object, cancellable, callback, user_data);
}

static gboolean
tasks_finish (gpointer       object,
              GAsyncResult  *result,
              GError       **error)
{
  return gasync_tasks_wait_finish (object, result, error);
}

/* Futures: resolved. */

static gpointer
future_setup (void)
{
  GasyncFuture *future = gasync_future_new ();
  GValue value = G_VALUE_INIT;

  g_value_init (&value, G_TYPE_INT);
  g_value_set_int (&value, 42);
  g_assert_true (gasync_future_resolve_value (future, &value));
  return future;
}

static gboolean
future_call (gpointer       object,
             GCancellable  *cancellable,
             GError       **error)
{
  return gasync_future_wait (object, cancellable, error);
}

static void
future_call_async (gpointer             object,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  gasync_future_await_async (object, cancellable, callback, user_data);
}

static gboolean
future_finish (gpointer       object,
               GAsyncResult  *result,
               GError       **error)
{
  GValue *value = gasync_future_await_finish (object, result, error);

  if (value == NULL)
    return FALSE;
  g_value_unset (value);
  g_free (value);
  return TRUE;
}

/* Batches: one item that succeeds. */

static gboolean
item_succeeds (GObject       *item,
               GCancellable  *cancellable,
               gpointer       user_data,
               GError       **error)
{
  return TRUE;
}

static gpointer
batch_setup (void)
{
  return gasync_batch_new (item_succeeds, NULL, NULL);
}

static GPtrArray *
batch_items (void)
{
  GPtrArray *items = g_ptr_array_new_with_free_func (g_object_unref);

  g_ptr_array_add (items, g_object_new (G_TYPE_OBJECT, NULL));
  return items;
}

static gboolean
batch_call (gpointer       object,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autoptr(GPtrArray) items = batch_items ();

  return gasync_batch_run (object, items, cancellable, error);
}

static void
batch_call_async (gpointer             object,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  g_autoptr(GPtrArray) items = batch_items ();

  gasync_batch_run_async (object, items, cancellable, callback, user_data);
}

static gboolean
batch_finish (gpointer       object,
              GAsyncResult  *result,
              GError       **error)
{
  return gasync_batch_run_finish (object, result, error);
}

/* Work queues: started, with nothing queued. */

static gpointer
work_queue_setup (void)
{
  GasyncWorkQueue *queue = gasync_work_queue_new (item_succeeds, NULL, NULL);

  g_assert_true (gasync_work_queue_start (queue, NULL));
  return queue;
}

static gboolean
work_queue_call (gpointer       object,
                 GCancellable  *cancellable,
                 GError       **error)
{
  return gasync_work_queue_stop (object, cancellable, error);
}

static void
work_queue_call_async (gpointer             object,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  gasync_work_queue_stop_async (object, cancellable, callback, user_data);
}

static gboolean
work_queue_finish (gpointer       object,
                   GAsyncResult  *result,
                   GError       **error)
{
  return gasync_work_queue_stop_finish (object, result, error);
}

static void
work_queue_teardown (gpointer object)
{
  /* The stop went on although its caller gave up waiting. */
  g_assert_false (gasync_work_queue_is_started (object));
  g_assert_cmpuint (gasync_work_queue_close (object, NULL, NULL), ==, 0);
  g_object_unref (object);
}

static const Pair pairs[] = {
  { "/gasync/sleep/sync-async-cancelled", sleep_setup, sleep_call,
    sleep_call_async, sleep_finish, nothing_teardown },
  { "/gasync/semaphore/sync-async-cancelled", semaphore_setup, semaphore_call,
    semaphore_call_async, semaphore_finish, semaphore_teardown },
  { "/gasync/mutex/sync-async-cancelled", mutex_setup, mutex_call,
    mutex_call_async, mutex_finish, mutex_teardown },
  { "/gasync/wait-group/sync-async-cancelled", wait_group_setup, wait_group_call,
    wait_group_call_async, wait_group_finish, g_object_unref },
  { "/gasync/tasks/sync-async-cancelled", tasks_setup, tasks_call,
    tasks_call_async, tasks_finish, g_object_unref },
  { "/gasync/future/sync-async-cancelled", future_setup, future_call,
    future_call_async, future_finish, g_object_unref },
  { "/gasync/batch/sync-async-cancelled", batch_setup, batch_call,
    batch_call_async, batch_finish, g_object_unref },
  { "/gasync/work-queue/sync-async-cancelled", work_queue_setup, work_queue_call,
    work_queue_call_async, work_queue_finish, work_queue_teardown },
};

typedef struct
{
  const Pair *pair;
  gpointer object;
  gboolean ok;
  GError *error;
  int done;
} Finished;

static void
finished_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Finished *finished = user_data;

  finished->ok = finished->pair->finish (finished->object, result,
                                         &finished->error);
  g_atomic_int_set (&finished->done, 1);
}

static void
test_sync_async_cancelled (gconstpointer data)
{
  const Pair *pair = data;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  Finished finished = { pair };
  gpointer object;

  g_test_summary ("With a cancellable cancelled before the call, the "
                  "blocking and the asynchronous form both fail with "
                  "G_IO_ERROR_CANCELLED, even where the call could succeed "
                  "at once, and take nothing.");
  g_cancellable_cancel (cancellable);

  object = pair->setup ();
  g_assert_false (pair->call (object, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  pair->teardown (object);

  finished.object = pair->setup ();
  pair->call_async (finished.object, cancellable, finished_cb, &finished);
  gasync_test_iterate_until_flag (NULL, &finished.done);
  g_assert_false (finished.ok);
  g_assert_error (finished.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&finished.error);
  pair->teardown (finished.object);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (pairs); i++)
    g_test_add_data_func (pairs[i].path, &pairs[i], test_sync_async_cancelled);

  return g_test_run ();
}

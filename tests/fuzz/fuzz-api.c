/* fuzz-api.c: a libFuzzer target that drives a stopper and a work queue
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 *
 * The fuzzer's bytes are a program: the first bytes size a semaphore and a
 * work queue, every further byte is one API call (tasks of every kind,
 * tokens, closers, quiesce, items pushed blocking and not) on a stopper and
 * a queue, in any order. After the program the stopper is stopped and the
 * queue closed, and the promises are checked: every accepted task ran
 * exactly once, a refused one never ran, every destroy notify ran once,
 * every closer ran once, every accepted item was processed or discarded and
 * freed exactly once. Any other outcome aborts, and ASan/UBSan watch the
 * memory meanwhile.
 *
 * Build: meson setup _build-fuzz -Dfuzzing=true (with CC=clang); run:
 * _build-fuzz/tests/fuzz/fuzz-api -max_total_time=60 tests/fuzz/corpus
 */

#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include <gasync.h>

#define MAX_TOKENS 16

typedef struct
{
  gint accepted;  /* async tasks accepted */
  gint refused;   /* async tasks refused */
  gint ran;       /* async task bodies run */
  gint destroyed; /* destroy notifies run */
  gint closers_added;
  gint closers_ran;
  gint items_accepted;
  gint items_processed;
  gint items_freed;
} Counts;

static Counts counts;

static gboolean
task_func (GCancellable  *cancellable,
           gpointer       user_data,
           GError       **error)
{
  g_atomic_int_inc (&counts.ran);
  return TRUE;
}

static gboolean
sync_task_func (GCancellable  *cancellable,
                gpointer       user_data,
                GError       **error)
{
  return TRUE;
}

static void
task_destroy (gpointer data)
{
  g_atomic_int_inc (&counts.destroyed);
}

static void
closer (gpointer data)
{
  counts.closers_ran++;
}

static gboolean
work_func (gpointer       item,
           GCancellable  *cancellable,
           gpointer       user_data,
           GError       **error)
{
  g_atomic_int_inc (&counts.items_processed);
  return TRUE;
}

static void
item_free (gpointer item)
{
  g_atomic_int_inc (&counts.items_freed);
  g_free (item);
}

static void
check (gboolean    ok,
       const char *what)
{
  if (!ok)
    {
      g_printerr ("fuzz-api: broken promise: %s\n", what);
      abort ();
    }
}

static void
count_async (gboolean accepted)
{
  if (accepted)
    counts.accepted++;
  else
    counts.refused++;
}

static void
enqueue (GasyncWorkQueue *queue,
         gboolean         wait)
{
  g_autoptr(GError) error = NULL;
  int *item = g_new0 (int, 1);
  gboolean ok = wait
    ? gasync_work_queue_enqueue_pointer (queue, item, NULL, &error)
    : gasync_work_queue_try_enqueue_pointer (queue, item, &error);

  if (ok)
    counts.items_accepted++;
  else
    g_free (item); /* a refused item stays the caller's */
}

/* Waits, bounded, until the owner context delivered every destroy notify. */
static void
drain_owner_context (void)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (g_atomic_int_get (&counts.destroyed) < counts.accepted + counts.refused &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GasyncStopper) stopper = NULL;
  g_autoptr(GasyncSemaphore) semaphore = NULL;
  g_autoptr(GasyncWorkQueue) queue = NULL;
  GasyncTaskToken *tokens[MAX_TOKENS];
  guint n_tokens = 0;
  guint discarded;

  if (size < 3)
    return 0;

  memset (&counts, 0, sizeof counts);
  stopper = gasync_stopper_new ();
  semaphore = gasync_semaphore_new (1 + data[0] % 4);
  queue = gasync_work_queue_new_for_pointers (work_func, NULL, NULL, item_free);
  gasync_work_queue_set_parallelism (queue, 1 + data[1] % 3);
  gasync_work_queue_set_max_work (queue, 1 + data[2] % 8);
  gasync_work_queue_set_shutdown_grace_period (queue, (data[2] & 0x80) ? G_USEC_PER_SEC : 0);
  check (gasync_work_queue_start (queue, NULL), "the queue starts");

  for (size_t i = 3; i < size; i++)
    {
      g_autoptr(GError) error = NULL;

      switch (data[i] % 10)
        {
        case 0:
          count_async (gasync_stopper_run_async_task (stopper, "async", task_func,
                                                      NULL, task_destroy, &error));
          break;
        case 1:
        case 2:
          count_async (gasync_stopper_run_limited_async_task (stopper, "limited", semaphore,
                                                              data[i] % 10 == 2, NULL,
                                                              task_func, NULL,
                                                              task_destroy, &error));
          break;
        case 3:
          gasync_stopper_run_task (stopper, "sync", sync_task_func, NULL, &error);
          break;
        case 4:
          if (n_tokens < MAX_TOKENS)
            {
              GasyncTaskToken *token = gasync_stopper_begin_task (stopper, "token", &error);

              if (token != NULL)
                tokens[n_tokens++] = token;
            }
          break;
        case 5:
          /* Quiesce waits for the tokens: end them first. */
          while (n_tokens > 0)
            {
              GasyncTaskToken *token = tokens[--n_tokens];

              gasync_task_token_end (token);
              g_object_unref (token);
            }
          gasync_stopper_quiesce (stopper);
          break;
        case 6:
        case 7:
          enqueue (queue, data[i] % 10 == 7);
          break;
        case 8:
          gasync_stopper_add_closer (stopper, closer, NULL, NULL);
          counts.closers_added++;
          break;
        default:
          g_main_context_iteration (NULL, FALSE);
          break;
        }
    }

  while (n_tokens > 0)
    {
      GasyncTaskToken *token = tokens[--n_tokens];

      gasync_task_token_end (token);
      g_object_unref (token);
    }
  gasync_stopper_stop (stopper);
  discarded = gasync_work_queue_close (queue, NULL, NULL);
  drain_owner_context ();

  check (gasync_stopper_is_stopped (stopper), "the stopper stopped");
  check (gasync_stopper_get_n_tasks (stopper) == 0, "no task is left running");
  check (counts.ran == counts.accepted, "every accepted task ran once, no refused one");
  check (counts.destroyed == counts.accepted + counts.refused,
         "every destroy notify ran once");
  check (counts.closers_ran == counts.closers_added, "every closer ran once");
  check (counts.items_processed + (gint) discarded == counts.items_accepted,
         "every accepted item was processed or discarded");
  check (counts.items_freed == counts.items_accepted, "every accepted item was freed once");
  return 0;
}

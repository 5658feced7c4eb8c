/* gasync-pending-callback.c: a reserved event loop callback
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

/**
 * SECTION:gasync-pending-callback
 * @title: GasyncPendingCallback
 * @short_description: a callback reserved on a #GasyncEventLoop
 *
 * gasync_event_loop_reserve_callback() tells an event loop that some work
 * is going on elsewhere and will need to run a callback on the loop's
 * thread when it is done. The loop keeps running until the reservation is
 * fulfilled with gasync_pending_callback_enqueue() or released with
 * gasync_pending_callback_cancel(); exactly one of the two must be called,
 * once. A reservation that is dropped without either is released with a
 * warning, so that a forgotten one cannot hang the loop.
 *
 * A reservation is a small reference-counted boxed type rather than a
 * #GObject: a loop that takes many callbacks from other threads reserves
 * one per callback, and a GObject's construction and finalization would
 * cost more than the rest of the hand-off together.
 *
 * Threading: gasync_pending_callback_enqueue(),
 * gasync_pending_callback_cancel() and the reference counting may be
 * called from any thread. The enqueued function and its destroy notify run
 * on the loop's thread.
 */

/**
 * GasyncPendingCallback:
 *
 * A reservation of one callback on a #GasyncEventLoop. An opaque,
 * reference-counted boxed type.
 *
 * Since: 0.1
 */

#include "config.h"

#include "gasync-pending-callback-private.h"
#include "gasync-private.h"

typedef struct _Chunk Chunk;

/* The queue copies the callback into its own array when it is enqueued
 * and never looks at the record, so that the loop's thread does not touch
 * a record that another thread wrote: it is usually freed on the thread
 * that reserved it, right after it enqueued it. Padded to one cache line:
 * see Chunk. */
struct _GasyncPendingCallback
{
  int ref_count; /* atomic; inline atomics, which TSan sees */
  /* Under the queue's lock, with the callback appended or the reservation
   * released: settling costs no atomic instruction of its own. */
  gboolean settled;
  union {
    GasyncEventLoopQueue *queue;
    /* Once freed into its thread's list (see Chunk). */
    GasyncPendingCallback *next_free;
  };
  Chunk *chunk;
  char padding[40];
};

G_DEFINE_BOXED_TYPE (GasyncPendingCallback, gasync_pending_callback,
                     gasync_pending_callback_ref, gasync_pending_callback_unref)

/* Records come from chunks. A callback may be reserved on one thread and
 * freed on another, and glibc's malloc() makes each such cross-thread
 * free a slow one. So each reserving thread cuts its records from a chunk
 * of its own, and a chunk is freed, on whichever thread, once every
 * record cut from it was freed: one malloc() and one free() per
 * CHUNK_RECORDS callbacks. A record that lives long keeps its chunk. The
 * records that the chunk's thread frees while the chunk is its current
 * one, the usual case, go to a list of the thread's, without an atomic
 * instruction, and are the first to be used again: a thread that
 * reserves, enqueues and drops one callback after the other uses one
 * record, in one cache line, over and over. */
#define CHUNK_RECORDS 64
#define CACHE_LINE 64

G_STATIC_ASSERT (sizeof (GasyncPendingCallback) == CACHE_LINE);

/* Cache-line aligned, and so is each record: the reserving thread writes
 * the next records while another thread may free the ones before, and
 * neither shares a cache line with the other's (nor with the count). */
struct _Chunk
{
  /* Atomic: records not yet freed, counting uncut ones and the ones in
   * its thread's list, plus one while the chunk is its thread's current
   * one. */
  int n_live;
  guint n_cut; /* used by the owning thread only, when it retires it */
  _Alignas (CACHE_LINE) GasyncPendingCallback records[CHUNK_RECORDS];
};

static void
chunk_release (Chunk *chunk,
               int    n_records)
{
  if (g_atomic_int_add (&chunk->n_live, -n_records) == n_records)
    g_aligned_free (chunk);
}

/* When its thread replaces it or exits: the records that were never cut
 * are done with, and so is the thread. */
static void chunk_retire (gpointer data);

static GPrivate current_chunk = G_PRIVATE_INIT (chunk_retire);
/* The thread's current chunk, the records cut from it so far, and the
 * list of those that the thread freed since: the GPrivate above only
 * retires the chunk when the thread exits (a GPrivate look-up costs more
 * than the rest of a reservation). The count is kept here, not in the
 * chunk's first cache line, which other threads change as they free
 * records. */
static _Thread_local Chunk *thread_chunk;
static _Thread_local guint thread_n_cut;
static _Thread_local GasyncPendingCallback *thread_free;
static _Thread_local guint thread_n_free;

/* Called on the chunk's thread, when it replaces it (which stores the
 * count in it first; the thread's list is empty then) or exits (when the
 * count and the list are still the thread's). */
static void
chunk_retire (gpointer data)
{
  Chunk *chunk = data;
  guint n_cut = chunk->n_cut;
  guint n_free = 0;

  if (chunk == thread_chunk)
    {
      n_cut = thread_n_cut;
      n_free = thread_n_free;
      thread_chunk = NULL;
      thread_free = NULL;
      thread_n_free = 0;
    }
  chunk_release (chunk, CHUNK_RECORDS - n_cut + n_free + 1);
}

static GasyncPendingCallback *
record_new (void)
{
  Chunk *chunk = thread_chunk;
  GasyncPendingCallback *record = thread_free;

  if (G_LIKELY (record != NULL))
    {
      thread_free = record->next_free;
      thread_n_free--;
      return record;
    }

  if (G_UNLIKELY (chunk == NULL || thread_n_cut == CHUNK_RECORDS))
    {
      chunk = g_aligned_alloc (1, sizeof (Chunk), CACHE_LINE);
      chunk->n_live = CHUNK_RECORDS + 1;
      chunk->n_cut = 0;
      if (thread_chunk != NULL)
        thread_chunk->n_cut = thread_n_cut;
      thread_chunk = chunk;
      thread_n_cut = 0;
      /* Retires the full chunk being replaced, if any. */
      g_private_replace (&current_chunk, chunk);
    }
  record = &chunk->records[thread_n_cut++];
  record->chunk = chunk;
  return record;
}

static void
record_free (GasyncPendingCallback *record)
{
  if (record->chunk == thread_chunk)
    {
      record->next_free = thread_free;
      thread_free = record;
      thread_n_free++;
    }
  else
    chunk_release (record->chunk, 1);
}

static void
pending_callback_free (GasyncPendingCallback *self)
{
  GasyncEventLoopQueue *queue = self->queue;

  /* The last reference is gone: nobody else can settle it now, and the
   * threads that did settled it before they dropped their references. */
  if (!self->settled)
    {
      g_warning ("A pending callback was dropped without being enqueued or "
                 "cancelled; its reservation is released now");
      gasync_event_loop_queue_release (queue, &self->settled);
    }
  record_free (self);
  gasync_event_loop_queue_unref (queue);
}

GasyncPendingCallback *
gasync_pending_callback_new (GasyncEventLoopQueue *queue)
{
  GasyncPendingCallback *self = record_new ();

  self->ref_count = 1;
  self->queue = queue;
  self->settled = FALSE;
  return self;
}

/**
 * gasync_pending_callback_ref:
 * @self: a #GasyncPendingCallback
 *
 * Takes a reference to @self.
 *
 * Threading: may be called from any thread.
 *
 * Returns: (transfer full): @self
 *
 * Since: 0.1
 */
GasyncPendingCallback *
gasync_pending_callback_ref (GasyncPendingCallback *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_int_inc (&self->ref_count);
  return self;
}

/**
 * gasync_pending_callback_unref:
 * @self: (transfer full): a #GasyncPendingCallback
 *
 * Drops a reference to @self. When the last one goes and the reservation
 * was neither enqueued nor cancelled, it is released with a warning.
 *
 * Threading: may be called from any thread.
 *
 * Since: 0.1
 */
void
gasync_pending_callback_unref (GasyncPendingCallback *self)
{
  g_return_if_fail (self != NULL);

  /* When the caller holds the only reference, nobody else can take or
   * drop one meanwhile: a look costs less than an atomic decrement, and
   * a reservation usually has one reference, dropped right after it was
   * enqueued. */
  if (g_atomic_int_get (&self->ref_count) == 1 ||
      g_atomic_int_dec_and_test (&self->ref_count))
    pending_callback_free (self);
}

/**
 * gasync_pending_callback_enqueue:
 * @self: a #GasyncPendingCallback
 * @func: (scope notified) (closure user_data) (destroy destroy): the
 *   callback to run on the loop's thread
 * @user_data: data for @func
 * @destroy: (nullable): called on @user_data on the loop's thread once
 *   @func has run or has been dropped
 *
 * Fulfils the reservation: queues @func to run on the loop's thread after
 * the callbacks queued before it. Callbacks queued from one thread run in
 * the order they were queued. If the loop was stopped by a failing
 * callback, @func does not run and only @destroy does.
 *
 * Call this or gasync_pending_callback_cancel() exactly once; a second
 * call is a programming error: it is reported as a critical and @func
 * does not run.
 *
 * Threading: may be called from any thread.
 *
 * Since: 0.1
 */
void
gasync_pending_callback_enqueue (GasyncPendingCallback *self,
                                 GasyncEventLoopFunc    func,
                                 gpointer               user_data,
                                 GDestroyNotify         destroy)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (func != NULL);

  if (!gasync_event_loop_queue_push_reserved (self->queue, &self->settled,
                                              func, user_data, destroy))
    {
      g_critical ("A pending callback was enqueued after it was enqueued "
                  "or cancelled; the callback does not run");
      gasync_event_loop_queue_drop (self->queue, user_data, destroy);
    }
}

/**
 * gasync_pending_callback_cancel:
 * @self: a #GasyncPendingCallback
 *
 * Releases the reservation without running anything. Calling it after
 * gasync_pending_callback_enqueue() or a first cancel is a programming
 * error, reported as a critical.
 *
 * Threading: may be called from any thread.
 *
 * Since: 0.1
 */
void
gasync_pending_callback_cancel (GasyncPendingCallback *self)
{
  g_return_if_fail (self != NULL);

  if (!gasync_event_loop_queue_release (self->queue, &self->settled))
    g_critical ("A pending callback was cancelled after it was enqueued "
                "or cancelled");
}

/* gasync-sync.c: the one blocking wait
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 *
 * Every blocking call of libgasync waits here (see gasync_wait() in
 * gasync-sync-private.h): on one of its own condition variables, for a
 * predicate, until a deadline, interrupted by a GCancellable.
 *
 * A cancellable interrupts the waits on it through one hub: the first
 * wait connects one handler to it, and every wait registers with the hub
 * for as long as it blocks. The handler takes the hub's lock, then each
 * wait's lock, and broadcasts its condition, so that no wake-up is lost
 * between a look at the predicate and the wait. The handler stays
 * connected until the cancellable is finalized: connecting and
 * disconnecting a handler per wait takes GLib's global cancellable mutex
 * twice, and a disconnection waits for a running emission, so that a
 * thousand threads woken by one cancel formed a convoy there. The hub is
 * published through the cancellable's qdata, behind a GLib lock that TSan
 * cannot see: it is annotated.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#ifdef __linux__
# include <errno.h>
# include <limits.h>
# include <linux/futex.h>
# include <sys/syscall.h>
# include <unistd.h>
#endif

#include "gasync-source-private.h"
#include "gasync-sync-private.h"

typedef struct
{
  GList link; /* in the hub's waits */
  GasyncLock *lock;
  GasyncCond *cond;
  gboolean cancelled;  /* under lock */
  /* Set under both lock and the hub's lock, read under either: the
   * handler took the wait out of the hub's list, so that it leaves
   * without the hub's lock. */
  gboolean unlinked;
} CancelWake;

typedef struct
{
  GasyncLock lock;
  GQueue waits; /* of CancelWake, under lock */
  GQueue batches; /* of GasyncCancelBatch, one per context, under lock */
  /* For tests, atomic: read without the lock, from a predicate that
   * holds a wait's lock. */
  int n_waits;
  int n_entered; /* registrations so far */
  /* Atomic: the cancels so far, which the sleeps wait on (a futex), and
   * how many sleeps do. */
  int epoch;
  int n_sleeps;
} CancelHub;

/* Each thread remembers the last hub it looked up, since finding it in the
 * cancellable's data costs a lock and a list walk (about 120 instructions
 * in GLib 2.74). Any hub's freeing first bumps the generation, which voids
 * every remembered hub: a cancellable at the address of a freed one can
 * only reach a thread after that bump. */
static gsize hub_generation; /* atomic */

typedef struct
{
  GCancellable *cancellable;
  CancelHub *hub;
  gsize generation;
} HubCache;

static __thread HubCache hub_cache;

static void
cancel_hub_free (gpointer data)
{
  CancelHub *hub = data;

  __atomic_fetch_add (&hub_generation, 1, __ATOMIC_SEQ_CST);
  /* The cancellable's last unref orders this after every wait that left
   * (GObject's reference count, which TSan cannot see). */
  GASYNC_TSAN_ACQUIRE (hub);
  g_assert (hub->waits.length == 0);
  g_assert (hub->batches.length == 0);
  gasync_lock_clear (&hub->lock);
  g_free (hub);
}

/* The entries of one cancellable on one context, in the order they were
 * added; the source holds a reference on the cancellable, and so keeps
 * the hub alive. The hub's list holds a reference on the source while it
 * is in it, which it is as long as it has entries; the entries hold none. */
struct _GasyncCancelBatch
{
  GSource source;
  CancelHub *hub;
  GCancellable *cancellable;
  GMainContext *context; /* unowned: the source's */
  /* Under the hub's lock. */
  GList link; /* in the hub's batches */
  gboolean linked;
  GQueue entries;
  guint64 next_serial;
  /* The entries below it fired: a cancel fires every entry that is in
   * the queue, so the fired ones are always its head. */
  guint64 fired_below;
};

/* Fires every entry of @batch, with the hub's lock held: the batch is
 * woken once, whatever the number of entries. */
static void
cancel_batch_fire_locked (GasyncCancelBatch *batch)
{
  if (batch->fired_below == batch->next_serial)
    return;
  batch->fired_below = batch->next_serial;
  g_source_set_ready_time (&batch->source, 0);
}

static void
cancel_hub_cancelled_cb (GCancellable *cancellable,
                         gpointer      user_data)
{
  CancelHub *hub = user_data;
  GList *l;

  GASYNC_TSAN_ACQUIRE (hub);
  gasync_lock (&hub->lock);
  /* Each wait leaves the list here: a woken wait then leaves without the
   * hub's lock, which this loop holds. Ten thousand waits woken by one
   * cancel otherwise queued on it one after the other. */
  while ((l = g_queue_pop_head_link (&hub->waits)) != NULL)
    {
      CancelWake *wake = l->data;

      gasync_lock (wake->lock);
      wake->cancelled = TRUE;
      wake->unlinked = TRUE;
      gasync_cond_broadcast (wake->cond);
      gasync_unlock (wake->lock);
    }
  g_atomic_int_set (&hub->n_waits, 0);
  for (l = hub->batches.head; l != NULL; l = l->next)
    cancel_batch_fire_locked (l->data);
  gasync_unlock (&hub->lock);

  /* Every sleep at once, in one system call: see gasync_cancel_sleep(). */
  g_atomic_int_inc (&hub->epoch);
#ifdef __linux__
  if (g_atomic_int_get (&hub->n_sleeps) > 0)
    syscall (SYS_futex, &hub->epoch, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
#endif
  /* After the handler's last use of the hub, which the cancellable's
   * finalization frees (see cancel_hub_free()). */
  GASYNC_TSAN_RELEASE (hub);
}

/* Registers @wake with @hub, or unregisters it. Called with @wake's lock
 * held, which is dropped meanwhile: the handler takes the hub's lock and
 * then the wait's, so a wait takes them in that order too. */
static void
cancel_hub_enter (CancelHub  *hub,
                  CancelWake *wake,
                  gboolean    enter)
{
  gasync_unlock (wake->lock);
  gasync_lock (&hub->lock);
  if (enter)
    {
      g_queue_push_tail_link (&hub->waits, &wake->link);
      g_atomic_int_inc (&hub->n_entered);
    }
  else if (!wake->unlinked)
    /* The handler may have taken it out since @wake's lock was dropped. */
    g_queue_unlink (&hub->waits, &wake->link);
  g_atomic_int_set (&hub->n_waits, hub->waits.length);
  gasync_unlock (&hub->lock);
  GASYNC_TSAN_RELEASE (hub);
  gasync_lock (wake->lock);
}

static GQuark
cancel_hub_quark (void)
{
  static int quark; /* atomic: any thread may be the first */
  GQuark q = g_atomic_int_get (&quark);

  if (G_UNLIKELY (q == 0))
    {
      q = g_quark_from_static_string ("gasync-cancel-hub");
      g_atomic_int_set (&quark, q);
    }
  return q;
}

/* The hub of @cancellable, found in its data, or made and connected by
 * the first wait on it. */
static CancelHub *
cancel_hub_find (GCancellable *cancellable)
{
  GQuark quark = cancel_hub_quark ();
  CancelHub *hub;

  hub = g_object_get_qdata (G_OBJECT (cancellable), quark);
  if (hub != NULL)
    {
      GASYNC_TSAN_ACQUIRE (hub);
      return hub;
    }

  hub = g_new0 (CancelHub, 1);
  gasync_lock_init (&hub->lock);
  g_queue_init (&hub->waits);
  GASYNC_TSAN_RELEASE (hub);
  if (!g_object_replace_qdata (G_OBJECT (cancellable), quark, NULL, hub,
                               cancel_hub_free, NULL))
    {
      /* Another wait made one first. */
      cancel_hub_free (hub);
      hub = g_object_get_qdata (G_OBJECT (cancellable), quark);
      GASYNC_TSAN_ACQUIRE (hub);
      return hub;
    }
  /* Connected with g_signal_connect(), not g_cancellable_connect(): that
   * one connects nothing when @cancellable fired already, and the hub
   * would then miss every cancel after a g_cancellable_reset(), leaving
   * its waits blocked. Waits may register before the handler is
   * connected: if @cancellable fired meanwhile, the handler runs here
   * too, and wakes them (it may run twice; a second run finds nothing to
   * do). */
  GASYNC_TSAN_IGNORE_BEGIN ();
  g_signal_connect (cancellable, "cancelled",
                    G_CALLBACK (cancel_hub_cancelled_cb), hub);
  GASYNC_TSAN_IGNORE_END ();
  if (g_cancellable_is_cancelled (cancellable))
    cancel_hub_cancelled_cb (cancellable, hub);
  return hub;
}

/* The hub of @cancellable: the one the calling thread remembers, if no
 * hub was freed since, or cancel_hub_find()'s. */
static CancelHub *
cancel_hub_get (GCancellable *cancellable)
{
  gsize generation = __atomic_load_n (&hub_generation, __ATOMIC_SEQ_CST);
  CancelHub *hub;

  if (hub_cache.cancellable == cancellable &&
      hub_cache.generation == generation)
    {
      GASYNC_TSAN_ACQUIRE (hub_cache.hub);
      return hub_cache.hub;
    }

  hub = cancel_hub_find (cancellable);
  hub_cache = (HubCache) { cancellable, hub, generation };
  return hub;
}

/* One wait on @cond: FALSE once @deadline has passed. */
static inline gboolean
wait_once (GasyncCond *cond,
           GasyncLock *lock,
           gint64      deadline)
{
  if (deadline == G_MAXINT64)
    {
      gasync_cond_wait (cond, lock);
      return TRUE;
    }
  return gasync_cond_wait_until (cond, lock, deadline);
}

/* Without @error, no message is made: translating one costs more than
 * the rest of a wake-up. */
static gboolean
set_timed_out (GError **error)
{
  if (error != NULL)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                         _("The wait timed out"));
  return FALSE;
}

/* Returns FALSE, and sets @error, if given, to %G_IO_ERROR_CANCELLED for
 * @cancellable, which fired: without @error no message is made, since
 * GLib translates it even when nobody reads it (about 550 instructions). */
gboolean
gasync_set_cancelled_error (GCancellable  *cancellable,
                            GError       **error)
{
  if (error == NULL)
    return FALSE;
  /* It fired, but it may have been reset since. */
  if (!g_cancellable_set_error_if_cancelled (cancellable, error))
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                         _("The wait was cancelled"));
  return FALSE;
}

/* gasync_wait() without a cancellable, once @until did not hold. */
static gboolean
wait_uncancellable (GasyncLock      *lock,
                    GasyncCond      *cond,
                    GasyncWaitFunc   until,
                    gpointer         data,
                    gint64           deadline,
                    GError         **error)
{
  for (;;)
    {
      if (!wait_once (cond, lock, deadline))
        {
          if (until != NULL && until (data))
            return TRUE;
          return set_timed_out (error);
        }
      if (until == NULL || until (data))
        return TRUE;
    }
}

guint
gasync_cancellable_get_n_waits (GCancellable *cancellable,
                                guint        *n_entered)
{
  CancelHub *hub = g_object_get_qdata (G_OBJECT (cancellable),
                                       cancel_hub_quark ());

  if (hub == NULL)
    {
      if (n_entered != NULL)
        *n_entered = 0;
      return 0;
    }
  GASYNC_TSAN_ACQUIRE (hub);
  if (n_entered != NULL)
    *n_entered = g_atomic_int_get (&hub->n_entered);
  return g_atomic_int_get (&hub->n_waits) + g_atomic_int_get (&hub->n_sleeps);
}

/* gasync_wait() once @until did not hold: see there. */
gboolean
gasync_wait_slowpath (GasyncLock      *lock,
                      GasyncCond      *cond,
                      GasyncWaitFunc   until,
                      gpointer         data,
                      gint64           deadline,
                      GCancellable    *cancellable,
                      GError         **error)
{
  CancelWake wake = { { &wake, NULL, NULL }, lock, cond, FALSE, FALSE };
  CancelHub *hub;

  if (cancellable == NULL)
    return wait_uncancellable (lock, cond, until, data, deadline, error);

  /* Neither worth a registration. */
  if (g_cancellable_is_cancelled (cancellable))
    return gasync_set_cancelled_error (cancellable, error);
  if (deadline != G_MAXINT64 && g_get_monotonic_time () >= deadline)
    return set_timed_out (error);

  gasync_unlock (lock);
  hub = cancel_hub_get (cancellable);
  gasync_lock (lock);

  for (;;)
    {
      gboolean woken = FALSE;
      gboolean timed_out = FALSE;

      cancel_hub_enter (hub, &wake, TRUE);
      /* A cancel that came before the registration found no wait to wake,
       * but it set the flag first. The lock was dropped: look again
       * before each wait. */
      if (g_cancellable_is_cancelled (cancellable))
        wake.cancelled = TRUE;
      while (!(until != NULL ? until (data) : woken) &&
             !wake.cancelled && !timed_out)
        {
          if (wait_once (cond, lock, deadline))
            woken = TRUE;
          else
            timed_out = TRUE;
        }
      /* A wait that the handler woke is out of the list already. */
      if (!wake.unlinked)
        cancel_hub_enter (hub, &wake, FALSE);

      if (until != NULL ? until (data) : woken && !wake.cancelled)
        return TRUE;
      if (wake.cancelled)
        return gasync_set_cancelled_error (cancellable, error);
      if (timed_out)
        return set_timed_out (error);
      /* It held, but no longer does since the lock was dropped. */
    }
}

/* Takes @batch out of its hub once it has no entries left, with the hub's
 * lock held: returns whether the caller, once it dropped the lock, must
 * destroy it and drop the hub's reference. */
static gboolean
cancel_batch_unlink_locked (GasyncCancelBatch *batch)
{
  if (!batch->linked || batch->entries.length > 0)
    return FALSE;
  g_queue_unlink (&batch->hub->batches, &batch->link);
  batch->linked = FALSE;
  return TRUE;
}

static void
cancel_batch_drop (GasyncCancelBatch *batch)
{
  GASYNC_TSAN_IGNORE_BEGIN ();
  g_source_destroy (&batch->source);
  GASYNC_TSAN_IGNORE_END ();
  GASYNC_TSAN_RELEASE (batch);
  g_source_unref (&batch->source);
}

/* Calls the fired entries' functions one at a time, each taken out under
 * the hub's lock, so that an entry removed meanwhile (in a nested
 * iteration, or on another thread) is never called. */
static gboolean
cancel_batch_dispatch (GSource     *source,
                       GSourceFunc  callback,
                       gpointer     user_data)
{
  GasyncCancelBatch *batch = (GasyncCancelBatch *) source;
  CancelHub *hub;
  gboolean drop;

  /* Made on the thread that attached it. */
  GASYNC_TSAN_ACQUIRE (batch);
  hub = batch->hub;
  gasync_lock (&hub->lock);
  /* Under the lock, before the entries are taken: a cancel that comes
   * meanwhile wakes it again. */
  g_source_set_ready_time (source, -1);
  for (;;)
    {
      GList *l = batch->entries.head;
      GasyncCancelEntry *entry;
      GSourceFunc func;
      gpointer data;

      if (l == NULL)
        break;
      entry = l->data;
      if (entry->serial >= batch->fired_below)
        break;
      g_queue_unlink (&batch->entries, l);
      entry->batch = NULL;
      func = entry->func;
      data = entry->data;
      gasync_unlock (&hub->lock);
      func (data);
      gasync_lock (&hub->lock);
    }
  drop = cancel_batch_unlink_locked (batch);
  gasync_unlock (&hub->lock);

  if (drop)
    cancel_batch_drop (batch);
  return G_SOURCE_CONTINUE;
}

static void
cancel_batch_finalize (GSource *source)
{
  GasyncCancelBatch *batch = (GasyncCancelBatch *) source;

  /* After the last unref, through GLib's atomics. */
  GASYNC_TSAN_ACQUIRE (batch);
  g_assert (batch->entries.length == 0);
  g_object_unref (batch->cancellable);
}

static GSourceFuncs cancel_batch_funcs = {
  .dispatch = cancel_batch_dispatch,
  .finalize = cancel_batch_finalize,
};

void
gasync_cancel_entry_add (GasyncCancelEntry *entry,
                         GCancellable      *cancellable,
                         GMainContext      *context,
                         GSourceFunc        func,
                         gpointer           data)
{
  CancelHub *hub = cancel_hub_get (cancellable);
  GasyncCancelBatch *batch = NULL;

  g_assert (entry->batch == NULL);

  if (context == NULL)
    context = g_main_context_default ();
  entry->hub = hub;
  entry->func = func;
  entry->data = data;
  entry->link.data = entry;

  gasync_lock (&hub->lock);
  for (GList *l = hub->batches.head; l != NULL; l = l->next)
    {
      GasyncCancelBatch *b = l->data;

      /* A context that went may have left its batch behind until its
       * entries are removed, and a new one may have its address. */
      if (b->context == context && !g_source_is_destroyed (&b->source))
        {
          batch = b;
          break;
        }
    }
  if (batch == NULL)
    {
      batch = (GasyncCancelBatch *) g_source_new (&cancel_batch_funcs,
                                                  sizeof (GasyncCancelBatch));
      g_source_set_static_name (&batch->source, "[gasync] cancelled");
      batch->hub = hub;
      batch->cancellable = g_object_ref (cancellable);
      batch->context = context;
      batch->link.data = batch;
      batch->linked = TRUE;
      g_queue_push_tail_link (&hub->batches, &batch->link);
      GASYNC_TSAN_RELEASE (batch);
      gasync_source_attach (&batch->source, context);
    }
  entry->batch = batch;
  entry->serial = batch->next_serial++;
  g_queue_push_tail_link (&batch->entries, &entry->link);
  /* A cancel that came before found no entry to fire, but it set the
   * flag first; the entries that still wait are the ones its handler is
   * about to fire. */
  if (g_cancellable_is_cancelled (cancellable))
    cancel_batch_fire_locked (batch);
  gasync_unlock (&hub->lock);
  GASYNC_TSAN_RELEASE (hub);
}

void
gasync_cancel_entry_remove (GasyncCancelEntry *entry)
{
  CancelHub *hub = entry->hub;
  GasyncCancelBatch *batch;
  gboolean drop = FALSE;

  if (hub == NULL)
    return;

  GASYNC_TSAN_ACQUIRE (hub);
  gasync_lock (&hub->lock);
  batch = g_steal_pointer (&entry->batch);
  if (batch != NULL)
    {
      g_queue_unlink (&batch->entries, &entry->link);
      drop = cancel_batch_unlink_locked (batch);
    }
  gasync_unlock (&hub->lock);

  if (drop)
    cancel_batch_drop (batch);
}

#ifdef __linux__
/* Sleeps wait on the hub's count of cancels, a futex that the handler
 * wakes all at once, without a lock, a condition variable or a place in
 * a list of their own: ten thousand sleepers woken one system call at a
 * time kept the cancelling thread in the kernel for seconds, walking the
 * futex hash buckets that the sleepers themselves filled. */
gboolean
gasync_cancel_sleep (GCancellable *cancellable,
                     gint64        deadline)
{
  CancelHub *hub = cancel_hub_get (cancellable);
  gboolean cancelled;
  int epoch;

  /* The count of cancels is read first, so that a cancel (and a reset)
   * that comes once the sleep is counted (what the tests wait for) is
   * seen. The handler raises it before it looks at the number of sleeps:
   * either it wakes this sleep, or this sleep, counted after that look,
   * sees the new count (all sequentially consistent). A futex wait
   * returns at once when the count moved before it. */
  epoch = g_atomic_int_get (&hub->epoch);
  g_atomic_int_inc (&hub->n_sleeps);
  for (;;)
    {
      struct timespec ts;
      long r;

      /* The flag is set before the handler runs; a cancel and a reset
       * since the sleep began count as a cancel. */
      cancelled = g_cancellable_is_cancelled (cancellable) ||
                  g_atomic_int_get (&hub->epoch) != epoch;
      if (cancelled)
        break;
      if (deadline != G_MAXINT64 && g_get_monotonic_time () >= deadline)
        break;
      /* An absolute CLOCK_MONOTONIC deadline, as g_get_monotonic_time(). */
      ts.tv_sec = deadline / G_USEC_PER_SEC;
      ts.tv_nsec = (deadline % G_USEC_PER_SEC) * 1000;
      r = syscall (SYS_futex, &hub->epoch,
                   FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, epoch,
                   deadline == G_MAXINT64 ? NULL : &ts, NULL,
                   FUTEX_BITSET_MATCH_ANY);
      g_assert (r == 0 || errno == EAGAIN || errno == EINTR ||
                errno == ETIMEDOUT);
    }
  g_atomic_int_add (&hub->n_sleeps, -1);
  /* The hub's handler ran before this sleep saw its cancel. */
  GASYNC_TSAN_ACQUIRE (hub);
  return cancelled;
}
#endif

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
  /* For tests, atomic: read without the lock, from a predicate that
   * holds a wait's lock. */
  int n_waits;
  int n_entered; /* registrations so far */
} CancelHub;

static void
cancel_hub_free (gpointer data)
{
  CancelHub *hub = data;

  /* The cancellable's last unref orders this after every wait that left
   * (GObject's reference count, which TSan cannot see). */
  GASYNC_TSAN_ACQUIRE (hub);
  g_assert (hub->waits.length == 0);
  gasync_lock_clear (&hub->lock);
  g_free (hub);
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
  gasync_unlock (&hub->lock);
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

/* The hub of @cancellable, made and connected by the first wait on it. */
static CancelHub *
cancel_hub_get (GCancellable *cancellable)
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
  /* Waits may register before the handler is connected: if @cancellable
   * fired meanwhile, the handler runs here, at once, and wakes them. */
  GASYNC_TSAN_IGNORE_BEGIN ();
  g_cancellable_connect (cancellable, G_CALLBACK (cancel_hub_cancelled_cb),
                         hub, NULL);
  GASYNC_TSAN_IGNORE_END ();
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
  return g_atomic_int_get (&hub->n_waits);
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

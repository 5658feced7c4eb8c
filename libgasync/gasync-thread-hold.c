/* gasync-thread-hold.c: threads that use an object without holding a
 * reference to it
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 *
 * See gasync-thread-hold-private.h.
 */

#include "config.h"

#include "gasync-thread-hold-private.h"

#include "gasync-owner-private.h"

/* From the object's dispose: when such threads run, takes a reference to
 * @object for them (once) and returns TRUE: dispose then returns at once,
 * and runs again once the last of them has left. */
gboolean
gasync_thread_hold_keep (GasyncThreadHold *self,
                         GasyncLock       *lock,
                         GObject          *object)
{
  gboolean keep;

  gasync_lock (lock);
  keep = self->n_threads > 0 && !self->kept;
  self->kept |= keep;
  gasync_unlock (lock);

  if (keep)
    g_object_ref (object);
  return keep;
}

/* The last thing such a thread does with @object: past this point it no
 * longer touches it, unless it drops the reference that dispose took:
 * here, or with @owner, on that context (queued), where the object lives.
 * @emptied_locked (@object), if not NULL, runs under the lock when the
 * last one leaves. */
void
gasync_thread_hold_leave (GasyncThreadHold *self,
                          GasyncLock       *lock,
                          GObject          *object,
                          void            (*emptied_locked) (GObject *object),
                          GMainContext     *owner)
{
  gboolean last;

  gasync_lock (lock);
  if (--self->n_threads == 0 && emptied_locked != NULL)
    emptied_locked (object);
  last = self->n_threads == 0 && self->kept;
  if (last)
    self->kept = FALSE;
  gasync_unlock (lock);

  if (last && owner != NULL)
    gasync_owner_destroy (owner, GASYNC_OWNER_QUEUE, g_object_unref, object);
  else if (last)
    g_object_unref (object);
}

/* From the object's finalize: no such thread is left. Under the lock: the
 * last thread wrote the count under it, and its unref reaches the
 * finalizer through GObject's atomics, which TSan does not see.
 *
 * Dispose runs again once the last thread gives back the reference that
 * dispose took, unless that thread drops it before the unref that ran
 * dispose has returned: GObject then takes it for the last reference of
 * that unref, which finalizes without disposing again. */
void
gasync_thread_hold_clear (GasyncThreadHold *self,
                          GasyncLock       *lock)
{
  gasync_lock (lock);
  g_assert (self->n_threads == 0);
  gasync_unlock (lock);
}

/* gasync-leak-private.h: how classes tell the leak checks they run
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#pragma once

#include "gasync-leak.h"
#include "gasync-sync-private.h"

G_BEGIN_DECLS

/* @object started: until gasync_leak_untrack(), it is reported by
 * gasync_leaks_check() as a @kind (NULL: its type name) called @name
 * (copied; NULL: the object's string "name" property, if it has one). Tracking an object twice keeps the first entry.
 * Any thread; not for hot paths (a lock and a hash table). */
void  gasync_leak_track   (gpointer    object,
                           const char *kind,
                           const char *name);
/* @object stopped or closed (or is being finalized): no longer reported.
 * Untracking an object that is not tracked does nothing. */
void  gasync_leak_untrack (gpointer    object);

/* An object listed by the leak checks from its first piece of work until
 * it has stopped (or is finalized), guarded by the object's lock. */
typedef struct
{
  gboolean tracked;
} GasyncLeakWatch;

/* Called with the object's lock held, when it takes work: TRUE the first
 * time, when the caller must call gasync_leak_watch_track() once it has
 * dropped the lock. */
static inline gboolean
gasync_leak_watch_begin_locked (GasyncLeakWatch *self)
{
  if (G_LIKELY (self->tracked))
    return FALSE;
  self->tracked = TRUE;
  return TRUE;
}

void  gasync_leak_watch_track (GasyncLeakWatch *self,
                               gpointer         object,
                               GasyncLock      *lock);

/* Called with the object's lock held (or from its finalizer): it has
 * stopped. */
static inline void
gasync_leak_watch_end_locked (GasyncLeakWatch *self,
                              gpointer         object)
{
  if (self->tracked)
    {
      self->tracked = FALSE;
      gasync_leak_untrack (object);
    }
}

G_END_DECLS

/* gasync-thread-hold-private.h: threads that use an object without
 * holding a reference to it
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 *
 * Some threads of an object must not keep it alive: a stopper's worker,
 * or the thread of a latch-like object (gasync-lifecycle), runs until a
 * stop that only a holder of a reference can ask for. Such a thread still
 * touches the object until it has returned. The object counts
 * these threads under its lock; when its last reference goes while some
 * run, its dispose keeps it alive for them (one reference, taken once),
 * and the last thread to leave gives that reference back, so that the
 * object is finalized once no thread touches it any more.
 */

#pragma once

#include <glib-object.h>

#include "gasync-sync-private.h"

G_BEGIN_DECLS

typedef struct
{
  guint n_threads;      /* still touching the object; under its lock */
  gboolean kept;        /* dispose took a reference for them */
} GasyncThreadHold;

/* Called with the object's lock held, before the thread starts. */
static inline void
gasync_thread_hold_enter_locked (GasyncThreadHold *self)
{
  self->n_threads++;
}

/* Called with the object's lock held: whether no such thread runs. */
static inline gboolean
gasync_thread_hold_is_empty_locked (GasyncThreadHold *self)
{
  return self->n_threads == 0;
}

gboolean  gasync_thread_hold_keep  (GasyncThreadHold *self,
                                    GasyncLock       *lock,
                                    GObject          *object);
void      gasync_thread_hold_leave (GasyncThreadHold *self,
                                    GasyncLock       *lock,
                                    GObject          *object,
                                    void            (*emptied_locked) (GObject *object),
                                    GMainContext     *owner);
void      gasync_thread_hold_clear (GasyncThreadHold *self,
                                    GasyncLock       *lock);

G_END_DECLS

/* gasync-closers-private.h: functions run once, newest first, at close
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 *
 * A LIFO list of closers, as Go's `defer`: each a function, its data and
 * the data's destroy notify. The list is guarded by its owner's lock.
 * Closers run on their owner's context, each exactly once, newest first,
 * and their destroy notifies run once too, also of closers that never
 * run (an object finalized before it closed).
 */

#pragma once

#include <gio/gio.h>

#include "gasync-owner-private.h"
#include "gasync-sync-private.h"

G_BEGIN_DECLS

typedef struct
{
  GSList *list; /* Closer, newest first; under the owner's lock */
} GasyncClosers;

void      gasync_closers_add_locked  (GasyncClosers   *self,
                                      GasyncOwnerFunc  func,
                                      gpointer         user_data,
                                      GDestroyNotify   destroy);
guint     gasync_closers_n_locked    (GasyncClosers   *self);
void      gasync_closers_run_locked  (GasyncClosers   *self,
                                      GasyncLock      *lock);
void      gasync_closers_free        (GasyncClosers   *self,
                                      GasyncLock      *lock,
                                      GMainContext    *context);
void      gasync_closers_run_late    (GMainContext    *context,
                                      GThread         *owner_thread,
                                      GasyncOwnerFunc  func,
                                      gpointer         user_data,
                                      GDestroyNotify   destroy);

G_END_DECLS

/* gasync-cancel-tree-private.h: a cancellable and its weakly held children
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 *
 * A cancel tree is a cancellable that fires once (a stopper's quiesce or
 * stop phase) together with children made from it, as Go's child contexts
 * are: each child is cancelled when the tree fires, or when a parent of its
 * own is cancelled, whichever comes first. The tree holds its children only
 * weakly, so that any number of them can come and go.
 */

#pragma once

#include <gio/gio.h>

#include "gasync-sync-private.h"

G_BEGIN_DECLS

typedef struct
{
  GCancellable *cancellable;
  GasyncLock lock;
  GPtrArray *children; /* GWeakRef; NULL once fired */
  guint prune_at;
} GasyncCancelTree;

void          gasync_cancel_tree_init      (GasyncCancelTree *self);
void          gasync_cancel_tree_clear     (GasyncCancelTree *self);
GCancellable *gasync_cancel_tree_new_child (GasyncCancelTree *self,
                                            GCancellable     *parent);
void          gasync_cancel_tree_fire      (GasyncCancelTree *self);

G_END_DECLS

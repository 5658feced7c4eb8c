/* gasync-cancel-tree.c: a cancellable and its weakly held children
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 *
 * See gasync-cancel-tree-private.h.
 */

#include "config.h"

#include "gasync-cancel-tree-private.h"

/* What ties a child cancellable to a parent of its own: the parent's
 * handler cancels the child through a weak reference, and the child's weak
 * notify disconnects that handler when the child goes, so that dropped
 * children leave nothing connected to a parent that lives on. It holds the
 * parent (as Go's child contexts do) so that the handler can be
 * disconnected.
 *
 * The handler is disconnected with g_signal_handler_disconnect(), not
 * g_cancellable_disconnect(): the child may go inside the parent's own
 * emission (when the child's last reference is dropped while it is being
 * cancelled), where g_cancellable_disconnect() would wait for that
 * emission, that is for itself. The handler may thus still run after the
 * disconnection in another thread; it holds a reference to the link, and
 * finds no child. The count uses inline atomics, which TSan sees (see
 * gasync-source.c). */
typedef struct
{
  int ref_count; /* atomic */
  GWeakRef child;
  GCancellable *parent;
  gulong handler_id; /* 0 if the parent was cancelled already */
} ChildLink;

static void
child_link_unref (gpointer data)
{
  ChildLink *link = data;

  if (g_atomic_int_dec_and_test (&link->ref_count))
    {
      g_weak_ref_clear (&link->child);
      g_object_unref (link->parent);
      g_free (link);
    }
}

static void
child_link_cancel (GCancellable *parent,
                   gpointer      data)
{
  ChildLink *link = data;
  g_autoptr(GCancellable) child = NULL;

  /* Published by link_child() through GLib's locks, which TSan cannot
   * see. */
  GASYNC_TSAN_ACQUIRE (link);
  child = g_weak_ref_get (&link->child);
  if (child != NULL)
    g_cancellable_cancel (child);
}

/* The weak notify of the child: it runs wherever its last reference goes,
 * possibly inside the parent's emission (see above). */
static void
child_link_child_gone (gpointer  data,
                       GObject  *where_the_object_was)
{
  ChildLink *link = data;

  GASYNC_TSAN_ACQUIRE (link);
  if (link->handler_id != 0)
    {
      GASYNC_TSAN_IGNORE_BEGIN ();
      g_signal_handler_disconnect (link->parent, link->handler_id);
      GASYNC_TSAN_IGNORE_END ();
    }
  child_link_unref (link);
}

/* Has @child cancelled when @parent is, for as long as @child lives. */
static void
link_child (GCancellable *child,
            GCancellable *parent)
{
  ChildLink *link = g_new0 (ChildLink, 1);

  link->ref_count = 2; /* the handler's and the weak notify's */
  g_weak_ref_init (&link->child, child);
  link->parent = g_object_ref (parent);
  GASYNC_TSAN_RELEASE (link);
  GASYNC_TSAN_IGNORE_BEGIN ();
  link->handler_id = g_cancellable_connect (parent,
                                            G_CALLBACK (child_link_cancel),
                                            link, child_link_unref);
  GASYNC_TSAN_IGNORE_END ();
  GASYNC_TSAN_RELEASE (link);
  g_object_weak_ref (G_OBJECT (child), child_link_child_gone, link);
}

static void
weak_ref_free (gpointer data)
{
  g_weak_ref_clear (data);
  g_free (data);
}

static GWeakRef *
weak_ref_new (gpointer object)
{
  GWeakRef *weak_ref = g_new (GWeakRef, 1);

  g_weak_ref_init (weak_ref, object);
  return weak_ref;
}

/* Drops the dead children, and says when to look again: when the array
 * has doubled. */
static void
prune_children_locked (GasyncCancelTree *self)
{
  GPtrArray *children = self->children;

  for (guint i = children->len; i > 0; i--)
    {
      g_autoptr(GObject) child = g_weak_ref_get (children->pdata[i - 1]);

      if (child == NULL)
        g_ptr_array_remove_index_fast (children, i - 1);
    }
  self->prune_at = MAX (16, 2 * children->len);
}

void
gasync_cancel_tree_init (GasyncCancelTree *self)
{
  self->cancellable = g_cancellable_new ();
  gasync_lock_init (&self->lock);
  self->children = g_ptr_array_new_with_free_func (weak_ref_free);
  self->prune_at = 0;
}

/* Under the lock: the thread that fired the tree may reach here only
 * through atomics TSan does not see (GObject's unref). */
void
gasync_cancel_tree_clear (GasyncCancelTree *self)
{
  GPtrArray *children;

  gasync_lock (&self->lock);
  children = g_steal_pointer (&self->children);
  gasync_unlock (&self->lock);

  g_clear_pointer (&children, g_ptr_array_unref);
  g_clear_object (&self->cancellable);
  gasync_lock_clear (&self->lock);
}

/* A new cancellable, cancelled when @self fires or when @parent (if not
 * %NULL) is cancelled; cancelled already if @self has fired. */
GCancellable *
gasync_cancel_tree_new_child (GasyncCancelTree *self,
                              GCancellable     *parent)
{
  GCancellable *child = g_cancellable_new ();
  gboolean fired;

  if (parent != NULL)
    link_child (child, parent);

  gasync_lock (&self->lock);
  fired = self->children == NULL;
  if (!fired)
    {
      if (self->children->len >= self->prune_at)
        prune_children_locked (self);
      g_ptr_array_add (self->children, weak_ref_new (child));
    }
  gasync_unlock (&self->lock);

  if (fired)
    g_cancellable_cancel (child);
  return child;
}

/* Cancels the living children, then the cancellable of @self; children
 * made later are made cancelled. Only the first call does anything. */
void
gasync_cancel_tree_fire (GasyncCancelTree *self)
{
  g_autoptr(GPtrArray) fired = NULL;
  GCancellable *cancellable;

  /* The cancellable too is read under the lock, which orders the read
   * before gasync_cancel_tree_clear() for TSan. */
  gasync_lock (&self->lock);
  fired = g_steal_pointer (&self->children);
  cancellable = self->cancellable;
  gasync_unlock (&self->lock);

  for (guint i = 0; fired != NULL && i < fired->len; i++)
    {
      g_autoptr(GCancellable) child = g_weak_ref_get (fired->pdata[i]);

      if (child != NULL)
        g_cancellable_cancel (child);
    }
  g_cancellable_cancel (cancellable);
}

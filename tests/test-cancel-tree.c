/* test-cancel-tree.c: a cancellable and its weakly held children
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#include "config.h"

#include "gasync-cancel-tree-private.h"
#include "gasync-private.h"
#include "gasync-test-util.h"

static void
test_cancel_tree_fire (void)
{
  GasyncCancelTree tree;
  g_autoptr(GCancellable) before = NULL;
  g_autoptr(GCancellable) after = NULL;

  g_test_summary ("Firing cancels the children made before, then the "
                  "tree's own cancellable; children made after are made "
                  "cancelled");

  gasync_cancel_tree_init (&tree);
  before = gasync_cancel_tree_new_child (&tree, NULL);
  g_assert_false (g_cancellable_is_cancelled (before));
  g_assert_false (g_cancellable_is_cancelled (tree.cancellable));

  gasync_cancel_tree_fire (&tree);
  g_assert_true (g_cancellable_is_cancelled (before));
  g_assert_true (g_cancellable_is_cancelled (tree.cancellable));

  after = gasync_cancel_tree_new_child (&tree, NULL);
  g_assert_true (g_cancellable_is_cancelled (after));
  /* Firing again changes nothing. */
  gasync_cancel_tree_fire (&tree);
  gasync_cancel_tree_clear (&tree);
}

static void
test_cancel_tree_parent (void)
{
  GasyncCancelTree tree;
  g_autoptr(GCancellable) parent = g_cancellable_new ();
  g_autoptr(GCancellable) child = NULL;
  g_autoptr(GCancellable) sibling = NULL;

  g_test_summary ("A child with a parent of its own is cancelled by the "
                  "parent alone, before the tree fires");

  gasync_cancel_tree_init (&tree);
  child = gasync_cancel_tree_new_child (&tree, parent);
  sibling = gasync_cancel_tree_new_child (&tree, NULL);
  g_cancellable_cancel (parent);
  g_assert_true (g_cancellable_is_cancelled (child));
  g_assert_false (g_cancellable_is_cancelled (sibling));
  g_assert_false (g_cancellable_is_cancelled (tree.cancellable));
  gasync_cancel_tree_clear (&tree);
}

static void
test_cancel_tree_dropped_children (void)
{
  GasyncCancelTree tree;
  g_autoptr(GCancellable) parent = g_cancellable_new ();

  g_test_summary ("Dropped children leave no handler on their parent and "
                  "are pruned from the tree, which holds them weakly");

  gasync_cancel_tree_init (&tree);
  for (guint i = 0; i < 100; i++)
    g_object_unref (gasync_cancel_tree_new_child (&tree, parent));
  g_assert_false (g_signal_has_handler_pending (parent,
                                                g_signal_lookup ("cancelled", G_TYPE_CANCELLABLE),
                                                0, TRUE));
  g_assert_cmpuint (tree.children->len, <=, 32);

  /* Firing with only dead children left cancels the tree alone. */
  gasync_cancel_tree_fire (&tree);
  g_assert_true (g_cancellable_is_cancelled (tree.cancellable));
  g_assert_false (g_cancellable_is_cancelled (parent));
  gasync_cancel_tree_clear (&tree);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gasync/cancel-tree/fire", test_cancel_tree_fire);
  g_test_add_func ("/gasync/cancel-tree/parent", test_cancel_tree_parent);
  g_test_add_func ("/gasync/cancel-tree/dropped-children", test_cancel_tree_dropped_children);

  return g_test_run ();
}

/* test-item.h: a small GObject work item and a gate for the worker tests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#pragma once

#include <string.h>

#include <gio/gio.h>

#include "gasync-sync-private.h"
#include "gasync-test-util.h"

#define TEST_TYPE_ITEM (test_item_get_type ())
G_DECLARE_FINAL_TYPE (TestItem, test_item, TEST, ITEM, GObject)

struct _TestItem
{
  GObject parent_instance;
  guint index;
  int n_processed; /* atomic */
};

G_DEFINE_FINAL_TYPE (TestItem, test_item, G_TYPE_OBJECT)

static void
test_item_class_init (TestItemClass *klass)
{
}

static void
test_item_init (TestItem *self)
{
}

/* @n items with indices 0 … n-1, in an array that owns them. */
static inline GPtrArray *
test_items_new (guint n)
{
  GPtrArray *items = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < n; i++)
    {
      TestItem *item = g_object_new (TEST_TYPE_ITEM, NULL);

      item->index = i;
      g_ptr_array_add (items, item);
    }
  return items;
}

/* Asserts that every item of @items was processed exactly once. */
static inline void
test_items_assert_processed_once (GPtrArray *items)
{
  for (guint i = 0; i < items->len; i++)
    g_assert_cmpint (g_atomic_int_get (&TEST_ITEM (items->pdata[i])->n_processed), ==, 1);
}

/* A gate that worker functions wait at until the test opens it, and that
 * counts how many are waiting. */
typedef struct
{
  GasyncLock lock;
  GasyncCond cond;
  gboolean open;
  guint n_waiting;
  guint n_passed;
} TestGate;

static inline void
test_gate_init (TestGate *gate)
{
  gasync_lock_init (&gate->lock);
  gasync_cond_init (&gate->cond);
  gate->open = FALSE;
  gate->n_waiting = 0;
  gate->n_passed = 0;
}

static inline void
test_gate_clear (TestGate *gate)
{
  gasync_cond_clear (&gate->cond);
  gasync_lock_clear (&gate->lock);
}

/* Waits until the gate opens or @cancellable fires; FALSE if cancelled. */
static inline gboolean
test_gate_pass (TestGate     *gate,
                GCancellable *cancellable)
{
  gboolean passed;

  gasync_lock (&gate->lock);
  gate->n_waiting++;
  gasync_cond_broadcast (&gate->cond);
  while (!gate->open && !g_cancellable_is_cancelled (cancellable))
    gasync_cond_wait_until (&gate->cond, &gate->lock,
                            g_get_monotonic_time () + G_TIME_SPAN_MILLISECOND);
  gate->n_waiting--;
  passed = gate->open;
  if (passed)
    gate->n_passed++;
  gasync_unlock (&gate->lock);
  return passed;
}

static inline void
test_gate_open (TestGate *gate)
{
  gasync_lock (&gate->lock);
  gate->open = TRUE;
  gasync_cond_broadcast (&gate->cond);
  gasync_unlock (&gate->lock);
}

/* Waits until @n functions wait at the gate. */
static inline void
test_gate_wait_waiting (TestGate *gate,
                        guint     n)
{
  gint64 deadline = gasync_test_deadline (10);

  gasync_lock (&gate->lock);
  while (gate->n_waiting < n)
    g_assert_true (gasync_cond_wait_until (&gate->cond, &gate->lock, deadline) ||
                   gate->n_waiting >= n);
  gasync_unlock (&gate->lock);
}

/* What the worker tests share: the gate, the owner thread, and how many
 * work functions run at the same time. */
typedef struct
{
  TestGate gate;
  GThread *owner_thread;
  int n_in_flight;   /* atomic */
  int max_in_flight; /* atomic */
} TestWork;

static inline void
test_work_init (TestWork *w)
{
  memset (w, 0, sizeof *w);
  test_gate_init (&w->gate);
  w->owner_thread = g_thread_self ();
}

static inline void
test_work_clear (TestWork *w)
{
  /* Error emissions still queued hold references. */
  while (g_main_context_iteration (NULL, FALSE));
  test_gate_clear (&w->gate);
}

/* Called by a work function when it begins, on a worker thread. */
static inline void
test_work_begin (TestWork *w)
{
  int n = g_atomic_int_add (&w->n_in_flight, 1) + 1;
  int max = g_atomic_int_get (&w->max_in_flight);

  g_assert_true (g_thread_self () != w->owner_thread);
  while (n > max && !g_atomic_int_compare_and_exchange (&w->max_in_flight, max, n))
    max = g_atomic_int_get (&w->max_in_flight);
}

static inline void
test_work_end (TestWork *w)
{
  g_atomic_int_add (&w->n_in_flight, -1);
}

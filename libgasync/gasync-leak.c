/* gasync-leak.c: objects still started, for the leak checks of test suites
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

/**
 * SECTION:gasync-leak
 * @title: Leak checks
 * @short_description: find the library objects a test left running
 *
 * What goleak and CockroachDB's leaktest give Go tests, for GLib 2.74: at
 * the end of a test, gasync_leaks_check() lists the libgasync objects that
 * were started and not stopped or closed — stoppers not stopped, runners
 * and group runners still running, work queues, workers and intervals
 * started and not closed or stopped, event loops running or waiting on
 * reserved callbacks — each as a #GasyncLeak with its kind, name and
 * age. Shutting down is often asynchronous, so the check first waits, up
 * to a timeout, for the list to empty, iterating the thread-default main
 * context meanwhile when it can.
 *
 * Tracking costs a lock when an object starts and when it stops, nothing
 * on the paths that run tasks or items: gasync_leaks_get_n_live() is a
 * counter.
 *
 * In a GTest, gasync_leaks_assert_none() fails the test and lists the
 * culprits:
 *
 * |[<!-- language="C" -->
 * static void
 * test_service_shuts_down (void)
 * {
 *   g_autoptr(MyService) service = my_service_new ();
 *
 *   my_service_start (service);
 *   my_service_shutdown (service);
 *   gasync_leaks_assert_none (G_TIME_SPAN_SECOND);
 * }
 * ]|
 *
 * With pytest, through the typelib:
 *
 * |[<!-- language="Python" -->
 * @pytest.fixture(autouse=True)
 * def no_leaks():
 *     yield
 *     leaks = Gasync.leaks_check(GLib.TIME_SPAN_SECOND)
 *     assert not leaks, [leak.to_string() for leak in leaks]
 * ]|
 *
 * Threading: every function here may be called from any thread.
 */

#include "config.h"

#include "gasync-leak-private.h"
#include "gasync-private.h"
#include "gasync-sync-private.h"

struct _GasyncLeak
{
  char *kind;
  char *name;
  GTimeSpan age;
  guint64 serial; /* the order of tracking, for equal ages */
};

typedef struct
{
  const char *kind; /* a type name: static */
  char *name;
  gint64 started;
  guint64 serial;
} Entry;

static struct
{
  GasyncLock lock;
  GasyncCond cond;   /* made with the table */
  GHashTable *live;  /* object -> Entry, made by the first object */
  int n_live;        /* atomic: read without the lock */
  guint64 serial;
} registry = {
  GASYNC_LOCK_INIT,
};

G_DEFINE_BOXED_TYPE (GasyncLeak, gasync_leak, gasync_leak_ref, gasync_leak_unref)

static void
entry_free (gpointer data)
{
  Entry *entry = data;

  g_free (entry->name);
  g_free (entry);
}

void
gasync_leak_track (gpointer    object,
                   const char *kind,
                   const char *name)
{
  g_autofree char *own_name = NULL;
  Entry *entry;

  /* Not under the lock: a property getter takes the object's own. */
  if (name == NULL &&
      G_IS_OBJECT (object) &&
      g_object_class_find_property (G_OBJECT_GET_CLASS (object), "name") != NULL &&
      g_object_class_find_property (G_OBJECT_GET_CLASS (object), "name")->value_type == G_TYPE_STRING)
    {
      g_object_get (object, "name", &own_name, NULL);
      name = own_name;
    }

  gasync_lock (&registry.lock);
  if (registry.live == NULL)
    {
      registry.live = g_hash_table_new_full (NULL, NULL, NULL, entry_free);
      gasync_cond_init (&registry.cond);
    }
  if (!g_hash_table_contains (registry.live, object))
    {
      entry = g_new (Entry, 1);
      entry->kind = kind != NULL ? kind : G_OBJECT_TYPE_NAME (object);
      entry->name = g_strdup (name);
      entry->started = g_get_monotonic_time ();
      entry->serial = registry.serial++;
      g_hash_table_insert (registry.live, object, entry);
      g_atomic_int_set (&registry.n_live, g_hash_table_size (registry.live));
    }
  gasync_unlock (&registry.lock);
}

void
gasync_leak_untrack (gpointer object)
{
  gasync_lock (&registry.lock);
  if (registry.live != NULL && g_hash_table_remove (registry.live, object))
    {
      g_atomic_int_set (&registry.n_live, g_hash_table_size (registry.live));
      gasync_cond_broadcast (&registry.cond);
    }
  gasync_unlock (&registry.lock);
}

/* Lists @object in the leak checks, after gasync_leak_watch_begin_locked()
 * said so. Called without @lock, the object's: the leak checks read its
 * name property, which may take it. A stop that completed meanwhile
 * untracked it before it was tracked: untracked again, then. */
void
gasync_leak_watch_track (GasyncLeakWatch *self,
                         gpointer         object,
                         GasyncLock      *lock)
{
  gboolean stopped;

  gasync_leak_track (object, NULL, NULL);
  gasync_lock (lock);
  stopped = !self->tracked;
  gasync_unlock (lock);
  if (stopped)
    gasync_leak_untrack (object);
}

/**
 * gasync_leak_ref:
 * @self: a #GasyncLeak
 *
 * Adds a reference to @self.
 *
 * Threading: may be called from any thread.
 *
 * Returns: (transfer full): @self
 *
 * Since: 0.1
 */
GasyncLeak *
gasync_leak_ref (GasyncLeak *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_atomic_rc_box_acquire (self);
}

static void
leak_clear (gpointer data)
{
  GasyncLeak *self = data;

  g_free (self->kind);
  g_free (self->name);
}

/**
 * gasync_leak_unref:
 * @self: (transfer full): a #GasyncLeak
 *
 * Drops a reference to @self, freeing it with the last one.
 *
 * Threading: may be called from any thread.
 *
 * Since: 0.1
 */
void
gasync_leak_unref (GasyncLeak *self)
{
  g_return_if_fail (self != NULL);

  g_atomic_rc_box_release_full (self, leak_clear);
}

/**
 * gasync_leak_get_kind:
 * @self: a #GasyncLeak
 *
 * Gets what kind of object leaked: its type name, such as
 * `GasyncStopper`.
 *
 * Threading: may be called from any thread.
 *
 * Returns: the kind of the object
 *
 * Since: 0.1
 */
const char *
gasync_leak_get_kind (GasyncLeak *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->kind;
}

/**
 * gasync_leak_get_name:
 * @self: a #GasyncLeak
 *
 * Gets the name the object had when it started: the name of a stopper,
 * work queue, worker or task group, the id of a runner.
 *
 * Threading: may be called from any thread.
 *
 * Returns: (nullable): the object's name, or %NULL if it had none
 *
 * Since: 0.1
 */
const char *
gasync_leak_get_name (GasyncLeak *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->name;
}

/**
 * gasync_leak_get_age:
 * @self: a #GasyncLeak
 *
 * Gets how long the object had been started when the check found it.
 *
 * Threading: may be called from any thread.
 *
 * Returns: the age, in microseconds
 *
 * Since: 0.1
 */
GTimeSpan
gasync_leak_get_age (GasyncLeak *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->age;
}

/**
 * gasync_leak_to_string:
 * @self: a #GasyncLeak
 *
 * Describes @self in one line, such as
 * `GasyncStopper “indexer”, started 2.50 s ago`.
 *
 * Threading: may be called from any thread.
 *
 * Returns: (transfer full): the description
 *
 * Since: 0.1
 */
char *
gasync_leak_to_string (GasyncLeak *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (self->name != NULL)
    return g_strdup_printf ("%s “%s”, started %.2f s ago", self->kind,
                            self->name, (double) self->age / G_TIME_SPAN_SECOND);
  return g_strdup_printf ("%s (unnamed), started %.2f s ago", self->kind,
                          (double) self->age / G_TIME_SPAN_SECOND);
}

/**
 * gasync_leaks_get_n_live:
 *
 * Counts the library objects started and not stopped or closed yet, at
 * once and without waiting. It reads one counter.
 *
 * Threading: may be called from any thread.
 *
 * Returns: the number of objects gasync_leaks_check() would report now
 *
 * Since: 0.1
 */
guint
gasync_leaks_get_n_live (void)
{
  return (guint) g_atomic_int_get (&registry.n_live);
}

static int
leak_compare_age (gconstpointer a,
                  gconstpointer b)
{
  const GasyncLeak *leak_a = *(GasyncLeak **) a;
  const GasyncLeak *leak_b = *(GasyncLeak **) b;

  if (leak_a->age != leak_b->age)
    return leak_a->age > leak_b->age ? -1 : 1;
  return leak_a->serial < leak_b->serial ? -1 : 1;
}

static GPtrArray *
leaks_snapshot (void)
{
  GPtrArray *leaks = g_ptr_array_new_with_free_func ((GDestroyNotify) gasync_leak_unref);
  gint64 now = g_get_monotonic_time ();
  GHashTableIter iter;
  gpointer value;

  gasync_lock (&registry.lock);
  if (registry.live != NULL)
    {
      g_hash_table_iter_init (&iter, registry.live);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          Entry *entry = value;
          GasyncLeak *leak = g_atomic_rc_box_new0 (GasyncLeak);

          leak->kind = g_strdup (entry->kind);
          leak->name = g_strdup (entry->name);
          leak->age = now - entry->started;
          leak->serial = entry->serial;
          g_ptr_array_add (leaks, leak);
        }
    }
  gasync_unlock (&registry.lock);

  g_ptr_array_sort (leaks, leak_compare_age);
  return leaks;
}

/**
 * gasync_leaks_check:
 * @timeout: how long to wait for started objects to stop, in microseconds
 *
 * Waits up to @timeout for every library object that was started to be
 * stopped or closed, then lists those that are not, oldest first. While
 * it waits, it iterates the thread-default main context if it can acquire
 * it, so that shutdowns that finish there can finish.
 *
 * Threading: may be called from any thread.
 *
 * Blocking: up to @timeout, while objects are still started; it iterates
 * the thread-default main context meanwhile.
 *
 * Returns: (transfer container) (element-type GasyncLeak): the objects
 *   still started, empty when there are none; the array owns its
 *   elements, so g_ptr_array_unref() frees them too
 *
 * Since: 0.1
 */
GPtrArray *
gasync_leaks_check (GTimeSpan timeout)
{
  g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();
  gint64 deadline;

  g_return_val_if_fail (timeout >= 0, NULL);

  deadline = gasync_deadline_add (g_get_monotonic_time (), timeout);
  while (gasync_leaks_get_n_live () > 0 && g_get_monotonic_time () < deadline)
    {
      gboolean acquired = g_main_context_acquire (context);

      if (acquired && g_main_context_iteration (context, FALSE))
        {
          g_main_context_release (context);
          continue;
        }
      if (acquired)
        g_main_context_release (context);

      /* Nothing to dispatch: wait for an object to stop (one wake-up),
       * looking at the context again every few milliseconds. */
      gasync_lock (&registry.lock);
      if (registry.live != NULL && g_hash_table_size (registry.live) > 0)
        gasync_wait (&registry.lock, &registry.cond, NULL, NULL,
                     MIN (deadline, g_get_monotonic_time () + 5 * G_TIME_SPAN_MILLISECOND),
                     NULL, NULL);
      gasync_unlock (&registry.lock);
    }

  return leaks_snapshot ();
}

/**
 * gasync_leaks_assert_none:
 * @timeout: how long to wait for started objects to stop, in microseconds
 *
 * For GTest suites: runs gasync_leaks_check() and, if objects are still
 * started, fails the current test with g_test_fail_printf(), listing each
 * of them with its kind, name and age (the list is also logged as a
 * message, since GTest shows failure messages only in TAP output).
 * Outside a GTest program, it logs the list as a warning instead.
 *
 * Threading: may be called from any thread.
 *
 * Blocking: as gasync_leaks_check().
 *
 * Returns: %TRUE if nothing leaked
 *
 * Since: 0.1
 */
gboolean
gasync_leaks_assert_none (GTimeSpan timeout)
{
  g_autoptr(GPtrArray) leaks = NULL;
  g_autoptr(GString) list = NULL;

  g_return_val_if_fail (timeout >= 0, FALSE);

  leaks = gasync_leaks_check (timeout);
  if (leaks->len == 0)
    return TRUE;

  list = g_string_new (NULL);
  for (guint i = 0; i < leaks->len; i++)
    {
      g_autofree char *line = gasync_leak_to_string (leaks->pdata[i]);

      g_string_append_printf (list, "\n  %s", line);
    }
  if (g_test_initialized ())
    {
      /* The failure message is shown only in TAP output: say it on
       * stderr too. */
      g_message ("%u libgasync objects still started:%s", leaks->len, list->str);
      g_test_fail_printf ("%u libgasync objects still started:%s", leaks->len, list->str);
    }
  else
    g_warning ("%u libgasync objects still started:%s", leaks->len, list->str);
  return FALSE;
}

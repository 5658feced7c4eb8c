/* test-registry.c: the task registry of stoppers and task groups
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#include "config.h"

#include <string.h>

#include "gasync-private.h"
#include "gasync-registry-private.h"
#include "gasync-sync-private.h"
#include "gasync-test-util.h"

/* A registry with its owner's lock, as a stopper or a task group has. */
typedef struct
{
  GasyncLock lock;
  GasyncRegistry registry;
} Owner;

typedef struct
{
  GasyncRegistryTask task;
  int ran; /* atomic */
  GThread *thread;
  gboolean inside;
  Owner *owner;
} Record;

static void
owner_init (Owner *owner)
{
  gasync_lock_init (&owner->lock);
  gasync_registry_init (&owner->registry, &owner->lock, sizeof (Record));
}

static void
owner_clear (Owner *owner)
{
  gasync_registry_clear (&owner->registry);
  gasync_lock_clear (&owner->lock);
}

static guint
count_of (GasyncRegistry *registry,
          const char     *name)
{
  g_autoptr(GHashTable) counts = gasync_registry_dup_counts_locked (registry);

  return GPOINTER_TO_UINT (g_hash_table_lookup (counts, name));
}

static void
test_registry_names (void)
{
  Owner owner;
  GasyncRegistryEntry a1, a2, b, w;
  g_autofree char *dump = NULL;

  g_test_summary ("Tasks are counted by name, workers apart; a name comes "
                  "back to the same count while it is kept idle");

  owner_init (&owner);
  gasync_lock (&owner.lock);
  g_assert_cmpuint (gasync_registry_begin_locked (&owner.registry, &a1, "a", "task"), ==, 1);
  g_assert_cmpuint (gasync_registry_begin_locked (&owner.registry, &b, "b", "task"), ==, 2);
  g_assert_cmpuint (gasync_registry_begin_locked (&owner.registry, &a2, "a", "token"), ==, 3);
  g_assert_cmpuint (gasync_registry_begin_worker_locked (&owner.registry, &w, "w"), ==, 1);
  g_assert_true (a1.name == a2.name);
  g_assert_cmpstr (gasync_registry_entry_get_name (&b), ==, "b");
  g_assert_cmpuint (count_of (&owner.registry, "a"), ==, 2);
  g_assert_cmpuint (count_of (&owner.registry, "b"), ==, 1);
  g_assert_cmpuint (count_of (&owner.registry, "w"), ==, 0);
  g_assert_cmpuint (gasync_registry_n_tasks_locked (&owner.registry), ==, 3);
  g_assert_cmpuint (gasync_registry_n_workers_locked (&owner.registry), ==, 1);
  g_assert_cmpuint (owner.registry.n_started, ==, 4);

  dump = gasync_registry_dump_locked (&owner.registry);
  g_assert_cmpstr (dump, ==,
                   "3 running tasks\n  2 × a\n  1 × b\n"
                   "1 running worker\n  1 × w");

  g_assert_cmpuint (gasync_registry_end_locked (&owner.registry, &a1), ==, 2);
  g_assert_cmpuint (gasync_registry_end_locked (&owner.registry, &b), ==, 1);
  g_assert_cmpuint (count_of (&owner.registry, "b"), ==, 0);
  /* "b" is idle, not gone: counting it again finds the same name. */
  {
    GasyncRegistryName *idle = b.name;

    g_assert_cmpuint (gasync_registry_begin_locked (&owner.registry, &b, "b", "task"), ==, 2);
    g_assert_true (b.name == idle);
  }
  g_assert_cmpuint (gasync_registry_end_locked (&owner.registry, &b), ==, 1);
  g_assert_cmpuint (gasync_registry_end_locked (&owner.registry, &a2), ==, 0);
  g_assert_cmpuint (gasync_registry_end_worker_locked (&owner.registry, &w), ==, 0);
  g_assert_cmpuint (count_of (&owner.registry, "a"), ==, 0);
  gasync_unlock (&owner.lock);
  owner_clear (&owner);
}

static void
test_registry_idle_names_swept (void)
{
  Owner owner;
  GasyncRegistryEntry keep, entry;

  g_test_summary ("Idle names are kept for reuse, and swept once more "
                  "than 64 are idle, running names left alone");

  owner_init (&owner);
  gasync_lock (&owner.lock);
  gasync_registry_begin_locked (&owner.registry, &keep, "kept", "task");
  for (guint i = 0; i < 64; i++)
    {
      g_autofree char *name = g_strdup_printf ("name-%u", i);

      gasync_registry_begin_locked (&owner.registry, &entry, name, "task");
      gasync_registry_end_locked (&owner.registry, &entry);
    }
  g_assert_cmpuint (g_hash_table_size (owner.registry.tasks.table), ==, 65);

  gasync_registry_begin_locked (&owner.registry, &entry, "one-more", "task");
  gasync_registry_end_locked (&owner.registry, &entry);
  g_assert_cmpuint (g_hash_table_size (owner.registry.tasks.table), ==, 1);
  g_assert_cmpuint (count_of (&owner.registry, "kept"), ==, 1);

  /* The last-name cache was dropped with the swept names. */
  gasync_registry_begin_locked (&owner.registry, &entry, "one-more", "task");
  g_assert_cmpstr (gasync_registry_entry_get_name (&entry), ==, "one-more");
  g_assert_cmpuint (count_of (&owner.registry, "one-more"), ==, 1);
  gasync_registry_end_locked (&owner.registry, &entry);
  gasync_registry_end_locked (&owner.registry, &keep);
  gasync_unlock (&owner.lock);
  owner_clear (&owner);
}

static void
test_registry_details (void)
{
  Owner owner;
  GasyncRegistryEntry entry;
  g_autofree char *dump = NULL;
  g_autofree char *after = NULL;

  g_test_summary ("With details, the dump lists every running task with "
                  "its kind and age, and forgets it when it ends");

  owner_init (&owner);
  g_assert_false (gasync_registry_get_track_details (&owner.registry));
  gasync_registry_track_details (&owner.registry);
  g_assert_true (gasync_registry_get_track_details (&owner.registry));

  gasync_lock (&owner.lock);
  gasync_registry_begin_locked (&owner.registry, &entry, "fetch", "token");
  dump = gasync_registry_dump_locked (&owner.registry);
  g_assert_true (g_str_has_prefix (dump, "1 running task\n  1 × fetch\n"
                                   "0 running workers\nTask details:\n"
                                   "  fetch (token, running for "));
  gasync_registry_end_locked (&owner.registry, &entry);
  after = gasync_registry_dump_locked (&owner.registry);
  g_assert_cmpstr (after, ==, "0 running tasks\n0 running workers\nTask details:");
  gasync_unlock (&owner.lock);
  owner_clear (&owner);
}

static void
test_registry_records (void)
{
  Owner owner;
  GPtrArray *records = g_ptr_array_new ();
  gpointer first;

  g_test_summary ("Records are reused; with none to reuse, a slab of them "
                  "is allocated; the slabs of a burst are given back, all "
                  "but about 256 free records");

  owner_init (&owner);
  gasync_lock (&owner.lock);
  first = gasync_registry_task_new_locked (&owner.registry);
  g_assert_cmpuint (owner.registry.slab_capacity, >, 1);
  g_assert_cmpuint (owner.registry.n_free_tasks, ==,
                    owner.registry.slab_capacity - 1);
  gasync_registry_task_free_locked (&owner.registry, first);
  g_assert_cmpuint (owner.registry.n_free_tasks, ==,
                    owner.registry.slab_capacity);
  g_assert_true (gasync_registry_task_new_locked (&owner.registry) == first);
  g_ptr_array_add (records, first);

  /* A burst: the records of many slabs, all in use at once. */
  for (guint i = 0; i < 10 * GASYNC_REGISTRY_MAX_FREE_TASKS; i++)
    {
      gpointer record = gasync_registry_task_new_locked (&owner.registry);

      /* Distinct, and writable whole. */
      memset (record, 0xaa, sizeof (GasyncRegistryTask));
      g_ptr_array_add (records, record);
    }
  g_assert_cmpuint (owner.registry.n_free_tasks, <,
                    owner.registry.slab_capacity);
  for (guint i = 0; i < records->len; i++)
    gasync_registry_task_free_locked (&owner.registry, records->pdata[i]);
  g_assert_cmpuint (owner.registry.n_free_tasks, >, GASYNC_REGISTRY_MAX_FREE_TASKS);
  g_assert_cmpuint (owner.registry.n_free_tasks, <=,
                    GASYNC_REGISTRY_MAX_FREE_TASKS + owner.registry.slab_capacity);
  g_assert_cmpuint (owner.registry.n_free_tasks % owner.registry.slab_capacity, ==, 0);
  gasync_unlock (&owner.lock);

  g_ptr_array_unref (records);
  owner_clear (&owner);
}

static gboolean
note_inside (GCancellable  *cancellable,
             gpointer       user_data,
             GError       **error)
{
  Record *record = user_data;

  record->inside = gasync_registry_runs_here (&record->owner->registry);
  return FALSE;
}

static void
test_registry_frames (void)
{
  Owner one, other;
  GasyncRegistryFrame outer, inner;
  Record record = { .owner = &one };
  g_autoptr(GError) error = NULL;

  g_test_summary ("Frames tell which registries' owners run code in this "
                  "thread; a task function runs inside one, and FALSE "
                  "without an error becomes GASYNC_ERROR_FAILED");

  owner_init (&one);
  owner_init (&other);
  g_assert_false (gasync_registry_runs_here (&one.registry));

  gasync_registry_frame_push (&outer, &one.registry);
  gasync_registry_frame_push (&inner, &other.registry);
  g_assert_true (gasync_registry_runs_here (&one.registry));
  g_assert_true (gasync_registry_runs_here (&other.registry));
  gasync_registry_frame_pop (&inner);
  g_assert_true (gasync_registry_runs_here (&one.registry));
  g_assert_false (gasync_registry_runs_here (&other.registry));
  gasync_registry_frame_pop (&outer);
  g_assert_false (gasync_registry_runs_here (&one.registry));

  g_assert_false (gasync_registry_call (&one.registry, note_inside, "inside",
                                        NULL, &record, &error));
  g_assert_true (record.inside);
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "inside"));
  g_assert_false (gasync_registry_runs_here (&one.registry));

  owner_clear (&other);
  owner_clear (&one);
}

static void
record_run (gpointer data)
{
  Record *record = data;

  record->thread = g_thread_self ();
  g_atomic_int_set (&record->ran, TRUE);
}

static void
test_registry_start (void)
{
  Owner owner;
  Record *pooled, *spawned;

  g_test_summary ("A record runs on the shared pool, or on a thread of "
                  "its own, given to its run function");

  owner_init (&owner);
  gasync_lock (&owner.lock);
  pooled = gasync_registry_task_new_locked (&owner.registry);
  spawned = gasync_registry_task_new_locked (&owner.registry);
  gasync_unlock (&owner.lock);
  pooled->ran = spawned->ran = FALSE;
  pooled->thread = spawned->thread = NULL;

  gasync_registry_task_push (&pooled->task, record_run);
  gasync_registry_task_spawn (&spawned->task, record_run, "test-spawned");
  gasync_test_wait_flag (&pooled->ran);
  gasync_test_wait_flag (&spawned->ran);
  g_assert_true (pooled->thread != g_thread_self ());
  g_assert_true (spawned->thread != g_thread_self ());
  g_assert_true (spawned->thread != pooled->thread);

  gasync_lock (&owner.lock);
  gasync_registry_task_free_locked (&owner.registry, pooled);
  gasync_registry_task_free_locked (&owner.registry, spawned);
  gasync_unlock (&owner.lock);
  owner_clear (&owner);
}

/* Stuck reports caught by the log writer. */
static int n_reports; /* atomic */

static GLogWriterOutput
test_log_writer (GLogLevelFlags   log_level,
                 const GLogField *fields,
                 gsize            n_fields,
                 gpointer         user_data)
{
  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "GASYNC_STOPPER_DUMP"))
      {
        g_assert_nonnull (strstr (fields[i].value, "1 × stuck"));
        g_atomic_int_inc (&n_reports);
        return G_LOG_WRITER_HANDLED;
      }
  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

static char *
describe_owner (gpointer owner)
{
  return g_strdup ("Test owner");
}

static void
test_registry_watch (void)
{
  Owner owner;
  GasyncRegistryEntry entry;
  gint64 deadline = gasync_test_deadline (30);

  g_test_summary ("The stuck report starts only while tasks run, once, "
                  "logs again after each interval, and ends with the last "
                  "task; clearing waits for it");

  owner_init (&owner);
  gasync_lock (&owner.lock);
  g_assert_false (gasync_registry_watch_locked (&owner.registry,
                                                g_get_monotonic_time (),
                                                G_TIME_SPAN_MILLISECOND,
                                                describe_owner, &owner));
  gasync_registry_begin_locked (&owner.registry, &entry, "stuck", "task");
  g_assert_true (gasync_registry_watch_locked (&owner.registry,
                                               g_get_monotonic_time (),
                                               G_TIME_SPAN_MILLISECOND,
                                               describe_owner, &owner));
  g_assert_false (gasync_registry_watch_locked (&owner.registry,
                                                g_get_monotonic_time (),
                                                G_TIME_SPAN_MILLISECOND,
                                                describe_owner, &owner));
  gasync_unlock (&owner.lock);

  while (g_atomic_int_get (&n_reports) < 2)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_thread_yield ();
    }

  gasync_lock (&owner.lock);
  gasync_registry_end_locked (&owner.registry, &entry);
  gasync_unlock (&owner.lock);
  /* Returns once the report's thread has seen that no task runs. */
  owner_clear (&owner);
  g_assert_false (owner.registry.watching);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_log_set_writer_func (test_log_writer, NULL, NULL);

  g_test_add_func ("/gasync/registry/names", test_registry_names);
  g_test_add_func ("/gasync/registry/idle-names-swept", test_registry_idle_names_swept);
  g_test_add_func ("/gasync/registry/details", test_registry_details);
  g_test_add_func ("/gasync/registry/records", test_registry_records);
  g_test_add_func ("/gasync/registry/frames", test_registry_frames);
  g_test_add_func ("/gasync/registry/start", test_registry_start);
  g_test_add_func ("/gasync/registry/watch", test_registry_watch);

  return g_test_run ();
}

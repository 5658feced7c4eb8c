/* gasync-registry.c: what a stopper or a task group runs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 *
 * See gasync-registry-private.h. The task path is: the owner takes a
 * record and counts it (gasync_registry_task_new_locked(),
 * gasync_registry_begin_locked()), starts it on the pool
 * (gasync_registry_task_push()), and, there, calls its function
 * (gasync_registry_call()) and ends it (gasync_registry_end_locked(),
 * gasync_registry_task_free_locked()), with its own lock held around the
 * counting.
 */

#include "config.h"

#include <string.h>

#include "gasync-registry-private.h"

#include "gasync-private.h"

/* Idle names kept for reuse before they are swept. */
#define MAX_IDLE_NAMES 64

/* What details add to a running task. */
typedef struct
{
  const char *kind;
  gint64 started;
} Detail;

/* The frames of this thread, innermost first. */
_Thread_local GasyncRegistryFrame *gasync_registry_current_frame;

static void
names_init (GasyncRegistryNames *names)
{
  names->table = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  names->last = NULL;
  names->n_idle = 0;
  names->n_running = 0;
}

static void
names_clear (GasyncRegistryNames *names)
{
  g_clear_pointer (&names->table, g_hash_table_unref);
  names->last = NULL;
}

/* Counts one more under @name. The last name counted is remembered, so
 * that a name used again and again costs a string comparison, not a hash
 * lookup. */
static GasyncRegistryName *
names_ref (GasyncRegistryNames *names,
           const char          *name)
{
  GasyncRegistryName *counted = names->last;

  if (counted == NULL || strcmp (counted->name, name) != 0)
    counted = g_hash_table_lookup (names->table, name);
  if (counted != NULL && counted->count == 0)
    names->n_idle--;
  else if (counted == NULL)
    {
      size_t len = strlen (name);

      counted = g_malloc (sizeof (GasyncRegistryName) + len + 1);
      counted->count = 0;
      memcpy (counted->name, name, len + 1);
      g_hash_table_insert (names->table, counted->name, counted);
    }
  counted->count++;
  names->last = counted;
  names->n_running++;
  return counted;
}

static gboolean
name_is_idle (gpointer key,
              gpointer value,
              gpointer user_data)
{
  return ((GasyncRegistryName *) value)->count == 0;
}

/* A name whose count falls to 0 stays in the table, so that a name that
 * keeps starting and ending tasks costs no allocation; the idle names are
 * swept once there are more than MAX_IDLE_NAMES. */
static guint
names_unref (GasyncRegistryNames *names,
             GasyncRegistryName  *counted)
{
  if (--counted->count == 0 && ++names->n_idle > MAX_IDLE_NAMES)
    {
      g_hash_table_foreach_remove (names->table, name_is_idle, NULL);
      names->n_idle = 0;
      names->last = NULL;
    }
  return --names->n_running;
}

/* Appends "count × name" lines for the running names, sorted. */
static void
names_append (GasyncRegistryNames *names,
              GString             *out)
{
  g_autoptr(GList) keys = g_list_sort (g_hash_table_get_keys (names->table),
                                       (GCompareFunc) g_strcmp0);

  for (GList *l = keys; l != NULL; l = l->next)
    {
      GasyncRegistryName *counted = g_hash_table_lookup (names->table, l->data);

      if (counted->count > 0)
        g_string_append_printf (out, "\n  %u × %s", counted->count,
                                counted->name);
    }
}

/* @task_size is the size of the owner's records of tasks, which begin
 * with a GasyncRegistryTask. */
void
gasync_registry_init (GasyncRegistry *self,
                      GasyncLock     *lock,
                      gsize           task_size)
{
  G_STATIC_ASSERT (sizeof (GasyncRegistrySlab) % sizeof (gpointer) == 0);
  g_assert (task_size >= sizeof (GasyncRegistryTask));

  memset (self, 0, sizeof (*self));
  self->lock = lock;
  /* A record and the pointer to its slab before it, aligned as pointers:
   * records hold pointers and integers. */
  self->slot_size = (sizeof (gpointer) + task_size + sizeof (gpointer) - 1) &
                    ~(sizeof (gpointer) - 1);
  self->slab_capacity = MAX (1, (GASYNC_REGISTRY_SLAB_BYTES -
                                 sizeof (GasyncRegistrySlab)) / self->slot_size);
  names_init (&self->tasks);
  names_init (&self->workers);
  gasync_cond_init (&self->cond);
}

/* Called with the lock held. */
static gboolean
watch_has_ended (gpointer data)
{
  GasyncRegistry *self = data;

  return !self->watching;
}

/* Called with the lock held. */
static gboolean
no_task_runs (gpointer data)
{
  GasyncRegistry *self = data;

  return self->tasks.n_running == 0;
}

/* Once nothing runs: waits for the stuck report to return, and frees. The
 * counts are read under the lock, since the last thread to end a task may
 * reach here only through atomics TSan does not see (GObject's unref). */
void
gasync_registry_clear (GasyncRegistry *self)
{
  gasync_lock (self->lock);
  g_assert (self->tasks.n_running == 0 && self->workers.n_running == 0);
  gasync_wait (self->lock, &self->cond, watch_has_ended, self, G_MAXINT64,
               NULL, NULL);
  gasync_unlock (self->lock);

  /* Nothing runs: every slab has only free records. */
  while (self->partial != NULL)
    {
      GasyncRegistrySlab *slab = self->partial;

      g_assert (slab->n_free == self->slab_capacity);
      self->partial = slab->next;
      g_free (slab);
    }
  g_clear_pointer (&self->details, g_hash_table_unref);
  names_clear (&self->tasks);
  names_clear (&self->workers);
  gasync_cond_clear (&self->cond);
}

/* With no free record: a new slab, allocated without the lock, with all
 * its records free, first in the partial slabs. */
GasyncRegistrySlab *
gasync_registry_slab_new_locked (GasyncRegistry *self)
{
  GasyncRegistrySlab *slab;
  char *slots;

  gasync_unlock (self->lock);
  slab = g_malloc (sizeof (GasyncRegistrySlab) +
                   self->slab_capacity * self->slot_size);
  gasync_lock (self->lock);

  slab->registry = self;
  slab->free = NULL;
  slab->n_free = self->slab_capacity;
  /* The first slot of the slab is its first free record. */
  slots = (char *) (slab + 1);
  for (guint i = self->slab_capacity; i-- > 0;)
    {
      GasyncRegistrySlab **slot = (GasyncRegistrySlab **) (slots + i * self->slot_size);
      GasyncPoolJob *task = (GasyncPoolJob *) (slot + 1);

      *slot = slab;
      task->next = slab->free;
      slab->free = task;
    }
  self->n_free_tasks += slab->n_free;
  slab->prev = NULL;
  slab->next = self->partial;
  if (self->partial != NULL)
    self->partial->prev = slab;
  self->partial = slab;
  return slab;
}

/* Gives back @slab, whose records are all free, with more free records
 * kept than the registry needs. */
void
gasync_registry_slab_free_locked (GasyncRegistry     *self,
                                  GasyncRegistrySlab *slab)
{
  gasync_registry_slab_unlink_locked (self, slab);
  self->n_free_tasks -= slab->n_free;
  g_free (slab);
}

/* From now on, keeps every running task's kind and start time, for the
 * dump. Called before the first task. */
void
gasync_registry_track_details (GasyncRegistry *self)
{
  if (self->details == NULL)
    self->details = g_hash_table_new_full (NULL, NULL, NULL, g_free);
}

gboolean
gasync_registry_get_track_details (GasyncRegistry *self)
{
  return self->details != NULL;
}

/* gasync_registry_begin_locked() for a name other than the last one
 * counted, or with details. */
guint
gasync_registry_begin_slow_locked (GasyncRegistry      *self,
                              GasyncRegistryEntry *entry,
                              const char          *name,
                              const char          *kind)
{
  entry->name = names_ref (&self->tasks, name);
  self->n_started++;
  if (G_UNLIKELY (self->details != NULL))
    {
      Detail *detail = g_new (Detail, 1);

      detail->kind = kind;
      detail->started = g_get_monotonic_time ();
      g_hash_table_insert (self->details, entry, detail);
    }
  return self->tasks.n_running;
}

/* gasync_registry_end_locked() for the last task of its name, or with
 * details. */
guint
gasync_registry_end_slow_locked (GasyncRegistry      *self,
                            GasyncRegistryEntry *entry)
{
  guint n_running;

  if (G_UNLIKELY (self->details != NULL))
    g_hash_table_remove (self->details, entry);
  n_running = names_unref (&self->tasks, entry->name);
  if (n_running == 0 && self->watching)
    gasync_cond_broadcast (&self->cond);
  return n_running;
}

/* The same for workers, which have no details and no stuck report. */
guint
gasync_registry_begin_worker_locked (GasyncRegistry      *self,
                                     GasyncRegistryEntry *entry,
                                     const char          *name)
{
  entry->name = names_ref (&self->workers, name);
  self->n_started++;
  return self->workers.n_running;
}

guint
gasync_registry_end_worker_locked (GasyncRegistry      *self,
                                   GasyncRegistryEntry *entry)
{
  return names_unref (&self->workers, entry->name);
}

static gpointer
task_thread (gpointer data)
{
  GasyncRegistryTask *task = data;

  task->job.func (task);
  return NULL;
}

/* Calls @run (@task) on a new thread named @thread_name, for what runs for
 * long. */
void
gasync_registry_task_spawn (GasyncRegistryTask *task,
                            GasyncPoolFunc      run,
                            const char         *thread_name)
{
  task->job.func = run;
  g_thread_unref (g_thread_new (thread_name, task_thread, task));
}

/* Whether this thread runs code of the owner of @self (inside a frame). */
gboolean
gasync_registry_runs_here (const GasyncRegistry *self)
{
  for (GasyncRegistryFrame *frame = gasync_registry_current_frame; frame != NULL;
       frame = frame->prev)
    if (frame->registry == self)
      return TRUE;
  return FALSE;
}

/* A new table from task name to its count of running tasks. */
GHashTable *
gasync_registry_dup_counts_locked (GasyncRegistry *self)
{
  GHashTable *copy = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            NULL);
  GHashTableIter iter;
  GasyncRegistryName *counted;

  g_hash_table_iter_init (&iter, self->tasks.table);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &counted))
    if (counted->count > 0)
      g_hash_table_insert (copy, g_strdup (counted->name),
                           GUINT_TO_POINTER (counted->count));
  return copy;
}

/* What runs, for people: the number of tasks, their counts by name, the
 * same for workers, and with details every task with its kind and age. */
char *
gasync_registry_dump_locked (GasyncRegistry *self)
{
  GString *out = g_string_new (NULL);
  gint64 now = g_get_monotonic_time ();

  g_string_append_printf (out,
                          g_dngettext (GETTEXT_PACKAGE,
                                       /* Translators: the first line of a
                                        * list of running tasks */
                                       "%u running task",
                                       "%u running tasks",
                                       self->tasks.n_running),
                          self->tasks.n_running);
  names_append (&self->tasks, out);

  g_string_append_c (out, '\n');
  g_string_append_printf (out,
                          g_dngettext (GETTEXT_PACKAGE,
                                       /* Translators: the first line of a
                                        * list of running workers */
                                       "%u running worker",
                                       "%u running workers",
                                       self->workers.n_running),
                          self->workers.n_running);
  names_append (&self->workers, out);

  if (self->details != NULL)
    {
      GHashTableIter iter;
      GasyncRegistryEntry *entry;
      Detail *detail;

      g_string_append_c (out, '\n');
      /* Translators: the first line of the detailed list of running tasks */
      g_string_append (out, _("Task details:"));
      g_hash_table_iter_init (&iter, self->details);
      while (g_hash_table_iter_next (&iter, (gpointer *) &entry,
                                     (gpointer *) &detail))
        {
          g_string_append (out, "\n  ");
          /* Translators: one running task: its name, its kind and how long
           * it has run, in seconds */
          g_string_append_printf (out, _("%s (%s, running for %.3f s)"),
                                  entry->name->name, detail->kind,
                                  (now - detail->started) / (double) G_USEC_PER_SEC);
        }
    }

  return g_string_free (out, FALSE);
}

/* Logs what a stuck quiescing phase waits for, after every interval,
 * until no task runs. It holds no reference to the owner (its last one
 * could free the owner context in this thread, a hand-off TSan cannot
 * see): gasync_registry_clear() waits until it has returned. Each report
 * is due one interval after the previous one was written: however slow
 * the log, the reports cannot come in a burst. */
static gpointer
watch_thread (gpointer data)
{
  GasyncRegistry *self = data;
  gint64 deadline;

  gasync_lock (self->lock);
  deadline = gasync_deadline_add (self->watch_since, self->watch_interval);
  while (!gasync_wait (self->lock, &self->cond, no_task_runs, self, deadline,
                       NULL, NULL))
    {
      g_autofree char *dump = gasync_registry_dump_locked (self);
      g_autofree char *label = self->describe (self->owner);
      g_autofree char *num_tasks = g_strdup_printf ("%u",
                                                    self->tasks.n_running);
      double seconds = (g_get_monotonic_time () - self->watch_since) /
                       (double) G_USEC_PER_SEC;

      /* Custom fields are plain strings; MESSAGE, the format, comes last. */
      gasync_unlock (self->lock);
      g_log_structured (G_LOG_DOMAIN, G_LOG_LEVEL_WARNING,
                        "GASYNC_STOPPER_NUM_TASKS", num_tasks,
                        "GASYNC_STOPPER_DUMP", dump,
                        "MESSAGE", "%s is quiescing for %.1f s, "
                        "waiting for: %s", label, seconds, dump);
      deadline = gasync_deadline_add (g_get_monotonic_time (),
                                      self->watch_interval);
      gasync_lock (self->lock);
    }
  self->watching = FALSE;
  gasync_cond_broadcast (&self->cond);
  gasync_unlock (self->lock);
  return NULL;
}

/* Starts the stuck report of a quiescing phase that began at @since: if
 * tasks still run @interval later, a thread logs the dump, with the label
 * that @describe gives for @owner, and again one @interval after each
 * report, until the last task has ended. Returns FALSE, starting none,
 * when no task runs or a report is running already. */
gboolean
gasync_registry_watch_locked (GasyncRegistry             *self,
                              gint64                      since,
                              GTimeSpan                   interval,
                              GasyncRegistryDescribeFunc  describe,
                              gpointer                    owner)
{
  if (self->watching || self->tasks.n_running == 0)
    return FALSE;

  self->watching = TRUE;
  self->watch_since = since;
  self->watch_interval = interval;
  self->describe = describe;
  self->owner = owner;
  g_thread_unref (g_thread_new ("gasync-stopper-watchdog", watch_thread, self));
  return TRUE;
}

/* gasync_registry_dump_locked() on one line, for a log line: its lines,
 * without their indentation, joined with commas. */
char *
gasync_registry_dump_line_locked (GasyncRegistry *self)
{
  g_autofree char *dump = gasync_registry_dump_locked (self);
  g_auto(GStrv) lines = g_strsplit (dump, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    g_strstrip (lines[i]);
  return g_strjoinv (", ", lines);
}

/* The readings above, for a caller without the lock: they take it. */
GHashTable *
gasync_registry_dup_counts (GasyncRegistry *self)
{
  GHashTable *copy;

  gasync_lock (self->lock);
  copy = gasync_registry_dup_counts_locked (self);
  gasync_unlock (self->lock);
  return copy;
}

char *
gasync_registry_dump (GasyncRegistry *self)
{
  char *dump;

  gasync_lock (self->lock);
  dump = gasync_registry_dump_locked (self);
  gasync_unlock (self->lock);
  return dump;
}

guint
gasync_registry_n_tasks (GasyncRegistry *self)
{
  guint n_tasks;

  gasync_lock (self->lock);
  n_tasks = gasync_registry_n_tasks_locked (self);
  gasync_unlock (self->lock);
  return n_tasks;
}

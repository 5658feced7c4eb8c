/* gasync-registry-private.h: what a stopper or a task group runs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 *
 * A registry is the part of a #GasyncStopper or a #GasyncTasks (its owner)
 * that knows what runs: the tasks and the workers, counted by name, with
 * each task's kind and age when details are tracked, as a dump and, when a
 * shutdown is stuck, as a report logged again and again. It hands out the
 * records of tasks, reused, starts them on the shared pool or on a thread
 * of their own, and calls their functions in a frame, so that the owner
 * can tell code it runs (a stop or wait from inside must not wait for
 * itself).
 *
 * A registry has no lock of its own: its owner's lock guards it. The
 * functions whose names end in `_locked` are called with that lock held,
 * the others without it.
 */

#pragma once

#include <string.h>

#include <gio/gio.h>

#include "gasync-pool-private.h"
#include "gasync-private.h"
#include "gasync-sync-private.h"
#include "gasync-types.h"

G_BEGIN_DECLS

/* The running count of one name; the string stays valid while the count is
 * positive. */
typedef struct
{
  guint count;
  char name[];
} GasyncRegistryName;

/* The running counts by name of the tasks, or of the workers. */
typedef struct
{
  GHashTable *table; /* name -> GasyncRegistryName, some idle (count 0) */
  GasyncRegistryName *last; /* the last name counted */
  guint n_idle;
  guint n_running;
} GasyncRegistryNames;

/* One running task, in the owner's own record (a GasyncRegistryTask, or
 * the stack of a task run in the calling thread, or a token's data). */
typedef struct
{
  GasyncRegistryName *name;
} GasyncRegistryEntry;

/* The record of a task that runs on the pool or on a thread of its own.
 * An owner extends it (it comes first in the owner's record) and gives the
 * size of its record to gasync_registry_init(). */
typedef struct
{
  GasyncPoolJob job; /* also the link in the list of records to reuse */
  GasyncRegistryEntry entry;
  GasyncTaskFunc func;
  gpointer user_data;
  GDestroyNotify destroy;
} GasyncRegistryTask;

typedef struct _GasyncRegistry GasyncRegistry;

/* A block of records (see gasync_registry_task_new_locked()). */
typedef struct _GasyncRegistrySlab GasyncRegistrySlab;
struct _GasyncRegistrySlab
{
  GasyncRegistry *registry; /* its records' */
  GasyncRegistrySlab *prev; /* in the registry's partial slabs */
  GasyncRegistrySlab *next;
  GasyncPoolJob *free; /* its free records, linked by job.next */
  guint n_free;
};

/* Says, for log lines, which object the registry belongs to (see
 * gasync_describe()). Called with the owner's lock held. */
typedef char *(*GasyncRegistryDescribeFunc) (gpointer owner);

struct _GasyncRegistry
{
  GasyncLock *lock; /* the owner's */
  GasyncRegistryNames tasks;
  GasyncRegistryNames workers;
  guint64 n_started; /* tasks and workers */
  GHashTable *details; /* GasyncRegistryEntry -> Detail; with details only */

  /* The records, in slabs (see gasync_registry_task_new_locked()). */
  gsize slot_size; /* a record and its slab pointer */
  guint slab_capacity; /* records per slab */
  GasyncRegistrySlab *partial; /* the slabs with a free record */
  guint n_free_tasks; /* free records in them */

  /* The stuck report (see gasync_registry_watch_locked()). */
  GasyncCond cond; /* broadcast when the last task ends while watched */
  gboolean watching;
  gint64 watch_since;
  GTimeSpan watch_interval;
  GasyncRegistryDescribeFunc describe;
  gpointer owner;
};

/* Marks code that a registry's owner runs in this thread. */
typedef struct _GasyncRegistryFrame GasyncRegistryFrame;
struct _GasyncRegistryFrame
{
  const GasyncRegistry *registry;
  GasyncRegistryFrame *prev;
};

void      gasync_registry_init                (GasyncRegistry              *self,
                                               GasyncLock                  *lock,
                                               gsize                        task_size);
void      gasync_registry_clear               (GasyncRegistry              *self);
void      gasync_registry_track_details       (GasyncRegistry              *self);
gboolean  gasync_registry_get_track_details   (GasyncRegistry              *self);

/* Counting. */
guint     gasync_registry_begin_slow_locked   (GasyncRegistry              *self,
                                               GasyncRegistryEntry         *entry,
                                               const char                  *name,
                                               const char                  *kind);
guint     gasync_registry_end_slow_locked     (GasyncRegistry              *self,
                                               GasyncRegistryEntry         *entry);

/* Counts a task under @name in @entry; @kind ("task", "async task", …, a
 * static string) is for the details. Returns how many tasks run now.
 * Inline for the tiny task's case: without details, the name is the one
 * counted last (a string comparison, no hash lookup). */
static inline guint
gasync_registry_begin_locked (GasyncRegistry      *self,
                              GasyncRegistryEntry *entry,
                              const char          *name,
                              const char          *kind)
{
  GasyncRegistryName *last = self->tasks.last;

  if (G_UNLIKELY (last == NULL || self->details != NULL ||
                  strcmp (last->name, name) != 0))
    return gasync_registry_begin_slow_locked (self, entry, name, kind);
  if (last->count++ == 0)
    self->tasks.n_idle--;
  entry->name = last;
  self->n_started++;
  return ++self->tasks.n_running;
}

/* Ends the task counted in @entry. Returns how many tasks still run.
 * Inline while its name stays counted: then another task runs, so that
 * neither the idle names nor the stuck report need a look. */
static inline guint
gasync_registry_end_locked (GasyncRegistry      *self,
                            GasyncRegistryEntry *entry)
{
  if (G_UNLIKELY (entry->name->count <= 1 || self->details != NULL))
    return gasync_registry_end_slow_locked (self, entry);
  entry->name->count--;
  return --self->tasks.n_running;
}
guint     gasync_registry_begin_worker_locked (GasyncRegistry              *self,
                                               GasyncRegistryEntry         *entry,
                                               const char                  *name);
guint     gasync_registry_end_worker_locked   (GasyncRegistry              *self,
                                               GasyncRegistryEntry         *entry);

static inline guint
gasync_registry_n_tasks_locked (GasyncRegistry *self)
{
  return self->tasks.n_running;
}

static inline guint
gasync_registry_n_workers_locked (GasyncRegistry *self)
{
  return self->workers.n_running;
}

static inline const char *
gasync_registry_entry_get_name (GasyncRegistryEntry *entry)
{
  return entry->name->name;
}

/* Records come from slabs of about 4 KiB, each record preceded by a
 * pointer to its slab, and go back to them: the producer and the pool
 * thread that frees a record are different threads, which malloc's
 * per-thread caches serve badly (a malloc and a free cost about 160
 * instructions, against one or two dozen here), and a burst of tasks
 * queues far more records than a fixed cache of free ones could keep. A
 * slab whose records are all free is given back once the registry keeps
 * GASYNC_REGISTRY_MAX_FREE_TASKS free records besides, so that the memory
 * of a burst does not stay. Kept inline: a task costs no call into this
 * unit for them. */
#define GASYNC_REGISTRY_SLAB_BYTES 4096
#define GASYNC_REGISTRY_MAX_FREE_TASKS 256

GasyncRegistrySlab *gasync_registry_slab_new_locked (GasyncRegistry     *self);
void                gasync_registry_slab_free_locked (GasyncRegistry     *self,
                                                      GasyncRegistrySlab *slab);

static inline void
gasync_registry_slab_unlink_locked (GasyncRegistry     *self,
                                    GasyncRegistrySlab *slab)
{
  if (slab->prev != NULL)
    slab->prev->next = slab->next;
  else
    self->partial = slab->next;
  if (slab->next != NULL)
    slab->next->prev = slab->prev;
  slab->prev = slab->next = NULL;
}

static inline void
gasync_registry_task_free_locked (GasyncRegistry *self,
                                  gpointer        task)
{
  GasyncPoolJob *job = &((GasyncRegistryTask *) task)->job;
  GasyncRegistrySlab *slab = ((GasyncRegistrySlab **) task)[-1];

  job->next = slab->free;
  slab->free = job;
  self->n_free_tasks++;
  if (slab->n_free++ == 0)
    {
      /* Was full: it has a free record again. */
      slab->prev = NULL;
      slab->next = self->partial;
      if (self->partial != NULL)
        self->partial->prev = slab;
      self->partial = slab;
    }
  else if (G_UNLIKELY (slab->n_free == self->slab_capacity &&
                       self->n_free_tasks >
                       GASYNC_REGISTRY_MAX_FREE_TASKS + self->slab_capacity))
    gasync_registry_slab_free_locked (self, slab);
}

/* The registry of the record @task, from any thread that the record was
 * handed to: its owner need not keep a pointer to itself in each. */
static inline GasyncRegistry *
gasync_registry_task_get_registry (gpointer task)
{
  return ((GasyncRegistrySlab **) task)[-1]->registry;
}

/* A record of the owner's size. May drop the lock while it allocates. */
static inline gpointer
gasync_registry_task_new_locked (GasyncRegistry *self)
{
  GasyncRegistrySlab *slab = self->partial;
  GasyncPoolJob *task;

  if (G_UNLIKELY (slab == NULL))
    slab = gasync_registry_slab_new_locked (self);
  task = slab->free;
  slab->free = task->next;
  self->n_free_tasks--;
  if (--slab->n_free == 0)
    gasync_registry_slab_unlink_locked (self, slab);
  return task;
}

/* Calls @run (@task) on the shared pool. */
static inline void
gasync_registry_task_push (GasyncRegistryTask *task,
                           GasyncPoolFunc      run)
{
  /* The job comes first in the task: @run gets @task. */
  G_STATIC_ASSERT (G_STRUCT_OFFSET (GasyncRegistryTask, job) == 0);
  gasync_pool_push_job (&task->job, run);
}

void      gasync_registry_task_spawn          (GasyncRegistryTask          *task,
                                               GasyncPoolFunc               run,
                                               const char                  *thread_name);

/* Running. */

/* The frames of this thread, innermost first (gasync-registry.c). */
extern _Thread_local GasyncRegistryFrame *gasync_registry_current_frame;

/* Marks the code that follows, until gasync_registry_frame_pop(), as run
 * by the owner of @self in this thread. */
static inline void
gasync_registry_frame_push (GasyncRegistryFrame  *frame,
                            const GasyncRegistry *self)
{
  frame->registry = self;
  frame->prev = gasync_registry_current_frame;
  gasync_registry_current_frame = frame;
}

static inline void
gasync_registry_frame_pop (GasyncRegistryFrame *frame)
{
  gasync_registry_current_frame = frame->prev;
}

gboolean  gasync_registry_runs_here           (const GasyncRegistry        *self);

/* Calls the task function @func named @name in a frame of @self, with the
 * rule of gasync_task_func_call(). Inline: it is on every task's path. */
static inline gboolean
gasync_registry_call (GasyncRegistry  *self,
                      GasyncTaskFunc   func,
                      const char      *name,
                      GCancellable    *cancellable,
                      gpointer         user_data,
                      GError         **error)
{
  GasyncRegistryFrame frame;
  gboolean ok;

  gasync_registry_frame_push (&frame, self);
  ok = gasync_task_func_call (func, name, cancellable, user_data, error);
  gasync_registry_frame_pop (&frame);
  return ok;
}

/* Reading. */
GHashTable *gasync_registry_dup_counts_locked (GasyncRegistry              *self);
char     *gasync_registry_dump_locked         (GasyncRegistry              *self);
char     *gasync_registry_dump_line_locked    (GasyncRegistry              *self);
GHashTable *gasync_registry_dup_counts      (GasyncRegistry              *self);
char     *gasync_registry_dump                (GasyncRegistry              *self);
guint     gasync_registry_n_tasks             (GasyncRegistry              *self);
gboolean  gasync_registry_watch_locked        (GasyncRegistry              *self,
                                               gint64                       since,
                                               GTimeSpan                    interval,
                                               GasyncRegistryDescribeFunc   describe,
                                               gpointer                     owner);

G_END_DECLS

/* gasync-owner.c: running code on an owner context
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 *
 * One scheduler per GMainContext (see gasync-owner-private.h). It is a
 * GSource attached to its context, found in a table keyed by the context
 * (no reference: the context holds the source). The source's callback
 * data is the scheduler itself, so that GLib lets it go while it destroys
 * the context's sources, before it frees the context: the entry leaves
 * the table then, and what is still queued is dropped, before another
 * context can be made at the same address.
 *
 * Calls are kept by value in a ring under the scheduler's own lock (a
 * pthread mutex, which TSan sees), so that queuing allocates only when the
 * ring grows. The context is woken when the queue was empty; the source's
 * prepare and check look at the count, an atomic, without the lock.
 * Dispatching takes one call at a time, so that a drain from inside a call
 * (the stopper's, before its closers) goes on in order, and the source may
 * recurse: a call that iterates the context again (a blocking stop on the
 * owner thread) still gets the calls queued after it. A dispatch or drain
 * makes as many calls as were queued when it began, so that a call that
 * queues another, or threads that keep queuing, cannot hold it.
 */

#include "config.h"

#include "gasync-owner-private.h"
#include "gasync-private.h"
#include "gasync-source-private.h"

typedef enum
{
  ITEM_INVOKE,
  ITEM_NOTIFY,
  ITEM_EMIT,
  ITEM_RETURN_BOOLEAN,
  ITEM_RETURN_POINTER,
} ItemKind;

/* One queued call, kept by value. */
typedef struct
{
  ItemKind kind;
  guint signal_id;              /* ITEM_EMIT */
  GasyncOwnerArg arg_type;      /* ITEM_EMIT */
  union
  {
    struct
    {
      GasyncOwnerFunc func;
      gpointer data;
      GDestroyNotify destroy;
    } invoke;
    struct
    {
      GObject *instance;
      GParamSpec *pspec;
    } notify;
    struct
    {
      GObject *instance;
      gpointer arg;             /* owned, as arg_type says */
      GError *error;
      char *what;               /* owned, nullable */
    } emit;
    struct
    {
      GTask *task;
      gpointer value;
      GDestroyNotify value_free;
      GError *error;
    } ret;
  };
} Item;

typedef struct
{
  GSource source;

  GasyncLock lock;
  Item *ring;                   /* lock; a power of two long */
  guint size;                   /* lock */
  guint head;                   /* lock */
  int n_queued;                 /* lock; read atomically without it */

  GMainContext *context;        /* not a reference: it holds the source */
} Scheduler;

/* A ring that grew this long for a burst is given back once empty. */
#define MIN_RING_SIZE 16
#define MAX_IDLE_RING_SIZE 1024

/* The schedulers by context. Bumping schedulers_gone whenever one leaves
 * the table invalidates every thread's cache of its last lookup: a context
 * made at the address of a finalized one is then looked up again. */
static GasyncLock schedulers_lock = GASYNC_LOCK_INIT;
static GHashTable *schedulers;  /* GMainContext -> Scheduler, schedulers_lock */
static int schedulers_gone;     /* atomic, written under schedulers_lock */

static _Thread_local struct
{
  GMainContext *context;
  Scheduler *scheduler;
  int gone;
} last_lookup;

static void
item_free_emit (Item *item)
{
  g_object_unref (item->emit.instance);
  if (item->arg_type == GASYNC_OWNER_ARG_OBJECT)
    g_clear_object ((GObject **) &item->emit.arg);
  else
    g_free (item->emit.arg);
  g_error_free (item->emit.error);
  g_free (item->emit.what);
}

static void
item_emit (Item *item)
{
  GObject *instance = item->emit.instance;

  if (item->emit.what != NULL &&
      !gasync_failure_is_handled (instance, item->signal_id, NULL,
                                  item->emit.what, item->emit.error))
    return;
  if (item->arg_type == GASYNC_OWNER_ARG_NONE)
    g_signal_emit (instance, item->signal_id, 0, item->emit.error);
  else
    g_signal_emit (instance, item->signal_id, 0, item->emit.arg,
                   item->emit.error);
}

/* Makes the call, on the owner context. */
static void
item_run (Item *item)
{
  switch (item->kind)
    {
    case ITEM_INVOKE:
      if (item->invoke.func != NULL)
        item->invoke.func (item->invoke.data);
      if (item->invoke.destroy != NULL)
        item->invoke.destroy (item->invoke.data);
      break;

    case ITEM_NOTIFY:
      g_object_notify_by_pspec (item->notify.instance, item->notify.pspec);
      g_object_unref (item->notify.instance);
      break;

    case ITEM_EMIT:
      item_emit (item);
      item_free_emit (item);
      break;

    case ITEM_RETURN_BOOLEAN:
      if (item->ret.error != NULL)
        g_task_return_error (item->ret.task, item->ret.error);
      else
        g_task_return_boolean (item->ret.task, TRUE);
      g_object_unref (item->ret.task);
      break;

    case ITEM_RETURN_POINTER:
      if (item->ret.error != NULL)
        {
          if (item->ret.value_free != NULL)
            item->ret.value_free (item->ret.value);
          g_task_return_error (item->ret.task, item->ret.error);
        }
      else
        g_task_return_pointer (item->ret.task, item->ret.value,
                               item->ret.value_free);
      g_object_unref (item->ret.task);
      break;

    default:
      g_assert_not_reached ();
    }
}

/* Lets go of what the call holds without making it: its context is being
 * finalized. */
static void
item_drop (Item *item)
{
  switch (item->kind)
    {
    case ITEM_INVOKE:
      if (item->invoke.destroy != NULL)
        item->invoke.destroy (item->invoke.data);
      break;

    case ITEM_NOTIFY:
      g_object_unref (item->notify.instance);
      break;

    case ITEM_EMIT:
      item_free_emit (item);
      break;

    case ITEM_RETURN_BOOLEAN:
    case ITEM_RETURN_POINTER:
      if (item->ret.value_free != NULL)
        item->ret.value_free (item->ret.value);
      g_clear_error (&item->ret.error);
      g_object_unref (item->ret.task);
      break;

    default:
      g_assert_not_reached ();
    }
}

/* Called with the lock held. */
static void
scheduler_grow_locked (Scheduler *self)
{
  guint size = MAX (self->size * 2, MIN_RING_SIZE);
  Item *ring = g_new (Item, size);

  for (guint i = 0; i < (guint) self->n_queued; i++)
    ring[i] = self->ring[(self->head + i) & (self->size - 1)];
  g_free (self->ring);
  self->ring = ring;
  self->size = size;
  self->head = 0;
}

static void
scheduler_push (Scheduler *self,
                Item      *item)
{
  gasync_lock (&self->lock);
  if ((guint) self->n_queued == self->size)
    scheduler_grow_locked (self);
  self->ring[(self->head + self->n_queued) & (self->size - 1)] = *item;
  g_atomic_int_set (&self->n_queued, self->n_queued + 1);
  /* The first call of a batch wakes the context; the others find it
   * woken. Under the lock, so that the call cannot run (and drop the last
   * reference to the context) before the wake-up has returned. */
  if (self->n_queued == 1)
    g_main_context_wakeup (self->context);
  gasync_unlock (&self->lock);
}

/* Takes the first call; FALSE if there is none. */
static gboolean
scheduler_pop (Scheduler *self,
               Item      *item)
{
  gasync_lock (&self->lock);
  if (self->n_queued == 0)
    {
      gasync_unlock (&self->lock);
      return FALSE;
    }
  *item = self->ring[self->head];
  self->head = (self->head + 1) & (self->size - 1);
  g_atomic_int_set (&self->n_queued, self->n_queued - 1);
  if (self->n_queued == 0)
    {
      self->head = 0;
      if (self->size > MAX_IDLE_RING_SIZE)
        {
          g_clear_pointer (&self->ring, g_free);
          self->size = 0;
        }
    }
  gasync_unlock (&self->lock);
  return TRUE;
}

/* Makes at most @max calls, in order. */
static void
scheduler_run (Scheduler *self,
               guint      max)
{
  Item item;

  for (guint i = 0; i < max && scheduler_pop (self, &item); i++)
    item_run (&item);
}

static gboolean
scheduler_is_ready (Scheduler *self)
{
  gboolean ready;

  /* Made on whichever thread first queued a call, and handed over through
   * GMainContext's GMutex, which TSan cannot see (see
   * scheduler_new_locked()). */
  GASYNC_TSAN_ACQUIRE (self);
  ready = g_atomic_int_get (&self->n_queued) > 0;
  /* For the last look before the context is finalized, on another thread
   * (see scheduler_context_gone()). */
  GASYNC_TSAN_RELEASE (self);
  return ready;
}

static gboolean
scheduler_prepare (GSource *source,
                   int     *timeout)
{
  *timeout = -1;
  return scheduler_is_ready ((Scheduler *) source);
}

static gboolean
scheduler_check (GSource *source)
{
  return scheduler_is_ready ((Scheduler *) source);
}

static gboolean
scheduler_dispatch (GSource     *source,
                    GSourceFunc  callback,
                    gpointer     user_data)
{
  Scheduler *self = (Scheduler *) source;

  GASYNC_TSAN_ACQUIRE (self);
  /* The calls queued by now: the ones that come while they run wait for
   * the next iteration, as idle sources would, so that a call that queues
   * another does not starve the context. */
  scheduler_run (self, (guint) g_atomic_int_get (&self->n_queued));
  return G_SOURCE_CONTINUE;
}

static void
scheduler_finalize (GSource *source)
{
  Scheduler *self = (Scheduler *) source;

  g_assert (self->n_queued == 0);
  g_free (self->ring);
  gasync_lock_clear (&self->lock);
}

static GSourceFuncs scheduler_funcs = {
  .prepare = scheduler_prepare,
  .check = scheduler_check,
  .dispatch = scheduler_dispatch,
  .finalize = scheduler_finalize,
};

/* The callback's destroy notify: called while the context is finalized,
 * before its memory is freed (see g_main_context_unref()). */
static void
scheduler_context_gone (gpointer data)
{
  Scheduler *self = data;
  Item *ring;
  guint size, head, n;

  GASYNC_TSAN_ACQUIRE (self);
  gasync_lock (&schedulers_lock);
  if (g_hash_table_lookup (schedulers, self->context) == self)
    g_hash_table_remove (schedulers, self->context);
  g_atomic_int_inc (&schedulers_gone);
  gasync_unlock (&schedulers_lock);

  gasync_lock (&self->lock);
  ring = g_steal_pointer (&self->ring);
  size = self->size;
  head = self->head;
  n = (guint) self->n_queued;
  self->size = self->head = 0;
  g_atomic_int_set (&self->n_queued, 0);
  self->context = NULL;
  gasync_unlock (&self->lock);

  for (guint i = 0; i < n; i++)
    item_drop (&ring[(head + i) & (size - 1)]);
  g_free (ring);
}

/* Called with schedulers_lock held. */
static Scheduler *
scheduler_new_locked (GMainContext *context)
{
  GSource *source = g_source_new (&scheduler_funcs, sizeof (Scheduler));
  Scheduler *self = (Scheduler *) source;

  gasync_lock_init (&self->lock);
  self->context = context;
  g_source_set_static_name (source, "[gasync] owner");
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_can_recurse (source, TRUE);
  g_source_set_callback (source, NULL, self, scheduler_context_gone);
  GASYNC_TSAN_RELEASE (self);
  gasync_source_attach (source, context);
  /* The context holds it now. */
  g_source_unref (source);

  if (schedulers == NULL)
    schedulers = g_hash_table_new (NULL, NULL);
  g_hash_table_insert (schedulers, context, self);
  return self;
}

/* The scheduler of @context, which the caller holds, made if @create. */
static Scheduler *
scheduler_get (GMainContext *context,
               gboolean      create)
{
  Scheduler *self;
  int gone;

  if (last_lookup.context == context &&
      last_lookup.gone == g_atomic_int_get (&schedulers_gone))
    return last_lookup.scheduler;

  gasync_lock (&schedulers_lock);
  gone = g_atomic_int_get (&schedulers_gone);
  self = schedulers != NULL ? g_hash_table_lookup (schedulers, context) : NULL;
  if (self == NULL && create)
    self = scheduler_new_locked (context);
  gasync_unlock (&schedulers_lock);

  if (self != NULL)
    {
      last_lookup.context = context;
      last_lookup.scheduler = self;
      last_lookup.gone = gone;
    }
  return self;
}

/* Makes the call now if @when allows it, else queues it. */
static void
schedule (GMainContext    *context,
          GasyncOwnerWhen  when,
          Item            *item)
{
  switch (when)
    {
    case GASYNC_OWNER_QUEUE:
      break;

    case GASYNC_OWNER_NOW_IF_OWNER:
      if (g_main_context_is_owner (context))
        {
          item_run (item);
          return;
        }
      break;

    case GASYNC_OWNER_NOW_IF_FREE:
      if (g_main_context_acquire (context))
        {
          item_run (item);
          g_main_context_release (context);
          return;
        }
      break;

    default:
      g_assert_not_reached ();
    }

  scheduler_push (scheduler_get (context, TRUE), item);
}

void
gasync_owner_invoke (GMainContext    *context,
                     GasyncOwnerWhen  when,
                     GasyncOwnerFunc  func,
                     gpointer         data,
                     GDestroyNotify   destroy)
{
  Item item = { .kind = ITEM_INVOKE };

  g_assert (context != NULL);
  g_assert (func != NULL || destroy != NULL);

  item.invoke.func = func;
  item.invoke.data = data;
  item.invoke.destroy = destroy;
  schedule (context, when, &item);
}

void
gasync_owner_emit_error (GMainContext    *context,
                         GasyncOwnerWhen  when,
                         gpointer         instance,
                         guint            signal_id,
                         GasyncOwnerArg   arg_type,
                         gconstpointer    arg,
                         GError          *error,
                         const char      *what)
{
  Item item = { .kind = ITEM_EMIT };

  g_assert (context != NULL);
  g_assert (G_IS_OBJECT (instance));
  g_assert (error != NULL);

  item.signal_id = signal_id;
  item.arg_type = arg_type;
  item.emit.instance = g_object_ref (instance);
  switch (arg_type)
    {
    case GASYNC_OWNER_ARG_NONE:
      break;

    case GASYNC_OWNER_ARG_OBJECT:
      item.emit.arg = arg != NULL ? g_object_ref ((gpointer) arg) : NULL;
      break;

    case GASYNC_OWNER_ARG_STRING:
      item.emit.arg = g_strdup (arg);
      break;

    default:
      g_assert_not_reached ();
    }
  item.emit.error = error;
  item.emit.what = g_strdup (what);
  schedule (context, when, &item);
}

void
gasync_owner_notify (GMainContext *context,
                     gpointer      instance,
                     GParamSpec   *pspec)
{
  Item item = { .kind = ITEM_NOTIFY };

  g_assert (context != NULL);

  item.notify.instance = g_object_ref (instance);
  item.notify.pspec = pspec;
  schedule (context, GASYNC_OWNER_QUEUE, &item);
}

void
gasync_owner_return_boolean (GTask  *task,
                             GError *error)
{
  Item item = { .kind = ITEM_RETURN_BOOLEAN };

  item.ret.task = task;
  item.ret.error = error;
  schedule (g_task_get_context (task), GASYNC_OWNER_QUEUE, &item);
}

void
gasync_owner_return_pointer (GTask          *task,
                             gpointer        value,
                             GDestroyNotify  value_free,
                             GError         *error)
{
  Item item = { .kind = ITEM_RETURN_POINTER };

  item.ret.task = task;
  item.ret.value = value;
  item.ret.value_free = value_free;
  item.ret.error = error;
  schedule (g_task_get_context (task), GASYNC_OWNER_QUEUE, &item);
}

void
gasync_owner_complete (GTask           *task,
                       GasyncOwnerFunc  complete)
{
  gasync_owner_invoke (g_task_get_context (task), GASYNC_OWNER_QUEUE,
                       complete, task, g_object_unref);
}

void
gasync_owner_drain (GMainContext *context)
{
  Scheduler *self = scheduler_get (context, FALSE);

  /* As many calls as are queued now: however long the calls take and
   * whoever pops some of them meanwhile (a call that iterates the
   * context), the ones queued now have all run when this returns, and
   * threads that keep queuing cannot hold it. */
  if (self != NULL)
    scheduler_run (self, (guint) g_atomic_int_get (&self->n_queued));
}

static gboolean
owner_wait_is_done (const GasyncOwnerWait *wait)
{
  gboolean done;

  gasync_lock (wait->lock);
  done = wait->done (wait->data);
  gasync_unlock (wait->lock);
  return done;
}

gboolean
gasync_owner_wait (const GasyncOwnerWait *wait)
{
  gboolean timed_out = FALSE;

  for (;;)
    {
      gint64 retry_at = G_MAXINT64;
      gboolean done;

      if (g_main_context_acquire (wait->context))
        {
          /* This thread is the owner context's thread until it is done:
           * it dispatches there, with it as its thread-default context,
           * as a thread running it with g_main_loop_run() would. */
          g_main_context_push_thread_default (wait->context);
          g_main_context_release (wait->context);
          /* Each iteration takes the context from whichever thread
           * iterated it last (the owner thread, between ours) through
           * GLib's own lock, which TSan cannot see: its poll array then
           * reads as written by both threads unordered. TSan ignores this
           * thread's accesses inside the iteration (the dispatched code
           * included); synchronisation is still followed. */
          while (!owner_wait_is_done (wait))
            {
              GASYNC_TSAN_IGNORE_BEGIN ();
              g_main_context_iteration (wait->context, TRUE);
              GASYNC_TSAN_IGNORE_END ();
            }
          return TRUE;
        }
      if (timed_out && wait->still_held != NULL)
        wait->still_held (wait->data);

      /* Another thread holds it: it runs it, or will. Look again at every
       * broadcast, and at @retry_at. */
      gasync_lock (wait->lock);
      done = wait->done (wait->data);
      if (!done)
        {
          if (wait->retry_at != NULL)
            retry_at = wait->retry_at (wait->data);
          gasync_wait (wait->lock, wait->cond, NULL, NULL, retry_at, NULL,
                       NULL);
          done = wait->done (wait->data);
        }
      gasync_unlock (wait->lock);

      if (done)
        return FALSE;
      timed_out = retry_at != G_MAXINT64 &&
                  g_get_monotonic_time () >= retry_at;
    }
}

void
gasync_owner_wait_end (GMainContext *context)
{
  g_main_context_pop_thread_default (context);
}

/* gasync-closers.c: functions run once, newest first, at close
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 *
 * See gasync-closers-private.h.
 */

#include "config.h"

#include "gasync-closers-private.h"

typedef struct
{
  GasyncOwnerFunc func;
  gpointer user_data;
  GDestroyNotify destroy;
} Closer;

static Closer *
closer_new (GasyncOwnerFunc func,
            gpointer        user_data,
            GDestroyNotify  destroy)
{
  Closer *closer = g_new (Closer, 1);

  *closer = (Closer) { func, user_data, destroy };
  return closer;
}

static void
closer_run (gpointer data)
{
  Closer *closer = data;

  closer->func (closer->user_data);
}

static void
closer_free (gpointer data)
{
  Closer *closer = data;

  if (closer->destroy != NULL)
    closer->destroy (closer->user_data);
  g_free (closer);
}

/* Adds a closer, to run before those added earlier. */
void
gasync_closers_add_locked (GasyncClosers   *self,
                           GasyncOwnerFunc  func,
                           gpointer         user_data,
                           GDestroyNotify   destroy)
{
  self->list = g_slist_prepend (self->list,
                                closer_new (func, user_data, destroy));
}

guint
gasync_closers_n_locked (GasyncClosers *self)
{
  return g_slist_length (self->list);
}

/* Runs the closers, newest first, each then its destroy notify, without
 * @lock, which is held on entry and on return. Called on the owner
 * context. A closer may add another one: it runs next. */
void
gasync_closers_run_locked (GasyncClosers *self,
                           GasyncLock    *lock)
{
  while (self->list != NULL)
    {
      Closer *closer = self->list->data;

      self->list = g_slist_delete_link (self->list, self->list);
      gasync_unlock (lock);
      closer_run (closer);
      closer_free (closer);
      gasync_lock (lock);
    }
}

/* The closers will not run (their owner was never closed), but their
 * destroy notifies do, on @context. Called without @lock. */
void
gasync_closers_free (GasyncClosers *self,
                     GasyncLock    *lock,
                     GMainContext  *context)
{
  GSList *closers;

  gasync_lock (lock);
  closers = g_steal_pointer (&self->list);
  gasync_unlock (lock);

  for (GSList *l = closers; l != NULL; l = l->next)
    gasync_owner_destroy (context, GASYNC_OWNER_NOW_IF_OWNER, closer_free,
                          l->data);
  g_slist_free (closers);
}

/* A closer added once its owner has closed: it runs at once if this
 * thread may run @context now (it runs it already, or it is
 * @owner_thread and nobody else runs it), else in a later dispatch there. */
void
gasync_closers_run_late (GMainContext    *context,
                         GThread         *owner_thread,
                         GasyncOwnerFunc  func,
                         gpointer         user_data,
                         GDestroyNotify   destroy)
{
  Closer *closer = closer_new (func, user_data, destroy);

  if ((g_main_context_is_owner (context) || g_thread_self () == owner_thread) &&
      g_main_context_acquire (context))
    {
      closer_run (closer);
      closer_free (closer);
      g_main_context_release (context);
    }
  else
    gasync_owner_invoke (context, GASYNC_OWNER_QUEUE, closer_run, closer,
                         closer_free);
}

/* gasync-dispatch.c: running code on an owner context
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 *
 * Every signal, notify, completion callback and destroy notify of libgasync
 * runs on the owner context of its object (DESIGN §3). Work that ends on
 * another thread hops there through gasync_dispatch_to_context(). The hop
 * goes through GMainContext's GMutex, which TSan cannot see, so the payload
 * is published with a release and taken with an acquire.
 */

#include "config.h"

#include "gasync-dispatch-private.h"
#include "gasync-sync-private.h"

typedef struct
{
  GSourceFunc func;
  gpointer data;
  GDestroyNotify destroy;
} Dispatch;

static gboolean
dispatch_cb (gpointer user_data)
{
  Dispatch *dispatch = user_data;

  GASYNC_TSAN_ACQUIRE (dispatch);
  dispatch->func (dispatch->data);
  return G_SOURCE_REMOVE;
}

static void
dispatch_free (gpointer user_data)
{
  Dispatch *dispatch = user_data;

  GASYNC_TSAN_ACQUIRE (dispatch);
  if (dispatch->destroy != NULL)
    dispatch->destroy (dispatch->data);
  g_free (dispatch);
}

/* Runs @func (its return value is ignored: it runs once) and then @destroy
 * on @context, from any thread. If @context is never iterated again and is
 * finalized, @destroy still runs, wherever the last reference is dropped. */
void
gasync_dispatch_to_context (GMainContext   *context,
                            GSourceFunc     func,
                            gpointer        data,
                            GDestroyNotify  destroy)
{
  Dispatch *dispatch = g_new (Dispatch, 1);
  GSource *source = g_idle_source_new ();

  dispatch->func = func;
  dispatch->data = data;
  dispatch->destroy = destroy;

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_static_name (source, "[gasync] dispatch");
  g_source_set_callback (source, dispatch_cb, dispatch, dispatch_free);
  GASYNC_TSAN_RELEASE (dispatch);
  /* GMainContext guards its source lists with a GMutex that TSan cannot
   * see, so what g_source_attach() and g_source_unref() do to them (such as
   * allocating a per-priority list that the owner thread frees later) would
   * read as races with the owner thread's iteration: TSan ignores this
   * thread's accesses there. The payload is ordered by the release above. */
  GASYNC_TSAN_IGNORE_BEGIN ();
  g_source_attach (source, context);
  g_source_unref (source);
  GASYNC_TSAN_IGNORE_END ();
}

static gboolean
nothing_cb (gpointer data)
{
  return G_SOURCE_REMOVE;
}

/* Calls @destroy (@data) on @context as g_main_context_invoke() would: at
 * once if this thread owns @context or can acquire it, else from a
 * dispatch there. Nothing if @destroy is NULL. */
void
gasync_invoke_destroy (GMainContext   *context,
                       GDestroyNotify  destroy,
                       gpointer        data)
{
  if (destroy == NULL)
    return;

  if (g_main_context_acquire (context))
    {
      destroy (data);
      g_main_context_release (context);
      return;
    }
  gasync_dispatch_to_context (context, nothing_cb, data, destroy);
}

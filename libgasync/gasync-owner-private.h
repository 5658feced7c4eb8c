/* gasync-owner-private.h: running code on an owner context
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 *
 * Every signal, notify, completion callback and destroy notify of libgasync
 * runs on the owner context of its object (DESIGN §3). Whatever the library
 * does there from another thread goes through one scheduler per
 * GMainContext, in the shape of libdex's main scheduler: one GSource per
 * context, made on first use and kept while the context lives, and a
 * locked FIFO queue of calls that it runs in order. Queuing only locks and
 * appends, and wakes the context once per batch (when the queue was
 * empty): it allocates nothing inside GLib, whose allocations under its
 * own locks TSan would see as races.
 *
 * If a context is finalized with calls still queued, they do not run, but
 * what they hold is let go there and then: destroy notifies run, GTasks
 * and instances are unreferenced, wherever the last reference to the
 * context is dropped.
 */

#pragma once

#include <gio/gio.h>

#include "gasync-sync-private.h"

G_BEGIN_DECLS

typedef void (*GasyncOwnerFunc) (gpointer data);

/* When a call may run without waiting for the queue. */
typedef enum
{
  /* Queued: it runs in a later dispatch, even if this thread owns the
   * context. */
  GASYNC_OWNER_QUEUE,
  /* At once if this thread owns the context (g_main_context_is_owner()),
   * else queued. */
  GASYNC_OWNER_NOW_IF_OWNER,
  /* At once if this thread owns the context or can acquire it (nobody owns
   * it: as g_main_context_invoke() does, without its thread-default
   * check), else queued. */
  GASYNC_OWNER_NOW_IF_FREE,
} GasyncOwnerWhen;

/* Runs @func (@data), then @destroy (@data) (either may be NULL, not
 * both), on @context, from any thread. */
void      gasync_owner_invoke         (GMainContext    *context,
                                       GasyncOwnerWhen  when,
                                       GasyncOwnerFunc  func,
                                       gpointer         data,
                                       GDestroyNotify   destroy);

/* Runs @destroy (@data) on @context, from any thread; nothing if @destroy
 * is NULL. Many destroy notifies queued at once cost one wake-up. */
static inline void
gasync_owner_destroy (GMainContext    *context,
                      GasyncOwnerWhen  when,
                      GDestroyNotify   destroy,
                      gpointer         data)
{
  if (destroy != NULL)
    gasync_owner_invoke (context, when, NULL, data, destroy);
}

/* What an error signal carries before its GError. */
typedef enum
{
  GASYNC_OWNER_ARG_NONE,        /* (GError) */
  GASYNC_OWNER_ARG_OBJECT,      /* (GObject, nullable; GError) */
  GASYNC_OWNER_ARG_STRING,      /* (string; GError) */
} GasyncOwnerArg;

/* Emits @signal_id on @instance, on @context, with @arg (a GObject that is
 * referenced or a string that is copied, as @arg_type says, or nothing)
 * and @error, which it takes; from any thread. Holds a reference to
 * @instance until then. With @what (what failed, such as "an item"), a
 * failure that no handler is connected to when it would be emitted is
 * reported instead, as every class reports one (see
 * gasync_failure_is_handled()). */
void      gasync_owner_emit_error     (GMainContext    *context,
                                       GasyncOwnerWhen  when,
                                       gpointer         instance,
                                       guint            signal_id,
                                       GasyncOwnerArg   arg_type,
                                       gconstpointer    arg,
                                       GError          *error,
                                       const char      *what);

/* Emits notify for @pspec on @instance, on @context (always queued, even
 * from the owner thread); from any thread. */
void      gasync_owner_notify         (GMainContext    *context,
                                       gpointer         instance,
                                       GParamSpec      *pspec);

/* Return @task on its context (queued): with @error if it is not NULL,
 * else with TRUE, or with @value and @value_free. Take @task (a
 * reference), @error and @value. */
void      gasync_owner_return_boolean (GTask           *task,
                                       GError          *error);
void      gasync_owner_return_pointer (GTask           *task,
                                       gpointer         value,
                                       GDestroyNotify   value_free,
                                       GError          *error);

/* Runs @complete (@task) on the context of @task (queued), then drops
 * @task, which it takes (a reference). */
void      gasync_owner_complete       (GTask           *task,
                                       GasyncOwnerFunc  complete);

/* Runs the calls queued for @context now, in order; called by the thread
 * that owns @context. Those queued meanwhile wait for its next dispatch. */
void      gasync_owner_drain          (GMainContext    *context);

/* A blocking wait for work that the owner context does: what a runner's
 * run and a stopper's stop share. */
typedef struct
{
  GMainContext *context;        /* the owner context */
  GasyncLock *lock;
  GasyncCond *cond;
  gpointer data;

  /* Called with @lock held: whether the wait is over. Whoever makes it
   * so broadcasts @cond under @lock and, unless it does so in a dispatch
   * on @context, wakes @context up (g_main_context_wakeup()). */
  gboolean (*done) (gpointer data);

  /* Optional, called with @lock held while this thread cannot acquire
   * @context: when to try again if nothing broadcasts @cond before
   * (G_MAXINT64: never). */
  gint64 (*retry_at) (gpointer data);

  /* Optional, called without the lock when a retry failed: @context is
   * still held by a thread that does not run it for us. */
  void (*still_held) (gpointer data);
} GasyncOwnerWait;

/* Waits until @wait->done holds. If this thread can acquire the owner
 * context (it runs it already, or nobody does), it runs it meanwhile, as
 * g_main_loop_run() would: it makes it its thread-default context and
 * iterates it, so that whatever is dispatched there runs in this thread.
 * It then returns TRUE with the context still acquired and pushed, for
 * the caller to finish its owner work; gasync_owner_wait_end() gives it
 * back. Otherwise it waits on the condition, trying to acquire the
 * context again at every broadcast and at @wait->retry_at, and returns
 * FALSE. */
gboolean  gasync_owner_wait           (const GasyncOwnerWait *wait);
void      gasync_owner_wait_end       (GMainContext         *context);

G_END_DECLS

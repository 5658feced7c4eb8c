/* gasync-source.c: the private GSource kinds of libgasync
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#include "config.h"

#include "gasync-source-private.h"
#include "gasync-sync-private.h"

void
gasync_source_attach (GSource      *source,
                      GMainContext *context)
{
  GASYNC_TSAN_IGNORE_BEGIN ();
  g_source_attach (source, context);
  GASYNC_TSAN_IGNORE_END ();
}

GSource *
gasync_timeout_source_new (GTimeSpan timeout)
{
  GTimeSpan ms = timeout / G_TIME_SPAN_MILLISECOND +
                 (timeout % G_TIME_SPAN_MILLISECOND != 0);

  g_assert (timeout >= 0);

  if (ms <= G_MAXUINT)
    return g_timeout_source_new ((guint) ms);
  return g_timeout_source_new_seconds ((guint) MIN (ms / 1000, G_MAXUINT));
}

GSource *
gasync_timeout_source_add (GMainContext *context,
                           GTimeSpan     timeout,
                           GSourceFunc   func,
                           gpointer      data)
{
  GSource *source = gasync_timeout_source_new (timeout);

  g_source_set_static_name (source, "[gasync] timeout");
  g_source_set_callback (source, func, data, NULL);
  gasync_source_attach (source, context);
  return source;
}

void
gasync_clear_source (GSource **source)
{
  if (*source == NULL)
    return;

  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

static gboolean
ready_source_dispatch (GSource     *source,
                       GSourceFunc  callback,
                       gpointer     user_data)
{
  g_source_set_ready_time (source, -1);
  return callback (user_data);
}

static GSourceFuncs ready_source_funcs = {
  .dispatch = ready_source_dispatch,
};

GSource *
gasync_ready_source_new (const char     *name,
                         GSourceFunc     func,
                         gpointer        data,
                         GDestroyNotify  destroy)
{
  GSource *source = g_source_new (&ready_source_funcs, sizeof (GSource));

  g_source_set_static_name (source, name);
  g_source_set_callback (source, func, data, destroy);
  return source;
}

/* The cancellable source is used instead of g_cancellable_source_new(),
 * whose source leaks in GLib 2.74 when its last reference goes while
 * another thread is still emitting #GCancellable::cancelled (the source
 * is "resurrected" for a handler call that has already happened, and
 * never unreferenced). That is the normal case when one cancellable wakes
 * many sleepers.
 *
 * Here the signal handler holds a small reference-counted link instead
 * of the source. The source clears the link's pointer under the link's
 * lock when it is disposed, so a handler that runs late (a GObject signal
 * handler may still run after it was disconnected) finds nothing to wake.
 *
 * The count uses inline atomics, not gatomicrefcount, whose functions live
 * in GLib where TSan cannot see them: the last unref, on whichever thread,
 * must be seen to come after the other's use of the lock. */
typedef struct
{
  int ref_count; /* atomic */
  GasyncLock lock;
  GSource *source;  /* unowned; NULL once the source is disposed */
} CancelLink;

typedef struct
{
  GSource source;
  GCancellable *cancellable;
  gulong handler_id;
  CancelLink *link;
} CancelSource;

static CancelLink *
cancel_link_ref (CancelLink *link)
{
  g_atomic_int_inc (&link->ref_count);
  return link;
}

static void
cancel_link_unref (gpointer data)
{
  CancelLink *link = data;

  if (g_atomic_int_dec_and_test (&link->ref_count))
    {
      /* After the handler's last use: the emitting thread may have let go
       * of it through GLib's closure reference count, which TSan cannot
       * see (see cancel_link_fire()). */
      GASYNC_TSAN_ACQUIRE (link);
      gasync_lock_clear (&link->lock);
      g_free (link);
    }
}

static void
cancel_link_fire (GCancellable *cancellable,
                  gpointer      data)
{
  CancelLink *link = data;

  /* Published by gasync_cancel_source_new() through GCancellable's GLib
   * mutex, which TSan cannot see. */
  GASYNC_TSAN_ACQUIRE (link);
  gasync_lock (&link->lock);
  if (link->source != NULL)
    g_source_set_ready_time (link->source, 0);
  gasync_unlock (&link->lock);
  GASYNC_TSAN_RELEASE (link);
}

static gboolean
cancel_source_dispatch (GSource     *source,
                        GSourceFunc  callback,
                        gpointer     user_data)
{
  CancelSource *self = (CancelSource *) source;
  GCancellableSourceFunc func =
    (GCancellableSourceFunc) (void (*) (void)) callback;

  g_source_set_ready_time (source, -1);
  if (func == NULL)
    return G_SOURCE_REMOVE;
  return func (self->cancellable, user_data);
}

static void
cancel_source_dispose (GSource *source)
{
  CancelSource *self = (CancelSource *) source;

  gasync_lock (&self->link->lock);
  self->link->source = NULL;
  gasync_unlock (&self->link->lock);
  if (self->handler_id != 0)
    {
      GASYNC_TSAN_IGNORE_BEGIN ();
      g_signal_handler_disconnect (self->cancellable, self->handler_id);
      GASYNC_TSAN_IGNORE_END ();
      self->handler_id = 0;
    }
}

static void
cancel_source_finalize (GSource *source)
{
  CancelSource *self = (CancelSource *) source;

  g_clear_object (&self->cancellable);
  cancel_link_unref (self->link);
}

static GSourceFuncs cancel_source_funcs = {
  .dispatch = cancel_source_dispatch,
  .finalize = cancel_source_finalize,
};

GSource *
gasync_cancel_source_new (GCancellable *cancellable)
{
  GSource *source = g_source_new (&cancel_source_funcs, sizeof (CancelSource));
  CancelSource *self = (CancelSource *) source;

  g_source_set_static_name (source, "[gasync] cancelled");
  g_source_set_dispose_function (source, cancel_source_dispose);
  self->cancellable = g_object_ref (cancellable);
  self->link = g_new0 (CancelLink, 1);
  self->link->ref_count = 1;
  gasync_lock_init (&self->link->lock);
  self->link->source = source;
  GASYNC_TSAN_RELEASE (self->link);
  GASYNC_TSAN_IGNORE_BEGIN ();
  self->handler_id = g_cancellable_connect (cancellable,
                                            G_CALLBACK (cancel_link_fire),
                                            cancel_link_ref (self->link),
                                            cancel_link_unref);
  GASYNC_TSAN_IGNORE_END ();
  return source;
}

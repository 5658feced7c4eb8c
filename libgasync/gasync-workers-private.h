/* gasync-workers-private.h: helpers shared by the latch, worker, interval
 * and wait group
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#pragma once

#include <glib-object.h>
#include <gio/gio.h>

#include "gasync-sync-private.h"

G_BEGIN_DECLS

/* A mailbox: a source attached to @owner, on the owner thread, that runs
 * posted functions there, in order. Posting from any thread allocates
 * nothing inside GLib (TSan cannot see GLib's locks, see
 * gasync-sync-private.h); close it on the owner thread, which runs what is
 * still queued. */
GSource *gasync_workers_mailbox_new  (GMainContext   *owner);
void     gasync_workers_mailbox_close (GSource       *mailbox);

/* Runs @func (@data), then @destroy (@data), on the mailbox's context. */
void     gasync_workers_post         (GSource        *mailbox,
                                      GSourceFunc     func,
                                      gpointer        data,
                                      GDestroyNotify  destroy);

/* Emits @signal_id (with one GError argument) on @instance through
 * @mailbox, from any thread; takes @error. */
void     gasync_workers_emit_error   (GSource      *mailbox,
                                      gpointer      instance,
                                      guint         signal_id,
                                      GError       *error);

/* Emits notify for @pspec on @instance through @mailbox, from any thread. */
void     gasync_workers_notify       (GSource      *mailbox,
                                      gpointer      instance,
                                      GParamSpec   *pspec);

/* Runs @destroy (@data) through @mailbox, from any thread (nothing if
 * @destroy is NULL). */
void     gasync_workers_destroy      (GSource        *mailbox,
                                      GDestroyNotify  destroy,
                                      gpointer        data);

/* A source on nothing but its ready time (g_source_set_ready_time(): 0 to
 * run at once, a monotonic time, or -1 to sleep), which resets it to -1
 * before each dispatch; waking it from another thread allocates nothing.
 * Calls @func (@data); @destroy (@data) when destroyed. Not attached yet. */
GSource *gasync_workers_source_new   (const char     *name,
                                      GSourceFunc     func,
                                      gpointer        data,
                                      GDestroyNotify  destroy);

G_END_DECLS

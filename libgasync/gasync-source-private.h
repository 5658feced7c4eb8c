/* gasync-source-private.h: the private GSource kinds of libgasync
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 *
 * The GSource kinds that several classes share are made here: timeouts in
 * microseconds, sources that run on nothing but their ready time, and
 * sources that fire when a GCancellable is cancelled. Every source of
 * libgasync, these and the few of its own that a class keeps (the event
 * loop's), is attached here. Running code on an owner context is not a
 * source of its own: see gasync-owner-private.h.
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Attaches @source to @context, from any thread. GMainContext guards its
 * source lists with a GMutex that TSan cannot see, so what the attach
 * changes there (such as a per-priority list that the owner thread frees
 * later) would read as a race with the owner thread's iteration: TSan
 * ignores this thread's accesses inside the attach. Whatever @source
 * carries must be handed over by the caller's own means. */
void      gasync_source_attach        (GSource       *source,
                                       GMainContext  *context);

/* A timeout source for @timeout microseconds (not negative), rounded up
 * to milliseconds; beyond G_MAXUINT milliseconds (49 days), to seconds,
 * and at most G_MAXUINT seconds (136 years). */
GSource  *gasync_timeout_source_new   (GTimeSpan      timeout);

/* A source on @context that calls @func after @timeout (microseconds).
 * Returns a reference, for gasync_clear_source(). */
GSource  *gasync_timeout_source_add   (GMainContext  *context,
                                       GTimeSpan      timeout,
                                       GSourceFunc    func,
                                       gpointer       data);

/* Destroys *@source and drops the reference; nothing if it is NULL. */
void      gasync_clear_source         (GSource      **source);

/* A source on nothing but its ready time (g_source_set_ready_time(): 0 to
 * run at once, a monotonic time, or -1 to sleep), which resets it to -1
 * before each dispatch; waking it from another thread allocates nothing.
 * Calls @func (@data); @destroy (@data) when destroyed. Not attached yet. */
GSource  *gasync_ready_source_new     (const char    *name,
                                       GSourceFunc    func,
                                       gpointer       data,
                                       GDestroyNotify destroy);

/* Like g_cancellable_source_new() (without its NULL case: @cancellable
 * must not be %NULL), without its leak (see gasync-source.c). The callback
 * has the #GCancellableSourceFunc signature. Not attached yet. */
GSource  *gasync_cancel_source_new    (GCancellable  *cancellable);

/* A callback on a context for a cancel, without a signal handler or a
 * source of its own (gasync-sync.c, with the cancellable's hub): every
 * entry on one cancellable and one context shares one source, which the
 * hub's one handler wakes once per cancel, and whose dispatch calls each
 * fired entry's function in turn. Connecting a handler per waiter takes
 * GLib's global cancellable lock twice and wakes the context once per
 * waiter on a cancel. The fields are private. */
typedef struct _GasyncCancelBatch GasyncCancelBatch;

typedef struct
{
  GList link;
  gpointer hub;
  GasyncCancelBatch *batch; /* NULL when not added */
  GSourceFunc func;
  gpointer data;
  guint64 serial;
} GasyncCancelEntry;

/* Calls @func (@data) once, in a dispatch of @context, when @cancellable
 * fires (at the next iteration if it was cancelled already), unless
 * gasync_cancel_entry_remove() came first. Its return value is ignored.
 * @entry is the caller's (zeroed or removed), until it is removed; it
 * needs no removal once @func was called, but a removal is harmless. The
 * caller keeps @cancellable alive until then. From any thread. */
void      gasync_cancel_entry_add     (GasyncCancelEntry *entry,
                                       GCancellable      *cancellable,
                                       GMainContext      *context,
                                       GSourceFunc        func,
                                       gpointer           data);

/* Takes @entry back: once it returns, its function will not be called.
 * From any thread, but not from another thread while the function runs. */
void      gasync_cancel_entry_remove  (GasyncCancelEntry *entry);

G_END_DECLS

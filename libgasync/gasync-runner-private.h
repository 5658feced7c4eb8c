/* gasync-runner-private.h: what GasyncGroupRunner needs from GasyncRunner
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#pragma once

#include "gasync-runner.h"
#include "gasync-sync-private.h"

G_BEGIN_DECLS

/* Starts @self like gasync_runner_run_async() without a caller: the
 * result is only seen through #GasyncRunner::finished. */
gboolean  gasync_runner_start             (GasyncRunner   *self,
                                           GError        **error);

void      gasync_runner_set_timeout_error (GError        **error,
                                           const char     *id,
                                           GTimeSpan       timeout);

/* A source on @context that calls @func after @timeout (microseconds).
 * Returns a reference, for gasync_clear_source(). */
GSource  *gasync_timeout_source_add       (GMainContext   *context,
                                           GTimeSpan       timeout,
                                           GSourceFunc     func,
                                           gpointer        data);
void      gasync_clear_source             (GSource       **source);

/* Runs @func (data) now if this thread owns @context, else dispatches it
 * there with a reference on @object. */
void      gasync_invoke_on_owner          (GMainContext   *context,
                                           GObject        *object,
                                           void          (*func) (gpointer object));

/* Waits until *@done, which the owner context sets under @lock before it
 * broadcasts @cond, iterating @context meanwhile if this thread can
 * acquire it. */
void      gasync_wait_on_context          (GMainContext   *context,
                                           GasyncLock     *lock,
                                           GasyncCond     *cond,
                                           const gboolean *done);

G_END_DECLS

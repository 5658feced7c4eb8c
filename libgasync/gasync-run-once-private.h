/* gasync-run-once-private.h: the run-once lifecycle of runners and groups
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 *
 * A GasyncRunner and a GasyncGroupRunner both run once, blocking or as a
 * GIO async pair, from any thread, with a caller's cancellable that
 * interrupts them; the run itself lives on the owner context. GasyncRunOnce
 * is that shared part, embedded in both instance structs.
 */

#pragma once

#include <gio/gio.h>

#include "gasync-owner-private.h"
#include "gasync-sync-private.h"

G_BEGIN_DECLS

typedef struct
{
  GasyncLock lock;
  GasyncCond cond;
  gboolean started;             /* lock */
  gboolean done;                /* lock */

  /* Set at init, constant. */
  GMainContext *context;        /* the owner context */
  GObject *object;              /* the embedding object, not a reference */
  GasyncOwnerFunc interrupt;

  /* Set by begin, then owned by the owner context. */
  GTask *task;
  GCancellable *cancellable;
  gulong cancelled_id;
} GasyncRunOnce;

/* Takes the caller's thread-default context as the owner context.
 * @interrupt (@object) is called on it when the caller's cancellable is
 * cancelled. */
void      gasync_run_once_init        (GasyncRunOnce        *self,
                                       GObject              *object,
                                       GasyncOwnerFunc       interrupt);
void      gasync_run_once_clear       (GasyncRunOnce        *self);

/* Returns FALSE if the run was started already. Otherwise keeps
 * @cancellable and @task (both nullable) and runs @launch (@object) on the
 * owner context, where it calls gasync_run_once_watch_cancellable().
 * The run counts as started for the leak checks, under @name, until
 * gasync_run_once_done(). */
gboolean  gasync_run_once_begin       (GasyncRunOnce        *self,
                                       GObject              *object,
                                       const char           *name,
                                       GCancellable         *cancellable,
                                       GTask                *task,
                                       GasyncOwnerFunc       launch);

/* On the owner context: interrupts once the caller's cancellable is
 * cancelled (at once if it is already), until the run is done. */
void      gasync_run_once_watch_cancellable (GasyncRunOnce  *self);

/* On the owner context: stops watching the cancellable, wakes up the
 * blocking callers and returns the task to complete, if any. Whatever was
 * written before is visible to them once gasync_run_once_wait() returns. */
GTask    *gasync_run_once_done        (GasyncRunOnce        *self) G_GNUC_WARN_UNUSED_RESULT;

/* Waits until done, iterating the owner context meanwhile if this thread
 * can acquire it (see gasync_owner_wait()). */
void      gasync_run_once_wait        (GasyncRunOnce        *self);

/* Stops watching the cancellable (dispose). */
void      gasync_run_once_disconnect  (GasyncRunOnce        *self);

G_END_DECLS

/* gasync-latch.h: the lifecycle state of a background worker
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#pragma once

#if !defined(GASYNC_INSIDE) && !defined(GASYNC_COMPILATION)
# error "Only <gasync.h> can be included directly."
#endif

#include <gio/gio.h>

#include "gasync-version-macros.h"

G_BEGIN_DECLS

/**
 * GasyncLatchState:
 * @GASYNC_LATCH_STATE_STOPPED: not running; the only state that can start
 * @GASYNC_LATCH_STATE_STARTING: asked to start, not running yet
 * @GASYNC_LATCH_STATE_RESUMING: asked to resume after a pause
 * @GASYNC_LATCH_STATE_STARTED: running
 * @GASYNC_LATCH_STATE_ACTIVE: running and busy with a piece of work
 * @GASYNC_LATCH_STATE_PAUSING: asked to pause
 * @GASYNC_LATCH_STATE_PAUSED: paused
 * @GASYNC_LATCH_STATE_STOPPING: asked to stop, not stopped yet
 *
 * The states of a #GasyncLatch, with the values of Go's `async.Latch*`
 * constants.
 *
 * Since: 0.1
 */
typedef enum
{
  GASYNC_LATCH_STATE_STOPPED = 0,
  GASYNC_LATCH_STATE_STARTING = 1,
  GASYNC_LATCH_STATE_RESUMING = 2,
  GASYNC_LATCH_STATE_STARTED = 3,
  GASYNC_LATCH_STATE_ACTIVE = 4,
  GASYNC_LATCH_STATE_PAUSING = 5,
  GASYNC_LATCH_STATE_PAUSED = 6,
  GASYNC_LATCH_STATE_STOPPING = 7,
} GasyncLatchState;

/**
 * GASYNC_TYPE_LATCH:
 *
 * The #GType of #GasyncLatch.
 *
 * Since: 0.1
 */
#define GASYNC_TYPE_LATCH (gasync_latch_get_type ())

GASYNC_AVAILABLE_IN_0_1
G_DECLARE_FINAL_TYPE (GasyncLatch, gasync_latch, GASYNC, LATCH, GObject)

GASYNC_AVAILABLE_IN_0_1
GasyncLatch      *gasync_latch_new          (void) G_GNUC_WARN_UNUSED_RESULT;

GASYNC_AVAILABLE_IN_0_1
GasyncLatchState  gasync_latch_get_state    (GasyncLatch   *self);
GASYNC_AVAILABLE_IN_0_1
gboolean          gasync_latch_can_start    (GasyncLatch   *self);
GASYNC_AVAILABLE_IN_0_1
gboolean          gasync_latch_can_stop     (GasyncLatch   *self);

GASYNC_AVAILABLE_IN_0_1
gboolean          gasync_latch_starting     (GasyncLatch   *self,
                                             GError       **error);
GASYNC_AVAILABLE_IN_0_1
gboolean          gasync_latch_started      (GasyncLatch   *self,
                                             GError       **error);
GASYNC_AVAILABLE_IN_0_1
gboolean          gasync_latch_active       (GasyncLatch   *self,
                                             GError       **error);
GASYNC_AVAILABLE_IN_0_1
gboolean          gasync_latch_pausing      (GasyncLatch   *self,
                                             GError       **error);
GASYNC_AVAILABLE_IN_0_1
gboolean          gasync_latch_paused       (GasyncLatch   *self,
                                             GError       **error);
GASYNC_AVAILABLE_IN_0_1
gboolean          gasync_latch_resuming     (GasyncLatch   *self,
                                             GError       **error);
GASYNC_AVAILABLE_IN_0_1
gboolean          gasync_latch_stopping     (GasyncLatch   *self,
                                             GError       **error);
GASYNC_AVAILABLE_IN_0_1
gboolean          gasync_latch_stopped      (GasyncLatch   *self,
                                             GError       **error);
GASYNC_AVAILABLE_IN_0_1
void              gasync_latch_reset        (GasyncLatch   *self);

GASYNC_AVAILABLE_IN_0_1
gboolean          gasync_latch_wait_started (GasyncLatch   *self,
                                             GCancellable  *cancellable,
                                             GError       **error);
GASYNC_AVAILABLE_IN_0_1
gboolean          gasync_latch_wait_stopped (GasyncLatch   *self,
                                             GCancellable  *cancellable,
                                             GError       **error);

GASYNC_AVAILABLE_IN_0_1
void              gasync_latch_wait_started_async  (GasyncLatch         *self,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
GASYNC_AVAILABLE_IN_0_1
gboolean          gasync_latch_wait_started_finish (GasyncLatch   *self,
                                                  GAsyncResult  *result,
                                                  GError       **error);
GASYNC_AVAILABLE_IN_0_1
void              gasync_latch_wait_stopped_async  (GasyncLatch         *self,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
GASYNC_AVAILABLE_IN_0_1
gboolean          gasync_latch_wait_stopped_finish (GasyncLatch   *self,
                                                  GAsyncResult  *result,
                                                  GError       **error);

G_END_DECLS

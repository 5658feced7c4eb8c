/* gasync-interval.h: an action run on an interval
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
#include "gasync-latch.h"
#include "gasync-types.h"

G_BEGIN_DECLS

/**
 * GasyncIntervalMode:
 * @GASYNC_INTERVAL_MODE_THREAD: the action runs on a dedicated thread
 *   (C and Python)
 * @GASYNC_INTERVAL_MODE_MAIN_CONTEXT: the action runs on the owner
 *   context, the thread-default main context of the interval's creator
 *   (also JavaScript)
 *
 * Where a #GasyncInterval runs its action.
 *
 * Since: 0.1
 */
typedef enum
{
  GASYNC_INTERVAL_MODE_THREAD,
  GASYNC_INTERVAL_MODE_MAIN_CONTEXT,
} GasyncIntervalMode;

/**
 * GASYNC_INTERVAL_DEFAULT_INTERVAL:
 *
 * The default #GasyncInterval:interval, 500 ms, as in Go.
 *
 * Since: 0.1
 */
#define GASYNC_INTERVAL_DEFAULT_INTERVAL (500 * G_TIME_SPAN_MILLISECOND)

/**
 * GASYNC_TYPE_INTERVAL:
 *
 * The #GType of #GasyncInterval.
 *
 * Since: 0.1
 */
#define GASYNC_TYPE_INTERVAL (gasync_interval_get_type ())

GASYNC_AVAILABLE_IN_0_1
G_DECLARE_FINAL_TYPE (GasyncInterval, gasync_interval, GASYNC, INTERVAL, GObject)

GASYNC_AVAILABLE_IN_0_1
GasyncInterval     *gasync_interval_new               (GasyncTaskFunc       func,
                                                       gpointer             user_data,
                                                       GDestroyNotify       destroy) G_GNUC_WARN_UNUSED_RESULT;

GASYNC_AVAILABLE_IN_0_1
GasyncLatchState    gasync_interval_get_state         (GasyncInterval      *self);
GASYNC_AVAILABLE_IN_0_1
GTimeSpan           gasync_interval_get_interval      (GasyncInterval      *self);
GASYNC_AVAILABLE_IN_0_1
void                gasync_interval_set_interval      (GasyncInterval      *self,
                                                       GTimeSpan            interval);
GASYNC_AVAILABLE_IN_0_1
GTimeSpan           gasync_interval_get_delay         (GasyncInterval      *self);
GASYNC_AVAILABLE_IN_0_1
void                gasync_interval_set_delay         (GasyncInterval      *self,
                                                       GTimeSpan            delay);
GASYNC_AVAILABLE_IN_0_1
gboolean            gasync_interval_get_stop_on_error (GasyncInterval      *self);
GASYNC_AVAILABLE_IN_0_1
void                gasync_interval_set_stop_on_error (GasyncInterval      *self,
                                                       gboolean             stop_on_error);
GASYNC_AVAILABLE_IN_0_1
GasyncIntervalMode  gasync_interval_get_mode          (GasyncInterval      *self);
GASYNC_AVAILABLE_IN_0_1
void                gasync_interval_set_mode          (GasyncInterval      *self,
                                                       GasyncIntervalMode   mode);

GASYNC_AVAILABLE_IN_0_1
gboolean            gasync_interval_start             (GasyncInterval      *self,
                                                       GError             **error);
GASYNC_AVAILABLE_IN_0_1
gboolean            gasync_interval_stop              (GasyncInterval      *self,
                                                       GCancellable        *cancellable,
                                                       GError             **error);

GASYNC_AVAILABLE_IN_0_1
void              gasync_interval_stop_async     (GasyncInterval      *self,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
GASYNC_AVAILABLE_IN_0_1
gboolean          gasync_interval_stop_finish    (GasyncInterval      *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);

G_END_DECLS

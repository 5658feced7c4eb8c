/* gasync-wait-group.h: waiting for a counted set of tasks
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
 * GASYNC_TYPE_WAIT_GROUP:
 *
 * The #GType of #GasyncWaitGroup.
 *
 * Since: 0.1
 */
#define GASYNC_TYPE_WAIT_GROUP (gasync_wait_group_get_type ())

GASYNC_AVAILABLE_IN_0_1
G_DECLARE_FINAL_TYPE (GasyncWaitGroup, gasync_wait_group, GASYNC, WAIT_GROUP, GObject)

GASYNC_AVAILABLE_IN_0_1
GasyncWaitGroup *gasync_wait_group_new         (void) G_GNUC_WARN_UNUSED_RESULT;

GASYNC_AVAILABLE_IN_0_1
gint64           gasync_wait_group_get_n_outstanding (GasyncWaitGroup      *self);

GASYNC_AVAILABLE_IN_0_1
void             gasync_wait_group_add         (GasyncWaitGroup      *self,
                                                gint                  delta);
GASYNC_AVAILABLE_IN_0_1
void             gasync_wait_group_done        (GasyncWaitGroup      *self);

GASYNC_AVAILABLE_IN_0_1
gboolean         gasync_wait_group_wait        (GasyncWaitGroup      *self,
                                                GCancellable         *cancellable,
                                                GError              **error);

GASYNC_AVAILABLE_IN_0_1
void             gasync_wait_group_wait_async  (GasyncWaitGroup      *self,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
GASYNC_AVAILABLE_IN_0_1
gboolean         gasync_wait_group_wait_finish (GasyncWaitGroup      *self,
                                                GAsyncResult         *result,
                                                GError              **error);

G_END_DECLS

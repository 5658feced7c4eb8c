/* gasync-task-token.h: counts asynchronous main-loop work as a task
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
 * GASYNC_TYPE_TASK_TOKEN:
 *
 * The #GType of #GasyncTaskToken.
 *
 * Since: 0.1
 */
#define GASYNC_TYPE_TASK_TOKEN (gasync_task_token_get_type ())

GASYNC_AVAILABLE_IN_0_1
G_DECLARE_FINAL_TYPE (GasyncTaskToken, gasync_task_token, GASYNC, TASK_TOKEN, GObject)

GASYNC_AVAILABLE_IN_0_1
const char *gasync_task_token_get_name (GasyncTaskToken *self);
GASYNC_AVAILABLE_IN_0_1
gboolean    gasync_task_token_is_ended (GasyncTaskToken *self);
GASYNC_AVAILABLE_IN_0_1
void        gasync_task_token_end      (GasyncTaskToken *self);

G_END_DECLS

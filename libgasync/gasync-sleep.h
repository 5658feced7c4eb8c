/* gasync-sleep.h: sleeps that a cancellable cuts short
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

GASYNC_AVAILABLE_IN_0_1
gboolean gasync_sleep        (GTimeSpan             duration,
                              GCancellable         *cancellable,
                              GError              **error);
GASYNC_AVAILABLE_IN_0_1
gboolean gasync_sleep_until  (gint64                deadline,
                              GCancellable         *cancellable,
                              GError              **error);
GASYNC_AVAILABLE_IN_0_1
void     gasync_sleep_async  (GTimeSpan             duration,
                              GCancellable         *cancellable,
                              GAsyncReadyCallback   callback,
                              gpointer              user_data);
GASYNC_AVAILABLE_IN_0_1
gboolean gasync_sleep_finish (GAsyncResult         *result,
                              GError              **error);

G_END_DECLS

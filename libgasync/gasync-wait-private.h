/* gasync-wait-private.h: waiting for a deadline or a cancellation
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

gint64   gasync_deadline_add     (gint64        time,
                                  GTimeSpan     span);
gboolean gasync_wait_cancellable (GCancellable *cancellable,
                                  gint64        deadline);

G_END_DECLS

/* gasync-cancel-source-private.h: a GSource that fires on cancellation
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

GSource *gasync_cancel_source_new (GCancellable *cancellable);

G_END_DECLS

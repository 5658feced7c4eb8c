/* gasync-dispatch-private.h: running code on an owner context
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

void     gasync_dispatch_to_context  (GMainContext   *context,
                                      GSourceFunc     func,
                                      gpointer        data,
                                      GDestroyNotify  destroy);

void     gasync_invoke_destroy       (GMainContext   *context,
                                      GDestroyNotify  destroy,
                                      gpointer        data);

G_END_DECLS

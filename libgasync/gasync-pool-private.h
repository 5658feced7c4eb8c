/* gasync-pool-private.h: the library's shared thread pool
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef void (*GasyncPoolFunc) (gpointer data);

void     gasync_pool_push            (GasyncPoolFunc func,
                                      gpointer       data);

guint    gasync_pool_get_n_threads   (void);
guint    gasync_pool_get_base_threads (void);

G_END_DECLS

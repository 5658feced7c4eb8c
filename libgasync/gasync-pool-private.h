/* gasync-pool-private.h: the library's shared thread pool
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef void (*GasyncPoolFunc) (gpointer data);

/* A queued call. gasync_pool_push_job() takes one that lives in the
 * caller's own record, to save an allocation per task. */
typedef struct _GasyncPoolJob GasyncPoolJob;
struct _GasyncPoolJob
{
  GasyncPoolJob *next;
  GasyncPoolFunc func;
  gpointer data;
  gboolean pool_owned;
};

void     gasync_pool_push            (GasyncPoolFunc func,
                                      gpointer       data);
void     gasync_pool_push_job        (GasyncPoolJob *job,
                                      GasyncPoolFunc func,
                                      gpointer       data);

guint    gasync_pool_get_n_threads   (void);
guint    gasync_pool_get_base_threads (void);

G_END_DECLS

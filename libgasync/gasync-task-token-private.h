/* gasync-task-token-private.h: making task tokens
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#pragma once

#include "gasync-task-token.h"

G_BEGIN_DECLS

/* Called exactly once, in the thread that ends the token (or finalizes it
 * without ending it), before gasync_task_token_end() returns. */
typedef void (*GasyncTaskTokenEndFunc) (GasyncTaskToken *token,
                                        gpointer         user_data);

GasyncTaskToken *gasync_task_token_new (const char             *name,
                                        GasyncTaskTokenEndFunc  end_func,
                                        gpointer                user_data,
                                        GDestroyNotify          destroy);

G_END_DECLS

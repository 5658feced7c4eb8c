/* gasync-task-token-private.h: making task tokens
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#pragma once

#include "gasync-task-token.h"

G_BEGIN_DECLS

/* Called exactly once: in the thread that ends the token, before
 * gasync_task_token_end() returns; for a token dropped without an end, in
 * a dispatch of its own on @context. */
typedef void (*GasyncTaskTokenEndFunc) (GasyncTaskToken *token,
                                        gpointer         user_data);

/* @context: the owner context of whatever counts the token (NULL: the
 * thread-default one), where a token dropped without gasync_task_token_end()
 * ends itself. */
GasyncTaskToken *gasync_task_token_new (const char             *name,
                                        GMainContext           *context,
                                        GasyncTaskTokenEndFunc  end_func,
                                        gpointer                user_data,
                                        GDestroyNotify          destroy);

G_END_DECLS

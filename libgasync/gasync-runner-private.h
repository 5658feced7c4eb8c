/* gasync-runner-private.h: what GasyncGroupRunner needs from GasyncRunner
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#pragma once

#include "gasync-runner.h"

G_BEGIN_DECLS

/* Starts @self like gasync_runner_run_async() without a caller: the
 * result is only seen through #GasyncRunner::finished. */
gboolean  gasync_runner_start             (GasyncRunner   *self,
                                           GError        **error);

void      gasync_runner_set_timeout_error (GError        **error,
                                           const char     *id,
                                           GTimeSpan       timeout);

G_END_DECLS

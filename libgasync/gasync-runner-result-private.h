/* gasync-runner-result-private.h: making runner results
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#pragma once

#include "gasync-runner-result.h"

G_BEGIN_DECLS

/* Takes a copy of @error (nullable). */
GasyncRunnerResult *gasync_runner_result_new (const char   *id,
                                              const GError *error);

G_END_DECLS

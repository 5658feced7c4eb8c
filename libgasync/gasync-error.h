/* gasync-error.h: the libgasync error domain
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

/**
 * GasyncError:
 * @GASYNC_ERROR_FAILED: a task failed; also used for a task function that
 *   returned %FALSE without setting an error
 * @GASYNC_ERROR_UNAVAILABLE: the object is quiescing or stopped, so the
 *   task was refused and not run
 * @GASYNC_ERROR_THROTTLED: a limited task was refused because its
 *   semaphore was full; it was not run
 * @GASYNC_ERROR_TIMEOUT: an operation did not finish within its timeout
 * @GASYNC_ERROR_ALREADY_STARTED: the object was started already and can
 *   only run once
 * @GASYNC_ERROR_NOT_STARTED: the object was not started yet
 * @GASYNC_ERROR_UNHANDLED_REJECTION: a future was rejected and nothing
 *   handled the rejection
 * @GASYNC_ERROR_CLOSED: the object was closed
 *
 * Error codes in the %GASYNC_ERROR domain.
 *
 * Cancellation is never reported in this domain: it is always
 * %G_IO_ERROR_CANCELLED.
 *
 * Since: 0.1
 */
typedef enum
{
  GASYNC_ERROR_FAILED,
  GASYNC_ERROR_UNAVAILABLE,
  GASYNC_ERROR_THROTTLED,
  GASYNC_ERROR_TIMEOUT,
  GASYNC_ERROR_ALREADY_STARTED,
  GASYNC_ERROR_NOT_STARTED,
  GASYNC_ERROR_UNHANDLED_REJECTION,
  GASYNC_ERROR_CLOSED,
} GasyncError;

/**
 * GASYNC_ERROR:
 *
 * The error domain of libgasync. Its codes are #GasyncError.
 *
 * Since: 0.1
 */
#define GASYNC_ERROR (gasync_error_quark ())

GASYNC_AVAILABLE_IN_0_1
GQuark gasync_error_quark (void);

G_END_DECLS

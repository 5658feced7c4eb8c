/* gasync.h: the libgasync umbrella header
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#pragma once

#include <gio/gio.h>

#define GASYNC_INSIDE
# include "gasync-version-macros.h"
# include "gasync-version.h"
# include "gasync-enums.h"
# include "gasync-error.h"
# include "gasync-mutex.h"
# include "gasync-sleep.h"
# include "gasync-semaphore.h"
# include "gasync-stopper.h"
# include "gasync-task-token.h"
# include "gasync-tasks.h"
# include "gasync-types.h"
# include "gasync-event-loop.h"
# include "gasync-future.h"
# include "gasync-pending-callback.h"
# include "gasync-runner-result.h"
# include "gasync-runner.h"
# include "gasync-group-runner.h"
# include "gasync-work-queue.h"
# include "gasync-batch.h"
# include "gasync-interceptor.h"
# include "gasync-latch.h"
# include "gasync-worker.h"
# include "gasync-interval.h"
# include "gasync-wait-group.h"
# include "gasync-leak.h"
#undef GASYNC_INSIDE

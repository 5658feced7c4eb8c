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
# include "gasync-semaphore.h"
# include "gasync-stopper.h"
# include "gasync-task-token.h"
# include "gasync-types.h"
#undef GASYNC_INSIDE

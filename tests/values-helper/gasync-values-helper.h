/* gasync-values-helper.h: C value tasks for the GJS tests, which cannot
 * run a task function on a worker thread themselves
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#pragma once

#include <gasync.h>

G_BEGIN_DECLS

GasyncFuture *gasync_values_helper_square_in_thread (int            n);
GasyncFuture *gasync_values_helper_fail_in_thread   (const char    *message);
GasyncFuture *gasync_values_helper_stopper_submit   (GasyncStopper *stopper,
                                                     const char    *name,
                                                     const char    *text);
GasyncFuture *gasync_values_helper_tasks_submit     (GasyncTasks   *tasks,
                                                     const char    *name,
                                                     GCancellable  *cancellable);

G_END_DECLS

/* gasync-stopper-private.h: GasyncStopper internals for its tests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#pragma once

#include "gasync-stopper.h"

G_BEGIN_DECLS

/* The shortest time between two reports of a stuck quiescing phase, in
 * microseconds: a shorter #GasyncStopper:stuck-log-interval is taken as
 * this (documented there). */
#define GASYNC_STOPPER_MIN_STUCK_LOG_INTERVAL (100 * G_TIME_SPAN_MILLISECOND)

/* Whether a blocking stop or quiesce has logged that it waited too long
 * for an owner context that another thread holds (after the log line was
 * written). */
gboolean gasync_stopper_owner_wait_was_logged (GasyncStopper *self);

G_END_DECLS

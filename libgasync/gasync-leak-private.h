/* gasync-leak-private.h: how classes tell the leak checks they run
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#pragma once

#include "gasync-leak.h"

G_BEGIN_DECLS

/* @object started: until gasync_leak_untrack(), it is reported by
 * gasync_leaks_check() as a @kind (NULL: its type name) called @name
 * (copied; NULL: the object's string "name" property, if it has one). Tracking an object twice keeps the first entry.
 * Any thread; not for hot paths (a lock and a hash table). */
void  gasync_leak_track   (gpointer    object,
                           const char *kind,
                           const char *name);
/* @object stopped or closed (or is being finalized): no longer reported.
 * Untracking an object that is not tracked does nothing. */
void  gasync_leak_untrack (gpointer    object);

G_END_DECLS

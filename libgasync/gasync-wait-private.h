/* gasync-wait-private.h: deadlines that do not wrap
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* @time plus @span (not negative), saturated at G_MAXINT64: a huge
 * duration must not wrap a deadline into the past. */
static inline gint64
gasync_deadline_add (gint64    time,
                     GTimeSpan span)
{
  g_assert (time >= 0 && span >= 0);

  return span > G_MAXINT64 - time ? G_MAXINT64 : time + span;
}

G_END_DECLS

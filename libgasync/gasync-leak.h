/* gasync-leak.h: objects still started, for the leak checks of test suites
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
 * GASYNC_TYPE_LEAK:
 *
 * The #GType of #GasyncLeak.
 *
 * Since: 0.1
 */
#define GASYNC_TYPE_LEAK (gasync_leak_get_type ())

/**
 * GasyncLeak:
 *
 * One library object that was started and is not stopped or closed yet:
 * its kind, its name and how long ago it started. Immutable and reference
 * counted.
 *
 * Since: 0.1
 */
typedef struct _GasyncLeak GasyncLeak;

GASYNC_AVAILABLE_IN_0_1
GType        gasync_leak_get_type      (void);
GASYNC_AVAILABLE_IN_0_1
GasyncLeak  *gasync_leak_ref           (GasyncLeak *self);
GASYNC_AVAILABLE_IN_0_1
void         gasync_leak_unref         (GasyncLeak *self);
GASYNC_AVAILABLE_IN_0_1
const char  *gasync_leak_get_kind      (GasyncLeak *self);
GASYNC_AVAILABLE_IN_0_1
const char  *gasync_leak_get_name      (GasyncLeak *self);
GASYNC_AVAILABLE_IN_0_1
GTimeSpan    gasync_leak_get_age       (GasyncLeak *self);
GASYNC_AVAILABLE_IN_0_1
char        *gasync_leak_to_string     (GasyncLeak *self);

GASYNC_AVAILABLE_IN_0_1
guint        gasync_leaks_get_n_live   (void);
GASYNC_AVAILABLE_IN_0_1
GPtrArray   *gasync_leaks_check        (GTimeSpan   timeout);
GASYNC_AVAILABLE_IN_0_1
gboolean     gasync_leaks_assert_none  (GTimeSpan   timeout);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GasyncLeak, gasync_leak_unref)

G_END_DECLS

/* gasync-version-macros.h: symbol visibility and availability macros
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#pragma once

#if !defined(GASYNC_INSIDE) && !defined(GASYNC_COMPILATION)
# error "Only <gasync.h> can be included directly."
#endif

#include <glib.h>

#ifndef _GASYNC_EXTERN
# if defined(GASYNC_COMPILATION) && defined(__GNUC__)
#  define _GASYNC_EXTERN __attribute__((visibility ("default"))) extern
# else
#  define _GASYNC_EXTERN extern
# endif
#endif

/* Every public symbol carries the version that added it. */
#define GASYNC_AVAILABLE_IN_0_1 _GASYNC_EXTERN

#define GASYNC_DEPRECATED _GASYNC_EXTERN G_DEPRECATED
#define GASYNC_DEPRECATED_FOR(f) _GASYNC_EXTERN G_DEPRECATED_FOR (f)
#define GASYNC_DEPRECATED_IN_0_1 GASYNC_DEPRECATED
#define GASYNC_DEPRECATED_IN_0_1_FOR(f) GASYNC_DEPRECATED_FOR (f)

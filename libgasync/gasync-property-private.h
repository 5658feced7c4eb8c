/* gasync-property-private.h: properties read and written through the
 * public accessors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 *
 * Every property of a libgasync class is a public getter and, unless it is
 * read-only, a setter (or a private one for a construct-only property),
 * which check their arguments, take the lock and notify. A class lists
 * them in a table indexed by property id and installs its properties with
 * gasync_property_install(): its get_property() and set_property() are
 * then the accessors, by the value type of each property, so that a
 * property cannot do other than its accessor does.
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* The accessors of one property, cast with G_CALLBACK (): @get returns
 * the value (an enum, a #gboolean, a #guint, a #gint64, a `const char *`
 * or a #GObject, transfer none), @set takes it; NULL for none. */
typedef struct
{
  GCallback get;
  GCallback set;
} GasyncPropertyAccess;

/* Installs @pspecs (@n_pspecs of them, the first unused as in
 * g_object_class_install_properties()) on @klass, with get_property and
 * set_property calling the accessors of @access (one per property id). */
void      gasync_property_install (GObjectClass               *klass,
                                   const GasyncPropertyAccess *access,
                                   GParamSpec                **pspecs,
                                   guint                       n_pspecs);

G_END_DECLS

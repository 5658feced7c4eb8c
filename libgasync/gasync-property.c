/* gasync-property.c: properties read and written through the public
 * accessors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 *
 * See gasync-property-private.h.
 */

#include "config.h"

#include "gasync-property-private.h"

static GQuark
access_quark (void)
{
  static GQuark quark;

  if (G_UNLIKELY (quark == 0))
    quark = g_quark_from_static_string ("gasync-property-access");
  return quark;
}

typedef int (*GetInt) (gpointer self);
typedef guint (*GetUInt) (gpointer self);
typedef gint64 (*GetInt64) (gpointer self);
typedef gconstpointer (*GetPointer) (gpointer self);
typedef void (*SetInt) (gpointer self, int value);
typedef void (*SetUInt) (gpointer self, guint value);
typedef void (*SetInt64) (gpointer self, gint64 value);
typedef void (*SetPointer) (gpointer self, gconstpointer value);

/* The accessors of @pspec, or NULL. */
static const GasyncPropertyAccess *
lookup (GParamSpec *pspec,
        guint       prop_id)
{
  const GasyncPropertyAccess *access = g_type_get_qdata (pspec->owner_type,
                                                         access_quark ());

  return access != NULL ? &access[prop_id] : NULL;
}

static void
get_property (GObject    *object,
              guint       prop_id,
              GValue     *value,
              GParamSpec *pspec)
{
  const GasyncPropertyAccess *access = lookup (pspec, prop_id);
  GCallback get = access != NULL ? access->get : NULL;

  switch (get != NULL ? G_TYPE_FUNDAMENTAL (pspec->value_type) : G_TYPE_INVALID)
    {
    case G_TYPE_ENUM:
      g_value_set_enum (value, ((GetInt) get) (object));
      break;
    case G_TYPE_BOOLEAN:
      g_value_set_boolean (value, ((GetInt) get) (object));
      break;
    case G_TYPE_UINT:
      g_value_set_uint (value, ((GetUInt) get) (object));
      break;
    case G_TYPE_INT64:
      g_value_set_int64 (value, ((GetInt64) get) (object));
      break;
    case G_TYPE_STRING:
      g_value_set_string (value, ((GetPointer) get) (object));
      break;
    case G_TYPE_OBJECT:
      g_value_set_object (value, (gpointer) ((GetPointer) get) (object));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
set_property (GObject      *object,
              guint         prop_id,
              const GValue *value,
              GParamSpec   *pspec)
{
  const GasyncPropertyAccess *access = lookup (pspec, prop_id);
  GCallback set = access != NULL ? access->set : NULL;

  switch (set != NULL ? G_TYPE_FUNDAMENTAL (pspec->value_type) : G_TYPE_INVALID)
    {
    case G_TYPE_ENUM:
      ((SetInt) set) (object, g_value_get_enum (value));
      break;
    case G_TYPE_BOOLEAN:
      ((SetInt) set) (object, g_value_get_boolean (value));
      break;
    case G_TYPE_UINT:
      ((SetUInt) set) (object, g_value_get_uint (value));
      break;
    case G_TYPE_INT64:
      ((SetInt64) set) (object, g_value_get_int64 (value));
      break;
    case G_TYPE_STRING:
      ((SetPointer) set) (object, g_value_get_string (value));
      break;
    case G_TYPE_OBJECT:
      ((SetPointer) set) (object, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

void
gasync_property_install (GObjectClass               *klass,
                         const GasyncPropertyAccess *access,
                         GParamSpec                **pspecs,
                         guint                       n_pspecs)
{
  g_type_set_qdata (G_OBJECT_CLASS_TYPE (klass), access_quark (),
                    (gpointer) access);
  klass->get_property = get_property;
  klass->set_property = set_property;
  g_object_class_install_properties (klass, n_pspecs, pspecs);
}

/* gasync-error.c: the libgasync error domain
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

/**
 * SECTION:gasync-error
 * @title: Errors
 * @short_description: the GASYNC_ERROR domain and its codes
 *
 * Every error that libgasync reports itself is in the %GASYNC_ERROR domain,
 * with a #GasyncError code, except cancellation, which is always
 * %G_IO_ERROR_CANCELLED as everywhere in GIO. Error messages are translated
 * through the `gasync-1` gettext domain.
 *
 * |[<!-- language="C" -->
 * g_autoptr(GError) error = NULL;
 *
 * if (!some_gasync_call (..., &error))
 *   {
 *     if (g_error_matches (error, GASYNC_ERROR, GASYNC_ERROR_UNAVAILABLE))
 *       return; // shutting down: the task was not run
 *     g_warning ("%s", error->message);
 *   }
 * ]|
 *
 * Threading: everything here may be called from any thread.
 */

#include "config.h"

#include <pthread.h>
#include <string.h>

#include "gasync-private.h"

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static GQuark error_quark;

/* Binds the text domain lazily (libgweather style): the library has no
 * constructor, so every entry point that can produce a user-visible message
 * goes through here first. pthread_once, unlike g_once, is visible to TSan. */
static void
init_library (void)
{
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  error_quark = g_quark_from_static_string ("gasync-error-quark");
  /* GLib allocates the lock of its error-domain table on first use, with
   * atomics in (uninstrumented) libglib that TSan cannot see: two threads
   * making their first GError at once read as a race. Making one here,
   * before any of our threads exists, orders that allocation for TSan. */
  g_error_free (g_error_new_literal (error_quark, 0, ""));
}

void
gasync_i18n_init (void)
{
  pthread_once (&init_once, init_library);
}

/**
 * gasync_error_quark:
 *
 * Gets the quark of the %GASYNC_ERROR domain.
 *
 * Threading: may be called from any thread.
 *
 * Returns: the error domain quark
 *
 * Since: 0.1
 */
GQuark
gasync_error_quark (void)
{
  gasync_i18n_init ();
  return error_quark;
}

/* Reports a task function that returned FALSE without setting an error, as
 * bindings may; DESIGN §3 wants it as GASYNC_ERROR_FAILED naming the task. */
void
gasync_set_task_failed_error (GError     **error,
                              const char  *task_name)
{
  g_set_error (error, GASYNC_ERROR, GASYNC_ERROR_FAILED,
               /* Translators: %s is the name of a task */
               _("Task “%s” failed without reporting an error"),
               task_name);
}

/* Reports a blocking call that would wait forever for itself (on the
 * thread, or the context, that alone could end the wait), as GLib reports
 * misuse: a critical naming @call and saying @why, and, since the call
 * then returns instead of hanging, G_IO_ERROR_WOULD_BLOCK in @error. */
void
gasync_report_self_deadlock (GError     **error,
                             const char  *call,
                             const char  *why)
{
  gasync_report_self_deadlock_of (error, NULL, call, why);
}

/* The same, for an object: the critical begins with @label, from
 * gasync_describe(), if not NULL. */
void
gasync_report_self_deadlock_of (GError     **error,
                                const char  *label,
                                const char  *call,
                                const char  *why)
{
  if (label != NULL)
    g_critical ("%s: %s: %s, so it would wait forever", label, call, why);
  else
    g_critical ("%s: %s, so it would wait forever", call, why);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK,
               /* Translators: %s is the name of a function */
               _("%s was called where it would wait forever for itself"),
               call);
}

/* The outcome of a task function that returned @ok with @local_error,
 * by the rule of DESIGN §3: FALSE without an error (as a binding may
 * return) becomes GASYNC_ERROR_FAILED naming the task. Takes
 * @local_error. */
gboolean
gasync_task_outcome (gboolean       ok,
              GError        *local_error,
              const char    *task_name,
              GCancellable  *cancellable,
              GError       **error)
{
  if (ok)
    {
      if (local_error != NULL)
        {
          g_warning ("Task “%s” succeeded but set an error: %s",
                     task_name, local_error->message);
          g_error_free (local_error);
        }
      return TRUE;
    }

  /* FALSE after the cancellable fired says that the task stopped because
   * it was told to: cancelled, not failed (CONTRIBUTING: the contract). */
  if (local_error == NULL &&
      !g_cancellable_set_error_if_cancelled (cancellable, &local_error))
    gasync_set_task_failed_error (&local_error, task_name);
  g_propagate_error (error, local_error);
  return FALSE;
}

/* The same for a value task, which resolves @result. */
gboolean
gasync_value_func_call (GasyncValueFunc   func,
                        const char       *task_name,
                        GCancellable     *cancellable,
                        GasyncFuture     *result,
                        gpointer          user_data,
                        GError          **error)
{
  GError *local_error = NULL;
  gboolean ok;

  ok = func (cancellable, result, user_data, &local_error);
  return gasync_task_outcome (ok, local_error, task_name, cancellable, error);
}

/* The contract's rule for counting an outcome: %G_IO_ERROR_CANCELLED is a
 * task that was cancelled, never a failure to report. */
gboolean
gasync_error_is_cancelled (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* As the classes' own log lines name themselves (gasync_describe()):
 * "Work queue “thumbnails”" for a GasyncWorkQueue named so, or
 * "Worker 0x…" without a name property or name. */
static char *
describe_instance (GObject *object)
{
  const char *type_name = G_OBJECT_TYPE_NAME (object);
  g_autofree char *name = NULL;
  g_autoptr(GString) kind = g_string_new (NULL);

  if (g_str_has_prefix (type_name, "Gasync"))
    type_name += strlen ("Gasync");
  for (const char *c = type_name; *c != '\0'; c++)
    {
      if (g_ascii_isupper (*c) && c != type_name)
        g_string_append_c (kind, ' ');
      g_string_append_c (kind, c != type_name ? g_ascii_tolower (*c) : *c);
    }
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (object), "name"))
    g_object_get (object, "name", &name, NULL);
  return gasync_describe (kind->str, name, object);
}

/* The contract's one report of a failure that no caller gets back: the
 * failure signal @signal_id of @instance when a handler is connected to it
 * (return TRUE: the caller emits it), else a warning that names the object
 * (@label, or as its class would) and @what failed (return FALSE). Called
 * on the owner context. */
gboolean
gasync_failure_is_handled (gpointer      instance,
                           guint         signal_id,
                           const char   *label,
                           const char   *what,
                           const GError *error)
{
  g_autofree char *described = NULL;

  if (g_signal_has_handler_pending (instance, signal_id, 0, FALSE))
    return TRUE;

  if (label == NULL)
    label = described = describe_instance (instance);
  g_warning ("%s: %s failed: %s (connect to ::%s to handle it)", label, what,
             error->message, g_signal_name (signal_id));
  return FALSE;
}

char *
gasync_describe (const char    *kind,
                 const char    *name,
                 gconstpointer  object)
{
  if (name != NULL)
    return g_strdup_printf ("%s “%s”", kind, name);
  return g_strdup_printf ("%s %p", kind, object);
}

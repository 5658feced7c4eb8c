/* test-error.c: the GASYNC_ERROR domain, its enum GType, its translations
 * and how a task function's result becomes an error
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#include "config.h"

#include "gasync-private.h"
#include "gasync-test-util.h"

static void
test_error_domain (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (g_quark_to_string (GASYNC_ERROR), ==, "gasync-error-quark");
  g_assert_cmpuint (GASYNC_ERROR, ==, gasync_error_quark ());

  g_set_error_literal (&error, GASYNC_ERROR, GASYNC_ERROR_TIMEOUT, "late");
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_TIMEOUT);
  g_assert_false (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT));
}

static void
test_error_enum_type (void)
{
  static const struct { GasyncError code; const char *nick; } codes[] = {
    { GASYNC_ERROR_FAILED, "failed" },
    { GASYNC_ERROR_UNAVAILABLE, "unavailable" },
    { GASYNC_ERROR_THROTTLED, "throttled" },
    { GASYNC_ERROR_TIMEOUT, "timeout" },
    { GASYNC_ERROR_ALREADY_STARTED, "already-started" },
    { GASYNC_ERROR_NOT_STARTED, "not-started" },
    { GASYNC_ERROR_UNHANDLED_REJECTION, "unhandled-rejection" },
    { GASYNC_ERROR_CLOSED, "closed" },
  };
  g_autoptr(GEnumClass) klass = g_type_class_ref (GASYNC_TYPE_ERROR);

  g_assert_true (G_TYPE_IS_ENUM (GASYNC_TYPE_ERROR));
  g_assert_cmpstr (g_type_name (GASYNC_TYPE_ERROR), ==, "GasyncError");
  g_assert_cmpuint (klass->n_values, ==, G_N_ELEMENTS (codes));

  for (gsize i = 0; i < G_N_ELEMENTS (codes); i++)
    {
      GEnumValue *value = g_enum_get_value (klass, codes[i].code);

      g_assert_nonnull (value);
      g_assert_cmpstr (value->value_nick, ==, codes[i].nick);
    }
}

static void
test_error_task_failed (void)
{
  g_autoptr(GError) error = NULL;

  gasync_set_task_failed_error (&error, "db.flush");
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "“db.flush”"));

  /* Like g_set_error, a NULL location is allowed. */
  gasync_set_task_failed_error (NULL, "ignored");
}

typedef struct
{
  gboolean result;
  gboolean set_error;
} FuncData;

static gboolean
task_func (GCancellable  *cancellable,
           gpointer       user_data,
           GError       **error)
{
  FuncData *data = user_data;

  if (data->set_error)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "gone");
  return data->result;
}

static void
test_error_task_func_call (void)
{
  FuncData ok = { TRUE, FALSE };
  FuncData failed = { FALSE, TRUE };
  FuncData silent = { FALSE, FALSE };
  FuncData confused = { TRUE, TRUE };
  g_autoptr(GError) error = NULL;

  g_assert_true (gasync_task_func_call (task_func, "ok", NULL, &ok, &error));
  g_assert_no_error (error);

  g_assert_false (gasync_task_func_call (task_func, "failed", NULL, &failed, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_test_summary ("FALSE without an error is GASYNC_ERROR_FAILED naming the task");
  g_assert_false (gasync_task_func_call (task_func, "silent", NULL, &silent, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "“silent”"));
  g_clear_error (&error);

  g_test_expect_message ("Gasync", G_LOG_LEVEL_WARNING, "*“confused” succeeded but set an error*");
  g_assert_true (gasync_task_func_call (task_func, "confused", NULL, &confused, &error));
  g_test_assert_expected_messages ();
  g_assert_no_error (error);
}

static void
test_error_translated (void)
{
  g_autoptr(GError) error = NULL;

  if (!gasync_test_in_german ())
    return;

  gasync_set_task_failed_error (&error, "db.flush");
  g_assert_cmpstr (error->message, ==,
                   "Aufgabe „db.flush“ ist fehlgeschlagen, ohne einen Fehler zu melden");
  g_assert_cmpstr (gasync_check_version (GASYNC_MAJOR_VERSION + 1, 0, 0), ==,
                   "libgasync-Version zu alt (Hauptversion passt nicht)");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gasync/error/domain", test_error_domain);
  g_test_add_func ("/gasync/error/enum-type", test_error_enum_type);
  g_test_add_func ("/gasync/error/task-failed", test_error_task_failed);
  g_test_add_func ("/gasync/error/task-func-call", test_error_task_func_call);
  g_test_add_func ("/gasync/error/translated", test_error_translated);

  return g_test_run ();
}

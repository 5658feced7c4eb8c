/* test-task-token.c: GasyncTaskToken ends exactly once
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#include "config.h"

#include "gasync-private.h"
#include "gasync-task-token-private.h"
#include "gasync-test-util.h"

typedef struct
{
  guint ended;
  guint destroyed;
} Counts;

static void
count_end (GasyncTaskToken *token,
           gpointer         user_data)
{
  Counts *counts = user_data;

  g_assert_true (GASYNC_IS_TASK_TOKEN (token));
  counts->ended++;
}

static void
count_destroy (gpointer user_data)
{
  Counts *counts = user_data;

  counts->destroyed++;
}

static void
test_task_token_end (void)
{
  Counts counts = { 0 };
  g_autoptr(GasyncTaskToken) token = NULL;
  g_autofree char *name = NULL;

  token = gasync_task_token_new ("fetch", NULL, count_end, &counts, count_destroy);
  g_assert_cmpstr (gasync_task_token_get_name (token), ==, "fetch");
  g_object_get (token, "name", &name, NULL);
  g_assert_cmpstr (name, ==, "fetch");
  g_assert_false (gasync_task_token_is_ended (token));

  gasync_task_token_end (token);
  g_assert_true (gasync_task_token_is_ended (token));
  g_assert_cmpuint (counts.ended, ==, 1);
  g_assert_cmpuint (counts.destroyed, ==, 0);

  g_clear_object (&token);
  g_assert_cmpuint (counts.ended, ==, 1);
  g_assert_cmpuint (counts.destroyed, ==, 1);
}

static void
test_task_token_end_twice (void)
{
  Counts counts = { 0 };
  g_autoptr(GasyncTaskToken) token = NULL;

  token = gasync_task_token_new ("fetch", NULL, count_end, &counts, NULL);
  gasync_task_token_end (token);

  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*“fetch” was ended twice*");
  gasync_task_token_end (token);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (counts.ended, ==, 1);
}

static void
test_task_token_dropped_without_end (void)
{
  Counts counts = { 0 };
  GasyncTaskToken *token;

  g_test_summary ("A token dropped without end() ends itself with a "
                  "warning, so a forgotten token cannot hang a shutdown: "
                  "later, on its owner context, never inside the unref "
                  "(a garbage collector may drop it)");

  token = gasync_task_token_new ("forgotten", NULL, count_end, &counts,
                                 count_destroy);
  g_object_unref (token);
  g_assert_cmpuint (counts.ended, ==, 0);
  g_assert_cmpuint (counts.destroyed, ==, 0);

  g_test_expect_message ("Gasync", G_LOG_LEVEL_WARNING, "*“forgotten” was dropped without*");
  gasync_test_flush (NULL);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (counts.ended, ==, 1);
  g_assert_cmpuint (counts.destroyed, ==, 1);
}

static void
test_task_token_bad_input (void)
{
  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*GASYNC_IS_TASK_TOKEN*");
  gasync_task_token_end (NULL);
  g_test_assert_expected_messages ();

  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*GASYNC_IS_TASK_TOKEN*");
  g_assert_null (gasync_task_token_get_name (NULL));
  g_test_assert_expected_messages ();
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gasync/task-token/end", test_task_token_end);
  g_test_add_func ("/gasync/task-token/end-twice", test_task_token_end_twice);
  g_test_add_func ("/gasync/task-token/dropped-without-end",
                   test_task_token_dropped_without_end);
  g_test_add_func ("/gasync/task-token/bad-input", test_task_token_bad_input);

  return g_test_run ();
}

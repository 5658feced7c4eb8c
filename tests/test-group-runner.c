/* test-group-runner.c: GasyncGroupRunner starts and stops runners together
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#include "config.h"

#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>

#include "gasync-test-util.h"

static const char *test_argv0;

typedef struct
{
  gboolean done;
  GPtrArray *results;
  GError *error;
} GroupRun;

static void
group_run_done_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      data)
{
  GroupRun *run = data;

  run->results = gasync_group_runner_run_finish (GASYNC_GROUP_RUNNER (source),
                                                 result, &run->error);
  run->done = TRUE;
}

static void
group_run_clear (GroupRun *run)
{
  g_clear_pointer (&run->results, g_ptr_array_unref);
  g_clear_error (&run->error);
}

static GasyncRunnerResult *
result_at (GPtrArray *results,
           guint      i)
{
  return g_ptr_array_index (results, i);
}

static void
assert_result (GPtrArray  *results,
               guint       i,
               const char *id,
               GQuark      domain,
               int         code)
{
  const GError *error = gasync_runner_result_get_error (result_at (results, i));

  g_assert_cmpstr (gasync_runner_result_get_id (result_at (results, i)), ==, id);
  if (domain == 0)
    g_assert_no_error ((GError *) error);
  else
    g_assert_error ((GError *) error, domain, code);
}

static gpointer
finish_later (gpointer data)
{
  TestService *svc = data;

  test_service_wait_runs (svc, 1);
  test_service_finish (svc);
  return NULL;
}

static void
test_group_runner_one_finishes_first (void)
{
  g_autoptr(TestService) a = test_service_new ();
  g_autoptr(TestService) b = test_service_new ();
  g_autoptr(GasyncGroupRunner) group = gasync_group_runner_new ();
  g_autoptr(GPtrArray) results = NULL;
  GasyncRunner *ra, *rb;
  GThread *thread;
  GError *error = NULL;

  g_test_summary ("When one runner finishes by itself, the others are "
                  "stopped, the finished one's stop function is not called; "
                  "one result per runner, in the order they finished");

  ra = test_service_new_runner (a, "a");
  rb = test_service_new_runner (b, "b");
  gasync_group_runner_add (group, ra);
  gasync_group_runner_add (group, rb);

  thread = g_thread_new ("finisher", finish_later, a);
  results = gasync_group_runner_run (group, NULL, &error);
  g_assert_no_error (error);
  g_thread_join (thread);

  g_assert_cmpuint (results->len, ==, 2);
  assert_result (results, 0, "a", 0, 0);
  assert_result (results, 1, "b", 0, 0);
  g_assert_cmpuint (a->stop_calls, ==, 0);
  g_assert_cmpuint (b->stop_calls, ==, 1);

  g_clear_object (&group);
  gasync_test_unref_and_wait (ra);
  gasync_test_unref_and_wait (rb);
}

static void
test_group_runner_interrupt (void)
{
  g_autoptr(TestService) a = test_service_new ();
  g_autoptr(TestService) b = test_service_new ();
  GasyncGroupRunner *group = gasync_group_runner_new ();
  GasyncRunner *ra, *rb;
  GroupRun run = { 0 };

  b->error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CLOSED, "closed");
  ra = test_service_new_runner (a, "a");
  rb = test_service_new_runner (b, "b");
  gasync_group_runner_add (group, ra);
  gasync_group_runner_add (group, rb);

  /* Before the run it does nothing. */
  gasync_group_runner_interrupt (group);
  gasync_group_runner_run_async (group, NULL, group_run_done_cb, &run);
  test_service_iterate_until_running (a);
  test_service_iterate_until_running (b);
  gasync_group_runner_interrupt (group);
  gasync_group_runner_interrupt (group);
  gasync_test_iterate_until_flag (NULL, &run.done);

  g_assert_no_error (run.error);
  g_assert_cmpuint (run.results->len, ==, 2);
  g_assert_cmpuint (a->stop_calls, ==, 1);
  g_assert_cmpuint (b->stop_calls, ==, 1);
  for (guint i = 0; i < 2; i++)
    if (g_str_equal (gasync_runner_result_get_id (result_at (run.results, i)), "b"))
      assert_result (run.results, i, "b", G_IO_ERROR, G_IO_ERROR_CLOSED);
    else
      assert_result (run.results, i, "a", 0, 0);

  gasync_test_unref_and_wait (group);
  gasync_test_unref_and_wait (ra);
  gasync_test_unref_and_wait (rb);
  group_run_clear (&run);
}

static void
test_group_runner_cancellable (void)
{
  g_autoptr(TestService) a = test_service_new ();
  GasyncGroupRunner *group = gasync_group_runner_new ();
  GCancellable *cancellable = g_cancellable_new ();
  GasyncRunner *ra;
  GroupRun run = { 0 };

  ra = test_service_new_runner (a, "a");
  gasync_group_runner_add (group, ra);
  gasync_group_runner_run_async (group, cancellable, group_run_done_cb, &run);
  test_service_iterate_until_running (a);
  g_cancellable_cancel (cancellable);
  gasync_test_iterate_until_flag (NULL, &run.done);

  g_assert_no_error (run.error);
  g_assert_cmpuint (run.results->len, ==, 1);
  assert_result (run.results, 0, "a", 0, 0);
  g_assert_cmpuint (a->stop_calls, ==, 1);

  gasync_test_unref_and_wait (group);
  gasync_test_unref_and_wait (ra);
  g_object_unref (cancellable);
  group_run_clear (&run);
}

static void
test_group_runner_timeout (void)
{
  g_autoptr(TestService) a = test_service_new ();
  g_autoptr(TestService) stuck = test_service_new ();
  GasyncGroupRunner *group = gasync_group_runner_new ();
  GasyncRunner *ra, *rstuck;
  GroupRun run = { 0 };
  const GError *error;

  g_test_summary ("Runners that did not report within the group's interrupt "
                  "timeout get a TIMEOUT result with the id _unknown_");

  g_assert_cmpint (gasync_group_runner_get_interrupt_timeout (group), ==, 15 * G_TIME_SPAN_SECOND);
  /* Long enough for "a" to report under load (ASan beside other jobs),
   * short enough to wait for "stuck". */
  gasync_group_runner_set_interrupt_timeout (group, 500 * G_TIME_SPAN_MILLISECOND);
  g_assert_cmpint (gasync_group_runner_get_interrupt_timeout (group), ==, 500 * G_TIME_SPAN_MILLISECOND);
  stuck->ignore_stop = TRUE;
  ra = test_service_new_runner (a, "a");
  rstuck = test_service_new_runner (stuck, "stuck");
  gasync_group_runner_add (group, ra);
  gasync_group_runner_add (group, rstuck);

  gasync_group_runner_run_async (group, NULL, group_run_done_cb, &run);
  test_service_iterate_until_running (stuck);
  gasync_group_runner_interrupt (group);
  gasync_test_iterate_until_flag (NULL, &run.done);

  g_assert_cmpuint (run.results->len, ==, 2);
  assert_result (run.results, 0, "a", 0, 0);
  assert_result (run.results, 1, GASYNC_RUNNER_RESULT_UNKNOWN_ID,
                 GASYNC_ERROR, GASYNC_ERROR_TIMEOUT);
  error = gasync_runner_result_get_error (result_at (run.results, 1));
  g_assert_nonnull (strstr (error->message, "_unknown_"));
  g_assert_nonnull (strstr (error->message, "0.5 s"));

  test_service_release (stuck);
  gasync_test_unref_and_wait (group);
  gasync_test_unref_and_wait (ra);
  gasync_test_unref_and_wait (rstuck);
  group_run_clear (&run);
}

typedef struct
{
  GroupRun *run;
  GString *ids;
  gboolean after_done;
} Streamed;

static void
group_result_cb (GasyncGroupRunner  *group,
                 GasyncRunnerResult *result,
                 gpointer            data)
{
  Streamed *streamed = data;

  g_string_append_printf (streamed->ids, "%s%s", streamed->ids->len > 0 ? "," : "",
                          gasync_runner_result_get_id (result));
  streamed->after_done |= streamed->run->done;
}

static void
test_group_runner_result_signal (void)
{
  g_autoptr(TestService) a = test_service_new ();
  g_autoptr(TestService) b = test_service_new ();
  g_autoptr(TestService) stuck = test_service_new ();
  g_autoptr(GString) ids = g_string_new (NULL);
  GasyncGroupRunner *group = gasync_group_runner_new ();
  GasyncRunner *ra, *rb, *rstuck;
  GroupRun run = { 0 };
  Streamed streamed = { &run, ids };

  /* The runner package's RunAsync streams each result on a channel as it
   * arrives (runner/group_test.go). */
  g_test_summary ("::result carries each runner's result as it arrives, in "
                  "finishing order, timeouts included, before the run "
                  "completes");
  gasync_group_runner_set_interrupt_timeout (group, 500 * G_TIME_SPAN_MILLISECOND);
  stuck->ignore_stop = TRUE;
  ra = test_service_new_runner (a, "a");
  rb = test_service_new_runner (b, "b");
  rstuck = test_service_new_runner (stuck, "stuck");
  gasync_group_runner_add (group, rstuck);
  gasync_group_runner_add (group, rb);
  gasync_group_runner_add (group, ra);
  g_signal_connect (group, "result", G_CALLBACK (group_result_cb), &streamed);

  gasync_group_runner_run_async (group, NULL, group_run_done_cb, &run);
  test_service_iterate_until_running (stuck);
  test_service_iterate_until_running (a);
  test_service_finish (a);
  gasync_test_iterate_until_flag (NULL, &run.done);

  g_assert_cmpstr (ids->str, ==, "a,b,_unknown_");
  g_assert_false (streamed.after_done);
  g_assert_cmpuint (run.results->len, ==, 3);
  assert_result (run.results, 0, "a", 0, 0);
  assert_result (run.results, 1, "b", 0, 0);

  test_service_release (stuck);
  gasync_test_unref_and_wait (group);
  gasync_test_unref_and_wait (ra);
  gasync_test_unref_and_wait (rb);
  gasync_test_unref_and_wait (rstuck);
  group_run_clear (&run);
}

static void
test_group_runner_runner_timeout (void)
{
  g_autoptr(TestService) stuck = test_service_new ();
  GasyncGroupRunner *group = gasync_group_runner_new ();
  GasyncRunner *rstuck;
  GroupRun run = { 0 };

  g_test_summary ("A runner timeout shorter than the group's names the "
                  "runner that did not stop");

  stuck->ignore_stop = TRUE;
  rstuck = test_service_new_runner (stuck, "stuck");
  gasync_runner_set_interrupt_timeout (rstuck, 20 * G_TIME_SPAN_MILLISECOND);
  gasync_group_runner_add (group, rstuck);
  gasync_group_runner_run_async (group, NULL, group_run_done_cb, &run);
  test_service_iterate_until_running (stuck);
  gasync_group_runner_interrupt (group);
  gasync_test_iterate_until_flag (NULL, &run.done);

  g_assert_cmpuint (run.results->len, ==, 1);
  assert_result (run.results, 0, "stuck", GASYNC_ERROR, GASYNC_ERROR_TIMEOUT);

  test_service_release (stuck);
  gasync_test_unref_and_wait (group);
  gasync_test_unref_and_wait (rstuck);
  group_run_clear (&run);
}

static void
test_group_runner_empty_and_twice (void)
{
  GasyncGroupRunner *group = gasync_group_runner_new ();
  g_autoptr(GPtrArray) results = NULL;
  GroupRun run = { 0 };
  GError *error = NULL;

  results = gasync_group_runner_run (group, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 0);

  g_assert_null (gasync_group_runner_run (group, NULL, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_ALREADY_STARTED);
  g_clear_error (&error);

  gasync_group_runner_run_async (group, NULL, group_run_done_cb, &run);
  gasync_test_iterate_until_flag (NULL, &run.done);
  g_assert_null (run.results);
  g_assert_error (run.error, GASYNC_ERROR, GASYNC_ERROR_ALREADY_STARTED);

  gasync_test_unref_and_wait (group);
  group_run_clear (&run);
}

static void
test_group_runner_started_runner (void)
{
  g_autoptr(TestService) a = test_service_new ();
  g_autoptr(TestService) b = test_service_new ();
  GasyncGroupRunner *group = gasync_group_runner_new ();
  g_autoptr(GPtrArray) results = NULL;
  GasyncRunner *ra, *rb;
  GError *error = NULL;

  g_test_summary ("A runner that already ran reports ALREADY_STARTED and "
                  "stops the rest of the group");

  ra = test_service_new_runner (a, "a");
  rb = test_service_new_runner (b, "b");
  test_service_finish (a);
  g_assert_true (gasync_runner_run (ra, NULL, &error));
  gasync_group_runner_add (group, ra);
  gasync_group_runner_add (group, rb);

  results = gasync_group_runner_run (group, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 2);
  assert_result (results, 0, "a", GASYNC_ERROR, GASYNC_ERROR_ALREADY_STARTED);
  assert_result (results, 1, "b", 0, 0);
  g_assert_cmpuint (a->stop_calls, ==, 0);

  gasync_test_unref_and_wait (group);
  gasync_test_unref_and_wait (ra);
  gasync_test_unref_and_wait (rb);
}

static void
count_cb (gpointer data)
{
  (*(guint *) data)++;
}

static void
test_group_runner_gave_up_stops_group (void)
{
  g_autoptr(TestService) flaky = test_service_new ();
  g_autoptr(TestService) b = test_service_new ();
  GasyncGroupRunner *group = gasync_group_runner_new ();
  GasyncRunner *rflaky, *rb;
  GroupRun run = { 0 };
  guint restarting = 0, gave_up = 0;

  g_test_summary ("A supervised runner restarts inside the group; once it "
                  "gives up, the group stops the other runners");

  flaky->error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "crash");
  rflaky = test_service_new_runner (flaky, "flaky");
  gasync_runner_set_restart_policy (rflaky, GASYNC_RUNNER_RESTART_ON_FAILURE);
  gasync_runner_set_restart_delay (rflaky, G_TIME_SPAN_MILLISECOND);
  gasync_runner_set_restart_limit (rflaky, 1);
  g_signal_connect_swapped (rflaky, "restarting", G_CALLBACK (count_cb), &restarting);
  g_signal_connect_swapped (rflaky, "gave-up", G_CALLBACK (count_cb), &gave_up);
  rb = test_service_new_runner (b, "b");
  gasync_group_runner_add (group, rflaky);
  gasync_group_runner_add (group, rb);

  gasync_group_runner_run_async (group, NULL, group_run_done_cb, &run);
  test_service_iterate_until_running (flaky);
  test_service_finish (flaky);
  gasync_test_iterate_until_count (NULL, &restarting, 1);
  g_assert_cmpuint (b->stop_calls, ==, 0);
  test_service_iterate_until_runs (flaky, 2);
  test_service_finish (flaky);
  gasync_test_iterate_until_flag (NULL, &run.done);

  g_assert_cmpuint (restarting, ==, 1);
  g_assert_cmpuint (gave_up, ==, 1);
  g_assert_cmpuint (run.results->len, ==, 2);
  assert_result (run.results, 0, "flaky", G_IO_ERROR, G_IO_ERROR_FAILED);
  assert_result (run.results, 1, "b", 0, 0);
  g_assert_cmpuint (b->stop_calls, ==, 1);
  g_assert_cmpuint (flaky->stop_calls, ==, 0);

  gasync_test_unref_and_wait (group);
  gasync_test_unref_and_wait (rflaky);
  gasync_test_unref_and_wait (rb);
  group_run_clear (&run);
}

static void
test_group_runner_bad_input (void)
{
  g_autoptr(TestService) a = test_service_new ();
  g_autoptr(TestService) a2 = test_service_new ();
  g_autoptr(TestService) late = test_service_new ();
  GasyncGroupRunner *group = gasync_group_runner_new ();
  GasyncRunner *ra, *ra2, *rlate;
  GroupRun run = { 0 };

  ra = test_service_new_runner (a, "a");
  ra2 = test_service_new_runner (a2, "a");
  rlate = test_service_new_runner (late, "late");

  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*GASYNC_IS_RUNNER*");
  gasync_group_runner_add (group, NULL);
  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*timeout >= 0*");
  gasync_group_runner_set_interrupt_timeout (group, -1);
  gasync_group_runner_add (group, ra);
  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*id “a” is already in the group*");
  gasync_group_runner_add (group, ra2);
  g_test_assert_expected_messages ();

  gasync_group_runner_run_async (group, NULL, group_run_done_cb, &run);
  test_service_iterate_until_running (a);
  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*“late” added to a group runner that already started*");
  gasync_group_runner_add (group, rlate);
  g_test_assert_expected_messages ();

  gasync_group_runner_interrupt (group);
  gasync_test_iterate_until_flag (NULL, &run.done);
  g_assert_cmpuint (run.results->len, ==, 1);
  assert_result (run.results, 0, "a", 0, 0);
  g_assert_cmpuint (test_service_get_runs (a2), ==, 0);
  g_assert_cmpuint (test_service_get_runs (late), ==, 0);

  gasync_test_unref_and_wait (group);
  gasync_test_unref_and_wait (ra);
  g_object_unref (ra2);
  g_object_unref (rlate);
  group_run_clear (&run);
}

/* systemd notification */

static gboolean
datagram_cb (GSocket      *socket,
             GIOCondition  condition,
             gpointer      data)
{
  GPtrArray *messages = data;
  char buffer[512];
  gssize n = g_socket_receive (socket, buffer, sizeof buffer - 1, NULL, NULL);

  g_assert_cmpint (n, >, 0);
  g_ptr_array_add (messages, g_strndup (buffer, n));
  return G_SOURCE_CONTINUE;
}

typedef struct
{
  GPtrArray *messages;
  const char *prefix;
  guint count;
} Expect;

static guint
count_messages (GPtrArray  *messages,
                const char *prefix)
{
  guint n = 0;

  for (guint i = 0; i < messages->len; i++)
    if (g_str_has_prefix (g_ptr_array_index (messages, i), prefix))
      n++;
  return n;
}

static gboolean
has_messages (gpointer data)
{
  Expect *expect = data;

  return count_messages (expect->messages, expect->prefix) >= expect->count;
}

static void
iterate_until_message (GPtrArray  *messages,
                       const char *prefix,
                       guint       count)
{
  Expect expect = { messages, prefix, count };

  gasync_test_iterate_until (NULL, has_messages, &expect, GASYNC_TEST_TIMEOUT_SECONDS);
}

/* Binds a datagram socket at @address and collects what it receives into
 * @messages on the thread-default context, until the source is destroyed. */
static GSource *
bind_notify_socket (GSocketAddress *address,
                    GPtrArray      *messages)
{
  g_autoptr(GSocket) socket = NULL;
  GSource *source;
  GError *error = NULL;

  socket = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_DATAGRAM,
                         G_SOCKET_PROTOCOL_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_true (g_socket_bind (socket, address, TRUE, &error));
  g_assert_no_error (error);
  source = g_socket_create_source (socket, G_IO_IN, NULL);
  g_source_set_callback (source, (GSourceFunc) (void (*) (void)) datagram_cb, messages, NULL);
  g_source_attach (source, NULL);
  return source;
}

static void
test_group_runner_systemd_notify (void)
{
  g_autoptr(TestService) a = test_service_new ();
  g_autoptr(TestService) b = test_service_new ();
  g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  GasyncGroupRunner *group;
  GasyncRunner *ra, *rb;
  GroupRun run = { 0 };
  GSource *source;
  GError *error = NULL;
  char *stopping;

  g_test_summary ("With NOTIFY_SOCKET set, the group sends STATUS, WATCHDOG=1 "
                  "at half WATCHDOG_USEC, READY=1 once every runner is ready, "
                  "STOPPING=1 and EXTEND_TIMEOUT_USEC while draining");

  dir = g_dir_make_tmp ("gasync-notify-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "notify", NULL);
  address = g_unix_socket_address_new (path);
  source = bind_notify_socket (address, messages);

  g_setenv ("NOTIFY_SOCKET", path, TRUE);
  g_setenv ("WATCHDOG_USEC", "40000", TRUE);
  g_unsetenv ("WATCHDOG_PID");

  group = gasync_group_runner_new ();
  ra = test_service_new_runner (a, "a");
  gasync_runner_set_reports_ready (ra, TRUE);
  rb = test_service_new_runner (b, "b");
  gasync_group_runner_add (group, ra);
  gasync_group_runner_add (group, rb);
  gasync_group_runner_run_async (group, NULL, group_run_done_cb, &run);

  /* Not ready while a has not reported, but the watchdog is fed. */
  iterate_until_message (messages, "WATCHDOG=1", 2);
  g_assert_cmpstr (g_ptr_array_index (messages, 0), ==, "STATUS=Starting");
  g_assert_cmpuint (count_messages (messages, "READY=1"), ==, 0);

  gasync_runner_notify_ready (ra);
  iterate_until_message (messages, "READY=1", 1);
  g_assert_cmpuint (count_messages (messages, "READY=1\nSTATUS=Running"), ==, 1);

  gasync_group_runner_interrupt (group);
  gasync_test_iterate_until_flag (NULL, &run.done);
  g_assert_cmpuint (run.results->len, ==, 2);
  iterate_until_message (messages, "STATUS=Stopping, 1 of 2 runners left\nEXTEND_TIMEOUT_USEC=", 1);
  stopping = g_strdup_printf ("STOPPING=1\nSTATUS=Stopping\nEXTEND_TIMEOUT_USEC=%" G_GINT64_FORMAT,
                              15 * G_TIME_SPAN_SECOND);
  g_assert_cmpuint (count_messages (messages, stopping), ==, 1);
  g_assert_cmpuint (count_messages (messages, "READY=1"), ==, 1);
  g_free (stopping);

  g_unsetenv ("NOTIFY_SOCKET");
  g_unsetenv ("WATCHDOG_USEC");
  g_source_destroy (source);
  g_source_unref (source);
  gasync_test_unref_and_wait (group);
  gasync_test_unref_and_wait (ra);
  gasync_test_unref_and_wait (rb);
  group_run_clear (&run);
  g_assert_no_errno (g_unlink (path));
  g_assert_no_errno (g_rmdir (dir));
}

static void
test_group_runner_systemd_notify_abstract (void)
{
  g_autoptr(TestService) a = test_service_new ();
  g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *name = g_strdup_printf ("gasync-test-%d", (int) getpid ());
  g_autofree char *notify_socket = g_strconcat ("@", name, NULL);
  g_autoptr(GSocketAddress) address = NULL;
  GasyncGroupRunner *group;
  GasyncRunner *ra;
  GroupRun run = { 0 };
  GSource *source;

  g_test_summary ("NOTIFY_SOCKET may name an abstract socket; the watchdog "
                  "is off when WATCHDOG_PID names another process");

  address = g_unix_socket_address_new_with_type (name, -1, G_UNIX_SOCKET_ADDRESS_ABSTRACT);
  source = bind_notify_socket (address, messages);
  g_setenv ("NOTIFY_SOCKET", notify_socket, TRUE);
  g_setenv ("WATCHDOG_USEC", "2000", TRUE);
  g_setenv ("WATCHDOG_PID", "1", TRUE);

  group = gasync_group_runner_new ();
  ra = test_service_new_runner (a, "a");
  gasync_group_runner_add (group, ra);
  gasync_group_runner_run_async (group, NULL, group_run_done_cb, &run);
  iterate_until_message (messages, "READY=1\nSTATUS=Running", 1);
  gasync_group_runner_interrupt (group);
  gasync_test_iterate_until_flag (NULL, &run.done);
  iterate_until_message (messages, "STOPPING=1", 1);
  g_assert_cmpuint (count_messages (messages, "WATCHDOG=1"), ==, 0);

  g_unsetenv ("NOTIFY_SOCKET");
  g_unsetenv ("WATCHDOG_USEC");
  g_unsetenv ("WATCHDOG_PID");
  g_source_destroy (source);
  g_source_unref (source);
  gasync_test_unref_and_wait (group);
  gasync_test_unref_and_wait (ra);
  group_run_clear (&run);
}

/* Signals, in a child process that runs a group as a service would. */

static void
child_ready_cb (GObject    *object,
                GParamSpec *pspec,
                gpointer    data)
{
  GasyncRunner **runners = data;

  if (gasync_runner_get_ready (runners[0]) && gasync_runner_get_ready (runners[1]))
    {
      printf ("ready\n");
      fflush (stdout);
    }
}

static void
child_finished_cb (GasyncRunner       *runner,
                   GasyncRunnerResult *result,
                   gpointer            data)
{
  printf ("%s finished\n", gasync_runner_get_id (runner));
  fflush (stdout);
}

static gboolean
child_give_up (gpointer data)
{
  printf ("the child was not stopped\n");
  exit (3);
}

static int
sigterm_child (gboolean stuck)
{
  /* Kept to the end: a stuck run function may still use them at exit. */
  static TestService *a, *b;
  g_autoptr(GasyncGroupRunner) group = gasync_group_runner_new ();
  g_autoptr(GPtrArray) results = NULL;
  GasyncRunner *runners[2];

  g_timeout_add (gasync_test_deadline (30) / 1000 - g_get_monotonic_time () / 1000,
                 child_give_up, NULL);
  a = test_service_new ();
  b = test_service_new ();
  a->ignore_stop = stuck;
  runners[0] = test_service_new_runner (a, "a");
  runners[1] = test_service_new_runner (b, "b");
  for (guint i = 0; i < 2; i++)
    {
      g_signal_connect (runners[i], "notify::ready", G_CALLBACK (child_ready_cb), runners);
      g_signal_connect (runners[i], "finished", G_CALLBACK (child_finished_cb), NULL);
      gasync_group_runner_add (group, runners[i]);
      g_object_unref (runners[i]);
    }
  gasync_group_runner_set_interrupt_timeout (group, 120 * G_TIME_SPAN_SECOND);
  gasync_group_runner_interrupt_on_unix_signals (group);

  results = gasync_group_runner_run (group, NULL, NULL);
  for (guint i = 0; i < results->len; i++)
    {
      const GError *error = gasync_runner_result_get_error (g_ptr_array_index (results, i));

      printf ("%s: %s\n", gasync_runner_result_get_id (g_ptr_array_index (results, i)),
              error == NULL ? "ok" : error->message);
    }
  fflush (stdout);
  return 0;
}

static char *
read_line (FILE *out)
{
  char buffer[256];

  if (fgets (buffer, sizeof buffer, out) == NULL)
    return NULL;
  return g_strdup (buffer);
}

/* Spawns this binary in @mode and signals it as a service manager would.
 * Plain g_spawn and waitpid(): GSubprocess's worker thread hands off
 * through GLib locks that TSan cannot see. */
static char *
run_child (const char *mode,
           gboolean    escalate)
{
  const char *argv[] = { test_argv0, mode, NULL };
  g_auto(GStrv) envp = g_environ_unsetenv (g_get_environ (), "G_MESSAGES_DEBUG");
  g_autoptr(GString) rest = g_string_new (NULL);
  GPid pid;
  int out_fd, status;
  FILE *out;
  char *line;
  GError *error = NULL;

  /* Debug messages would go to the child's stdout, which we parse. */
  g_spawn_async_with_pipes (NULL, (char **) argv, envp, G_SPAWN_DO_NOT_REAP_CHILD,
                            NULL, NULL, &pid, NULL, &out_fd, NULL, &error);
  g_assert_no_error (error);
  out = fdopen (out_fd, "r");
  g_assert_nonnull (out);

  line = read_line (out);
  g_assert_cmpstr (line, ==, "ready\n");
  g_free (line);
  g_assert_no_errno (kill (pid, SIGTERM));

  if (escalate)
    {
      /* b stopped; a ignores its stop function: a second SIGTERM. */
      line = read_line (out);
      g_assert_cmpstr (line, ==, "b finished\n");
      g_free (line);
      g_assert_no_errno (kill (pid, SIGTERM));
    }

  while ((line = read_line (out)) != NULL)
    {
      g_string_append (rest, line);
      g_free (line);
    }
  fclose (out);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_spawn_close_pid (pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  return g_string_free (g_steal_pointer (&rest), FALSE);
}

static void
test_group_runner_sigterm (void)
{
  g_autofree char *output = NULL;

  g_test_summary ("SIGTERM sent to a process running a group interrupts it; "
                  "every runner stops and the process exits cleanly");

  output = run_child ("--sigterm-child", FALSE);
  g_assert_nonnull (strstr (output, "a: ok\n"));
  g_assert_nonnull (strstr (output, "b: ok\n"));
}

static void
test_group_runner_sigterm_twice (void)
{
  g_autofree char *output = NULL;
  gint64 start = g_get_monotonic_time ();

  g_test_summary ("A second SIGTERM while the group stops returns at once, "
                  "with TIMEOUT results for the runners still running");

  output = run_child ("--sigterm-child-stuck", TRUE);
  g_assert_nonnull (strstr (output, "b: ok\n"));
  g_assert_nonnull (strstr (output, "_unknown_: Runner “_unknown_” did not stop within 120 s\n"));
  g_assert_null (strstr (output, "a finished"));
  /* Far less than the group's 120 s interrupt timeout. */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 60 * G_TIME_SPAN_SECOND);
}

static void
test_group_runner_last_unref_while_running (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  GasyncTestLifetime lifetime;
  GasyncGroupRunner *group = gasync_group_runner_new ();
  GasyncRunner *runner;
  GroupRun run = { 0 };

  g_test_summary ("A group runner dropped while it runs lives on until it "
                  "finished: then it and its runners are finalized, each "
                  "destroy notify called once");
  g_test_bug ("13");
  gasync_test_lifetime_init (&lifetime);
  gasync_test_lifetime_watch (&lifetime, group);
  runner = gasync_runner_new ("member", gasync_test_task_until_cancelled,
                              gasync_test_nothing, &lifetime.destroyed[0],
                              gasync_test_count);
  gasync_group_runner_add (group, runner);
  g_object_unref (runner);
  gasync_group_runner_run_async (group, cancellable, group_run_done_cb, &run);
  g_object_unref (group);
  gasync_test_flush (NULL);
  g_assert_false (g_atomic_int_get (&lifetime.gone));

  g_cancellable_cancel (cancellable);
  gasync_test_lifetime_wait (&lifetime, 1);
  g_assert_true (run.done);
  g_assert_no_error (run.error);
  g_assert_cmpuint (run.results->len, ==, 1);
  assert_result (run.results, 0, "member", 0, 0);
  group_run_clear (&run);
}

int
main (int   argc,
      char *argv[])
{
  test_argv0 = argv[0];
  if (argc == 2 && g_str_equal (argv[1], "--sigterm-child"))
    return sigterm_child (FALSE);
  if (argc == 2 && g_str_equal (argv[1], "--sigterm-child-stuck"))
    return sigterm_child (TRUE);

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gasync/group-runner/one-finishes-first", test_group_runner_one_finishes_first);
  g_test_add_func ("/gasync/group-runner/interrupt", test_group_runner_interrupt);
  g_test_add_func ("/gasync/group-runner/cancellable", test_group_runner_cancellable);
  g_test_add_func ("/gasync/group-runner/timeout", test_group_runner_timeout);
  g_test_add_func ("/gasync/group-runner/runner-timeout", test_group_runner_runner_timeout);
  g_test_add_func ("/gasync/group-runner/result-signal", test_group_runner_result_signal);
  g_test_add_func ("/gasync/group-runner/empty-and-twice", test_group_runner_empty_and_twice);
  g_test_add_func ("/gasync/group-runner/started-runner", test_group_runner_started_runner);
  g_test_add_func ("/gasync/group-runner/gave-up-stops-group", test_group_runner_gave_up_stops_group);
  g_test_add_func ("/gasync/group-runner/bad-input", test_group_runner_bad_input);
  g_test_add_func ("/gasync/group-runner/systemd-notify", test_group_runner_systemd_notify);
  g_test_add_func ("/gasync/group-runner/systemd-notify-abstract", test_group_runner_systemd_notify_abstract);
  g_test_add_func ("/gasync/group-runner/sigterm", test_group_runner_sigterm);
  g_test_add_func ("/gasync/group-runner/sigterm-twice", test_group_runner_sigterm_twice);
  g_test_add_func ("/gasync/group-runner/last-unref-while-running",
                   test_group_runner_last_unref_while_running);

  return g_test_run ();
}

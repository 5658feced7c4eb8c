/* gasync-demo.c: a small GNOME-style D-Bus service built on libgasync
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 *
 * The service owns org.gnome.GasyncDemo on the session bus and runs three
 * parts as one GasyncGroupRunner, so that they start and stop together:
 *
 *  - "bus": owns the name and exports the interface below; it reports
 *    ready once the name is acquired (systemd's READY=1 waits for it);
 *  - "ticker": a GasyncInterval that logs a heartbeat on the main loop;
 *  - "jobs": a GasyncStopper whose async tasks do the work that D-Bus
 *    callers submit; when the group stops, it quiesces (new jobs are
 *    refused), lets the running jobs finish, then runs its closers.
 *
 * SIGTERM, SIGINT or a Quit() call stop the group; the log shows the order:
 * quiescing, the last jobs, stopped, the closers, then the group's results.
 *
 *   gdbus call --session -d org.gnome.GasyncDemo -o /org/gnome/GasyncDemo \
 *     -m org.gnome.GasyncDemo.Submit thumbnail 3
 */

#include <locale.h>
#include <stdlib.h>

#include <gasync.h>

#define BUS_NAME "org.gnome.GasyncDemo"
#define OBJECT_PATH "/org/gnome/GasyncDemo"

static const char introspection_xml[] =
  "<node>"
  "  <interface name='org.gnome.GasyncDemo'>"
  "    <method name='Submit'>"
  "      <arg direction='in' type='s' name='name'/>"
  "      <arg direction='in' type='u' name='count'/>"
  "      <arg direction='out' type='u' name='accepted'/>"
  "    </method>"
  "    <method name='RunningTasks'>"
  "      <arg direction='out' type='a{su}' name='tasks'/>"
  "    </method>"
  "    <method name='Quit'/>"
  "    <property name='Ticks' type='u' access='read'/>"
  "  </interface>"
  "</node>";

typedef struct
{
  GasyncGroupRunner *group;
  GasyncStopper *jobs;
  GasyncInterval *ticker;
  GasyncRunner *bus_runner;
  GasyncRunner *ticker_runner;
  GasyncRunner *jobs_runner;
  guint owner_id;
  guint registration_id;
  guint ticks;
} Demo;

static void say (const char *format, ...) G_GNUC_PRINTF (1, 2);

static void
say (const char *format,
     ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_print ("gasync-demo: %s\n", text);
}

/* A job: two seconds of "work". It ignores the cancellable on purpose:
 * a job that was accepted finishes, and the stopper waits for it. */
static gboolean
job_func (GCancellable  *cancellable,
          gpointer       user_data,
          GError       **error)
{
  const char *name = user_data;

  gasync_sleep (2 * G_USEC_PER_SEC, NULL, NULL);
  say ("job %s done", name);
  return TRUE;
}

static guint
submit_jobs (Demo       *demo,
             const char *name,
             guint       count)
{
  guint accepted = 0;

  for (guint i = 0; i < count; i++)
    {
      g_autoptr(GError) error = NULL;

      if (gasync_stopper_run_async_task (demo->jobs, name, job_func,
                                         g_strdup (name), g_free, &error))
        accepted++;
      else
        say ("job %s refused: %s", name, error->message);
    }
  return accepted;
}

static GVariant *
running_tasks_variant (Demo *demo)
{
  g_autoptr(GHashTable) tasks = gasync_stopper_dup_running_tasks (demo->jobs);
  GVariantBuilder builder;
  GHashTableIter iter;
  gpointer name, count;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{su}"));
  g_hash_table_iter_init (&iter, tasks);
  while (g_hash_table_iter_next (&iter, &name, &count))
    g_variant_builder_add (&builder, "{su}", name, GPOINTER_TO_UINT (count));
  return g_variant_builder_end (&builder);
}

static void
method_call (GDBusConnection       *connection,
             const char            *sender,
             const char            *object_path,
             const char            *interface_name,
             const char            *method_name,
             GVariant              *parameters,
             GDBusMethodInvocation *invocation,
             gpointer               user_data)
{
  Demo *demo = user_data;

  if (g_str_equal (method_name, "Submit"))
    {
      const char *name;
      guint count;

      g_variant_get (parameters, "(&su)", &name, &count);
      g_dbus_method_invocation_return_value (invocation,
          g_variant_new ("(u)", submit_jobs (demo, name, count)));
    }
  else if (g_str_equal (method_name, "RunningTasks"))
    g_dbus_method_invocation_return_value (invocation,
        g_variant_new_tuple ((GVariant *[]) { running_tasks_variant (demo) }, 1));
  else
    {
      say ("Quit() called over D-Bus");
      g_dbus_method_invocation_return_value (invocation, NULL);
      gasync_group_runner_interrupt (demo->group);
    }
}

static GVariant *
get_property (GDBusConnection  *connection,
              const char       *sender,
              const char       *object_path,
              const char       *interface_name,
              const char       *property_name,
              GError          **error,
              gpointer          user_data)
{
  Demo *demo = user_data;

  return g_variant_new_uint32 (demo->ticks);
}

static const GDBusInterfaceVTable vtable = { method_call, get_property, NULL, { 0 } };

/* "bus": owns the name; complete when the name is lost or on stop. */
static void
bus_acquired (GDBusConnection *connection,
              const char      *name,
              gpointer         user_data)
{
  Demo *demo = user_data;
  g_autoptr(GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (introspection_xml, NULL);
  g_autoptr(GError) error = NULL;

  demo->registration_id =
    g_dbus_connection_register_object (connection, OBJECT_PATH,
                                       info->interfaces[0], &vtable,
                                       demo, NULL, &error);
  if (demo->registration_id == 0)
    say ("cannot export %s: %s", OBJECT_PATH, error->message);
}

static void
name_acquired (GDBusConnection *connection,
               const char      *name,
               gpointer         user_data)
{
  Demo *demo = user_data;

  say ("owns %s on the session bus", name);
  gasync_runner_notify_ready (demo->bus_runner);
}

static void
name_lost (GDBusConnection *connection,
           const char      *name,
           gpointer         user_data)
{
  Demo *demo = user_data;
  g_autoptr(GError) error = g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                                         "lost the name %s", name);

  gasync_runner_complete (demo->bus_runner, error);
}

static void
bus_start (GasyncRunner *runner,
           GCancellable *cancellable,
           gpointer      user_data)
{
  Demo *demo = user_data;

  demo->owner_id = g_bus_own_name (G_BUS_TYPE_SESSION, BUS_NAME,
                                   G_BUS_NAME_OWNER_FLAGS_NONE, bus_acquired,
                                   name_acquired, name_lost, demo, NULL);
}

static void
bus_stop (gpointer user_data)
{
  Demo *demo = user_data;

  say ("releasing %s", BUS_NAME);
  g_bus_unown_name (demo->owner_id);
  demo->owner_id = 0;
  gasync_runner_complete (demo->bus_runner, NULL);
}

/* "ticker": a heartbeat on the main loop. */
static gboolean
tick (GCancellable  *cancellable,
      gpointer       user_data,
      GError       **error)
{
  Demo *demo = user_data;

  demo->ticks++;
  return TRUE;
}

static void
ticker_start (GasyncRunner *runner,
              GCancellable *cancellable,
              gpointer      user_data)
{
  Demo *demo = user_data;
  g_autoptr(GError) error = NULL;

  if (!gasync_interval_start (demo->ticker, &error))
    gasync_runner_complete (runner, error);
}

static void
ticker_stop (gpointer user_data)
{
  Demo *demo = user_data;

  gasync_interval_stop (demo->ticker, NULL, NULL);
  say ("ticker stopped after %u ticks", demo->ticks);
  gasync_runner_complete (demo->ticker_runner, NULL);
}

/* "jobs": the stopper; stopping it quiesces, drains and closes. */
static void
jobs_start (GasyncRunner *runner,
            GCancellable *cancellable,
            gpointer      user_data)
{
}

static void
jobs_stopped (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Demo *demo = user_data;
  g_autoptr(GError) error = NULL;

  gasync_stopper_stop_finish (GASYNC_STOPPER (source), result, &error);
  gasync_runner_complete (demo->jobs_runner, error);
}

static void
jobs_stop (gpointer user_data)
{
  Demo *demo = user_data;
  g_autofree char *dump = gasync_stopper_dump (demo->jobs);

  say ("jobs: stopping with %u running:\n%s",
       gasync_stopper_get_n_tasks (demo->jobs), dump);
  gasync_stopper_stop_async (demo->jobs, NULL, jobs_stopped, demo);
}

static void
on_quiescing (GasyncStopper *stopper,
              gpointer       user_data)
{
  say ("jobs: quiescing, new jobs are refused");
}

static void
on_stopped (GasyncStopper *stopper,
            gpointer       user_data)
{
  say ("jobs: stopped");
}

static void
close_func (gpointer user_data)
{
  say ("closer: %s", (const char *) user_data);
}

static GasyncRunner *
add_runner (Demo                  *demo,
            const char            *id,
            GasyncRunnerStartFunc  start,
            GasyncRunnerStopFunc   stop)
{
  GasyncRunner *runner = gasync_runner_new_for_main_loop (id, start, stop,
                                                          demo, NULL);

  gasync_group_runner_add (demo->group, runner);
  return runner;
}

int
main (int    argc,
      char **argv)
{
  Demo demo = { 0 };
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;
  gboolean clean = TRUE;

  setlocale (LC_ALL, "");
  say ("libgasync %u.%u.%u", gasync_get_major_version (),
       gasync_get_minor_version (), gasync_get_micro_version ());

  demo.jobs = gasync_stopper_new ();
  g_signal_connect (demo.jobs, "quiescing", G_CALLBACK (on_quiescing), NULL);
  g_signal_connect (demo.jobs, "stopped", G_CALLBACK (on_stopped), NULL);
  /* Closers run newest first. */
  gasync_stopper_add_closer (demo.jobs, close_func, "flushed the job journal", NULL);
  gasync_stopper_add_closer (demo.jobs, close_func, "closed the job cache", NULL);

  demo.ticker = gasync_interval_new (tick, &demo, NULL);
  gasync_interval_set_mode (demo.ticker, GASYNC_INTERVAL_MODE_MAIN_CONTEXT);
  gasync_interval_set_interval (demo.ticker, 100 * G_TIME_SPAN_MILLISECOND);

  demo.group = gasync_group_runner_new ();
  gasync_group_runner_set_interrupt_timeout (demo.group, 5 * G_TIME_SPAN_SECOND);
  demo.bus_runner = add_runner (&demo, "bus", bus_start, bus_stop);
  gasync_runner_set_reports_ready (demo.bus_runner, TRUE);
  demo.ticker_runner = add_runner (&demo, "ticker", ticker_start, ticker_stop);
  demo.jobs_runner = add_runner (&demo, "jobs", jobs_start, jobs_stop);
  gasync_group_runner_interrupt_on_unix_signals (demo.group);

  say ("running; stop with SIGTERM, SIGINT or Quit()");
  results = gasync_group_runner_run (demo.group, NULL, &error);
  if (results == NULL)
    {
      say ("the group failed: %s", error->message);
      return EXIT_FAILURE;
    }
  for (guint i = 0; i < results->len; i++)
    {
      GasyncRunnerResult *result = g_ptr_array_index (results, i);
      const GError *result_error = gasync_runner_result_get_error (result);

      say ("runner %s: %s", gasync_runner_result_get_id (result),
           result_error != NULL ? result_error->message : "finished cleanly");
      clean = clean && result_error == NULL;
    }

  g_object_unref (demo.bus_runner);
  g_object_unref (demo.ticker_runner);
  g_object_unref (demo.jobs_runner);
  g_object_unref (demo.group);
  g_object_unref (demo.ticker);
  g_object_unref (demo.jobs);
  say (clean ? "clean shutdown" : "shutdown with errors");
  return clean ? EXIT_SUCCESS : EXIT_FAILURE;
}

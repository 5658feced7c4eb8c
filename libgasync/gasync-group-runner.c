/* gasync-group-runner.c: runners that start and stop together
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

/**
 * SECTION:gasync-group-runner
 * @title: GasyncGroupRunner
 * @short_description: services that start and stop together
 *
 * A #GasyncGroupRunner runs several #GasyncRunner<!-- -->s at once, for
 * services that only make sense together (say a D-Bus API and the HTTP
 * server behind it): either all of them run, or none. When any runner
 * finishes by itself, or the group is interrupted (gasync_group_runner_interrupt(),
 * the #GCancellable given to the run, a signal), every other runner is
 * interrupted: its stop function is called, while the stop function of a
 * runner that finished is not. The group then waits up to its
 * #GasyncGroupRunner:interrupt-timeout and reports one #GasyncRunnerResult
 * per runner, in the order they finished; a runner that did not report in
 * time gets a %GASYNC_ERROR_TIMEOUT result with the id
 * %GASYNC_RUNNER_RESULT_UNKNOWN_ID. Give each runner a shorter interrupt
 * timeout than the group's to learn which one did not stop.
 *
 * |[<!-- language="C" -->
 * g_autoptr(GasyncGroupRunner) group = gasync_group_runner_new ();
 * g_autoptr(GPtrArray) results = NULL;
 *
 * gasync_group_runner_add (group, http_runner);
 * gasync_group_runner_add (group, dbus_runner);
 * gasync_group_runner_interrupt_on_unix_signals (group);
 * results = gasync_group_runner_run (group, NULL, NULL);
 * for (guint i = 0; i < results->len; i++)
 *   {
 *     GasyncRunnerResult *result = g_ptr_array_index (results, i);
 *     const GError *error = gasync_runner_result_get_error (result);
 *
 *     if (error != NULL)
 *       g_printerr ("%s: %s\n", gasync_runner_result_get_id (result),
 *                   error->message);
 *   }
 * ]|
 *
 * In Python, with two main-loop services:
 * |[<!-- language="Python" -->
 * import gi
 * gi.require_version('Gasync', '1')
 * from gi.repository import GLib, Gasync
 *
 *
 * def service(name):
 *     # A main-loop service: it completes when it is asked to stop.
 *     def start(runner, cancellable):
 *         print(name, 'started')
 *
 *     def stop(runner):
 *         GLib.idle_add(runner.complete_ok)
 *
 *     return Gasync.Runner.new_for_main_loop(name, start, stop)
 *
 *
 * group = Gasync.GroupRunner.new()
 * group.add(service('http'))
 * group.add(service('dbus'))
 * group.interrupt_on_unix_signals()  # SIGINT and SIGTERM stop the group
 * GLib.timeout_add(50, group.interrupt)  # here: stop after 50 ms
 * main_loop = GLib.MainLoop()
 * outcome = []
 *
 *
 * def on_done(group, result):
 *     outcome.extend(group.run_finish(result))
 *     main_loop.quit()
 *
 *
 * group.run_async(None, on_done)
 * main_loop.run()
 * assert [r.get_id() for r in outcome] == ['http', 'dbus']
 * assert all(r.get_error() is None for r in outcome)
 * ]|
 *
 * And in JavaScript (GJS, as an ES module):
 * |[<!-- language="JavaScript" -->
 * import GLib from 'gi://GLib';
 * import Gio from 'gi://Gio';
 * import Gasync from 'gi://Gasync?version=1';
 *
 * Gio._promisify(Gasync.GroupRunner.prototype, 'run_async', 'run_finish');
 *
 * // A main-loop service: it completes when it is asked to stop.
 * function service(name) {
 *     return Gasync.Runner.new_for_main_loop(name,
 *         () => print(`${name} started`),
 *         runner => GLib.idle_add(GLib.PRIORITY_DEFAULT, () => {
 *             runner.complete(null);
 *             return GLib.SOURCE_REMOVE;
 *         }));
 * }
 *
 * const group = new Gasync.GroupRunner();
 * group.add(service('http'));
 * group.add(service('dbus'));
 * group.interrupt_on_unix_signals(); // SIGINT and SIGTERM stop the group
 * GLib.timeout_add(GLib.PRIORITY_DEFAULT, 50, () => {
 *     group.interrupt(); // here: stop after 50 ms
 *     return GLib.SOURCE_REMOVE;
 * });
 * const results = await group.run_async(null);
 * for (const result of results)
 *     print(result.get_id(), result.get_error()?.message ?? 'ok');
 * ]|
 *
 * As a service: gasync_group_runner_interrupt_on_unix_signals() makes
 * `SIGINT` and `SIGTERM` interrupt the group, and a second signal during
 * the interrupt timeout stop waiting at once. When `NOTIFY_SOCKET` is set
 * (a systemd `Type=notify` service) the group tells systemd `READY=1` once
 * every runner is ready (see #GasyncRunner:reports-ready), `STOPPING=1`
 * when it stops, `EXTEND_TIMEOUT_USEC=` while runners are still
 * finishing, its phase as `STATUS=`, and `WATCHDOG=1` every half
 * `WATCHDOG_USEC` while it runs.
 *
 * Lifetime: a run keeps the group, and through it its runners, alive until
 * the group finished, as a GIO asynchronous call keeps its source object:
 * a group dropped while it runs is finalized once it finished, after the
 * callback of gasync_group_runner_run_async(). To end a run whose group
 * you no longer hold, cancel the #GCancellable given to the run.
 *
 * Threading: a group belongs to its owner context, the thread-default
 * #GMainContext when it was made, where its runners should belong too.
 * Add runners there before the run. gasync_group_runner_run(),
 * gasync_group_runner_run_async() and gasync_group_runner_interrupt() may
 * be called from any thread; callbacks run on the owner context (for
 * gasync_group_runner_run_async(): the caller's thread-default context).
 */

/**
 * GasyncGroupRunner:
 *
 * Runs a group of #GasyncRunner<!-- -->s that start together and stop
 * together.
 *
 * Since: 0.1
 */

#include "config.h"

#include "gasync-group-runner.h"
#include "gasync-gtask-private.h"
#include "gasync-private.h"
#include "gasync-run-once-private.h"
#include "gasync-runner-private.h"
#include "gasync-runner-result-private.h"
#include "gasync-source-private.h"
#include "gasync-systemd-notify-private.h"
#include "gasync-sync-private.h"

#include <glib-unix.h>
#include <signal.h>

#define DEFAULT_INTERRUPT_TIMEOUT (15 * G_TIME_SPAN_SECOND)

struct _GasyncGroupRunner
{
  GObject parent_instance;

  GasyncRunOnce run;

  GPtrArray *runners;
  GTimeSpan interrupt_timeout;
  gboolean unix_signals;

  /* The run, on the owner context. */
  gboolean launched;
  gboolean stopping;
  gboolean finished;
  gboolean told_ready;
  GPtrArray *reported;          /* GasyncRunnerResult, complete once done */
  GSource *timeout_source;
  gint64 timeout_deadline;
  GSource *signal_sources[2];
  GasyncSystemdNotify *notify;
  GSource *watchdog_source;
};

enum {
  PROP_0,
  PROP_INTERRUPT_TIMEOUT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_RESULT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (GasyncGroupRunner, gasync_group_runner, G_TYPE_OBJECT)

static void
group_notify (GasyncGroupRunner *self,
              const char        *format,
              ...) G_GNUC_PRINTF (2, 3);

static void
group_notify (GasyncGroupRunner *self,
              const char        *format,
              ...)
{
  g_autofree char *state = NULL;
  va_list args;

  if (self->notify == NULL)
    return;

  va_start (args, format);
  state = g_strdup_vprintf (format, args);
  va_end (args);
  gasync_systemd_notify_send (self->notify, state);
}

static gpointer
result_copy (gconstpointer result,
             gpointer      data)
{
  return gasync_runner_result_ref ((GasyncRunnerResult *) result);
}

static void
group_clear_signal_sources (GasyncGroupRunner *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (self->signal_sources); i++)
    gasync_clear_source (&self->signal_sources[i]);
}

static void
group_disconnect (GasyncGroupRunner *self)
{
  for (guint i = 0; i < self->runners->len; i++)
    g_signal_handlers_disconnect_by_data (g_ptr_array_index (self->runners, i), self);
  gasync_run_once_disconnect (&self->run);

  gasync_clear_source (&self->timeout_source);
  gasync_clear_source (&self->watchdog_source);
  group_clear_signal_sources (self);
}

static void
group_finish (GasyncGroupRunner *self)
{
  g_autoptr(GTask) task = NULL;

  g_assert (!self->finished);
  self->finished = TRUE;
  group_disconnect (self);
  g_clear_pointer (&self->notify, gasync_systemd_notify_free);
  task = gasync_run_once_done (&self->run);

  g_debug ("Group runner finished with %u results", self->reported->len);
  if (task != NULL)
    g_task_return_pointer (task, g_ptr_array_ref (self->reported),
                           (GDestroyNotify) g_ptr_array_unref);
}

/* Gives up waiting: a timeout result for every runner still running. */
static void
group_time_out (GasyncGroupRunner *self)
{
  g_autoptr(GError) error = NULL;

  gasync_runner_set_timeout_error (&error, GASYNC_RUNNER_RESULT_UNKNOWN_ID,
                                   self->interrupt_timeout);
  while (self->reported->len < self->runners->len)
    {
      g_autoptr(GasyncRunnerResult) result = NULL;

      result = gasync_runner_result_new (GASYNC_RUNNER_RESULT_UNKNOWN_ID, error);
      g_ptr_array_add (self->reported, gasync_runner_result_ref (result));
      g_signal_emit (self, signals[SIGNAL_RESULT], 0, result);
    }
  group_finish (self);
}

static gboolean
group_timeout_cb (gpointer data)
{
  GasyncGroupRunner *self = data;

  g_clear_pointer (&self->timeout_source, g_source_unref);
  group_time_out (self);
  return G_SOURCE_REMOVE;
}

static void
group_do_interrupt (gpointer data)
{
  GasyncGroupRunner *self = data;

  if (!self->launched || self->stopping || self->finished)
    return;

  g_debug ("Group runner stops");
  self->stopping = TRUE;
  group_notify (self, "STOPPING=1\nSTATUS=Stopping\nEXTEND_TIMEOUT_USEC=%" G_GINT64_FORMAT,
                self->interrupt_timeout);

  /* Sequentially, as the seed does: runners that finished ignore it. */
  for (guint i = 0; i < self->runners->len; i++)
    gasync_runner_interrupt (g_ptr_array_index (self->runners, i));

  /* A runner may have finished at once. */
  if (self->finished)
    return;

  self->timeout_deadline = gasync_deadline_add (g_get_monotonic_time (),
                                               self->interrupt_timeout);
  self->timeout_source = gasync_timeout_source_add (self->run.context,
                                                    self->interrupt_timeout,
                                                    group_timeout_cb, self);
}

static void
group_add_result (GasyncGroupRunner  *self,
                  GasyncRunnerResult *result)
{
  g_ptr_array_add (self->reported, gasync_runner_result_ref (result));
  g_signal_emit (self, signals[SIGNAL_RESULT], 0, result);

  if (self->reported->len == self->runners->len)
    {
      group_finish (self);
      return;
    }

  if (!self->stopping)
    group_do_interrupt (self);
  else if (!self->finished)
    /* Progress while draining: ask systemd for the rest of our timeout. */
    group_notify (self, "STATUS=Stopping, %u of %u runners left\nEXTEND_TIMEOUT_USEC=%" G_GINT64_FORMAT,
                  self->runners->len - self->reported->len, self->runners->len,
                  MAX (self->timeout_deadline - g_get_monotonic_time (), 1));
}

static void
runner_finished_cb (GasyncRunner       *runner,
                    GasyncRunnerResult *result,
                    gpointer            data)
{
  group_add_result (GASYNC_GROUP_RUNNER (data), result);
}

static void
group_check_ready (GasyncGroupRunner *self)
{
  if (self->told_ready || self->stopping)
    return;

  for (guint i = 0; i < self->runners->len; i++)
    if (!gasync_runner_get_ready (g_ptr_array_index (self->runners, i)))
      return;

  self->told_ready = TRUE;
  group_notify (self, "READY=1\nSTATUS=Running");
}

static void
runner_ready_cb (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    data)
{
  group_check_ready (GASYNC_GROUP_RUNNER (data));
}

static gboolean
group_watchdog_cb (gpointer data)
{
  group_notify (GASYNC_GROUP_RUNNER (data), "WATCHDOG=1");
  return G_SOURCE_CONTINUE;
}

static gboolean
group_signal_cb (gpointer data)
{
  GasyncGroupRunner *self = data;

  if (!self->stopping)
    {
      g_debug ("Group runner interrupted by a signal");
      group_do_interrupt (self);
    }
  else if (!self->finished)
    {
      g_debug ("Group runner gives up waiting after a second signal");
      group_time_out (self);
    }
  return G_SOURCE_CONTINUE;
}

static void
group_add_signal_sources (GasyncGroupRunner *self)
{
  static const int signums[] = { SIGINT, SIGTERM };

  G_STATIC_ASSERT (G_N_ELEMENTS (signums) == G_N_ELEMENTS (((GasyncGroupRunner *) NULL)->signal_sources));

  for (guint i = 0; i < G_N_ELEMENTS (signums); i++)
    {
      GSource *source = g_unix_signal_source_new (signums[i]);

      g_source_set_static_name (source, "[gasync] group runner signal");
      g_source_set_callback (source, group_signal_cb, self, NULL);
      gasync_source_attach (source, self->run.context);
      self->signal_sources[i] = source;
    }
}

static void
group_launch (gpointer data)
{
  GasyncGroupRunner *self = data;
  GTimeSpan watchdog;

  g_assert (!self->launched);
  self->launched = TRUE;

  self->notify = gasync_systemd_notify_new_from_environment ();
  group_notify (self, "STATUS=Starting");
  watchdog = self->notify != NULL ? gasync_systemd_notify_get_watchdog_interval (self->notify) : 0;
  if (watchdog > 0)
    self->watchdog_source = gasync_timeout_source_add (self->run.context, watchdog,
                                                       group_watchdog_cb, self);
  if (self->unix_signals)
    group_add_signal_sources (self);

  if (self->runners->len == 0)
    {
      group_finish (self);
      return;
    }

  for (guint i = 0; i < self->runners->len; i++)
    {
      GasyncRunner *runner = g_ptr_array_index (self->runners, i);
      g_autoptr(GError) error = NULL;

      g_signal_connect_object (runner, "finished", G_CALLBACK (runner_finished_cb), self, 0);
      g_signal_connect_object (runner, "notify::ready", G_CALLBACK (runner_ready_cb), self, 0);
      if (!gasync_runner_start (runner, &error))
        {
          g_autoptr(GasyncRunnerResult) result = NULL;

          g_signal_handlers_disconnect_by_data (runner, self);
          result = gasync_runner_result_new (gasync_runner_get_id (runner), error);
          g_ptr_array_add (self->reported, g_steal_pointer (&result));
        }
    }

  if (self->reported->len == self->runners->len)
    {
      group_finish (self);
      return;
    }
  if (self->reported->len > 0)
    group_do_interrupt (self);

  group_check_ready (self);

  if (!self->finished)
    gasync_run_once_watch_cancellable (&self->run);
}

static gboolean
group_begin (GasyncGroupRunner  *self,
             GCancellable       *cancellable,
             GTask              *task,
             GError            **error)
{
  if (gasync_run_once_begin (&self->run, G_OBJECT (self), NULL, cancellable, task,
                             group_launch))
    return TRUE;

  g_set_error_literal (error, GASYNC_ERROR, GASYNC_ERROR_ALREADY_STARTED,
                       _("The group runner was already started"));
  return FALSE;
}

static void
gasync_group_runner_dispose (GObject *object)
{
  GasyncGroupRunner *self = GASYNC_GROUP_RUNNER (object);

  group_disconnect (self);
  g_clear_pointer (&self->notify, gasync_systemd_notify_free);
  g_clear_object (&self->run.task);
  g_ptr_array_set_size (self->runners, 0);

  G_OBJECT_CLASS (gasync_group_runner_parent_class)->dispose (object);
}

static void
gasync_group_runner_finalize (GObject *object)
{
  GasyncGroupRunner *self = GASYNC_GROUP_RUNNER (object);

  g_clear_pointer (&self->runners, g_ptr_array_unref);
  g_clear_pointer (&self->reported, g_ptr_array_unref);
  gasync_run_once_clear (&self->run);

  G_OBJECT_CLASS (gasync_group_runner_parent_class)->finalize (object);
}

static void
gasync_group_runner_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  GasyncGroupRunner *self = GASYNC_GROUP_RUNNER (object);

  switch (prop_id)
    {
    case PROP_INTERRUPT_TIMEOUT:
      g_value_set_int64 (value, self->interrupt_timeout);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gasync_group_runner_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  GasyncGroupRunner *self = GASYNC_GROUP_RUNNER (object);

  switch (prop_id)
    {
    case PROP_INTERRUPT_TIMEOUT:
      gasync_group_runner_set_interrupt_timeout (self, g_value_get_int64 (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gasync_group_runner_class_init (GasyncGroupRunnerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  gasync_i18n_init ();

  object_class->dispose = gasync_group_runner_dispose;
  object_class->finalize = gasync_group_runner_finalize;
  object_class->get_property = gasync_group_runner_get_property;
  object_class->set_property = gasync_group_runner_set_property;

  /**
   * GasyncGroupRunner:interrupt-timeout:
   *
   * How long, in microseconds, the group waits for its runners once it
   * stops (interrupted, or a runner finished by itself) before it reports
   * %GASYNC_ERROR_TIMEOUT results for the runners still running. The
   * default is 15 seconds.
   *
   * Since: 0.1
   */
  properties[PROP_INTERRUPT_TIMEOUT] =
    g_param_spec_int64 ("interrupt-timeout", "Interrupt timeout",
                        "How long to wait for the runners once stopping, in µs",
                        0, G_MAXINT64, DEFAULT_INTERRUPT_TIMEOUT,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * GasyncGroupRunner::result:
   * @self: the group
   * @result: the result of one runner
   *
   * Emitted on the owner context for each runner's result the moment it
   * arrives, in finishing order, as the runner package's RunAsync streams
   * results on a channel: when a runner finishes, and for each runner
   * still running when the group gives up waiting (a %GASYNC_ERROR_TIMEOUT
   * result whose id is %GASYNC_RUNNER_RESULT_UNKNOWN_ID). It is emitted
   * once per runner, before the group's run completes; the results of
   * gasync_group_runner_run() come in the same order.
   *
   * Since: 0.1
   */
  signals[SIGNAL_RESULT] =
    g_signal_new ("result", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                  GASYNC_TYPE_RUNNER_RESULT | G_SIGNAL_TYPE_STATIC_SCOPE);

  gasync_type_class_publish (klass);
}

static void
gasync_group_runner_init (GasyncGroupRunner *self)
{
  gasync_type_class_acquire (self);

  gasync_run_once_init (&self->run, G_OBJECT (self), group_do_interrupt);
  self->runners = g_ptr_array_new_with_free_func (g_object_unref);
  self->reported = g_ptr_array_new_with_free_func ((GDestroyNotify) gasync_runner_result_unref);
  self->interrupt_timeout = DEFAULT_INTERRUPT_TIMEOUT;
}

/**
 * gasync_group_runner_new:
 *
 * Makes an empty group. Its owner context is the thread-default
 * #GMainContext of the caller.
 *
 * Returns: (transfer full): a new #GasyncGroupRunner
 *
 * Since: 0.1
 */
GasyncGroupRunner *
gasync_group_runner_new (void)
{
  return g_object_new (GASYNC_TYPE_GROUP_RUNNER, NULL);
}

/**
 * gasync_group_runner_get_interrupt_timeout:
 * @self: a #GasyncGroupRunner
 *
 * Gets #GasyncGroupRunner:interrupt-timeout.
 *
 * Returns: a duration in microseconds
 *
 * Since: 0.1
 */
GTimeSpan
gasync_group_runner_get_interrupt_timeout (GasyncGroupRunner *self)
{
  g_return_val_if_fail (GASYNC_IS_GROUP_RUNNER (self), 0);

  return self->interrupt_timeout;
}

/**
 * gasync_group_runner_set_interrupt_timeout:
 * @self: a #GasyncGroupRunner
 * @timeout: a duration in microseconds, not negative
 *
 * Sets #GasyncGroupRunner:interrupt-timeout.
 *
 * Threading: call it on the owner context's thread.
 *
 * Since: 0.1
 */
void
gasync_group_runner_set_interrupt_timeout (GasyncGroupRunner *self,
                                           GTimeSpan          timeout)
{
  g_return_if_fail (GASYNC_IS_GROUP_RUNNER (self));
  g_return_if_fail (timeout >= 0);

  if (self->interrupt_timeout == timeout)
    return;

  self->interrupt_timeout = timeout;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INTERRUPT_TIMEOUT]);
}

/**
 * gasync_group_runner_add:
 * @self: a #GasyncGroupRunner
 * @runner: a #GasyncRunner that has not run yet
 *
 * Adds @runner to the group. Ids must be unique within the group: a
 * runner with the id of one already added is refused with a critical, and
 * so is a runner added once the group started.
 *
 * Threading: call it on the owner context's thread, before the run.
 *
 * Since: 0.1
 */
void
gasync_group_runner_add (GasyncGroupRunner *self,
                         GasyncRunner      *runner)
{
  const char *id;
  gboolean started;

  g_return_if_fail (GASYNC_IS_GROUP_RUNNER (self));
  g_return_if_fail (GASYNC_IS_RUNNER (runner));

  id = gasync_runner_get_id (runner);

  gasync_lock (&self->run.lock);
  started = self->run.started;
  gasync_unlock (&self->run.lock);
  if (started)
    {
      g_critical ("Runner “%s” added to a group runner that already started; "
                  "it is ignored", id);
      return;
    }

  for (guint i = 0; i < self->runners->len; i++)
    if (g_str_equal (gasync_runner_get_id (g_ptr_array_index (self->runners, i)), id))
      {
        g_critical ("A runner with the id “%s” is already in the group; "
                    "the new one is ignored", id);
        return;
      }

  g_ptr_array_add (self->runners, g_object_ref (runner));
}

/**
 * gasync_group_runner_interrupt_on_unix_signals:
 * @self: a #GasyncGroupRunner
 *
 * Makes `SIGINT` and `SIGTERM` interrupt the group while it runs, through
 * g_unix_signal_add() on the owner context (which must then be iterated).
 * A second signal while the group stops gives up waiting: the run returns
 * at once, with %GASYNC_ERROR_TIMEOUT results for the runners still
 * running. Call it before the run.
 *
 * Threading: call it on the owner context's thread.
 *
 * Since: 0.1
 */
void
gasync_group_runner_interrupt_on_unix_signals (GasyncGroupRunner *self)
{
  g_return_if_fail (GASYNC_IS_GROUP_RUNNER (self));
  g_return_if_fail (!self->launched);

  self->unix_signals = TRUE;
}

/**
 * gasync_group_runner_run:
 * @self: a #GasyncGroupRunner
 * @cancellable: (nullable): interrupts the group when cancelled
 * @error: return location for a #GError
 *
 * Runs every runner of the group at once and blocks until each reported,
 * or until the #GasyncGroupRunner:interrupt-timeout elapsed after the
 * group began to stop. A group runs once: a second run fails with
 * %GASYNC_ERROR_ALREADY_STARTED. The runners' own errors are in the
 * results, not in @error.
 *
 * Threading: may be called from any thread. When the caller can acquire
 * the owner context it is iterated while waiting; otherwise another
 * thread must iterate it.
 *
 * Blocking: yes, until every runner has finished; it iterates the owner
 * context meanwhile when it can acquire it.
 * gasync_group_runner_run_async() is its twin that does not block.
 *
 * Returns: (transfer container) (element-type GasyncRunnerResult): one result
 *   per runner, in the order they finished, or %NULL with @error set. The
 *   array owns its results: g_ptr_array_unref() frees them too.
 *
 * Since: 0.1
 */
GPtrArray *
gasync_group_runner_run (GasyncGroupRunner  *self,
                         GCancellable       *cancellable,
                         GError            **error)
{
  GPtrArray *results;

  g_return_val_if_fail (GASYNC_IS_GROUP_RUNNER (self), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!group_begin (self, cancellable, NULL, error))
    return NULL;

  gasync_run_once_wait (&self->run);
  results = g_ptr_array_copy (self->reported, result_copy, NULL);
  g_ptr_array_set_free_func (results, (GDestroyNotify) gasync_runner_result_unref);
  return results;
}

/**
 * gasync_group_runner_run_async:
 * @self: a #GasyncGroupRunner
 * @cancellable: (nullable): interrupts the group when cancelled
 * @callback: (scope async): called when every runner reported
 * @user_data: data for @callback
 *
 * Runs the group without blocking; see gasync_group_runner_run().
 * @callback runs on the thread-default main context of the caller; call
 * gasync_group_runner_run_finish() there.
 *
 * Threading: may be called from any thread.
 *
 * Blocking: no; no main loop is iterated in the meantime.
 *
 * Since: 0.1
 */
void
gasync_group_runner_run_async (GasyncGroupRunner   *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;

  g_return_if_fail (GASYNC_IS_GROUP_RUNNER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  /* Cancelling interrupts the run, it does not abort it: the task reports
   * the run's result. */
  task = gasync_gtask_new (self, gasync_group_runner_run_async,
                           "[gasync] gasync_group_runner_run_async", FALSE,
                           cancellable, callback, user_data);

  if (!group_begin (self, cancellable, task, &error))
    g_task_return_error (task, error);
}

/**
 * gasync_group_runner_run_finish:
 * @self: a #GasyncGroupRunner
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes gasync_group_runner_run_async().
 *
 * Returns: (transfer container) (element-type GasyncRunnerResult): one result
 *   per runner, in the order they finished, or %NULL with @error set. The
 *   array owns its results: g_ptr_array_unref() frees them too.
 *
 * Since: 0.1
 */
GPtrArray *
gasync_group_runner_run_finish (GasyncGroupRunner  *self,
                                GAsyncResult       *result,
                                GError            **error)
{
  g_return_val_if_fail (GASYNC_IS_GROUP_RUNNER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == gasync_group_runner_run_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * gasync_group_runner_interrupt:
 * @self: a #GasyncGroupRunner
 *
 * Interrupts every runner of the group that has not finished (see
 * gasync_runner_interrupt()), one after the other, then starts the
 * #GasyncGroupRunner:interrupt-timeout. Interrupting a group that has not
 * started, or that stops already, does nothing.
 *
 * Threading: may be called from any thread; the stop functions run on
 * the owner context.
 *
 * Since: 0.1
 */
void
gasync_group_runner_interrupt (GasyncGroupRunner *self)
{
  g_return_if_fail (GASYNC_IS_GROUP_RUNNER (self));

  gasync_owner_invoke (self->run.context, GASYNC_OWNER_NOW_IF_OWNER,
                       group_do_interrupt, g_object_ref (self), g_object_unref);
}

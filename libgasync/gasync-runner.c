/* gasync-runner.c: a long-running service function with a stop function
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

/**
 * SECTION:gasync-runner
 * @title: GasyncRunner
 * @short_description: a long-running service with a stop function
 *
 * A #GasyncRunner runs one long-running function, such as a server's
 * accept loop, on a dedicated thread, and knows how to ask it to stop:
 * gasync_runner_interrupt() (or cancelling the #GCancellable given to
 * gasync_runner_run()) calls the runner's stop function once and cancels
 * the cancellable that the run function received. The runner then waits
 * up to #GasyncRunner:interrupt-timeout for the function to return; if it
 * does not, the runner finishes with %GASYNC_ERROR_TIMEOUT, naming the
 * runner and the timeout, and the function is left to return later.
 *
 * A runner runs once: a second gasync_runner_run() fails with
 * %GASYNC_ERROR_ALREADY_STARTED. With a #GasyncRunner:restart-policy it
 * supervises its function: it runs it again after it returned by itself,
 * with exponential backoff and jitter, until it gives up after
 * #GasyncRunner:restart-limit restarts within
 * #GasyncRunner:restart-interval.
 *
 * |[<!-- language="C" -->
 * static gboolean
 * serve (GCancellable *cancellable, gpointer user_data, GError **error)
 * {
 *   return my_server_serve (user_data, cancellable, error);
 * }
 *
 * runner = gasync_runner_new ("http", serve,
 *                             (GasyncRunnerStopFunc) my_server_shutdown,
 *                             g_object_ref (server), g_object_unref);
 * if (!gasync_runner_run (runner, cancellable, &error))
 *   g_printerr ("http: %s\n", error->message);
 * ]|
 *
 * In Python:
 * |[<!-- language="Python" -->
 * import threading
 *
 * import gi
 * gi.require_version('Gasync', '1')
 * from gi.repository import GLib, Gasync
 *
 * stopped = threading.Event()
 *
 *
 * def serve(cancellable):
 *     # A dedicated thread: serve until asked to stop.
 *     stopped.wait(10)
 *     return True
 *
 *
 * runner = Gasync.Runner.new('http', serve, lambda runner: stopped.set())
 * GLib.timeout_add(10, runner.interrupt)  # here: stop it after 10 ms
 * assert runner.run(None)  # blocks, iterating the main context
 * ]|
 *
 * In JavaScript, with the main-loop form:
 * |[<!-- language="JavaScript" -->
 * import GLib from 'gi://GLib';
 * import Gio from 'gi://Gio';
 * import Gasync from 'gi://Gasync?version=1';
 *
 * Gio._promisify(Gasync.Runner.prototype, 'run_async', 'run_finish');
 *
 * // The main-loop form: start() runs on the main context and the service
 * // runs until it calls complete() (or complete_ok()).
 * const runner = Gasync.Runner.new_for_main_loop('http',
 *     () => print('serving'),
 *     self => GLib.idle_add(GLib.PRIORITY_DEFAULT, () => {
 *         self.complete_ok();
 *         return GLib.SOURCE_REMOVE;
 *     }));
 * GLib.timeout_add(GLib.PRIORITY_DEFAULT, 10, () => {
 *     runner.interrupt(); // here: stop it after 10 ms
 *     return GLib.SOURCE_REMOVE;
 * });
 * await runner.run_async(null);
 * ]|
 *
 * Bindings that cannot run code on other threads (GJS) use
 * gasync_runner_new_for_main_loop(): its start function runs on the owner
 * context and the runner counts as running until gasync_runner_complete()
 * is called, with the same interrupt and timeout rules.
 *
 * Lifetime: a run keeps its runner alive until the runner finished, as a
 * GIO asynchronous call keeps its source object: a runner dropped while it
 * runs (or restarts) is finalized once it finished, after the callback of
 * gasync_runner_run_async(), and each destroy notify is called once. To
 * end a run whose runner you no longer hold, cancel the #GCancellable
 * given to the run.
 *
 * Threading: a runner belongs to its owner context, the thread-default
 * #GMainContext when it was made. The stop function, the start function
 * of the main-loop form, every signal, property notification,
 * `_async` callback and destroy notify run there. gasync_runner_run(),
 * gasync_runner_run_async(), gasync_runner_interrupt(),
 * gasync_runner_notify_ready() and gasync_runner_complete() may be called
 * from any thread; property setters belong on the owner context's thread.
 * While gasync_runner_run() waits it iterates the owner context, as
 * g_main_loop_run() would, if it can acquire it; otherwise another thread
 * must be iterating the owner context.
 */

/**
 * GasyncRunner:
 *
 * Runs one long-running function until it returns or is interrupted,
 * bounded by an interrupt timeout.
 *
 * Since: 0.1
 */

#include "config.h"

#include "gasync-runner-private.h"
#include "gasync-gtask-private.h"
#include "gasync-private.h"
#include "gasync-run-once-private.h"
#include "gasync-runner-result-private.h"
#include "gasync-source-private.h"

#define DEFAULT_RESTART_DELAY (100 * G_TIME_SPAN_MILLISECOND)
#define DEFAULT_RESTART_LIMIT 5
#define DEFAULT_RESTART_INTERVAL (60 * G_TIME_SPAN_SECOND)
/* The backoff doubles per recent restart, up to 2^MAX_BACKOFF_SHIFT. */
#define MAX_BACKOFF_SHIFT 6

struct _GasyncRunner
{
  GObject parent_instance;

  GasyncRunOnce run;
  GasyncRunnerResult *result;   /* set once done */
  gboolean awaiting_complete;   /* run.lock: the main-loop form is running */

  char *id;
  GasyncTaskFunc run_func;
  GasyncRunnerStartFunc start_func;
  GasyncRunnerStopFunc stop_func;
  GClosure *stop_closure;       /* instead of stop_func, for bindings */
  gpointer user_data;           /* of all the functions */
  GDestroyNotify destroy;

  /* Properties, on the owner context. */
  GTimeSpan interrupt_timeout;
  gboolean reports_ready;
  gboolean ready;
  GasyncRunnerRestartPolicy restart_policy;
  GTimeSpan restart_delay;
  guint restart_limit;
  GTimeSpan restart_interval;

  /* The run, on the owner context. */
  GCancellable *cancellable;    /* given to the function */
  gboolean launched;
  gboolean interrupted;
  gboolean finished;
  gboolean function_running;    /* the threaded function has not returned */
  gboolean released;            /* the functions and their data are gone */
  GSource *timeout_source;
  GSource *backoff_source;
  GArray *restart_times;        /* gint64 monotonic times, recent first */
  GError *last_error;           /* of the run before a backoff */
};

enum {
  PROP_0,
  PROP_ID,
  PROP_INTERRUPT_TIMEOUT,
  PROP_REPORTS_READY,
  PROP_READY,
  PROP_RESTART_POLICY,
  PROP_RESTART_DELAY,
  PROP_RESTART_LIMIT,
  PROP_RESTART_INTERVAL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_FINISHED,
  SIGNAL_RESTARTING,
  SIGNAL_GAVE_UP,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gint64 default_interrupt_timeout = 10 * G_TIME_SPAN_SECOND; /* atomic */

G_DEFINE_FINAL_TYPE (GasyncRunner, gasync_runner, G_TYPE_OBJECT)

void
gasync_runner_set_timeout_error (GError     **error,
                                 const char  *id,
                                 GTimeSpan    timeout)
{
  g_set_error (error, GASYNC_ERROR, GASYNC_ERROR_TIMEOUT,
               /* Translators: %s is a runner's id, %g a number of seconds */
               _("Runner “%s” did not stop within %g s"),
               id, (double) timeout / G_TIME_SPAN_SECOND);
}

/* On the owner context, once nothing calls the functions any more (the
 * runner finished and its function returned, or it is finalized): frees
 * their data. A binding frees the functions themselves with it, so that
 * none of them is called afterwards. */
static void
runner_release_functions (GasyncRunner *self)
{
  GDestroyNotify destroy = g_steal_pointer (&self->destroy);
  gpointer data = g_steal_pointer (&self->user_data);

  if (self->released)
    return;
  self->released = TRUE;
  g_clear_pointer (&self->stop_closure, g_closure_unref);
  if (destroy != NULL)
    destroy (data);
}

static void
runner_call_stop (GasyncRunner *self)
{
  GValue param = G_VALUE_INIT;

  if (self->stop_closure == NULL)
    {
      self->stop_func (self->user_data);
      return;
    }

  g_value_init (&param, GASYNC_TYPE_RUNNER);
  g_value_set_object (&param, self);
  g_closure_invoke (self->stop_closure, NULL, 1, &param, NULL);
  g_value_unset (&param);
}

static void
runner_set_ready (GasyncRunner *self)
{
  if (self->ready)
    return;

  self->ready = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_READY]);
}

/* On the owner context: the runner is done, with @error (owned, nullable). */
static void
runner_finish (GasyncRunner *self,
               GError       *error)
{
  g_autoptr(GasyncRunnerResult) result = gasync_runner_result_new (self->id, error);
  g_autoptr(GTask) task = NULL;

  g_assert (!self->finished);
  self->finished = TRUE;
  gasync_clear_source (&self->timeout_source);
  gasync_clear_source (&self->backoff_source);
  g_clear_error (&self->last_error);
  if (!self->function_running)
    runner_release_functions (self);
  self->result = gasync_runner_result_ref (result);
  task = gasync_run_once_done (&self->run);

  g_debug ("Runner “%s” finished%s%s", self->id,
           error != NULL ? ": " : "", error != NULL ? error->message : "");
  g_signal_emit (self, signals[SIGNAL_FINISHED], 0, result);

  if (task != NULL)
    {
      if (error != NULL)
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_boolean (task, TRUE);
    }
  g_clear_error (&error);
}

static gboolean
runner_timeout_cb (gpointer data)
{
  GasyncRunner *self = data;
  GError *error = NULL;

  g_clear_pointer (&self->timeout_source, g_source_unref);
  gasync_runner_set_timeout_error (&error, self->id, self->interrupt_timeout);
  runner_finish (self, error);
  return G_SOURCE_REMOVE;
}

static void
runner_do_interrupt (gpointer data)
{
  GasyncRunner *self = data;

  if (!self->launched || self->finished || self->interrupted)
    return;

  g_debug ("Runner “%s” interrupted", self->id);
  self->interrupted = TRUE;

  /* Between two runs of a restarting function: nothing runs to stop. */
  if (self->backoff_source != NULL)
    {
      runner_finish (self, g_steal_pointer (&self->last_error));
      return;
    }

  self->timeout_source = gasync_timeout_source_add (self->run.context,
                                                    self->interrupt_timeout,
                                                    runner_timeout_cb, self);
  g_cancellable_cancel (self->cancellable);
  runner_call_stop (self);
}

/* Whether to run the function again after it returned by itself with
 * @error; emits the signals that say so. */
static gboolean
runner_should_restart (GasyncRunner *self,
                       const GError *error,
                       GTimeSpan    *delay)
{
  gint64 now = g_get_monotonic_time ();
  guint recent;

  if (self->restart_policy == GASYNC_RUNNER_RESTART_NEVER ||
      (self->restart_policy == GASYNC_RUNNER_RESTART_ON_FAILURE && error == NULL))
    return FALSE;

  /* Forget the restarts older than the interval. */
  for (recent = 0; recent < self->restart_times->len; recent++)
    if (g_array_index (self->restart_times, gint64, recent) < now - self->restart_interval)
      break;
  g_array_set_size (self->restart_times, recent);

  if (recent >= self->restart_limit)
    {
      g_debug ("Runner “%s” gave up after %u restarts", self->id, recent);
      g_signal_emit (self, signals[SIGNAL_GAVE_UP], 0);
      return FALSE;
    }

  g_array_prepend_val (self->restart_times, now);
  *delay = self->restart_delay << MIN (recent, MAX_BACKOFF_SHIFT);
  /* Jitter: up to half as long again, so that restarts do not align. */
  *delay += (GTimeSpan) (g_random_double () * (*delay / 2));
  g_signal_emit (self, signals[SIGNAL_RESTARTING], 0, recent + 1, *delay);
  return TRUE;
}

static void runner_launch_function (GasyncRunner *self);

static gboolean
runner_backoff_cb (gpointer data)
{
  GasyncRunner *self = data;

  g_clear_pointer (&self->backoff_source, g_source_unref);
  g_clear_error (&self->last_error);
  runner_launch_function (self);
  return G_SOURCE_REMOVE;
}

/* On the owner context: the function returned with @error (owned). */
static void
runner_function_returned (GasyncRunner *self,
                          GError       *error)
{
  GTimeSpan delay = 0;

  self->function_running = FALSE;
  if (self->finished)
    {
      g_debug ("Runner “%s” returned after its timeout", self->id);
      g_clear_error (&error);
      runner_release_functions (self);
      return;
    }

  if (!self->interrupted && runner_should_restart (self, error, &delay))
    {
      g_assert (self->last_error == NULL);
      self->last_error = error;
      self->backoff_source = gasync_timeout_source_add (self->run.context, delay,
                                                        runner_backoff_cb, self);
      return;
    }

  runner_finish (self, error);
}

typedef struct
{
  GasyncRunner *runner;
  GError *error;
} Returned;

static void
returned_cb (gpointer data)
{
  Returned *returned = data;

  runner_function_returned (returned->runner, g_steal_pointer (&returned->error));
}

static void
returned_free (gpointer data)
{
  Returned *returned = data;

  g_clear_error (&returned->error);
  g_object_unref (returned->runner);
  g_free (returned);
}

/* Takes @self (a reference) and @error to the owner context, so that the
 * last reference is not dropped on a worker thread. */
static void
runner_dispatch_returned (GasyncRunner *self,
                          GError       *error)
{
  Returned *returned = g_new (Returned, 1);

  returned->runner = self;
  returned->error = error;
  gasync_owner_invoke (self->run.context, GASYNC_OWNER_QUEUE, returned_cb,
                       returned, returned_free);
}

static gpointer
runner_thread (gpointer data)
{
  GasyncRunner *self = data;
  GError *error = NULL;

  gasync_task_func_call (self->run_func, self->id, self->cancellable,
                         self->user_data, &error);
  runner_dispatch_returned (self, error);
  return NULL;
}

/* On the owner context: runs the function (again). */
static void
runner_launch_function (GasyncRunner *self)
{
  g_debug ("Runner “%s” starts its function", self->id);

  if (self->run_func != NULL)
    {
      self->function_running = TRUE;
      g_thread_unref (g_thread_new ("gasync-runner", runner_thread,
                                    g_object_ref (self)));
    }
  else
    {
      gasync_lock (&self->run.lock);
      self->awaiting_complete = TRUE;
      gasync_unlock (&self->run.lock);
      self->start_func (self, self->cancellable, self->user_data);
    }

  if (!self->reports_ready)
    runner_set_ready (self);
}

static void
runner_launch (gpointer data)
{
  GasyncRunner *self = data;

  g_assert (!self->launched);
  self->launched = TRUE;
  self->cancellable = g_cancellable_new ();
  runner_launch_function (self);
  gasync_run_once_watch_cancellable (&self->run);
}

static gboolean
runner_begin (GasyncRunner  *self,
              GCancellable  *cancellable,
              GTask         *task,
              GError       **error)
{
  if (gasync_run_once_begin (&self->run, G_OBJECT (self), self->id, cancellable, task,
                             runner_launch))
    return TRUE;

  g_set_error (error, GASYNC_ERROR, GASYNC_ERROR_ALREADY_STARTED,
               /* Translators: %s is a runner's id */
               _("Runner “%s” was already started"), self->id);
  return FALSE;
}

gboolean
gasync_runner_start (GasyncRunner  *self,
                     GError       **error)
{
  return runner_begin (self, NULL, NULL, error);
}

static void
gasync_runner_dispose (GObject *object)
{
  GasyncRunner *self = GASYNC_RUNNER (object);

  gasync_run_once_disconnect (&self->run);
  gasync_clear_source (&self->timeout_source);
  gasync_clear_source (&self->backoff_source);
  g_clear_object (&self->run.task);

  G_OBJECT_CLASS (gasync_runner_parent_class)->dispose (object);
}

static void
gasync_runner_finalize (GObject *object)
{
  GasyncRunner *self = GASYNC_RUNNER (object);

  runner_release_functions (self);
  g_clear_pointer (&self->result, gasync_runner_result_unref);
  g_clear_error (&self->last_error);
  g_clear_pointer (&self->restart_times, g_array_unref);
  g_clear_object (&self->cancellable);
  g_free (self->id);
  gasync_run_once_clear (&self->run);

  G_OBJECT_CLASS (gasync_runner_parent_class)->finalize (object);
}

static void
gasync_runner_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  GasyncRunner *self = GASYNC_RUNNER (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_INTERRUPT_TIMEOUT:
      g_value_set_int64 (value, self->interrupt_timeout);
      break;
    case PROP_REPORTS_READY:
      g_value_set_boolean (value, self->reports_ready);
      break;
    case PROP_READY:
      g_value_set_boolean (value, self->ready);
      break;
    case PROP_RESTART_POLICY:
      g_value_set_enum (value, self->restart_policy);
      break;
    case PROP_RESTART_DELAY:
      g_value_set_int64 (value, self->restart_delay);
      break;
    case PROP_RESTART_LIMIT:
      g_value_set_uint (value, self->restart_limit);
      break;
    case PROP_RESTART_INTERVAL:
      g_value_set_int64 (value, self->restart_interval);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gasync_runner_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  GasyncRunner *self = GASYNC_RUNNER (object);

  switch (prop_id)
    {
    case PROP_INTERRUPT_TIMEOUT:
      gasync_runner_set_interrupt_timeout (self, g_value_get_int64 (value));
      break;
    case PROP_REPORTS_READY:
      gasync_runner_set_reports_ready (self, g_value_get_boolean (value));
      break;
    case PROP_RESTART_POLICY:
      gasync_runner_set_restart_policy (self, g_value_get_enum (value));
      break;
    case PROP_RESTART_DELAY:
      gasync_runner_set_restart_delay (self, g_value_get_int64 (value));
      break;
    case PROP_RESTART_LIMIT:
      gasync_runner_set_restart_limit (self, g_value_get_uint (value));
      break;
    case PROP_RESTART_INTERVAL:
      gasync_runner_set_restart_interval (self, g_value_get_int64 (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

#define RW_FLAGS (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY)

static void
gasync_runner_class_init (GasyncRunnerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  gasync_i18n_init ();

  object_class->dispose = gasync_runner_dispose;
  object_class->finalize = gasync_runner_finalize;
  object_class->get_property = gasync_runner_get_property;
  object_class->set_property = gasync_runner_set_property;

  /**
   * GasyncRunner:id:
   *
   * The id of the runner, as given to gasync_runner_new(); it names the
   * runner in its #GasyncRunnerResult and in errors.
   *
   * The id is also the runner's name: every line a runner logs names it
   * (`Runner “api” interrupted`), and so do the leak checks.
   * Runners have no separate `name` property, unlike #GasyncStopper,
   * #GasyncWorkQueue and #GasyncWorker: the id is required and unique in
   * a #GasyncGroupRunner, and a second name could only disagree with it.
   *
   * Since: 0.1
   */
  properties[PROP_ID] =
    g_param_spec_string ("id", "Id", "The id of the runner", NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * GasyncRunner:interrupt-timeout:
   *
   * How long, in microseconds, the runner waits for its function to
   * return once interrupted before it finishes with
   * %GASYNC_ERROR_TIMEOUT. The default is
   * gasync_runner_get_default_interrupt_timeout() at construction, 10 s
   * unless changed.
   *
   * Since: 0.1
   */
  properties[PROP_INTERRUPT_TIMEOUT] =
    g_param_spec_int64 ("interrupt-timeout", "Interrupt timeout",
                        "How long to wait for the function once interrupted, in µs",
                        0, G_MAXINT64, 10 * G_TIME_SPAN_SECOND, RW_FLAGS);

  /**
   * GasyncRunner:reports-ready:
   *
   * Whether the function reports readiness itself with
   * gasync_runner_notify_ready(). When %FALSE (the default) the runner
   * counts as ready as soon as its function started.
   *
   * Since: 0.1
   */
  properties[PROP_REPORTS_READY] =
    g_param_spec_boolean ("reports-ready", "Reports ready",
                          "Whether the function reports readiness itself",
                          FALSE, RW_FLAGS);

  /**
   * GasyncRunner:ready:
   *
   * Whether the runner's service is ready: see #GasyncRunner:reports-ready.
   * A #GasyncGroupRunner tells systemd `READY=1` once all its runners are.
   *
   * Since: 0.1
   */
  properties[PROP_READY] =
    g_param_spec_boolean ("ready", "Ready", "Whether the service is ready",
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * GasyncRunner:restart-policy:
   *
   * When the runner runs its function again after it returned by itself.
   *
   * Since: 0.1
   */
  properties[PROP_RESTART_POLICY] =
    g_param_spec_enum ("restart-policy", "Restart policy",
                       "When to run the function again",
                       GASYNC_TYPE_RUNNER_RESTART_POLICY,
                       GASYNC_RUNNER_RESTART_NEVER, RW_FLAGS);

  /**
   * GasyncRunner:restart-delay:
   *
   * The delay, in microseconds, before the first restart. It doubles for
   * every further restart within #GasyncRunner:restart-interval (up to 64
   * times), and up to half of it again is added at random.
   *
   * Since: 0.1
   */
  properties[PROP_RESTART_DELAY] =
    g_param_spec_int64 ("restart-delay", "Restart delay",
                        "The delay before the first restart, in µs",
                        0, G_MAXINT64 >> (MAX_BACKOFF_SHIFT + 1),
                        DEFAULT_RESTART_DELAY, RW_FLAGS);

  /**
   * GasyncRunner:restart-limit:
   *
   * How many restarts are allowed within #GasyncRunner:restart-interval.
   * When the function returns once more, the runner emits
   * #GasyncRunner::gave-up and finishes with the function's result.
   *
   * Since: 0.1
   */
  properties[PROP_RESTART_LIMIT] =
    g_param_spec_uint ("restart-limit", "Restart limit",
                       "How many restarts are allowed within the interval",
                       0, G_MAXUINT, DEFAULT_RESTART_LIMIT, RW_FLAGS);

  /**
   * GasyncRunner:restart-interval:
   *
   * The window, in microseconds, in which #GasyncRunner:restart-limit
   * restarts are counted.
   *
   * Since: 0.1
   */
  properties[PROP_RESTART_INTERVAL] =
    g_param_spec_int64 ("restart-interval", "Restart interval",
                        "The window in which restarts are counted, in µs",
                        0, G_MAXINT64, DEFAULT_RESTART_INTERVAL, RW_FLAGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * GasyncRunner::finished:
   * @self: the runner
   * @result: what the runner finished with
   *
   * Emitted on the owner context once the runner finished: its function
   * returned and is not restarted, or it did not return within the
   * interrupt timeout. Emitted before the gasync_runner_run_async()
   * callback runs.
   *
   * Since: 0.1
   */
  signals[SIGNAL_FINISHED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                  GASYNC_TYPE_RUNNER_RESULT | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * GasyncRunner::restarting:
   * @self: the runner
   * @attempt: the number of this restart within the restart interval,
   *   from 1
   * @delay: the delay before the function runs again, in microseconds
   *
   * Emitted on the owner context when the function returned by itself and
   * the #GasyncRunner:restart-policy runs it again after @delay.
   *
   * Since: 0.1
   */
  signals[SIGNAL_RESTARTING] =
    g_signal_new ("restarting", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_INT64);

  /**
   * GasyncRunner::gave-up:
   * @self: the runner
   *
   * Emitted on the owner context when the function returned once more
   * after #GasyncRunner:restart-limit restarts within
   * #GasyncRunner:restart-interval: the runner then finishes.
   *
   * Since: 0.1
   */
  signals[SIGNAL_GAVE_UP] =
    g_signal_new ("gave-up", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gasync_type_class_publish (klass);
}

static void
gasync_runner_init (GasyncRunner *self)
{
  gasync_type_class_acquire (self);

  gasync_run_once_init (&self->run, G_OBJECT (self), runner_do_interrupt);
  self->interrupt_timeout = gasync_runner_get_default_interrupt_timeout ();
  self->restart_delay = DEFAULT_RESTART_DELAY;
  self->restart_limit = DEFAULT_RESTART_LIMIT;
  self->restart_interval = DEFAULT_RESTART_INTERVAL;
  self->restart_times = g_array_new (FALSE, FALSE, sizeof (gint64));
}

static GasyncRunner *
runner_new (const char           *id,
            GasyncTaskFunc        run_func,
            GasyncRunnerStartFunc start_func,
            GasyncRunnerStopFunc  stop_func,
            GClosure             *stop_closure,
            gpointer              user_data,
            GDestroyNotify        destroy)
{
  GasyncRunner *self = g_object_new (GASYNC_TYPE_RUNNER, NULL);

  self->id = g_strdup (id);
  self->run_func = run_func;
  self->start_func = start_func;
  self->stop_func = stop_func;
  if (stop_closure != NULL)
    {
      self->stop_closure = g_closure_ref (stop_closure);
      g_closure_sink (stop_closure);
      if (G_CLOSURE_NEEDS_MARSHAL (stop_closure))
        g_closure_set_marshal (stop_closure, g_cclosure_marshal_VOID__VOID);
    }
  self->user_data = user_data;
  self->destroy = destroy;
  return self;
}

/**
 * gasync_runner_new:
 * @id: the runner's id, not empty
 * @run_func: (scope notified) (closure user_data) (destroy destroy):
 *   the long-running function, run on a dedicated thread
 * @stop_func: (scope notified) (closure user_data): asks @run_func to
 *   return, called on the owner context
 * @user_data: data for @run_func and @stop_func
 * @destroy: (nullable): frees @user_data once neither function can be
 *   called any more
 *
 * Makes a runner for @run_func. @run_func receives a #GCancellable that
 * is cancelled when the runner is interrupted, right before @stop_func is
 * called. Use gasync_runner_new_for_main_loop() for a service that lives
 * on the main loop, and from JavaScript.
 *
 * Both functions share @user_data and @destroy, as the callbacks of
 * g_bus_own_name() do. @destroy is called once, on
 * the owner context: when the runner finished and @run_func returned
 * (a function that outlived its interrupt timeout keeps its data until
 * it returns), or when a runner that never ran is finalized.
 *
 * The owner context of the runner is the thread-default #GMainContext of
 * the caller.
 *
 * Language bindings see gasync_runner_new_with_stop_closure() under this
 * name: the stop function is a #GClosure there, called with the runner.
 *
 * Returns: (transfer full): a new #GasyncRunner
 *
 * Since: 0.1
 */
GasyncRunner *
gasync_runner_new (const char           *id,
                   GasyncTaskFunc        run_func,
                   GasyncRunnerStopFunc  stop_func,
                   gpointer              user_data,
                   GDestroyNotify        destroy)
{
  g_return_val_if_fail (id != NULL && *id != '\0', NULL);
  g_return_val_if_fail (run_func != NULL, NULL);
  g_return_val_if_fail (stop_func != NULL, NULL);

  return runner_new (id, run_func, NULL, stop_func, NULL, user_data, destroy);
}

/**
 * gasync_runner_new_for_main_loop:
 * @id: the runner's id, not empty
 * @start_func: (scope notified) (closure user_data) (destroy destroy):
 *   starts the service on the owner context
 * @stop_func: (scope notified) (closure user_data): asks the service to
 *   complete, called on the owner context
 * @user_data: data for @start_func and @stop_func
 * @destroy: (nullable): frees @user_data once the runner finished, or
 *   when a runner that never ran is finalized
 *
 * Makes a runner for a service that lives on the main loop (GIO calls, a
 * JavaScript promise). @start_func is called on the owner context when
 * the runner runs and returns at once; the runner counts as running until
 * gasync_runner_complete() is called, with the same interrupt, timeout
 * and restart rules as the threaded form. Both functions share
 * @user_data and @destroy, as in gasync_runner_new().
 *
 * |[<!-- language="JavaScript" -->
 * const runner = Gasync.Runner.new_for_main_loop('server',
 *     (self, cancellable) => {
 *         serve(cancellable).then(() => self.complete(null),
 *             e => self.complete(e));
 *     },
 *     self => server.shutdown());
 * ]|
 *
 * Language bindings see
 * gasync_runner_new_for_main_loop_with_stop_closure() under this name:
 * the stop function is a #GClosure there, called with the runner, as in
 * the example.
 *
 * Returns: (transfer full): a new #GasyncRunner
 *
 * Since: 0.1
 */
GasyncRunner *
gasync_runner_new_for_main_loop (const char            *id,
                                 GasyncRunnerStartFunc  start_func,
                                 GasyncRunnerStopFunc   stop_func,
                                 gpointer               user_data,
                                 GDestroyNotify         destroy)
{
  g_return_val_if_fail (id != NULL && *id != '\0', NULL);
  g_return_val_if_fail (start_func != NULL, NULL);
  g_return_val_if_fail (stop_func != NULL, NULL);

  return runner_new (id, NULL, start_func, stop_func, NULL, user_data,
                     destroy);
}

/**
 * gasync_runner_new_with_stop_closure: (rename-to gasync_runner_new)
 * @id: the runner's id, not empty
 * @run_func: (scope notified) (closure user_data) (destroy destroy):
 *   the long-running function, run on a dedicated thread
 * @stop_closure: asks @run_func to return: called with the runner, on the
 *   owner context
 * @user_data: data for @run_func
 * @destroy: (nullable): frees @user_data once @run_func cannot be called
 *   any more
 *
 * The same as gasync_runner_new() with the stop function as a #GClosure,
 * for language bindings: they pass one function with its user data (or
 * none) and one closure, which they handle without leaks, rather than two
 * functions sharing one user data. @stop_closure receives the runner
 * (`GasyncRunner *runner, gpointer data` for a #GCClosure); it is
 * released when @destroy is called.
 *
 * |[<!-- language="Python" -->
 * def serve(cancellable):
 *     server.serve_until_cancelled(cancellable)
 *     return True
 *
 * runner = Gasync.Runner.new('http', serve, lambda runner: server.shutdown())
 * ]|
 *
 * Returns: (transfer full): a new #GasyncRunner
 *
 * Since: 0.1
 */
GasyncRunner *
gasync_runner_new_with_stop_closure (const char     *id,
                                     GasyncTaskFunc  run_func,
                                     GClosure       *stop_closure,
                                     gpointer        user_data,
                                     GDestroyNotify  destroy)
{
  g_return_val_if_fail (id != NULL && *id != '\0', NULL);
  g_return_val_if_fail (run_func != NULL, NULL);
  g_return_val_if_fail (stop_closure != NULL, NULL);

  return runner_new (id, run_func, NULL, NULL, stop_closure, user_data,
                     destroy);
}

/**
 * gasync_runner_new_for_main_loop_with_stop_closure: (rename-to gasync_runner_new_for_main_loop)
 * @id: the runner's id, not empty
 * @start_func: (scope notified) (closure user_data) (destroy destroy):
 *   starts the service on the owner context
 * @stop_closure: asks the service to complete: called with the runner, on
 *   the owner context
 * @user_data: data for @start_func
 * @destroy: (nullable): frees @user_data once the runner finished, or
 *   when a runner that never ran is finalized
 *
 * The same as gasync_runner_new_for_main_loop() with the stop function as
 * a #GClosure, for language bindings: see
 * gasync_runner_new_with_stop_closure().
 *
 * |[<!-- language="JavaScript" -->
 * const runner = Gasync.Runner.new_for_main_loop('server',
 *     (self, cancellable) => {
 *         serve(cancellable).then(() => self.complete(null),
 *             e => self.complete(e));
 *     },
 *     () => server.shutdown());
 * ]|
 *
 * |[<!-- language="Python" -->
 * runner = Gasync.Runner.new_for_main_loop('server', start, stop)
 * ]|
 *
 * Returns: (transfer full): a new #GasyncRunner
 *
 * Since: 0.1
 */
GasyncRunner *
gasync_runner_new_for_main_loop_with_stop_closure (const char            *id,
                                                   GasyncRunnerStartFunc  start_func,
                                                   GClosure              *stop_closure,
                                                   gpointer               user_data,
                                                   GDestroyNotify         destroy)
{
  g_return_val_if_fail (id != NULL && *id != '\0', NULL);
  g_return_val_if_fail (start_func != NULL, NULL);
  g_return_val_if_fail (stop_closure != NULL, NULL);

  return runner_new (id, NULL, start_func, NULL, stop_closure, user_data,
                     destroy);
}

/**
 * gasync_runner_set_default_interrupt_timeout:
 * @timeout: a duration in microseconds, not negative
 *
 * Sets the #GasyncRunner:interrupt-timeout that runners made from now on
 * start with. It is 10 seconds unless changed.
 *
 * Threading: may be called from any thread.
 *
 * Since: 0.1
 */
void
gasync_runner_set_default_interrupt_timeout (GTimeSpan timeout)
{
  g_return_if_fail (timeout >= 0);

  __atomic_store_n (&default_interrupt_timeout, timeout, __ATOMIC_RELAXED);
}

/**
 * gasync_runner_get_default_interrupt_timeout:
 *
 * Gets the #GasyncRunner:interrupt-timeout that new runners start with.
 *
 * Threading: may be called from any thread.
 *
 * Returns: a duration in microseconds
 *
 * Since: 0.1
 */
GTimeSpan
gasync_runner_get_default_interrupt_timeout (void)
{
  return __atomic_load_n (&default_interrupt_timeout, __ATOMIC_RELAXED);
}

/**
 * gasync_runner_get_id:
 * @self: a #GasyncRunner
 *
 * Gets the id of @self.
 *
 * Returns: (transfer none): the id
 *
 * Since: 0.1
 */
const char *
gasync_runner_get_id (GasyncRunner *self)
{
  g_return_val_if_fail (GASYNC_IS_RUNNER (self), NULL);

  return self->id;
}

/**
 * gasync_runner_get_interrupt_timeout:
 * @self: a #GasyncRunner
 *
 * Gets #GasyncRunner:interrupt-timeout.
 *
 * Returns: a duration in microseconds
 *
 * Since: 0.1
 */
GTimeSpan
gasync_runner_get_interrupt_timeout (GasyncRunner *self)
{
  g_return_val_if_fail (GASYNC_IS_RUNNER (self), 0);

  return self->interrupt_timeout;
}

/**
 * gasync_runner_set_interrupt_timeout:
 * @self: a #GasyncRunner
 * @timeout: a duration in microseconds, not negative
 *
 * Sets #GasyncRunner:interrupt-timeout. It applies to interrupts that
 * happen afterwards.
 *
 * Threading: call it on the owner context's thread.
 *
 * Since: 0.1
 */
void
gasync_runner_set_interrupt_timeout (GasyncRunner *self,
                                     GTimeSpan     timeout)
{
  g_return_if_fail (GASYNC_IS_RUNNER (self));
  g_return_if_fail (timeout >= 0);

  if (self->interrupt_timeout == timeout)
    return;

  self->interrupt_timeout = timeout;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INTERRUPT_TIMEOUT]);
}

/**
 * gasync_runner_get_reports_ready:
 * @self: a #GasyncRunner
 *
 * Gets #GasyncRunner:reports-ready.
 *
 * Returns: whether the function reports readiness itself
 *
 * Since: 0.1
 */
gboolean
gasync_runner_get_reports_ready (GasyncRunner *self)
{
  g_return_val_if_fail (GASYNC_IS_RUNNER (self), FALSE);

  return self->reports_ready;
}

/**
 * gasync_runner_set_reports_ready:
 * @self: a #GasyncRunner
 * @reports_ready: whether the function calls gasync_runner_notify_ready()
 *
 * Sets #GasyncRunner:reports-ready, before the runner runs.
 *
 * Threading: call it on the owner context's thread.
 *
 * Since: 0.1
 */
void
gasync_runner_set_reports_ready (GasyncRunner *self,
                                 gboolean      reports_ready)
{
  g_return_if_fail (GASYNC_IS_RUNNER (self));

  reports_ready = !!reports_ready;
  if (self->reports_ready == reports_ready)
    return;

  self->reports_ready = reports_ready;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REPORTS_READY]);
}

/**
 * gasync_runner_get_ready:
 * @self: a #GasyncRunner
 *
 * Gets #GasyncRunner:ready.
 *
 * Returns: whether the service is ready
 *
 * Since: 0.1
 */
gboolean
gasync_runner_get_ready (GasyncRunner *self)
{
  g_return_val_if_fail (GASYNC_IS_RUNNER (self), FALSE);

  return self->ready;
}

/**
 * gasync_runner_get_restart_policy:
 * @self: a #GasyncRunner
 *
 * Gets #GasyncRunner:restart-policy.
 *
 * Returns: the restart policy
 *
 * Since: 0.1
 */
GasyncRunnerRestartPolicy
gasync_runner_get_restart_policy (GasyncRunner *self)
{
  g_return_val_if_fail (GASYNC_IS_RUNNER (self), GASYNC_RUNNER_RESTART_NEVER);

  return self->restart_policy;
}

/**
 * gasync_runner_set_restart_policy:
 * @self: a #GasyncRunner
 * @policy: the restart policy
 *
 * Sets #GasyncRunner:restart-policy.
 *
 * Threading: call it on the owner context's thread.
 *
 * Since: 0.1
 */
void
gasync_runner_set_restart_policy (GasyncRunner              *self,
                                  GasyncRunnerRestartPolicy  policy)
{
  g_return_if_fail (GASYNC_IS_RUNNER (self));
  g_return_if_fail (policy <= GASYNC_RUNNER_RESTART_ALWAYS);

  if (self->restart_policy == policy)
    return;

  self->restart_policy = policy;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RESTART_POLICY]);
}

/**
 * gasync_runner_get_restart_delay:
 * @self: a #GasyncRunner
 *
 * Gets #GasyncRunner:restart-delay.
 *
 * Returns: a duration in microseconds
 *
 * Since: 0.1
 */
GTimeSpan
gasync_runner_get_restart_delay (GasyncRunner *self)
{
  g_return_val_if_fail (GASYNC_IS_RUNNER (self), 0);

  return self->restart_delay;
}

/**
 * gasync_runner_set_restart_delay:
 * @self: a #GasyncRunner
 * @delay: a duration in microseconds, not negative and at most
 *   %G_MAXINT64 / 128, since the backoff multiplies it by up to 64
 *
 * Sets #GasyncRunner:restart-delay.
 *
 * Threading: call it on the owner context's thread.
 *
 * Since: 0.1
 */
void
gasync_runner_set_restart_delay (GasyncRunner *self,
                                 GTimeSpan     delay)
{
  g_return_if_fail (GASYNC_IS_RUNNER (self));
  g_return_if_fail (delay >= 0 && delay <= G_MAXINT64 >> (MAX_BACKOFF_SHIFT + 1));

  if (self->restart_delay == delay)
    return;

  self->restart_delay = delay;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RESTART_DELAY]);
}

/**
 * gasync_runner_get_restart_limit:
 * @self: a #GasyncRunner
 *
 * Gets #GasyncRunner:restart-limit.
 *
 * Returns: how many restarts are allowed within the restart interval
 *
 * Since: 0.1
 */
guint
gasync_runner_get_restart_limit (GasyncRunner *self)
{
  g_return_val_if_fail (GASYNC_IS_RUNNER (self), 0);

  return self->restart_limit;
}

/**
 * gasync_runner_set_restart_limit:
 * @self: a #GasyncRunner
 * @limit: how many restarts are allowed within the restart interval
 *
 * Sets #GasyncRunner:restart-limit.
 *
 * Threading: call it on the owner context's thread.
 *
 * Since: 0.1
 */
void
gasync_runner_set_restart_limit (GasyncRunner *self,
                                 guint         limit)
{
  g_return_if_fail (GASYNC_IS_RUNNER (self));

  if (self->restart_limit == limit)
    return;

  self->restart_limit = limit;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RESTART_LIMIT]);
}

/**
 * gasync_runner_get_restart_interval:
 * @self: a #GasyncRunner
 *
 * Gets #GasyncRunner:restart-interval.
 *
 * Returns: a duration in microseconds
 *
 * Since: 0.1
 */
GTimeSpan
gasync_runner_get_restart_interval (GasyncRunner *self)
{
  g_return_val_if_fail (GASYNC_IS_RUNNER (self), 0);

  return self->restart_interval;
}

/**
 * gasync_runner_set_restart_interval:
 * @self: a #GasyncRunner
 * @interval: a duration in microseconds, not negative
 *
 * Sets #GasyncRunner:restart-interval.
 *
 * Threading: call it on the owner context's thread.
 *
 * Since: 0.1
 */
void
gasync_runner_set_restart_interval (GasyncRunner *self,
                                    GTimeSpan     interval)
{
  g_return_if_fail (GASYNC_IS_RUNNER (self));
  g_return_if_fail (interval >= 0);

  if (self->restart_interval == interval)
    return;

  self->restart_interval = interval;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RESTART_INTERVAL]);
}

static gboolean
result_to_error (GasyncRunnerResult  *result,
                 GError             **error)
{
  const GError *result_error = gasync_runner_result_get_error (result);

  if (result_error == NULL)
    return TRUE;

  g_propagate_error (error, g_error_copy (result_error));
  return FALSE;
}

/**
 * gasync_runner_run:
 * @self: a #GasyncRunner
 * @cancellable: (nullable): interrupts the runner when cancelled
 * @error: return location for the runner's error
 *
 * Runs the runner and blocks until it finished: until its function
 * returned by itself (and is not restarted), or until it was interrupted
 * (by gasync_runner_interrupt() or @cancellable) and then the function
 * returned or the #GasyncRunner:interrupt-timeout elapsed. In that last
 * case the error is %GASYNC_ERROR_TIMEOUT, naming the runner and the
 * timeout, and the function is left to return later.
 *
 * Cancelling @cancellable does not turn the result into
 * %G_IO_ERROR_CANCELLED: the result is what the function returned.
 *
 * A runner runs once: a second run fails with
 * %GASYNC_ERROR_ALREADY_STARTED.
 *
 * Threading: may be called from any thread. When the caller can acquire
 * the owner context (it is the owner's thread, or nobody iterates it), it
 * is iterated while waiting; otherwise another thread must iterate it.
 *
 * Blocking: yes, until the service has finished; it iterates the owner
 * context meanwhile when it can acquire it. gasync_runner_run_async() is
 * its twin that does not block.
 *
 * Returns: %TRUE when the function succeeded, %FALSE with @error set
 *
 * Since: 0.1
 */
gboolean
gasync_runner_run (GasyncRunner  *self,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_return_val_if_fail (GASYNC_IS_RUNNER (self), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!runner_begin (self, cancellable, NULL, error))
    return FALSE;

  gasync_run_once_wait (&self->run);
  return result_to_error (self->result, error);
}

/**
 * gasync_runner_run_async:
 * @self: a #GasyncRunner
 * @cancellable: (nullable): interrupts the runner when cancelled
 * @callback: (scope async): called when the runner finished
 * @user_data: data for @callback
 *
 * Runs the runner without blocking; see gasync_runner_run(). @callback
 * runs on the thread-default main context of the caller once the runner
 * finished; call gasync_runner_run_finish() there.
 *
 * Threading: may be called from any thread.
 *
 * Blocking: no; no main loop is iterated in the meantime.
 *
 * Since: 0.1
 */
void
gasync_runner_run_async (GasyncRunner        *self,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;

  g_return_if_fail (GASYNC_IS_RUNNER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  /* Cancelling interrupts the run, it does not abort it: the task reports
   * the run's result. */
  task = gasync_gtask_new (self, gasync_runner_run_async,
                           "[gasync] gasync_runner_run_async", FALSE,
                           cancellable, callback, user_data);

  if (!runner_begin (self, cancellable, task, &error))
    g_task_return_error (task, error);
}

/**
 * gasync_runner_run_finish:
 * @self: a #GasyncRunner
 * @result: the #GAsyncResult given to the callback
 * @error: return location for the runner's error
 *
 * Finishes gasync_runner_run_async().
 *
 * Returns: %TRUE when the function succeeded, %FALSE with @error set
 *
 * Since: 0.1
 */
gboolean
gasync_runner_run_finish (GasyncRunner  *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (GASYNC_IS_RUNNER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == gasync_runner_run_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * gasync_runner_interrupt:
 * @self: a #GasyncRunner
 *
 * Asks the running function to return: cancels the #GCancellable it
 * received and calls the stop function, then starts the
 * #GasyncRunner:interrupt-timeout. The stop function is called at most
 * once, and never once the runner finished by itself. Interrupting a
 * runner that has not started yet does nothing.
 *
 * Threading: may be called from any thread; the stop function runs on the
 * owner context, at once if this thread owns it.
 *
 * Since: 0.1
 */
void
gasync_runner_interrupt (GasyncRunner *self)
{
  g_return_if_fail (GASYNC_IS_RUNNER (self));

  gasync_owner_invoke (self->run.context, GASYNC_OWNER_NOW_IF_OWNER,
                       runner_do_interrupt, g_object_ref (self), g_object_unref);
}

static void
runner_do_notify_ready (gpointer data)
{
  GasyncRunner *self = data;

  if (self->launched && !self->finished)
    runner_set_ready (self);
}

/**
 * gasync_runner_notify_ready:
 * @self: a #GasyncRunner
 *
 * Tells that the service is ready, for a runner whose
 * #GasyncRunner:reports-ready is %TRUE: for example once a server
 * listens. #GasyncRunner:ready is notified on the owner context.
 *
 * Threading: may be called from any thread, typically the run function's.
 *
 * Since: 0.1
 */
void
gasync_runner_notify_ready (GasyncRunner *self)
{
  g_return_if_fail (GASYNC_IS_RUNNER (self));

  gasync_owner_invoke (self->run.context, GASYNC_OWNER_NOW_IF_OWNER,
                       runner_do_notify_ready, g_object_ref (self),
                       g_object_unref);
}

/**
 * gasync_runner_complete:
 * @self: a #GasyncRunner made with gasync_runner_new_for_main_loop()
 * @error: (nullable): the service's error, %NULL on success
 *
 * Tells that the service started by the runner's start function
 * completed, as the run function returning would. Call it once per call
 * of the start function.
 *
 * Threading: may be called from any thread.
 *
 * Since: 0.1
 */
void
gasync_runner_complete (GasyncRunner *self,
                        const GError *error)
{
  gboolean awaiting;

  g_return_if_fail (GASYNC_IS_RUNNER (self));
  g_return_if_fail (self->start_func != NULL);

  gasync_lock (&self->run.lock);
  awaiting = self->awaiting_complete;
  self->awaiting_complete = FALSE;
  gasync_unlock (&self->run.lock);

  if (!awaiting)
    {
      g_critical ("Runner “%s” completed while its service was not running",
                  self->id);
      return;
    }

  runner_dispatch_returned (g_object_ref (self),
                            error != NULL ? g_error_copy (error) : NULL);
}

/**
 * gasync_runner_complete_ok:
 * @self: a #GasyncRunner made with gasync_runner_new_for_main_loop()
 *
 * Tells that the service completed successfully: the same as
 * gasync_runner_complete() with a %NULL error, for bindings that cannot
 * pass %NULL for a #GError (PyGObject 3.42 cannot).
 *
 * Threading: may be called from any thread.
 *
 * Since: 0.1
 */
void
gasync_runner_complete_ok (GasyncRunner *self)
{
  gasync_runner_complete (self, NULL);
}

/* gasync-tasks.c: named, traced groups of tasks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

/**
 * SECTION:gasync-tasks
 * @title: GasyncTasks
 * @short_description: named groups of traced background tasks
 *
 * #GasyncTasks is Go's `async.Tasks`: a named group of background tasks
 * that can be waited for. gasync_tasks_run() starts a task function on a
 * worker thread, gasync_tasks_loop() repeats one until it fails or its
 * cancellable fires, gasync_tasks_run_background() starts one that the
 * caller's cancellable does not reach, and gasync_tasks_run_with_close()
 * runs a close step after the task (the seed's `RunClose` and `Closer`).
 * gasync_tasks_wait() and gasync_tasks_wait_async() wait until no task of
 * the group runs any more, including tasks started during the wait.
 *
 * Main-loop code (a chain of GIO calls, a JavaScript promise) cannot run
 * as a task function; it takes a #GasyncTaskToken from
 * gasync_tasks_begin_task() instead and ends it when done. The group
 * counts the token as a running task until then, so waits cover it.
 *
 * |[<!-- language="C" -->
 * static gboolean
 * poll_once (GCancellable *cancellable, gpointer user_data, GError **error)
 * {
 *   if (!fetch_updates (cancellable, error))
 *     return FALSE;
 *   return gasync_sleep (G_USEC_PER_SEC, cancellable, error);
 * }
 *
 * tasks = gasync_tasks_new ("updates");
 * gasync_tasks_loop (tasks, "poll", cancellable, poll_once, NULL, NULL);
 * …
 * g_cancellable_cancel (cancellable);
 * gasync_tasks_wait (tasks, NULL, NULL);
 * ]|
 *
 * In Python:
 * |[<!-- language="Python" -->
 * import gi
 * gi.require_version('Gasync', '1')
 * from gi.repository import Gasync, Gio
 *
 * polls = []
 *
 *
 * def poll_once(cancellable):
 *     polls.append(len(polls))  # fetch updates here
 *     if len(polls) == 3:
 *         cancellable.cancel()
 *     # Once cancelled, the sleep raises CANCELLED: the group takes that
 *     # as told to stop, not as a failure.
 *     return Gasync.sleep(1000, cancellable)
 *
 *
 * tasks = Gasync.Tasks.new('updates')
 * cancellable = Gio.Cancellable()
 * tasks.loop('poll', cancellable, poll_once)
 * tasks.wait(None)
 * assert tasks.dup_errors() == [] and len(polls) == 3
 * ]|
 *
 * In JavaScript, where main-loop work holds tokens:
 * |[<!-- language="JavaScript" -->
 * import GLib from 'gi://GLib';
 * import Gio from 'gi://Gio';
 * import Gasync from 'gi://Gasync?version=1';
 *
 * Gio._promisify(Gasync.Tasks.prototype, 'wait_async', 'wait_finish');
 *
 * // Main-loop work holds a token: the group counts it until it ends.
 * const tasks = Gasync.Tasks.new('updates');
 * for (const name of ['fetch a', 'fetch b']) {
 *     const token = tasks.begin_task(name);
 *     GLib.timeout_add(GLib.PRIORITY_DEFAULT, 5, () => {
 *         token.end();
 *         return GLib.SOURCE_REMOVE;
 *     });
 * }
 * await tasks.wait_async(null); // until both tokens ended
 * if (tasks.get_n_running() !== 0)
 *     throw new Error('still running');
 * ]|
 *
 * Errors are never dropped: every error a task reports (other than
 * %G_IO_ERROR_CANCELLED, or %FALSE without an error after its cancellable
 * fired, which is how a task says it was told to stop) is kept, prefixed
 * with the task's name, and emitted with #GasyncTasks::task-failed on the
 * owner context; with no handler connected to that signal, it is logged
 * as a warning instead, as every class does with a failure that no caller
 * gets back. gasync_tasks_dup_errors() returns the kept errors and
 * gasync_tasks_clear_errors() forgets them.
 *
 * Tracing: every run of a task function, close step and token is logged
 * when it ends, as a structured log record at debug level in the
 * `Gasync` domain with the fields `GASYNC_TASKS_NAME`, `GASYNC_TASK_NAME`,
 * `GASYNC_DURATION_USEC` and, for a failed task, `GASYNC_ERROR`, when
 * debug output for that domain is on as GLib's default log writer sees it
 * (g_log_writer_default_would_drop()): `G_MESSAGES_DEBUG=Gasync` (or
 * `all`), or g_log_set_debug_enabled(). With debug output off, a task
 * formats and logs nothing, so that tracing costs a tiny task nothing; an
 * application with a log writer of its own that wants the records turns
 * debug output on. libgasync reads `G_MESSAGES_DEBUG` once, when the first
 * task ends (GLib reads it at every record, which costs more than a tiny
 * task); g_log_set_debug_enabled() takes effect for the tasks that begin
 * after it. When libgasync is built with the `sysprof` option, each run
 * is also a Sysprof mark named `<tasks name>/<task name>` with its
 * duration, while a Sysprof collector is active.
 *
 * Lifetime: every running task, and every token until it is ended, holds
 * a reference to its group: a group dropped while tasks run is finalized
 * after the last of them has ended (a loop runs until its cancellable
 * fires or it fails), and every destroy notify is called once.
 *
 * Threading: every function may be called from any thread. Task
 * functions run on worker threads (a dedicated thread for loops). The
 * destroy notifies of their data and #GasyncTasks::task-failed run on the
 * owner context: the thread-default main context of the creator of the
 * group (the global default context for gasync_tasks_get_default()). The
 * callback of gasync_tasks_wait_async() runs on the thread-default main
 * context of its caller.
 */

/**
 * GasyncTasks:
 *
 * A named group of background tasks that can be waited for, with every
 * task traced and every task error kept.
 *
 * Since: 0.1
 */

#include "config.h"

#include "gasync-tasks.h"
#include "gasync-future-private.h"
#include "gasync-gtask-private.h"
#include "gasync-owner-private.h"
#include "gasync-private.h"
#include "gasync-property-private.h"
#include "gasync-registry-private.h"
#include "gasync-task-run-private.h"
#include "gasync-task-token-private.h"
#include "gasync-waiter-private.h"

#if HAVE_SYSPROF
# include <sysprof-capture.h>
#endif

struct _GasyncTasks
{
  GObject parent_instance;

  GasyncLock lock;
  GasyncRegistry registry; /* the running tasks and tokens */
  GQueue waiters;
  GQueue tokens;    /* TokenData, running */
  GPtrArray *errors;

  char *name;
  GMainContext *context;
};

enum {
  PROP_0,
  PROP_NAME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  TASK_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (GasyncTasks, gasync_tasks, G_TYPE_OBJECT)

/* One started task function, with its optional close step: a record of
 * the registry. */
typedef struct
{
  GasyncRegistryTask task; /* its group is the owner of its registry */
  GCancellable *cancellable;
  GasyncTaskFunc close_func;
  gboolean loop;
} Task;

/* A begun GasyncTaskToken. */
typedef struct
{
  GasyncTasks *tasks;
  GasyncRegistryEntry entry;
  gint64 start;
  GList link;             /* in tasks->tokens while running */
  GMainContext *context;  /* thread-default when begun, where it runs */
} TokenData;

/* Called with the lock held: counts a task or token of @self as running.
 * The first one takes a reference to @self, which the last one to end
 * gives back on the owner context: running work keeps the group alive
 * (the contract's rule 6) for one reference per busy period, not one per
 * task. */
static void
tasks_begin_locked (GasyncTasks         *self,
                    GasyncRegistryEntry *entry,
                    const char          *name,
                    const char          *kind)
{
  if (gasync_registry_begin_locked (&self->registry, entry, name, kind) == 1)
    g_object_ref (self);
}

/* On the owner context, as a destroy notify: so it runs even if that
 * context is finalized without being iterated again. Takes the lock
 * first: the thread that ended the last task has let go of it by then
 * (see task_run()), so the reference may be the last one. */
static void
tasks_release (gpointer data)
{
  GasyncTasks *self = data;

  gasync_lock (&self->lock);
  gasync_unlock (&self->lock);
  g_object_unref (self);
}

/* Called with the lock held. The reference is dropped on the owner
 * context, after the destroy notifies queued there before (the queue runs
 * in order), so that the group is finalized there, in a dispatch. */
static void
tasks_end_locked (GasyncTasks         *self,
                  GasyncRegistryEntry *entry)
{
  if (gasync_registry_end_locked (&self->registry, entry) == 0)
    {
      gasync_waiter_wake_all (&self->waiters);
      gasync_owner_invoke (self->context, GASYNC_OWNER_QUEUE, NULL, self,
                           tasks_release);
    }
}

/* Whether the default log writer keeps debug records of the Gasync domain
 * by the environment: G_MESSAGES_DEBUG, read the first time a task ends
 * (0 unknown, 1 no, 2 yes). */
static gint trace_env_state;

/* Whether a trace record would be kept: tracing costs nothing more than
 * this check when debug output is off, as GLib recommends for expensive
 * debug records (see g_log_writer_default_would_drop()). GLib reads
 * G_MESSAGES_DEBUG on every record; a task reads it once, since it would
 * cost more than the task itself, and g_log_set_debug_enabled() is what
 * switches debug output at run time. */
static inline gboolean
tasks_trace_enabled (void)
{
  gint state = g_atomic_int_get (&trace_env_state);

  if (G_UNLIKELY (g_log_get_debug_enabled ()))
    return TRUE;
#if HAVE_SYSPROF
  if (sysprof_collector_is_active ())
    return TRUE;
#endif
  if (G_UNLIKELY (state == 0))
    {
      /* Debug output is off here, so that only the environment can keep
       * the record. A race reads the environment twice, to the same
       * answer. */
      state = g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG,
                                               G_LOG_DOMAIN) ? 1 : 2;
      g_atomic_int_set (&trace_env_state, state);
    }
  return state == 2;
}

/* Logs one run of a task; called when tasks_trace_enabled(). */
static void
tasks_trace (GasyncTasks  *self,
             const char   *task_name,
             gint64        start,
             const GError *error)
{
  gint64 duration = g_get_monotonic_time () - start;
  g_autofree char *duration_str = NULL;
  g_autofree char *message = NULL;
  GLogField fields[7] = {
    { "GLIB_DOMAIN", G_LOG_DOMAIN, -1 },
    { "PRIORITY", "7", -1 },
    { "GASYNC_TASKS_NAME", self->name, -1 },
    { "GASYNC_TASK_NAME", task_name, -1 },
  };
  gsize n_fields = 4;

  duration_str = g_strdup_printf ("%" G_GINT64_FORMAT, duration);
  fields[n_fields++] = (GLogField) { "GASYNC_DURATION_USEC", duration_str, -1 };
  if (error != NULL)
    {
      fields[n_fields++] = (GLogField) { "GASYNC_ERROR", error->message, -1 };
      message = g_strdup_printf ("Task %s/%s failed after %s µs: %s",
                                 self->name, task_name, duration_str,
                                 error->message);
    }
  else
    {
      message = g_strdup_printf ("Task %s/%s finished after %s µs",
                                 self->name, task_name, duration_str);
    }
  fields[n_fields++] = (GLogField) { "MESSAGE", message, -1 };
  /* Not for Sysprof alone. */
  if (g_log_get_debug_enabled () || g_atomic_int_get (&trace_env_state) == 2)
    g_log_structured_array (G_LOG_LEVEL_DEBUG, fields, n_fields);

#if HAVE_SYSPROF
  if (sysprof_collector_is_active ())
    {
      g_autofree char *mark = g_strdup_printf ("%s/%s", self->name, task_name);

      sysprof_collector_mark (start * 1000, duration * 1000, "Gasync", mark,
                              error != NULL ? error->message : NULL);
    }
#endif
}

/* Traces one run of a task, if tracing was enabled when it began (@start
 * is -1 otherwise), and keeps its error, unless it only says that the task
 * was cancelled. */
static void
tasks_record (GasyncTasks  *self,
              const char   *task_name,
              gint64        start,
              const GError *error)
{
  g_autofree char *what = NULL;
  GError *copy;

  if (start != -1 && tasks_trace_enabled ())
    tasks_trace (self, task_name, start, error);
  if (G_LIKELY (error == NULL) || gasync_error_is_cancelled (error))
    return;

  copy = g_error_copy (error);
  g_prefix_error (&copy, "%s: ", task_name);

  /* #GasyncTasks::task-failed, on the owner context. */
  what = g_strdup_printf ("task “%s”", task_name);
  gasync_owner_emit_error (self->context, GASYNC_OWNER_QUEUE, self,
                           signals[TASK_FAILED], GASYNC_OWNER_ARG_STRING,
                           task_name, g_error_copy (copy), what);

  gasync_lock (&self->lock);
  g_ptr_array_add (self->errors, copy);
  gasync_unlock (&self->lock);
}

/* The group of @task, which holds it through its busy reference. */
static inline GasyncTasks *
task_get_tasks (Task *task)
{
  GasyncRegistry *registry = gasync_registry_task_get_registry (task);

  return (GasyncTasks *) ((char *) registry -
                          G_STRUCT_OFFSET (GasyncTasks, registry));
}

/* Runs @func once, traced; a wait for the group from inside it is
 * refused. */
static gboolean
task_call (Task           *task,
           const char     *name,
           GasyncTaskFunc  func)
{
  GasyncTasks *self = task_get_tasks (task);
  GError *error = NULL;
  gint64 start = tasks_trace_enabled () ? g_get_monotonic_time () : -1;
  gboolean ok;

  ok = gasync_registry_call (&self->registry, func, name,
                             task->cancellable, task->task.user_data, &error);
  /* A tiny task that succeeds untraced costs nothing more. */
  if (G_UNLIKELY (start != -1 || error != NULL))
    {
      tasks_record (self, name, start, error);
      g_clear_error (&error);
    }
  return ok;
}

/* On a worker thread. */
static void
task_run (gpointer data)
{
  Task *task = data;
  GasyncTasks *self = task_get_tasks (task);
  const char *name = gasync_registry_entry_get_name (&task->task.entry);
  GCancellable *cancellable = task->cancellable;

  if (task->loop)
    {
      while (!g_cancellable_is_cancelled (task->cancellable) &&
             task_call (task, name, task->task.func))
        ;
    }
  else
    {
      task_call (task, name, task->task.func);
    }

  if (task->close_func != NULL)
    {
      g_autofree char *close_name = g_strconcat (name, ":close", NULL);

      task_call (task, close_name, task->close_func);
    }

  /* The destroy notify is queued on the owner context under the lock:
   * before the waits that this end completes, and before any wait that
   * begins later and finds the group idle, so that a wait_async()
   * callback there finds it run (the contract). With no destroy notify,
   * the task costs the owner context nothing. The record is reused at
   * once; the group's reference, if this was its last task, is given back
   * on the owner context (tasks_end_locked()). */
  gasync_lock (&self->lock);
  gasync_owner_destroy (self->context, GASYNC_OWNER_QUEUE, task->task.destroy,
                        task->task.user_data);
  tasks_end_locked (self, &task->task.entry);
  gasync_registry_task_free_locked (&self->registry, task);
  gasync_unlock (&self->lock);

  /* As GIO's threads do with the cancellables of their tasks. */
  if (cancellable != NULL)
    g_object_unref (cancellable);
}

/* The checks of every call that starts a task. */
static gboolean
tasks_start_args_valid (GasyncTasks    *self,
                        const char     *name,
                        GCancellable   *cancellable,
                        GasyncTaskFunc  func)
{
  g_return_val_if_fail (GASYNC_IS_TASKS (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);
  return TRUE;
}

static void
tasks_start (GasyncTasks    *self,
             GCancellable   *cancellable,
             const char     *name,
             gboolean        loop,
             GasyncTaskFunc  func,
             GasyncTaskFunc  close_func,
             gpointer        user_data,
             GDestroyNotify  destroy)
{
  Task *task;

  if (!tasks_start_args_valid (self, name, cancellable, func))
    return;

  gasync_lock (&self->lock);
  task = gasync_registry_task_new_locked (&self->registry);
  tasks_begin_locked (self, &task->task.entry, name, loop ? "loop" : "task");
  gasync_unlock (&self->lock);

  task->task.func = func;
  task->task.user_data = user_data;
  task->task.destroy = destroy;
  task->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  task->close_func = close_func;
  task->loop = loop;

  /* A loop runs for long: it gets a thread of its own. */
  if (loop)
    gasync_registry_task_spawn (&task->task, task_run, "gasync-loop");
  else
    gasync_registry_task_push (&task->task, task_run);
}

static void
gasync_tasks_finalize (GObject *object)
{
  GasyncTasks *self = GASYNC_TASKS (object);

  g_assert (g_queue_is_empty (&self->waiters));
  g_assert (g_queue_is_empty (&self->tokens));
  gasync_registry_clear (&self->registry);
  g_ptr_array_unref (self->errors);
  g_main_context_unref (self->context);
  g_free (self->name);
  gasync_lock_clear (&self->lock);

  G_OBJECT_CLASS (gasync_tasks_parent_class)->finalize (object);
}

/* Construct-only: a group has a name, "tasks" by default. */
static void
set_name (GasyncTasks *self,
          const char  *name)
{
  g_free (self->name);
  self->name = g_strdup (name != NULL ? name : "tasks");
}

static const GasyncPropertyAccess property_access[N_PROPS] = {
  [PROP_NAME] = { G_CALLBACK (gasync_tasks_get_name), G_CALLBACK (set_name) },
};

static void
gasync_tasks_class_init (GasyncTasksClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  gasync_i18n_init ();

  object_class->finalize = gasync_tasks_finalize;

  /**
   * GasyncTasks:name:
   *
   * The name of the group, used in traces and task errors. %NULL at
   * construction gives "tasks".
   *
   * Since: 0.1
   */
  properties[PROP_NAME] =
    g_param_spec_string ("name", "Name", "The name of the group of tasks",
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  gasync_property_install (object_class, property_access, properties,
                           N_PROPS);

  /**
   * GasyncTasks::task-failed:
   * @self: the #GasyncTasks
   * @task_name: the name of the task that failed (`<name>:close` for a
   *   close step)
   * @error: its error, prefixed with @task_name, as
   *   gasync_tasks_dup_errors() keeps it
   *
   * Emitted on the owner context of @self for every error a task
   * reports, other than a cancellation (%G_IO_ERROR_CANCELLED, or %FALSE
   * without an error after the task's cancellable fired), after the error
   * was kept. With no handler connected, the failure is logged as a
   * warning instead.
   *
   * Since: 0.1
   */
  signals[TASK_FAILED] =
    g_signal_new ("task-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_ERROR);

  gasync_type_class_publish (klass);
}

static void
gasync_tasks_init (GasyncTasks *self)
{
  gasync_type_class_acquire (self);

  gasync_lock_init (&self->lock);
  gasync_registry_init (&self->registry, &self->lock, sizeof (Task));
  g_queue_init (&self->waiters);
  g_queue_init (&self->tokens);
  self->errors = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  self->context = g_main_context_ref_thread_default ();
}

/**
 * gasync_tasks_new:
 * @name: (nullable): the name of the group, used in traces and errors
 *
 * Creates a new, empty group of tasks. Its owner context, where the
 * destroy notifies of task data and the callbacks of
 * gasync_tasks_wait_async() run, is the thread-default main context of
 * the caller.
 *
 * Returns: (transfer full): a new #GasyncTasks
 *
 * Since: 0.1
 */
GasyncTasks *
gasync_tasks_new (const char *name)
{
  return g_object_new (GASYNC_TYPE_TASKS, "name", name, NULL);
}

/**
 * gasync_tasks_get_default:
 *
 * Gets the process-wide group named "async.run", Go's `async.Default`.
 * Its owner context is the global default main context.
 *
 * Returns: (transfer none): the default #GasyncTasks
 *
 * Since: 0.1
 */
GasyncTasks *
gasync_tasks_get_default (void)
{
  static GasyncTasks *default_tasks;

  if (g_once_init_enter (&default_tasks))
    {
      GasyncTasks *tasks = gasync_tasks_new ("async.run");

      g_main_context_unref (tasks->context);
      tasks->context = g_main_context_ref (g_main_context_default ());
      g_once_init_leave (&default_tasks, tasks);
    }

  return default_tasks;
}

/**
 * gasync_tasks_get_name:
 * @self: a #GasyncTasks
 *
 * Gets the name of @self.
 *
 * Returns: (transfer none): the #GasyncTasks:name
 *
 * Since: 0.1
 */
const char *
gasync_tasks_get_name (GasyncTasks *self)
{
  g_return_val_if_fail (GASYNC_IS_TASKS (self), NULL);

  return self->name;
}

/**
 * gasync_tasks_get_n_running:
 * @self: a #GasyncTasks
 *
 * Gets how many tasks of @self run now: task functions (with their close
 * steps) and tokens that were not ended yet.
 *
 * Returns: the number of running tasks
 *
 * Since: 0.1
 */
guint
gasync_tasks_get_n_running (GasyncTasks *self)
{
  g_return_val_if_fail (GASYNC_IS_TASKS (self), 0);

  return gasync_registry_n_tasks (&self->registry);
}

/**
 * gasync_tasks_run:
 * @self: a #GasyncTasks
 * @name: the name of the task, used in traces and errors
 * @cancellable: (nullable): passed to @func, to tell it to stop
 * @func: (scope notified) (closure user_data) (destroy destroy): the task
 *   function
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data once the task ended
 *
 * Starts @func on a worker thread, counted as a running task of @self
 * until it returns. Its error, if any, is kept (see
 * gasync_tasks_dup_errors()). @func runs even when @cancellable is
 * cancelled already, as in Go: it is for @func to look at it.
 *
 * Threading: may be called from any thread. @destroy is called on the
 * owner context of @self.
 *
 * Since: 0.1
 */
void
gasync_tasks_run (GasyncTasks    *self,
                  const char     *name,
                  GCancellable   *cancellable,
                  GasyncTaskFunc  func,
                  gpointer        user_data,
                  GDestroyNotify  destroy)
{
  tasks_start (self, cancellable, name, FALSE, func, NULL, user_data,
               destroy);
}

/**
 * gasync_tasks_submit:
 * @self: a #GasyncTasks
 * @name: the name of the task, used in traces and errors
 * @cancellable: (nullable): passed to @func, to tell it to stop
 * @func: (scope notified) (closure user_data) (destroy destroy): the value
 *   task function
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data once the task ended
 *
 * Starts @func on a worker thread like gasync_tasks_run(), and returns the
 * future of its outcome: resolved with the value @func gave its result
 * future (without a value if it gave none), or rejected with its error (see
 * gasync_future_run_value_in_thread()). The error goes back through the
 * future only: it is neither kept for gasync_tasks_dup_errors() nor
 * emitted with #GasyncTasks::task-failed. The task counts as running, is
 * waited for and traced like any other.
 *
 * From Python, `tasks.submit("sum", None, func)` with a `func (cancellable,
 * result)` that calls `result.resolve_value(42)` and returns %TRUE; GJS
 * code cannot pass a task function (it would run on a worker
 * thread), but awaits such futures with gasync_future_await_async().
 *
 * Threading: may be called from any thread. @destroy is called on the
 * owner context of @self, before a done callback or an await on that
 * context sees the outcome. The future settles on the worker thread once
 * @func has returned.
 *
 * Returns: (transfer full): the future of @func
 *
 * Since: 0.1
 */
GasyncFuture *
gasync_tasks_submit (GasyncTasks     *self,
                     const char      *name,
                     GCancellable    *cancellable,
                     GasyncValueFunc  func,
                     gpointer         user_data,
                     GDestroyNotify   destroy)
{
  GasyncValueCall *call;
  GasyncFuture *future;

  g_return_val_if_fail (GASYNC_IS_TASKS (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (func != NULL, NULL);

  call = gasync_value_call_new (name, func, user_data, destroy, self->context,
                                &future);
  tasks_start (self, cancellable, name, FALSE, gasync_value_call_run, NULL,
               call, gasync_value_call_free);
  return future;
}

/**
 * gasync_tasks_loop:
 * @self: a #GasyncTasks
 * @name: the name of the task, used in traces and errors
 * @cancellable: (nullable): ends the loop when cancelled, and is passed
 *   to @func
 * @func: (scope notified) (closure user_data) (destroy destroy): the
 *   function to repeat
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data once the loop ended
 *
 * Calls @func again and again on a thread of its own until it fails or
 * @cancellable is cancelled (checked before every call). The error that
 * ends the loop is kept (see gasync_tasks_dup_errors()), unless it is
 * %G_IO_ERROR_CANCELLED. The loop counts as one running task of @self,
 * and every call of @func is traced.
 *
 * Threading: may be called from any thread. @destroy is called on the
 * owner context of @self.
 *
 * Since: 0.1
 */
void
gasync_tasks_loop (GasyncTasks    *self,
                   const char     *name,
                   GCancellable   *cancellable,
                   GasyncTaskFunc  func,
                   gpointer        user_data,
                   GDestroyNotify  destroy)
{
  tasks_start (self, cancellable, name, TRUE, func, NULL, user_data,
               destroy);
}

/**
 * gasync_tasks_run_background:
 * @self: a #GasyncTasks
 * @name: the name of the task, used in traces and errors
 * @func: (scope notified) (closure user_data) (destroy destroy): the task
 *   function
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data once the task ended
 *
 * Like gasync_tasks_run() without a cancellable: @func receives %NULL,
 * so that nothing the caller cancels reaches it (Go's `RunBackground`
 * with `context.Background()`).
 *
 * Threading: may be called from any thread. @destroy is called on the
 * owner context of @self.
 *
 * Since: 0.1
 */
void
gasync_tasks_run_background (GasyncTasks    *self,
                             const char     *name,
                             GasyncTaskFunc  func,
                             gpointer        user_data,
                             GDestroyNotify  destroy)
{
  gasync_tasks_run (self, name, NULL, func, user_data, destroy);
}

/**
 * gasync_tasks_run_with_close:
 * @self: a #GasyncTasks
 * @name: the name of the task, used in traces and errors
 * @cancellable: (nullable): passed to @func and @close_func
 * @func: (scope notified) (closure user_data) (destroy destroy): the task
 *   function
 * @close_func: (scope notified) (closure user_data): the close step,
 *   called after @func returned, whatever it returned
 * @user_data: data for @func and @close_func
 * @destroy: (nullable): frees @user_data once the task ended
 *
 * Like gasync_tasks_run(), followed by a close step that cleans up what
 * the task used (Go's `RunClose` on a runner that is also a `Closer`):
 * @close_func runs on the same worker thread right after @func, also when
 * @func failed, with the same data. The task counts as running until the
 * close step returned, so waits cover it. An error of the close step is
 * kept like the task's own, under the name `<name>:close`, which is also
 * the name its trace carries.
 *
 * Language bindings see gasync_tasks_run_with_close_closure() under this
 * name: the close step is a #GClosure there.
 *
 * Threading: may be called from any thread. @destroy is called on the
 * owner context of @self.
 *
 * Since: 0.1
 */
void
gasync_tasks_run_with_close (GasyncTasks    *self,
                             const char     *name,
                             GCancellable   *cancellable,
                             GasyncTaskFunc  func,
                             GasyncTaskFunc  close_func,
                             gpointer        user_data,
                             GDestroyNotify  destroy)
{
  g_return_if_fail (close_func != NULL);

  tasks_start (self, cancellable, name, FALSE, func, close_func, user_data,
               destroy);
}

typedef struct
{
  GasyncTaskFunc func;
  GClosure *close_closure;
  gpointer user_data;
  GDestroyNotify destroy;
} CloseClosureData;

static gboolean
close_closure_run_cb (GCancellable  *cancellable,
                      gpointer       user_data,
                      GError       **error)
{
  CloseClosureData *data = user_data;

  return data->func (cancellable, data->user_data, error);
}

static gboolean
close_closure_close_cb (GCancellable  *cancellable,
                        gpointer       user_data,
                        GError       **error)
{
  CloseClosureData *data = user_data;

  return gasync_task_run_closure (cancellable, data->close_closure, error);
}

static void
close_closure_data_free (gpointer user_data)
{
  CloseClosureData *data = user_data;

  g_closure_unref (data->close_closure);
  if (data->destroy != NULL)
    data->destroy (data->user_data);
  g_free (data);
}

/**
 * gasync_tasks_run_with_close_closure: (rename-to gasync_tasks_run_with_close)
 * @self: a #GasyncTasks
 * @name: the name of the task, used in traces and errors
 * @cancellable: (nullable): passed to @func and @close_closure
 * @func: (scope notified) (closure user_data) (destroy destroy): the task
 *   function
 * @close_closure: the close step, called with the cancellable after @func
 *   returned, whatever it returned; it returns a #gboolean, %TRUE on
 *   success
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data once the task ended
 *
 * The same as gasync_tasks_run_with_close() with the close step as a
 * #GClosure, for language bindings: they pass one function with its user
 * data (or none) and one closure, which they handle without leaks, rather
 * than two functions sharing one user data. @close_closure receives the
 * #GCancellable (`GCancellable *cancellable, gpointer data` for a
 * #GCClosure) and returns whether the close step succeeded; a close step
 * that returns %FALSE fails without a message, unless @cancellable was
 * cancelled. It is released when @destroy is called.
 *
 * |[<!-- language="Python" -->
 * def serve(cancellable, conn):
 *     conn.serve(cancellable)
 *     return True
 *
 * tasks.run_with_close('conn', None, serve, lambda c: conn.close(c), conn)
 * ]|
 *
 * Threading: may be called from any thread. @func and @close_closure run
 * on a worker thread, so not from JavaScript. @destroy is called on the
 * owner context of @self.
 *
 * Since: 0.1
 */
void
gasync_tasks_run_with_close_closure (GasyncTasks    *self,
                                     const char     *name,
                                     GCancellable   *cancellable,
                                     GasyncTaskFunc  func,
                                     GClosure       *close_closure,
                                     gpointer        user_data,
                                     GDestroyNotify  destroy)
{
  CloseClosureData *data;

  if (!tasks_start_args_valid (self, name, cancellable, func))
    return;
  g_return_if_fail (close_closure != NULL);

  data = g_new (CloseClosureData, 1);
  data->func = func;
  data->close_closure = gasync_task_run_closure_ref (close_closure);
  data->user_data = user_data;
  data->destroy = destroy;
  tasks_start (self, cancellable, name, FALSE, close_closure_run_cb,
               close_closure_close_cb, data, close_closure_data_free);
}

static void
token_ended (GasyncTaskToken *token,
             gpointer         user_data)
{
  TokenData *data = user_data;

  tasks_record (data->tasks, gasync_task_token_get_name (token), data->start,
                NULL);
  gasync_lock (&data->tasks->lock);
  g_queue_unlink (&data->tasks->tokens, &data->link);
  tasks_end_locked (data->tasks, &data->entry);
  gasync_unlock (&data->tasks->lock);
}

static void
token_data_free (gpointer user_data)
{
  TokenData *data = user_data;

  g_main_context_unref (data->context);
  g_object_unref (data->tasks);
  g_free (data);
}

/**
 * gasync_tasks_begin_task:
 * @self: a #GasyncTasks
 * @name: the name of the task, used in traces
 *
 * Begins a task that runs on a main loop rather than on a worker thread:
 * a chain of GIO calls, or a JavaScript promise. @self counts it as a
 * running task, and traces it, until gasync_task_token_end() is called on
 * the returned token (or the token is dropped, which ends it with a
 * warning).
 *
 * |[<!-- language="JavaScript" -->
 * const token = tasks.begin_task('fetch');
 * try {
 *     await fetchSomething();
 * } finally {
 *     token.end();
 * }
 * ]|
 *
 * Threading: may be called from any thread.
 *
 * Returns: (transfer full): the token to end when the task is done
 *
 * Since: 0.1
 */
GasyncTaskToken *
gasync_tasks_begin_task (GasyncTasks *self,
                         const char  *name)
{
  TokenData *data;

  g_return_val_if_fail (GASYNC_IS_TASKS (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  data = g_new0 (TokenData, 1);
  data->tasks = g_object_ref (self);
  data->start = g_get_monotonic_time ();
  data->link.data = data;
  data->context = g_main_context_ref_thread_default ();
  gasync_lock (&self->lock);
  tasks_begin_locked (self, &data->entry, name, "token");
  g_queue_push_tail_link (&self->tokens, &data->link);
  gasync_unlock (&self->lock);

  return gasync_task_token_new (name, data->context, token_ended, data,
                                token_data_free);
}

/* Called with the lock held: whether a running token was begun on a
 * main context that the caller runs (owns) now. */
static gboolean
tokens_wait_for_caller_locked (GasyncTasks *self)
{
  for (GList *l = self->tokens.head; l != NULL; l = l->next)
    if (g_main_context_is_owner (((TokenData *) l->data)->context))
      return TRUE;
  return FALSE;
}

/* No task of the group runs. */
static gboolean
none_running_locked (gpointer data)
{
  GasyncTasks *self = data;

  return gasync_registry_n_tasks_locked (&self->registry) == 0;
}

/**
 * gasync_tasks_wait:
 * @self: a #GasyncTasks
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @error: return location for a #GError, or %NULL
 *
 * Blocks until no task of @self runs, Go's `Tasks.Wait`: tasks started
 * before the call and tasks started while it waits (as long as one was
 * still running) are all waited for. Task errors do not make the wait
 * fail; get them with gasync_tasks_dup_errors().
 *
 * Threading: may be called from any thread, but not from a task function
 * of @self (it would wait for itself), nor on the main context where a
 * running main-loop task (a #GasyncTaskToken) of @self was begun while
 * that context is being run: only it can end that task, so use
 * gasync_tasks_wait_async() there. Both would wait forever, so they are
 * refused with a critical: the wait returns %FALSE with
 * %G_IO_ERROR_WOULD_BLOCK at once.
 *
 * Blocking: yes, until every task has ended or @cancellable fires; it
 * iterates no main loop. gasync_tasks_wait_async() is its twin that does
 * not block.
 *
 * Returns: %TRUE when no task runs any more; %FALSE with
 *   %G_IO_ERROR_CANCELLED when @cancellable was cancelled first, or with
 *   %G_IO_ERROR_WOULD_BLOCK when called where it would wait forever
 *
 * Since: 0.1
 */
gboolean
gasync_tasks_wait (GasyncTasks   *self,
                   GCancellable  *cancellable,
                   GError       **error)
{
  gboolean done;

  g_return_val_if_fail (GASYNC_IS_TASKS (self), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable),
                        FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  if (gasync_registry_runs_here (&self->registry))
    {
      gasync_report_self_deadlock (error, "gasync_tasks_wait",
                                   "called from a task of the group, "
                                   "which it waits for");
      return FALSE;
    }

  gasync_lock (&self->lock);
  if (tokens_wait_for_caller_locked (self))
    {
      gasync_unlock (&self->lock);
      gasync_report_self_deadlock (error, "gasync_tasks_wait",
                                   "called on the main context of a running "
                                   "main-loop task of the group, which only "
                                   "that context can end; use "
                                   "gasync_tasks_wait_async()");
      return FALSE;
    }
  done = none_running_locked (self) ||
         gasync_waiter_wait (&self->waiters, &self->lock, G_MAXINT64,
                             cancellable, error);
  gasync_unlock (&self->lock);

  return done;
}

/**
 * gasync_tasks_wait_async:
 * @self: a #GasyncTasks
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @callback: (scope async): called when no task of @self runs any more,
 *   or when @cancellable was cancelled
 * @user_data: data for @callback
 *
 * Waits like gasync_tasks_wait() without blocking a thread; then call
 * gasync_tasks_wait_finish().
 *
 * Threading: @callback is called on the thread-default main context of
 * the caller.
 *
 * Blocking: no; no main loop is iterated in the meantime.
 *
 * Since: 0.1
 */
void
gasync_tasks_wait_async (GasyncTasks         *self,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (GASYNC_IS_TASKS (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = gasync_gtask_new (self, gasync_tasks_wait_async,
                           "[gasync] tasks wait", TRUE, cancellable,
                           callback, user_data);

  if (g_task_return_error_if_cancelled (task))
    return;

  gasync_waiter_wait_async_until (&self->waiters, &self->lock, task,
                                  none_running_locked, self);
}

/**
 * gasync_tasks_wait_finish:
 * @self: a #GasyncTasks
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError, or %NULL
 *
 * Finishes gasync_tasks_wait_async().
 *
 * Returns: %TRUE when no task runs any more; %FALSE with
 *   %G_IO_ERROR_CANCELLED when the wait was cancelled
 *
 * Since: 0.1
 */
gboolean
gasync_tasks_wait_finish (GasyncTasks   *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (GASYNC_IS_TASKS (self), FALSE);

  return gasync_gtask_finish_boolean (self, result, gasync_tasks_wait_async,
                                      error);
}

static gpointer
error_copy (gconstpointer error,
            gpointer      user_data)
{
  return g_error_copy (error);
}

/**
 * gasync_tasks_dup_errors:
 * @self: a #GasyncTasks
 *
 * Gets the errors that the tasks of @self reported so far, oldest first,
 * each prefixed with the name of its task. %G_IO_ERROR_CANCELLED errors
 * are not kept: they only say that a task was told to stop.
 *
 * Threading: may be called from any thread.
 *
 * Returns: (transfer container) (element-type GLib.Error): copies of the
 *   errors, empty when no task failed; g_ptr_array_unref() frees the
 *   array and the errors in it
 *
 * Since: 0.1
 */
GPtrArray *
gasync_tasks_dup_errors (GasyncTasks *self)
{
  GPtrArray *errors;

  g_return_val_if_fail (GASYNC_IS_TASKS (self), NULL);

  gasync_lock (&self->lock);
  errors = g_ptr_array_copy (self->errors, error_copy, NULL);
  gasync_unlock (&self->lock);
  g_ptr_array_set_free_func (errors, (GDestroyNotify) g_error_free);

  return errors;
}

/**
 * gasync_tasks_clear_errors:
 * @self: a #GasyncTasks
 *
 * Forgets the errors kept so far, for example after handling those that
 * gasync_tasks_dup_errors() returned, so that a long-running group does
 * not keep them forever.
 *
 * Threading: may be called from any thread.
 *
 * Since: 0.1
 */
void
gasync_tasks_clear_errors (GasyncTasks *self)
{
  g_return_if_fail (GASYNC_IS_TASKS (self));

  gasync_lock (&self->lock);
  g_ptr_array_set_size (self->errors, 0);
  gasync_unlock (&self->lock);
}

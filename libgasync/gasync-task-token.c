/* gasync-task-token.c: counts asynchronous main-loop work as a task
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

/**
 * SECTION:gasync-task-token
 * @title: GasyncTaskToken
 * @short_description: asynchronous main-loop work counted as a task
 *
 * Task functions run on worker threads, where JavaScript cannot run. Work
 * that lives on a main loop instead (a chain of GIO `_async` calls, a
 * JavaScript promise) is counted with a token: an owner such as a stopper
 * hands one out when the work begins, counts it as a running task, and
 * stops counting it when gasync_task_token_end() is called. A token that
 * is dropped without being ended ends itself, with a warning, so that a
 * forgotten token cannot hang a shutdown: on the owner context of what
 * counts it, in a dispatch of its own, never inside the unref that
 * dropped it. That end may be the end of a stop, which fires
 * cancellables and emits signals; the last unref may come from a garbage
 * collector (GJS refuses to run JavaScript callbacks then) or from
 * another thread.
 *
 * |[<!-- language="JavaScript" -->
 * const token = stopper.begin_task('fetch');
 * try {
 *     await fetchSomething();
 * } finally {
 *     token.end();
 * }
 * ]|
 *
 * In Python:
 * |[<!-- language="Python" -->
 * import gi
 * gi.require_version('Gasync', '1')
 * from gi.repository import GLib, Gasync, Gio
 *
 * stopper = Gasync.Stopper.new()
 * main_loop = GLib.MainLoop()
 * token = stopper.begin_task('read config')  # counts as a running task
 *
 *
 * def on_read(file, result):
 *     try:
 *         file.load_contents_finish(result)
 *     except GLib.Error:
 *         pass
 *     finally:
 *         token.end()  # the task is over
 *         main_loop.quit()
 *
 *
 * Gio.File.new_for_path('/etc/hostname').load_contents_async(None, on_read)
 * main_loop.run()
 * assert stopper.get_n_tasks() == 0
 * stopper.stop()
 * ]|
 *
 * Threading: gasync_task_token_end() may be called from any thread, once.
 */

/**
 * GasyncTaskToken:
 *
 * One piece of asynchronous work, counted as a running task by the object
 * that made the token until gasync_task_token_end() is called.
 *
 * Since: 0.1
 */

#include "config.h"

#include "gasync-task-token-private.h"
#include "gasync-owner-private.h"
#include "gasync-private.h"
#include "gasync-property-private.h"

struct _GasyncTaskToken
{
  GObject parent_instance;

  char *name;
  int ended; /* atomic */
  gboolean end_deferred; /* dropped without an end: ends on the context */
  GMainContext *context;
  GasyncTaskTokenEndFunc end_func;
  gpointer user_data;
  GDestroyNotify destroy;
};

enum {
  PROP_0,
  PROP_NAME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (GasyncTaskToken, gasync_task_token, G_TYPE_OBJECT)

/* Returns FALSE if the token was ended already. */
static gboolean
task_token_end (GasyncTaskToken *self)
{
  if (!g_atomic_int_compare_and_exchange (&self->ended, FALSE, TRUE))
    return FALSE;

  self->end_func (self, self->user_data);
  return TRUE;
}

static void
end_dropped (GasyncTaskToken *self)
{
  if (task_token_end (self))
    g_warning ("Task token “%s” was dropped without gasync_task_token_end(); "
               "it is ended now", self->name);
}

static void
end_dropped_cb (gpointer data)
{
  end_dropped (data);
}

static void
gasync_task_token_dispose (GObject *object)
{
  GasyncTaskToken *self = GASYNC_TASK_TOKEN (object);

  /* Dropped without an end: the dispatch keeps the token until it has
   * ended it on the owner context, and dispose runs again then. */
  if (!self->end_deferred && !g_atomic_int_get (&self->ended))
    {
      self->end_deferred = TRUE;
      gasync_owner_invoke (self->context, GASYNC_OWNER_QUEUE, end_dropped_cb,
                           g_object_ref (self), g_object_unref);
      return;
    }

  G_OBJECT_CLASS (gasync_task_token_parent_class)->dispose (object);
}

static void
gasync_task_token_finalize (GObject *object)
{
  GasyncTaskToken *self = GASYNC_TASK_TOKEN (object);

  /* The context went away without running the dispatch. */
  end_dropped (self);

  if (self->destroy != NULL)
    self->destroy (self->user_data);
  g_main_context_unref (self->context);
  g_free (self->name);

  G_OBJECT_CLASS (gasync_task_token_parent_class)->finalize (object);
}

static const GasyncPropertyAccess property_access[N_PROPS] = {
  [PROP_NAME] = { G_CALLBACK (gasync_task_token_get_name), NULL },
};

static void
gasync_task_token_class_init (GasyncTaskTokenClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gasync_task_token_dispose;
  object_class->finalize = gasync_task_token_finalize;

  /**
   * GasyncTaskToken:name:
   *
   * The name of the task the token counts, as given when it was begun.
   *
   * Since: 0.1
   */
  properties[PROP_NAME] =
    g_param_spec_string ("name", "Name", "The name of the counted task",
                         NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  gasync_property_install (object_class, property_access, properties,
                           N_PROPS);

  gasync_type_class_publish (klass);
}

static void
gasync_task_token_init (GasyncTaskToken *self)
{
  gasync_type_class_acquire (self);
}

GasyncTaskToken *
gasync_task_token_new (const char             *name,
                       GMainContext           *context,
                       GasyncTaskTokenEndFunc  end_func,
                       gpointer                user_data,
                       GDestroyNotify          destroy)
{
  GasyncTaskToken *self;

  g_assert (name != NULL);
  g_assert (end_func != NULL);

  self = g_object_new (GASYNC_TYPE_TASK_TOKEN, NULL);
  self->name = g_strdup (name);
  self->context = context != NULL ? g_main_context_ref (context)
                                  : g_main_context_ref_thread_default ();
  self->end_func = end_func;
  self->user_data = user_data;
  self->destroy = destroy;
  return self;
}

/**
 * gasync_task_token_get_name:
 * @self: a #GasyncTaskToken
 *
 * Gets the name of the task that @self counts.
 *
 * Threading: may be called from any thread.
 *
 * Returns: (transfer none): the task's name
 *
 * Since: 0.1
 */
const char *
gasync_task_token_get_name (GasyncTaskToken *self)
{
  g_return_val_if_fail (GASYNC_IS_TASK_TOKEN (self), NULL);

  return self->name;
}

/**
 * gasync_task_token_is_ended:
 * @self: a #GasyncTaskToken
 *
 * Tells whether gasync_task_token_end() was called on @self.
 *
 * Threading: may be called from any thread.
 *
 * Returns: %TRUE once @self has ended
 *
 * Since: 0.1
 */
gboolean
gasync_task_token_is_ended (GasyncTaskToken *self)
{
  g_return_val_if_fail (GASYNC_IS_TASK_TOKEN (self), FALSE);

  return g_atomic_int_get (&self->ended);
}

/**
 * gasync_task_token_end:
 * @self: a #GasyncTaskToken
 *
 * Ends the task that @self counts: its owner stops counting it as running
 * (a stopper that waits for its tasks to quiesce may then go on). Call it
 * exactly once, when the asynchronous work is done, whether it succeeded
 * or not; calling it again is a programming error.
 *
 * Threading: may be called from any thread.
 *
 * Since: 0.1
 */
void
gasync_task_token_end (GasyncTaskToken *self)
{
  g_return_if_fail (GASYNC_IS_TASK_TOKEN (self));

  if (!task_token_end (self))
    g_critical ("Task token “%s” was ended twice", self->name);
}

/* test-types.c: a class made on one thread is usable on another
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 *
 * GLib makes a class on the first g_object_new() or g_type_class_ref() of
 * its type, on whichever thread that is, and publishes it with an atomic
 * store inside libgobject; later threads find it with a lock-free atomic
 * load. ThreadSanitizer does not see either (libgobject is not
 * instrumented), so a thread reading the class in instrumented code (any
 * GASYNC_IS_*() check, a finalize chaining up) races with the thread that
 * allocated it, unless libgasync publishes the class in a way TSan sees.
 *
 * Each case runs in a subprocess, where the class does not exist yet, and
 * orders its two threads with relaxed atomics only: they happen in order,
 * but TSan sees no synchronisation between them, as between two threads
 * that meet only inside GLib. The cases pass in every build; under TSan
 * they fail (exit status 66, "data race") if a class is not published.
 */

#include "config.h"

#include <string.h>

#include <gasync.h>

#include "gasync-test-util.h"

/* Valid callbacks for the constructors. */
static gboolean
work_func (GObject       *item,
           GCancellable  *cancellable,
           gpointer       user_data,
           GError       **error)
{
  return TRUE;
}

static gboolean
task_func (GCancellable  *cancellable,
           gpointer       user_data,
           GError       **error)
{
  return TRUE;
}

static gboolean
worker_func (gpointer       item,
             GCancellable  *cancellable,
             gpointer       user_data,
             GError       **error)
{
  return TRUE;
}

static void
stop_func (gpointer user_data)
{
}

static GObject *
make_batch (void)
{
  return G_OBJECT (gasync_batch_new (work_func, NULL, NULL));
}

static GObject *
make_event_loop (void)
{
  return G_OBJECT (gasync_event_loop_new (NULL));
}

static GObject *
make_future (void)
{
  return G_OBJECT (gasync_future_new ());
}

static GObject *
make_group_runner (void)
{
  return G_OBJECT (gasync_group_runner_new ());
}

static GObject *
make_interceptor (void)
{
  return G_OBJECT (gasync_interceptor_new_tracing ());
}

static GObject *
make_interval (void)
{
  return G_OBJECT (gasync_interval_new (task_func, NULL, NULL));
}

static GObject *
make_latch (void)
{
  return G_OBJECT (gasync_latch_new ());
}

static GObject *
make_mutex (void)
{
  return G_OBJECT (gasync_mutex_new ());
}

static GObject *
make_runner (void)
{
  return G_OBJECT (gasync_runner_new ("x", task_func, stop_func,
                                      NULL, NULL));
}

static GObject *
make_semaphore (void)
{
  return G_OBJECT (gasync_semaphore_new (1));
}

static GObject *
make_stopper (void)
{
  return G_OBJECT (gasync_stopper_new ());
}

/* A token made and ended: its stopper goes with it. */
static GObject *
make_task_token (void)
{
  g_autoptr(GasyncStopper) stopper = gasync_stopper_new ();
  g_autoptr(GError) error = NULL;
  GasyncTaskToken *token;

  token = gasync_stopper_begin_task (stopper, "x", &error);
  g_assert_no_error (error);
  gasync_task_token_end (token);
  /* Not reported as never stopped. */
  gasync_stopper_stop (stopper);
  return G_OBJECT (token);
}

static GObject *
make_tasks (void)
{
  return G_OBJECT (gasync_tasks_new ("x"));
}

static GObject *
make_wait_group (void)
{
  return G_OBJECT (gasync_wait_group_new ());
}

static GObject *
make_work_queue (void)
{
  return G_OBJECT (gasync_work_queue_new (work_func, NULL, NULL));
}

static GObject *
make_worker (void)
{
  return G_OBJECT (gasync_worker_new (worker_func, NULL, NULL));
}

typedef struct
{
  const char *type_name;
  GType (*get_type) (void);
  GObject *(*make) (void);
} Class;

/* Every class of the API: the all-listed case checks against the GIR
 * baseline that none is missing. */
static const Class classes[] = {
  { "GasyncBatch", gasync_batch_get_type, make_batch },
  { "GasyncEventLoop", gasync_event_loop_get_type, make_event_loop },
  { "GasyncFuture", gasync_future_get_type, make_future },
  { "GasyncGroupRunner", gasync_group_runner_get_type, make_group_runner },
  { "GasyncInterceptor", gasync_interceptor_get_type, make_interceptor },
  { "GasyncInterval", gasync_interval_get_type, make_interval },
  { "GasyncLatch", gasync_latch_get_type, make_latch },
  { "GasyncMutex", gasync_mutex_get_type, make_mutex },
  { "GasyncRunner", gasync_runner_get_type, make_runner },
  { "GasyncSemaphore", gasync_semaphore_get_type, make_semaphore },
  { "GasyncStopper", gasync_stopper_get_type, make_stopper },
  { "GasyncTaskToken", gasync_task_token_get_type, make_task_token },
  { "GasyncTasks", gasync_tasks_get_type, make_tasks },
  { "GasyncWaitGroup", gasync_wait_group_get_type, make_wait_group },
  { "GasyncWorkQueue", gasync_work_queue_get_type, make_work_queue },
  { "GasyncWorker", gasync_worker_get_type, make_worker },
};

/* Ordering that TSan does not count as synchronisation: relaxed atomics
 * order nothing else, so whatever one thread wrote before setting the
 * stage is not "happened before" for the thread that waits for it. */
static int stage;

static void
set_stage (int value)
{
  __atomic_store_n (&stage, value, __ATOMIC_RELAXED);
}

static void
wait_stage (int value)
{
  gint64 deadline = gasync_test_deadline (30);

  while (__atomic_load_n (&stage, __ATOMIC_RELAXED) < value)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_thread_yield ();
    }
}

/* Both threads exist before either starts: neither is created or joined
 * by the other. */
static void
run_in_order (GThreadFunc first,
              GThreadFunc second,
              gpointer    data)
{
  GThread *a, *b;

  stage = 0;
  b = g_thread_new ("second", second, data);
  a = g_thread_new ("first", first, data);
  g_thread_join (a);
  g_thread_join (b);
}

static gpointer
make_first (gpointer data)
{
  const Class *class = data;

  g_object_unref (class->make ());
  set_stage (1);
  return NULL;
}

static gpointer
make_second (gpointer data)
{
  const Class *class = data;
  GObject *object;

  wait_stage (1);
  object = class->make ();
  /* What every method's precondition does: read the instance's class.
   * (Not g_type_from_name(): it takes GLib's type lock, which TSan sees.) */
  g_assert_true (G_TYPE_CHECK_INSTANCE_TYPE (object, class->get_type ()));
  g_object_unref (object);
  return NULL;
}

static void
test_first_instance (gconstpointer data)
{
  const Class *class = data;

  g_test_summary ("The first instance of a class made on one thread, "
                  "another made and used on a second thread that did not "
                  "synchronise with the first: no race under TSan (#13)");

  if (g_test_subprocess ())
    {
      run_in_order (make_first, make_second, (gpointer) class);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

/* The report of #13: the stopper made on the main thread, its first task
 * token on a worker, the second token on another worker. */
static GasyncStopper *token_stopper;

static gpointer
token_first (gpointer data)
{
  g_autoptr(GError) error = NULL;
  GasyncTaskToken *token;

  token = gasync_stopper_begin_task (token_stopper, "first", &error);
  g_assert_no_error (error);
  set_stage (1);
  wait_stage (2);
  gasync_task_token_end (token);
  g_object_unref (token);
  return NULL;
}

static gpointer
token_second (gpointer data)
{
  g_autoptr(GError) error = NULL;
  GasyncTaskToken *token;

  wait_stage (1);
  token = gasync_stopper_begin_task (token_stopper, "second", &error);
  g_assert_no_error (error);
  gasync_task_token_end (token);
  g_object_unref (token);
  set_stage (2);
  return NULL;
}

static void
test_first_token_on_worker (void)
{
  g_test_summary ("A stopper's first task token begun on one worker, the "
                  "next on another: no race under TSan (#13)");

  if (g_test_subprocess ())
    {
      token_stopper = gasync_stopper_new ();
      run_in_order (token_first, token_second, NULL);
      gasync_stopper_stop (token_stopper);
      g_clear_object (&token_stopper);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

/* GLib classes that libgasync makes instances of, or checks instances of,
 * on worker threads. */
static gpointer
glib_first (gpointer data)
{
  g_object_unref (g_cancellable_new ());
  g_object_unref (g_task_new (NULL, NULL, NULL, NULL));
  set_stage (1);
  return NULL;
}

static gpointer
glib_second (gpointer data)
{
  GCancellable *cancellable;
  GTask *task;

  wait_stage (1);
  cancellable = g_cancellable_new ();
  task = g_task_new (NULL, cancellable, NULL, NULL);
  g_assert_true (G_IS_CANCELLABLE (cancellable));
  g_assert_true (G_IS_TASK (task));
  g_assert_true (G_IS_ASYNC_RESULT (task));
  g_object_unref (task);
  g_object_unref (cancellable);
  return NULL;
}

static void
test_glib_classes (void)
{
  g_test_summary ("Once a libgasync object exists, the GLib classes it "
                  "uses on workers are published: a GCancellable and a "
                  "GTask made first on one thread, then on another");

  if (g_test_subprocess ())
    {
      /* One that makes neither a GCancellable nor a GTask itself. */
      g_object_unref (gasync_mutex_new ());
      run_in_order (glib_first, glib_second, NULL);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

/* The type names of the GIR baseline's lines that start with one of
 * @kinds ("class", "enumeration"...). */
static GPtrArray *
api_type_names (const char * const *kinds)
{
  const char *path = g_test_get_filename (G_TEST_DIST, "Gasync-1.api", NULL);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = g_strchug (lines[i]);
      const char *name;
      gboolean wanted = FALSE;

      for (guint k = 0; kinds[k] != NULL; k++)
        wanted |= g_str_has_prefix (line, kinds[k]) &&
                  line[strlen (kinds[k])] == ' ';
      if (!wanted)
        continue;
      name = strstr (line, " type-name=\"");
      g_assert_nonnull (name);
      name += strlen (" type-name=\"");
      g_ptr_array_add (names, g_strndup (name, strcspn (name, "\"")));
    }
  return names;
}

static void
test_all_listed (void)
{
  const char * const kinds[] = { "class", NULL };
  g_autoptr(GPtrArray) names = api_type_names (kinds);

  g_test_summary ("Every class of the GIR baseline has a case here");

  for (guint i = 0; i < names->len; i++)
    {
      gboolean listed = FALSE;

      for (guint j = 0; j < G_N_ELEMENTS (classes); j++)
        listed |= g_str_equal (classes[j].type_name, names->pdata[i]) &&
                  g_str_equal (g_type_name (classes[j].get_type ()),
                               names->pdata[i]);
      if (!listed)
        g_test_fail_printf ("test-types.c: add %s to classes[]",
                            (const char *) names->pdata[i]);
    }
  g_assert_cmpuint (names->len, ==, G_N_ELEMENTS (classes));
}

static void
test_enum_classes (void)
{
  const char * const kinds[] = { "enumeration", "bitfield", NULL };
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(GString) missing = NULL;

  g_test_summary ("Once a libgasync class exists, so does every libgasync "
                  "enum class: none is made first on a worker");

  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }

  names = api_type_names (kinds);
  g_assert_cmpuint (names->len, >, 0);
  /* The class of an enum that no property uses. */
  g_assert_null (g_type_class_peek_static (GASYNC_TYPE_ERROR));
  g_object_unref (gasync_mutex_new ());
  /* Those without a class must be added to make_shared_classes() in
   * gasync-types.c. */
  missing = g_string_new (NULL);
  for (guint i = 0; i < names->len; i++)
    {
      GType type = g_type_from_name (names->pdata[i]);

      if (type == 0 || g_type_class_peek_static (type) == NULL)
        g_string_append_printf (missing, "%s ", (const char *) names->pdata[i]);
    }
  g_assert_cmpstr (missing->str, ==, "");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gasync/types/all-listed", test_all_listed);
  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    {
      g_autofree char *path = g_strdup_printf ("/gasync/types/first-instance/%s",
                                               classes[i].type_name);

      g_test_add_data_func (path, &classes[i], test_first_instance);
    }
  g_test_add_func ("/gasync/types/first-token-on-worker",
                   test_first_token_on_worker);
  g_test_add_func ("/gasync/types/glib-classes", test_glib_classes);
  g_test_add_func ("/gasync/types/enum-classes", test_enum_classes);

  return g_test_run ();
}

/* gasync-test-util.c: what libgasync's C tests share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#include "config.h"

#include <locale.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "gasync-test-util.h"

/* How often gasync_test_iterate_until() re-checks its predicate when
 * nothing wakes the context. */
#define TICK_MS 5

/* Bounds */

static gint64
timeout_multiplier (void)
{
  const char *multiplier = g_getenv ("GASYNC_TEST_TIMEOUT_MULTIPLIER");
  gint64 m = multiplier != NULL ? g_ascii_strtoll (multiplier, NULL, 10) : 1;

  return MAX (m, 1);
}

/* A bound for waiting on a condition that should hold soon: tests wait on
 * conditions, never sleep. The valgrind setup multiplies it through
 * GASYNC_TEST_TIMEOUT_MULTIPLIER, since everything runs ~20x slower
 * there. */
gint64
gasync_test_deadline (gint64 seconds)
{
  return g_get_monotonic_time () + timeout_multiplier () * seconds * G_USEC_PER_SEC;
}

/* Whether everything runs much slower (the valgrind setup sets
 * GASYNC_TEST_TIMEOUT_MULTIPLIER): big loads are scaled down there. */
gboolean
gasync_test_is_slow (void)
{
  return g_getenv ("GASYNC_TEST_TIMEOUT_MULTIPLIER") != NULL;
}

/* A bound for a g_test_trap_subprocess() child, in microseconds: a child
 * that hangs fails instead of hanging the test. */
guint64
gasync_test_subprocess_timeout (void)
{
  return (guint64) (timeout_multiplier () * GASYNC_TEST_TIMEOUT_SECONDS * G_USEC_PER_SEC);
}

/* In a g_test_trap_subprocess() child: lets criticals through to stderr
 * without aborting, so that the child can check that a misused call
 * returns after its critical rather than hang; the parent then expects
 * the text with g_test_trap_assert_stderr(). */
void
gasync_test_criticals_not_fatal (void)
{
  g_log_set_always_fatal (G_LOG_FATAL_MASK);
  g_log_set_fatal_mask ("Gasync", G_LOG_FATAL_MASK);
}

/* For a test of translated messages, in two processes, so that LANGUAGE
 * and the locale are set before gettext reads them: in the
 * g_test_trap_subprocess() child, switches to German, with the catalogue
 * of the build tree, and returns TRUE: the test checks its messages
 * there. In the parent, runs the child (or skips the test when
 * GASYNC_TEST_LOCALEDIR is not set) and returns FALSE. */
gboolean
gasync_test_in_german (void)
{
  const char *localedir = g_getenv ("GASYNC_TEST_LOCALEDIR");

  if (g_test_subprocess ())
    {
      g_setenv ("LANGUAGE", "de", TRUE);
      g_assert_nonnull (setlocale (LC_ALL, "C.UTF-8"));
      /* The library binds its catalogue on first use: then the one of the
       * build tree, not of the prefix. */
      (void) gasync_error_quark ();
      bindtextdomain (GETTEXT_PACKAGE, localedir);
      return TRUE;
    }

  if (localedir == NULL)
    {
      g_test_skip ("GASYNC_TEST_LOCALEDIR is not set (run through meson test)");
      return FALSE;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  return FALSE;
}

/* Waiting */

static gboolean
tick_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

void
gasync_test_iterate_until_at (GMainContext        *context,
                              GasyncTestPredicate  predicate,
                              gpointer             data,
                              gint64               seconds,
                              const char          *where,
                              const char          *what)
{
  GMainContext *ctx = context != NULL ? g_main_context_ref (context)
                                      : g_main_context_ref_thread_default ();
  gint64 deadline = gasync_test_deadline (seconds);
  GSource *tick = g_timeout_source_new (TICK_MS);

  g_source_set_callback (tick, tick_cb, NULL, NULL);
  g_source_set_static_name (tick, "gasync-test-tick");
  g_source_attach (tick, ctx);
  while (!predicate (data))
    {
      if (g_get_monotonic_time () >= deadline)
        g_error ("%s: timed out after %" G_GINT64_FORMAT " s waiting for %s",
                 where, seconds, what);
      /* A context that another thread holds is not ours to block in. */
      if (g_main_context_acquire (ctx))
        {
          g_main_context_iteration (ctx, TRUE);
          g_main_context_release (ctx);
        }
      else
        g_usleep (TICK_MS * 1000);
    }
  g_source_destroy (tick);
  g_source_unref (tick);
  g_main_context_unref (ctx);
}

gboolean
gasync_test_flag_is_set (gpointer flag)
{
  return g_atomic_int_get ((int *) flag) != 0;
}

gboolean
gasync_test_pointer_is_set (gpointer pointer)
{
  return g_atomic_pointer_get ((gpointer *) pointer) != NULL;
}

gboolean
gasync_test_count_reached (gpointer count)
{
  GasyncTestCount *c = count;

  return g_atomic_int_get (c->counter) >= c->n;
}

void
gasync_test_flush (GMainContext *context)
{
  GMainContext *ctx = context != NULL ? context : g_main_context_get_thread_default ();

  while (g_main_context_iteration (ctx, FALSE))
    ;
}

GAsyncResult *
gasync_test_wait_result (GAsyncResult **result)
{
  gasync_test_iterate_until_set (NULL, result);
  return *result;
}

void
gasync_test_wait_flag (const int *flag)
{
  gint64 deadline = gasync_test_deadline (GASYNC_TEST_TIMEOUT_SECONDS);

  while (!g_atomic_int_get (flag))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_thread_yield ();
    }
}

void
gasync_test_count (gpointer data)
{
  g_atomic_int_inc ((int *) data);
}

void
gasync_test_count_notify (GObject    *object,
                          GParamSpec *pspec,
                          gpointer    data)
{
  g_atomic_int_inc ((int *) data);
}

void
gasync_test_nothing (gpointer data)
{
}

gboolean
gasync_test_task_until_cancelled (GCancellable  *cancellable,
                                  gpointer       user_data,
                                  GError       **error)
{
  g_assert_false (gasync_sleep (G_TIME_SPAN_HOUR, cancellable, NULL));
  return TRUE;
}

typedef struct
{
  GCancellable *cancellable;
  gint64 delay;
} CancelLater;

static gpointer
cancel_thread (gpointer data)
{
  CancelLater *later = data;

  if (later->delay > 0)
    g_usleep (later->delay);
  g_cancellable_cancel (later->cancellable);
  g_free (later);
  return NULL;
}

GThread *
gasync_test_cancel_in_thread (GCancellable *cancellable,
                              gint64        delay)
{
  CancelLater *later = g_new (CancelLater, 1);

  later->cancellable = cancellable;
  later->delay = delay;
  return g_thread_new ("cancel", cancel_thread, later);
}

/* Lifetimes */

static void
set_flag_weak_notify (gpointer  data,
                      GObject  *where_the_object_was)
{
  g_atomic_int_set ((int *) data, TRUE);
}

void
gasync_test_unref_and_wait (gpointer object)
{
  int gone = FALSE;

  g_object_weak_ref (object, set_flag_weak_notify, &gone);
  g_object_unref (object);
  gasync_test_iterate_until_flag (NULL, &gone);
}

static void
lifetime_gone_cb (gpointer  data,
                  GObject  *where_the_object_was)
{
  GasyncTestLifetime *lifetime = data;
  /* Read before the flag: once it is set, @lifetime may be gone. */
  GMainContext *context = g_main_context_ref (lifetime->context);

  g_atomic_int_set (&lifetime->gone, TRUE);
  g_main_context_wakeup (context);
  g_main_context_unref (context);
}

void
gasync_test_lifetime_init (GasyncTestLifetime *lifetime)
{
  memset (lifetime, 0, sizeof *lifetime);
  lifetime->context = g_main_context_ref_thread_default ();
}

void
gasync_test_lifetime_watch (GasyncTestLifetime *lifetime,
                            gpointer            object)
{
  g_object_weak_ref (G_OBJECT (object), lifetime_gone_cb, lifetime);
}

void
gasync_test_lifetime_wait (GasyncTestLifetime *lifetime,
                           guint               n_destroys)
{
  gint64 deadline = gasync_test_deadline (GASYNC_TEST_TIMEOUT_SECONDS);
  guint i;

  g_assert_cmpuint (n_destroys, <=, GASYNC_TEST_MAX_DESTROYS);
  gasync_test_iterate_until_flag (lifetime->context, &lifetime->gone);
  /* A finalize on another thread calls the notifies right after the weak
   * reference: wait for them without blocking the context. */
  for (i = 0; i < n_destroys; i++)
    while (g_atomic_int_get (&lifetime->destroyed[i]) == 0)
      {
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        if (!g_main_context_iteration (lifetime->context, FALSE))
          g_thread_yield ();
      }
  gasync_test_flush (lifetime->context);
  for (i = 0; i < GASYNC_TEST_MAX_DESTROYS; i++)
    g_assert_cmpint (g_atomic_int_get (&lifetime->destroyed[i]), ==,
                     i < n_destroys ? 1 : 0);
  g_main_context_unref (lifetime->context);
}

/* TestItem */

G_DEFINE_FINAL_TYPE (TestItem, test_item, G_TYPE_OBJECT)

static void
test_item_class_init (TestItemClass *klass)
{
}

static void
test_item_init (TestItem *self)
{
}

GPtrArray *
test_items_new (guint n)
{
  GPtrArray *items = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < n; i++)
    {
      TestItem *item = g_object_new (TEST_TYPE_ITEM, NULL);

      item->index = i;
      g_ptr_array_add (items, item);
    }
  return items;
}

void
test_items_assert_processed_once (GPtrArray *items)
{
  for (guint i = 0; i < items->len; i++)
    g_assert_cmpint (g_atomic_int_get (&TEST_ITEM (items->pdata[i])->n_processed), ==, 1);
}

/* TestGate */

void
test_gate_init (TestGate *gate)
{
  memset (gate, 0, sizeof *gate);
  gasync_lock_init (&gate->lock);
  gasync_cond_init (&gate->cond);
}

void
test_gate_clear (TestGate *gate)
{
  gasync_cond_clear (&gate->cond);
  gasync_lock_clear (&gate->lock);
}

gboolean
test_gate_pass (TestGate     *gate,
                GCancellable *cancellable)
{
  gint64 deadline = gasync_test_deadline (GASYNC_TEST_TIMEOUT_SECONDS);
  gboolean passed;

  gasync_lock (&gate->lock);
  gate->n_waiting++;
  gasync_cond_broadcast (&gate->cond);
  /* Nothing signals the condition when @cancellable fires: poll it. */
  while (!gate->open && !g_cancellable_is_cancelled (cancellable))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      gasync_cond_wait_until (&gate->cond, &gate->lock,
                              g_get_monotonic_time () + G_TIME_SPAN_MILLISECOND);
    }
  gate->n_waiting--;
  passed = gate->open;
  if (passed)
    gate->n_passed++;
  gasync_cond_broadcast (&gate->cond);
  gasync_unlock (&gate->lock);
  return passed;
}

void
test_gate_open (TestGate *gate)
{
  gasync_lock (&gate->lock);
  gate->open = TRUE;
  gasync_cond_broadcast (&gate->cond);
  gasync_unlock (&gate->lock);
}

void
test_gate_wait_waiting (TestGate *gate,
                        guint     n)
{
  gint64 deadline = gasync_test_deadline (GASYNC_TEST_TIMEOUT_SECONDS);

  gasync_lock (&gate->lock);
  while (gate->n_waiting < n)
    g_assert_true (gasync_cond_wait_until (&gate->cond, &gate->lock, deadline) ||
                   gate->n_waiting >= n);
  gasync_unlock (&gate->lock);
}

guint
test_gate_get_passed (TestGate *gate)
{
  guint n;

  gasync_lock (&gate->lock);
  n = gate->n_passed;
  gasync_unlock (&gate->lock);
  return n;
}

/* TestWork */

void
test_work_setup (TestWork      *w,
                 gconstpointer  data)
{
  memset (w, 0, sizeof *w);
  test_gate_init (&w->gate);
  w->owner_thread = g_thread_self ();
}

void
test_work_teardown (TestWork      *w,
                    gconstpointer  data)
{
  /* Error emissions still queued hold references. */
  gasync_test_flush (NULL);
  test_gate_clear (&w->gate);
}

gboolean
test_work_item (TestWork      *w,
                guint          index,
                GCancellable  *cancellable,
                GError       **error)
{
  int n = g_atomic_int_add (&w->n_in_flight, 1) + 1;
  int max = g_atomic_int_get (&w->max_in_flight);
  gboolean ok = TRUE;

  g_assert_true (g_thread_self () != w->owner_thread);
  while (n > max && !g_atomic_int_compare_and_exchange (&w->max_in_flight, max, n))
    max = g_atomic_int_get (&w->max_in_flight);

  if (w->use_gate && !test_gate_pass (&w->gate, cancellable))
    {
      g_atomic_int_inc (&w->n_cancelled);
      g_cancellable_set_error_if_cancelled (cancellable, error);
      ok = FALSE;
    }
  else if (w->fail_modulo > 0 && index % w->fail_modulo == w->fail_remainder)
    {
      if (!w->fail_silently)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "item %u failed", index);
      ok = FALSE;
    }

  g_atomic_int_add (&w->n_in_flight, -1);
  g_atomic_int_inc (&w->n_processed);
  return ok;
}

gboolean
test_work_object (GObject       *item,
                  GCancellable  *cancellable,
                  gpointer       w,
                  GError       **error)
{
  g_atomic_int_inc (&TEST_ITEM (item)->n_processed);
  return test_work_item (w, TEST_ITEM (item)->index, cancellable, error);
}

void
test_work_destroyed (gpointer data)
{
  TestWork *w = data;

  g_assert_true (g_thread_self () == w->owner_thread);
  w->n_destroyed++;
  if (w->lifetime != NULL)
    gasync_test_count (&w->lifetime->destroyed[0]);
}

/* TestService */

TestService *
test_service_new (void)
{
  TestService *svc = g_new0 (TestService, 1);

  gasync_lock_init (&svc->lock);
  gasync_cond_init (&svc->cond);
  return svc;
}

void
test_service_free (TestService *svc)
{
  g_clear_error (&svc->error);
  gasync_cond_clear (&svc->cond);
  gasync_lock_clear (&svc->lock);
  g_free (svc);
}

gboolean
test_service_run (GCancellable  *cancellable,
                  gpointer       user_data,
                  GError       **error)
{
  TestService *svc = user_data;
  gboolean ok;

  gasync_lock (&svc->lock);
  svc->runs++;
  svc->run_thread = g_thread_self ();
  svc->cancellable = cancellable;
  gasync_cond_broadcast (&svc->cond);
  while (!(svc->stop_requested && !svc->ignore_stop) && !svc->finish_now &&
         !svc->released)
    gasync_cond_wait (&svc->cond, &svc->lock);
  svc->finish_now = FALSE;
  svc->returns++;
  ok = svc->error == NULL && !svc->fail_silently;
  if (svc->error != NULL)
    g_set_error_literal (error, svc->error->domain, svc->error->code,
                         svc->error->message);
  gasync_cond_broadcast (&svc->cond);
  gasync_unlock (&svc->lock);
  return ok;
}

void
test_service_stop (gpointer user_data)
{
  TestService *svc = user_data;

  svc->stop_calls++;
  svc->stop_thread = g_thread_self ();
  gasync_lock (&svc->lock);
  svc->cancelled_at_stop = g_cancellable_is_cancelled (svc->cancellable);
  svc->stop_requested = TRUE;
  gasync_cond_broadcast (&svc->cond);
  gasync_unlock (&svc->lock);
}

void
test_service_destroyed (gpointer user_data)
{
  TestService *svc = user_data;

  g_assert_true (svc->stop_thread == NULL ||
                 svc->stop_thread == g_thread_self ());
  svc->destroyed++;
}

GasyncRunner *
test_service_new_runner (TestService *svc,
                         const char  *id)
{
  return gasync_runner_new (id, test_service_run, test_service_stop, svc,
                            test_service_destroyed);
}

void
test_service_finish (TestService *svc)
{
  gasync_lock (&svc->lock);
  svc->finish_now = TRUE;
  gasync_cond_broadcast (&svc->cond);
  gasync_unlock (&svc->lock);
}

void
test_service_release (TestService *svc)
{
  gasync_lock (&svc->lock);
  svc->released = TRUE;
  gasync_cond_broadcast (&svc->cond);
  gasync_unlock (&svc->lock);
}

guint
test_service_get_runs (TestService *svc)
{
  guint runs;

  gasync_lock (&svc->lock);
  runs = svc->runs;
  gasync_unlock (&svc->lock);
  return runs;
}

void
test_service_wait_runs (TestService *svc,
                        guint        runs)
{
  gint64 deadline = gasync_test_deadline (GASYNC_TEST_TIMEOUT_SECONDS);

  gasync_lock (&svc->lock);
  while (svc->runs < runs)
    g_assert_true (gasync_cond_wait_until (&svc->cond, &svc->lock, deadline) ||
                   svc->runs >= runs);
  gasync_unlock (&svc->lock);
}

typedef struct
{
  TestService *svc;
  guint runs;
} Runs;

static gboolean
service_has_runs (gpointer data)
{
  Runs *wanted = data;

  return test_service_get_runs (wanted->svc) >= wanted->runs;
}

void
test_service_iterate_until_runs (TestService *svc,
                                 guint        runs)
{
  Runs wanted = { svc, runs };

  gasync_test_iterate_until (NULL, service_has_runs, &wanted,
                             GASYNC_TEST_TIMEOUT_SECONDS);
}

/* Valid objects for the generated test-bad-input.c */

static gboolean
no_task (GCancellable  *cancellable,
         gpointer       user_data,
         GError       **error)
{
  return TRUE;
}

static gboolean
no_work (GObject       *item,
         GCancellable  *cancellable,
         gpointer       user_data,
         GError       **error)
{
  return TRUE;
}

static gboolean
no_worker_work (gpointer       item,
                GCancellable  *cancellable,
                gpointer       user_data,
                GError       **error)
{
  return TRUE;
}

/* What the current case made: pairs of data and free function. */
static GPtrArray *made;

static gpointer
track (gpointer       data,
       GDestroyNotify free_func)
{
  if (made == NULL)
    made = g_ptr_array_new ();
  g_ptr_array_add (made, data);
  g_ptr_array_add (made, free_func);
  return data;
}

static GObject *
new_object (GType type)
{
  if (type == GASYNC_TYPE_BATCH)
    return G_OBJECT (gasync_batch_new (no_work, NULL, NULL));
  if (type == GASYNC_TYPE_EVENT_LOOP)
    return G_OBJECT (gasync_event_loop_new (NULL));
  if (type == GASYNC_TYPE_FUTURE)
    return G_OBJECT (gasync_future_new ());
  if (type == GASYNC_TYPE_GROUP_RUNNER)
    return G_OBJECT (gasync_group_runner_new ());
  if (type == GASYNC_TYPE_INTERCEPTOR)
    return G_OBJECT (gasync_interceptor_new_tracing ());
  if (type == GASYNC_TYPE_INTERVAL)
    return G_OBJECT (gasync_interval_new (no_task, NULL, NULL));
  if (type == GASYNC_TYPE_LATCH)
    return G_OBJECT (gasync_latch_new ());
  if (type == GASYNC_TYPE_MUTEX)
    return G_OBJECT (gasync_mutex_new ());
  if (type == GASYNC_TYPE_RUNNER)
    return G_OBJECT (gasync_runner_new ("x", no_task, gasync_test_nothing,
                                        NULL, NULL));
  if (type == GASYNC_TYPE_SEMAPHORE)
    return G_OBJECT (gasync_semaphore_new (1));
  if (type == GASYNC_TYPE_STOPPER)
    return G_OBJECT (gasync_stopper_new ());
  if (type == GASYNC_TYPE_TASKS)
    return G_OBJECT (gasync_tasks_new ("x"));
  if (type == GASYNC_TYPE_WAIT_GROUP)
    return G_OBJECT (gasync_wait_group_new ());
  if (type == GASYNC_TYPE_WORK_QUEUE)
    return G_OBJECT (gasync_work_queue_new (no_work, NULL, NULL));
  if (type == GASYNC_TYPE_WORKER)
    return G_OBJECT (gasync_worker_new (no_worker_work, NULL, NULL));
  if (type == G_TYPE_OBJECT || type == G_TYPE_CANCELLABLE)
    return g_object_new (type, NULL);
  g_error ("gasync-test-util.c: add a valid %s to new_object()",
           g_type_name (type));
}

/* A reservation on a loop of its own: cancelled before it goes, as one
 * that is neither enqueued nor cancelled warns. */
static void
release_pending_callback (gpointer pending)
{
  gasync_pending_callback_cancel (pending);
  gasync_pending_callback_unref (pending);
}

gpointer
gasync_test_make_object (GType type)
{
  if (type == GASYNC_TYPE_PENDING_CALLBACK)
    {
      GasyncEventLoop *loop = track (gasync_event_loop_new (NULL), g_object_unref);

      return track (gasync_event_loop_reserve_callback (loop),
                    release_pending_callback);
    }
  return track (new_object (type), g_object_unref);
}

GPtrArray *
gasync_test_make_ptr_array (void)
{
  return track (g_ptr_array_new (), (GDestroyNotify) g_ptr_array_unref);
}

GError *
gasync_test_make_error (void)
{
  return track (g_error_new_literal (GASYNC_ERROR, GASYNC_ERROR_FAILED, "x"),
                (GDestroyNotify) g_error_free);
}

GClosure *
gasync_test_make_closure (void)
{
  GClosure *closure = g_cclosure_new (G_CALLBACK (gasync_test_nothing), NULL, NULL);

  /* Owned here: a call that takes it refs and sinks it, one that fails
   * its checks leaves it alone. */
  g_closure_ref (closure);
  g_closure_sink (closure);
  return track (closure, (GDestroyNotify) g_closure_unref);
}

void
gasync_test_release_all (void)
{
  while (made != NULL && made->len > 0)
    {
      GDestroyNotify free_func = g_ptr_array_steal_index (made, made->len - 1);

      free_func (g_ptr_array_steal_index (made, made->len - 1));
    }
  g_clear_pointer (&made, g_ptr_array_unref);
}

void
gasync_test_expect_critical_naming (const char *param)
{
  char *pattern = g_strdup_printf ("*assertion '*%s*' failed*", param);

  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, pattern);
  g_free (pattern);
}

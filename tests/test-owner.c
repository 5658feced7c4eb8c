/* test-owner.c: the owner-context scheduler
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#include "config.h"

#include <gio/gio.h>

#include "gasync-owner-private.h"
#include "gasync-pool-private.h"
#include "gasync-test-util.h"

/* An object with the three shapes of error signal and a property. */
#define TEST_TYPE_EMITTER (test_emitter_get_type ())
G_DECLARE_FINAL_TYPE (TestEmitter, test_emitter, TEST, EMITTER, GObject)

struct _TestEmitter
{
  GObject parent_instance;
  int value;
};

enum { PROP_0, PROP_VALUE, N_PROPS };
enum { SIGNAL_ERROR, SIGNAL_ITEM_ERROR, SIGNAL_TASK_FAILED, N_SIGNALS };

static GParamSpec *emitter_props[N_PROPS];
static guint emitter_signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (TestEmitter, test_emitter, G_TYPE_OBJECT)

static void
test_emitter_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  g_value_set_int (value, TEST_EMITTER (object)->value);
}

static void
test_emitter_class_init (TestEmitterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GType type = G_TYPE_FROM_CLASS (klass);

  object_class->get_property = test_emitter_get_property;
  emitter_props[PROP_VALUE] =
    g_param_spec_int ("value", "Value", "A value", 0, G_MAXINT, 0,
                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS |
                      G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, emitter_props);

  emitter_signals[SIGNAL_ERROR] =
    g_signal_new ("error", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);
  emitter_signals[SIGNAL_ITEM_ERROR] =
    g_signal_new ("item-error", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_OBJECT, G_TYPE_ERROR);
  emitter_signals[SIGNAL_TASK_FAILED] =
    g_signal_new ("task-failed", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_ERROR);
}

static void
test_emitter_init (TestEmitter *self)
{
}

/* A context that this thread owns for the test (it is its thread-default
 * one, which pushing acquires), and where everything must run. */
typedef struct
{
  GMainContext *context;
  GThread *owner;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->context = g_main_context_new ();
  f->owner = g_thread_self ();
  g_main_context_push_thread_default (f->context);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  /* Nothing is left queued. */
  g_assert_false (g_main_context_pending (f->context));
  g_main_context_pop_thread_default (f->context);
  g_main_context_unref (f->context);
}

static gboolean
on_owner (Fixture *f)
{
  return g_thread_self () == f->owner && g_main_context_is_owner (f->context);
}

/* Many threads queue numbered calls; each thread's calls run in order, on
 * the owner context, each followed by its destroy notify. */
#define N_THREADS 4
#define N_CALLS 500

typedef struct
{
  Fixture *f;
  guint thread;
  guint index;
} Call;

typedef struct
{
  Fixture *f;
  guint next[N_THREADS];
  guint n_run;
  guint n_destroyed;
  int done;
  gboolean misplaced;
  gboolean out_of_order;
} Order;

static Order order;

static void
order_run (gpointer data)
{
  Call *call = data;

  if (!on_owner (call->f))
    order.misplaced = TRUE;
  if (order.next[call->thread] != call->index)
    order.out_of_order = TRUE;
  order.next[call->thread] = call->index + 1;
  order.n_run++;
}

static void
order_destroy (gpointer data)
{
  Call *call = data;

  if (!on_owner (call->f) || order.n_run != ++order.n_destroyed)
    order.misplaced = TRUE;
  if (order.n_destroyed == N_THREADS * N_CALLS)
    g_atomic_int_set (&order.done, TRUE);
  g_free (call);
}

static gpointer
order_thread (gpointer data)
{
  Call *first = data;

  for (guint i = 0; i < N_CALLS; i++)
    {
      Call *call = g_new (Call, 1);

      *call = (Call) { first->f, first->thread, i };
      gasync_owner_invoke (first->f->context, GASYNC_OWNER_QUEUE, order_run,
                           call, order_destroy);
    }
  return NULL;
}

static void
test_owner_invoke_in_order (Fixture       *f,
                            gconstpointer  data)
{
  GThread *threads[N_THREADS];
  Call firsts[N_THREADS];

  g_test_summary ("Calls queued from many threads run on the owner "
                  "context, each thread's in order, each followed by its "
                  "destroy notify");

  memset (&order, 0, sizeof order);
  for (guint i = 0; i < N_THREADS; i++)
    {
      firsts[i] = (Call) { f, i, 0 };
      threads[i] = g_thread_new ("queue", order_thread, &firsts[i]);
    }
  gasync_test_iterate_until_flag (f->context, &order.done);
  for (guint i = 0; i < N_THREADS; i++)
    g_thread_join (threads[i]);

  g_assert_false (order.misplaced);
  g_assert_false (order.out_of_order);
  g_assert_cmpuint (order.n_run, ==, N_THREADS * N_CALLS);
}

static void
count_cb (gpointer data)
{
  (*(guint *) data)++;
}

typedef struct
{
  Fixture *f;
  guint n;
  guint n_run;
  int queued;
} Batch;

static gpointer
batch_thread (gpointer data)
{
  Batch *batch = data;

  for (guint i = 0; i < batch->n; i++)
    gasync_owner_invoke (batch->f->context, GASYNC_OWNER_QUEUE, count_cb,
                         &batch->n_run, NULL);
  g_atomic_int_set (&batch->queued, TRUE);
  return NULL;
}

static void
test_owner_batch_in_one_dispatch (Fixture       *f,
                                  gconstpointer  data)
{
  Batch batch = { f, 100, 0, FALSE };
  GThread *thread;

  g_test_summary ("Calls queued while the owner context is not iterated "
                  "wake it up, and all run in its next dispatch");

  thread = g_thread_new ("batch", batch_thread, &batch);
  gasync_test_wait_flag (&batch.queued);
  g_thread_join (thread);

  g_assert_cmpuint (batch.n_run, ==, 0);
  g_assert_true (g_main_context_pending (f->context));
  g_main_context_iteration (f->context, FALSE);
  g_assert_cmpuint (batch.n_run, ==, 100);
  g_assert_false (g_main_context_pending (f->context));
}

static void
queue_more_cb (gpointer data)
{
  Batch *batch = data;

  batch->n_run++;
  if (batch->n_run < batch->n)
    gasync_owner_invoke (batch->f->context, GASYNC_OWNER_QUEUE,
                         queue_more_cb, batch, NULL);
}

static void
test_owner_queued_from_call_waits (Fixture       *f,
                                   gconstpointer  data)
{
  Batch batch = { f, 3, 0, FALSE };

  g_test_summary ("A call queued by a running call runs in a later "
                  "iteration, as an idle source would, so that a call "
                  "that queues itself does not starve the context");

  gasync_owner_invoke (f->context, GASYNC_OWNER_QUEUE, queue_more_cb, &batch,
                       NULL);
  for (guint i = 1; i <= 3; i++)
    {
      g_main_context_iteration (f->context, FALSE);
      g_assert_cmpuint (batch.n_run, ==, i);
    }
  g_assert_false (g_main_context_pending (f->context));
}

typedef struct
{
  Fixture *f;
  GasyncOwnerWhen when;
  guint n_run;
  GThread *ran_in;
  int done;
} Now;

static void
now_cb (gpointer data)
{
  Now *now = data;

  now->n_run++;
  now->ran_in = g_thread_self ();
}

static gpointer
now_thread (gpointer data)
{
  Now *now = data;

  gasync_owner_invoke (now->f->context, now->when, now_cb, now, NULL);
  g_atomic_int_set (&now->done, TRUE);
  return NULL;
}

static void
test_owner_now_if_owner (Fixture       *f,
                         gconstpointer  data)
{
  Now now = { f, GASYNC_OWNER_NOW_IF_OWNER, 0, NULL, FALSE };
  GThread *thread;

  g_test_summary ("NOW_IF_OWNER runs a call at once in the thread that "
                  "owns the context, and queues it from another thread; "
                  "QUEUE always queues");

  /* This thread owns it (it pushed it as its thread-default context). */
  gasync_owner_invoke (f->context, GASYNC_OWNER_NOW_IF_OWNER, now_cb, &now,
                       NULL);
  g_assert_cmpuint (now.n_run, ==, 1);

  thread = g_thread_new ("now", now_thread, &now);
  g_thread_join (thread);
  g_assert_cmpuint (now.n_run, ==, 1);
  g_main_context_iteration (f->context, FALSE);
  g_assert_cmpuint (now.n_run, ==, 2);
  g_assert_true (now.ran_in == f->owner);

  gasync_owner_invoke (f->context, GASYNC_OWNER_QUEUE, now_cb, &now, NULL);
  g_assert_cmpuint (now.n_run, ==, 2);
  g_main_context_iteration (f->context, FALSE);
  g_assert_cmpuint (now.n_run, ==, 3);
}

static void
test_owner_now_if_free (void)
{
  Fixture f = { g_main_context_new (), g_thread_self () };
  Now now = { &f, GASYNC_OWNER_NOW_IF_FREE, 0, NULL, FALSE };
  GThread *thread;

  g_test_summary ("NOW_IF_FREE runs a call at once when nobody owns the "
                  "context, in the calling thread, and queues it while "
                  "another thread owns it");

  thread = g_thread_new ("now", now_thread, &now);
  g_thread_join (thread);
  g_assert_cmpuint (now.n_run, ==, 1);
  g_assert_true (now.ran_in == thread);

  g_assert_true (g_main_context_acquire (f.context));
  thread = g_thread_new ("now", now_thread, &now);
  g_thread_join (thread);
  g_assert_cmpuint (now.n_run, ==, 1);
  g_main_context_iteration (f.context, FALSE);
  g_assert_cmpuint (now.n_run, ==, 2);
  g_assert_true (now.ran_in == f.owner);
  g_main_context_release (f.context);
  g_assert_false (g_main_context_pending (f.context));
  g_main_context_unref (f.context);
}

typedef struct
{
  Fixture *f;
  GString *log;
} Drain;

static void
drain_log_cb (gpointer data)
{
  Drain *drain = data;

  g_string_append (drain->log, "b;");
}

static void
drain_first_cb (gpointer data)
{
  Drain *drain = data;

  g_string_append (drain->log, "a;");
  /* Queued while draining: it waits for the next dispatch. */
  gasync_owner_invoke (drain->f->context, GASYNC_OWNER_QUEUE, drain_log_cb,
                       drain, NULL);
}

static void
drain_destroy (gpointer data)
{
  Drain *drain = data;

  g_string_append (drain->log, "destroy;");
}

static void
test_owner_drain (Fixture       *f,
                  gconstpointer  data)
{
  Drain drain = { f, g_string_new (NULL) };

  g_test_summary ("A drain runs the queued calls now, in order; a call "
                  "queued meanwhile waits for the next dispatch");

  /* Nothing was ever queued on this context. */
  gasync_owner_drain (f->context);

  gasync_owner_invoke (f->context, GASYNC_OWNER_QUEUE, drain_first_cb, &drain,
                       NULL);
  gasync_owner_destroy (f->context, GASYNC_OWNER_QUEUE, drain_destroy, &drain);
  gasync_owner_drain (f->context);
  g_assert_cmpstr (drain.log->str, ==, "a;destroy;");
  g_main_context_iteration (f->context, FALSE);
  g_assert_cmpstr (drain.log->str, ==, "a;destroy;b;");
  g_string_free (drain.log, TRUE);
}

static void
nested_log_cb (gpointer data)
{
  g_string_append (((Drain *) data)->log, "b;");
}

static void
nested_iterate_cb (gpointer data)
{
  Drain *drain = data;

  /* Pops the calls after this one, as a blocking stop would. */
  g_string_append (drain->log, "iterate;");
  g_main_context_iteration (drain->f->context, FALSE);
}

static void
nested_drain_cb (gpointer data)
{
  Drain *drain = data;

  g_string_append (drain->log, "drain(;");
  gasync_owner_drain (drain->f->context);
  g_string_append (drain->log, ");");
}

static void
test_owner_drain_nested (Fixture       *f,
                         gconstpointer  data)
{
  Drain drain = { f, g_string_new (NULL) };

  g_test_summary ("A drain from inside a call runs the calls queued after "
                  "it, even when one of them runs the others first");

  gasync_owner_invoke (f->context, GASYNC_OWNER_QUEUE, nested_drain_cb, &drain,
                       NULL);
  gasync_owner_invoke (f->context, GASYNC_OWNER_QUEUE, nested_iterate_cb,
                       &drain, NULL);
  gasync_owner_invoke (f->context, GASYNC_OWNER_QUEUE, nested_log_cb, &drain,
                       NULL);
  gasync_owner_invoke (f->context, GASYNC_OWNER_QUEUE, nested_log_cb, &drain,
                       NULL);
  g_main_context_iteration (f->context, FALSE);
  g_assert_cmpstr (drain.log->str, ==, "drain(;iterate;b;b;);");
  g_string_free (drain.log, TRUE);
}

typedef struct
{
  Fixture *f;
  guint n_run;
  gboolean nested_saw_later;
} Recurse;

static void
recurse_later_cb (gpointer data)
{
  Recurse *recurse = data;

  recurse->n_run++;
}

static void
recurse_first_cb (gpointer data)
{
  Recurse *recurse = data;

  /* A call that runs the context again, as a blocking stop on the owner
   * thread does: the calls queued after it still run meanwhile. */
  while (recurse->n_run == 0)
    g_main_context_iteration (recurse->f->context, TRUE);
  recurse->nested_saw_later = TRUE;
}

static void
test_owner_recursion (Fixture       *f,
                      gconstpointer  data)
{
  Recurse recurse = { f, 0, FALSE };

  g_test_summary ("A call that iterates the owner context again sees the "
                  "calls queued after it run");

  gasync_owner_invoke (f->context, GASYNC_OWNER_QUEUE, recurse_first_cb,
                       &recurse, NULL);
  gasync_owner_invoke (f->context, GASYNC_OWNER_QUEUE, recurse_later_cb,
                       &recurse, NULL);
  g_main_context_iteration (f->context, FALSE);
  g_assert_true (recurse.nested_saw_later);
  g_assert_cmpuint (recurse.n_run, ==, 1);
}

typedef struct
{
  Fixture *f;
  TestEmitter *emitter;
  GObject *item;
  guint n_errors;
  guint n_item_errors;
  guint n_failures;
  guint n_notified;
  gboolean misplaced;
  int done;
} Emit;

static void
emit_check (Emit         *emit,
            const GError *error)
{
  if (!on_owner (emit->f) || !g_error_matches (error, G_IO_ERROR,
                                               G_IO_ERROR_FAILED))
    emit->misplaced = TRUE;
}

static void
error_cb (TestEmitter *emitter,
          GError      *error,
          Emit        *emit)
{
  emit_check (emit, error);
  emit->n_errors++;
}

static void
item_error_cb (TestEmitter *emitter,
               GObject     *item,
               GError      *error,
               Emit        *emit)
{
  emit_check (emit, error);
  if (item != emit->item)
    emit->misplaced = TRUE;
  emit->n_item_errors++;
}

static void
task_failed_cb (TestEmitter *emitter,
                const char  *name,
                GError      *error,
                Emit        *emit)
{
  emit_check (emit, error);
  if (g_strcmp0 (name, "named") != 0)
    emit->misplaced = TRUE;
  emit->n_failures++;
}

static void
notify_cb (GObject    *object,
           GParamSpec *pspec,
           Emit       *emit)
{
  if (!on_owner (emit->f))
    emit->misplaced = TRUE;
  emit->n_notified++;
}

static void
emit_done_cb (gpointer data)
{
  Emit *emit = data;

  g_atomic_int_set (&emit->done, TRUE);
}

static GError *
new_failure (void)
{
  return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "failed");
}

static gpointer
emit_thread (gpointer data)
{
  Emit *emit = data;
  GMainContext *context = emit->f->context;

  gasync_owner_emit_error (context, GASYNC_OWNER_QUEUE, emit->emitter,
                           emitter_signals[SIGNAL_ERROR],
                           GASYNC_OWNER_ARG_NONE, NULL, new_failure (), NULL);
  gasync_owner_emit_error (context, GASYNC_OWNER_QUEUE, emit->emitter,
                           emitter_signals[SIGNAL_ITEM_ERROR],
                           GASYNC_OWNER_ARG_OBJECT, emit->item, new_failure (),
                           NULL);
  gasync_owner_emit_error (context, GASYNC_OWNER_NOW_IF_OWNER, emit->emitter,
                           emitter_signals[SIGNAL_TASK_FAILED],
                           GASYNC_OWNER_ARG_STRING, "named", new_failure (),
                           "task “named”");
  gasync_owner_notify (context, emit->emitter, emitter_props[PROP_VALUE]);
  gasync_owner_invoke (context, GASYNC_OWNER_QUEUE, emit_done_cb, emit, NULL);
  return NULL;
}

static void
test_owner_emit (Fixture       *f,
                 gconstpointer  data)
{
  Emit emit = { f };
  GThread *thread;

  g_test_summary ("Error signals of every shape and notify, queued from "
                  "another thread, are emitted on the owner context; a "
                  "failure without a handler is reported as every class "
                  "reports one");

  emit.emitter = g_object_new (TEST_TYPE_EMITTER, NULL);
  emit.item = g_object_new (G_TYPE_OBJECT, NULL);
  g_signal_connect (emit.emitter, "error", G_CALLBACK (error_cb), &emit);
  g_signal_connect (emit.emitter, "item-error", G_CALLBACK (item_error_cb),
                    &emit);
  g_signal_connect (emit.emitter, "task-failed", G_CALLBACK (task_failed_cb),
                    &emit);
  g_signal_connect (emit.emitter, "notify::value", G_CALLBACK (notify_cb),
                    &emit);

  thread = g_thread_new ("emit", emit_thread, &emit);
  gasync_test_iterate_until_flag (f->context, &emit.done);
  g_thread_join (thread);
  g_assert_false (emit.misplaced);
  g_assert_cmpuint (emit.n_errors, ==, 1);
  g_assert_cmpuint (emit.n_item_errors, ==, 1);
  g_assert_cmpuint (emit.n_failures, ==, 1);
  g_assert_cmpuint (emit.n_notified, ==, 1);

  /* A NULL object argument, and the report, at once on the owner. */
  g_signal_handlers_disconnect_by_func (emit.emitter, task_failed_cb, &emit);
  g_clear_object (&emit.item);
  g_test_expect_message ("Gasync", G_LOG_LEVEL_WARNING,
                         "Test emitter 0x*: task “unhandled” failed: failed "
                         "(connect to ::task-failed to handle it)");
  gasync_owner_emit_error (f->context, GASYNC_OWNER_NOW_IF_OWNER,
                           emit.emitter, emitter_signals[SIGNAL_TASK_FAILED],
                           GASYNC_OWNER_ARG_STRING, "unhandled",
                           new_failure (), "task “unhandled”");
  g_test_assert_expected_messages ();
  g_assert_cmpuint (emit.n_failures, ==, 1);
  gasync_owner_emit_error (f->context, GASYNC_OWNER_NOW_IF_OWNER, emit.emitter,
                           emitter_signals[SIGNAL_ITEM_ERROR],
                           GASYNC_OWNER_ARG_OBJECT, NULL, new_failure (), NULL);
  g_assert_cmpuint (emit.n_item_errors, ==, 2);

  g_assert_false (emit.misplaced);
  g_object_unref (emit.emitter);
}

typedef struct
{
  Fixture *f;
  guint n_returned;
  gboolean misplaced;
  int done;
} Returns;

static void
returned_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Returns *returns = user_data;
  GTask *task = G_TASK (result);
  g_autoptr(GError) error = NULL;
  gpointer tag = g_task_get_source_tag (task);

  if (!on_owner (returns->f))
    returns->misplaced = TRUE;

  if (tag == GINT_TO_POINTER (1))
    g_assert_true (g_task_propagate_boolean (task, &error));
  else if (tag == GINT_TO_POINTER (2))
    {
      g_assert_false (g_task_propagate_boolean (task, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
    }
  else if (tag == GINT_TO_POINTER (3))
    {
      g_autofree char *value = g_task_propagate_pointer (task, &error);

      g_assert_cmpstr (value, ==, "value");
    }
  else if (tag == GINT_TO_POINTER (4))
    {
      g_assert_null (g_task_propagate_pointer (task, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
    }
  else if (tag == GINT_TO_POINTER (5))
    g_assert_cmpint (g_task_propagate_int (task, &error), ==, 42);
  else
    g_assert_not_reached ();
  g_assert_cmpuint (returns->n_returned, ==, GPOINTER_TO_INT (tag) - 1);
  if (++returns->n_returned == 5)
    g_atomic_int_set (&returns->done, TRUE);
}

static void
complete_cb (gpointer data)
{
  g_task_return_int (data, 42);
}

static GTask *
new_task (Returns *returns,
          int      tag)
{
  GTask *task = g_task_new (NULL, NULL, returned_cb, returns);

  g_task_set_source_tag (task, GINT_TO_POINTER (tag));
  return task;
}

static void
returns_in_pool (gpointer data)
{
  GTask **tasks = data;

  gasync_owner_return_boolean (tasks[0], NULL);
  gasync_owner_return_boolean (tasks[1], new_failure ());
  gasync_owner_return_pointer (tasks[2], g_strdup ("value"), g_free, NULL);
  gasync_owner_return_pointer (tasks[3], g_strdup ("dropped"), g_free,
                               new_failure ());
  gasync_owner_complete (tasks[4], complete_cb);
}

static void
test_owner_return (Fixture       *f,
                   gconstpointer  data)
{
  Returns returns = { f };
  GTask *tasks[5];

  g_test_summary ("GTasks returned or completed from a pool thread "
                  "complete on their context, in order, with their value "
                  "or error");

  for (int i = 0; i < 5; i++)
    tasks[i] = new_task (&returns, i + 1);
  gasync_pool_push (returns_in_pool, tasks);
  gasync_test_iterate_until_flag (f->context, &returns.done);
  g_assert_false (returns.misplaced);
}

typedef struct
{
  guint n_destroyed;
  guint n_run;
  gboolean destroyed_here;
  GThread *thread;
} Dropped;

static void
dropped_run (gpointer data)
{
  ((Dropped *) data)->n_run++;
}

static void
dropped_destroy (gpointer data)
{
  Dropped *dropped = data;

  dropped->n_destroyed++;
  dropped->destroyed_here = g_thread_self () == dropped->thread;
}

static void
test_owner_context_finalized (void)
{
  GMainContext *context = g_main_context_new ();
  Dropped dropped = { 0, 0, FALSE, g_thread_self () };
  GObject *emitter;

  g_test_summary ("Calls still queued when their context is finalized do "
                  "not run, but let go of what they hold there and then: "
                  "destroy notifies run, instances are dropped (a GTask "
                  "holds its context: a return keeps it, as a source "
                  "would)");

  emitter = g_object_new (TEST_TYPE_EMITTER, NULL);
  g_object_add_weak_pointer (emitter, (gpointer *) &emitter);

  gasync_owner_invoke (context, GASYNC_OWNER_QUEUE, dropped_run, &dropped,
                       dropped_destroy);
  gasync_owner_destroy (context, GASYNC_OWNER_QUEUE, dropped_destroy, &dropped);
  gasync_owner_notify (context, emitter, emitter_props[PROP_VALUE]);
  gasync_owner_emit_error (context, GASYNC_OWNER_QUEUE, emitter,
                           emitter_signals[SIGNAL_ITEM_ERROR],
                           GASYNC_OWNER_ARG_OBJECT, emitter, new_failure (),
                           NULL);
  g_object_unref (emitter);
  g_assert_nonnull (emitter);

  g_main_context_unref (context);

  g_assert_cmpuint (dropped.n_run, ==, 0);
  g_assert_cmpuint (dropped.n_destroyed, ==, 2);
  g_assert_true (dropped.destroyed_here);
  g_assert_null (emitter);
}

static void
reuse_cb (gpointer data)
{
  g_atomic_int_set ((int *) data, TRUE);
}

static void
test_owner_contexts_come_and_go (void)
{
  g_test_summary ("Contexts made and finalized one after another, likely "
                  "at the same address, each get a scheduler of their "
                  "own");

  for (guint i = 0; i < 50; i++)
    {
      GMainContext *context = g_main_context_new ();
      int ran = FALSE;

      gasync_owner_invoke (context, GASYNC_OWNER_QUEUE, reuse_cb, &ran, NULL);
      gasync_test_iterate_until_flag (context, &ran);
      if (i % 2 == 0)
        gasync_owner_invoke (context, GASYNC_OWNER_QUEUE, reuse_cb, &ran,
                             NULL);
      g_main_context_unref (context);
    }
}

typedef struct
{
  GMainContext *context;
  GThread *owner;
  gboolean ran_on_owner;
  gboolean destroyed_on_owner;
  int done;
} FromPool;

static void
from_pool_run (gpointer data)
{
  FromPool *d = data;

  d->ran_on_owner = g_main_context_is_owner (d->context) &&
                    g_thread_self () == d->owner;
}

static void
from_pool_destroy (gpointer data)
{
  FromPool *d = data;

  d->destroyed_on_owner = g_thread_self () == d->owner;
  g_atomic_int_set (&d->done, TRUE);
}

static void
from_pool (gpointer data)
{
  FromPool *d = data;

  gasync_owner_invoke (d->context, GASYNC_OWNER_QUEUE, from_pool_run, d,
                       from_pool_destroy);
}

static void
test_owner_from_pool (Fixture       *f,
                      gconstpointer  data)
{
  FromPool d = { f->context, f->owner };

  g_test_summary ("A call queued on a pool thread runs, with its destroy "
                  "notify, in the thread that iterates the owner context");

  gasync_pool_push (from_pool, &d);
  gasync_test_iterate_until_flag (f->context, &d.done);
  g_assert_true (d.ran_on_owner);
  g_assert_true (d.destroyed_on_owner);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/gasync/owner/" path, Fixture, NULL, fixture_setup, func, \
              fixture_teardown)

  ADD ("invoke-in-order", test_owner_invoke_in_order);
  ADD ("batch-in-one-dispatch", test_owner_batch_in_one_dispatch);
  ADD ("queued-from-call-waits", test_owner_queued_from_call_waits);
  ADD ("now-if-owner", test_owner_now_if_owner);
  ADD ("drain", test_owner_drain);
  ADD ("drain-nested", test_owner_drain_nested);
  ADD ("recursion", test_owner_recursion);
  ADD ("emit", test_owner_emit);
  ADD ("return", test_owner_return);
  ADD ("from-pool", test_owner_from_pool);
  g_test_add_func ("/gasync/owner/now-if-free", test_owner_now_if_free);
  g_test_add_func ("/gasync/owner/context-finalized",
                   test_owner_context_finalized);
  g_test_add_func ("/gasync/owner/contexts-come-and-go",
                   test_owner_contexts_come_and_go);

  return g_test_run ();
}

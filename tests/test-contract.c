/* test-contract.c: the contract every libgasync class keeps, checked the
 * same way for each of them
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 *
 * The contract (CONTRIBUTING.md, "The contract", and the manual's
 * overview) says, for every class that accepts work:
 *
 *  - owner: every user callback, signal, notify and destroy notify runs on
 *    the owner context;
 *  - destroy: each destroy notify runs exactly once, before the object
 *    reports itself stopped or closed;
 *  - refused: work refused after a stop or close fails with the class's
 *    error (UNAVAILABLE or CLOSED) and gets its destroy notify;
 *  - cancelled: work that fails with G_IO_ERROR_CANCELLED, or returns FALSE
 *    after its cancellable fired, counts as cancelled, never as failed;
 *  - unhandled: a failure nobody handles is a g_warning(), unless a handler
 *    is connected to the class's failure signal;
 *  - last-unref: dropping the last reference while work runs does what the
 *    class's documentation says.
 *
 * One row of the table below per class (or per form of a class) adapts its
 * API: how to submit a unit of work, how to stop it and how it reports
 * that. Every check runs over every row, as /gasync/contract/<row>/<check>;
 * a check that cannot apply to a row is skipped with the reason the row
 * gives.
 *
 * The test thread owns the owner context for the whole test (it has
 * acquired it, as a running main loop does), so "on the owner context" is
 * g_main_context_is_owner() in the thread that runs it.
 */

#include "config.h"

#include <gasync.h>

#include "gasync-test-util.h"

typedef enum
{
  WORK_OK,            /* succeeds */
  WORK_FAIL,          /* fails with G_IO_ERROR_FAILED */
  WORK_CANCELLED_NOW, /* fails with G_IO_ERROR_CANCELLED at once */
  WORK_CANCEL,        /* waits for its cancellable, then CANCELLED */
  WORK_CANCEL_FALSE,  /* waits for its cancellable, then FALSE, no error */
  WORK_BLOCK,         /* waits until released (TRUE) or cancelled */
} WorkKind;

typedef enum
{
  CHECK_OWNER,
  CHECK_DESTROY,
  CHECK_REFUSED,
  CHECK_CANCELLED,
  CHECK_UNHANDLED,
  CHECK_LAST_UNREF,
  N_CHECKS
} Check;

static const char *check_names[N_CHECKS] = {
  "owner", "destroy", "refused", "cancelled", "unhandled", "last-unref",
};

/* Where a row's work runs. */
typedef enum
{
  BODY_THREAD,        /* a task function on a worker thread */
  BODY_OWNER_ASYNC,   /* begun on the owner context, ended later */
  BODY_OWNER_SYNC,    /* a function run to its end on the owner context */
} Body;

typedef enum
{
  LAST_UNREF_KEEPS,   /* running work keeps the object until it ends */
  LAST_UNREF_CANCELS, /* the last unref cancels the running work */
} LastUnref;

typedef struct _Fx Fx;
typedef struct _Unit Unit;
typedef struct _Row Row;

struct _Unit
{
  Fx *fx;
  WorkKind kind;
  gboolean accepted;
  int started;          /* atomic */
  int released;         /* atomic */
  int saw_cancel;       /* atomic */
  int destroyed;        /* atomic */
  gboolean reported;    /* a report of its own came */
  int destroyed_at_report;

  /* BODY_OWNER_ASYNC: how the work ends, on the owner context. */
  GasyncTaskToken *token;
  GasyncRunner *runner;
  GCancellable *cancellable;
  gulong cancelled_id;
};

struct _Row
{
  const char *name;
  Body body;
  /* Makes fx->object (optional for rows with one object per unit). */
  void (*create) (Fx *fx);
  /* Submits @unit; FALSE with @error when the object refuses it. */
  gboolean (*submit) (Fx *fx, Unit *unit, GError **error);
  /* Optional: starts the submitted work (a batch, a runner). */
  void (*start) (Fx *fx);
  /* Stops (fx->forced: cancels the running work too); the object reports
   * it with fx_report() on the owner context, once per fx_expect(). */
  void (*stop) (Fx *fx);
  /* The signal that reports a failure, or NULL (failures go to a caller). */
  const char *failure_signal;
  /* Optional: the failures the object keeps or returns, besides signals. */
  guint (*n_failures) (Fx *fx);
  /* Refusal after stop: the error, or the domain is NULL and the refusal
   * has no GError (the row's skip says why, or the check sees no error). */
  GQuark (*refused_domain) (void);
  int refused_code;
  LastUnref last_unref;
  const char *last_unref_warning;
  /* It runs one unit at a time. */
  gboolean serial;
  /* Each destroy notify runs when its object is finalized (the work is
   * the object's own function), not when the work ends. */
  gboolean destroy_at_finalize;
  /* Why a check does not apply to the row, or NULL. */
  const char *skip[N_CHECKS];
};

struct _Fx
{
  const Row *row;
  GMainContext *context;
  GThread *owner_thread;
  gboolean forced;
  gboolean handle_failures;

  gpointer object;        /* a reference, or NULL */
  GPtrArray *objects;     /* more objects under test, references */
  GPtrArray *items;       /* GObject items for a batch */
  GCancellable *cancellable;
  GPtrArray *units;       /* Unit, owned */

  int n_alive;            /* atomic: objects not yet finalized */
  int n_expected;         /* reports that stop() asked for */
  int n_reports;          /* of those, made */
  int n_destroyed_at_report; /* the fewest destroyed units at any report */
  gboolean stopped_notified;    /* notify::state said stopped */
  int n_destroyed_at_stopped_notify; /* at the last such notify */
  GError *stop_error;     /* the first error a report carried */
  int n_signalled_failures;

  int off_owner;          /* atomic: callbacks that ran elsewhere */
  const char *first_off_owner; /* atomic: what the first was */
};

/* Records that a callback (@what, a static string) runs now. */
static void
fx_record (Fx         *fx,
           const char *what)
{
  if (g_thread_self () == fx->owner_thread &&
      g_main_context_is_owner (fx->context))
    return;
  g_atomic_int_inc (&fx->off_owner);
  g_atomic_pointer_compare_and_exchange (&fx->first_off_owner, NULL,
                                         (gpointer) what);
}

static void
fx_assert_owner (Fx *fx)
{
  if (g_atomic_int_get (&fx->off_owner) > 0)
    g_error ("%s: %d callbacks ran off the owner context, the first: %s",
             fx->row->name, g_atomic_int_get (&fx->off_owner),
             (const char *) g_atomic_pointer_get (&fx->first_off_owner));
}

static guint
fx_n_destroyed (Fx *fx)
{
  guint n = 0;

  for (guint i = 0; i < fx->units->len; i++)
    n += g_atomic_int_get (&((Unit *) fx->units->pdata[i])->destroyed);
  return n;
}

/* A report that the object stopped (a signal, a notify, a callback): every
 * destroy notify of the accepted work has run by then. */
static void
fx_note_report (Fx           *fx,
                const char   *what,
                const GError *error)
{
  fx_record (fx, what);
  fx->n_destroyed_at_report = MIN (fx->n_destroyed_at_report,
                                   (int) fx_n_destroyed (fx));
  if (error != NULL && fx->stop_error == NULL)
    fx->stop_error = g_error_copy (error);
}

/* The same, for a report that stop() waits for. */
static void
fx_report (Fx           *fx,
           const char   *what,
           const GError *error)
{
  fx_note_report (fx, what, error);
  fx->n_reports++;
}

static void
fx_expect (Fx *fx)
{
  fx->n_expected++;
}

static void
fx_gone_cb (gpointer  data,
            GObject  *where_the_object_was)
{
  Fx *fx = data;

  g_atomic_int_dec_and_test (&fx->n_alive);
  g_main_context_wakeup (fx->context);
}

/* Watches @object's finalization. */
static void
fx_watch (Fx      *fx,
          gpointer object)
{
  g_atomic_int_inc (&fx->n_alive);
  g_object_weak_ref (G_OBJECT (object), fx_gone_cb, fx);
}

/* Iterates the owner context until @predicate (@fx) holds: the shared
 * bounded wait, whose tick re-checks what other threads change. */
#define fx_iterate_until(fx, predicate, what)                              \
  gasync_test_iterate_until_at ((fx)->context, (predicate), (fx),          \
                                GASYNC_TEST_TIMEOUT_SECONDS, G_STRLOC, (what))

/* Runs what is ready on the owner context now. */
static void
fx_flush (Fx *fx)
{
  gasync_test_flush (fx->context);
}

static gboolean
reports_done (gpointer data)
{
  Fx *fx = data;

  return fx->n_reports >= fx->n_expected;
}

static gboolean
units_started (gpointer data)
{
  Fx *fx = data;

  for (guint i = 0; i < fx->units->len; i++)
    {
      Unit *unit = fx->units->pdata[i];

      /* Work that waits for its cancellable; with one object per unit,
       * any work (a stop could come before the first run otherwise). */
      if (unit->accepted &&
          (unit->kind >= WORK_CANCEL || fx->row->create == NULL) &&
          !g_atomic_int_get (&unit->started))
        return FALSE;
    }
  return TRUE;
}

static gboolean
units_destroyed (gpointer data)
{
  Fx *fx = data;

  for (guint i = 0; i < fx->units->len; i++)
    if (g_atomic_int_get (&((Unit *) fx->units->pdata[i])->destroyed) == 0)
      return FALSE;
  return TRUE;
}

static gboolean
objects_gone (gpointer data)
{
  Fx *fx = data;

  return g_atomic_int_get (&fx->n_alive) == 0;
}

/* Units. */

static void
unit_free (gpointer data)
{
  Unit *unit = data;

  g_assert_null (unit->token);
  g_assert_null (unit->runner);
  g_clear_object (&unit->cancellable);
  g_free (unit);
}

static Unit *
fx_new_unit (Fx       *fx,
             WorkKind  kind)
{
  Unit *unit = g_new0 (Unit, 1);

  unit->fx = fx;
  unit->kind = kind;
  g_ptr_array_add (fx->units, unit);
  return unit;
}

/* The destroy notify of a unit's work (or of its item). */
static void
unit_destroy (gpointer data)
{
  Unit *unit = data;

  fx_record (unit->fx, "a destroy notify");
  g_atomic_int_inc (&unit->destroyed);
}

/* Waits, in a worker thread, for what ends a blocking unit. */
static void
unit_wait (Unit         *unit,
           GCancellable *cancellable)
{
  gint64 deadline = gasync_test_deadline (30);

  while (!g_cancellable_is_cancelled (cancellable) &&
         !(unit->kind == WORK_BLOCK && g_atomic_int_get (&unit->released)))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("%s: a unit of work waited for its end in vain",
                 unit->fx->row->name);
      g_usleep (500);
    }
}

/* The body of a unit, wherever it runs. */
static gboolean
unit_run (Unit          *unit,
          GCancellable  *cancellable,
          GError       **error)
{
  g_atomic_int_set (&unit->started, TRUE);
  switch (unit->kind)
    {
    case WORK_OK:
      return TRUE;
    case WORK_FAIL:
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           "contract failure");
      return FALSE;
    case WORK_CANCELLED_NOW:
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                           "contract cancelled");
      return FALSE;
    case WORK_CANCEL:
    case WORK_CANCEL_FALSE:
    case WORK_BLOCK:
    default:
      unit_wait (unit, cancellable);
      if (!g_cancellable_is_cancelled (cancellable))
        return TRUE;
      g_atomic_int_set (&unit->saw_cancel, TRUE);
      if (unit->kind != WORK_CANCEL_FALSE)
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                             "contract cancelled");
      return FALSE;
    }
}

static gboolean
unit_task_func (GCancellable  *cancellable,
                gpointer       user_data,
                GError       **error)
{
  return unit_run (user_data, cancellable, error);
}

static gboolean
unit_pointer_func (gpointer       item,
                   GCancellable  *cancellable,
                   gpointer       user_data,
                   GError       **error)
{
  Unit *unit = item;

  if (unit->fx->row->body == BODY_OWNER_SYNC)
    fx_record (unit->fx, "a main-context work function");
  return unit_run (unit, cancellable, error);
}

/* An item that is a GObject: its finalization is the unit's destroy. */

#define CONTRACT_TYPE_ITEM (contract_item_get_type ())
G_DECLARE_FINAL_TYPE (ContractItem, contract_item, CONTRACT, ITEM, GObject)

struct _ContractItem
{
  GObject parent_instance;
  Unit *unit;
};

G_DEFINE_FINAL_TYPE (ContractItem, contract_item, G_TYPE_OBJECT)

static void
contract_item_finalize (GObject *object)
{
  unit_destroy (CONTRACT_ITEM (object)->unit);
  G_OBJECT_CLASS (contract_item_parent_class)->finalize (object);
}

static void
contract_item_class_init (ContractItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = contract_item_finalize;
}

static void
contract_item_init (ContractItem *self)
{
}

static GObject *
contract_item_new (Unit *unit)
{
  ContractItem *item = g_object_new (CONTRACT_TYPE_ITEM, NULL);

  item->unit = unit;
  return G_OBJECT (item);
}

static gboolean
unit_work_func (GObject       *item,
                GCancellable  *cancellable,
                gpointer       user_data,
                GError       **error)
{
  return unit_run (CONTRACT_ITEM (item)->unit, cancellable, error);
}

/* Main-context work: begun on the owner context, ended there later, by the
 * cancellable's handler or by the test's release. */

static void
unit_end_async (Unit *unit)
{
  if (unit->token != NULL)
    gasync_task_token_end (unit->token);
  g_clear_object (&unit->token);
  if (unit->runner != NULL)
    {
      if (g_atomic_int_get (&unit->saw_cancel))
        {
          g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR,
                                                         G_IO_ERROR_CANCELLED,
                                                         "contract cancelled");

          gasync_runner_complete (unit->runner, error);
        }
      else
        gasync_runner_complete_ok (unit->runner);
      g_clear_object (&unit->runner);
    }
}

static void
unit_cancelled_cb (GCancellable *cancellable,
                   gpointer      data)
{
  Unit *unit = data;

  fx_record (unit->fx, "a cancelled handler of main-context work");
  g_atomic_int_set (&unit->saw_cancel, TRUE);
  unit_end_async (unit);
}

/* Begins a unit on the owner context; it ends through unit_end_async().
 * Returns FALSE with @error for a unit that fails at once. */
static gboolean
unit_begin (Unit          *unit,
            GCancellable  *cancellable,
            GError       **error)
{
  fx_record (unit->fx, "a main-context begin function");
  g_atomic_int_set (&unit->started, TRUE);
  switch (unit->kind)
    {
    case WORK_OK:
      unit_end_async (unit);
      return TRUE;
    case WORK_FAIL:
    case WORK_CANCELLED_NOW:
      /* A token ends whatever the outcome; a runner completes with the
       * error (unit_start_func()). */
      if (unit->token != NULL)
        gasync_task_token_end (unit->token);
      g_clear_object (&unit->token);
      return unit_run (unit, cancellable, error);
    case WORK_CANCEL:
    case WORK_CANCEL_FALSE:
    case WORK_BLOCK:
    default:
      unit->cancellable = g_object_ref (cancellable);
      unit->cancelled_id = g_cancellable_connect (cancellable,
                                                  G_CALLBACK (unit_cancelled_cb),
                                                  unit, NULL);
      return TRUE;
    }
}

static gboolean
unit_begin_func (GObject          *item,
                 GasyncTaskToken  *token,
                 GCancellable     *cancellable,
                 gpointer          user_data,
                 GError          **error)
{
  Unit *unit = CONTRACT_ITEM (item)->unit;

  unit->token = g_object_ref (token);
  return unit_begin (unit, cancellable, error);
}

/* The test's own end of a blocking unit. */
static void
unit_release (Unit *unit)
{
  g_atomic_int_set (&unit->released, TRUE);
  if (unit->cancellable != NULL && !g_atomic_int_get (&unit->saw_cancel))
    {
      g_cancellable_disconnect (unit->cancellable, unit->cancelled_id);
      unit_end_async (unit);
    }
}

/* Failure signals: one handler that takes any arguments. */
static void
failure_cb (GObject *object,
            gpointer data)
{
  Fx *fx = g_object_get_data (object, "contract-fx");

  fx_record (fx, "a failure signal");
  fx->n_signalled_failures++;
}

static void
notify_cb (GObject    *object,
           GParamSpec *pspec,
           gpointer    data)
{
  fx_record (data, "a notify");
}

/* Watches an object under test: its finalization, its notifies and, when
 * the test handles failures, its failure signal. */
static void
fx_adopt (Fx      *fx,
          gpointer object)
{
  fx_watch (fx, object);
  g_object_set_data (object, "contract-fx", fx);
  g_signal_connect (object, "notify", G_CALLBACK (notify_cb), fx);
  if (fx->handle_failures && fx->row->failure_signal != NULL)
    g_signal_connect (object, fx->row->failure_signal,
                      G_CALLBACK (failure_cb), NULL);
}

static void
fx_add_object (Fx      *fx,
               gpointer object)
{
  fx_adopt (fx, object);
  g_ptr_array_add (fx->objects, object);
}

/* GasyncStopper: tasks on the pool. */

static void
stopper_stopped_cb (GasyncStopper *stopper,
                    gpointer       data)
{
  fx_note_report (data, "GasyncStopper::stopped", NULL);
}

static void
stopper_create (Fx *fx)
{
  fx->object = gasync_stopper_new ();
  fx_adopt (fx, fx->object);
  g_signal_connect (fx->object, "stopped", G_CALLBACK (stopper_stopped_cb),
                    fx);
}

static gboolean
stopper_submit_task (Fx       *fx,
                     Unit     *unit,
                     GError  **error)
{
  return gasync_stopper_run_async_task (fx->object, "contract",
                                        unit_task_func, unit, unit_destroy,
                                        error);
}

static void
stopper_stop_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      data)
{
  g_autoptr(GError) error = NULL;

  gasync_stopper_stop_finish (GASYNC_STOPPER (object), result, &error);
  fx_report (data, "the callback of gasync_stopper_stop_async()", error);
}

static void
stopper_stop (Fx *fx)
{
  fx_expect (fx);
  gasync_stopper_stop_async (fx->object, NULL, stopper_stop_cb, fx);
}

static GQuark
gasync_error_domain (void)
{
  return GASYNC_ERROR;
}

/* GasyncStopper: main-loop work counted with task tokens. */

static gboolean
stopper_submit_token (Fx       *fx,
                      Unit     *unit,
                      GError  **error)
{
  GasyncTaskToken *token = gasync_stopper_begin_task (fx->object, "contract",
                                                      error);

  if (token == NULL)
    return FALSE;
  unit->token = token;
  unit_begin (unit, gasync_stopper_get_quiesce_cancellable (fx->object),
              NULL);
  return TRUE;
}

/* GasyncTasks */

static void
tasks_create (Fx *fx)
{
  fx->object = gasync_tasks_new ("contract");
  fx_adopt (fx, fx->object);
}

static gboolean
tasks_submit (Fx       *fx,
              Unit     *unit,
              GError  **error)
{
  gasync_tasks_run (fx->object, "contract", fx->cancellable, unit_task_func,
                    unit, unit_destroy);
  return TRUE;
}

static gboolean
tasks_submit_token (Fx       *fx,
                    Unit     *unit,
                    GError  **error)
{
  unit->token = gasync_tasks_begin_task (fx->object, "contract");
  unit_begin (unit, fx->cancellable, NULL);
  return TRUE;
}

static void
tasks_wait_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      data)
{
  g_autoptr(GError) error = NULL;

  gasync_tasks_wait_finish (GASYNC_TASKS (object), result, &error);
  fx_report (data, "the callback of gasync_tasks_wait_async()", error);
}

static void
tasks_stop (Fx *fx)
{
  if (fx->forced)
    g_cancellable_cancel (fx->cancellable);
  fx_expect (fx);
  gasync_tasks_wait_async (fx->object, NULL, tasks_wait_cb, fx);
}

static guint
tasks_n_failures (Fx *fx)
{
  g_autoptr(GPtrArray) errors = gasync_tasks_dup_errors (fx->object);

  return errors->len;
}

/* GasyncWorkQueue */

static void
work_queue_setup (Fx              *fx,
                  GasyncWorkQueue *queue)
{
  fx->object = queue;
  fx_adopt (fx, queue);
  gasync_work_queue_set_parallelism (queue, 8);
  /* Forced: the close cancels what runs at once. */
  gasync_work_queue_set_shutdown_grace_period (queue,
                                               fx->forced ? 0 : G_MAXINT64);
  g_assert_true (gasync_work_queue_start (queue, NULL));
}

static void
work_queue_create_thread (Fx *fx)
{
  work_queue_setup (fx, gasync_work_queue_new (unit_work_func, NULL, NULL));
}

static void
work_queue_create_pointers (Fx *fx)
{
  work_queue_setup (fx, gasync_work_queue_new_for_pointers (unit_pointer_func,
                                                            NULL, NULL,
                                                            unit_destroy));
}

static void
work_queue_create_main (Fx *fx)
{
  work_queue_setup (fx, gasync_work_queue_new_for_main_context (unit_begin_func,
                                                                NULL, NULL));
}

/* An item the object refuses stays the caller's: it drops it. */
static gboolean
submit_item (Fx        *fx,
             Unit      *unit,
             gboolean (*enqueue) (gpointer self, GObject *item, GError **error),
             GError   **error)
{
  GObject *item = contract_item_new (unit);
  gboolean ok = enqueue (fx->object, item, error);

  g_object_unref (item);
  return ok;
}

static gboolean
work_queue_submit (Fx       *fx,
                   Unit     *unit,
                   GError  **error)
{
  return submit_item (fx, unit, (gpointer) gasync_work_queue_try_enqueue,
                      error);
}

static gboolean
work_queue_submit_pointer (Fx       *fx,
                           Unit     *unit,
                           GError  **error)
{
  if (gasync_work_queue_try_enqueue_pointer (fx->object, unit, error))
    return TRUE;
  /* Refused: the caller keeps (and frees) the item. */
  unit_destroy (unit);
  return FALSE;
}

static void
work_queue_close_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      data)
{
  g_autoptr(GError) error = NULL;

  gasync_work_queue_close_finish (GASYNC_WORK_QUEUE (object), result, NULL,
                                  &error);
  fx_report (data, "the callback of gasync_work_queue_close_async()", error);
}

static void
work_queue_stop (Fx *fx)
{
  fx_expect (fx);
  gasync_work_queue_close_async (fx->object, NULL, work_queue_close_cb, fx);
}

/* GasyncBatch */

static void
batch_create_thread (Fx *fx)
{
  fx->object = gasync_batch_new (unit_work_func, NULL, NULL);
  fx_adopt (fx, fx->object);
  gasync_batch_set_parallelism (fx->object, 8);
}

static void
batch_create_main (Fx *fx)
{
  fx->object = gasync_batch_new_for_main_context (unit_begin_func, NULL, NULL);
  fx_adopt (fx, fx->object);
  gasync_batch_set_parallelism (fx->object, 8);
}

static gboolean
batch_submit (Fx       *fx,
              Unit     *unit,
              GError  **error)
{
  g_ptr_array_add (fx->items, contract_item_new (unit));
  return TRUE;
}

static void
batch_run_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      data)
{
  g_autoptr(GError) error = NULL;

  gasync_batch_run_finish (GASYNC_BATCH (object), result, &error);
  fx_report (data, "the callback of gasync_batch_run_async()", error);
}

static void
batch_start (Fx *fx)
{
  fx_expect (fx);
  gasync_batch_run_async (fx->object, fx->items, fx->cancellable,
                          batch_run_cb, fx);
  /* The run holds the items now: each is destroyed once the run is done
   * with it. */
  g_ptr_array_set_size (fx->items, 0);
}

static void
cancel_if_forced (Fx *fx)
{
  if (fx->forced)
    g_cancellable_cancel (fx->cancellable);
}

static guint
batch_n_failures (Fx *fx)
{
  g_autoptr(GPtrArray) errors = gasync_batch_dup_errors (fx->object);

  return errors->len;
}

/* GasyncWorker */

static void
worker_state_cb (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    data)
{
  Fx *fx = data;

  /* Each transition posts a notify, which reads the state when it runs:
   * the last notify of a stopped worker is the one of its stop. */
  fx_record (fx, "notify::state of a GasyncWorker");
  if (gasync_worker_get_state (GASYNC_WORKER (object)) ==
      GASYNC_LATCH_STATE_STOPPED)
    {
      fx->n_destroyed_at_stopped_notify = fx_n_destroyed (fx);
      if (!fx->stopped_notified)
        fx->n_reports++;
      fx->stopped_notified = TRUE;
    }
}

static void
worker_setup (Fx           *fx,
              GasyncWorker *worker)
{
  fx->object = worker;
  fx_adopt (fx, worker);
  g_signal_connect (worker, "notify::state", G_CALLBACK (worker_state_cb), fx);
  g_assert_true (gasync_worker_start (worker, NULL));
}

static void
worker_create_thread (Fx *fx)
{
  worker_setup (fx, gasync_worker_new (unit_pointer_func, NULL, NULL));
}

static void
worker_create_main (Fx *fx)
{
  worker_setup (fx, gasync_worker_new_for_main_context (unit_pointer_func,
                                                        NULL, NULL));
}

static gboolean
worker_submit (Fx       *fx,
               Unit     *unit,
               GError  **error)
{
  if (gasync_worker_enqueue_pointer (fx->object, unit, unit_destroy))
    return TRUE;
  /* Refused: the caller keeps (and frees) the item. */
  unit_destroy (unit);
  return FALSE;
}

static void
worker_stop (Fx *fx)
{
  g_autoptr(GError) error = NULL;

  /* No asynchronous form: the blocking one, then the report is the
   * notify of the stopped state, on the owner context. */
  fx_expect (fx);
  if (fx->forced)
    gasync_worker_close (fx->object);
  else
    g_assert_true (gasync_worker_stop (fx->object, NULL, &error));
  g_assert_no_error (error);
}

/* GasyncInterval: the action is the interval's own function. */

static void
interval_state_cb (GObject    *object,
                   GParamSpec *pspec,
                   gpointer    data)
{
  Fx *fx = data;

  if (gasync_interval_get_state (GASYNC_INTERVAL (object)) ==
      GASYNC_LATCH_STATE_STOPPED)
    fx_note_report (fx, "notify::state of a stopped GasyncInterval", NULL);
}

static gboolean
interval_submit (Fx                 *fx,
                 Unit               *unit,
                 GasyncIntervalMode  mode)
{
  GasyncInterval *interval = gasync_interval_new (unit_task_func, unit,
                                                  unit_destroy);

  fx_add_object (fx, interval);
  g_signal_connect (interval, "notify::state", G_CALLBACK (interval_state_cb),
                    fx);
  gasync_interval_set_mode (interval, mode);
  gasync_interval_set_delay (interval, 0);
  gasync_interval_set_interval (interval, 1000);
  gasync_interval_set_stop_on_error (interval, TRUE);
  g_assert_true (gasync_interval_start (interval, NULL));
  return TRUE;
}

static gboolean
interval_submit_thread (Fx       *fx,
                        Unit     *unit,
                        GError  **error)
{
  return interval_submit (fx, unit, GASYNC_INTERVAL_MODE_THREAD);
}

static gboolean
interval_submit_main (Fx       *fx,
                      Unit     *unit,
                      GError  **error)
{
  return interval_submit (fx, unit, GASYNC_INTERVAL_MODE_MAIN_CONTEXT);
}

static void
interval_stop (Fx *fx)
{
  for (guint i = 0; i < fx->objects->len; i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (gasync_interval_stop (fx->objects->pdata[i], NULL,
                                           &error) ||
                     g_error_matches (error, GASYNC_ERROR,
                                      GASYNC_ERROR_NOT_STARTED));
    }
}

/* GasyncRunner, GasyncGroupRunner */

static void
runner_stop_func (gpointer data)
{
  Unit *unit = data;

  fx_record (unit->fx, "a runner's stop function");
}

static void
unit_start_func (GasyncRunner *runner,
                 GCancellable *cancellable,
                 gpointer      user_data)
{
  Unit *unit = user_data;
  g_autoptr(GError) error = NULL;

  unit->runner = g_object_ref (runner);
  if (!unit_begin (unit, cancellable, &error))
    {
      gasync_runner_complete (runner, error);
      g_clear_object (&unit->runner);
    }
}

static GasyncRunner *
runner_new_for_unit (Fx   *fx,
                     Unit *unit)
{
  g_autofree char *id = g_strdup_printf ("contract %u", fx->units->len);

  if (fx->row->body == BODY_OWNER_ASYNC)
    return gasync_runner_new_for_main_loop (id, unit_start_func,
                                            runner_stop_func, unit,
                                            unit_destroy);
  return gasync_runner_new (id, unit_task_func, runner_stop_func, unit,
                            unit_destroy);
}

static gboolean
runner_submit (Fx       *fx,
               Unit     *unit,
               GError  **error)
{
  fx_add_object (fx, runner_new_for_unit (fx, unit));
  return TRUE;
}

static void
runner_run_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      data)
{
  Fx *fx = data;
  g_autoptr(GError) error = NULL;

  gasync_runner_run_finish (GASYNC_RUNNER (object), result, &error);
  if (error != NULL && !g_error_matches (error, G_IO_ERROR,
                                         G_IO_ERROR_CANCELLED))
    fx->n_signalled_failures++;
  fx_report (fx, "the callback of gasync_runner_run_async()", error);
}

static void
runner_start (Fx *fx)
{
  for (guint i = 0; i < fx->objects->len; i++)
    {
      fx_expect (fx);
      gasync_runner_run_async (fx->objects->pdata[i], NULL, runner_run_cb, fx);
    }
}

static void
runner_stop (Fx *fx)
{
  if (fx->forced)
    for (guint i = 0; i < fx->objects->len; i++)
      gasync_runner_interrupt (fx->objects->pdata[i]);
}

static void
group_runner_create (Fx *fx)
{
  fx->object = gasync_group_runner_new ();
  fx_adopt (fx, fx->object);
}

static gboolean
group_runner_submit (Fx       *fx,
                     Unit     *unit,
                     GError  **error)
{
  g_autoptr(GasyncRunner) runner = runner_new_for_unit (fx, unit);

  g_signal_connect (runner, "notify", G_CALLBACK (notify_cb), fx);
  gasync_group_runner_add (fx->object, runner);
  return TRUE;
}

static void
group_runner_run_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      data)
{
  Fx *fx = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) results = NULL;

  results = gasync_group_runner_run_finish (GASYNC_GROUP_RUNNER (object),
                                            result, &error);
  for (guint i = 0; results != NULL && i < results->len; i++)
    {
      const GError *run_error = gasync_runner_result_get_error (results->pdata[i]);

      if (run_error != NULL &&
          !g_error_matches (run_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        fx->n_signalled_failures++;
    }
  fx_report (fx, "the callback of gasync_group_runner_run_async()", error);
}

static void
group_runner_start (Fx *fx)
{
  fx_expect (fx);
  gasync_group_runner_run_async (fx->object, NULL, group_runner_run_cb, fx);
}

static void
group_runner_stop (Fx *fx)
{
  if (fx->forced)
    gasync_group_runner_interrupt (fx->object);
}

/* GasyncEventLoop: callbacks on the loop's context. */

static gboolean
unit_loop_func (gpointer   user_data,
                GError   **error)
{
  Unit *unit = user_data;

  fx_record (unit->fx, "an event loop callback");
  return unit_run (unit, NULL, error);
}

static void
event_loop_create (Fx *fx)
{
  fx->object = gasync_event_loop_new (fx->context);
  fx_adopt (fx, fx->object);
}

static gboolean
event_loop_submit (Fx       *fx,
                   Unit     *unit,
                   GError  **error)
{
  GasyncPendingCallback *pending;

  pending = gasync_event_loop_reserve_callback (fx->object);
  gasync_pending_callback_enqueue (pending, unit_loop_func, unit,
                                   unit_destroy);
  gasync_pending_callback_unref (pending);
  return TRUE;
}

static gboolean
nothing_loop_func (gpointer   user_data,
                   GError   **error)
{
  return TRUE;
}

static void
event_loop_stop (Fx *fx)
{
  g_autoptr(GError) error = NULL;

  gasync_event_loop_start (fx->object, nothing_loop_func, NULL, &error);
  fx_expect (fx);
  fx_report (fx, "the return of gasync_event_loop_start()", error);
}

/* GasyncFuture: gasync_future_run_in_thread(). */

static void
future_await_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      data)
{
  Unit *unit = data;
  Fx *fx = unit->fx;
  g_autoptr(GError) error = NULL;
  GValue *value;

  value = gasync_future_await_finish (GASYNC_FUTURE (object), result, &error);
  if (value != NULL)
    {
      g_value_unset (value);
      g_free (value);
    }
  if (error != NULL && !g_error_matches (error, G_IO_ERROR,
                                         G_IO_ERROR_CANCELLED))
    fx->n_signalled_failures++;
  /* Each future reports its own unit. */
  unit->destroyed_at_report = g_atomic_int_get (&unit->destroyed);
  unit->reported = TRUE;
  fx->n_reports++;
  fx_record (fx, "the callback of gasync_future_await_async()");
  if (error != NULL && fx->stop_error == NULL)
    fx->stop_error = g_error_copy (error);
}

static gboolean
future_submit (Fx       *fx,
               Unit     *unit,
               GError  **error)
{
  GasyncFuture *future = gasync_future_run_in_thread (fx->cancellable,
                                                      unit_task_func, unit,
                                                      unit_destroy);

  fx_add_object (fx, future);
  fx_expect (fx);
  gasync_future_await_async (future, NULL, future_await_cb, unit);
  return TRUE;
}

/* The value forms, gasync_stopper_submit() and gasync_tasks_submit(): the
 * work reports through its future, as a future does; a refusal rejects
 * the future at once. */

static gboolean
unit_value_func (GCancellable  *cancellable,
                 GasyncFuture  *result,
                 gpointer       user_data,
                 GError       **error)
{
  return unit_run (user_data, cancellable, error);
}

static gboolean
value_future_await (Fx            *fx,
                    Unit          *unit,
                    GasyncFuture  *future,
                    GError       **error)
{
  const GError *rejection = gasync_future_get_error (future);

  if (g_error_matches (rejection, GASYNC_ERROR, GASYNC_ERROR_UNAVAILABLE))
    {
      g_propagate_error (error, g_error_copy (rejection));
      g_object_unref (future);
      return FALSE;
    }
  fx_add_object (fx, future);
  fx_expect (fx);
  gasync_future_await_async (future, NULL, future_await_cb, unit);
  return TRUE;
}

static gboolean
stopper_submit_value (Fx       *fx,
                      Unit     *unit,
                      GError  **error)
{
  return value_future_await (fx, unit,
                             gasync_stopper_submit (fx->object, "contract",
                                                    unit_value_func, unit,
                                                    unit_destroy),
                             error);
}

static gboolean
tasks_submit_value (Fx       *fx,
                    Unit     *unit,
                    GError  **error)
{
  return value_future_await (fx, unit,
                             gasync_tasks_submit (fx->object, "contract",
                                                  fx->cancellable,
                                                  unit_value_func, unit,
                                                  unit_destroy),
                             error);
}

/* GasyncSemaphore, GasyncMutex: the work is a queued acquirer. */

static void
semaphore_acquired_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      data)
{
  Unit *unit = data;
  g_autoptr(GError) error = NULL;

  if (gasync_semaphore_acquire_finish (GASYNC_SEMAPHORE (object), result,
                                       &error))
    gasync_semaphore_release (GASYNC_SEMAPHORE (object));
  else
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_atomic_int_set (&unit->started, TRUE);
  unit_destroy (unit);
}

static void
semaphore_create (Fx *fx)
{
  fx->object = gasync_semaphore_new (1);
  fx_adopt (fx, fx->object);
  g_assert_true (gasync_semaphore_try_acquire (fx->object));
}

static gboolean
semaphore_submit (Fx       *fx,
                  Unit     *unit,
                  GError  **error)
{
  gasync_semaphore_acquire_async (fx->object, fx->cancellable,
                                  semaphore_acquired_cb, unit);
  return TRUE;
}

static void
semaphore_stop (Fx *fx)
{
  cancel_if_forced (fx);
  gasync_semaphore_release (fx->object);
}

static void
mutex_locked_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      data)
{
  Unit *unit = data;
  g_autoptr(GError) error = NULL;

  if (gasync_mutex_lock_finish (GASYNC_MUTEX (object), result, &error))
    gasync_mutex_unlock (GASYNC_MUTEX (object));
  else
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_atomic_int_set (&unit->started, TRUE);
  unit_destroy (unit);
}

static void
mutex_create (Fx *fx)
{
  fx->object = gasync_mutex_new ();
  fx_adopt (fx, fx->object);
  g_assert_true (gasync_mutex_try_lock (fx->object));
}

static gboolean
mutex_submit (Fx       *fx,
              Unit     *unit,
              GError  **error)
{
  gasync_mutex_lock_async (fx->object, fx->cancellable, mutex_locked_cb,
                           unit);
  return TRUE;
}

static void
mutex_stop (Fx *fx)
{
  cancel_if_forced (fx);
  gasync_mutex_unlock (fx->object);
}

/* The table. */

#define NO_REFUSAL_TASKS "GasyncTasks has no stop: it never refuses work"
#define ONE_FUNCTION "its work is the function given at creation: nothing " \
                     "is submitted after a stop"
#define NO_FAILURE_TOKEN "a task token carries no error: main-loop work " \
                         "reports its failures itself"
#define NO_DESTROY_TOKEN "a task token has no destroy notify"
#define TO_CALLER "failures go back to the caller of the run"
#define SYNC_ON_OWNER "its work runs to its end on the owner context: " \
                      "nothing can cancel it midway"
#define NO_STOP_LOCK "it has no stop or close, and no failure to report"

static const Row rows[] = {
  {
    .name = "stopper/task", .body = BODY_THREAD,
    .create = stopper_create, .submit = stopper_submit_task,
    .stop = stopper_stop, .failure_signal = "task-failed",
    .refused_domain = gasync_error_domain,
    .refused_code = GASYNC_ERROR_UNAVAILABLE,
    .last_unref = LAST_UNREF_KEEPS,
    .last_unref_warning = "*finalized without gasync_stopper_stop()*",
  },
  {
    .name = "stopper/token", .body = BODY_OWNER_ASYNC,
    .create = stopper_create, .submit = stopper_submit_token,
    .stop = stopper_stop,
    .refused_domain = gasync_error_domain,
    .refused_code = GASYNC_ERROR_UNAVAILABLE,
    .last_unref = LAST_UNREF_KEEPS,
    .last_unref_warning = "*finalized without gasync_stopper_stop()*",
    .skip = {
      [CHECK_DESTROY] = NO_DESTROY_TOKEN,
      [CHECK_UNHANDLED] = NO_FAILURE_TOKEN,
    },
  },
  {
    .name = "stopper/submit", .body = BODY_THREAD,
    .create = stopper_create, .submit = stopper_submit_value,
    .stop = stopper_stop,
    .refused_domain = gasync_error_domain,
    .refused_code = GASYNC_ERROR_UNAVAILABLE,
    .last_unref = LAST_UNREF_KEEPS,
    .last_unref_warning = "*finalized without gasync_stopper_stop()*",
    .skip = {
      [CHECK_UNHANDLED] = "a failure goes to whoever awaits the future",
    },
  },
  {
    .name = "tasks/run", .body = BODY_THREAD,
    .create = tasks_create, .submit = tasks_submit, .stop = tasks_stop,
    .failure_signal = "task-failed", .n_failures = tasks_n_failures,
    .last_unref = LAST_UNREF_KEEPS,
    .skip = { [CHECK_REFUSED] = NO_REFUSAL_TASKS },
  },
  {
    .name = "tasks/submit", .body = BODY_THREAD,
    .create = tasks_create, .submit = tasks_submit_value, .stop = tasks_stop,
    .last_unref = LAST_UNREF_KEEPS,
    .skip = {
      [CHECK_REFUSED] = NO_REFUSAL_TASKS,
      [CHECK_UNHANDLED] = "a failure goes to whoever awaits the future",
    },
  },
  {
    .name = "tasks/token", .body = BODY_OWNER_ASYNC,
    .create = tasks_create, .submit = tasks_submit_token, .stop = tasks_stop,
    .failure_signal = "task-failed", .n_failures = tasks_n_failures,
    .last_unref = LAST_UNREF_KEEPS,
    .skip = {
      [CHECK_DESTROY] = NO_DESTROY_TOKEN,
      [CHECK_REFUSED] = NO_REFUSAL_TASKS,
      [CHECK_UNHANDLED] = NO_FAILURE_TOKEN,
    },
  },
  {
    .name = "work-queue/thread", .body = BODY_THREAD,
    .create = work_queue_create_thread, .submit = work_queue_submit,
    .stop = work_queue_stop, .failure_signal = "error",
    .refused_domain = gasync_error_domain,
    .refused_code = GASYNC_ERROR_CLOSED,
    .last_unref = LAST_UNREF_CANCELS,
  },
  {
    .name = "work-queue/pointers", .body = BODY_THREAD,
    .create = work_queue_create_pointers, .submit = work_queue_submit_pointer,
    .stop = work_queue_stop, .failure_signal = "error",
    .refused_domain = gasync_error_domain,
    .refused_code = GASYNC_ERROR_CLOSED,
    .last_unref = LAST_UNREF_CANCELS,
  },
  {
    .name = "work-queue/main-context", .body = BODY_OWNER_ASYNC,
    .create = work_queue_create_main, .submit = work_queue_submit,
    .stop = work_queue_stop, .failure_signal = "error",
    .refused_domain = gasync_error_domain,
    .refused_code = GASYNC_ERROR_CLOSED,
    .last_unref = LAST_UNREF_KEEPS,
  },
  {
    .name = "batch/thread", .body = BODY_THREAD,
    .create = batch_create_thread, .submit = batch_submit,
    .start = batch_start, .stop = cancel_if_forced,
    .n_failures = batch_n_failures,
    .last_unref = LAST_UNREF_KEEPS,
    .skip = {
      [CHECK_REFUSED] = "a batch takes its whole list when it runs",
      [CHECK_UNHANDLED] = TO_CALLER,
    },
  },
  {
    .name = "batch/main-context", .body = BODY_OWNER_ASYNC,
    .create = batch_create_main, .submit = batch_submit,
    .start = batch_start, .stop = cancel_if_forced,
    .n_failures = batch_n_failures,
    .last_unref = LAST_UNREF_KEEPS,
    .skip = {
      [CHECK_REFUSED] = "a batch takes its whole list when it runs",
      [CHECK_UNHANDLED] = TO_CALLER,
    },
  },
  {
    .name = "worker/thread", .body = BODY_THREAD,
    .create = worker_create_thread, .submit = worker_submit,
    .stop = worker_stop, .failure_signal = "error", .serial = TRUE,
    .last_unref = LAST_UNREF_CANCELS,
  },
  {
    .name = "worker/main-context", .body = BODY_OWNER_SYNC,
    .create = worker_create_main, .submit = worker_submit,
    .stop = worker_stop, .failure_signal = "error", .serial = TRUE,
    .last_unref = LAST_UNREF_CANCELS,
    .skip = { [CHECK_LAST_UNREF] = SYNC_ON_OWNER },
  },
  {
    .name = "interval/thread", .body = BODY_THREAD,
    .submit = interval_submit_thread, .stop = interval_stop,
    .failure_signal = "error", .destroy_at_finalize = TRUE,
    .last_unref = LAST_UNREF_CANCELS,
    .skip = { [CHECK_REFUSED] = ONE_FUNCTION },
  },
  {
    .name = "interval/main-context", .body = BODY_OWNER_SYNC,
    .submit = interval_submit_main, .stop = interval_stop,
    .failure_signal = "error", .destroy_at_finalize = TRUE,
    .last_unref = LAST_UNREF_CANCELS,
    .skip = {
      [CHECK_REFUSED] = ONE_FUNCTION,
      [CHECK_LAST_UNREF] = SYNC_ON_OWNER,
    },
  },
  {
    .name = "runner/thread", .body = BODY_THREAD,
    .submit = runner_submit, .start = runner_start, .stop = runner_stop,
    .destroy_at_finalize = TRUE, .last_unref = LAST_UNREF_KEEPS,
    .skip = {
      [CHECK_REFUSED] = ONE_FUNCTION,
      [CHECK_UNHANDLED] = TO_CALLER,
    },
  },
  {
    .name = "runner/main-loop", .body = BODY_OWNER_ASYNC,
    .submit = runner_submit, .start = runner_start, .stop = runner_stop,
    .destroy_at_finalize = TRUE, .last_unref = LAST_UNREF_KEEPS,
    .skip = {
      [CHECK_REFUSED] = ONE_FUNCTION,
      [CHECK_UNHANDLED] = TO_CALLER,
    },
  },
  {
    .name = "group-runner", .body = BODY_THREAD,
    .create = group_runner_create, .submit = group_runner_submit,
    .start = group_runner_start, .stop = group_runner_stop,
    .destroy_at_finalize = TRUE, .last_unref = LAST_UNREF_KEEPS,
    .skip = {
      [CHECK_REFUSED] = "adding a runner after the start is a programming "
                        "error (a critical), not a refusal",
      [CHECK_UNHANDLED] = TO_CALLER,
    },
  },
  {
    .name = "event-loop", .body = BODY_OWNER_SYNC,
    .create = event_loop_create, .submit = event_loop_submit,
    .stop = event_loop_stop,
    .last_unref = LAST_UNREF_KEEPS,
    .skip = {
      [CHECK_REFUSED] = "an event loop is started again, never closed",
      [CHECK_CANCELLED] = "its callbacks take no cancellable",
      [CHECK_UNHANDLED] = "the first failure ends gasync_event_loop_start() "
                          "with its error",
      [CHECK_LAST_UNREF] = "gasync_event_loop_start() holds a reference: "
                           "see test-event-loop",
    },
  },
  {
    .name = "future", .body = BODY_THREAD,
    .submit = future_submit, .stop = cancel_if_forced,
    .last_unref = LAST_UNREF_KEEPS,
    .skip = {
      [CHECK_REFUSED] = "a future settles once; it refuses nothing",
      [CHECK_UNHANDLED] = "a rejection goes to whoever awaits the future",
    },
  },
  {
    .name = "semaphore", .body = BODY_OWNER_SYNC,
    .create = semaphore_create, .submit = semaphore_submit,
    .stop = semaphore_stop, .last_unref = LAST_UNREF_KEEPS,
    .skip = {
      [CHECK_REFUSED] = NO_STOP_LOCK,
      [CHECK_CANCELLED] = NO_STOP_LOCK,
      [CHECK_UNHANDLED] = NO_STOP_LOCK,
    },
  },
  {
    .name = "mutex", .body = BODY_OWNER_SYNC,
    .create = mutex_create, .submit = mutex_submit,
    .stop = mutex_stop, .last_unref = LAST_UNREF_KEEPS,
    .skip = {
      [CHECK_REFUSED] = NO_STOP_LOCK,
      [CHECK_CANCELLED] = NO_STOP_LOCK,
      [CHECK_UNHANDLED] = NO_STOP_LOCK,
    },
  },
};

static gboolean
row_acquires (const Row *row)
{
  return row->create == semaphore_create || row->create == mutex_create;
}

/* The fixture. */

static void
fx_setup (Fx            *fx,
          gconstpointer  data)
{
  memset (fx, 0, sizeof *fx);
  fx->row = data;
  fx->context = g_main_context_new ();
  g_main_context_push_thread_default (fx->context);
  g_assert_true (g_main_context_acquire (fx->context));
  fx->owner_thread = g_thread_self ();
  fx->objects = g_ptr_array_new ();
  fx->items = g_ptr_array_new_with_free_func (g_object_unref);
  fx->cancellable = g_cancellable_new ();
  fx->units = g_ptr_array_new_with_free_func (unit_free);
  fx->n_destroyed_at_report = G_MAXINT;
}

static void
fx_create (Fx *fx)
{
  if (fx->row->create != NULL)
    fx->row->create (fx);
}

/* Drops the test's references to the objects under test. */
static void
fx_drop (Fx *fx)
{
  g_clear_object (&fx->object);
  for (guint i = 0; i < fx->objects->len; i++)
    g_object_unref (fx->objects->pdata[i]);
  g_ptr_array_set_size (fx->objects, 0);
}

static void
fx_teardown (Fx            *fx,
             gconstpointer  data)
{
  fx_drop (fx);
  fx_iterate_until (fx, objects_gone, "the objects to be finalized");
  fx_flush (fx);
  fx_assert_owner (fx);
  g_ptr_array_unref (fx->units);
  g_ptr_array_unref (fx->items);
  g_ptr_array_unref (fx->objects);
  g_object_unref (fx->cancellable);
  g_clear_error (&fx->stop_error);
  g_main_context_release (fx->context);
  g_main_context_pop_thread_default (fx->context);
  g_main_context_unref (fx->context);
}

static Unit *
fx_submit (Fx       *fx,
           WorkKind  kind)
{
  Unit *unit = fx_new_unit (fx, kind);
  g_autoptr(GError) error = NULL;

  unit->accepted = fx->row->submit (fx, unit, &error);
  g_assert_no_error (error);
  g_assert_true (unit->accepted);
  return unit;
}

/* Starts the submitted work, waits until what waits for a cancellable has
 * begun, then stops and waits for the reports. */
static void
fx_run (Fx *fx)
{
  if (fx->row->start != NULL)
    fx->row->start (fx);
  fx_iterate_until (fx, units_started, "the work to begin");
  fx->row->stop (fx);
  fx_iterate_until (fx, reports_done, "the stop to be reported");
}

static gboolean
row_has_destroy (const Row *row)
{
  return row->skip[CHECK_DESTROY] == NULL;
}

/* Lets what is still under way end: the owner context runs what it has
 * and the destroy notifies have run. */
static void
fx_settle (Fx *fx)
{
  if (fx->row->destroy_at_finalize)
    {
      fx_drop (fx);
      fx_iterate_until (fx, objects_gone, "the objects to be finalized");
    }
  if (row_has_destroy (fx->row))
    fx_iterate_until (fx, units_destroyed, "the destroy notifies");
  fx_flush (fx);
}

static gboolean
fx_skip (Fx    *fx,
         Check  check)
{
  const char *why = fx->row->skip[check];

  if (why == NULL)
    return FALSE;
  g_test_skip (why);
  return TRUE;
}

/* The kinds of work a row can do: main-context rows cannot wait for their
 * cancellable while they run. */
static gboolean
row_can_wait (const Row *row)
{
  return row->body != BODY_OWNER_SYNC;
}

static gboolean
row_one_unit (const Row *row)
{
  return row->destroy_at_finalize && row->create == NULL;
}

/* owner: everything the object calls back runs on the owner context. */
static void
check_owner (Fx            *fx,
             gconstpointer  data)
{
  gboolean cancel = row_can_wait (fx->row) && !row_acquires (fx->row);

  fx->handle_failures = TRUE;
  fx->forced = cancel;
  fx_create (fx);
  fx_submit (fx, WORK_OK);
  if (!row_acquires (fx->row) && !row_one_unit (fx->row))
    fx_submit (fx, WORK_FAIL);
  if (cancel)
    fx_submit (fx, WORK_CANCEL);
  fx_run (fx);
  fx_settle (fx);
  fx_assert_owner (fx);
}

/* destroy: each destroy notify runs once, before the stop is reported. */
static void
check_destroy (Fx            *fx,
               gconstpointer  data)
{
  guint n = row_one_unit (fx->row) ? 1 : 4;

  if (fx_skip (fx, CHECK_DESTROY))
    return;
  fx->handle_failures = TRUE;
  fx_create (fx);
  for (guint i = 0; i < n; i++)
    fx_submit (fx, i == 1 && fx->row->failure_signal != NULL ? WORK_FAIL
                                                             : WORK_OK);
  fx_run (fx);
  if (!fx->row->destroy_at_finalize && fx->n_expected > 0 &&
      fx->n_destroyed_at_report != G_MAXINT)
    g_assert_cmpint (fx->n_destroyed_at_report, ==, n);
  /* The notifies still on their way, up to the one of the stop. */
  fx_flush (fx);
  if (fx->stopped_notified)
    g_assert_cmpint (fx->n_destroyed_at_stopped_notify, ==, n);
  for (guint i = 0; i < fx->units->len; i++)
    {
      Unit *unit = fx->units->pdata[i];

      if (unit->reported)
        g_assert_cmpint (unit->destroyed_at_report, ==, 1);
    }
  fx_settle (fx);
  fx_drop (fx);
  fx_iterate_until (fx, objects_gone, "the objects to be finalized");
  fx_flush (fx);
  for (guint i = 0; i < fx->units->len; i++)
    g_assert_cmpint (((Unit *) fx->units->pdata[i])->destroyed, ==, 1);
  fx_assert_owner (fx);
}

/* refused: after the stop, work is refused with the class's error and its
 * destroy notify runs once, on the owner context. */
static void
check_refused (Fx            *fx,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  Unit *unit;

  if (fx_skip (fx, CHECK_REFUSED))
    return;
  fx_create (fx);
  fx_submit (fx, WORK_OK);
  fx_run (fx);

  unit = fx_new_unit (fx, WORK_OK);
  unit->accepted = fx->row->submit (fx, unit, &error);
  g_assert_false (unit->accepted);
  if (fx->row->refused_domain != NULL)
    g_assert_error (error, fx->row->refused_domain (), fx->row->refused_code);
  else
    g_assert_no_error (error);
  if (fx->row->skip[CHECK_DESTROY] == NULL)
    {
      fx_settle (fx);
      g_assert_cmpint (unit->destroyed, ==, 1);
    }
  else
    {
      unit->destroyed = 1;
      fx_settle (fx);
    }
  g_assert_false (g_atomic_int_get (&unit->started));
  fx_assert_owner (fx);
}

/* cancelled: work that says it was cancelled is not a failure. */
static void
check_cancelled (Fx            *fx,
                 gconstpointer  data)
{
  if (fx_skip (fx, CHECK_CANCELLED))
    return;
  fx->handle_failures = TRUE;
  fx->forced = TRUE;
  fx_create (fx);
  fx_submit (fx, WORK_CANCELLED_NOW);
  /* A serial row runs one unit at a time: one may wait. */
  if (row_can_wait (fx->row) && !row_one_unit (fx->row))
    fx_submit (fx, WORK_CANCEL);
  if (fx->row->body == BODY_THREAD && !row_one_unit (fx->row) &&
      !fx->row->serial)
    fx_submit (fx, WORK_CANCEL_FALSE);
  fx_run (fx);
  fx_settle (fx);
  g_assert_cmpint (fx->n_signalled_failures, ==, 0);
  if (fx->row->n_failures != NULL)
    g_assert_cmpuint (fx->row->n_failures (fx), ==, 0);
  if (fx->stop_error != NULL)
    g_assert_error (fx->stop_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  fx_assert_owner (fx);
}

static void
check_cancelled_false (Fx            *fx,
                       gconstpointer  data)
{
  if (fx_skip (fx, CHECK_CANCELLED))
    return;
  if (fx->row->body != BODY_THREAD)
    {
      g_test_skip ("its work returns nothing once it has begun");
      return;
    }
  fx->handle_failures = TRUE;
  fx->forced = TRUE;
  fx_create (fx);
  fx_submit (fx, WORK_CANCEL_FALSE);
  fx_run (fx);
  fx_settle (fx);
  g_assert_cmpint (fx->n_signalled_failures, ==, 0);
  if (fx->row->n_failures != NULL)
    g_assert_cmpuint (fx->row->n_failures (fx), ==, 0);
  if (fx->stop_error != NULL)
    g_assert_error (fx->stop_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  fx_assert_owner (fx);
}

/* unhandled: a failure without a handler is a warning; with one, the
 * handler gets it and nothing is logged. */
static void
check_unhandled (Fx            *fx,
                 gconstpointer  data)
{
  if (fx_skip (fx, CHECK_UNHANDLED))
    return;
  g_assert_nonnull (fx->row->failure_signal);

  fx_create (fx);
  fx_submit (fx, WORK_FAIL);
  g_test_expect_message ("Gasync", G_LOG_LEVEL_WARNING,
                         "*failed*contract failure*");
  fx_run (fx);
  fx_settle (fx);
  g_test_assert_expected_messages ();
  fx_assert_owner (fx);
}

static void
check_handled (Fx            *fx,
               gconstpointer  data)
{
  if (fx_skip (fx, CHECK_UNHANDLED))
    return;

  fx->handle_failures = TRUE;
  fx_create (fx);
  fx_submit (fx, WORK_FAIL);
  fx_run (fx);
  fx_settle (fx);
  g_assert_cmpint (fx->n_signalled_failures, ==, 1);
  fx_assert_owner (fx);
}

/* last-unref: dropped while its work runs, the object does what its
 * documentation says, and every destroy notify still runs once. */
static void
check_last_unref (Fx            *fx,
                  gconstpointer  data)
{
  Unit *unit;

  if (fx_skip (fx, CHECK_LAST_UNREF))
    return;
  /* A queue closed by its last unref waits for the grace period. */
  fx->forced = fx->row->last_unref == LAST_UNREF_CANCELS;
  fx_create (fx);
  unit = fx_submit (fx, WORK_BLOCK);
  if (fx->row->start != NULL)
    fx->row->start (fx);
  if (!row_acquires (fx->row))
    fx_iterate_until (fx, units_started, "the work to begin");

  if (fx->row->last_unref_warning != NULL)
    g_test_expect_message ("Gasync", G_LOG_LEVEL_WARNING,
                           fx->row->last_unref_warning);
  fx_drop (fx);

  if (fx->row->last_unref == LAST_UNREF_KEEPS)
    {
      /* Alive while the work runs, which nothing cancels. */
      fx_flush (fx);
      g_assert_cmpint (g_atomic_int_get (&fx->n_alive), >, 0);
      g_assert_false (g_atomic_int_get (&unit->saw_cancel));
      /* The acquirer waits for the slot the test holds, which it can no
       * longer give back: it gives up instead. */
      if (row_acquires (fx->row))
        g_cancellable_cancel (fx->cancellable);
      else
        unit_release (unit);
    }
  fx_iterate_until (fx, objects_gone, "the objects to be finalized");
  if (row_has_destroy (fx->row))
    fx_iterate_until (fx, units_destroyed, "the destroy notifies");
  fx_flush (fx);
  if (fx->row->last_unref_warning != NULL)
    g_test_assert_expected_messages ();
  if (fx->row->last_unref == LAST_UNREF_CANCELS)
    g_assert_true (g_atomic_int_get (&unit->saw_cancel));
  if (row_has_destroy (fx->row))
    g_assert_cmpint (unit->destroyed, ==, 1);
  fx_assert_owner (fx);
}

/* A task token dropped without gasync_task_token_end() ends itself on the
 * owner context, in a dispatch of its own, never inside the unref: a
 * garbage collector may be what drops it (GJS refuses JavaScript callbacks
 * then), and that end may be the one a pending stop waits for, which fires
 * the stop's cancellables. */

static gboolean in_unref;

static void
dropped_cancelled_cb (GCancellable *cancellable,
                      gpointer      data)
{
  Fx *fx = data;

  fx_record (fx, "a stop cancellable's cancelled handler");
  if (in_unref)
    fx_record (fx, "a cancelled handler inside a token's unref");
  g_assert_false (in_unref);
  fx->n_signalled_failures++; /* here: counts the handlers that ran */
}

static void
drop_token (Fx              *fx,
            GasyncTaskToken *token)
{
  g_test_expect_message ("Gasync", G_LOG_LEVEL_WARNING,
                         "*“dropped” was dropped without*");
  in_unref = TRUE;
  g_object_unref (token);
  in_unref = FALSE;
  g_assert_cmpint (fx->n_reports, ==, 0);
}

static void
check_stopper_token_dropped (Fx            *fx,
                             gconstpointer  data)
{
  GasyncTaskToken *token;
  g_autoptr(GCancellable) child = NULL;

  stopper_create (fx);
  token = gasync_stopper_begin_task (fx->object, "dropped", NULL);
  g_assert_nonnull (token);
  child = gasync_stopper_new_cancellable_on_stop (fx->object, NULL);
  g_signal_connect (child, "cancelled", G_CALLBACK (dropped_cancelled_cb),
                    fx);
  g_signal_connect (gasync_stopper_get_stop_cancellable (fx->object),
                    "cancelled", G_CALLBACK (dropped_cancelled_cb), fx);

  stopper_stop (fx);
  fx_flush (fx);
  g_assert_cmpint (fx->n_reports, ==, 0);

  drop_token (fx, token);
  fx_iterate_until (fx, reports_done, "the stop to be reported");
  g_test_assert_expected_messages ();
  g_assert_cmpint (fx->n_signalled_failures, ==, 2);
  fx_assert_owner (fx);
}

static void
tasks_dropped_wait_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      data)
{
  Fx *fx = data;

  g_assert_false (in_unref);
  tasks_wait_cb (object, result, data);
  fx->n_signalled_failures++;
}

static void
check_tasks_token_dropped (Fx            *fx,
                           gconstpointer  data)
{
  GasyncTaskToken *token;

  tasks_create (fx);
  token = gasync_tasks_begin_task (fx->object, "dropped");
  fx_expect (fx);
  gasync_tasks_wait_async (fx->object, NULL, tasks_dropped_wait_cb, fx);
  fx_flush (fx);

  drop_token (fx, token);
  g_assert_cmpuint (gasync_tasks_get_n_running (fx->object), ==, 1);
  fx_iterate_until (fx, reports_done, "the wait to be reported");
  g_test_assert_expected_messages ();
  g_assert_cmpint (fx->n_signalled_failures, ==, 1);
  fx_assert_owner (fx);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      const Row *row = &rows[i];
      void (*checks[N_CHECKS]) (Fx *, gconstpointer) = {
        check_owner, check_destroy, check_refused, check_cancelled,
        check_unhandled, check_last_unref,
      };

      for (int c = 0; c < N_CHECKS; c++)
        {
          g_autofree char *path = g_strdup_printf ("/gasync/contract/%s/%s",
                                                   row->name,
                                                   check_names[c]);

          g_test_add (path, Fx, row, fx_setup, checks[c], fx_teardown);
        }
      {
        g_autofree char *path = NULL;

        path = g_strdup_printf ("/gasync/contract/%s/cancelled-false",
                                row->name);
        g_test_add (path, Fx, row, fx_setup, check_cancelled_false,
                    fx_teardown);
        path = (g_free (path),
                g_strdup_printf ("/gasync/contract/%s/handled", row->name));
        g_test_add (path, Fx, row, fx_setup, check_handled, fx_teardown);
      }
    }

  g_test_add ("/gasync/contract/stopper/token/dropped-without-end", Fx,
              &rows[1], fx_setup, check_stopper_token_dropped, fx_teardown);
  g_test_add ("/gasync/contract/tasks/token/dropped-without-end", Fx,
              &rows[3], fx_setup, check_tasks_token_dropped, fx_teardown);

  return g_test_run ();
}

/* gasync-test-util.h: what libgasync's C tests share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 *
 * The one helper header of the C tests; tests/gasync-test-util.c is built
 * once into a small static library that every test links.
 *
 * - Bounds: tests wait on conditions, never sleep, and every wait has a
 *   bound (gasync_test_deadline()) that the valgrind setup scales.
 * - Waiting: gasync_test_iterate_until() iterates a context until a
 *   predicate holds, with its flag, count and pointer forms;
 *   gasync_test_wait_flag() waits on a thread that iterates nothing;
 *   gasync_test_flush() runs what a context has pending.
 * - Lifetimes: gasync_test_unref_and_wait(), GasyncTestLifetime.
 * - Fakes: TestItem (a GObject work item), TestGate (work blocks until
 *   the test opens it), TestWork (the fixture of the batch and work-queue
 *   tests), TestService (a run function for the runner tests).
 * - Valid objects for the generated test-bad-input.c.
 *
 * Test paths: /gasync/<class>/<what>, the class spelled as in its file
 * name (/gasync/work-queue/…), also where a test of one class lives in a
 * file about something else (/gasync/semaphore/bad-values/…); a file
 * that runs one check across the classes uses /gasync/<area>/…
 * (/gasync/types/…, /gasync/stress/…, /gasync/bad-input/…).
 */

#pragma once

#include <gasync.h>

#include "gasync-sync-private.h"

G_BEGIN_DECLS

/* Bounds */

/* The bound, in seconds, of a wait that should end soon. */
#define GASYNC_TEST_TIMEOUT_SECONDS 30

/* Now plus @seconds, scaled under valgrind: a monotonic deadline. */
gint64 gasync_test_deadline (gint64 seconds);
/* Under valgrind: tests scale big loads down. */
gboolean gasync_test_is_slow (void);
/* The bound of a g_test_trap_subprocess() child. */
guint64 gasync_test_subprocess_timeout (void);
/* In a g_test_trap_subprocess() child: criticals go to stderr and return. */
void gasync_test_criticals_not_fatal (void);
/* A test of translated messages: TRUE in its child, switched to German. */
gboolean gasync_test_in_german (void);

/* Waiting */

typedef gboolean (*GasyncTestPredicate) (gpointer data);

void gasync_test_iterate_until_at (GMainContext        *context,
                                   GasyncTestPredicate  predicate,
                                   gpointer             data,
                                   gint64               seconds,
                                   const char          *where,
                                   const char          *what);

/* Iterates @context (NULL: the thread-default one) until @predicate
 * (@data) holds; fails the test after @seconds (scaled under valgrind),
 * naming the caller's line. A tick re-checks @predicate every few
 * milliseconds, for conditions that other threads change without waking
 * @context. */
#define gasync_test_iterate_until(context, predicate, data, seconds)         \
  gasync_test_iterate_until_at ((context), (predicate), (data), (seconds),   \
                                G_STRLOC, #predicate " (" #data ")")

/* Predicates: an int (or gboolean) flag, read atomically, is set; a
 * pointer is set; an int-sized counter, read atomically, reached n. */
gboolean gasync_test_flag_is_set (gpointer flag);
gboolean gasync_test_pointer_is_set (gpointer pointer);

typedef struct
{
  const int *counter;
  int n;
} GasyncTestCount;

gboolean gasync_test_count_reached (gpointer count);

/* Their usual waits, with the usual bound: until *@flag (an int or a
 * gboolean) is set; until *@counter (an int or a guint) is at least @n;
 * until the pointer *@pointer is set. */
#define gasync_test_iterate_until_flag(context, flag)                        \
  gasync_test_iterate_until_at ((context), gasync_test_flag_is_set,          \
                                (G_STATIC_ASSERT_EXPR (sizeof *(flag) == sizeof (int)), \
                                 (gpointer) (flag)),                         \
                                GASYNC_TEST_TIMEOUT_SECONDS, G_STRLOC, #flag)
#define gasync_test_iterate_until_count(context, counter, n)                 \
  gasync_test_iterate_until_at ((context), gasync_test_count_reached,        \
                                &(GasyncTestCount) {                         \
                                  (G_STATIC_ASSERT_EXPR (sizeof *(counter) == sizeof (int)), \
                                   (const int *) (counter)), (int) (n) },    \
                                GASYNC_TEST_TIMEOUT_SECONDS, G_STRLOC,       \
                                #counter " >= " #n)
#define gasync_test_iterate_until_set(context, pointer)                      \
  gasync_test_iterate_until_at ((context), gasync_test_pointer_is_set,       \
                                (G_STATIC_ASSERT_EXPR (sizeof *(pointer) == sizeof (gpointer)), \
                                 (gpointer) (pointer)),                      \
                                GASYNC_TEST_TIMEOUT_SECONDS, G_STRLOC, #pointer)

/* Runs what @context (NULL: the thread-default one) has pending, without
 * blocking. */
void gasync_test_flush (GMainContext *context);

/* The async twins, whose GAsyncReadyCallback stores its result in a
 * GAsyncResult * (NULL before the call). The call has not completed: once
 * what the thread-default context has pending has run, *@result is still
 * NULL. */
#define gasync_test_assert_not_done(result)                                  \
  G_STMT_START {                                                             \
    gasync_test_flush (NULL);                                                \
    g_assert_null (*(result));                                               \
  } G_STMT_END
/* Iterates the thread-default context until the callback has stored
 * *@result, with the usual bound, and returns it. */
GAsyncResult *gasync_test_wait_result (GAsyncResult **result);

/* On a thread that iterates no context: waits until *@flag is set. */
void gasync_test_wait_flag (const int *flag);

/* Small callbacks: a GDestroyNotify and a notify:: handler that count
 * calls in the int that @data points to, atomically. */
void gasync_test_count (gpointer data);
void gasync_test_count_notify (GObject    *object,
                               GParamSpec *pspec,
                               gpointer    data);

/* A GDestroyNotify (or runner stop function) that does nothing. */
void gasync_test_nothing (gpointer data);

/* A task function that waits until its cancellable fires (an hour at
 * most), and then succeeds. */
gboolean gasync_test_task_until_cancelled (GCancellable  *cancellable,
                                           gpointer       user_data,
                                           GError       **error);

/* A thread that cancels @cancellable after @delay microseconds (0: at
 * once); join it. */
GThread *gasync_test_cancel_in_thread (GCancellable *cancellable,
                                       gint64        delay);

/* Lifetimes */

/* Drops the caller's reference to @object and iterates the thread-default
 * context until the object is gone (its weak references notified): a
 * thread still running when it was dropped may hold the last reference. */
void gasync_test_unref_and_wait (gpointer object);

/* Watches an object dropped while it runs: gone is set by a weak
 * reference when its last reference is gone (GObject notifies weak
 * references at the end of dispose), and each destroy notify the test
 * hands out counts a call in its own counter. */
#define GASYNC_TEST_MAX_DESTROYS 4

typedef struct
{
  GMainContext *context;
  int gone;                                  /* atomic */
  int destroyed[GASYNC_TEST_MAX_DESTROYS];   /* atomic */
} GasyncTestLifetime;

/* Before the counters are handed out: the context to wake is the
 * thread-default one of the caller. */
void gasync_test_lifetime_init (GasyncTestLifetime *lifetime);
void gasync_test_lifetime_watch (GasyncTestLifetime *lifetime,
                                 gpointer            object);
/* Hand out gasync_test_count() with &lifetime->destroyed[i]. */
/* Iterates the context until the object is gone and the first
 * @n_destroys counters were called, then checks that each was called
 * exactly once, also after whatever the context still had to run. */
void gasync_test_lifetime_wait (GasyncTestLifetime *lifetime,
                                guint               n_destroys);

/* TestItem: a small GObject work item */

#define TEST_TYPE_ITEM (test_item_get_type ())
G_DECLARE_FINAL_TYPE (TestItem, test_item, TEST, ITEM, GObject)

struct _TestItem
{
  GObject parent_instance;
  guint index;
  int n_processed; /* atomic */
};

/* @n items with indices 0 … n-1, in an array that owns them. */
GPtrArray *test_items_new (guint n);
/* Asserts that every item of @items was processed exactly once. */
void test_items_assert_processed_once (GPtrArray *items);

/* TestGate: work functions wait at it until the test opens it */

typedef struct
{
  GasyncLock lock;
  GasyncCond cond;
  gboolean open;
  guint n_waiting;
  guint n_passed;
} TestGate;

void test_gate_init (TestGate *gate);
void test_gate_clear (TestGate *gate);
/* Waits, bounded, until the gate opens or @cancellable (may be NULL)
 * fires; FALSE if cancelled. */
gboolean test_gate_pass (TestGate     *gate,
                         GCancellable *cancellable);
void test_gate_open (TestGate *gate);
/* Waits, bounded, until @n functions wait at the gate. */
void test_gate_wait_waiting (TestGate *gate,
                             guint     n);
guint test_gate_get_passed (TestGate *gate);

/* TestWork: the fixture of the work-item tests (batch, work queue): the
 * gate, the owner thread, how many work functions run at the same time,
 * and what test_work_item() does */

typedef struct
{
  TestGate gate;
  GThread *owner_thread;
  int n_in_flight;              /* atomic */
  int max_in_flight;            /* atomic */
  int n_processed;              /* atomic */
  int n_cancelled;              /* atomic: cancelled at the gate */
  gboolean use_gate;            /* items wait at the gate */
  guint fail_modulo;            /* items whose index % fail_modulo is */
  guint fail_remainder;         /* fail_remainder fail, */
  gboolean fail_silently;       /* without an error if set */
  guint n_destroyed;            /* test_work_destroyed() calls */
  GasyncTestLifetime *lifetime; /* if set, counts them in destroyed[0] */
} TestWork;

/* GTest fixture functions. */
void test_work_setup (TestWork      *w,
                      gconstpointer  data);
void test_work_teardown (TestWork      *w,
                         gconstpointer  data);
/* The work on item @index, on a worker thread: waits at the gate if
 * use_gate (FALSE with CANCELLED if @cancellable fires there), fails as
 * fail_modulo says, counts. */
gboolean test_work_item (TestWork      *w,
                         guint          index,
                         GCancellable  *cancellable,
                         GError       **error);
/* A GasyncWorkFunc for a TestItem, with a TestWork as user data. */
gboolean test_work_object (GObject       *item,
                           GCancellable  *cancellable,
                           gpointer       w,
                           GError       **error);
/* A GDestroyNotify for a TestWork user data: counts, on the owner
 * thread. */
void test_work_destroyed (gpointer w);

/* TestService: a run function for the runner tests, which waits until its
 * stop function is called (unless it ignores stops), until the test lets
 * it finish, or until the test releases it, and then returns its
 * configured error */

typedef struct
{
  GasyncLock lock;
  GasyncCond cond;
  gboolean ignore_stop;
  gboolean stop_requested;      /* lock */
  gboolean finish_now;          /* lock */
  gboolean released;            /* lock */
  guint runs;                   /* lock */
  guint returns;                /* lock */
  GError *error;                /* returned by every run */
  gboolean fail_silently;       /* return FALSE without an error */

  guint stop_calls;             /* owner thread only */
  GThread *stop_thread;
  GThread *run_thread;
  gboolean cancelled_at_stop;
  GCancellable *cancellable;    /* of the last run */
  guint destroyed;      /* the runner's shared data */
} TestService;

TestService *test_service_new (void);
void test_service_free (TestService *svc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestService, test_service_free)

gboolean test_service_run (GCancellable  *cancellable,
                           gpointer       user_data,
                           GError       **error);
void test_service_stop (gpointer user_data);
/* The destroy notify of test_service_new_runner(): counts in destroyed. */
void test_service_destroyed (gpointer user_data);
GasyncRunner *test_service_new_runner (TestService *svc,
                                       const char  *id);
/* Lets one run return by itself, without a stop. */
void test_service_finish (TestService *svc);
/* Lets a run that ignores stops return, for the end of a test. */
void test_service_release (TestService *svc);
guint test_service_get_runs (TestService *svc);
/* On a thread: waits until the function ran @runs times. */
void test_service_wait_runs (TestService *svc,
                             guint        runs);
/* On the owner thread: iterates until the function ran @runs times. */
void test_service_iterate_until_runs (TestService *svc,
                                      guint        runs);
#define test_service_iterate_until_running(svc) \
  test_service_iterate_until_runs ((svc), 1)

/* Valid objects for the generated test-bad-input.c */

/* A valid, unused object (or boxed instance) of @type, freed by
 * gasync_test_release_all(). */
gpointer gasync_test_make_object (GType type);
GPtrArray *gasync_test_make_ptr_array (void);
GError *gasync_test_make_error (void);
GClosure *gasync_test_make_closure (void);
/* Frees what the gasync_test_make_*() calls made, in reverse order. */
void gasync_test_release_all (void);
/* Expects the critical of a g_return_if_fail() whose expression names
 * @param. */
void gasync_test_expect_critical_naming (const char *param);

G_END_DECLS

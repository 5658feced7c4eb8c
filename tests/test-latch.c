/* test-latch.c: GasyncLatch states, transitions, waits and notify
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#include "config.h"

#include <gasync.h>

#include "gasync-test-util.h"

typedef gboolean (*Transition) (GasyncLatch *latch, GError **error);

static const struct {
  const char *name;
  Transition move;
  GasyncLatchState to;
  guint from;  /* bits of the states it is allowed from */
} transitions[] = {
#define BIT(s) (1u << GASYNC_LATCH_STATE_##s)
  { "starting", gasync_latch_starting, GASYNC_LATCH_STATE_STARTING, BIT (STOPPED) },
  { "started", gasync_latch_started, GASYNC_LATCH_STATE_STARTED,
    BIT (STARTING) | BIT (RESUMING) | BIT (ACTIVE) },
  { "active", gasync_latch_active, GASYNC_LATCH_STATE_ACTIVE, BIT (STARTED) },
  { "pausing", gasync_latch_pausing, GASYNC_LATCH_STATE_PAUSING,
    BIT (STARTED) | BIT (ACTIVE) },
  { "paused", gasync_latch_paused, GASYNC_LATCH_STATE_PAUSED, BIT (PAUSING) },
  { "resuming", gasync_latch_resuming, GASYNC_LATCH_STATE_RESUMING, BIT (PAUSED) },
  { "stopping", gasync_latch_stopping, GASYNC_LATCH_STATE_STOPPING,
    BIT (STARTED) | BIT (ACTIVE) | BIT (PAUSED) },
  { "stopped", gasync_latch_stopped, GASYNC_LATCH_STATE_STOPPED, BIT (STOPPING) },
#undef BIT
};

/* A legal path from stopped to each state. */
static void
latch_go_to (GasyncLatch      *latch,
             GasyncLatchState  state)
{
  static const GasyncLatchState paths[][6] = {
    [GASYNC_LATCH_STATE_STOPPED] = { 0 },
    [GASYNC_LATCH_STATE_STARTING] = { GASYNC_LATCH_STATE_STARTING },
    [GASYNC_LATCH_STATE_STARTED] = { GASYNC_LATCH_STATE_STARTING, GASYNC_LATCH_STATE_STARTED },
    [GASYNC_LATCH_STATE_ACTIVE] = { GASYNC_LATCH_STATE_STARTING, GASYNC_LATCH_STATE_STARTED,
                                    GASYNC_LATCH_STATE_ACTIVE },
    [GASYNC_LATCH_STATE_PAUSING] = { GASYNC_LATCH_STATE_STARTING, GASYNC_LATCH_STATE_STARTED,
                                     GASYNC_LATCH_STATE_PAUSING },
    [GASYNC_LATCH_STATE_PAUSED] = { GASYNC_LATCH_STATE_STARTING, GASYNC_LATCH_STATE_STARTED,
                                    GASYNC_LATCH_STATE_PAUSING, GASYNC_LATCH_STATE_PAUSED },
    [GASYNC_LATCH_STATE_RESUMING] = { GASYNC_LATCH_STATE_STARTING, GASYNC_LATCH_STATE_STARTED,
                                      GASYNC_LATCH_STATE_PAUSING, GASYNC_LATCH_STATE_PAUSED,
                                      GASYNC_LATCH_STATE_RESUMING },
    [GASYNC_LATCH_STATE_STOPPING] = { GASYNC_LATCH_STATE_STARTING, GASYNC_LATCH_STATE_STARTED,
                                      GASYNC_LATCH_STATE_STOPPING },
  };

  for (guint i = 0; i < G_N_ELEMENTS (paths[state]) && paths[state][i] != 0; i++)
    for (guint t = 0; t < G_N_ELEMENTS (transitions); t++)
      if (transitions[t].to == paths[state][i])
        g_assert_true (transitions[t].move (latch, NULL));
  g_assert_cmpint (gasync_latch_get_state (latch), ==, state);
}

static void
test_latch_initial (void)
{
  g_autoptr(GasyncLatch) latch = gasync_latch_new ();
  GasyncLatchState state;

  g_assert_cmpint (gasync_latch_get_state (latch), ==, GASYNC_LATCH_STATE_STOPPED);
  g_object_get (latch, "state", &state, NULL);
  g_assert_cmpint (state, ==, GASYNC_LATCH_STATE_STOPPED);
  g_assert_true (gasync_latch_can_start (latch));
  g_assert_false (gasync_latch_can_stop (latch));
  /* The values of Go's Latch* constants. */
  g_assert_cmpint (GASYNC_LATCH_STATE_STARTED, ==, 3);
  g_assert_cmpint (GASYNC_LATCH_STATE_STOPPING, ==, 7);
}

static void
test_latch_transitions (void)
{
  g_test_summary ("From every state, exactly the transitions of the table "
                  "succeed; the others are refused with the documented "
                  "error and leave the state alone");

  for (GasyncLatchState from = 0; from <= GASYNC_LATCH_STATE_STOPPING; from++)
    for (guint t = 0; t < G_N_ELEMENTS (transitions); t++)
      {
        g_autoptr(GasyncLatch) latch = gasync_latch_new ();
        g_autoptr(GError) error = NULL;
        gboolean allowed = (transitions[t].from & (1u << from)) != 0;

        latch_go_to (latch, from);
        g_assert_cmpint (gasync_latch_can_start (latch), ==,
                         from == GASYNC_LATCH_STATE_STOPPED);
        g_assert_cmpint (gasync_latch_can_stop (latch), ==,
                         from == GASYNC_LATCH_STATE_STARTED ||
                         from == GASYNC_LATCH_STATE_ACTIVE ||
                         from == GASYNC_LATCH_STATE_PAUSED);

        if (allowed)
          {
            g_assert_true (transitions[t].move (latch, &error));
            g_assert_no_error (error);
            g_assert_cmpint (gasync_latch_get_state (latch), ==, transitions[t].to);
            continue;
          }

        g_assert_false (transitions[t].move (latch, &error));
        g_assert_cmpint (gasync_latch_get_state (latch), ==, from);
        if (transitions[t].to == GASYNC_LATCH_STATE_STARTING)
          g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_ALREADY_STARTED);
        else if (transitions[t].to == GASYNC_LATCH_STATE_STOPPING)
          g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_NOT_STARTED);
        else
          g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_FAILED);
        g_assert_nonnull (strstr (error->message, transitions[t].name));
        gasync_test_flush (NULL);
      }
}

static void
test_latch_reset (void)
{
  g_autoptr(GasyncLatch) latch = gasync_latch_new ();

  for (GasyncLatchState from = 0; from <= GASYNC_LATCH_STATE_STOPPING; from++)
    {
      latch_go_to (latch, from);
      gasync_latch_reset (latch);
      g_assert_cmpint (gasync_latch_get_state (latch), ==, GASYNC_LATCH_STATE_STOPPED);
    }
  gasync_test_flush (NULL);
}

typedef struct
{
  GasyncLatch *latch;
  GThread *main_thread;
  GArray *seen;
} NotifyData;

static void
state_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    user_data)
{
  NotifyData *data = user_data;
  GasyncLatchState state = gasync_latch_get_state (data->latch);

  g_assert_true (g_thread_self () == data->main_thread);
  g_array_append_val (data->seen, state);
}

static gpointer
run_cycle_thread (gpointer user_data)
{
  GasyncLatch *latch = user_data;

  g_assert_true (gasync_latch_starting (latch, NULL));
  g_assert_true (gasync_latch_started (latch, NULL));
  g_assert_true (gasync_latch_stopping (latch, NULL));
  g_assert_true (gasync_latch_stopped (latch, NULL));
  return NULL;
}

static gboolean
seen_four (gpointer user_data)
{
  NotifyData *data = user_data;

  return data->seen->len >= 4;
}

static void
test_latch_notify_on_owner (void)
{
  g_autoptr(GasyncLatch) latch = gasync_latch_new ();
  NotifyData data = { latch, g_thread_self (), g_array_new (FALSE, FALSE, sizeof (GasyncLatchState)) };
  GasyncLatchState expected[] = {
    GASYNC_LATCH_STATE_STARTING, GASYNC_LATCH_STATE_STARTED,
    GASYNC_LATCH_STATE_STOPPING, GASYNC_LATCH_STATE_STOPPED,
  };

  g_test_summary ("notify::state runs on the owner context, once per "
                  "transition, even for transitions made on another thread");

  g_signal_connect (latch, "notify::state", G_CALLBACK (state_notify_cb), &data);

  /* One at a time on the owner: each notify sees its own state. */
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      for (guint t = 0; t < G_N_ELEMENTS (transitions); t++)
        if (transitions[t].to == expected[i])
          g_assert_true (transitions[t].move (latch, NULL));
      g_assert_cmpuint (data.seen->len, ==, i);
      gasync_test_flush (NULL);
      g_assert_cmpuint (data.seen->len, ==, i + 1);
      g_assert_cmpint (g_array_index (data.seen, GasyncLatchState, i), ==, expected[i]);
    }

  /* From another thread: four notifies, all on this thread. */
  g_array_set_size (data.seen, 0);
  g_thread_join (g_thread_new ("cycle", run_cycle_thread, latch));
  gasync_test_iterate_until (NULL, seen_four, &data, 10);
  gasync_test_flush (NULL);
  g_assert_cmpuint (data.seen->len, ==, 4);

  g_signal_handlers_disconnect_by_data (latch, &data);
  g_array_unref (data.seen);
}

static gpointer
start_later_thread (gpointer user_data)
{
  GasyncLatch *latch = user_data;

  g_assert_true (gasync_latch_starting (latch, NULL));
  g_assert_true (gasync_latch_started (latch, NULL));
  return NULL;
}

static gpointer
stop_later_thread (gpointer user_data)
{
  GasyncLatch *latch = user_data;

  g_assert_true (gasync_latch_stopping (latch, NULL));
  g_assert_true (gasync_latch_stopped (latch, NULL));
  return NULL;
}

static void
test_latch_wait (void)
{
  g_autoptr(GasyncLatch) latch = gasync_latch_new ();
  g_autoptr(GError) error = NULL;
  GThread *thread;

  thread = g_thread_new ("start", start_later_thread, latch);
  g_assert_true (gasync_latch_wait_started (latch, NULL, &error));
  g_assert_no_error (error);
  g_thread_join (thread);
  g_assert_cmpint (gasync_latch_get_state (latch), ==, GASYNC_LATCH_STATE_STARTED);

  /* Already started: returns at once. */
  g_assert_true (gasync_latch_wait_started (latch, NULL, &error));

  thread = g_thread_new ("stop", stop_later_thread, latch);
  g_assert_true (gasync_latch_wait_stopped (latch, NULL, &error));
  g_assert_no_error (error);
  g_thread_join (thread);
  g_assert_cmpint (gasync_latch_get_state (latch), ==, GASYNC_LATCH_STATE_STOPPED);

  g_assert_true (gasync_latch_wait_stopped (latch, NULL, &error));
  g_assert_no_error (error);
  gasync_test_flush (NULL);
}

static void
test_latch_wait_cancelled (void)
{
  g_autoptr(GasyncLatch) latch = gasync_latch_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  GThread *thread;

  g_test_summary ("A wait that would never end ends when its cancellable "
                  "is cancelled, from another thread or before the call");

  thread = gasync_test_cancel_in_thread (cancellable, 0);
  g_assert_false (gasync_latch_wait_started (latch, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_thread_join (thread);

  g_assert_false (gasync_latch_wait_started (latch, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  latch_go_to (latch, GASYNC_LATCH_STATE_STARTED);
  g_cancellable_reset (cancellable);
  thread = gasync_test_cancel_in_thread (cancellable, 0);
  g_assert_false (gasync_latch_wait_stopped (latch, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_thread_join (thread);
  g_assert_cmpint (gasync_latch_get_state (latch), ==, GASYNC_LATCH_STATE_STARTED);
  gasync_test_flush (NULL);
}

typedef struct
{
  GasyncLatch *latch;
  int done;
} FlapData;

/* Starts and fails, again and again, until told to end. */
static gpointer
flap_thread (gpointer user_data)
{
  FlapData *data = user_data;

  while (!g_atomic_int_get (&data->done))
    {
      g_assert_true (gasync_latch_starting (data->latch, NULL));
      gasync_latch_reset (data->latch);
    }
  return NULL;
}

static void
test_latch_wait_started_but_stopped (void)
{
  g_autoptr(GasyncLatch) latch = gasync_latch_new ();
  g_autoptr(GError) error = NULL;
  FlapData data = { latch, FALSE };
  GThread *thread;

  g_test_summary ("wait_started() does not hang when the start fails and "
                  "the latch goes back to stopped");

  thread = g_thread_new ("flap", flap_thread, &data);
  g_assert_false (gasync_latch_wait_started (latch, NULL, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_NOT_STARTED);
  g_atomic_int_set (&data.done, TRUE);
  g_thread_join (thread);
  gasync_test_flush (NULL);
}

static void
test_latch_error_translated (void)
{
  g_autoptr(GasyncLatch) latch = NULL;
  g_autoptr(GError) error = NULL;

  if (!gasync_test_in_german ())
    return;

  latch = gasync_latch_new ();
  g_assert_false (gasync_latch_stopped (latch, &error));
  g_assert_cmpstr (error->message, ==,
                   "Wechsel von „stopped“ nach „stopped“ nicht möglich");
}

static void
test_latch_bad_input (void)
{
  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*GASYNC_IS_LATCH*");
  g_assert_false (gasync_latch_starting (NULL, NULL));
  g_test_assert_expected_messages ();

  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*GASYNC_IS_LATCH*");
  g_assert_cmpint (gasync_latch_get_state (NULL), ==, GASYNC_LATCH_STATE_STOPPED);
  g_test_assert_expected_messages ();

  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*GASYNC_IS_LATCH*");
  g_assert_false (gasync_latch_wait_stopped (NULL, NULL, NULL));
  g_test_assert_expected_messages ();
}

static gpointer
start_latch_thread (gpointer data)
{
  g_autoptr(GasyncLatch) latch = data;

  g_assert_true (gasync_latch_started (latch, NULL));
  return NULL;
}

static void
test_latch_last_unref_while_running (void)
{
  GasyncTestLifetime lifetime;
  GasyncLatch *latch = gasync_latch_new ();
  guint n_notifies = 0;

  g_test_summary ("A started latch dropped while its notifications are "
                  "still on their way to the owner context lives on until "
                  "they were emitted, then is finalized");
  g_test_bug ("13");
  gasync_test_lifetime_init (&lifetime);
  gasync_test_lifetime_watch (&lifetime, latch);
  g_signal_connect (latch, "notify::state", G_CALLBACK (gasync_test_count_notify),
                    &n_notifies);
  g_assert_true (gasync_latch_starting (latch, NULL));
  g_thread_join (g_thread_new ("latch", start_latch_thread, g_object_ref (latch)));
  g_assert_cmpint (gasync_latch_get_state (latch), ==, GASYNC_LATCH_STATE_STARTED);
  g_object_unref (latch);
  g_assert_false (g_atomic_int_get (&lifetime.gone));

  gasync_test_lifetime_wait (&lifetime, 0);
  g_assert_cmpuint (n_notifies, ==, 2);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gasync/latch/initial", test_latch_initial);
  g_test_add_func ("/gasync/latch/transitions", test_latch_transitions);
  g_test_add_func ("/gasync/latch/reset", test_latch_reset);
  g_test_add_func ("/gasync/latch/notify-on-owner", test_latch_notify_on_owner);
  g_test_add_func ("/gasync/latch/wait", test_latch_wait);
  g_test_add_func ("/gasync/latch/wait-cancelled", test_latch_wait_cancelled);
  g_test_add_func ("/gasync/latch/wait-started-but-stopped",
                   test_latch_wait_started_but_stopped);
  g_test_add_func ("/gasync/latch/error-translated", test_latch_error_translated);
  g_test_add_func ("/gasync/latch/bad-input", test_latch_bad_input);
  g_test_add_func ("/gasync/latch/last-unref-while-running",
                   test_latch_last_unref_while_running);

  return g_test_run ();
}

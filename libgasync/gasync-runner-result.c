/* gasync-runner-result.c: what a runner finished with
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

/**
 * SECTION:gasync-runner-result
 * @title: GasyncRunnerResult
 * @short_description: the id and error a runner finished with
 *
 * A #GasyncGroupRunner reports one #GasyncRunnerResult per runner: the
 * runner's id and the error its function returned, %NULL on success, or
 * %GASYNC_ERROR_TIMEOUT when it did not return within the interrupt
 * timeout. The order of the results is the order in which the runners
 * finished.
 *
 * Threading: results are immutable; they may be used from any thread.
 */

#include "config.h"

#include "gasync-runner-result-private.h"
#include "gasync-private.h"

struct _GasyncRunnerResult
{
  char *id;
  GError *error;
};

G_DEFINE_BOXED_TYPE (GasyncRunnerResult, gasync_runner_result,
                     gasync_runner_result_ref, gasync_runner_result_unref)

static void
runner_result_clear (gpointer data)
{
  GasyncRunnerResult *self = data;

  g_free (self->id);
  g_clear_error (&self->error);
}

GasyncRunnerResult *
gasync_runner_result_new (const char   *id,
                          const GError *error)
{
  GasyncRunnerResult *self = g_atomic_rc_box_new0 (GasyncRunnerResult);

  self->id = g_strdup (id);
  self->error = error != NULL ? g_error_copy (error) : NULL;
  return self;
}

/**
 * gasync_runner_result_ref:
 * @self: a #GasyncRunnerResult
 *
 * Adds a reference to @self.
 *
 * Returns: (transfer full): @self
 *
 * Since: 0.1
 */
GasyncRunnerResult *
gasync_runner_result_ref (GasyncRunnerResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_atomic_rc_box_acquire (self);
}

/**
 * gasync_runner_result_unref:
 * @self: (transfer full): a #GasyncRunnerResult
 *
 * Drops a reference to @self, freeing it when it was the last one.
 *
 * Since: 0.1
 */
void
gasync_runner_result_unref (GasyncRunnerResult *self)
{
  g_return_if_fail (self != NULL);

  g_atomic_rc_box_release_full (self, runner_result_clear);
}

/**
 * gasync_runner_result_get_id:
 * @self: a #GasyncRunnerResult
 *
 * Gets the id of the runner that @self is the result of, or
 * %GASYNC_RUNNER_RESULT_UNKNOWN_ID for a runner that did not report
 * within its group's interrupt timeout.
 *
 * Returns: (transfer none): the runner's id
 *
 * Since: 0.1
 */
const char *
gasync_runner_result_get_id (GasyncRunnerResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->id;
}

/**
 * gasync_runner_result_get_error:
 * @self: a #GasyncRunnerResult
 *
 * Gets the error the runner finished with.
 *
 * Returns: (transfer none) (nullable): the run function's error,
 *   %GASYNC_ERROR_TIMEOUT when it did not return in time, or %NULL when
 *   it succeeded
 *
 * Since: 0.1
 */
const GError *
gasync_runner_result_get_error (GasyncRunnerResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->error;
}

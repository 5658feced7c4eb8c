/* gasync-private.h: internals shared by every libgasync source file
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#pragma once

#include "config.h"

#include <glib/gi18n-lib.h>

#include "gasync.h"

G_BEGIN_DECLS

void     gasync_i18n_init                (void);

/* See gasync-types.c: last in every class_init, first in every instance
 * init. */
void     gasync_type_class_publish       (gpointer    klass);
void     gasync_type_class_acquire       (gpointer    instance);

void     gasync_set_task_failed_error    (GError     **error,
                                          const char  *task_name);

void     gasync_report_self_deadlock     (GError     **error,
                                          const char  *call,
                                          const char  *why);
void     gasync_report_self_deadlock_of  (GError     **error,
                                          const char  *label,
                                          const char  *call,
                                          const char  *why);

gboolean gasync_task_outcome             (gboolean         ok,
                                          GError          *local_error,
                                          const char      *task_name,
                                          GCancellable    *cancellable,
                                          GError         **error);
gboolean gasync_value_func_call          (GasyncValueFunc  func,
                                          const char      *task_name,
                                          GCancellable    *cancellable,
                                          GasyncFuture    *result,
                                          gpointer         user_data,
                                          GError         **error);

gboolean gasync_error_is_cancelled       (const GError    *error);

/* Calls a task function with the rule of DESIGN §3 (see
 * gasync_task_outcome()). Inline: a task that succeeds without an error,
 * the tiny task's case, costs only the call. */
static inline gboolean
gasync_task_func_call (GasyncTaskFunc   func,
                       const char      *task_name,
                       GCancellable    *cancellable,
                       gpointer         user_data,
                       GError         **error)
{
  GError *local_error = NULL;
  gboolean ok = func (cancellable, user_data, &local_error);

  if (G_LIKELY (ok && local_error == NULL))
    return TRUE;
  return gasync_task_outcome (ok, local_error, task_name, cancellable, error);
}
gboolean gasync_failure_is_handled       (gpointer         instance,
                                          guint            signal_id,
                                          const char      *label,
                                          const char      *what,
                                          const GError    *error);

/* A wait's predicate (a GasyncWaitFunc) that holds once the gboolean
 * @flag, read under the wait's lock, is set. */
static inline gboolean
gasync_flag_is_set (gpointer flag)
{
  return *(const gboolean *) flag;
}

/* How log lines name an object: "Stopper “indexer”", or when it has no
 * name "Stopper 0x5581…" (@kind, then @name or the address). */
char    *gasync_describe                 (const char     *kind,
                                          const char     *name,
                                          gconstpointer   object) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS

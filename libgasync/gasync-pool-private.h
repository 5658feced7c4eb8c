/* gasync-pool-private.h: the library's shared thread pool
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef void (*GasyncPoolFunc) (gpointer data);

/* A queued call. gasync_pool_push_job() takes one that lives in the
 * caller's own record, to save an allocation per task. */
typedef struct _GasyncPoolJob GasyncPoolJob;
/* A job in the pool's queue, made by the caller as the first member of
 * its own record, so that a queued task costs no allocation of the
 * pool's: its function is called with the job, that is the record. */
struct _GasyncPoolJob
{
  GasyncPoolJob *next;
  GasyncPoolFunc func; /* NULL for the pool's own jobs */
};

void     gasync_pool_push                         (GasyncPoolFunc   func,
                                                   gpointer         data);
void     gasync_pool_push_job                     (GasyncPoolJob   *job,
                                                   GasyncPoolFunc   func);

/* How long a pool thread beyond the base count stays idle before it exits
 * (gasync_pool_set_idle_timeout_for_testing() changes it). */
#define GASYNC_POOL_IDLE_TIMEOUT (5 * G_USEC_PER_SEC)

/* The pool's counters, for tests and debugging: threads now (started or
 * starting), idle, queued tasks, the most threads at once since the last
 * gasync_pool_reset_peak_threads(), the base and maximum counts, how many
 * times creating a thread failed, how many times the monitor wanted more
 * threads than the maximum allows, and whether the monitor runs. */
typedef struct
{
  guint n_threads;
  guint n_idle;
  guint n_queued;
  guint peak_threads;
  guint base_threads;
  guint max_threads;
  guint64 n_spawn_failures;
  guint64 n_held_at_max;
  gboolean monitor_running;
} GasyncPoolStats;

guint    gasync_pool_get_n_threads                (void);
guint    gasync_pool_get_base_threads             (void);
guint    gasync_pool_get_max_threads              (void);
void     gasync_pool_get_stats                    (GasyncPoolStats *stats);
void     gasync_pool_reset_peak_threads           (void);

void     gasync_pool_set_idle_timeout_for_testing (GTimeSpan        timeout);
void     gasync_pool_set_base_threads_for_testing (guint            n);
void     gasync_pool_set_spawn_limit_for_testing  (guint            limit);

G_END_DECLS

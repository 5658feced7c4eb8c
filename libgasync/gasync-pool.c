/* gasync-pool.c: the library's shared thread pool
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 *
 * Short tasks run here, on a lazily created pool of pthreads (DESIGN §3).
 * A task may block, and blocked tasks must never starve the queued ones, as
 * goroutines never do: N tasks that each wait until all N have started must
 * finish. Spawning a thread per task would do that but is slow for tiny
 * tasks, so the pool keeps as many threads as there are processors and
 * adds a monitor, like Go's sysmon: while tasks are queued, it looks every
 * tick whether any task was started since its last look; if none was for
 * several ticks in a row and no thread is idle, every thread is blocked,
 * and it adds threads for the queued tasks, doubling the pool at most per
 * look. (One quiet tick is not enough: on a loaded machine every pool
 * thread can be descheduled for a millisecond while the producer runs,
 * and threads added then only slow tiny tasks down.) Threads beyond the base count exit after being idle for a
 * while. Dispatch is one lock, a list append and, when a thread is idle, one
 * condition signal; job records are recycled through a free list.
 */

#include "config.h"

#include "gasync-pool-private.h"
#include "gasync-private.h"
#include "gasync-sync-private.h"

/* How often the monitor looks for a stalled queue, after how many stalled
 * looks in a row (10 ms, Go's preemption delay) it adds threads, and how
 * many it adds at most in one look. */
#define MONITOR_TICK_USEC 1000
#define MONITOR_STALLED_TICKS 10
#define MONITOR_BURST 256
/* How long a thread beyond the base count stays idle before it exits. */
#define EXTRA_THREAD_IDLE_USEC (5 * G_USEC_PER_SEC)
/* How many job records the free list keeps. */
#define MAX_FREE_JOBS 1024

typedef GasyncPoolJob Job;

static struct
{
  GasyncLock lock;
  GasyncCond work_cond;
  GasyncCond monitor_cond;

  Job *head;
  Job *tail;
  guint n_queued;
  Job *free_jobs;
  guint n_free_jobs;

  guint base_threads;
  guint n_threads;
  guint n_starting;
  guint n_idle;
  guint64 n_started;

  gboolean monitor_running;
  gboolean monitor_waiting;
} pool;

static pthread_once_t pool_once = PTHREAD_ONCE_INIT;

static void
pool_init (void)
{
  gasync_lock_init (&pool.lock);
  gasync_cond_init (&pool.work_cond);
  gasync_cond_init (&pool.monitor_cond);
  pool.base_threads = MAX (2, g_get_num_processors ());
  /* Pool threads exist only after this: whatever the library initialises
   * once (see gasync_i18n_init()) happens before them. */
  gasync_i18n_init ();
}

static void
spawn_thread (void *(*start) (void *))
{
  pthread_attr_t attr;
  pthread_t thread;
  int r;

  pthread_attr_init (&attr);
  pthread_attr_setdetachstate (&attr, PTHREAD_CREATE_DETACHED);
  r = pthread_create (&thread, &attr, start, NULL);
  pthread_attr_destroy (&attr);
  if (r != 0)
    g_error ("libgasync: cannot create a pool thread: %s", g_strerror (r));
}

/* Called with the lock held. */
static Job *
pop_job (void)
{
  Job *job = pool.head;

  pool.head = job->next;
  if (pool.head == NULL)
    pool.tail = NULL;
  pool.n_queued--;
  pool.n_started++;
  return job;
}

static void *monitor_main (void *unused);

/* Called with the lock held, whenever tasks stay queued with no thread known
 * to be free for them: the monitor must watch the queue. */
static void
wake_monitor (void)
{
  if (!pool.monitor_running)
    {
      pool.monitor_running = TRUE;
      spawn_thread (monitor_main);
    }
  else if (pool.monitor_waiting)
    {
      pool.monitor_waiting = FALSE;
      gasync_cond_signal (&pool.monitor_cond);
    }
}

static void *
worker_main (void *unused)
{
  pthread_setname_np (pthread_self (), "gasync-pool");
  gasync_lock (&pool.lock);
  pool.n_starting--;

  for (;;)
    {
      Job *job;
      GasyncPoolFunc func;
      gpointer data;

      while (pool.head == NULL)
        {
          gboolean extra = pool.n_threads > pool.base_threads;
          gboolean signalled = TRUE;

          pool.n_idle++;
          if (extra)
            signalled = gasync_cond_wait_until (&pool.work_cond, &pool.lock,
                                                g_get_monotonic_time () + EXTRA_THREAD_IDLE_USEC);
          else
            gasync_cond_wait (&pool.work_cond, &pool.lock);
          pool.n_idle--;

          if (!signalled && pool.head == NULL &&
              pool.n_threads > pool.base_threads)
            {
              pool.n_threads--;
              gasync_unlock (&pool.lock);
              return NULL;
            }
        }

      job = pop_job ();
      /* A push that found this thread idle handed its task to it without
       * waking the monitor; if more tasks are queued behind, and this one
       * blocks, only the monitor can add the thread they need. */
      if (pool.head != NULL)
        wake_monitor ();
      func = job->func;
      data = job->data;
      if (!job->pool_owned)
        job = NULL; /* the caller's: @func may free it */
      else if (pool.n_free_jobs < MAX_FREE_JOBS)
        {
          job->next = pool.free_jobs;
          pool.free_jobs = job;
          pool.n_free_jobs++;
          job = NULL;
        }
      gasync_unlock (&pool.lock);

      g_free (job);
      func (data);

      gasync_lock (&pool.lock);
    }

  return NULL;
}

static void *
monitor_main (void *unused)
{
  guint stalled = 0;

  pthread_setname_np (pthread_self (), "gasync-monitor");
  gasync_lock (&pool.lock);

  for (;;)
    {
      guint64 started_before;

      if (pool.head == NULL)
        {
          stalled = 0;
          pool.monitor_waiting = TRUE;
          gasync_cond_wait (&pool.monitor_cond, &pool.lock);
          pool.monitor_waiting = FALSE;
          continue;
        }

      started_before = pool.n_started;
      gasync_unlock (&pool.lock);
      g_usleep (MONITOR_TICK_USEC);
      gasync_lock (&pool.lock);

      /* Threads still starting will take tasks: under valgrind or heavy
       * load a thread can take longer than a tick to start. */
      if (pool.head == NULL || pool.n_idle > 0 || pool.n_starting > 0 ||
          pool.n_started != started_before)
        stalled = 0;
      else if (++stalled >= MONITOR_STALLED_TICKS)
        {
          guint n = MIN (pool.n_queued, MIN (pool.n_threads, MONITOR_BURST));

          stalled = 0;
          g_debug ("pool: %u threads are blocked with %u tasks queued; adding %u",
                   pool.n_threads, pool.n_queued, n);
          pool.n_threads += n;
          pool.n_starting += n;
          for (guint i = 0; i < n; i++)
            spawn_thread (worker_main);
        }
    }

  return NULL;
}

/* Queues @job, locked, and finds it a thread. */
static void
push_job_locked (Job            *job,
                 GasyncPoolFunc  func,
                 gpointer        data)
{
  job->next = NULL;
  job->func = func;
  job->data = data;
  if (pool.tail != NULL)
    pool.tail->next = job;
  else
    pool.head = job;
  pool.tail = job;
  pool.n_queued++;

  if (pool.n_idle > 0)
    gasync_cond_signal (&pool.work_cond);
  else if (pool.n_threads < pool.base_threads &&
           pool.n_starting < pool.n_queued)
    {
      pool.n_threads++;
      pool.n_starting++;
      spawn_thread (worker_main);
    }
  else
    wake_monitor ();
}

/* Runs @func (@data) once on a pool thread, from any thread. Never blocks
 * for long and never fails; there is no bound on how many tasks may wait. */
void
gasync_pool_push (GasyncPoolFunc func,
                  gpointer       data)
{
  Job *job;

  pthread_once (&pool_once, pool_init);

  gasync_lock (&pool.lock);
  job = pool.free_jobs;
  if (job != NULL)
    {
      pool.free_jobs = job->next;
      pool.n_free_jobs--;
    }
  else
    {
      gasync_unlock (&pool.lock);
      job = g_new (Job, 1);
      job->pool_owned = TRUE;
      gasync_lock (&pool.lock);
    }
  push_job_locked (job, func, data);
  gasync_unlock (&pool.lock);
}

/* Like gasync_pool_push(), in @job, which the caller owns and keeps
 * until @func is called; the pool does not touch it after that. */
void
gasync_pool_push_job (GasyncPoolJob  *job,
                      GasyncPoolFunc  func,
                      gpointer        data)
{
  pthread_once (&pool_once, pool_init);

  job->pool_owned = FALSE;
  gasync_lock (&pool.lock);
  push_job_locked (job, func, data);
  gasync_unlock (&pool.lock);
}

/* The number of pool threads now (for tests and debugging). */
guint
gasync_pool_get_n_threads (void)
{
  guint n;

  pthread_once (&pool_once, pool_init);
  gasync_lock (&pool.lock);
  n = pool.n_threads;
  gasync_unlock (&pool.lock);
  return n;
}

/* The number of threads the pool keeps even when idle. */
guint
gasync_pool_get_base_threads (void)
{
  pthread_once (&pool_once, pool_init);
  return pool.base_threads;
}

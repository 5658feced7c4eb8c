/* gasync-pool.c: the library's shared thread pool
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 *
 * Short tasks run here, on a lazily created pool of pthreads (DESIGN §3).
 * A task may block, and blocked tasks must never starve the queued ones, as
 * goroutines never do: N tasks that each wait until all N have started must
 * finish. Spawning a thread per task would do that but is slow for tiny
 * tasks, so the pool keeps as many threads as there are processors (the
 * base count, at least 2) and adds a monitor, like Go's sysmon.
 *
 * Growth. While tasks are queued the monitor looks every tick (1 ms). The
 * queue makes no progress when no thread is idle or starting, every thread
 * is inside a task function (none is between two tasks, waiting for the
 * lock) and no task was started since the last look. After 10 such looks
 * in a row (10 ms, Go's preemption delay) the monitor adds threads,
 * doubling the pool at most and never more than 256 at once or than there
 * are queued tasks. (One quiet tick is not enough: on a loaded machine
 * every pool thread can be descheduled for a millisecond while a producer
 * runs, and threads added then only slow tiny tasks down. Nor is "no task
 * started": a producer that hammers the lock can keep the threads from
 * taking the next task, but they are then between tasks, not blocked.)
 *
 * The maximum. The pool never has more than a hard maximum of worker
 * threads (plus the monitor): 256 per processor, at least 2,048 and at most
 * 4,096, or the value of the environment variable GASYNC_MAX_THREADS (1 to
 * 1,000,000) when it is set when the pool starts. The default keeps the
 * guarantee above for any N up to 1,000, with as many other tasks blocked
 * besides. At the maximum, queued tasks wait for a thread to come free;
 * this is logged once, with g_warning().
 *
 * Shrinking. Idle threads wait on a stack, each on its own condition, and
 * a push wakes the most recently idle one, so that after a burst the
 * others stay idle and, beyond the base count, exit after 5 s. (Waking
 * the longest idle, as one shared condition does, would keep every one of
 * them alive under a trickle of tasks.)
 *
 * Failure. When a thread cannot be created (RLIMIT_NPROC, RLIMIT_AS,
 * kernel.threads-max), the tasks stay queued and the pool tries again: the
 * monitor on its next look, pushes for the monitor itself (at most every
 * 10 ms). The first failure is logged once, with g_warning(); the process
 * never aborts. The monitor starts with the first worker, so that it is
 * there to try again; if the pool has no thread at all, not even its
 * monitor, its queued tasks wait until a later push can create one.
 *
 * Dispatch is one lock, a list append and, when a thread is idle, one
 * condition signal; job records are recycled through a free list.
 */

#include "config.h"

#include <errno.h>
#include <stdatomic.h>

#include "gasync-pool-private.h"
#include "gasync-private.h"
#include "gasync-sync-private.h"

/* How often the monitor looks for a stalled queue, after how many stalled
 * looks in a row (10 ms, Go's preemption delay) it adds threads, and how
 * many it adds at most in one look. */
#define MONITOR_TICK_USEC 1000
#define MONITOR_STALLED_TICKS 10
#define MONITOR_BURST 256
/* How often a push tries again to create a monitor that could not be. */
#define MONITOR_RETRY_USEC (10 * 1000)
/* The default maximum of worker threads: per processor, and its bounds. */
#define MAX_THREADS_PER_PROCESSOR 256
#define MAX_THREADS_DEFAULT_MIN 2048
#define MAX_THREADS_DEFAULT_MAX 4096
/* The largest value GASYNC_MAX_THREADS may have. */
#define MAX_THREADS_LIMIT 1000000
/* How many job records the free list keeps. */
#define MAX_FREE_JOBS 1024

typedef GasyncPoolJob Job;

/* A job of gasync_pool_push(), which the pool makes and recycles. */
typedef struct
{
  Job job; /* job.func is NULL */
  GasyncPoolFunc func;
  gpointer data;
} OwnedJob;
typedef struct _Worker Worker;

/* A worker thread, on its own stack. Under the pool lock but in_task. */
struct _Worker
{
  Worker *prev; /* pool.workers: every started worker */
  Worker *next;
  Worker *idle_below; /* pool.idle: the idle stack, top first */
  Worker *idle_above;
  GasyncCond cond;
  gboolean woken; /* a push handed it work */
  atomic_bool in_task; /* in a task function; read by the monitor */
};

/* A warning to give once the lock is released, so that a log handler that
 * pushes tasks cannot deadlock. */
typedef struct
{
  gboolean spawn_failed;
  int error;
  gboolean at_max;
  guint max_threads;
} Warnings;

static struct
{
  GasyncLock lock;
  GasyncCond monitor_cond;

  Job *head; /* written atomically: a spinning worker reads it unlocked */
  Job *tail;
  guint n_queued;
  OwnedJob *free_jobs; /* linked by job.next */
  guint n_free_jobs;

  Worker *workers;
  Worker *idle;
  guint base_threads;
  guint max_threads;
  gint64 idle_timeout;
  guint n_threads; /* workers, started or starting */
  guint n_starting;
  guint n_idle;
  guint n_waking; /* handed work by a push, not yet running again */
  guint n_spinning; /* looking for work before they go idle */
  guint peak_threads;
  guint64 n_started;

  gboolean monitor_running;
  gboolean monitor_waiting;
  gint64 monitor_retry_time;

  guint64 n_spawn_failures;
  guint64 n_held_at_max;
  gboolean warned_spawn;
  gboolean warned_max;
} pool;

static pthread_once_t pool_once = PTHREAD_ONCE_INIT;
/* Set once pool_init() has run: a push then costs one load, not a call. */
static atomic_bool pool_ready;

/* Pool threads alive (workers and the monitor), and how many the testing
 * hook lets exist. */
static atomic_uint n_live_threads;
static atomic_uint spawn_limit = G_MAXUINT;

static void
pool_init (void)
{
  guint n_processors = g_get_num_processors ();
  const char *env = g_getenv ("GASYNC_MAX_THREADS");

  gasync_lock_init (&pool.lock);
  gasync_cond_init (&pool.monitor_cond);
  pool.idle_timeout = GASYNC_POOL_IDLE_TIMEOUT;
  pool.max_threads = CLAMP (n_processors * MAX_THREADS_PER_PROCESSOR,
                            MAX_THREADS_DEFAULT_MIN, MAX_THREADS_DEFAULT_MAX);
  if (env != NULL)
    {
      guint64 value;

      if (g_ascii_string_to_unsigned (env, 10, 1, MAX_THREADS_LIMIT, &value,
                                      NULL))
        pool.max_threads = value;
      else
        g_warning ("GASYNC_MAX_THREADS=%s is not a number from 1 to %u; "
                   "the shared pool keeps its default maximum of %u threads",
                   env, MAX_THREADS_LIMIT, pool.max_threads);
    }
  pool.base_threads = MIN (MAX (2, n_processors), pool.max_threads);
  /* Pool threads exist only after this: whatever the library initialises
   * once (see gasync_i18n_init()) happens before them. */
  gasync_i18n_init ();
}

/* Creates a detached pool thread. Returns 0 or pthread_create()'s error. */
static int
spawn_thread (void *(*start) (void *))
{
  pthread_attr_t attr;
  pthread_t thread;
  int r;

  if (atomic_fetch_add (&n_live_threads, 1) >= atomic_load (&spawn_limit))
    r = EAGAIN;
  else
    {
      pthread_attr_init (&attr);
      pthread_attr_setdetachstate (&attr, PTHREAD_CREATE_DETACHED);
      r = pthread_create (&thread, &attr, start, NULL);
      pthread_attr_destroy (&attr);
    }
  if (r != 0)
    atomic_fetch_sub (&n_live_threads, 1);
  return r;
}

/* Called with the lock held when a thread could not be created: the tasks
 * stay queued, and whoever called tries again later. */
static void
spawn_failed_locked (int       error,
                     Warnings *warnings)
{
  pool.n_spawn_failures++;
  if (!pool.warned_spawn)
    {
      pool.warned_spawn = TRUE;
      warnings->spawn_failed = TRUE;
      warnings->error = error;
    }
}

/* Gives @warnings, without the lock. */
static void
give_warnings (const Warnings *warnings)
{
  if (warnings->spawn_failed)
    g_warning ("The shared thread pool cannot create a thread (%s); its "
               "tasks stay queued and it tries again later. This is logged "
               "once.", g_strerror (warnings->error));
  if (warnings->at_max)
    g_warning ("The shared thread pool has reached its maximum of %u "
               "threads with tasks still queued; they wait for a thread to "
               "come free (GASYNC_MAX_THREADS sets the maximum). This is "
               "logged once.", warnings->max_threads);
}

static inline void
update_peak_locked (void)
{
  if (pool.n_threads > pool.peak_threads)
    pool.peak_threads = pool.n_threads;
}

/* Called with the lock held. */
static Job *
pop_job (void)
{
  Job *job = pool.head;

  __atomic_store_n (&pool.head, job->next, __ATOMIC_RELAXED);
  if (pool.head == NULL)
    pool.tail = NULL;
  pool.n_queued--;
  pool.n_started++;
  return job;
}

static void
idle_push_locked (Worker *worker)
{
  worker->idle_above = NULL;
  worker->idle_below = pool.idle;
  if (pool.idle != NULL)
    pool.idle->idle_above = worker;
  pool.idle = worker;
  pool.n_idle++;
}

static void
idle_remove_locked (Worker *worker)
{
  if (worker->idle_above != NULL)
    worker->idle_above->idle_below = worker->idle_below;
  else
    pool.idle = worker->idle_below;
  if (worker->idle_below != NULL)
    worker->idle_below->idle_above = worker->idle_above;
  worker->idle_above = worker->idle_below = NULL;
  pool.n_idle--;
}

static void *monitor_main (void *unused);

/* wake_monitor() when the monitor is not watching the queue already. */
static void
wake_monitor_slow (Warnings *warnings)
{
  int r;

  if (pool.monitor_running)
    {
      if (pool.monitor_waiting)
        {
          pool.monitor_waiting = FALSE;
          gasync_cond_signal (&pool.monitor_cond);
        }
      return;
    }

  if (pool.monitor_retry_time != 0 &&
      g_get_monotonic_time () < pool.monitor_retry_time)
    return;
  r = spawn_thread (monitor_main);
  if (r == 0)
    pool.monitor_running = TRUE;
  else
    {
      pool.monitor_retry_time = g_get_monotonic_time () + MONITOR_RETRY_USEC;
      spawn_failed_locked (r, warnings);
    }
}

/* Called with the lock held, whenever tasks stay queued with no thread known
 * to be free for them: the monitor must watch the queue. Inline for the
 * common case, in which it watches already: a burst of tasks comes here
 * for most of them. */
static inline void
wake_monitor (Warnings *warnings)
{
  if (G_UNLIKELY (!pool.monitor_running || pool.monitor_waiting))
    wake_monitor_slow (warnings);
}

static void *worker_main (void *unused);

/* Called with the lock held: starts one worker now, and the monitor first
 * if it is not running yet, so that it is there to try again should
 * creating threads fail later, when every worker may be blocked. */
static gboolean
start_worker_locked (Warnings *warnings)
{
  int r;

  if (!pool.monitor_running)
    wake_monitor (warnings);
  r = spawn_thread (worker_main);
  if (r != 0)
    {
      spawn_failed_locked (r, warnings);
      return FALSE;
    }
  pool.n_threads++;
  pool.n_starting++;
  return TRUE;
}

/* Called with the lock held: starts @n workers, without the lock while it
 * creates them, and says so in a debug message. */
static void
add_workers_locked (guint     n,
                    Warnings *warnings)
{
  guint created;
  guint n_threads = pool.n_threads;
  guint n_queued = pool.n_queued;
  int r = 0;

  pool.n_threads += n;
  pool.n_starting += n;
  gasync_unlock (&pool.lock);

  g_debug ("pool: %u threads are blocked with %u tasks queued; adding %u",
           n_threads, n_queued, n);
  for (created = 0; created < n; created++)
    {
      r = spawn_thread (worker_main);
      if (r != 0)
        break;
    }

  gasync_lock (&pool.lock);
  if (created < n)
    {
      pool.n_threads -= n - created;
      pool.n_starting -= n - created;
      spawn_failed_locked (r, warnings);
    }
}

static GasyncSpinResult
pool_try_spin (gpointer unused)
{
  return __atomic_load_n (&pool.head, __ATOMIC_RELAXED) != NULL ?
         GASYNC_SPIN_DONE : GASYNC_SPIN_AGAIN;
}

/* Called with the lock held when the queue is empty, before a worker goes
 * idle: Go's spinning threads. One worker at a time looks for a task
 * without the lock for a little while (gasync_spin()), since a producer's
 * next push often comes sooner than a sleep and a wake-up would take; a
 * push meanwhile leaves the idle workers asleep. Returns whether a task
 * is queued now. */
static gboolean
worker_spin_locked (void)
{
  if (pool.n_spinning > 0 || !gasync_spin_allowed ())
    return FALSE;

  pool.n_spinning++;
  gasync_unlock (&pool.lock);
  gasync_spin (pool_try_spin, NULL);
  gasync_lock (&pool.lock);
  pool.n_spinning--;
  return pool.head != NULL;
}

/* Called with the lock held when @self has no task: waits on the idle stack
 * until a push hands it one. Returns FALSE when the thread must exit
 * instead, having been idle for the idle timeout beyond the base count. */
static gboolean
worker_idle_locked (Worker *self)
{
  gint64 idle_since = 0;

  self->woken = FALSE;
  idle_push_locked (self);
  while (!self->woken)
    {
      if (pool.n_threads <= pool.base_threads)
        {
          idle_since = 0;
          gasync_cond_wait (&self->cond, &pool.lock);
          continue;
        }
      if (idle_since == 0)
        idle_since = g_get_monotonic_time ();
      if (gasync_cond_wait_until (&self->cond, &pool.lock,
                                  idle_since + pool.idle_timeout) ||
          self->woken || pool.n_threads <= pool.base_threads)
        continue;

      /* Idle for the whole timeout, beyond the base count. */
      idle_remove_locked (self);
      return pool.head != NULL;
    }
  pool.n_waking--;
  return TRUE;
}

static void *
worker_main (void *unused)
{
  Worker self = { 0 };

  pthread_setname_np (pthread_self (), "gasync-pool");
  gasync_cond_init (&self.cond);
  atomic_init (&self.in_task, FALSE);

  gasync_lock (&pool.lock);
  pool.n_starting--;
  /* Sampled as each thread starts: threads exiting while others are being
   * created cannot hide the moment when most ran at once. */
  update_peak_locked ();
  self.next = pool.workers;
  if (pool.workers != NULL)
    pool.workers->prev = &self;
  pool.workers = &self;

  for (;;)
    {
      Job *job;
      GasyncPoolFunc func;
      gpointer data;
      OwnedJob *to_free = NULL;
      Warnings warnings = { 0 };

      while (pool.head == NULL)
        if (!worker_spin_locked () && !worker_idle_locked (&self))
          goto out;

      job = pop_job ();
      atomic_store_explicit (&self.in_task, TRUE, memory_order_relaxed);
      /* A push that found this thread idle handed its task to it without
       * waking the monitor; if more tasks are queued behind, and this one
       * blocks, only the monitor can add the thread they need. */
      if (pool.head != NULL)
        wake_monitor (&warnings);
      func = job->func;
      data = job; /* the caller's: @func may free it */
      if (func == NULL)
        {
          OwnedJob *owned = (OwnedJob *) job;

          func = owned->func;
          data = owned->data;
          if (pool.n_free_jobs < MAX_FREE_JOBS)
            {
              job->next = (Job *) pool.free_jobs;
              pool.free_jobs = owned;
              pool.n_free_jobs++;
            }
          else
            to_free = owned;
        }
      gasync_unlock (&pool.lock);

      if (G_UNLIKELY (warnings.spawn_failed))
        give_warnings (&warnings);
      g_free (to_free);
      func (data);
      atomic_store_explicit (&self.in_task, FALSE, memory_order_relaxed);

      gasync_lock (&pool.lock);
    }

out:
  if (self.prev != NULL)
    self.prev->next = self.next;
  else
    pool.workers = self.next;
  if (self.next != NULL)
    self.next->prev = self.prev;
  pool.n_threads--;
  gasync_unlock (&pool.lock);

  gasync_cond_clear (&self.cond);
  atomic_fetch_sub (&n_live_threads, 1);
  return NULL;
}

/* Called with the lock held: whether a worker is between two tasks, so
 * that the queue will move without help. */
static gboolean
some_worker_between_tasks_locked (void)
{
  for (Worker *w = pool.workers; w != NULL; w = w->next)
    if (!atomic_load_explicit (&w->in_task, memory_order_relaxed))
      return TRUE;
  return FALSE;
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
      guint want;
      Warnings warnings = { 0 };

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
      if (pool.head == NULL || pool.n_idle > 0 || pool.n_waking > 0 ||
          pool.n_starting > 0)
        {
          stalled = 0;
          continue;
        }
      if (pool.n_threads < pool.base_threads)
        want = pool.base_threads - pool.n_threads; /* creating them failed */
      else if (pool.n_started != started_before ||
               some_worker_between_tasks_locked ())
        {
          stalled = 0;
          continue;
        }
      else if (++stalled < MONITOR_STALLED_TICKS)
        continue;
      else
        want = MIN (pool.n_threads, MONITOR_BURST);

      stalled = 0;
      want = MIN (want, pool.n_queued);
      if (want > pool.max_threads - MIN (pool.n_threads, pool.max_threads))
        {
          want = pool.max_threads - MIN (pool.n_threads, pool.max_threads);
          pool.n_held_at_max++;
          if (!pool.warned_max)
            {
              pool.warned_max = TRUE;
              warnings.at_max = TRUE;
              warnings.max_threads = pool.max_threads;
            }
        }
      if (want > 0)
        add_workers_locked (want, &warnings);

      if (warnings.spawn_failed || warnings.at_max)
        {
          gasync_unlock (&pool.lock);
          give_warnings (&warnings);
          gasync_lock (&pool.lock);
        }
    }

  return NULL;
}

/* Initializes the pool the first time. */
static inline void
pool_ensure (void)
{
  if (G_UNLIKELY (!atomic_load_explicit (&pool_ready, memory_order_acquire)))
    {
      pthread_once (&pool_once, pool_init);
      atomic_store_explicit (&pool_ready, TRUE, memory_order_release);
    }
}

/* Queues @job, locked, and finds it a thread. */
static inline void
push_job_locked (Job      *job,
                 Warnings *warnings)
{
  job->next = NULL;
  if (pool.tail != NULL)
    pool.tail->next = job;
  else
    __atomic_store_n (&pool.head, job, __ATOMIC_RELAXED);
  pool.tail = job;
  pool.n_queued++;

  if (pool.n_queued <= pool.n_spinning)
    ; /* a spinning worker takes it */
  else if (pool.idle != NULL)
    {
      Worker *worker = pool.idle;

      idle_remove_locked (worker);
      worker->woken = TRUE;
      pool.n_waking++;
      gasync_cond_signal (&worker->cond);
    }
  else if (pool.n_threads < pool.base_threads &&
           pool.n_starting + pool.n_waking < pool.n_queued &&
           start_worker_locked (warnings))
    ;
  else if (pool.n_waking == 0)
    wake_monitor (warnings);
  /* else the woken thread wakes the monitor if tasks are left behind the
   * one it takes. */
}

/* Runs @func (@data) once on a pool thread, from any thread. Never blocks
 * for long and never fails; there is no bound on how many tasks may wait. */
void
gasync_pool_push (GasyncPoolFunc func,
                  gpointer       data)
{
  OwnedJob *owned;
  Warnings warnings = { 0 };

  pool_ensure ();

  gasync_lock (&pool.lock);
  owned = pool.free_jobs;
  if (owned != NULL)
    {
      pool.free_jobs = (OwnedJob *) owned->job.next;
      pool.n_free_jobs--;
    }
  else
    {
      gasync_unlock (&pool.lock);
      owned = g_new (OwnedJob, 1);
      gasync_lock (&pool.lock);
    }
  owned->job.func = NULL;
  owned->func = func;
  owned->data = data;
  push_job_locked (&owned->job, &warnings);
  gasync_unlock (&pool.lock);

  if (G_UNLIKELY (warnings.spawn_failed))
    give_warnings (&warnings);
}

/* Like gasync_pool_push(), in @job, which the caller owns and keeps
 * until @func is called with it (@job is the data); the pool does not
 * touch it after that. */
void
gasync_pool_push_job (GasyncPoolJob  *job,
                      GasyncPoolFunc  func)
{
  Warnings warnings = { 0 };

  g_assert (func != NULL);
  pool_ensure ();

  job->func = func;
  gasync_lock (&pool.lock);
  push_job_locked (job, &warnings);
  gasync_unlock (&pool.lock);

  if (G_UNLIKELY (warnings.spawn_failed))
    give_warnings (&warnings);
}

/* The number of pool threads now (for tests and debugging). */
guint
gasync_pool_get_n_threads (void)
{
  guint n;

  pool_ensure ();
  gasync_lock (&pool.lock);
  n = pool.n_threads;
  gasync_unlock (&pool.lock);
  return n;
}

/* The number of threads the pool keeps even when idle. */
guint
gasync_pool_get_base_threads (void)
{
  pool_ensure ();
  return pool.base_threads;
}

/* The most worker threads the pool ever has at once. */
guint
gasync_pool_get_max_threads (void)
{
  pool_ensure ();
  return pool.max_threads;
}

/* Fills @stats with the pool's counters (for tests and debugging). */
void
gasync_pool_get_stats (GasyncPoolStats *stats)
{
  pool_ensure ();
  gasync_lock (&pool.lock);
  stats->n_threads = pool.n_threads;
  stats->n_idle = pool.n_idle;
  stats->n_queued = pool.n_queued;
  stats->peak_threads = pool.peak_threads;
  stats->base_threads = pool.base_threads;
  stats->max_threads = pool.max_threads;
  stats->n_spawn_failures = pool.n_spawn_failures;
  stats->n_held_at_max = pool.n_held_at_max;
  stats->monitor_running = pool.monitor_running;
  gasync_unlock (&pool.lock);
}

/* Starts counting the peak number of threads again from the number now. */
void
gasync_pool_reset_peak_threads (void)
{
  pool_ensure ();
  gasync_lock (&pool.lock);
  pool.peak_threads = pool.n_threads;
  gasync_unlock (&pool.lock);
}

/* Makes every idle thread look again at the base count and idle timeout. */
static void
recheck_idle_locked (void)
{
  for (Worker *w = pool.idle; w != NULL; w = w->idle_below)
    gasync_cond_signal (&w->cond);
}

/* Testing hook: how long a thread beyond the base count stays idle before
 * it exits; idle threads look again at once. */
void
gasync_pool_set_idle_timeout_for_testing (GTimeSpan timeout)
{
  g_return_if_fail (timeout > 0);

  pool_ensure ();
  gasync_lock (&pool.lock);
  pool.idle_timeout = timeout;
  recheck_idle_locked ();
  gasync_unlock (&pool.lock);
}

/* Testing hook: how many idle threads the pool keeps without a timeout
 * (the base count); idle threads look again at once. With 0 (and a short
 * idle timeout) every worker exits, as a test does before it exits. */
void
gasync_pool_set_base_threads_for_testing (guint n)
{
  pool_ensure ();
  gasync_lock (&pool.lock);
  pool.base_threads = MIN (n, pool.max_threads);
  recheck_idle_locked ();
  gasync_unlock (&pool.lock);
}

/* Testing hook: creating a pool thread fails with EAGAIN, as under
 * RLIMIT_NPROC, while the pool has @limit threads of its own (workers and
 * monitor); 0 makes every creation fail, G_MAXUINT none. The pool looks at
 * it only when it next tries to create a thread. */
void
gasync_pool_set_spawn_limit_for_testing (guint limit)
{
  atomic_store (&spawn_limit, limit);
}

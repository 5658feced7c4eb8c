/* gasync-sync-private.h: libgasync's own locking, visible to TSan
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 *
 * GLib 2.74 builds GMutex and GCond on raw futexes, which ThreadSanitizer
 * cannot see (their atomics are in an uninstrumented libglib), so every
 * hand-off through them reads as a race. libgasync's own locking goes
 * through the lock and condition here: on Linux futexes of its own, whose
 * atomics are compiled into the library, which TSan sees; elsewhere thin
 * wrappers on pthread mutexes and condition variables. Waits use
 * CLOCK_MONOTONIC, so that deadlines are g_get_monotonic_time() values.
 * The few hand-offs that must go through GLib are annotated with
 * GASYNC_TSAN_RELEASE/ACQUIRE.
 *
 * This is the bottom floor of the library's private layers: it also holds
 * deadlines, and gasync_wait(), the one blocking wait that every blocking
 * call of the library goes through (gasync-sync.c). Only it and the pool
 * wait on a condition variable themselves.
 */

#pragma once

#include <errno.h>
#include <pthread.h>
#include <time.h>

#ifdef __linux__
# include <limits.h>
# include <linux/futex.h>
# include <sys/syscall.h>
# include <unistd.h>
#endif

#include <gio/gio.h>

#if defined(HAVE_VALGRIND_H) && HAVE_VALGRIND_H
# include <valgrind/valgrind.h>
#endif

G_BEGIN_DECLS

#if defined(__SANITIZE_THREAD__)
# define GASYNC_HAVE_TSAN 1
#elif defined(__has_feature)
# if __has_feature(thread_sanitizer)
#  define GASYNC_HAVE_TSAN 1
# endif
#endif

#ifdef GASYNC_HAVE_TSAN
void __tsan_acquire (void *addr);
void __tsan_release (void *addr);
void __tsan_ignore_thread_begin (void);
void __tsan_ignore_thread_end (void);
# define GASYNC_TSAN_ACQUIRE(addr) __tsan_acquire ((void *) (addr))
# define GASYNC_TSAN_RELEASE(addr) __tsan_release ((void *) (addr))
# define GASYNC_TSAN_IGNORE_BEGIN() __tsan_ignore_thread_begin ()
# define GASYNC_TSAN_IGNORE_END() __tsan_ignore_thread_end ()
#else
# define GASYNC_TSAN_ACQUIRE(addr) G_STMT_START { (void) (addr); } G_STMT_END
# define GASYNC_TSAN_RELEASE(addr) G_STMT_START { (void) (addr); } G_STMT_END
# define GASYNC_TSAN_IGNORE_BEGIN() G_STMT_START { } G_STMT_END
# define GASYNC_TSAN_IGNORE_END() G_STMT_START { } G_STMT_END
#endif

/* A pause in a spin-wait loop: lets the other hyper-thread run and saves
 * power, as Go's procyield() does. */
static inline void
gasync_cpu_relax (void)
{
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause ();
#elif defined(__aarch64__)
  __asm__ __volatile__ ("yield");
#endif
}

/* What a spin's try function found (gasync_spin()). */
typedef enum
{
  GASYNC_SPIN_AGAIN, /* not yet: pause and try again */
  GASYNC_SPIN_DONE,  /* it took what the spin was for */
  GASYNC_SPIN_STOP,  /* spinning is of no use now */
} GasyncSpinResult;

typedef GasyncSpinResult (*GasyncSpinFunc) (gpointer data);

/* How many tries a spin makes, and how many processor pauses come before
 * each: Go's sync.Mutex and runtime lock (4 and 30), about a microsecond
 * in all. */
#define GASYNC_SPIN_ROUNDS 4
#define GASYNC_SPIN_PAUSES 30

/* Whether spinning can help: not on one processor, where whatever the
 * spinner waits for cannot run meanwhile, nor under valgrind, which runs
 * one thread at a time (so its instruction counts leave spinning out).
 * Inline, with a copy of the answer in each file that uses it, for the
 * test helpers too. */
static inline gboolean
gasync_spin_allowed (void)
{
  static int n_processors = 0; /* atomic; 0 until known */
  int n = g_atomic_int_get (&n_processors);

  if (G_UNLIKELY (n == 0))
    {
      n = (int) g_get_num_processors ();
#if defined(HAVE_VALGRIND_H) && HAVE_VALGRIND_H
      if (RUNNING_ON_VALGRIND)
        n = 1;
#endif
      g_atomic_int_set (&n_processors, n);
    }
  return n > 1;
}

/* Go's active spinning, for a thread about to sleep until another thread
 * does something that is usually over sooner than a sleep and a wake-up
 * (a few microseconds and two system calls): it retries @try_func (@data)
 * a few times, pausing before each. Returns TRUE once @try_func says
 * GASYNC_SPIN_DONE, FALSE when it says GASYNC_SPIN_STOP, after the last
 * try, or at once on one processor. Inline, so that @try_func is too. */
static inline gboolean
gasync_spin (GasyncSpinFunc try_func,
             gpointer       data)
{
  if (!gasync_spin_allowed ())
    return FALSE;

  for (guint i = 0; i < GASYNC_SPIN_ROUNDS; i++)
    {
      for (guint j = 0; j < GASYNC_SPIN_PAUSES; j++)
        gasync_cpu_relax ();
      switch (try_func (data))
        {
        case GASYNC_SPIN_DONE:
          return TRUE;
        case GASYNC_SPIN_STOP:
          return FALSE;
        case GASYNC_SPIN_AGAIN:
        default:
          break;
        }
    }
  return FALSE;
}

#ifdef __linux__

/* On Linux, a lock and a condition of libgasync's own on futexes, built
 * from C11 atomics (so that TSan sees every hand-off, which it does not
 * through GLib's), as GLib's and Go's are: taking and releasing a free
 * lock is one atomic instruction each, where a pthread mutex costs about
 * fifty instructions a pair, and the shared pool and a stopper take four
 * locks per task. The lock is Drepper's ("Futexes are tricky", mutex 2):
 * 0 free, 1 taken, 2 taken with threads (maybe) asleep on it. The
 * condition is a sequence number that every signal bumps, with the count
 * of the threads that wait on it, so that a signal with no waiter makes no
 * system call. As with any condition, a waiter looks at its predicate
 * under the lock, and whoever changes it does so under the lock before
 * signalling. Waits can wake spuriously, as any condition's. */
typedef struct
{
  int state;
} GasyncLock;

typedef struct
{
  unsigned int seq;
  unsigned int n_waiters;
} GasyncCond;

# define GASYNC_LOCK_INIT { 0 }
# define GASYNC_COND_INIT { 0, 0 }

static inline long
gasync_futex_wait (unsigned int          *word,
                   unsigned int           expected,
                   const struct timespec *deadline)
{
  /* FUTEX_WAIT_BITSET takes an absolute CLOCK_MONOTONIC deadline. */
  if (deadline != NULL)
    return syscall (SYS_futex, word, FUTEX_WAIT_BITSET_PRIVATE, expected,
                    deadline, NULL, FUTEX_BITSET_MATCH_ANY);
  return syscall (SYS_futex, word, FUTEX_WAIT_PRIVATE, expected, NULL, NULL,
                  0);
}

static inline void
gasync_futex_wake (unsigned int *word,
                   int           n)
{
  syscall (SYS_futex, word, FUTEX_WAKE_PRIVATE, n, NULL, NULL, 0);
}

static inline GasyncSpinResult
gasync_lock_try_spin (gpointer data)
{
  GasyncLock *lock = data;
  int free_state = 0;

  /* Reads first, so that spinners do not bounce the cache line. */
  if (__atomic_load_n (&lock->state, __ATOMIC_RELAXED) == 0 &&
      __atomic_compare_exchange_n (&lock->state, &free_state, 1, FALSE,
                                   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
    return GASYNC_SPIN_DONE;
  return GASYNC_SPIN_AGAIN;
}

/* The lock is taken: spins a little, as the holder's critical section is
 * short (a woken waiter often finds the lock still held by whoever woke
 * it), then marks it contended (2) and sleeps until it is free, then takes
 * it, contended, since others may sleep on it still. */
static __attribute__ ((__noinline__, __unused__)) void
gasync_lock_slowpath (GasyncLock *lock)
{
  if (gasync_spin (gasync_lock_try_spin, lock))
    return;
  while (__atomic_exchange_n (&lock->state, 2, __ATOMIC_ACQUIRE) != 0)
    gasync_futex_wait ((unsigned int *) &lock->state, 2, NULL);
}

/* The lock was contended: wakes one sleeper, which takes it contended. */
static __attribute__ ((__noinline__, __unused__)) void
gasync_unlock_slowpath (GasyncLock *lock)
{
  gasync_futex_wake ((unsigned int *) &lock->state, 1);
}

static inline void
gasync_lock_init (GasyncLock *lock)
{
  __atomic_store_n (&lock->state, 0, __ATOMIC_RELAXED);
}

static inline void
gasync_lock_clear (GasyncLock *lock)
{
}

static inline void
gasync_lock (GasyncLock *lock)
{
  int free_state = 0;

  if (G_UNLIKELY (!__atomic_compare_exchange_n (&lock->state, &free_state, 1,
                                                FALSE, __ATOMIC_ACQUIRE,
                                                __ATOMIC_RELAXED)))
    gasync_lock_slowpath (lock);
}

static inline void
gasync_unlock (GasyncLock *lock)
{
  int was = __atomic_exchange_n (&lock->state, 0, __ATOMIC_RELEASE);

  if (G_UNLIKELY (was != 1))
    {
      g_assert (was == 2);
      gasync_unlock_slowpath (lock);
    }
}

static inline void
gasync_cond_init (GasyncCond *cond)
{
  __atomic_store_n (&cond->seq, 0, __ATOMIC_RELAXED);
  __atomic_store_n (&cond->n_waiters, 0, __ATOMIC_RELAXED);
}

static inline void
gasync_cond_clear (GasyncCond *cond)
{
}

static __attribute__ ((__noinline__, __unused__)) void
gasync_cond_wake (GasyncCond *cond,
                  gboolean    all)
{
  __atomic_fetch_add (&cond->seq, 1, __ATOMIC_SEQ_CST);
  gasync_futex_wake (&cond->seq, all ? INT_MAX : 1);
}

/* Waits until woken (or spuriously) or until @deadline, if not NULL.
 * Returns FALSE when the deadline passed. The waiter counts itself, then
 * reads the sequence, under the lock: a signaller changes the predicate
 * under the lock, so that it either comes before this wait's look at the
 * predicate or sees the waiter and bumps the sequence, which the futex
 * wait then finds changed. */
static __attribute__ ((__noinline__, __unused__)) gboolean
gasync_cond_wait_full (GasyncCond            *cond,
                       GasyncLock            *lock,
                       const struct timespec *deadline)
{
  unsigned int seq;
  long r;
  int saved_errno;

  __atomic_fetch_add (&cond->n_waiters, 1, __ATOMIC_SEQ_CST);
  seq = __atomic_load_n (&cond->seq, __ATOMIC_SEQ_CST);
  gasync_unlock (lock);
  r = gasync_futex_wait (&cond->seq, seq, deadline);
  saved_errno = errno;
  gasync_lock (lock);
  __atomic_fetch_sub (&cond->n_waiters, 1, __ATOMIC_SEQ_CST);
  /* Woken, the sequence moved on, or a signal: all wake-ups. */
  g_assert (r == 0 || saved_errno == EAGAIN || saved_errno == EINTR ||
            saved_errno == ETIMEDOUT);
  return r == 0 || saved_errno != ETIMEDOUT;
}

static inline void
gasync_cond_wait (GasyncCond *cond,
                  GasyncLock *lock)
{
  gasync_cond_wait_full (cond, lock, NULL);
}

/* Waits until signalled or until @deadline, a g_get_monotonic_time()
 * value. Returns FALSE once the deadline has passed. Spurious wake-ups
 * return TRUE, as with any condition variable: callers loop on their
 * predicate. */
static inline gboolean
gasync_cond_wait_until (GasyncCond *cond,
                        GasyncLock *lock,
                        gint64      deadline)
{
  struct timespec ts;

  ts.tv_sec = deadline / G_USEC_PER_SEC;
  ts.tv_nsec = (deadline % G_USEC_PER_SEC) * 1000;
  return gasync_cond_wait_full (cond, lock, &ts);
}

/* Wakes one waiter, if any. */
static inline void
gasync_cond_signal (GasyncCond *cond)
{
  if (__atomic_load_n (&cond->n_waiters, __ATOMIC_SEQ_CST) != 0)
    gasync_cond_wake (cond, FALSE);
}

/* Wakes every waiter. */
static inline void
gasync_cond_broadcast (GasyncCond *cond)
{
  if (__atomic_load_n (&cond->n_waiters, __ATOMIC_SEQ_CST) != 0)
    gasync_cond_wake (cond, TRUE);
}

#else /* !__linux__ */

typedef pthread_mutex_t GasyncLock;
typedef pthread_cond_t GasyncCond;

# define GASYNC_LOCK_INIT PTHREAD_MUTEX_INITIALIZER
# define GASYNC_COND_INIT PTHREAD_COND_INITIALIZER


static inline void
gasync_lock_init (GasyncLock *lock)
{
  int r = pthread_mutex_init (lock, NULL);
  g_assert (r == 0);
}

static inline void
gasync_lock_clear (GasyncLock *lock)
{
  pthread_mutex_destroy (lock);
}

static inline void
gasync_lock (GasyncLock *lock)
{
  int r = pthread_mutex_lock (lock);
  g_assert (r == 0);
}

static inline void
gasync_unlock (GasyncLock *lock)
{
  int r = pthread_mutex_unlock (lock);
  g_assert (r == 0);
}

static inline void
gasync_cond_init (GasyncCond *cond)
{
  pthread_condattr_t attr;
  int r;

  pthread_condattr_init (&attr);
  pthread_condattr_setclock (&attr, CLOCK_MONOTONIC);
  r = pthread_cond_init (cond, &attr);
  g_assert (r == 0);
  pthread_condattr_destroy (&attr);
}

static inline void
gasync_cond_clear (GasyncCond *cond)
{
  pthread_cond_destroy (cond);
}

static inline void
gasync_cond_wait (GasyncCond *cond,
                  GasyncLock *lock)
{
  int r = pthread_cond_wait (cond, lock);
  g_assert (r == 0);
}

/* Waits until signalled or until @deadline, a g_get_monotonic_time() value.
 * Returns FALSE once the deadline has passed. Spurious wake-ups return TRUE,
 * as with any condition variable: callers loop on their predicate. */
static inline gboolean
gasync_cond_wait_until (GasyncCond *cond,
                        GasyncLock *lock,
                        gint64      deadline)
{
  struct timespec ts;
  int r;

  ts.tv_sec = deadline / G_USEC_PER_SEC;
  ts.tv_nsec = (deadline % G_USEC_PER_SEC) * 1000;
  r = pthread_cond_timedwait (cond, lock, &ts);
  g_assert (r == 0 || r == ETIMEDOUT);
  return r == 0;
}

static inline void
gasync_cond_signal (GasyncCond *cond)
{
  pthread_cond_signal (cond);
}

static inline void
gasync_cond_broadcast (GasyncCond *cond)
{
  pthread_cond_broadcast (cond);
}

#endif /* __linux__ */

/* @time plus @span (not negative), saturated at G_MAXINT64: a huge
 * duration must not wrap a deadline into the past. */
static inline gint64
gasync_deadline_add (gint64    time,
                     GTimeSpan span)
{
  g_assert (time >= 0 && span >= 0);

  return span > G_MAXINT64 - time ? G_MAXINT64 : time + span;
}

/* Called with the lock of a gasync_wait() held: whether the wait is over. */
typedef gboolean (*GasyncWaitFunc) (gpointer data);

gboolean gasync_wait_slowpath (GasyncLock      *lock,
                               GasyncCond      *cond,
                               GasyncWaitFunc   until,
                               gpointer         data,
                               gint64           deadline,
                               GCancellable    *cancellable,
                               GError         **error);

/* The one blocking wait. Called with @lock held, and returns with it held.
 * Waits on @cond until @until (@data) holds (TRUE), @cancellable fires
 * (FALSE with G_IO_ERROR_CANCELLED) or @deadline, a g_get_monotonic_time()
 * value (G_MAXINT64 for none), passes (FALSE with G_IO_ERROR_TIMED_OUT).
 * Whoever makes @until true does so under @lock and signals or broadcasts
 * @cond.
 *
 * @until is called with @lock held, at first and after every wake-up,
 * and may be called again after it returned TRUE: it only looks, and the
 * caller acts on what it found once the wait has returned, still under
 * @lock. It wins over the cancellable and the deadline: TRUE means that it
 * holds now, and FALSE that it does not. A NULL @until instead ends the
 * wait (TRUE) at the first wake-up, spurious ones included, for callers
 * that also poll something the lock does not guard.
 *
 * When @until holds already, the wait costs only its call (inline).
 * A wait registers with @cancellable only once it must block, and @lock
 * is dropped while it registers and unregisters (the cancel handler
 * takes it, so that no wake-up is lost): @until is called again
 * afterwards, and the wait goes on if it no longer holds. The first wait
 * on a cancellable connects the one handler that every wait on it
 * shares, for the cancellable's lifetime. */
static inline gboolean
gasync_wait (GasyncLock      *lock,
             GasyncCond      *cond,
             GasyncWaitFunc   until,
             gpointer         data,
             gint64           deadline,
             GCancellable    *cancellable,
             GError         **error)
{
  if (until != NULL && until (data))
    return TRUE;
  return gasync_wait_slowpath (lock, cond, until, data, deadline, cancellable,
                               error);
}

#ifdef __linux__
/* Blocks until @cancellable fires (TRUE) or @deadline, a
 * g_get_monotonic_time() value or G_MAXINT64, passes (FALSE), for
 * gasync_sleep_until(): through the cancellable's hub, which wakes every
 * sleep on it at once. */
gboolean gasync_cancel_sleep (GCancellable *cancellable,
                              gint64        deadline);
#endif

/* For tests: how many waits (and gasync_cancel_sleep() sleeps) block on
 * @cancellable now, and, in
 * @n_entered if not NULL, how many times waits registered with it. */
guint gasync_cancellable_get_n_waits (GCancellable *cancellable,
                                      guint        *n_entered);

/* Returns FALSE, with @error (if given) set to %G_IO_ERROR_CANCELLED for
 * @cancellable, which fired; no message is made for a NULL @error. */
gboolean gasync_set_cancelled_error (GCancellable  *cancellable,
                                     GError       **error);

/* Replaces the string *@field, guarded by @lock, with a copy of @value;
 * returns whether it changed (for a notify, outside the lock). The old
 * string is freed outside the lock. */
static inline gboolean
gasync_replace_string (GasyncLock  *lock,
                       char       **field,
                       const char  *value)
{
  char *old = NULL;
  gboolean changed;

  gasync_lock (lock);
  changed = g_strcmp0 (*field, value) != 0;
  if (changed)
    {
      old = *field;
      *field = g_strdup (value);
    }
  gasync_unlock (lock);

  g_free (old);
  return changed;
}

/* Reads the count *@field, guarded by @lock. */
static inline guint
gasync_read_uint (GasyncLock  *lock,
                  const guint *field)
{
  guint value;

  gasync_lock (lock);
  value = *field;
  gasync_unlock (lock);
  return value;
}

/* Reads the duration *@field, guarded by @lock. */
static inline GTimeSpan
gasync_read_timespan (GasyncLock      *lock,
                      const GTimeSpan *field)
{
  GTimeSpan value;

  gasync_lock (lock);
  value = *field;
  gasync_unlock (lock);
  return value;
}

/* Replaces the duration *@field, guarded by @lock, with @value; returns
 * whether it changed (for a notify, outside the lock). */
static inline gboolean
gasync_replace_timespan (GasyncLock *lock,
                         GTimeSpan  *field,
                         GTimeSpan   value)
{
  gboolean changed;

  gasync_lock (lock);
  changed = *field != value;
  *field = value;
  gasync_unlock (lock);
  return changed;
}

G_END_DECLS

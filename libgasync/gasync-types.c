/* gasync-types.c: classes made on one thread and used on others, for TSan
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 *
 * GLib makes a class on the first g_object_new() or g_type_class_ref() of
 * its type, on whichever thread that is (a worker, for a task token begun
 * there), under its class-init lock. It then marks the class initialized
 * with an atomic store, and every later g_object_new(), on any thread,
 * finds it with a lock-free atomic load. That store and load are what make
 * the class safe to read on the other thread, but they are in libgobject,
 * which is not instrumented: ThreadSanitizer does not see them. The other
 * thread then reads the class in our (instrumented) code, in every
 * GASYNC_IS_*() check and in every chain-up through *_parent_class, and
 * TSan reports a race with the calloc() that allocated it (#13). The same
 * holds for the statics a class_init fills: properties[], signals[].
 *
 * So every libgasync class_init ends with gasync_type_class_publish(), a
 * TSan release on the class (the lifecycle classes' through
 * gasync_lifecycle_class_install()), and every instance init begins with
 * gasync_type_class_acquire(), the matching acquire: the edge GLib's
 * atomics make, made visible, and no more. (Suppressing the reports, as
 * race:GASYNC_IS_*, would also hide real use-after-free reports there.)
 *
 * GLib's own classes that libgasync makes or checks on worker threads
 * (GCancellable, GTask), the enum classes, and GObject's lazily allocated
 * weak-reference lock have no class_init of ours to annotate. The first libgasync class_init makes them, before its
 * release, so any thread that made a libgasync object, or was handed one,
 * sees them made.
 */

#include "config.h"

#include <pthread.h>

#include "gasync-private.h"
#include "gasync-sync-private.h"

static pthread_once_t shared_classes_once = PTHREAD_ONCE_INIT;

static void
make_shared_classes (void)
{
  const GType types[] = {
    G_TYPE_CANCELLABLE,
    G_TYPE_TASK,
    GASYNC_TYPE_ERROR,
    GASYNC_TYPE_INTERVAL_MODE,
    GASYNC_TYPE_LATCH_STATE,
    GASYNC_TYPE_RUNNER_RESTART_POLICY,
    GASYNC_TYPE_STOPPER_STATE,
  };

  GWeakRef weak;

  /* Static types keep their class once made. */
  for (gsize i = 0; i < G_N_ELEMENTS (types); i++)
    g_type_class_unref (g_type_class_ref (types[i]));

  /* GObject allocates the lock of its weak references on first use and
   * publishes it with atomics TSan does not see: a work queue's pump,
   * made on a pool thread, and its dispatch on the owner thread would
   * read as a race on it. Make it here, before the release. */
  g_weak_ref_init (&weak, NULL);
  g_weak_ref_clear (&weak);
}

/* Call last in every class_init. Only there: GLib runs class_inits one at
 * a time under its class-init lock, which make_shared_classes() takes too
 * (through g_type_class_ref()), so the once cannot deadlock against a
 * class being made on another thread. */
void
gasync_type_class_publish (gpointer klass)
{
  pthread_once (&shared_classes_once, make_shared_classes);
  GASYNC_TSAN_RELEASE (klass);
}

/* Call first in every instance init: the instance's class is complete,
 * and published if this thread did not make it. */
void
gasync_type_class_acquire (gpointer instance)
{
  GASYNC_TSAN_ACQUIRE (((GTypeInstance *) instance)->g_class);
}

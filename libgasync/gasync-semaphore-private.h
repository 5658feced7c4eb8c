/* gasync-semaphore-private.h: what tasks that hold a slot need of a
 * semaphore
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 *
 * A limited task (gasync-task-run.c) takes a slot, then holds it until its
 * function returns, on a pool thread. These calls skip the public checks
 * of an instance the caller has checked, and spare such a task the
 * reference it would take and the record it would allocate: a semaphore
 * keeps itself alive while tasks hold its slots (one reference whatever
 * their number), and keeps a few records of such tasks for reuse.
 */

#pragma once

#include "gasync-semaphore.h"

G_BEGIN_DECLS

/* gasync_semaphore_try_acquire() without its checks. */
gboolean gasync_semaphore_try_acquire_unchecked (GasyncSemaphore *self);
/* gasync_semaphore_acquire() without its checks and without an error:
 * FALSE when @cancellable fired first. */
gboolean gasync_semaphore_acquire_unchecked (GasyncSemaphore *self,
                                             GCancellable    *cancellable);

/* Counts a slot that a task holds (taken already): while any is counted,
 * @self holds a reference to itself. */
void     gasync_semaphore_hold              (GasyncSemaphore *self);
/* A record that gasync_semaphore_release_held() kept, to reuse; or NULL,
 * then the caller allocates one with g_malloc(). All the records given to
 * @self must have the same size. */
gpointer gasync_semaphore_take_spare        (GasyncSemaphore *self);
/* Gives back the slot counted by gasync_semaphore_hold(), keeps @spare
 * (or frees it with g_free()) and ends the count, which may drop the last
 * reference to @self. */
void     gasync_semaphore_release_held      (GasyncSemaphore *self,
                                             gpointer         spare);

/* For tests: called by a release of @self that found no one waiting,
 * before it raises the count and looks again for waiters; a test queues
 * one meanwhile, which the release must then hand its slot to. Set
 * before @self is shared between threads; NULL (the default) for none. */
typedef void (*GasyncSemaphoreReleaseHook) (GasyncSemaphore *self,
                                            gpointer         data);
void     gasync_semaphore_set_release_hook_for_testing (GasyncSemaphore            *self,
                                                        GasyncSemaphoreReleaseHook  hook,
                                                        gpointer                    data);

G_END_DECLS

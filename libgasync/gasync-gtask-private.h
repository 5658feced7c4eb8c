/* gasync-gtask-private.h: the GTask side of the _async/_finish pairs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The task of an _async call on @source_object, as GIO makes them: tagged
 * @source_tag (the _async function itself) and named @name (a static
 * string). With @check_cancellable FALSE the task reports its own
 * cancellation (see g_task_set_check_cancellable()): a call that was over
 * before its cancellable fired succeeded. */
GTask    *gasync_gtask_new            (gpointer              source_object,
                                       gpointer              source_tag,
                                       const char           *name,
                                       gboolean              check_cancellable,
                                       GCancellable         *cancellable,
                                       GAsyncReadyCallback   callback,
                                       gpointer              user_data);

/* The body of a boolean _finish, once the caller has checked its
 * instance: @result must be a task of @source_object tagged @source_tag;
 * returns its boolean, or FALSE with @error set. */
gboolean  gasync_gtask_finish_boolean (gpointer              source_object,
                                       GAsyncResult         *result,
                                       gpointer              source_tag,
                                       GError              **error);

G_END_DECLS

/* gasync-systemd-notify-private.h: sd_notify() without libsystemd
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _GasyncSystemdNotify GasyncSystemdNotify;

/* NULL unless $NOTIFY_SOCKET names a unix socket (a path or "@abstract"). */
GasyncSystemdNotify *gasync_systemd_notify_new_from_environment (void);
void                 gasync_systemd_notify_free                 (GasyncSystemdNotify *self);

/* Sends @state ("READY=1", several lines allowed) as one datagram. */
void                 gasync_systemd_notify_send                 (GasyncSystemdNotify *self,
                                                                 const char          *state);

/* Half of $WATCHDOG_USEC when the watchdog is on for this process, else 0. */
GTimeSpan            gasync_systemd_notify_get_watchdog_interval (GasyncSystemdNotify *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GasyncSystemdNotify, gasync_systemd_notify_free)

G_END_DECLS

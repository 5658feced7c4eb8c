/* gasync-systemd-notify.c: sd_notify() without libsystemd
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 *
 * The protocol (sd_notify(3)): newline-separated assignments in one
 * datagram to the unix socket named by $NOTIFY_SOCKET, a path, or an
 * abstract name when it starts with '@'.
 */

#include "config.h"

#include "gasync-systemd-notify-private.h"

#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <unistd.h>

struct _GasyncSystemdNotify
{
  GSocket *socket;
  GSocketAddress *address;
  GTimeSpan watchdog_interval;
  gboolean warned;
};

static GTimeSpan
watchdog_interval_from_environment (void)
{
  const char *usec = g_getenv ("WATCHDOG_USEC");
  const char *pid = g_getenv ("WATCHDOG_PID");
  guint64 value = 0;

  if (usec == NULL || !g_ascii_string_to_unsigned (usec, 10, 1, G_MAXINT64, &value, NULL))
    return 0;
  if (pid != NULL && g_ascii_strtoull (pid, NULL, 10) != (guint64) getpid ())
    return 0;
  return (GTimeSpan) value / 2;
}

GasyncSystemdNotify *
gasync_systemd_notify_new_from_environment (void)
{
  const char *path = g_getenv ("NOTIFY_SOCKET");
  g_autoptr(GError) error = NULL;
  GasyncSystemdNotify *self;

  if (path == NULL || (path[0] != '/' && path[0] != '@') || path[1] == '\0')
    return NULL;

  self = g_new0 (GasyncSystemdNotify, 1);
  self->socket = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_DATAGRAM,
                               G_SOCKET_PROTOCOL_DEFAULT, &error);
  if (self->socket == NULL)
    {
      g_warning ("Cannot notify systemd: %s", error->message);
      gasync_systemd_notify_free (self);
      return NULL;
    }

  if (path[0] == '@')
    self->address = g_unix_socket_address_new_with_type (path + 1, -1,
                                                         G_UNIX_SOCKET_ADDRESS_ABSTRACT);
  else
    self->address = g_unix_socket_address_new (path);
  self->watchdog_interval = watchdog_interval_from_environment ();
  return self;
}

void
gasync_systemd_notify_free (GasyncSystemdNotify *self)
{
  if (self == NULL)
    return;

  g_clear_object (&self->socket);
  g_clear_object (&self->address);
  g_free (self);
}

void
gasync_systemd_notify_send (GasyncSystemdNotify *self,
                            const char          *state)
{
  g_autoptr(GError) error = NULL;

  g_debug ("systemd notify: %s", state);
  if (g_socket_send_to (self->socket, self->address, state, strlen (state),
                        NULL, &error) < 0 && !self->warned)
    {
      /* Once: a service manager that went away should not flood the log. */
      self->warned = TRUE;
      g_warning ("Cannot notify systemd: %s", error->message);
    }
}

GTimeSpan
gasync_systemd_notify_get_watchdog_interval (GasyncSystemdNotify *self)
{
  return self->watchdog_interval;
}

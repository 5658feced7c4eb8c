#!/usr/bin/python3
# test-demo.py: run one demo service for real on a private session bus
# (meson runs this under dbus-run-session), the way a user would: start
# it, call it over D-Bus, stop it with SIGTERM (or Quit()), and check its
# exit status, its systemd readiness and the order of its shutdown.
#
#   test-demo.py BUS_NAME sigterm|quit COMMAND...
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import socket
import subprocess
import sys
import tempfile

PATH = '/org/gnome/GasyncDemo'
IFACE = 'org.gnome.GasyncDemo'
TIMEOUT = 30 * int(os.environ.get('GASYNC_TEST_TIMEOUT_MULTIPLIER', '1'))


def gdbus_call(name, method, *args):
    return subprocess.run(
        ['gdbus', 'call', '--session', '-d', name, '-o', PATH,
         '-m', IFACE + '.' + method, *args],
        check=True, capture_output=True, text=True, timeout=TIMEOUT).stdout


def main():
    name, how, command = sys.argv[1], sys.argv[2], sys.argv[3:]
    tmp = tempfile.mkdtemp()
    notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    notify.bind(os.path.join(tmp, 'notify'))
    notify.settimeout(TIMEOUT)
    env = dict(os.environ, NOTIFY_SOCKET=os.path.join(tmp, 'notify'))
    service = subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    try:
        # systemd readiness: READY=1 once the bus name is owned.
        messages = ''
        while 'READY=1' not in messages:
            messages += notify.recv(4096).decode() + '\n'
        subprocess.run(['gdbus', 'wait', '--session', '--timeout',
                        str(TIMEOUT), name], check=True, timeout=TIMEOUT + 5)

        # A job lasts two seconds, long enough for these two calls and the
        # stop request even on a loaded machine.
        assert gdbus_call(name, 'Submit', 'probe', '2').strip() == '(uint32 2,)'
        running = gdbus_call(name, 'RunningTasks').strip()
        assert running == "({'probe': uint32 2},)", running

        if how == 'quit':
            gdbus_call(name, 'Quit')
        else:
            service.terminate()
        out, _ = service.communicate(timeout=TIMEOUT)
    except BaseException:
        service.kill()
        print(service.communicate()[0])
        raise
    print(out)
    assert service.returncode == 0, service.returncode
    # No job (or tick, in the Python demo) failed.
    assert ' failed' not in out

    # The shutdown order: quiescing refuses new jobs, the running jobs
    # finish, then the closers run, then the stopper is stopped, and the
    # group reports every runner.
    lines = out.splitlines()

    def index(text):
        found = [i for i, line in enumerate(lines) if text in line]
        assert found, 'no line with %r' % text
        return found[-1]
    assert index('quiescing') < index('job probe done') < index('closer:') \
        < index('jobs: stopped') < index('runner jobs: finished cleanly') \
        < index('clean shutdown')
    notify.close()
    return 0


if __name__ == '__main__':
    sys.exit(main())

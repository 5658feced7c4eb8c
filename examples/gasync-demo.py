#!/usr/bin/python3
# gasync-demo.py: the libgasync demo service, smaller, in Python.
#
# Owns org.gnome.GasyncDemo.Python on the session bus with the same
# interface as the C demo (Submit, RunningTasks, Quit, Ticks). Jobs run as
# GasyncStopper async tasks on libgasync's pool threads (Python functions:
# PyGObject takes the GIL for them); the bus name, a ticker and the jobs
# are the runners of one GasyncGroupRunner, stopped by SIGTERM, SIGINT or
# Quit().
#
# It is written for the library's PyGObject override (gi/overrides/
# Gasync.py): task functions return nothing to succeed and raise to fail,
# user data is optional, and a Gasync.Mutex is a context manager.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import sys
import time

import gi

gi.require_version('Gasync', '1')
from gi.repository import Gio, GLib, Gasync  # noqa: E402

BUS_NAME = 'org.gnome.GasyncDemo.Python'
OBJECT_PATH = '/org/gnome/GasyncDemo'
XML = '''
<node>
  <interface name='org.gnome.GasyncDemo'>
    <method name='Submit'>
      <arg direction='in' type='s' name='name'/>
      <arg direction='in' type='u' name='count'/>
      <arg direction='out' type='u' name='accepted'/>
    </method>
    <method name='RunningTasks'>
      <arg direction='out' type='a{su}' name='tasks'/>
    </method>
    <method name='Quit'/>
    <property name='Ticks' type='u' access='read'/>
  </interface>
</node>'''


def say(text):
    print('gasync-demo.py: ' + text, flush=True)


class Demo:
    def __init__(self):
        self.ticks = 0
        self.owner_id = 0
        # The jobs done, counted from the pool threads.
        self.n_done = 0
        self.done_lock = Gasync.Mutex.new()
        self.jobs = Gasync.Stopper.new()
        self.jobs.connect('quiescing', lambda s: say(
            'jobs: quiescing, new jobs are refused'))
        self.jobs.connect('stopped', lambda s: say('jobs: stopped'))
        self.jobs.connect('task-failed', lambda s, name, error: say(
            'job %s failed: %s' % (name, error.message)))
        self.jobs.add_closer(lambda: say('closer: closed the job cache'))

        self.ticker = Gasync.Interval.new(self.tick)
        self.ticker.connect('error', lambda *args: say(
            'tick failed: %s' % args[-1].message))
        self.ticker.set_mode(Gasync.IntervalMode.MAIN_CONTEXT)
        self.ticker.set_interval(100 * GLib.TIME_SPAN_MILLISECOND)

        self.group = Gasync.GroupRunner.new()
        # The stop function is called with the runner.
        self.bus = Gasync.Runner.new_for_main_loop('bus', self.bus_start,
                                                   self.bus_stop)
        self.bus.set_reports_ready(True)
        self.ticker_runner = Gasync.Runner.new_for_main_loop(
            'ticker', lambda r, c: self.ticker.start(), self.ticker_stop)
        self.jobs_runner = Gasync.Runner.new_for_main_loop(
            'jobs', lambda r, c: None, self.jobs_stop)
        for runner in (self.bus, self.ticker_runner, self.jobs_runner):
            self.group.add(runner)
        self.group.interrupt_on_unix_signals()

    def tick(self, cancellable):
        self.ticks += 1

    def job(self, cancellable, name):
        # Runs on a pool thread; time.sleep() releases the GIL meanwhile.
        # It ignores the cancellable on purpose, as the C demo's: a job
        # that was accepted finishes, and the stopper waits for it.
        time.sleep(2)
        with self.done_lock:
            self.n_done += 1
        say('job %s done' % name)

    def submit(self, name, count):
        accepted = 0
        for _ in range(count):
            try:
                self.jobs.run_async_task(name, self.job, name)
                accepted += 1
            except GLib.Error as e:
                say('job %s refused: %s' % (name, e.message))
        return accepted

    def method_call(self, connection, sender, path, interface, method,
                    params, invocation):
        if method == 'Submit':
            name, count = params.unpack()
            accepted = self.submit(name, count)
            invocation.return_value(GLib.Variant('(u)', (accepted,)))
        elif method == 'RunningTasks':
            tasks = self.jobs.dup_running_tasks()
            invocation.return_value(GLib.Variant('(a{su})', (tasks,)))
        else:
            say('Quit() called over D-Bus')
            invocation.return_value(None)
            self.group.interrupt()

    def get_property(self, connection, sender, path, interface, name):
        return GLib.Variant('u', self.ticks)

    def bus_start(self, runner, cancellable):
        info = Gio.DBusNodeInfo.new_for_xml(XML).interfaces[0]

        def acquired(connection, name):
            connection.register_object(OBJECT_PATH, info, self.method_call,
                                       self.get_property, None)

        def name_acquired(connection, name):
            say('owns %s on the session bus' % name)
            self.bus.notify_ready()

        def name_lost(connection, name):
            self.bus.complete(GLib.Error('lost the name %s' % name))

        self.owner_id = Gio.bus_own_name(Gio.BusType.SESSION, BUS_NAME,
                                         Gio.BusNameOwnerFlags.NONE, acquired,
                                         name_acquired, name_lost)

    def bus_stop(self, *data):
        say('releasing %s' % BUS_NAME)
        Gio.bus_unown_name(self.owner_id)
        self.bus.complete_ok()

    def ticker_stop(self, *data):
        self.ticker.stop(None)
        say('ticker stopped after %d ticks' % self.ticks)
        self.ticker_runner.complete_ok()

    def jobs_stop(self, *data):
        say('jobs: stopping with %d running' % self.jobs.get_n_tasks())

        def stopped(stopper, result):
            stopper.stop_finish(result)
            with self.done_lock:
                say('jobs: %d done' % self.n_done)
            self.jobs_runner.complete_ok()
        self.jobs.stop_async(None, stopped)

    def run(self):
        say('running; stop with SIGTERM, SIGINT or Quit()')
        clean = True
        for result in self.group.run(None):
            error = result.get_error()
            say('runner %s: %s' % (
                result.get_id(),
                error.message if error else 'finished cleanly'))
            clean = clean and error is None
        say('clean shutdown' if clean else 'shutdown with errors')
        return 0 if clean else 1


if __name__ == '__main__':
    sys.exit(Demo().run())

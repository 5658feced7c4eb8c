#!/usr/bin/python3
# bench-python.py: tiny tasks from Python through Gasync.Stopper, against
# concurrent.futures.ThreadPoolExecutor and Gio.Task
#
# Every figure is the cost per task, in ns (and tasks per second), of
# starting N no-op Python tasks and waiting until all ran:
# Gasync.Stopper.run_async_task() then quiesce(), against a
# ThreadPoolExecutor of 2 workers (submit, then shutdown(wait=True)) and
# against Gio.Task.run_in_thread() with its completion coming back through
# the main context. As the C benchmarks (tests/benchmarks/bench-util.h):
# both sides run in the same rounds, alternating which goes first, and the
# report gives the medians, the median per-round ratio with its range and
# the load average at the start and end.
#
#   bench-python.py [--quick] [--runs N] [--size N] [--json FILE]
#
# Run it with /usr/bin/python3 (which has gi) and the build's typelib:
# GI_TYPELIB_PATH and LD_LIBRARY_PATH set to BUILDDIR/libgasync.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import argparse
import concurrent.futures
import json
import os
import resource
import statistics
import sys
import time

import gi

gi.require_version('Gasync', '1')
from gi.repository import GLib, GObject, Gio, Gasync  # noqa: E402

PROGRAM = 'bench-python'


def load_average():
    try:
        with open('/proc/loadavg') as f:
            return [float(x) for x in f.read().split()[:3]]
    except OSError:
        return [-1.0, -1.0, -1.0]


def no_op_task(cancellable, data):
    return True


def measure_stopper(size):
    stopper = Gasync.Stopper.new()
    start = time.monotonic_ns()
    for _ in range(size):
        stopper.run_async_task('bench', no_op_task, None)
    stopper.quiesce()
    elapsed = time.monotonic_ns() - start
    stopper.stop()
    return elapsed / size


def no_op():
    pass


def measure_executor(size):
    executor = concurrent.futures.ThreadPoolExecutor(max_workers=2)
    start = time.monotonic_ns()
    for _ in range(size):
        executor.submit(no_op)
    executor.shutdown(wait=True)
    return (time.monotonic_ns() - start) / size


def measure_g_task(size):
    context = GLib.MainContext.default()
    done = [0]

    def thread_func(task, source_object, task_data, cancellable):
        task.return_boolean(True)

    def callback(source_object, result, data):
        done[0] += 1

    start = time.monotonic_ns()
    for _ in range(size):
        task = Gio.Task.new(None, None, callback, None)
        task.run_in_thread(thread_func)
    while done[0] < size:
        context.iteration(True)
    return (time.monotonic_ns() - start) / size


def no_op_item(item, cancellable=None):
    return True


def make_items(size):
    return [GObject.Object() for _ in range(size)]


def measure_batch(size):
    # One Python function for every item: one closure per run, not per
    # task (the items are made outside the timed region).
    items = make_items(size)
    batch = Gasync.Batch.new(no_op_item)
    batch.props.parallelism = 2
    start = time.monotonic_ns()
    batch.run(items, None)
    return (time.monotonic_ns() - start) / size


def measure_executor_map(size):
    items = make_items(size)
    executor = concurrent.futures.ThreadPoolExecutor(max_workers=2)
    start = time.monotonic_ns()
    for _ in executor.map(no_op_item, items):
        pass
    elapsed = time.monotonic_ns() - start
    executor.shutdown(wait=True)
    return elapsed / size


def compare(runs, size, func, anchor_func):
    figures, anchors = [], []
    load_start = load_average()
    for i in range(runs):
        # ABBAAB...: libgasync first in even rounds.
        if i % 2 == 0:
            figures.append(func(size))
            anchors.append(anchor_func(size))
        else:
            anchors.append(anchor_func(size))
            figures.append(func(size))
    ratios = sorted(f / a if a > 0 else 0.0 for f, a in zip(figures, anchors))
    return {
        'value': statistics.median(figures),
        'anchor_value': statistics.median(anchors),
        'ratio': statistics.median(ratios),
        'ratio_min': ratios[0],
        'ratio_max': ratios[-1],
        'runs': runs,
        'size': size,
        'load_start': load_start,
        'load_end': load_average(),
    }


def report(args, what, anchor, r):
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print('%-44s %10.1f %-7s | %-36s %10.1f %-7s | ratio %5.2f (%.2f..%.2f) '
          '| rounds %u size %u | load %.2f->%.2f | peak RSS %d KiB' %
          (what, r['value'], 'ns/task', anchor, r['anchor_value'], 'ns/task',
           r['ratio'], r['ratio_min'], r['ratio_max'], r['runs'], r['size'],
           r['load_start'][0], r['load_end'][0], rss))
    print('tasks per second: %s %.0f, %s %.0f' %
          (what, 1e9 / r['value'], anchor, 1e9 / r['anchor_value']))
    if args.json:
        record = {'program': PROGRAM, 'what': what, 'unit': 'ns/task',
                  'anchor': anchor, 'callgrind': False, 'peak_rss_kib': rss}
        record.update(r)
        with open(args.json, 'a') as f:
            f.write(json.dumps(record) + '\n')


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--quick', action='store_true')
    parser.add_argument('--runs', type=int, default=7)
    parser.add_argument('--size', type=int, default=20000)
    parser.add_argument('--json')
    args = parser.parse_args()
    if args.quick:
        args.runs, args.size = 1, 100

    what = 'Python: Stopper.run_async_task'
    report(args, what, 'ThreadPoolExecutor (2 workers)',
           compare(args.runs, args.size, measure_stopper, measure_executor))
    report(args, what, 'Gio.Task.run_in_thread',
           compare(args.runs, args.size, measure_stopper, measure_g_task))
    report(args, 'Python: Batch.run, per item', 'ThreadPoolExecutor(2).map',
           compare(args.runs, args.size, measure_batch, measure_executor_map))
    return 0


if __name__ == '__main__':
    sys.exit(main())

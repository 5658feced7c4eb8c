#!/usr/bin/python3
# bench-report.py: gather what the benchmark programs wrote into one JSON
# report and a PNG chart of the ratios (with gnuplot), or, after a run under
# callgrind, the instructions per operation of every measured section.
#
#   bench-report.py BUILDDIR [--quick|--callgrind]
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import glob
import json
import os
import re
import shutil
import subprocess
import sys


def read_records(builddir):
    path = os.path.join(builddir, 'bench-report.jsonl')
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def write_chart(records, builddir):
    if shutil.which('gnuplot') is None:
        print('gnuplot is not installed: no chart')
        return
    data = os.path.join(builddir, 'bench-report.dat')
    png = os.path.join(builddir, 'bench-report.png')
    with open(data, 'w') as f:
        for r in records:
            label = '%s vs %s' % (r['what'], r['anchor'])
            f.write('"%s" %.4f\n' % (label.replace('"', "'"), r['ratio']))
    height = 120 + 28 * len(records)
    script = f'''
set terminal png size 1100,{height} noenhanced
set output "{png}"
set title "libgasync / raw GLib, same run (log scale; below 1: libgasync ahead)"
set style fill solid 0.6
set yrange [-0.5:{len(records) - 0.5}]
set logscale x 10
set grid x
unset key
set ytics font ",8"
set arrow from 1, graph 0 to 1, graph 1 nohead dashtype 2
# A bar from 1 to the ratio, green when libgasync is ahead, red when not.
plot "{data}" using 2:0:($2 < 1 ? $2 : 1):($2 < 1 ? 1 : $2):($0 - 0.3):($0 + 0.3):($2 < 1 ? 0x33aa33 : 0xcc3333):yticlabels(1) with boxxyerror lc rgb variable
'''
    subprocess.run(['gnuplot'], input=script, text=True, check=True)
    print('chart:  ' + png)


def callgrind_report(builddir):
    rows = []
    for path in sorted(glob.glob(os.path.join(builddir, 'callgrind', '*.*.*'))):
        program = os.path.basename(path).split('.')[0]
        dump, total = None, None
        with open(path) as f:
            for line in f:
                # Each dump is named "section/operations" by bench-util.h.
                m = re.match(r'desc: Trigger: Client Request: (.*)/(\d+)$', line.strip())
                if m:
                    dump = (m.group(1), int(m.group(2)))
                m = re.match(r'(?:summary|totals): (\d+)', line)
                if m:
                    total = int(m.group(1))
        if dump is None or total is None:
            continue
        rows.append({'program': program, 'section': dump[0],
                     'instructions': total, 'operations': dump[1],
                     'instructions_per_op': total / dump[1]})
    for row in rows:
        print('%-20s %-28s %12.0f instructions/op' %
              (row['program'], row['section'], row['instructions_per_op']))
    out = os.path.join(builddir, 'callgrind-report.json')
    with open(out, 'w') as f:
        json.dump(rows, f, indent=2)
    print('report: ' + out)


def main():
    builddir = sys.argv[1]
    mode = sys.argv[2] if len(sys.argv) > 2 else ''
    records = read_records(builddir)
    if mode == '--callgrind':
        callgrind_report(builddir)
        return 0
    out = os.path.join(builddir, 'bench-report.json')
    with open(out, 'w') as f:
        json.dump(records, f, indent=2)
    print('report: ' + out)
    write_chart(records, builddir)
    return 0


if __name__ == '__main__':
    sys.exit(main())

#!/usr/bin/python3
# gir-api.py: compare the generated Gasync-1.gir with the committed API
# baseline, so that every API change is deliberate (GLib style, until 1.0).
#
#   gir-api.py GIR BASELINE            fail with a diff if they differ
#   gir-api.py GIR BASELINE --update   rewrite BASELINE from GIR
#
# Only the API counts: documentation and source positions are dropped, and
# so are function macros, which no binding can call and which g-ir-scanner
# does not list the same way on every machine.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import difflib
import sys
import xml.etree.ElementTree as ET

NOISE = {'doc', 'doc-version', 'doc-deprecated', 'doc-stability',
         'source-position', 'function-macro'}


def local(tag):
    return tag.rsplit('}', 1)[-1]


def api_lines(element, depth=0):
    name = local(element.tag)
    if name in NOISE:
        return
    attrs = ' '.join('%s="%s"' % (local(k), v)
                     for k, v in sorted(element.attrib.items()))
    yield '  ' * depth + (name + ' ' + attrs).rstrip()
    for child in element:
        yield from api_lines(child, depth + 1)


def main():
    gir, baseline = sys.argv[1], sys.argv[2]
    current = [line + '\n' for line in api_lines(ET.parse(gir).getroot())]
    if '--update' in sys.argv[3:]:
        with open(baseline, 'w') as f:
            f.writelines(current)
        return 0
    with open(baseline) as f:
        expected = f.readlines()
    diff = list(difflib.unified_diff(expected, current, baseline, gir))
    if diff:
        sys.stdout.writelines(diff)
        print('\nThe API changed. If that is deliberate, update the baseline:\n'
              '  build-aux/gir-api.py _build/libgasync/Gasync-1.gir '
              'tests/Gasync-1.api --update')
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())

#!/usr/bin/env python3
# doc-examples.py: run the Python and JavaScript examples of the manual.
#
# Usage: doc-examples.py python|javascript SOURCE...
#
# Extracts every example in the given language from the gtk-doc comments
# of the C sources (|[<!-- language="Python" --> ... ]|) and from the
# manual's pages (<programlisting language="python"><![CDATA[ ... ]]>).
# An example that begins with an import is a whole program: it is run
# (with a 60 s bound) and must exit 0. Any other example is a fragment:
# Python fragments must compile, JavaScript fragments are not checked.
# Prints TAP.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import re
import subprocess
import sys
import tempfile

COMMENT_BLOCK = re.compile(
    r'\|\[<!-- language="(?P<lang>\w+)" -->\n(?P<body>.*?)\n\s*\*\s*\]\|',
    re.S)
PAGE_BLOCK = re.compile(
    r'<programlisting language="(?P<lang>\w+)"><!\[CDATA\[\n?(?P<body>.*?)'
    r'\]\]></programlisting>', re.S)
COMMENT_PREFIX = re.compile(r'^\s*\* ?', re.M)
UNESCAPE = {'&lt;': '<', '&gt;': '>', '&amp;': '&'}


def examples(path, lang):
    with open(path, encoding='utf-8') as f:
        text = f.read()
    for m in COMMENT_BLOCK.finditer(text):
        if m['lang'].lower() == lang:
            body = COMMENT_PREFIX.sub('', m['body'])
            body = re.sub('|'.join(UNESCAPE), lambda e: UNESCAPE[e[0]], body)
            yield text.count('\n', 0, m.start()) + 1, body
    for m in PAGE_BLOCK.finditer(text):
        if m['lang'].lower() == lang:
            yield text.count('\n', 0, m.start()) + 1, m['body']


def is_program(body):
    first = body.lstrip().split('\n', 1)[0]
    return first.startswith(('import ', 'from ', 'imports.'))


def run(lang, body, where):
    if not is_program(body):
        if lang == 'python':
            compile(body, where, 'exec')
            return 'fragment compiles'
        return 'fragment, not run'
    suffix = '.py' if lang == 'python' else '.js'
    with tempfile.NamedTemporaryFile('w', suffix=suffix, delete=False) as f:
        f.write(body)
    try:
        cmd = ([sys.executable, f.name] if lang == 'python'
               else ['gjs', '-m', f.name])
        proc = subprocess.run(cmd, capture_output=True, text=True,
                              timeout=60)
    finally:
        os.unlink(f.name)
    if proc.returncode != 0:
        raise RuntimeError('exit %d\n%s%s' % (proc.returncode, proc.stdout,
                                              proc.stderr))
    return 'runs'


def main():
    lang = sys.argv[1]
    found = [(path, line, body) for path in sys.argv[2:]
             for line, body in examples(path, lang)]
    print('1..%d' % len(found))
    failed = 0
    for n, (path, line, body) in enumerate(found, 1):
        where = '%s:%d' % (os.path.basename(path), line)
        try:
            print('ok %d - %s %s' % (n, where, run(lang, body, where)))
        except Exception as e:  # noqa: BLE001 -- report any failure as TAP
            failed += 1
            print('not ok %d - %s' % (n, where))
            for out in str(e).splitlines():
                print('# ' + out)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())

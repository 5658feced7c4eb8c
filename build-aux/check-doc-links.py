#!/usr/bin/env python3
# check-doc-links.py: every link of the built manual resolves where the
# manual is installed.
#
# Usage: check-doc-links.py HTML_DIR INSTALL_DIR
#
# HTML_DIR is the built manual (the build tree's doc/html), INSTALL_DIR
# where `meson install` puts it (<prefix>/share/gtk-doc/html/gasync). A
# link within the manual must name a page and an anchor that exist in
# HTML_DIR; a link to another manual (GLib's, cross-referenced by
# gtkdoc-fixxref) must name a file that exists once installed: a relative
# one is taken from INSTALL_DIR, an absolute one as it is. Web links are
# not followed. Also checks that the index of new symbols is generated.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import html.parser
import os
import sys


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []
        self.anchors = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ('id', 'name'):
            if attrs.get(key):
                self.anchors.add(attrs[key])
        if tag in ('a', 'link') and attrs.get('href'):
            self.links.append(attrs['href'])


def main():
    html_dir, install_dir = sys.argv[1:3]
    pages = {}
    for name in os.listdir(html_dir):
        if name.endswith('.html'):
            page = Page()
            with open(os.path.join(html_dir, name), encoding='utf-8') as f:
                page.feed(f.read())
            pages[name] = page
    bad = []
    n_links = n_external = 0
    for name, page in sorted(pages.items()):
        for href in page.links:
            if href.startswith(('http:', 'https:', 'mailto:')):
                continue
            n_links += 1
            target, _, anchor = href.partition('#')
            if target == '':
                target = name
            if '/' not in target:
                if target not in pages and not target.endswith('.html'):
                    if not os.path.exists(os.path.join(html_dir, target)):
                        bad.append('%s: %s: no such file' % (name, href))
                elif target not in pages:
                    bad.append('%s: %s: no such page' % (name, href))
                elif anchor and anchor not in pages[target].anchors:
                    bad.append('%s: %s: no such anchor' % (name, href))
                continue
            n_external += 1
            path = os.path.normpath(os.path.join(install_dir, target))
            if not os.path.exists(path):
                bad.append('%s: %s: %s does not exist' % (name, href, path))
    if 'api-index-0.1.html' not in pages:
        bad.append('the index of new symbols (api-index-0.1.html) is missing')
    for line in bad:
        print(line)
    print('%d links, %d of them into other manuals, %d broken'
          % (n_links, n_external, len(bad)))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())

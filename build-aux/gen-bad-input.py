#!/usr/bin/python3
# gen-bad-input.py: write a GTest program that calls every function of the
# public API, as the GIR lists them, with bad input:
#
#   /gasync/bad-input/null-instance/METHOD   a NULL instance, zero for the rest;
#   /gasync/bad-input/wrong-class/METHOD     an object of the wrong class;
#   /gasync/bad-input/null-arg/FUNC/PARAM    a valid instance and valid
#                                            arguments, except NULL for one
#                                            pointer parameter that the GIR
#                                            does not mark nullable.
#
# Each call must end in a critical from a g_return_if_fail() check, never a
# crash or a silent success; for null-arg, a critical that names PARAM. The
# cases run in-process: g_test_expect_message() catches the critical before
# G_DEBUG=fatal-criticals would abort. Valid objects come from
# tests/gasync-test-util.h, valid callbacks are generated: dummy_<C type>.
#
#   gen-bad-input.py GIR OUTPUT.c
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import sys
import xml.etree.ElementTree as ET

CORE = '{http://www.gtk.org/introspection/core/1.0}'
C = '{http://www.gtk.org/introspection/c/1.0}'
GLIB = '{http://www.gtk.org/introspection/glib/1.0}'

# Methods that accept NULL on purpose, as their GLib models do.
NULL_SAFE = {
    'gasync_runner_result_unref',
}

# GTypes of the classes from other namespaces that a valid call may need.
FOREIGN_TYPES = {
    'GObject.Object': 'G_TYPE_OBJECT',
    'Gio.Cancellable': 'G_TYPE_CANCELLABLE',
}


def methods(gir):
    root = ET.parse(gir).getroot()
    for parent in root.iter():
        for method in parent.findall(CORE + 'method'):
            name = method.get(C + 'identifier')
            if name in NULL_SAFE:
                continue
            params = method.find(CORE + 'parameters')
            n = len([p for p in params if p.tag == CORE + 'parameter'])
            # A GError ** is a trailing parameter too.
            if method.get('throws') == '1':
                n += 1
            yield name, n, parent.tag == CORE + 'class'


class Namespace:
    def __init__(self, gir):
        self.ns = ET.parse(gir).getroot().find(CORE + 'namespace')
        self.callbacks = {cb.get('name'): cb for cb in self.ns.findall(CORE + 'callback')}
        self.types = {}
        for tag in ('class', 'record', 'interface'):
            for node in self.ns.findall(CORE + tag):
                if node.get(GLIB + 'get-type'):
                    self.types[node.get('name')] = node.get(GLIB + 'get-type') + ' ()'

    def callables(self):
        yield from self.ns.findall(CORE + 'function')
        for parent in self.ns:
            for tag in ('constructor', 'function', 'method'):
                yield from parent.findall(CORE + tag)

    def gtype(self, name):
        if name in FOREIGN_TYPES:
            return FOREIGN_TYPES[name]
        if name in self.types:
            return self.types[name]
        raise ValueError('no valid value known for type ' + name)

    def dummy_name(self, name):
        return 'dummy_' + self.callbacks[name].get(C + 'type')


class Param:
    def __init__(self, node):
        self.name = node.get('name')
        self.type = node.find(CORE + 'type')
        self.array = node.find(CORE + 'array')
        typed = self.type if self.type is not None else self.array
        self.ctype = typed.get(C + 'type')
        self.out = node.get('direction') in ('out', 'inout')
        self.nullable = node.get('nullable') == '1' or node.get('allow-none') == '1'
        self.type_name = self.type.get('name') if self.type is not None else None

    def is_pointer(self, ns):
        return ('*' in (self.ctype or '') or self.ctype == 'gpointer'
                or self.type_name in ns.callbacks or self.array is not None)

    def may_be_tested(self, ns):
        """A pointer that must not be NULL: not user data, not a destroy
        notify, not an out parameter."""
        return (self.is_pointer(ns) and not self.nullable and not self.out
                and self.type_name not in ('gpointer', 'GLib.DestroyNotify'))


def new_object(locals_, gtype):
    """Declares a fresh object of @gtype in @locals_; returns its name."""
    local = 'a%d' % len(locals_)
    locals_.append('gpointer %s = gasync_test_make_object (%s);' % (local, gtype))
    return local


def valid_value(ns, param, locals_):
    """A C expression for a valid value of @param; the objects it needs are
    declared in @locals_."""
    if param.type_name == 'Gio.Cancellable':
        return new_object(locals_, 'G_TYPE_CANCELLABLE')
    if param.out or param.type_name in ('gpointer', 'GLib.DestroyNotify') or param.nullable:
        return 'NULL'
    if param.array is not None:
        element = param.array.find(CORE + 'type').get('name')
        local = new_object(locals_, ns.gtype(element))
        return '(%s) { %s }' % (param.ctype.replace('**', '*[]'), local)
    if param.type_name in ns.callbacks:
        return ns.dummy_name(param.type_name)
    if param.type_name in ('utf8', 'filename'):
        return '"x"'
    if param.type_name == 'gboolean':
        return 'TRUE'
    if param.type_name == 'GLib.PtrArray':
        return 'gasync_test_make_ptr_array ()'
    if param.type_name == 'GLib.Error':
        return 'gasync_test_make_error ()'
    if param.type_name == 'GObject.Closure':
        return 'gasync_test_make_closure ()'
    if not param.is_pointer(ns):
        return '1'
    return new_object(locals_, ns.gtype(param.type_name))


def null_arg_cases(ns):
    for func in ns.callables():
        name = func.get(C + 'identifier')
        params = func.find(CORE + 'parameters')
        if params is None:
            continue
        args = [Param(p) for p in params if p.tag == CORE + 'parameter']
        instance = params.find(CORE + 'instance-parameter')
        for tested in args:
            if not tested.may_be_tested(ns):
                continue
            locals_ = []
            values = []
            if instance is not None:
                type_name = instance.find(CORE + 'type').get('name')
                values.append(new_object(locals_, ns.gtype(type_name)))
            for p in args:
                values.append('NULL' if p is tested else valid_value(ns, p, locals_))
            if func.get('throws') == '1':
                values.append('NULL')
            yield name, tested.name, locals_, values


def dummy_callbacks(ns):
    out = ['/* A callback of each type; no valid call here ever runs one. */']
    for cb in ns.callbacks.values():
        ret = cb.find(CORE + 'return-value').find(CORE + 'type').get(C + 'type')
        params = cb.find(CORE + 'parameters')
        ctypes = [Param(p).ctype for p in params] if params is not None else []
        if cb.get('throws') == '1':
            ctypes.append('GError **')
        decl = ', '.join('%s a%d' % (t, i) for i, t in enumerate(ctypes)) or 'void'
        body = '  g_assert_not_reached ();' if ret == 'void' else \
               '  g_assert_not_reached ();\n  return 0;'
        out += ['static %s G_GNUC_UNUSED' % ret, '%s (%s)' % (ns.dummy_name(cb.get('name')), decl),
                '{', body, '}', '']
    return out


def main():
    gir, output = sys.argv[1], sys.argv[2]
    ns = Namespace(gir)
    found = sorted(methods(gir))
    null_args = sorted(null_arg_cases(ns), key=lambda c: (c[0], c[1]))
    out = ['/* Generated by build-aux/gen-bad-input.py: do not edit. */',
           '',
           '#include <gasync.h>',
           '',
           '/* Results are ignored on purpose: every call is meant to fail. */',
           '#pragma GCC diagnostic ignored "-Wunused-result"',
           '']
    out += dummy_callbacks(ns)
    out += ['#include "gasync-test-util.h"',
            '',
            '/* NULL, or an object of the wrong class, as the instance. */',
            'static gpointer instance;',
            '']
    for name, n, _ in found:
        args = ', '.join(['instance'] + ['0'] * n)
        out += ['static void', 'call_%s (void)' % name, '{',
                '  (void) %s (%s);' % (name, args), '}', '']
    out.append('typedef struct { const char *name; void (*call) (void); '
               'gboolean is_class; } Call;')
    out.append('static const Call calls[] = {')
    for name, n, is_class in found:
        out.append('  { "%s", call_%s, %s },' % (name, name, 'TRUE' if is_class else 'FALSE'))
    out += ['};', '']
    for name, param, locals_, values in null_args:
        out += ['static void', 'null_%s_%s (void)' % (name, param), '{']
        out += ['  ' + line for line in locals_]
        out += ['', '  gasync_test_expect_critical_naming ("%s");' % param,
                '  (void) %s (%s);' % (name, ', '.join(values)),
                '  g_test_assert_expected_messages ();',
                '  gasync_test_release_all ();', '}', '']
    out.append('static const struct { const char *path; void (*call) (void); } null_args[] = {')
    for name, param, _, _ in null_args:
        out.append('  { "/gasync/bad-input/null-arg/%s/%s", null_%s_%s },' % (name, param, name, param))
    out += ['};', '', TEMPLATE]
    with open(output, 'w') as f:
        f.write('\n'.join(out))
    return 0


TEMPLATE = r'''
static void
call_with_instance (const Call *call,
                    gpointer    bad_instance)
{
  instance = bad_instance;
  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*assertion*failed*");
  call->call ();
  g_test_assert_expected_messages ();
}

static void
test_null_instance (gconstpointer data)
{
  call_with_instance (data, NULL);
}

static void
test_wrong_class (gconstpointer data)
{
  GObject *object = g_object_new (G_TYPE_OBJECT, NULL);

  call_with_instance (data, object);
  g_object_unref (object);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (calls); i++)
    {
      char *path = g_strconcat ("/gasync/bad-input/null-instance/", calls[i].name, NULL);

      g_test_add_data_func (path, &calls[i], test_null_instance);
      g_free (path);
      if (!calls[i].is_class)
        continue;
      path = g_strconcat ("/gasync/bad-input/wrong-class/", calls[i].name, NULL);
      g_test_add_data_func (path, &calls[i], test_wrong_class);
      g_free (path);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (null_args); i++)
    g_test_add_func (null_args[i].path, null_args[i].call);
  return g_test_run ();
}
'''


if __name__ == '__main__':
    sys.exit(main())

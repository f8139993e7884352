#!/usr/bin/python3
# Extracts the format strings of real programs' log messages into test/templates/formats/*.jsonl,
# the source of the real-format-string evaluation set (test/templates/formats/README.md).
#
#   /usr/bin/python3 scripts/extract-formats.py            (Debian's python3: it reads Debian's packages)
#
# * postgres: the msgids of Debian's postgresql-15 message catalogues
#   (/usr/share/locale/*/LC_MESSAGES/postgres-15.mo, the union over the 11 languages): they are the
#   server's ereport/elog format strings, printf style.
# * Python libraries from Debian's packages: the first argument of every logging call
#   (`logger.info(...)`, `self.log.warning(...)`, module aliases such as celery's
#   `debug, info = logger.debug, logger.info`, and `logger.log(level, ...)`) in the installed .py
#   files, read with the ast module: string literals, f-strings, `"..." % args` and `"...".format()`,
#   and names bound to a string literal in the same module. A literal logged with no arguments is
#   constant (logging does not format it).
# Each output line: {"format", "style", "package", "version", "file", "line"} ("line" only for
# source files); style is printf
# (%s %d %(name)s), brace ({} {name}) or literal (no placeholder). One line per distinct format
# string and package (the first site found), sorted, so a rerun on the same packages gives the same file.
import ast
import gettext
import glob
import json
import os
import subprocess
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
OUT = os.path.join(ROOT, 'test', 'templates', 'formats')
DIST = '/usr/lib/python3/dist-packages'
CATALOGUES = '/usr/share/locale/*/LC_MESSAGES/postgres-15.mo'
LEVELS = {'debug', 'info', 'warning', 'warn', 'error', 'exception', 'critical', 'fatal'}
PY_PACKAGES = [
    # (source name, Debian package, module directory)
    ('gunicorn', 'python3-gunicorn', 'gunicorn'),
    ('celery', 'python3-celery', 'celery'),
    ('kombu', 'python3-kombu', 'kombu'),
    ('sqlalchemy', 'python3-sqlalchemy', 'sqlalchemy'),
    ('django', 'python3-django', 'django'),
    ('uvicorn', 'python3-uvicorn', 'uvicorn'),
    ('redis-py', 'python3-redis', 'redis'),
]


def deb_version(pkg):
    return subprocess.run(['dpkg-query', '-W', '-f=${Version}', pkg], capture_output=True, text=True, check=True).stdout


def write(name, rows):
    seen = {}
    for r in rows:
        seen.setdefault(r['format'], r)
    with open(os.path.join(OUT, name + '.jsonl'), 'w') as f:
        for k in sorted(seen):
            f.write(json.dumps(seen[k], ensure_ascii=False, sort_keys=True, separators=(',', ':')) + '\n')
    print(f'{name}: {len(seen)} format strings', file=sys.stderr)


def postgres():
    version = deb_version('postgresql-15')
    rows = []
    for path in sorted(glob.glob(CATALOGUES)):
        with open(path, 'rb') as fp:
            catalog = gettext.GNUTranslations(fp)._catalog
        for key in catalog:
            msgid = key if isinstance(key, str) else key[0]  # plural entries: (msgid, n)
            if msgid:
                rows.append({'format': msgid, 'style': 'printf', 'package': 'postgresql-15', 'version': version,
                             'file': CATALOGUES})
    write('postgres', rows)


def is_loggerish(node):
    """`logger`, `log`, `self.log`, `self.logger`, `_log`, `error_log`, `LOGGER`..."""
    if isinstance(node, ast.Name):
        return 'log' in node.id.lower()
    if isinstance(node, ast.Attribute):
        return 'log' in node.attr.lower()
    return False


class Module:
    def __init__(self, tree):
        self.strings = {}  # name -> [(line, value)]
        self.aliases = set()  # bare names bound to logger methods
        for n in ast.walk(tree):
            if isinstance(n, ast.Assign):
                for t in n.targets:
                    self.bind(t, n.value, n.lineno)

    def bind(self, target, value, line):
        if isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple) and len(target.elts) == len(value.elts):
            for t, v in zip(target.elts, value.elts):
                self.bind(t, v, line)
        elif isinstance(target, ast.Name):
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                self.strings.setdefault(target.id, []).append((line, value.value))
            elif isinstance(value, ast.Attribute) and value.attr in LEVELS and is_loggerish(value.value):
                self.aliases.add(target.id)

    def string(self, name, line):
        """The string bound to `name` nearest before `line` (or anywhere, when none is before)."""
        binds = self.strings.get(name)
        if not binds:
            return None
        before = [b for b in binds if b[0] <= line]
        return (before[-1] if before else binds[0])[1]


def fstring(node):
    """An f-string as a brace format: its values become {}."""
    out = []
    for v in node.values:
        if isinstance(v, ast.Constant):
            out.append(str(v.value).replace('{', '{{').replace('}', '}}'))
        else:
            out.append('{}')
    return ''.join(out)


def message_of(mod, call):
    """(format, style) of a logging call's message, or None when it is not a literal."""
    args = call.args
    if isinstance(call.func, ast.Attribute) and call.func.attr == 'log':
        args = args[1:]
    if not args:
        return None
    msg, rest = args[0], args[1:]
    if isinstance(msg, ast.Name):
        s = mod.string(msg.id, call.lineno)
        if s is None:
            return None
        msg = ast.Constant(s)
    if isinstance(msg, ast.Constant) and isinstance(msg.value, str):
        return (msg.value, 'printf' if rest else 'literal')
    if isinstance(msg, ast.JoinedStr):
        return (fstring(msg), 'brace')
    if isinstance(msg, ast.BinOp) and isinstance(msg.op, ast.Mod) and isinstance(msg.left, ast.Constant) and isinstance(msg.left.value, str):
        return (msg.left.value, 'printf')
    if (isinstance(msg, ast.Call) and isinstance(msg.func, ast.Attribute) and msg.func.attr == 'format'
            and isinstance(msg.func.value, ast.Constant) and isinstance(msg.func.value.value, str)):
        return (msg.func.value.value, 'brace')
    return None


def python(name, deb, module):
    version = deb_version(deb)
    rows = []
    for path in sorted(glob.glob(os.path.join(DIST, module, '**', '*.py'), recursive=True)):
        if '/tests/' in path or '/test/' in path or '/testing/' in path:
            continue
        try:
            tree = ast.parse(open(path, encoding='utf-8').read())
        except (SyntaxError, UnicodeDecodeError):
            continue
        mod = Module(tree)
        for call in ast.walk(tree):
            if not isinstance(call, ast.Call):
                continue
            f = call.func
            logging_call = (isinstance(f, ast.Attribute) and (f.attr in LEVELS or f.attr == 'log') and is_loggerish(f.value)) \
                or (isinstance(f, ast.Name) and f.id in mod.aliases)
            if not logging_call:
                continue
            m = message_of(mod, call)
            if m:
                rows.append({'format': m[0], 'style': m[1], 'package': deb, 'version': version,
                             'file': os.path.relpath(path, DIST), 'line': call.lineno})
    write(name, rows)


if __name__ == '__main__':
    os.makedirs(OUT, exist_ok=True)
    postgres()
    for p in PY_PACKAGES:
        python(*p)

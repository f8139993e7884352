#!/usr/bin/python3
# Extracts the format strings of real programs' log messages into test/templates/formats/*.jsonl,
# the source of the real-format-string evaluation set (test/templates/formats/README.md).
#
#   /usr/bin/python3 scripts/extract-formats.py PG_SOURCE   (Debian's python3: it reads Debian's packages)
#
# PG_SOURCE is Debian's postgresql-15 source package of the installed version, unpacked
# (`apt-get source postgresql-15=VERSION`, which needs a deb-src line).
# * postgres: the msgids of the server's message catalogue (PG_SOURCE/src/backend/po/*.po, the union
#   over its 11 languages) that some call site in PG_SOURCE reports as a log message: the string is
#   inside the arguments of errmsg, errdetail, errhint, errcontext (and their _plural/_log forms), of the
#   GUC_check_err* calls, write_stderr, report_invalid_record, ereport_startup_progress or the
#   parser's yyerror. The catalogue's other msgids are not log lines: GUC descriptions and config
#   groups (gettext_noop in guc.c), --help text (main.c), object descriptions and tables of message
#   parts that reach a report through a variable (objectaddress.c, aclchk.c, parse_agg.c), frontend-only
#   messages of src/common, and msgids some translations carry from other versions (no site in this
#   source). printf style; `file` and `line` are the first reporting site.
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
import glob
import json
import os
import re
import subprocess
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
OUT = os.path.join(ROOT, 'test', 'templates', 'formats')
DIST = '/usr/lib/python3/dist-packages'
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


# The calls whose string arguments the server logs (src/backend/nls.mk's GETTEXT_TRIGGERS that
# report, the _internal forms and elog, whose strings some versions translate).
PG_REPORTS = {'elog', 'errmsg', 'errmsg_plural', 'errmsg_internal', 'errdetail', 'errdetail_log', 'errdetail_plural',
              'errdetail_internal', 'errhint', 'errhint_plural', 'errcontext', 'GUC_check_errmsg',
              'GUC_check_errdetail', 'GUC_check_errhint', 'write_stderr', 'report_invalid_record',
              'ereport_startup_progress', 'yyerror', 'parser_yyerror', 'scanner_yyerror'}
C_TOKEN = re.compile(r'//[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'|[A-Za-z_]\w*|\S', re.S)


def c_unescape(s):
    """A C or .po string literal's text (octal, hex and backslash escapes; UTF-8 kept)."""
    return s.encode('utf-8').decode('unicode_escape').encode('latin-1').decode('utf-8', 'replace')


def c_strings(path):
    """Every string literal of a C file (adjacent literals joined) with its line and the names of the
    calls it is an argument of, innermost last (`errmsg(ngettext("...", ...))`)."""
    src = open(path, encoding='utf-8', errors='replace').read()
    out, calls, prev, run = [], [], None, None
    for m in C_TOKEN.finditer(src):
        t = m.group()
        if t.startswith('//') or t.startswith('/*'):
            continue
        if t.startswith('"'):
            if run is None:
                run = ['', src.count('\n', 0, m.start()) + 1]
            run[0] += t[1:-1]
            continue
        if run is not None:
            out.append((c_unescape(run[0]), run[1], set(calls)))
            run = None
        if t == '(':
            calls.append(prev if prev and (prev[0].isalpha() or prev[0] == '_') else None)
        elif t == ')' and calls:
            calls.pop()
        elif t in (';', '{', '}'):
            calls = []
        prev = t
    return out


def po_entries(path):
    """(msgid, referenced files) of a .po file; obsolete (#~) entries have no reference and are left out."""
    entries, files, field, msgid = [], [], None, None
    for line in open(path, encoding='utf-8'):
        if line.startswith('#:'):
            files += [r.rsplit(':', 1)[0] for r in line[2:].split()]
        elif line.startswith('msgid '):
            field, msgid = 'msgid', c_unescape(line[7:-2])
        elif line.startswith('"') and field == 'msgid':
            msgid += c_unescape(line[1:-2])
        elif line.startswith('msg'):  # msgid_plural, msgstr: the msgid is complete
            if field == 'msgid' and msgid and files:
                entries.append((msgid, files))
            field, files = None, ([] if line.startswith('msgstr') else files)
    return entries


def postgres(source):
    version = deb_version('postgresql-15')
    backend = os.path.join(source, 'src', 'backend')
    referenced = {}
    for po in sorted(glob.glob(os.path.join(backend, 'po', '*.po'))):
        for msgid, files in po_entries(po):
            referenced.setdefault(msgid, set()).update(files)
    # The grammars and scanners are referenced by their bare name (`gram.y`, `guc-file.l`).
    by_name = {}
    for path in glob.glob(os.path.join(backend, '**', '*.[cly]'), recursive=True):
        by_name.setdefault(os.path.basename(path), []).append(path)
    strings = {}
    rows = []
    for msgid, files in referenced.items():
        sites = []
        for f in sorted(files):
            path = os.path.normpath(os.path.join(backend, f))
            if not os.path.exists(path) and len(by_name.get(f, [])) == 1:
                path = by_name[f][0]
            if path not in strings:
                strings[path] = c_strings(path) if os.path.exists(path) else []
            sites += [(os.path.relpath(path, source), line) for text, line, calls in strings[path]
                      if text == msgid and calls & PG_REPORTS]
        if sites:
            file, line = min(sites)
            rows.append({'format': msgid, 'style': 'printf', 'package': 'postgresql-15', 'version': version,
                         'file': file, 'line': line})
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
    if len(sys.argv) != 2 or not os.path.isdir(os.path.join(sys.argv[1], 'src', 'backend', 'po')):
        sys.exit('usage: extract-formats.py PG_SOURCE (the unpacked postgresql-15 source package, see the header)')
    os.makedirs(OUT, exist_ok=True)
    postgres(sys.argv[1])
    for p in PY_PACKAGES:
        python(*p)

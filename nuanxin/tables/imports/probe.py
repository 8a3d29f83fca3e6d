"""Reading a spreadsheet once in a child process before the importer reads it in its own.

python-calamine is native code: a damaged or hostile .xls, .xlsx or .ods can make it ask
for gigabytes (a corrupt length field in an .xls, two cells a million rows and 16,000
columns apart) and the process then aborts; no Python ``except`` can catch that. So before a
file is accepted, a child Python process with a bounded address space
(``NUANXIN_IMPORT_READ_MEMORY_MB``) and a time limit (``NUANXIN_IMPORT_READ_SECONDS``) reads
every sheet and every row exactly as ``reader.read_sheets`` will. Whatever makes the child
fail, abort or run out of time refuses the file as damaged; a file the child read completely
is read the same way by the importer, since the parser is deterministic.
"""

from __future__ import annotations

import logging
import subprocess
import sys

from django.conf import settings

log = logging.getLogger(__name__)

PASSWORD = 4  # the child's exit status for a password-protected file
DAMAGED = 3  # ... for a file calamine refuses or cannot read

# Runs with ``python -I`` (no site customisation, no current directory on the path) and
# without Django: argv = [path, memory limit in bytes].
CHILD = r"""
import resource, sys
limit = int(sys.argv[2])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
try:
    from python_calamine import CalamineWorkbook, PasswordError, SheetTypeEnum
    try:
        workbook = CalamineWorkbook.from_path(sys.argv[1])
        kinds = {m.name: m.typ for m in workbook.sheets_metadata}
        for name in workbook.sheet_names:
            try:
                sheet = workbook.get_sheet_by_name(name)
            except PasswordError:
                raise
            except BaseException:
                if kinds.get(name, SheetTypeEnum.WorkSheet) == SheetTypeEnum.WorkSheet:
                    raise
                continue  # a chart or macro sheet the importer skips as well
            for row in sheet.iter_rows():
                pass
    except PasswordError:
        sys.exit(4)
except BaseException as exc:
    if isinstance(exc, SystemExit):
        raise
    sys.stderr.write(f"{type(exc).__name__}: {str(exc)[:300]}")
    sys.exit(3)
"""


def read_limits() -> tuple[int, int]:
    """(address space in bytes, seconds) allowed to the child that reads a file."""
    memory = int(getattr(settings, "NUANXIN_IMPORT_READ_MEMORY_MB", 1024))
    seconds = int(getattr(settings, "NUANXIN_IMPORT_READ_SECONDS", 120))
    return memory * 1024 * 1024, seconds


def probe(path) -> str:
    """Read the workbook at ``path`` in a bounded child process: "" when it read completely,
    else "password" or "damaged" (the child's reason is logged)."""
    memory, seconds = read_limits()
    try:
        done = subprocess.run(  # noqa: S603 - our own interpreter and code; the path is an argument
            [sys.executable, "-I", "-c", CHILD, str(path), str(memory)],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=seconds,
            env={"LANG": "C.UTF-8", "RUST_BACKTRACE": "0"},
            check=False,
        )
    except subprocess.TimeoutExpired:
        log.info("import probe: %s not read within %s s", path, seconds)
        return "damaged"
    if done.returncode == 0:
        return ""
    if done.returncode == PASSWORD:
        return "password"
    log.info("import probe: %s refused (exit %s): %s", path, done.returncode, done.stderr[-300:])
    return "damaged"

"""Fuzzing the importer's file path: every mutation of the sample tables is either read or
refused with ``FileRefused``, never any other exception (nor a crash of the process).

The path is the one every upload takes, whether it comes from the page, the API or the
command (``services.create_batch``): ``safety.check_file`` (size, type, zip structure and
bomb checks, the bounded child read of a workbook), then ``planner.iter_file`` (reading every
sheet, finding the header row, parsing every row); no database is needed for either.

Mutations: bits flipped, bytes overwritten or inserted, the file cut short, a piece of
another sample spliced in, and for the zip-based samples a part replaced by another part,
by a damaged copy of itself, or dropped, with right checksums so the parsers see it.

``make test`` runs a fixed, bounded set of examples (derandomised, so every run is the
same); ``make fuzz`` runs many more: ``NUANXIN_FUZZ_EXAMPLES`` sets how many.
"""

from __future__ import annotations

import io
import os
import tempfile
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nuanxin.tables.imports import planner as pl
from nuanxin.tables.imports.safety import FileRefused, check_file
from nuanxin.tables.tests import damaged_files as d

EXAMPLES = int(os.environ.get("NUANXIN_FUZZ_EXAMPLES", "150"))
ZIPPED = [name for name in d.SEEDS if d.kind(name) in ("xlsx", "ods")]


def read_through_the_importer(path: Path, kind: str) -> int:
    """What an upload goes through before its rows are planned; the number of data rows."""
    check_file(path, kind)
    return sum(1 for _row in pl.iter_file(path, kind, default_team="", sheets=[]))


# --- mutations ---------------------------------------------------------------------------------


def _flip(data: bytes, at: int, bit: int) -> bytes:
    at %= max(1, len(data))
    return data[:at] + bytes([data[at] ^ (1 << bit)]) + data[at + 1 :] if data else data


def _overwrite(data: bytes, at: int, new: bytes) -> bytes:
    at %= max(1, len(data))
    return data[:at] + new + data[at + len(new) :]


def _insert(data: bytes, at: int, new: bytes) -> bytes:
    at %= len(data) + 1
    return data[:at] + new + data[at:]


def _cut(data: bytes, fraction: float) -> bytes:
    return data[: int(len(data) * fraction)]


def _splice(data: bytes, at: int, other: str, start: int, length: int) -> bytes:
    source = d.seed(other)
    start %= len(source)
    return _insert(data, at, source[start : start + length])


_AT = st.integers(0, 1 << 20)  # a position, wrapped to the data's length
byte_mutation = st.one_of(
    st.builds(lambda at, bit: lambda b: _flip(b, at, bit), st.integers(0, 1 << 20), st.integers(0, 7)),
    st.builds(lambda at, new: lambda b: _overwrite(b, at, new), _AT, st.binary(min_size=1, max_size=8)),
    st.builds(lambda at, new: lambda b: _insert(b, at, new), _AT, st.binary(min_size=1, max_size=16)),
    st.builds(lambda f: lambda b: _cut(b, f), st.floats(0, 1)),
    st.builds(
        lambda at, other, start, length: lambda b: _splice(b, at, other, start, length),
        st.integers(0, 1 << 20), st.sampled_from(d.SEEDS), st.integers(0, 1 << 20), st.integers(1, 512),
    ),
)


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {info.filename: z.read(info) for info in z.infolist()}


def _rezip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in members.items():
            z.writestr(name, content, compress_type=zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED)
    return buf.getvalue()


@st.composite
def member_splice(draw, name: str) -> bytes:
    """A zip seed with one part replaced (by another seed's part, or a damaged copy of its
    own content) or dropped; the zip itself is intact, so the XML parsers meet the damage."""
    members = _members(d.seed(name))
    target = draw(st.sampled_from(sorted(members)))
    how = draw(st.sampled_from(["other", "mutated", "dropped"]))
    if how == "dropped":
        del members[target]
    elif how == "other":
        other = _members(d.seed(draw(st.sampled_from(ZIPPED))))
        members[target] = other[draw(st.sampled_from(sorted(other)))]
    else:
        for mutate in draw(st.lists(byte_mutation, min_size=1, max_size=3)):
            members[target] = mutate(members[target])
    return _rezip(members)


@st.composite
def damaged_table(draw) -> tuple[str, bytes]:
    name = draw(st.sampled_from(d.SEEDS))
    if name in ZIPPED and draw(st.booleans()):
        data = draw(member_splice(name))
    else:
        data = d.seed(name)
    for mutate in draw(st.lists(byte_mutation, min_size=0 if data != d.seed(name) else 1, max_size=4)):
        data = mutate(data)
    return name, data


# --- the test ----------------------------------------------------------------------------------


@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(damaged_table())
def test_every_damaged_table_is_read_or_refused(case):
    name, data = case
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        try:
            read_through_the_importer(path, d.kind(name))
        except FileRefused as exc:
            assert str(exc.message)  # a message for the user, never an empty refusal


def test_the_unharmed_seeds_are_read():
    """The fuzzer starts from files the importer reads: a broken seed would only test refusals."""
    with tempfile.TemporaryDirectory() as tmp:
        counts = {}
        for name in d.SEEDS:
            path = Path(tmp) / name
            path.write_bytes(d.seed(name))
            counts[name] = read_through_the_importer(path, d.kind(name))
    assert counts == {
        "table1_aid_team.xlsx": 7,
        "table3_wuhan_phones.xlsx": 4,
        "table1_aid_team_legacy.xls": 7,
        "table1_aid_team.ods": 7,
        "table2_frontline_gbk.csv": 6,
    }

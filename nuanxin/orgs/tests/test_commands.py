"""The ``nuanxin orgs`` and ``nuanxin users`` commands, run as from the shell (exit status,
standard output and error)."""

import io
import re

import pytest
from django.db import connections

from nuanxin import cli
from nuanxin.accounts.models import ApiToken, User, hash_token
from nuanxin.accounts.services import authenticate_token
from nuanxin.core.models import AuditLog
from nuanxin.orgs.models import Grant, Organisation

TREE = (
    "code,name,kind,parent_code\n"
    "QD,青岛市总工会,city_federation,\n"
    "QD-SN,市南区总工会,区市总工会,QD\n"
    "QD-SN-01,市南区人民医院工会,基层工会,QD-SN\n"
    "QD-YW,青岛市医务工会,产业工会,QD\n"
)


@pytest.fixture
def run(db, monkeypatch, capsys):
    """Run ``nuanxin ARGS`` in-process: (exit status, stdout, stderr)."""
    # run_from_argv closes the connections when done, which would end the test's transaction.
    monkeypatch.setattr(connections, "close_all", lambda: None)

    def run(*args: str, stdin: str = ""):
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        capsys.readouterr()
        try:
            cli.main(["nuanxin", *args])
            status = 0
        except SystemExit as exc:
            status = exc.code
        out, err = capsys.readouterr()
        return status, out, err

    return run


@pytest.fixture
def tree_file(tmp_path):
    path = tmp_path / "orgs.csv"
    path.write_text(TREE, encoding="utf-8")
    return path


def test_orgs_load_then_list(run, tree_file):
    assert run("orgs", "load", str(tree_file)) == (0, (
        "Line 2: created QD.\n"
        "Line 3: created QD-SN.\n"
        "Line 4: created QD-SN-01.\n"
        "Line 5: created QD-YW.\n"
        "Created 4, updated 0, moved 0, unchanged 0.\n"
    ), "")
    assert run("orgs", "load", str(tree_file)) == (0, "Created 0, updated 0, moved 0, unchanged 4.\n", "")
    assert run("orgs", "list") == (0, (
        "QD  青岛市总工会  (city_federation)\n"
        "  QD-SN  市南区总工会  (district_federation)\n"
        "    QD-SN-01  市南区人民医院工会  (unit_union)\n"
        "  QD-YW  青岛市医务工会  (industry_union)\n"
    ), "")
    assert run("orgs", "list", "--under", "QD-SN") == (0, (
        "QD-SN  市南区总工会  (district_federation)\n"
        "  QD-SN-01  市南区人民医院工会  (unit_union)\n"
    ), "")
    assert AuditLog.objects.filter(action="org.create", actor_name="system:cli").count() == 4


def test_orgs_load_dry_run_writes_nothing(run, tree_file):
    status, out, _err = run("orgs", "load", "--dry-run", str(tree_file))
    assert status == 0
    assert out.splitlines()[-1] == "Dry run, nothing written. Created 4, updated 0, moved 0, unchanged 0."
    assert Organisation.objects.count() == 0


def test_orgs_load_reports_wrong_lines_and_exits_1(run, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(("code,name,kind,parent_code\nQD,青岛市总工会,市总工会,\nQD-A,,基层工会,QD-Z\n").encode("gbk"))
    assert run("orgs", "load", str(path)) == (1, "", (
        "Line 3: the name is empty.\n"
        "Line 3: unknown parent “QD-Z”: it is neither in the file nor in the tree.\n"
        "CommandError: 2 line(s) wrong: nothing was written.\n"
    ))
    assert Organisation.objects.count() == 0


def test_orgs_usage_errors_exit_2(run, tmp_path):
    assert run("orgs", "load", str(tmp_path / "missing.csv")) == (
        2, "", "CommandError: Cannot read " + str(tmp_path / "missing.csv") + ": No such file or directory\n"
    )
    (tmp_path / "orgs.pdf").write_bytes(b"%PDF")
    assert run("orgs", "load", str(tmp_path / "orgs.pdf")) == (
        2, "", "CommandError: Unsupported file type “.pdf”: use .csv, .xlsx, .xls or .ods.\n"
    )
    status, _out, err = run("orgs", "frobnicate")
    assert status == 2 and "invalid choice: 'frobnicate'" in err
    status, _out, err = run("orgs", "load")
    assert status == 2 and "the following arguments are required: FILE" in err


def test_orgs_list_unknown_code_exits_1(run, tree_file):
    run("orgs", "load", str(tree_file))
    assert run("orgs", "list", "--under", "NOPE") == (1, "", "CommandError: No organisation has the code “NOPE”.\n")


def test_help_texts_describe_the_commands(run):
    status, out, _err = run("orgs", "load", "--help")
    assert status == 0
    assert "--dry-run" in out and "parent_code" in out
    status, out, _err = run("users", "--help")
    assert status == 0
    assert "{create,grant,revoke,disable,enable,token,list}" in out


def test_users_create_prints_a_generated_password_once(run, tree_file):
    run("orgs", "load", str(tree_file))
    status, out, err = run("users", "create", "ann", "--org", "QD-SN-01", "--role", "care_contact",
                           "--full-name", "安")
    assert (status, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "Created account ann: Care contact at QD-SN-01."
    match = re.fullmatch(r"Password \(shown once\): ([A-Za-z0-9]{16})", lines[1])
    assert match and len(lines) == 2
    user = User.objects.get(username="ann")
    assert user.check_password(match.group(1))
    assert (user.full_name, user.organisation.code) == ("安", "QD-SN-01")
    assert [(g.role, g.organisation.code) for g in user.grants.all()] == [("care_contact", "QD-SN-01")]


def test_users_create_reads_the_password_from_stdin(run, tree_file):
    run("orgs", "load", str(tree_file))
    result = run("users", "create", "bob", "--org", "QD-SN", "--role", "org_admin", "--password-stdin",
                 stdin="Strong-pass-2020\n")
    assert result == (0, "Created account bob: Organisation administrator at QD-SN.\n", "")
    assert User.objects.get(username="bob").check_password("Strong-pass-2020")
    # An empty stdin is a usage error; a weak password is refused; both create nothing.
    assert run("users", "create", "cat", "--org", "QD-SN", "--role", "viewer", "--password-stdin")[0] == 2
    status, _out, err = run("users", "create", "dan", "--org", "QD-SN", "--role", "viewer", "--password-stdin",
                            stdin="short\n")
    assert status == 1 and err.startswith("CommandError: ")
    assert not User.objects.filter(username__in=["cat", "dan"]).exists()


def test_users_create_refusals(run, tree_file):
    run("orgs", "load", str(tree_file))
    run("users", "create", "ann", "--org", "QD-SN-01", "--role", "care_contact")
    assert run("users", "create", "ANN", "--org", "QD-SN", "--role", "viewer") == (
        1, "", "CommandError: The username “ANN” is taken.\n"
    )
    assert run("users", "create", "eve", "--org", "NOPE", "--role", "viewer") == (
        1, "", "CommandError: No organisation has the code “NOPE”.\n"
    )
    status, _out, err = run("users", "create", "eve", "--org", "QD", "--role", "boss")
    assert status == 2 and "invalid choice: 'boss'" in err
    status, _out, err = run("users", "create", "eve", "--role", "viewer")
    assert status == 2 and "the following arguments are required: --org" in err
    assert not User.objects.filter(username="eve").exists()


def test_users_grant_revoke_list(run, tree_file):
    run("orgs", "load", str(tree_file))
    run("users", "create", "ann", "--org", "QD-SN-01", "--role", "care_contact", "--full-name", "安")
    run("users", "create", "bob", "--org", "QD-SN", "--role", "org_admin")
    assert run("users", "grant", "ann", "--role", "viewer", "--org", "QD-YW") == (
        0, "Granted Report viewer at QD-YW to ann.\n", ""
    )
    assert run("users", "grant", "ann", "--role", "viewer", "--org", "QD-YW") == (
        1, "", "CommandError: The user already holds this role there.\n"
    )
    assert run("users", "list") == (0, (
        "ann  安  QD-SN-01  care_contact@QD-SN-01,viewer@QD-YW\n"
        "bob  -  QD-SN  org_admin@QD-SN\n"
    ), "")
    assert run("users", "list", "--org", "QD-SN-01") == (
        0, "ann  安  QD-SN-01  care_contact@QD-SN-01,viewer@QD-YW\n", ""
    )
    assert run("users", "revoke", "ann", "--role", "viewer", "--org", "QD-YW") == (
        0, "Revoked Report viewer at QD-YW from ann.\n", ""
    )
    assert run("users", "revoke", "ann", "--role", "viewer", "--org", "QD-YW") == (
        1, "", "CommandError: ann holds no such role there.\n"
    )
    assert Grant.objects.filter(user__username="ann", role="viewer").get().revoked_at is not None
    assert run("users", "grant", "ann", "--role", "viewer", "--group", "MED") == (
        1, "", "CommandError: No organisation group has the code “MED”.\n"
    )
    status, _out, err = run("users", "grant", "ann", "--role", "viewer", "--org", "QD", "--group", "MED")
    assert status == 2 and "not allowed with argument" in err
    assert run("users", "grant", "nobody", "--role", "viewer", "--org", "QD") == (
        1, "", "CommandError: No account has the username “nobody”.\n"
    )


def test_users_disable_enable(run, tree_file):
    run("orgs", "load", str(tree_file))
    run("users", "create", "ann", "--org", "QD-SN-01", "--role", "care_contact")
    assert run("users", "disable", "ann") == (0, "Disabled account ann.\n", "")
    assert User.objects.get(username="ann").is_active is False
    assert run("users", "list")[1] == "ann  -  QD-SN-01  care_contact@QD-SN-01  (disabled)\n"
    assert run("users", "enable", "ann") == (0, "Enabled account ann.\n", "")
    assert User.objects.get(username="ann").is_active is True
    assert [r.action for r in AuditLog.objects.filter(action__startswith="user.").order_by("id")] == [
        "user.create", "user.disable", "user.enable"
    ]


def test_users_token_prints_it_once_and_stores_only_its_hash(run, tree_file):
    run("orgs", "load", str(tree_file))
    run("users", "create", "ann", "--org", "QD-SN-01", "--role", "care_contact")
    status, out, err = run("users", "token", "ann", "--expires", "7", "--name", "报表")
    assert status == 0
    plaintext = out.strip()
    assert out == plaintext + "\n" and plaintext.startswith("nx_")
    assert re.fullmatch(r"Token for ann, expires \d{4}-\d\d-\d\d \d\d:\d\d\. It is shown only this once\.\n", err)
    token = ApiToken.objects.get()
    assert (token.name, token.key_hash) == ("报表", hash_token(plaintext))
    assert plaintext not in repr(list(ApiToken.objects.values_list()))
    assert authenticate_token(plaintext).username == "ann"
    assert run("users", "token", "ann", "--expires", "400") == (
        1, "", "CommandError: A token must expire within 1 to 365 days.\n"
    )
    status, _out, err = run("users", "token", "ann", "--expires", "soon")
    assert status == 2 and "invalid int value" in err

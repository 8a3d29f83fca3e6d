"""The `nuanxin` console script accepts the documented hyphenated command names."""

from nuanxin.cli import _command_name


def test_hyphenated_command_names_map_to_django_commands():
    assert _command_name(["nuanxin", "import-tables", "a-file.xlsx", "--org", "QD-SN"]) == [
        "nuanxin", "import_tables", "a-file.xlsx", "--org", "QD-SN",
    ]
    assert _command_name(["nuanxin", "help", "export-tables"]) == ["nuanxin", "help", "export_tables"]
    assert _command_name(["nuanxin", "care", "open-duties"]) == ["nuanxin", "care", "open-duties"]
    assert _command_name(["nuanxin", "--version"]) == ["nuanxin", "--version"]
    assert _command_name(["nuanxin"]) == ["nuanxin"]

from ledger.cli import build_parser


def test_parser_requires_a_command(capsys):
    parser = build_parser()
    try:
        parser.parse_args([])
    except SystemExit as exit:
        assert exit.code == 2
    assert "required" in capsys.readouterr().err

# tests/cli.mk - tests of the pocdir tool: exit statuses and messages, golden
# files for every output format, and checks of each format by a real parser.
TESTS += tests/t_cli_exit.sh tests/t_cli_golden.sh tests/t_cli_formats.sh
EXTRA_DIST += tests/t_cli_exit.sh tests/t_cli_golden.sh tests/t_cli_formats.sh \
	tests/cli/check_formats.py tests/cli/hostile/origins/kr.yaml \
	tests/cli/controls/origins/kr.yaml \
	tests/cli/data/origins/fr.yaml tests/cli/data/origins/kr.yaml \
	tests/cli/data/origins/nz.yaml \
	$(CLI_GOLDEN)
CLI_GOLDEN = \
	tests/cli/golden/export.ldif tests/cli/golden/export-no-tree.ldif \
	tests/cli/golden/export-base.ldif \
	tests/cli/golden/export.json tests/cli/golden/export.vcf tests/cli/golden/export.csv \
	tests/cli/golden/lookup.txt tests/cli/golden/lookup-kr.txt tests/cli/golden/show.txt \
	tests/cli/golden/search-attrs.txt tests/cli/golden/search-attrs.json \
	tests/cli/golden/search-attrs.csv tests/cli/golden/search-attrs.ldif

# tests/cli.mk - tests of the pocdir tool: exit statuses and messages, golden
# files for every output format, and checks of each format by a real parser.
TESTS += tests/t_cli_exit.sh tests/t_cli_golden.sh tests/t_cli_formats.sh tests/t_cli_lookup.sh \
	tests/t_cli_keys.py
EXTRA_DIST += tests/t_cli_exit.sh tests/t_cli_golden.sh tests/t_cli_formats.sh tests/t_cli_lookup.sh \
	tests/t_cli_keys.py \
	tests/cli/validity/origins/de.yaml \
	tests/cli/check_formats.py tests/cli/hostile/origins/kr.yaml \
	tests/cli/controls/origins/kr.yaml \
	tests/cli/data/origins/fr.yaml tests/cli/data/origins/kr.yaml \
	tests/cli/data/origins/nz.yaml \
	$(CLI_GOLDEN)
CLI_GOLDEN = \
	tests/cli/golden/export.ldif tests/cli/golden/export-no-tree.ldif \
	tests/cli/golden/export-base.ldif \
	tests/cli/golden/export.json tests/cli/golden/export.vcf tests/cli/golden/export.csv \
	tests/cli/golden/export.vcf3 tests/cli/golden/validity-lookup.txt \
	tests/cli/golden/validity-all.txt tests/cli/golden/validity.json \
	tests/cli/golden/validity.csv tests/cli/golden/validity.ldif tests/cli/golden/validity.vcf \
	tests/cli/golden/validity-show.txt \
	tests/cli/golden/lookup.txt tests/cli/golden/lookup-kr.txt tests/cli/golden/show.txt \
	tests/cli/golden/search-attrs.txt tests/cli/golden/search-attrs.json \
	tests/cli/golden/search-attrs.csv tests/cli/golden/search-attrs.ldif
# doc/two-peers.md run as a reader follows it (two daemons, real sync).
TESTS += tests/t_doc_two_peers.py
EXTRA_DIST += tests/t_doc_two_peers.py
# validate's messages, against a golden file.
TESTS += tests/t_cli_validate.sh
EXTRA_DIST += tests/t_cli_validate.sh tests/cli/mistakes/origins/xx.yaml \
	tests/cli/mistakes/origins/yy.yaml tests/cli/mistakes/origins/zz.yaml \
	tests/cli/golden/validate-mistakes.txt
